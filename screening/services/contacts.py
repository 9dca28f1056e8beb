"""The contact log: every attempt to reach a patient, and what it changes.

One call records the channel, outcome, note and next-attempt date, moves the status
where the outcome says so, keeps the application's contact dates (first, last, next
action due) and writes one audit event. Rules:

- the attempt count comes from the log: the n-th logged attempt without reaching the
  patient moves a new, in-review or contacted application to "Contacted (attempt n)"
  (at most 3), never backwards;
- "reached" moves it to "In review", or to "Screening visit scheduled" with a visit
  date and time;
- "declined" closes it as "Not interested", reason "Declined when contacted";
- no answer or a voicemail without a next-attempt date gets the next working day;
- a closed application keeps its status: the contact is logged all the same.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import AuditAction, audit_record
from accounts.models import User
from screening.models import Application, ApplicationOpened, ContactAttempt, PointVerification
from screening.workdays import working_day_after

from .workflow import (
    NOTE_MAX_LENGTH,
    WorkflowError,
    _closing_fields_set,
    _locked,
    _move,
    _require_coordinator,
)

Status = Application.Status
Outcome = ContactAttempt.Outcome

THEN_REVIEW = "review"
THEN_VISIT = "visit"
UNSUCCESSFUL = frozenset({Outcome.VOICEMAIL, Outcome.NO_ANSWER, Outcome.WRONG_NUMBER})
_PROGRESS = [
    Status.NEW,
    Status.IN_REVIEW,
    Status.CONTACTED_1,
    Status.CONTACTED_2,
    Status.CONTACTED_3,
]
_CONTACTED = [Status.CONTACTED_1, Status.CONTACTED_2, Status.CONTACTED_3]


@dataclass(frozen=True)
class ContactInput:
    channel: str
    outcome: str
    note: str = ""
    next_attempt_on: date | None = None
    then: str = THEN_REVIEW  # after "reached": stay in review, or a visit at visit_at
    visit_at: datetime | None = None


def _target_status(*, current: str, outcome: str, attempts: int, then: str) -> str | None:
    """The status the logged outcome leads to, or None to leave it."""
    if current not in _PROGRESS and current != Status.VISIT_SCHEDULED:
        return None
    if outcome in UNSUCCESSFUL:
        if current not in _PROGRESS:
            return None
        target = _CONTACTED[min(attempts, 3) - 1]
        return target if _PROGRESS.index(target) > _PROGRESS.index(current) else None
    if outcome == Outcome.DECLINED:
        return Status.NOT_INTERESTED
    # reached
    if then == THEN_VISIT:
        return Status.VISIT_SCHEDULED if current != Status.VISIT_SCHEDULED else None
    return Status.IN_REVIEW if current in _PROGRESS and current != Status.IN_REVIEW else None


def _check(data: ContactInput, *, today: date) -> None:
    if data.channel not in ContactAttempt.Channel.values:
        raise WorkflowError(_("Choose how you contacted the patient."))
    if data.outcome not in Outcome.values:
        raise WorkflowError(_("Choose the outcome of the contact."))
    if len(data.note) > NOTE_MAX_LENGTH:
        raise WorkflowError(_("The note is too long."))
    if data.next_attempt_on is not None and data.next_attempt_on < today:
        raise WorkflowError(_("The next attempt cannot be in the past."))
    if data.outcome == Outcome.REACHED and data.then == THEN_VISIT:
        if data.visit_at is None:
            raise WorkflowError(_("Give the date and time of the screening visit."))
        if timezone.localdate(data.visit_at) < today:
            raise WorkflowError(_("The screening visit cannot be in the past."))


@transaction.atomic
def contact_log(
    *,
    application: Application,
    by: User,
    data: ContactInput,
    request: HttpRequest | None = None,
) -> ContactAttempt:
    """Record one contact attempt and what follows from it (see the module docstring).

    Raises WorkflowError (refused, nothing saved) or PermissionDenied.
    """
    _require_coordinator(user=by, application=application)
    today = timezone.localdate()
    _check(data, today=today)
    current = _locked(application)
    attempt = ContactAttempt.objects.create(
        application=current,
        by=by,
        channel=data.channel,
        outcome=data.outcome,
        note=data.note.strip(),
        next_attempt_on=data.next_attempt_on,
    )
    attempts = ContactAttempt.objects.filter(application=current).count()
    from_status = current.status
    target = _target_status(
        current=current.status, outcome=data.outcome, attempts=attempts, then=data.then
    )
    fields = ["first_contact_at", "last_contact_at", "next_action_on"]
    current.first_contact_at = current.first_contact_at or attempt.at
    current.last_contact_at = attempt.at
    next_on = data.next_attempt_on
    if next_on is None and data.outcome in {Outcome.NO_ANSWER, Outcome.VOICEMAIL}:
        next_on = working_day_after(today)
    if target is not None:
        _move(application=current, to_status=target, by=by, note="")
        if target == Status.NOT_INTERESTED:
            fields += _closing_fields_set(
                current, to_status=target, reason="declined_contact", reason_text=""
            )
            next_on = None
        if target == Status.VISIT_SCHEDULED:
            current.visit_at = data.visit_at
            fields.append("visit_at")
    current.next_action_on = next_on if current.is_open else None
    current.save(update_fields=list(dict.fromkeys(fields)))
    for name in ("status", "status_changed_at", *fields):
        setattr(application, name, getattr(current, name))
    audit_record(
        request_or_actor=request if request is not None else by,
        action=AuditAction.APPLICATION_CONTACT,
        target=current,
        detail={
            "contact_id": attempt.pk,
            "channel": attempt.channel,
            "outcome": attempt.outcome,
            "from_status": from_status,
            "to_status": current.status,
        },
    )
    return attempt


@transaction.atomic
def point_verify(
    *,
    application: Application,
    by: User,
    kind: str,
    number: str,
    value_found: str,
    request: HttpRequest | None = None,
) -> PointVerification:
    """Mark one point to check of the snapshot as verified, with the value found in the
    source documents (at most 200 characters); verifying again replaces the value.

    Raises WorkflowError if the snapshot has no such criterion or the value is empty."""
    _require_coordinator(user=by, application=application)
    criteria = (application.evaluation or {}).get("criteria", [])
    if not any(c.get("kind") == kind and str(c.get("number")) == number for c in criteria):
        raise WorkflowError(_("This application has no such criterion."))
    value_found = value_found.strip()
    if not value_found:
        raise WorkflowError(_("Write the value you found in the source documents."))
    if len(value_found) > 200:
        raise WorkflowError(_("Keep the value found under 200 characters."))
    verification, _created = PointVerification.objects.update_or_create(
        application=application,
        kind=kind,
        number=number,
        defaults={"value_found": value_found, "by": by},
    )
    audit_record(
        request_or_actor=request if request is not None else by,
        action=AuditAction.APPLICATION_VERIFY,
        target=application,
        detail={"criterion": f"{kind} {number}", "verified": True},
    )
    return verification


def contact_timeline(*, application: Application) -> list[dict[str, Any]]:
    """One history, oldest first: submission, status changes, contacts and notes, each a
    dict with ``at``, ``kind`` ("submitted" | "status" | "contact" | "note") and ``item``.
    Three queries."""
    events: list[dict[str, Any]] = [
        {"at": application.created_at, "kind": "submitted", "item": application}
    ]
    events += [
        {"at": c.at, "kind": "status", "item": c}
        for c in application.status_changes.select_related("by")
    ]
    events += [
        {"at": c.at, "kind": "contact", "item": c}
        for c in application.contact_attempts.select_related("by")
    ]
    events += [
        {"at": n.created_at, "kind": "note", "item": n}
        for n in application.notes.select_related("author")
    ]
    order = {"submitted": 0, "contact": 1, "status": 2, "note": 3}
    return sorted(events, key=lambda e: (e["at"], order[e["kind"]]))


def application_opened_mark(*, application: Application, user: User) -> None:
    """Remember that ``user`` has opened this applicant (once; later opens change
    nothing). One query."""
    ApplicationOpened.objects.bulk_create(
        [ApplicationOpened(application=application, user=user)], ignore_conflicts=True
    )
