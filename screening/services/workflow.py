"""The coordinator's workflow: status changes, notes and assignment of applications.

Each function checks that the acting user is a coordinator of the application's trial
(investigators are read-only), writes in one transaction, and records an audit event.
Views load the application through ``accounts.access.application_get_for_user`` first;
the check here is the second lock on the same door, for callers other than views.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import membership_get
from accounts.audit import AuditAction, audit_record
from accounts.models import TrialMembership, User
from screening.closing_reasons import CLOSING_WITH_REASON, OTHER, reason_choices
from screening.models import Application, Note, StatusChange
from screening.models.applications import CLOSED_STATUSES
from screening.services.notify import notify_status_changed

Status = Application.Status

# Where each status may go next. Closing statuses may be reopened into review (a patient
# calls back, a decision is reconsidered), except enrolment, which is final, and
# withdrawal, which is the patient's own act and is never undone by the team.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.NEW: (Status.IN_REVIEW, Status.NOT_ELIGIBLE),
    Status.IN_REVIEW: (Status.CONTACTED_1, Status.NOT_ELIGIBLE),
    Status.CONTACTED_1: (
        Status.CONTACTED_2,
        Status.VISIT_SCHEDULED,
        Status.NOT_ELIGIBLE,
        Status.NOT_INTERESTED,
        Status.UNREACHABLE,
    ),
    Status.CONTACTED_2: (
        Status.CONTACTED_3,
        Status.VISIT_SCHEDULED,
        Status.NOT_ELIGIBLE,
        Status.NOT_INTERESTED,
        Status.UNREACHABLE,
    ),
    Status.CONTACTED_3: (
        Status.VISIT_SCHEDULED,
        Status.NOT_ELIGIBLE,
        Status.NOT_INTERESTED,
        Status.UNREACHABLE,
    ),
    Status.VISIT_SCHEDULED: (Status.ENROLLED, Status.NOT_ELIGIBLE, Status.NOT_INTERESTED),
    Status.ENROLLED: (),
    Status.NOT_ELIGIBLE: (Status.IN_REVIEW,),
    Status.NOT_INTERESTED: (Status.IN_REVIEW,),
    Status.UNREACHABLE: (Status.IN_REVIEW,),
    Status.WITHDRAWN: (),
}

NOTE_MAX_LENGTH = 5000


class WorkflowError(ValueError):
    """A change the workflow does not allow; the message is fit to show to the user."""


def status_next_choices(*, status: str) -> list[tuple[str, str]]:
    """The statuses a coordinator may move an application to from ``status``, labelled."""
    return [(value, Status(value).label) for value in TRANSITIONS.get(status, ())]


def closing_reason_check(
    *, trial_id: int, to_status: str, reason: str, reason_text: str, required: bool = False
) -> None:
    """A closing reason must be one of the trial's list for that status, and "other"
    needs words. ``required``: the coordinator's forms ask for one on every closing.

    Raises WorkflowError with a message for the user."""
    if to_status not in CLOSING_WITH_REASON:
        return
    if not reason:
        if required:
            raise WorkflowError(
                _("Choose why the application is “%(status)s”.")
                % {"status": Status(to_status).label}
            )
        return
    codes = {code for code, _label in reason_choices(trial_id=trial_id, status=to_status)}
    if reason not in codes:
        raise WorkflowError(
            _("“%(reason)s” is not a reason for “%(status)s”.")
            % {"reason": reason, "status": Status(to_status).label}
        )
    if reason == OTHER and not reason_text.strip():
        raise WorkflowError(_("Say in a few words why, for the reason “Other”."))


def _closing_fields_set(
    application: Application, *, to_status: str, reason: str, reason_text: str
) -> list[str]:
    """Keep the closing reason with the status: set on closing, cleared on reopening."""
    if to_status in CLOSING_WITH_REASON:
        application.closing_reason, application.closing_reason_text = reason, reason_text.strip()
        application.next_action_on = None
    elif to_status not in CLOSED_STATUSES:
        application.closing_reason, application.closing_reason_text = "", ""
    if to_status in CLOSED_STATUSES:
        application.next_action_on = None
    return ["closing_reason", "closing_reason_text", "next_action_on"]


def _require_coordinator(*, user: Any, application: Application) -> TrialMembership:
    membership = membership_get(user=user, trial=application.trial_id)
    if membership is None or not membership.can_edit:
        raise PermissionDenied(_("Only a coordinator of this trial can change its applicants."))
    return membership


def _move(*, application: Application, to_status: str, by: User | None, note: str) -> StatusChange:
    change = StatusChange.objects.create(
        application=application,
        from_status=application.status,
        to_status=to_status,
        by=by,
        note=note,
    )
    application.status = to_status
    application.status_changed_at = timezone.now()
    application.save(update_fields=["status", "status_changed_at", "updated_at"])
    # The patient hears of it by email, sent after this transaction commits.
    notify_status_changed(application=application, change=change)
    return change


def _locked(application: Application) -> Application:
    # Two coordinators acting at once must not both move from the same status.
    return Application.objects.select_for_update().get(pk=application.pk)


@transaction.atomic
def application_status_change(
    *,
    application: Application,
    to_status: str,
    by: User,
    note: str = "",
    reason: str = "",
    reason_text: str = "",
    visit_at: Any = None,
    reason_required: bool = False,
    request: HttpRequest | None = None,
) -> StatusChange:
    """Move an application to ``to_status`` if the transition table allows it.

    A closing status carries a coded ``reason`` (screening.closing_reasons; required
    when ``reason_required``, as the dashboard's forms ask) and, for "other",
    ``reason_text``; a scheduled visit may carry its date and time ``visit_at``.
    Raises WorkflowError (refused, with a message for the user) or PermissionDenied.
    """
    _require_coordinator(user=by, application=application)
    current = _locked(application)
    if to_status not in Status.values:
        raise WorkflowError(_("“%(status)s” is not a status.") % {"status": to_status})
    if to_status == Status.WITHDRAWN:
        raise WorkflowError(_("Only the patient can withdraw an application."))
    if to_status not in TRANSITIONS[current.status]:
        raise WorkflowError(
            _("An application that is “%(from)s” cannot move to “%(to)s”.")
            % {"from": current.get_status_display(), "to": Status(to_status).label}
        )
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise WorkflowError(_("The note is too long."))
    closing_reason_check(
        trial_id=current.trial_id,
        to_status=to_status,
        reason=reason,
        reason_text=reason_text,
        required=reason_required,
    )
    change = _move(application=current, to_status=to_status, by=by, note=note)
    fields = _closing_fields_set(
        current, to_status=to_status, reason=reason, reason_text=reason_text
    )
    if to_status == Status.VISIT_SCHEDULED and visit_at is not None:
        current.visit_at = visit_at
        fields.append("visit_at")
    current.save(update_fields=fields)
    for name in ("status", "status_changed_at", *fields):
        setattr(application, name, getattr(current, name))
    audit_record(
        request_or_actor=request if request is not None else by,
        action=AuditAction.APPLICATION_STATUS,
        target=current,
        detail={
            "from_status": change.from_status,
            "to_status": change.to_status,
            "status_change_id": change.pk,
            "closing_reason": reason if to_status in CLOSING_WITH_REASON else None,
        },
    )
    return change


@transaction.atomic
def application_status_bulk_change(
    *,
    applications: list[Application],
    to_status: str,
    by: User,
    note: str = "",
    reason: str = "",
    reason_required: bool = False,
    request: HttpRequest | None = None,
) -> list[StatusChange]:
    """Move several applications at once: all of them, or none (the first refusal wins).

    ``note`` goes with every move (and stands as the words of an "other" reason)."""
    changes = []
    for application in applications:
        try:
            changes.append(
                application_status_change(
                    application=application,
                    to_status=to_status,
                    by=by,
                    note=note,
                    reason=reason,
                    reason_text=note if reason == OTHER else "",
                    reason_required=reason_required,
                    request=request,
                )
            )
        except WorkflowError as error:
            raise WorkflowError(
                _("%(reference)s: %(error)s Nothing was changed.")
                % {"reference": application.reference, "error": error}
            ) from error
    return changes


@transaction.atomic
def application_withdraw(*, application: Application) -> StatusChange:
    """The patient withdraws (from their private status link); allowed from any open state."""
    current = _locked(application)
    if not current.is_open:
        raise WorkflowError(
            _("This application is already closed (“%(status)s”).")
            % {"status": current.get_status_display()}
        )
    change = _move(application=current, to_status=Status.WITHDRAWN, by=None, note="")
    fields = _closing_fields_set(
        current, to_status=Status.WITHDRAWN, reason="patient_withdrew", reason_text=""
    )
    current.save(update_fields=fields)
    application.status, application.status_changed_at = current.status, current.status_changed_at
    audit_record(
        request_or_actor=None,
        action=AuditAction.APPLICATION_WITHDRAW,
        target=current,
        detail={"from_status": change.from_status, "to_status": change.to_status},
    )
    return change


@transaction.atomic
def application_note_add(
    *, application: Application, author: User, text: str, request: HttpRequest | None = None
) -> Note:
    """Add a team note. The note's text stays in the note: the audit names only its id."""
    _require_coordinator(user=author, application=application)
    text = text.strip()
    if not text:
        raise WorkflowError(_("Write the note before saving it."))
    if len(text) > NOTE_MAX_LENGTH:
        raise WorkflowError(_("The note is too long."))
    note = Note.objects.create(application=application, author=author, text=text)
    audit_record(
        request_or_actor=request if request is not None else author,
        action=AuditAction.APPLICATION_NOTE,
        target=application,
        detail={"note_id": note.pk},
    )
    return note


@transaction.atomic
def application_assign(
    *,
    application: Application,
    assignee: User | None,
    by: User,
    request: HttpRequest | None = None,
) -> Application:
    """Assign the application to a member of its trial's team, or to nobody (None)."""
    _require_coordinator(user=by, application=application)
    if assignee is not None and membership_get(user=assignee, trial=application.trial_id) is None:
        raise WorkflowError(_("Only a member of this trial's team can be assigned."))
    application.assigned_to = assignee
    application.save(update_fields=["assigned_to", "updated_at"])
    audit_record(
        request_or_actor=request if request is not None else by,
        action=AuditAction.APPLICATION_ASSIGN,
        target=application,
        detail={"assignee_id": assignee.pk if assignee is not None else None},
    )
    return application
