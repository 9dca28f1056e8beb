"""The outbox: the one way to send an email.

An email is a row written in the transaction of the event that causes it, and a Celery
message sent only once that transaction commits. Rolled back, there is no row and no
message; committed while the broker is down, the row waits and the sweeper
(`screening.tasks.notifications_sweep`) sends the message later.
"""

import logging
from typing import Any

from celery import current_app
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from screening.models import EmailOptOut, Notification

logger = logging.getLogger(__name__)

# The task that sends one row, started by name: services never import the tasks module,
# which calls them (`screening/tasks.py`; ScreeningConfig.ready() registers it).
NOTIFICATION_SEND_TASK = "screening.tasks.notification_send"


def notification_queue(
    *, key: str, template: str, to_email: str, context: dict[str, Any], language: str = "en"
) -> Notification | None:
    """Queue one email, in the caller's transaction; send it after commit.

    `key` names the event and the recipient ("application-received:42"): an event queued
    twice is queued once, and the second call returns None, as does an address that
    asked for no more emails. `context` must be JSON and must hold no health data.
    """
    if not to_email or EmailOptOut.objects.filter(email__iexact=to_email).exists():
        return None
    # get_or_create inserts in a savepoint: a concurrent twin makes this a "get".
    notification, created = Notification.objects.get_or_create(
        key=key,
        defaults={
            "template": template,
            "to_email": to_email,
            "context": context,
            "language": language,
            "next_attempt_at": timezone.now(),
        },
    )
    if not created:
        return None
    notification_id = notification.pk
    transaction.on_commit(lambda: notification_enqueue(notification_id=notification_id))
    return notification


def notification_enqueue(*, notification_id: int) -> None:
    """Hand a committed row to Celery. A broker that is down is not the caller's problem:
    the row stays queued and the sweeper tries again."""
    try:
        # The registered task by name; in-process when CELERY_TASK_ALWAYS_EAGER.
        current_app.tasks[NOTIFICATION_SEND_TASK].delay(notification_id)
    except Exception:
        # Only the id: the row holds the address, the log must not.
        logger.warning(
            "Notification %s not enqueued; the sweeper will retry.", notification_id, exc_info=True
        )


def email_opt_out(*, email: str) -> None:
    """Stop every future email to `email` (a patient's "stop these emails")."""
    EmailOptOut.objects.get_or_create(email=email.strip().lower())


def notifications_erase(*, keys: list[str], key_prefixes: list[str]) -> int:
    """Delete the outbox rows of a patient who asked to be erased: their address, their
    reference and private links go with them, and a row still queued is never sent (the
    sending task finds no row and stops). Returns how many rows were deleted.

    `keys` are exact keys ("application-received:42"), `key_prefixes` whole families
    ("resume-link:7:", one row per minute the patient asked).
    """
    if not keys and not key_prefixes:
        return 0
    match = Q(key__in=keys)
    for prefix in key_prefixes:
        match |= Q(key__startswith=prefix)
    deleted, _by_model = Notification.objects.filter(match).delete()
    return deleted


def email_opt_out_forget(*, email: str) -> None:
    """Forget a patient's "stop these emails" once nothing of the portal holds their address
    any more: erased, they are no longer anyone we could write to."""
    EmailOptOut.objects.filter(email__iexact=email.strip()).delete()


def notifications_resend(*, notification_ids: list[int]) -> int:
    """Queue failed emails again, from their first attempt (staff's "resend" in the admin).

    Only rows in state "failed" change; sent, queued or sending rows are left alone, so a
    resend can never double an email. Returns how many were queued again.
    """
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update()
            .filter(pk__in=notification_ids, state=Notification.State.FAILED)
            .values_list("pk", flat=True)
        )
        Notification.objects.filter(pk__in=ids).update(
            state=Notification.State.QUEUED, attempts=0, next_attempt_at=timezone.now()
        )
        for notification_id in ids:
            transaction.on_commit(
                lambda notification_id=notification_id: notification_enqueue(
                    notification_id=notification_id
                )
            )
    return len(ids)


def notifications_failed_count() -> int:
    """How many emails failed for good and wait for staff (admin, dashboard, /healthz)."""
    return Notification.objects.filter(state=Notification.State.FAILED).count()
