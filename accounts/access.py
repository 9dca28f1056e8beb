"""The one place that decides who may see or change which applicant.

Deny by default: a user sees an application only through a membership of its trial's
team. Staff status alone grants nothing here (staff manage teams in the admin). Any miss
— no such application, or one of another trial — is the same 404, so that a reference
code of another team cannot even be confirmed to exist. A member without write role
(an investigator) asking to change something gets 403: they may know it exists.
"""

from typing import TYPE_CHECKING, Any

from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from screening.models import Application
from trials.models import Trial

from .models import TrialMembership

if TYPE_CHECKING:
    from .models import User


def _is_signed_in(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def memberships_for_user(*, user: Any) -> QuerySet[TrialMembership]:
    if not _is_signed_in(user):
        return TrialMembership.objects.none()
    return TrialMembership.objects.filter(user=user).select_related("trial")


def trials_for_user(*, user: Any) -> QuerySet[Trial]:
    """The trials whose teams the user belongs to (any role)."""
    if not _is_signed_in(user):
        return Trial.objects.none()
    return Trial.objects.filter(team__user=user).order_by("nct_id")


def applications_for_user(*, user: Any) -> QuerySet[Application]:
    """Every application the user may see: those of the trials of their teams."""
    if not _is_signed_in(user):
        return Application.objects.none()
    # A semi-join on the user's teams rather than a join through the trial: no row is
    # repeated, and a count of one trial's applicants reads only the application index.
    teams = TrialMembership.objects.filter(user=user).values("trial_id")
    return Application.objects.filter(trial_id__in=teams)


def membership_get(*, user: Any, trial: Trial | int) -> TrialMembership | None:
    if not _is_signed_in(user):
        return None
    trial_id = trial.pk if isinstance(trial, Trial) else trial
    return TrialMembership.objects.filter(user=user, trial_id=trial_id).first()


def _refuse(*, user: Any, request: HttpRequest | None, target: str, reason: str) -> None:
    from .audit import AuditAction, audit_record

    audit_record(
        request_or_actor=request if request is not None else user,
        action=AuditAction.ACCESS_REFUSED,
        target=("application", target),
        detail={"reason": reason},
    )


def application_get_for_user(
    *,
    user: Any,
    reference_or_pk: str | int,
    for_write: bool = False,
    request: HttpRequest | None = None,
) -> Application:
    """Load one application for this user, or raise 404 (not theirs) / 403 (read-only).

    Every refusal is written to the audit trail (pass ``request`` to record the address).
    """
    lookup = (
        {"pk": reference_or_pk}
        if isinstance(reference_or_pk, int)
        else {"reference": str(reference_or_pk).strip().upper()}
    )
    target = str(reference_or_pk)[:64]
    application = (
        applications_for_user(user=user)
        .select_related("trial", "assigned_to")
        .filter(**lookup)
        .first()
    )
    if application is None:
        if _is_signed_in(user):
            _refuse(user=user, request=request, target=target, reason="not_found_or_not_member")
        raise Http404
    if for_write:
        membership = membership_get(user=user, trial=application.trial_id)
        if membership is None or not membership.can_edit:
            _refuse(user=user, request=request, target=target, reason="read_only")
            raise PermissionDenied
    return application


def trial_get_for_user(
    *, user: Any, nct_id: str, for_write: bool = False, request: HttpRequest | None = None
) -> tuple[Trial, TrialMembership]:
    """A trial of the user's teams with their membership, or 404 (not a member) / 403."""
    membership = memberships_for_user(user=user).filter(trial__nct_id=nct_id.upper()).first()
    if membership is None:
        if _is_signed_in(user):
            from .audit import AuditAction, audit_record

            audit_record(
                request_or_actor=request if request is not None else user,
                action=AuditAction.ACCESS_REFUSED,
                target=("trial", nct_id[:64]),
                detail={"reason": "not_found_or_not_member"},
            )
        raise Http404
    if for_write and not membership.can_edit:
        from .audit import AuditAction, audit_record

        audit_record(
            request_or_actor=request if request is not None else user,
            action=AuditAction.ACCESS_REFUSED,
            target=("trial", membership.trial.nct_id),
            detail={"reason": "read_only"},
        )
        raise PermissionDenied
    return membership.trial, membership


def user_needs_two_factor(*, user: "User | Any") -> bool:
    """Whether this signed-in user must set up TOTP before seeing staff pages."""
    if not _is_signed_in(user):
        return False
    if not (user.is_staff or user.memberships.exists()):
        return False
    return not user_has_two_factor(user=user)


def user_has_two_factor(*, user: "User | Any") -> bool:
    """Whether this user has set up TOTP."""
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
