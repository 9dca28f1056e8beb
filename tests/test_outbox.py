"""The outbox: one row per event and recipient, sent after commit, once."""

from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from screening.models import EmailOptOut, Notification
from screening.services.outbox import notification_queue
from screening.tasks import backoff_seconds, notification_send, notifications_sweep
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def queue(key="application-received:1", to_email="patient@example.net"):
    application = ApplicationFactory(email=to_email)
    return notification_queue(
        key=key,
        template="application-received",
        to_email=to_email,
        context={
            "trial_nct_id": application.trial.nct_id,
            "trial_title": application.trial.brief_title,
            "reference": application.reference,
            "status_url": "https://portal.example/status/x/",
            "patient": True,
        },
    )


def test_email_is_sent_only_when_the_transaction_commits(
    mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = queue()
        assert mailoutbox == []
    assert len(callbacks) == 1
    assert len(mailoutbox) == 1
    notification.refresh_from_db()
    assert notification.state == Notification.State.SENT
    assert notification.sent_at is not None
    assert notification.attempts == 1


def test_the_same_event_queues_one_email(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue(key="status-changed:7")
        second = queue(key="status-changed:7")
    assert first is not None
    assert second is None
    assert Notification.objects.count() == 1
    assert len(mailoutbox) == 1


def test_a_rolled_back_transaction_queues_nothing(mailoutbox, django_capture_on_commit_callbacks):
    class Boom(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        queue()
        raise Boom
    assert callbacks == []
    assert not Notification.objects.exists()
    assert mailoutbox == []


def test_an_address_that_opted_out_gets_nothing(mailoutbox, django_capture_on_commit_callbacks):
    EmailOptOut.objects.create(email="patient@example.net")
    with django_capture_on_commit_callbacks(execute=True):
        assert queue(to_email="Patient@Example.net") is None
    assert not Notification.objects.exists()
    assert mailoutbox == []


def test_broker_down_at_commit_leaves_the_row_for_the_sweeper(
    mailoutbox, django_capture_on_commit_callbacks, monkeypatch, settings
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as patch:
        patch.setattr(notification_send, "delay", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            notification = queue()
    notification.refresh_from_db()
    assert notification.state == Notification.State.QUEUED
    assert mailoutbox == []

    settings.NOTIFICATION_SWEEP_GRACE_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications_sweep() == 1
    notification.refresh_from_db()
    assert notification.state == Notification.State.SENT
    assert len(mailoutbox) == 1


def test_sweeper_leaves_fresh_rows_to_their_own_message(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        queue()
    assert notifications_sweep() == 0


def test_a_task_that_runs_twice_sends_once(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = queue()
    notification_send(notification.pk)
    notification_send(notification.pk)
    assert len(mailoutbox) == 1


def test_a_live_claim_stops_a_second_delivery(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        notification = queue()
    # Another worker is mid-send.
    Notification.objects.filter(pk=notification.pk).update(
        state=Notification.State.SENDING,
        attempts=1,
        next_attempt_at=timezone.now() + timedelta(seconds=60),
    )
    notification_send(notification.pk)
    assert mailoutbox == []
    assert notifications_sweep() == 0


def test_a_claim_left_by_a_dead_worker_is_sent_by_the_sweeper(
    mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.NOTIFICATION_SWEEP_GRACE_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=False):
        notification = queue()
    Notification.objects.filter(pk=notification.pk).update(
        state=Notification.State.SENDING,
        attempts=1,
        next_attempt_at=timezone.now() - timedelta(seconds=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications_sweep() == 1
    notification.refresh_from_db()
    assert notification.state == Notification.State.SENT
    assert notification.attempts == 2
    assert len(mailoutbox) == 1


def test_a_failing_send_backs_off_then_gives_up(
    mailoutbox, django_capture_on_commit_callbacks, monkeypatch, settings
):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3

    def smtp_down(self, fail_silently=False):
        raise ConnectionRefusedError("SMTP server refused the connection")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", smtp_down)
    with django_capture_on_commit_callbacks(execute=False):
        notification = queue()

    before = timezone.now()
    with pytest.raises(Retry):
        notification_send.apply(args=[notification.pk])
    notification.refresh_from_db()
    assert notification.state == Notification.State.QUEUED
    assert notification.attempts == 1
    assert "ConnectionRefusedError" in notification.last_error
    assert notification.next_attempt_at >= before + timedelta(seconds=30)

    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now())
    with pytest.raises(Retry):
        notification_send.apply(args=[notification.pk])
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now())
    notification_send.apply(args=[notification.pk])
    notification.refresh_from_db()
    assert notification.state == Notification.State.FAILED
    assert notification.attempts == 3
    assert notification.next_attempt_at is None
    assert notifications_sweep() == 0


def test_a_retry_arriving_early_waits_for_its_backoff(
    mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        notification = queue()
    Notification.objects.filter(pk=notification.pk).update(
        attempts=1, next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    notification_send(notification.pk)
    assert mailoutbox == []


def test_backoff_doubles_and_is_capped():
    assert 30 <= backoff_seconds(1) <= 37
    assert 60 <= backoff_seconds(2) <= 75
    assert 3600 <= backoff_seconds(30) <= 4500
