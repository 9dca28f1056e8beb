"""Background work: sending the outbox, sweeping it, reminders and digests.

Tasks take ids, run with acks_late, and may run more than once: each one's effect
happens once because it is decided under a row lock.

Sending is at-least-once towards the SMTP server, bounded by a claim. An attempt claims
its row (state "sending") in a committed transaction *before* it talks to SMTP, and
marks it sent after. A second delivery of the same message finds the claim and stops,
so duplicates from the broker never double-send. A worker killed mid-send leaves the
claim behind; once it expires (longer than the hard time limit, so its owner is surely
dead) the sweeper sends the email again. The one window that can still yield two emails
is a kill after the SMTP server accepted the message and before "sent" was committed,
milliseconds wide; both copies then carry the same Message-ID, which mail systems use to
show one. The alternative, at-most-once (never resend a claimed row), would lose the
email every time a worker dies before the server accepted it, which is the likelier kill.

A slow SMTP server. Each SMTP step waits at most EMAIL_TIMEOUT seconds, which settings
hold below the task's soft time limit. A step that times out closes the connection
(smtplib does so on any socket error) before the server replied to the message's final
".", and a server that has not replied has not accepted (RFC 5321 §4.1.1.4, §6.1): the
retry's copy is the only one. Before this, the soft limit fired inside the wait, the
connection stayed open while Django said QUIT, the server answered "accepted", and the
retry sent a second copy. Two duplicate windows remain, both told here truthfully:
  1. The server stored the message but its "250" reply took longer than EMAIL_TIMEOUT
     (RFC 1047's "duplicate messages" window: a server that queues before it replies).
  2. A conversation whose steps each stay under EMAIL_TIMEOUT but together outlast the
     soft limit (at most 4 slow steps at the defaults: 10 s each against 45 s).
  3. The database is down from the moment the server accepted until the soft limit ends
     the attempt: "sent" is written with retries until then (`_mark_sent`).
The first two need a server slower than the timeout at its very last reply; all copies
share one Message-ID. `make resilience` measures these cases (worker killed, SMTP slow,
PostgreSQL restarted): none doubles an email.

Permanent refusals (an SMTP 5xx reply to the sender, a recipient or the message) are
not retried: the row is marked failed at once with the server's reply, for staff to see
in the admin (and resend once the address is fixed). Temporary ones (4xx, a timeout, a
refused connection) are retried with backoff, NOTIFICATION_MAX_ATTEMPTS times in all.
"""

import logging
import random
import smtplib
from datetime import datetime, time, timedelta
from time import sleep
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, models, transaction
from django.utils import timezone

from accounts.models import TrialMembership
from screening.matching import services as matching_services
from screening.models import Application, Draft, Notification
from screening.services import notify
from screening.services.outbox import notification_enqueue

logger = logging.getLogger(__name__)

# Each failed attempt waits twice as long as the last, from NOTIFICATION_RETRY_BASE_SECONDS
# (30 by default) to about an hour.
BACKOFF_MAX_SECONDS = 3600
SWEEP_BATCH = 500


def backoff_seconds(attempts: int) -> int:
    """Seconds before attempt `attempts + 1`, with jitter so failures do not march in step."""
    base = settings.NOTIFICATION_RETRY_BASE_SECONDS
    delay = min(BACKOFF_MAX_SECONDS, base * 2 ** max(0, attempts - 1))
    return delay + random.randint(0, delay // 4)  # noqa: S311 - jitter, not a secret


def is_permanent_failure(exc: BaseException) -> bool:
    """True for an SMTP refusal that a retry cannot change: a 5xx reply (RFC 5321 §4.2.1)
    to the sender, to every recipient, or to the message. Authentication failures are the
    site's configuration, not the email's, and are retried like a server that is down."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return False
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _reply in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


def _claim(notification_id: int) -> Notification | None:
    """Lock the row and claim it for this attempt; None when there is nothing to do."""
    now = timezone.now()
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None or notification.state in (
            Notification.State.SENT,
            Notification.State.FAILED,
        ):
            return None
        if (
            notification.next_attempt_at
            and notification.next_attempt_at > now
            and (
                notification.state == Notification.State.SENDING
                # A twin message of a row waiting out its backoff: the retry will come.
                or notification.attempts > 0
            )
        ):
            return None
        notification.state = Notification.State.SENDING
        notification.attempts += 1
        notification.next_attempt_at = now + timedelta(seconds=settings.NOTIFICATION_CLAIM_SECONDS)
        notification.save(update_fields=["state", "attempts", "next_attempt_at"])
    return notification


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def notification_send(self, notification_id: int) -> None:
    """Send one outbox row, once. Retries with exponential backoff; failed after the last."""
    notification = _claim(notification_id)
    if notification is None:
        return
    try:
        notify.notification_message(notification=notification).send()
    except Exception as exc:
        permanent = is_permanent_failure(exc)
        failed = permanent or notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS
        countdown = backoff_seconds(notification.attempts)
        Notification.objects.filter(pk=notification.pk, state=Notification.State.SENDING).update(
            state=Notification.State.FAILED if failed else Notification.State.QUEUED,
            next_attempt_at=None if failed else timezone.now() + timedelta(seconds=countdown),
            # The exception's class and text: SMTP replies, never the email's body.
            last_error=f"{type(exc).__name__}: {exc}"[:1000],
        )
        if failed:
            logger.error(
                "Notification %s failed after %s attempts%s.",
                notification.pk,
                notification.attempts,
                " (refused for good: not retried)" if permanent else "",
            )
            return
        raise self.retry(exc=exc, countdown=countdown) from exc
    _mark_sent(notification.pk)


def _mark_sent(notification_id: int) -> None:
    """Record that the server accepted the email, waiting out a database that restarts.

    Giving up here would leave the claim to expire and the sweeper to send the email a
    second time, so a lost connection is reopened and the write tried again, with backoff,
    until it succeeds or the task's soft time limit ends the attempt (the one case left
    where a database outage yields a duplicate: longer than the remaining soft limit).
    """
    delay = 0.1
    while True:
        try:
            Notification.objects.filter(pk=notification_id).update(
                state=Notification.State.SENT,
                sent_at=timezone.now(),
                next_attempt_at=None,
                last_error="",
            )
            return
        except (OperationalError, InterfaceError):
            logger.warning(
                "Notification %s sent; recording it waits for the database.", notification_id
            )
            connection.close()
            sleep(delay)
            delay = min(2.0, delay * 2)


@shared_task(acks_late=True)
def notifications_sweep() -> int:
    """Re-enqueue rows whose message went missing: broker down at commit, message lost, or
    a worker that died holding a claim. Returns how many it re-enqueued."""
    cutoff = timezone.now() - timedelta(seconds=settings.NOTIFICATION_SWEEP_GRACE_SECONDS)
    ids = list(
        Notification.objects.filter(
            state__in=(Notification.State.QUEUED, Notification.State.SENDING),
            next_attempt_at__lte=cutoff,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for notification_id in ids:
        notification_enqueue(notification_id=notification_id)
    return len(ids)


REMINDER_AFTER = timedelta(hours=24)
DIGEST_LOCAL_TIME = time(8, 0)


@shared_task(acks_late=True)
def drafts_remind() -> int:
    """One reminder per unfinished questionnaire left alone for a day, to patients who
    gave an address. Returns how many it queued."""
    return drafts_remind_queue(now=timezone.now())


def drafts_remind_queue(*, now: datetime) -> int:
    """The work of `drafts_remind`, at a given moment (tests pass their own)."""
    cutoff = now - REMINDER_AFTER
    ids = list(
        Draft.objects.filter(
            submitted_at__isnull=True,
            reminder_sent_at__isnull=True,
            updated_at__lte=cutoff,
        )
        .exclude(email="")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    queued = 0
    for draft_id in ids:
        with transaction.atomic():
            draft = (
                Draft.objects.select_for_update()
                .select_related("trial")
                .filter(pk=draft_id, reminder_sent_at__isnull=True, submitted_at__isnull=True)
                .first()
            )
            if draft is None:
                continue
            if notify.notify_draft_reminder(draft=draft) is not None:
                queued += 1
            # Marked even when nothing was queued (the address opted out): one chance only.
            # update(), not save(): the reminder is not the patient's activity.
            Draft.objects.filter(pk=draft.pk).update(reminder_sent_at=now)
    return queued


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@shared_task(acks_late=True)
def digests_send() -> int:
    """Each digest-minded team member's daily email, once per local day from 08:00 in
    their time zone. Runs hourly; the outbox key holds the local date, so running again
    the same day queues nothing. Returns how many it queued."""
    return digests_queue(now=timezone.now())


def digests_queue(*, now: datetime) -> int:
    """The work of `digests_send`, at a given moment (tests pass their own)."""
    by_user: dict[int, list[TrialMembership]] = {}
    memberships = TrialMembership.objects.filter(
        notify=TrialMembership.Notify.DIGEST, user__is_active=True
    ).select_related("user", "trial")
    for membership in memberships:
        by_user.setdefault(membership.user_id, []).append(membership)

    queued = 0
    for user_memberships in by_user.values():
        user = user_memberships[0].user
        zone = _zone(user.time_zone)
        local_now = now.astimezone(zone)
        if local_now.time() < DIGEST_LOCAL_TIME:
            continue
        # The 24 hours up to this morning's 08:00: consecutive digests neither overlap
        # nor leave a gap, whenever in the day each one actually runs.
        window_end = datetime.combine(local_now.date(), DIGEST_LOCAL_TIME, tzinfo=zone)
        window_start = window_end - timedelta(days=1)
        counts = dict(
            Application.objects.filter(
                trial__in=[m.trial_id for m in user_memberships],
                created_at__gte=window_start,
                created_at__lt=window_end,
            )
            .order_by()
            .values_list("trial_id")
            .annotate(n=models.Count("id"))
            .values_list("trial_id", "n")
        )
        trials = [
            {
                "trial_nct_id": m.trial.nct_id,
                "trial_title": m.trial.brief_title,
                "count": counts[m.trial_id],
            }
            for m in sorted(user_memberships, key=lambda m: m.trial.nct_id)
            if counts.get(m.trial_id)
        ]
        if not trials:
            continue
        with transaction.atomic():
            if (
                notify.notify_coordinator_digest(
                    user=user, local_date=local_now.date(), trials=trials
                )
                is not None
            ):
                queued += 1
    return queued


@shared_task(acks_late=True)
def saved_searches_alert() -> int:
    """Email the saved searches that newly imported or newly opened trials may fit.

    Started after each import that wrote trials (`screening.receivers`), and hourly on
    beat in case a start was lost (a broker that was down); each patient hears at most
    weekly (`screening.matching.services.saved_searches_alert`). Safe to run twice: a
    search is emailed under its row lock, and the outbox key names the day.
    """
    return matching_services.saved_searches_alert()
