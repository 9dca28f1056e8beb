"""Reads for the dashboard. Every query starts from accounts.access, never from a model."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.translation import gettext as _

from accounts.access import applications_for_user, memberships_for_user
from accounts.models import TrialMembership
from screening.models import Application, Criterion, Verdict
from screening.models.applications import triage_ranks
from screening.questions import QUESTIONS, AnswersInvalid, Question
from screening.selectors import trial_evaluate
from screening.workdays import working_days_between
from trials.models import Trial

Status = Application.Status


def queue_order(queryset: QuerySet[Application]) -> QuerySet[Application]:
    """Default triage order: new first, then likely eligible, highest score, oldest waiting."""
    # The same expressions as the application_triage_order index.
    return queryset.annotate(**dict(triage_ranks())).order_by(
        "_new_first", "_verdict_rank", "-score", "created_at", "pk"
    )


def _trial_beyond_nct_id(prefix: str) -> list[str]:
    """A trial's columns other than its key and NCT ID, reached through ``prefix``."""
    return [
        f"{prefix}{f.name}" for f in Trial._meta.concrete_fields if f.name not in {"id", "nct_id"}
    ]


def queue_for_user(*, user: Any) -> QuerySet[Application]:
    # The queue shows neither answers nor evaluations, and of the trial only its NCT ID:
    # their JSON (kilobytes a row, the trial's whole registry record among it) stays in
    # the database instead of being decoded 25 times a page.
    return (
        applications_for_user(user=user)
        .select_related("trial", "assigned_to", "site")
        .defer("answers", "evaluation", "site__contacts", *_trial_beyond_nct_id("trial__"))
    )


def queue_rows_label(*, applications: list[Application]) -> list[Application]:
    """Give each row ``status_label`` and ``verdict_label``, translated once a page:
    ``get_status_display`` rebuilds and hashes every lazy choice on each call. Also its
    link, its checkbox's label and its submission time in the reader's zone and format:
    as template tags and filters in the row, these three were half the rows' cost
    (measured in-process)."""
    statuses = {value: str(label) for value, label in Status.choices}
    verdicts = {value: str(label) for value, label in Verdict.choices}
    today = timezone.localdate()
    submitted_format = get_format("SHORT_DATETIME_FORMAT")
    for application in applications:
        application.url = reverse("dashboard:applicant", args=[application.reference])
        application.select_label = _("Select %(ref)s") % {"ref": application.reference}
        application.submitted_label = dateformat.format(
            timezone.localtime(application.created_at), submitted_format
        )
        application.status_label = statuses.get(application.status, application.status)
        application.verdict_label = verdicts.get(application.verdict, application.verdict)
        # Working days since submission, as today's work and the contact deadline count.
        application.days_waiting = working_days_between(
            timezone.localdate(application.created_at), today
        )
        site = application.site
        application.site_label = (
            ", ".join(p for p in (site.facility, site.city) if p) if site is not None else ""
        )
    return applications


def queue_memberships(*, user: Any) -> list[TrialMembership]:
    """The user's memberships as the queue needs them: role, and the trial's NCT ID."""
    return list(memberships_for_user(user=user).defer(*_trial_beyond_nct_id("trial__")))


@dataclass
class TrialSummary:
    membership: TrialMembership
    total: int = 0
    new_since_visit: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_verdict: dict[str, int] = field(default_factory=dict)
    # Criteria waiting for the team's review (drafted rules, changed texts).
    drafts_waiting: int = 0

    @property
    def status_rows(self) -> list[tuple[str, str, int]]:
        return [(value, label, self.by_status.get(value, 0)) for value, label in Status.choices]

    @property
    def verdict_rows(self) -> list[tuple[str, str, int]]:
        return [(value, label, self.by_verdict.get(value, 0)) for value, label in Verdict.choices]


def drafts_waiting_by_trial(*, trial_ids: Iterable[int]) -> dict[int, int]:
    """How many criteria wait for the team's review, per trial id (one query).

    Waiting: a drafted rule not yet confirmed or rejected, or a published text that
    changed since the team's decision (`Criterion.awaiting_review`).
    """
    rows = (
        Criterion.objects.filter(
            trial_id__in=list(trial_ids), review_state=Criterion.ReviewState.DRAFTED
        )
        .filter(Q(draft_rule__isnull=False) | Q(text_changed=True))
        .values("trial_id")
        .annotate(n=Count("pk"))
    )
    return {row["trial_id"]: row["n"] for row in rows}


def dashboard_summary(*, user: Any, since: datetime | None) -> list[TrialSummary]:
    """Per trial of the user's teams: counts by status and verdict, and what is new since
    ``since`` (the previous visit), and the drafted rules waiting for review. Four
    queries whatever the number of applications and criteria."""
    summaries = {m.trial_id: TrialSummary(membership=m) for m in memberships_for_user(user=user)}
    applications = applications_for_user(user=user)
    for row in applications.values("trial_id", "status").annotate(n=Count("pk")):
        summary = summaries[row["trial_id"]]
        summary.by_status[row["status"]] = row["n"]
        summary.total += row["n"]
    new_filter = Q(created_at__gt=since) if since else Q()
    verdicts = applications.values("trial_id", "verdict").annotate(
        n=Count("pk"), new=Count("pk", filter=new_filter)
    )
    for row in verdicts:
        summary = summaries[row["trial_id"]]
        summary.by_verdict[row["verdict"]] = row["n"]
        summary.new_since_visit += row["new"]
    for trial_id, waiting in drafts_waiting_by_trial(trial_ids=summaries).items():
        summaries[trial_id].drafts_waiting = waiting
    return sorted(summaries.values(), key=lambda s: s.membership.trial.nct_id)


@dataclass(frozen=True)
class AnswerRow:
    key: str
    question: str
    value: str


def answers_rows(*, answers: dict[str, Any]) -> list[AnswerRow]:
    """A patient's answers in the questionnaire's order, each with the question as the
    patient read it and the value in words (with its unit); null means "I don't know"."""
    bank_order = {key: position for position, key in enumerate(QUESTIONS)}
    rows = []
    for key in sorted(answers, key=lambda k: (bank_order.get(k, len(bank_order)), k)):
        question = QUESTIONS.get(key)
        rows.append(
            AnswerRow(
                key=key,
                question=str(question.text) if question else key,
                value=_answer_in_words(question, answers[key]),
            )
        )
    return rows


def _answer_in_words(question: Question | None, value: Any) -> str:
    if value is None:
        return str(_("Don't know"))
    if value is True:
        return str(_("Yes"))
    if value is False:
        return str(_("No"))
    labels = {choice: str(label) for choice, label in question.choices} if question else {}
    if isinstance(value, list):
        return ", ".join(labels.get(str(v), str(v)) for v in value)
    if str(value) in labels:
        return labels[str(value)]
    unit = str(question.unit) if question and question.unit else ""
    return f"{value} {unit}".strip()


def evaluation_points_to_check(*, evaluation: dict[str, Any]) -> list[dict[str, Any]]:
    """The criteria a coordinator must check: unknown outcomes and anything to verify."""
    return [
        criterion
        for criterion in evaluation.get("criteria", [])
        if criterion.get("outcome") == "unknown" or criterion.get("verify")
    ]


@dataclass(frozen=True)
class CurrentEvaluation:
    """The stored answers evaluated under the trial's criteria as they are today."""

    verdict: str
    score: float
    changed: list[dict[str, Any]]  # criteria whose outcome or wording differs from the snapshot

    @property
    def verdict_label(self) -> str:
        return str(Verdict(self.verdict).label)


def evaluation_under_current_criteria(*, application: Application) -> CurrentEvaluation | None:
    """How the application would fare under today's criteria, if they changed since.

    None when nothing differs, or when there is nothing to evaluate (erased answers, or
    answers the question bank no longer accepts). The snapshot itself is never touched.
    """
    if not application.answers:
        return None
    try:
        current = trial_evaluate(trial=application.trial, answers=application.answers)
    except AnswersInvalid:
        return None
    before = {
        (c["kind"], c["number"]): (c["outcome"], c["text"])
        for c in (application.evaluation or {}).get("criteria", [])
    }
    changed = [
        c
        for c in current["criteria"]
        if before.get((c["kind"], c["number"])) != (c["outcome"], c["text"])
    ]
    removed = set(before) - {(c["kind"], c["number"]) for c in current["criteria"]}
    if not changed and not removed and current["verdict"] == application.verdict:
        return None
    return CurrentEvaluation(verdict=current["verdict"], score=current["score"], changed=changed)
