"""Coded closing reasons: why an application closed, per closing status.

A short standard list per status (in the spirit of the CONSORT flow diagram's
"excluded: not meeting inclusion criteria / declined to participate / other reasons",
CONSORT 2010, Schulz et al., BMJ 2010;340:c332), which each trial may extend with its
own (screening.models.ClosingReason). "other" always exists and wants free text.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _

from screening.models import Application, ClosingReason

Status = Application.Status
OTHER = "other"

STANDARD_REASONS: dict[str, tuple[tuple[str, Any], ...]] = {
    Status.NOT_ELIGIBLE: (
        ("inclusion_not_met", _("Does not meet an inclusion criterion")),
        ("exclusion_met", _("Meets an exclusion criterion")),
        ("investigator_decision", _("Investigator's decision")),
    ),
    Status.NOT_INTERESTED: (
        ("declined_contact", _("Declined when contacted")),
        ("travel", _("Travel or distance to the site")),
        ("time", _("Time the study asks for")),
        ("procedures", _("Study procedures or treatment")),
    ),
    Status.UNREACHABLE: (
        ("no_answer", _("No answer after repeated attempts")),
        ("wrong_contact", _("Wrong or missing contact details")),
    ),
    Status.WITHDRAWN: (("patient_withdrew", _("Withdrew through the status link")),),
}
CLOSING_WITH_REASON = frozenset(STANDARD_REASONS)


def reason_choices(*, trial_id: int, status: str) -> list[tuple[str, str]]:
    """(code, label) for one closing status of one trial: standard, the trial's own,
    then "Other". Empty for a status that needs no reason. One query."""
    if status not in STANDARD_REASONS:
        return []
    choices = [(code, str(label)) for code, label in STANDARD_REASONS[status]]
    choices += [
        (r.code, r.label) for r in ClosingReason.objects.filter(trial_id=trial_id, status=status)
    ]
    return [*choices, (OTHER, str(_("Other (say why)")))]


def reason_labels(*, trial_ids: list[int] | None = None) -> dict[tuple[int | None, str], str]:
    """Every reason's label by (trial id, code); standard ones under (None, code)."""
    labels: dict[tuple[int | None, str], str] = {(None, OTHER): str(_("Other"))}
    for reasons in STANDARD_REASONS.values():
        labels.update({(None, code): str(label) for code, label in reasons})
    extra = ClosingReason.objects.all()
    if trial_ids is not None:
        extra = extra.filter(trial_id__in=trial_ids)
    labels.update({(r.trial_id, r.code): r.label for r in extra})
    return labels


def reason_label(labels: dict[tuple[int | None, str], str], *, trial_id: int, code: str) -> str:
    if not code:
        return ""
    return labels.get((trial_id, code)) or labels.get((None, code)) or code
