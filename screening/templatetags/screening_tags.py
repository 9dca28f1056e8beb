"""Template tags the public trial pages borrow from screening (the trials app does not
import screening)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from screening.patient.estimate import Estimate, questionnaire_estimate

register = template.Library()


@register.simple_tag
def questionnaire_size(trial: Any) -> Estimate:
    """`{% questionnaire_size trial as estimate %}`: see screening.patient.estimate."""
    return questionnaire_estimate(trial)


# The numbers `screening.selectors.trial_basic_criteria` and `trial_criteria` give the
# portal's own criteria (worded by the portal, in the reader's language); every other
# criterion is the registry's published text, in English.
PORTAL_CRITERIA = frozenset({"sex", "age", "healthy_volunteers", "published"})


@register.filter
def is_published(criterion: Any) -> bool:
    """`{% if c|is_published %}lang="en"{% endif %}` for a criterion of a snapshot (a
    dict) or a row with a `number`."""
    if isinstance(criterion, dict):
        number = criterion.get("number", "")
    else:
        number = getattr(criterion, "number", "")
    return str(number) not in PORTAL_CRITERIA


@register.filter
def registry_text(value: Any) -> SafeString:
    """Text as published on ClinicalTrials.gov (English), marked so for screen readers
    inside a page or email in another language (WCAG 3.1.2): <span lang="en">…</span>."""
    return format_html('<span lang="en">{}</span>', value)


_PORTAL_NUMBER_WORDS = {
    "sex": _("sex"),
    "age": _("age"),
    "healthy_volunteers": _("healthy volunteer"),
    "published": _("other published criteria"),
}


@register.filter
def criterion_number(number: Any) -> str:
    """A criterion's number as a reader says it: "3", or "age" (in the reader's language)
    for the portal's own basic criteria."""
    return str(_PORTAL_NUMBER_WORDS.get(str(number), number))


@register.filter
def language_name(code: Any) -> str:
    """A language code ("fr") as its name in the reader's language ("French"); a code
    Django does not know is shown as it is."""
    from django.utils.translation import get_language_info

    try:
        return str(get_language_info(str(code))["name_translated"])
    except KeyError:
        return str(code)
