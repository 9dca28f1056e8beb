from datetime import date

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from trials.criteria_text import markdown_html
from trials.importers.ctgov import parse_partial_date
from trials.models import OverallStatus, Trial

# Month names in full, not abbreviated: easier to read. Translators reorder the parts.
DAY = _("F j, Y")
MONTH = _("F Y")

_WORDS = {
    **dict(OverallStatus.choices),
    "PRINCIPAL_INVESTIGATOR": _("Principal investigator"),
    "SUB_INVESTIGATOR": _("Sub-investigator"),
    "STUDY_CHAIR": _("Study chair"),
    "STUDY_DIRECTOR": _("Study director"),
    "CONTACT": _("Contact"),
    "INTERVENTIONAL": _("Interventional (tests a treatment)"),
    "OBSERVATIONAL": _("Observational (no study treatment)"),
    "EXPANDED_ACCESS": _("Expanded access"),
    "EARLY_PHASE1": _("Early phase 1"),
    "PHASE1": _("Phase 1"),
    "PHASE2": _("Phase 2"),
    "PHASE3": _("Phase 3"),
    "PHASE4": _("Phase 4"),
    "NA": _("Not applicable"),
}

register = template.Library()


@register.filter
def ctgov_date(text: str) -> str:
    """A ClinicalTrials.gov date in words: "2020-05" is "May 2020", a full date its day."""
    if not text:
        return ""
    try:
        day = parse_partial_date(text)
    except ValueError:
        return text
    return date_format(day, str(MONTH if len(text.strip()) == 7 else DAY))


@register.filter
def full_date(value: date | None) -> str:
    return date_format(value, str(DAY)) if value else ""


@register.filter
def words(code: str) -> str:
    """An API code such as PRINCIPAL_INVESTIGATOR as words: "Principal investigator"."""
    if not code:
        return ""
    return str(_WORDS.get(code, code.replace("_", " ").capitalize()))


@register.filter
def criteria_html(markdown: str) -> SafeString:
    """A published criterion's Markdown as sanitised HTML (markdown-it-py, then nh3)."""
    return mark_safe(markdown_html(markdown or ""))  # noqa: S308 - nh3 kept only safe tags


@register.filter
def status_badge(trial: Trial) -> SafeString:
    """The registry status as a coloured badge: recruiting, otherwise open to applicants
    or closed. A filter rather than an include: the trial list shows twenty."""
    if trial.overall_status == OverallStatus.RECRUITING:
        kind = "status-recruiting"
    elif trial.is_open:
        kind = "status-open"
    else:
        kind = "status-closed"
    return format_html(
        '<span class="badge status-badge {}">{}</span>', kind, trial.get_overall_status_display()
    )
