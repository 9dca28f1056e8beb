"""Reads of the consent a patient gives when applying, for the patient flow and the dashboard.

A trial's team may publish its own wording (`ConsentText`, versioned, never edited);
until it does, the portal's standard consent applies. Either way an application stores
the version it agreed to, and `consent_terms_get` gives back those exact words.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from screening.models import ConsentText
from trials.models import Trial


@dataclass(frozen=True)
class ConsentTerms:
    version: str
    text: str | Promise


# Change the text only together with a new version: applications name the version.
STANDARD_CONSENT = ConsentTerms(
    version="2025-01",
    text=_(
        "Your contact details and your answers will be sent to the study team of this trial "
        "only. They will use them to contact you about taking part and to check whether you "
        "can join. You can withdraw at any time from your private status link: your details "
        "and answers are then erased."
    ),
)


def consent_current(*, trial: Trial) -> ConsentText | None:
    """The trial's newest published consent text, if its team published one."""
    return ConsentText.objects.filter(trial=trial).order_by("-created_at", "-id").first()


def consent_get(*, trial: Trial, version: str) -> ConsentText | None:
    """The trial's published consent text of that version, if any."""
    return ConsentText.objects.filter(trial=trial, version=version).first()


def consent_terms(*, trial: Trial) -> ConsentTerms:
    """What a patient applying now reads and agrees to."""
    current = consent_current(trial=trial)
    if current is None:
        return STANDARD_CONSENT
    return ConsentTerms(version=current.version, text=current.text)


def consent_terms_get(*, trial: Trial, version: str) -> ConsentTerms | None:
    """The exact words behind the version an application consented to."""
    published = consent_get(trial=trial, version=version)
    if published is not None:
        return ConsentTerms(version=published.version, text=published.text)
    return STANDARD_CONSENT if version == STANDARD_CONSENT.version else None
