"""The one function that writes the audit trail: who did what to which record, when, from where.

``detail`` carries identifiers and status words only. Its keys are an allow-list so that
no caller can slip an answer value, a note's text or a contact detail into the trail.
"""

from typing import Any

from django.db import models
from django.http import HttpRequest

from .client_ip import client_ip
from .models import AuditEvent, User


class AuditAction(models.TextChoices):
    APPLICATION_VIEW = "application.view", "Viewed an applicant"
    APPLICATION_STATUS = "application.status", "Changed a status"
    APPLICATION_WITHDRAW = "application.withdraw", "Withdrawn by the patient"
    APPLICATION_NOTE = "application.note", "Added a note"
    APPLICATION_ASSIGN = "application.assign", "Assigned"
    QUEUE_VIEW = "queue.view", "Viewed the applicants' list"
    APPLICATION_CONTACT = "application.contact", "Logged a contact"
    APPLICATION_VERIFY = "application.verify", "Verified a point to check"
    QUEUE_EXPORT = "queue.export", "Exported applicants (CSV)"
    TODAY_VIEW = "dashboard.today", "Viewed today's work (names listed)"
    TRIAL_SETTINGS = "trial.settings", "Changed trial settings"
    SCREENING_LOG_EXPORT = "trial.screening_log", "Exported the screening log"
    CRITERION_CREATE = "criterion.create", "Added a criterion"
    CRITERION_UPDATE = "criterion.update", "Changed a criterion"
    CRITERION_DELETE = "criterion.delete", "Deleted a criterion"
    CRITERION_CONFIRM = "criterion.confirm", "Confirmed a drafted rule"
    CRITERION_REJECT = "criterion.reject", "Rejected a drafted rule"
    ACCESS_REFUSED = "access.refused", "Refused access"


DETAIL_KEYS = frozenset(
    {
        "reason",
        "from_status",
        "to_status",
        "assignee_id",
        "note_id",
        "status_change_id",
        "references",
        "count",
        "filters",
        "searched",
        "screening_open",
        "consent_version",
        "criterion_id",
        "fields",
        "contact_id",
        "channel",
        "outcome",
        "criterion",
        "verified",
        "closing_reason",
        "format",
    }
)

_Scalar = str | int | float | bool | None


def _is_plain(value: Any, *, depth: int = 0) -> bool:
    if isinstance(value, _Scalar):
        return True
    if depth == 0 and isinstance(value, list | tuple):
        return all(_is_plain(v, depth=1) for v in value)
    if depth == 0 and isinstance(value, dict):
        return all(isinstance(k, str) and _is_plain(v, depth=0) for k, v in value.items())
    return False


def _check_detail(detail: dict[str, Any]) -> dict[str, Any]:
    unknown = set(detail) - DETAIL_KEYS
    if unknown:
        raise ValueError(f"Audit detail keys not allowed: {sorted(unknown)}")
    for key, value in detail.items():
        if not _is_plain(value):
            raise ValueError(f"Audit detail {key!r} holds a value that is not plain data.")
    return detail


def _client_address(request: HttpRequest) -> str | None:
    # One rule for every consumer of the address (TRUSTED_PROXY_COUNT).
    return client_ip(request)


def audit_record(
    *,
    request_or_actor: HttpRequest | User | None,
    action: str,
    target: models.Model | tuple[str, str] | None = None,
    detail: dict[str, Any] | None = None,
    trial_id: str = "",
) -> AuditEvent:
    """Append one event. ``target`` is a model row (an Application is named by its
    reference and carries its trial) or a ``(type, id)`` pair.

    ``request_or_actor`` is the request (actor and address from it), a user (no address:
    a background task or a shell), or None (the patient, who has no account).
    """
    if isinstance(request_or_actor, HttpRequest):
        user = getattr(request_or_actor, "user", None)
        actor = user if user is not None and user.is_authenticated else None
        address = _client_address(request_or_actor)
    else:
        actor, address = request_or_actor, None

    target_type, target_id = "", ""
    if isinstance(target, tuple):
        target_type, target_id = target
    elif target is not None:
        target_type = target._meta.model_name or ""
        target_id = str(getattr(target, "reference", None) or target.pk)
        trial = getattr(target, "trial", None)
        trial_id = trial_id or getattr(trial, "nct_id", "") or ""
        if target_type == "trial":
            trial_id = getattr(target, "nct_id", "")
    return AuditEvent.objects.create(
        actor=actor,
        action=str(action),
        target_type=target_type[:40],
        target_id=str(target_id)[:64],
        trial_id=trial_id[:11],
        ip_address=address,
        detail=_check_detail(dict(detail or {})),
    )
