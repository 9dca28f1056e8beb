"""The recruitment picture of one trial: the funnel with its losses and their reasons,
applicants per week, and the median time to first contact, for a period and a site.

The funnel follows the shape of the CONSORT 2010 flow diagram's enrolment part
(assessed → excluded, with reasons → randomised; Schulz et al., BMJ 2010;340:c332),
with a pre-screening portal's stages: applied → contacted → visit scheduled → enrolled.
A stage counts every application that ever reached it, from its status history, the
contact log and its current status; an application lost (closed without enrolment) is
counted once, at the last stage it reached, with its coded reason.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import median
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from screening.closing_reasons import reason_label, reason_labels
from screening.models import Application, StatusChange
from screening.models.applications import CLOSED_STATUSES
from trials.models import Trial

Status = Application.Status
STAGES = ("applied", "contacted", "visit", "enrolled")
_CONTACT_STATUSES = {
    Status.CONTACTED_1,
    Status.CONTACTED_2,
    Status.CONTACTED_3,
    Status.UNREACHABLE,
    Status.VISIT_SCHEDULED,
    Status.ENROLLED,
}
_VISIT_STATUSES = {Status.VISIT_SCHEDULED, Status.ENROLLED}


def stage_labels() -> dict[str, str]:
    return {
        "applied": _("Applied"),
        "contacted": _("Contacted"),
        "visit": _("Screening visit scheduled"),
        "enrolled": _("Enrolled"),
    }


@dataclass
class Loss:
    stage: str  # the last stage reached
    status: str
    reason: str  # label, "" when none was recorded
    count: int


@dataclass
class Picture:
    start: date
    end: date
    funnel: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))
    losses: list[Loss] = field(default_factory=list)
    weeks: list[tuple[date, int]] = field(default_factory=list)
    median_hours_to_contact: float | None = None
    contacted_count: int = 0
    by_site: list[tuple[str, dict[str, int]]] = field(default_factory=list)

    @property
    def funnel_rows(self) -> list[tuple[str, str, int, int]]:
        """(stage, label, count, lost at this stage)."""
        labels = stage_labels()
        lost: dict[str, int] = {}
        for loss in self.losses:
            lost[loss.stage] = lost.get(loss.stage, 0) + loss.count
        return [(s, labels[s], self.funnel[s], lost.get(s, 0)) for s in STAGES]

    @property
    def median_days_to_contact(self) -> float | None:
        if self.median_hours_to_contact is None:
            return None
        return round(self.median_hours_to_contact / 24, 1)

    def chart_data(self) -> dict[str, Any]:
        """What static/js/insights.js draws (the tables beside carry the same numbers)."""
        labels = stage_labels()
        return {
            "funnel": {
                "labels": [labels[s] for s in STAGES],
                "values": [self.funnel[s] for s in STAGES],
                "label": _("Applicants"),
            },
            "weeks": {
                "labels": [week.isoformat() for week, _n in self.weeks],
                "values": [n for _week, n in self.weeks],
                "label": _("Applicants per week"),
            },
        }


def _stage_of(row: dict[str, Any]) -> str:
    if row["status"] == Status.ENROLLED:
        return "enrolled"
    if row["status"] in _VISIT_STATUSES or row["had_visit"]:
        return "visit"
    if row["first_contact_at"] or row["status"] in _CONTACT_STATUSES or row["had_contact"]:
        return "contacted"
    return "applied"


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())  # ISO weeks start on Monday (ISO 8601)


def recruitment_picture(*, trial: Trial, start: date, end: date, site_id: int | None) -> Picture:
    """The picture of applications submitted from ``start`` to ``end`` (local dates,
    inclusive), at one site if ``site_id``. Two queries."""
    applications = Application.objects.filter(
        trial=trial, created_at__date__gte=start, created_at__date__lte=end
    )
    if site_id is not None:
        applications = applications.filter(site_id=site_id)
    history = StatusChange.objects.filter(application=OuterRef("pk"))
    rows = list(
        applications.annotate(
            had_contact=Exists(history.filter(to_status__in=_CONTACT_STATUSES)),
            had_visit=Exists(history.filter(to_status__in=_VISIT_STATUSES)),
        ).values(
            "status",
            "created_at",
            "first_contact_at",
            "closing_reason",
            "site__facility",
            "site__city",
            "had_contact",
            "had_visit",
        )
    )
    labels = reason_labels(trial_ids=[trial.pk])
    statuses = dict(Status.choices)
    picture = Picture(start=start, end=end)
    losses: dict[tuple[str, str, str], int] = {}
    per_week: dict[date, int] = {}
    sites: dict[str, dict[str, int]] = {}
    waits = []
    order = {s: i for i, s in enumerate(STAGES)}
    for row in rows:
        stage = _stage_of(row)
        site = ", ".join(p for p in (row["site__facility"], row["site__city"]) if p) or _(
            "No site chosen"
        )
        site_counts = sites.setdefault(site, dict.fromkeys(STAGES, 0))
        for s in STAGES[: order[stage] + 1]:
            picture.funnel[s] += 1
            site_counts[s] += 1
        if row["status"] in CLOSED_STATUSES and row["status"] != Status.ENROLLED:
            key = (
                stage,
                str(statuses[row["status"]]),
                reason_label(labels, trial_id=trial.pk, code=row["closing_reason"]),
            )
            losses[key] = losses.get(key, 0) + 1
        week = _week_start(timezone.localdate(row["created_at"]))
        per_week[week] = per_week.get(week, 0) + 1
        if row["first_contact_at"]:
            waits.append((row["first_contact_at"] - row["created_at"]).total_seconds() / 3600)
    picture.losses = [
        Loss(stage=s, status=st, reason=r, count=n)
        for (s, st, r), n in sorted(losses.items(), key=lambda item: (order[item[0][0]], -item[1]))
    ]
    week, last = _week_start(start), _week_start(end)
    while week <= last:
        picture.weeks.append((week, per_week.get(week, 0)))
        week += timedelta(weeks=1)
    picture.contacted_count = len(waits)
    picture.median_hours_to_contact = round(median(waits), 1) if waits else None
    picture.by_site = sorted(sites.items())
    return picture


def screening_log_rows(picture: Picture) -> list[list[Any]]:
    """The screening log in CONSORT's shape: each stage, then the losses at it."""
    rows: list[list[Any]] = []
    for stage, label, count, _lost in picture.funnel_rows:
        rows.append([label, "", "", count])
        for loss in picture.losses:
            if loss.stage == stage:
                rows.append(["", loss.status, loss.reason or _("No reason recorded"), loss.count])
    return rows
