"""What the patient reads for each verdict, outcome and status: plain words, never codes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from screening.models import Application

VERDICT = {
    "likely_eligible": {
        "title": _("You may be eligible"),
        "summary": _("From your answers, you seem to meet everything this trial asks for."),
        "tone": "success",
    },
    "needs_review": {
        "title": _("The study team needs to check a few things"),
        "summary": _(
            "Nothing in your answers rules you out, but a few points are still open. "
            "That is normal."
        ),
        "tone": "info",
    },
    "not_eligible": {
        "title": _("You are probably not eligible for this trial"),
        "summary": _(
            "At least one of this trial's conditions rules you out. This is about this trial only."
        ),
        "tone": "warning",
    },
}

STATUS = {
    Application.Status.NEW: _("Received. The study team has not looked at it yet."),
    Application.Status.IN_REVIEW: _("The study team is reviewing your application."),
    Application.Status.CONTACTED_1: _("The study team has tried to contact you."),
    Application.Status.CONTACTED_2: _("The study team has tried to contact you."),
    Application.Status.CONTACTED_3: _("The study team has tried to contact you."),
    Application.Status.VISIT_SCHEDULED: _("A screening visit has been arranged with you."),
    Application.Status.ENROLLED: _("You have joined the trial."),
    Application.Status.NOT_ELIGIBLE: _(
        "The study team found that you cannot take part in this trial."
    ),
    Application.Status.NOT_INTERESTED: _("Closed: you told the team you are not interested."),
    Application.Status.UNREACHABLE: _("Closed: the study team could not reach you."),
    Application.Status.WITHDRAWN: _("You withdrew. Your details and answers have been erased."),
}


def turned_away_by_unchecked(criteria: Iterable[Mapping[str, Any]]) -> bool:
    """Whether every outcome that turns the patient away is an automatic reading of the
    published criteria that the study team has not checked yet (`"unchecked"` in the
    evaluation snapshot), so the patient is invited to send their details all the same."""
    against = [
        c
        for c in criteria
        if (c["kind"], c["outcome"]) in (("inclusion", "not_met"), ("exclusion", "met"))
    ]
    return bool(against) and all(c.get("unchecked") for c in against)
