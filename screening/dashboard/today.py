"""Today's work: what a coordinator has to do today, across the trials of their teams.

- new applicants nobody has contacted yet, oldest first, with how long each has waited
  in working days, flagged past the trial's contact deadline (Trial.contact_deadline_days);
- follow-ups due today or overdue (Application.next_action_on, from the contact log);
- screening visits in the coming days;
- per trial, the applicants this user has never opened (ApplicationOpened), so that a
  reload does not clear "new since your last visit".

A fixed number of queries whatever the number of applicants and trials.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.access import applications_for_user
from accounts.models import TrialMembership
from screening.models import Application, ApplicationOpened
from screening.models.applications import CLOSED_STATUSES
from screening.workdays import working_days_between

from .selectors import queue_memberships

Status = Application.Status
LIST_LIMIT = 20
VISIT_DAYS = 7


@dataclass
class TrialToday:
    membership: TrialMembership
    waiting: int = 0
    overdue: int = 0
    follow_ups: int = 0
    visits: int = 0
    not_opened: int = 0
    # (site id or None, "facility, city", open applicants), most applicants first
    sites: list[tuple[int | None, str, int]] = field(default_factory=list)


@dataclass
class TodayWork:
    today: date
    trials: list[TrialToday]
    waiting: list[Application] = field(default_factory=list)
    follow_ups: list[Application] = field(default_factory=list)
    visits: list[Application] = field(default_factory=list)

    @property
    def not_opened(self) -> int:
        return sum(t.not_opened for t in self.trials)

    @property
    def overdue(self) -> int:
        return sum(t.overdue for t in self.trials)

    @property
    def waiting_total(self) -> int:
        return sum(t.waiting for t in self.trials)

    @property
    def follow_ups_total(self) -> int:
        return sum(t.follow_ups for t in self.trials)

    @property
    def visits_total(self) -> int:
        return sum(t.visits for t in self.trials)


def _rows(queryset: QuerySet[Application]) -> QuerySet[Application]:
    return queryset.select_related("trial", "site", "assigned_to").only(
        "reference",
        "full_name",
        "phone",
        "status",
        "verdict",
        "created_at",
        "next_action_on",
        "last_contact_at",
        "visit_at",
        "trial__nct_id",
        "trial__contact_deadline_days",
        "site__facility",
        "site__city",
        "site__country",
        "assigned_to__email",
        "assigned_to__first_name",
        "assigned_to__last_name",
    )


def untouched_filter() -> Q:
    """New applicants nobody has contacted yet."""
    return Q(status=Status.NEW, first_contact_at__isnull=True)


def follow_up_filter(*, today: date) -> Q:
    return Q(next_action_on__lte=today) & ~Q(status__in=CLOSED_STATUSES)


def visit_filter(*, now: datetime) -> Q:
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return Q(status=Status.VISIT_SCHEDULED, visit_at__gte=start) & Q(
        visit_at__lt=start + timedelta(days=VISIT_DAYS + 1)
    )


def deadline_cutoff(*, today: date, working_days: int) -> date:
    """The latest submission date that is past a deadline of ``working_days``: an
    applicant submitted on or before it has waited more than the deadline."""
    day = today
    while working_days_between(day, today) <= working_days:
        day -= timedelta(days=1)
    return day


def waited(application: Application, *, today: date) -> int:
    """Working days an applicant has waited since submitting."""
    return working_days_between(timezone.localdate(application.created_at), today)


def today_work(*, user: Any, now: datetime | None = None) -> TodayWork:
    """Today's work for ``user`` (see the module docstring). Seven queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    memberships = queue_memberships(user=user)
    trials = {m.trial_id: TrialToday(membership=m) for m in memberships}
    applications = applications_for_user(user=user)

    overdue_q = Q(pk__in=[])
    for m in memberships:
        cutoff = deadline_cutoff(today=today, working_days=m.trial.contact_deadline_days)
        overdue_q |= Q(trial_id=m.trial_id, created_at__date__lte=cutoff)
    opened = ApplicationOpened.objects.filter(user=user, application=OuterRef("pk"))
    counts = (
        applications.values("trial_id")
        .annotate(
            waiting=Count("pk", filter=untouched_filter()),
            overdue=Count("pk", filter=untouched_filter() & overdue_q),
            follow_ups=Count("pk", filter=follow_up_filter(today=today)),
            visits=Count("pk", filter=visit_filter(now=now)),
            not_opened=Count("pk", filter=~Q(Exists(opened)) & ~Q(status__in=CLOSED_STATUSES)),
        )
        .order_by()
    )
    for row in counts:
        summary = trials.get(row["trial_id"])
        if summary is None:
            continue
        for name in ("waiting", "overdue", "follow_ups", "visits", "not_opened"):
            setattr(summary, name, row[name])

    per_site = (
        applications.exclude(status__in=CLOSED_STATUSES)
        .values("trial_id", "site_id", "site__facility", "site__city")
        .annotate(n=Count("pk"))
        .order_by("-n", "site__facility")
    )
    for row in per_site:
        summary = trials.get(row["trial_id"])
        if summary is not None:
            label = ", ".join(p for p in (row["site__facility"], row["site__city"]) if p)
            summary.sites.append((row["site_id"], label, row["n"]))

    work = TodayWork(today=today, trials=list(trials.values()))
    work.waiting = list(
        _rows(applications.filter(untouched_filter())).order_by("created_at", "pk")[:LIST_LIMIT]
    )
    for application in work.waiting:
        application.waited_days = waited(application, today=today)
        application.overdue = application.waited_days > application.trial.contact_deadline_days
    work.follow_ups = list(
        _rows(applications.filter(follow_up_filter(today=today))).order_by(
            "next_action_on", "created_at", "pk"
        )[:LIST_LIMIT]
    )
    for application in work.follow_ups:
        application.late = application.next_action_on < today
    work.visits = list(
        _rows(applications.filter(visit_filter(now=now))).order_by("visit_at", "pk")[:LIST_LIMIT]
    )
    return work
