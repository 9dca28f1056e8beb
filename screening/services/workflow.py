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
from screening.models import Application, Note, StatusChange
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
    request: HttpRequest | None = None,
) -> StatusChange:
    """Move an application to ``to_status`` if the transition table allows it.

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
    change = _move(application=current, to_status=to_status, by=by, note=note)
    application.status, application.status_changed_at = current.status, current.status_changed_at
    audit_record(
        request_or_actor=request if request is not None else by,
        action=AuditAction.APPLICATION_STATUS,
        target=current,
        detail={
            "from_status": change.from_status,
            "to_status": change.to_status,
            "status_change_id": change.pk,
        },
    )
    return change


@transaction.atomic
def application_status_bulk_change(
    *,
    applications: list[Application],
    to_status: str,
    by: User,
    request: HttpRequest | None = None,
) -> list[StatusChange]:
    """Move several applications at once: all of them, or none (the first refusal wins)."""
    changes = []
    for application in applications:
        try:
            changes.append(
                application_status_change(
                    application=application, to_status=to_status, by=by, request=request
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
