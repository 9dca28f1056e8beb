"""The consent a patient gives when applying, versioned.

The text is what the patient reads beside the two checkboxes; the version is stored on
every application with the time it was given, so that an application always says which
words the patient agreed to. Change the text only together with a new version.
"""

from django.utils.translation import gettext_lazy as _

CONSENT_VERSION = "2025-01"

CONSENT_TEXT = _(
    "Your contact details and your answers will be sent to the study team of this trial "
    "only. They will use them to contact you about taking part and to check whether you "
    "can join. You can withdraw at any time from your private status link: your details "
    "and answers are then erased."
)
