"""Emails that fail: a real SMTP server (aiosmtpd, on 127.0.0.1:8105) that refuses, is
slow or is down; what the outbox does with each; and what staff see."""

import smtplib
import time

import pytest
from celery.exceptions import Retry
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone

from resilience.smtp import SmtpServer
from screening.models import Notification
from screening.services.outbox import notification_queue, notifications_resend
from screening.tasks import is_permanent_failure, notification_send
from tests.factories import ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db

SMTP_PORT = 8105


@pytest.fixture
def smtp(settings):
    server = SmtpServer(port=SMTP_PORT)
    server.start()
    for name, value in server.settings().items():
        setattr(settings, name, value)
    settings.EMAIL_TIMEOUT = 0.5
    yield server
    server.stop()


def queue(django_capture_on_commit_callbacks, to_email="patient@example.net", n=1):
    application = ApplicationFactory(email=to_email)
    with django_capture_on_commit_callbacks(execute=False):
        notification = notification_queue(
            key=f"application-received:{application.pk}:{n}",
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
    return notification


@pytest.mark.parametrize("code", [550, 551, 553])
def test_a_recipient_refused_for_good_is_failed_at_once_not_retried(
    smtp, django_capture_on_commit_callbacks, code
):
    smtp.refuse = {"gone@example.net": code}
    notification = queue(django_capture_on_commit_callbacks, "gone@example.net")
    notification_send.apply(args=[notification.pk])  # no Retry raised
    notification.refresh_from_db()
    assert notification.state == Notification.State.FAILED
    assert notification.attempts == 1
    assert notification.next_attempt_at is None
    assert "SMTPRecipientsRefused" in notification.last_error
    assert str(code) in notification.last_error
    assert smtp.messages == []


def test_a_temporary_refusal_is_retried_then_sent_once(smtp, django_capture_on_commit_callbacks):
    smtp.refuse = {"busy@example.net": 451}
    notification = queue(django_capture_on_commit_callbacks, "busy@example.net")
    with pytest.raises(Retry):
        notification_send.apply(args=[notification.pk])
    notification.refresh_from_db()
    assert notification.state == Notification.State.QUEUED
    smtp.refuse = {}
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now())
    notification_send.apply(args=[notification.pk])
    notification.refresh_from_db()
    assert notification.state == Notification.State.SENT
    assert smtp.recipients() == ["busy@example.net"]


def test_a_server_that_is_down_is_retried(smtp, django_capture_on_commit_callbacks):
    smtp.stop()
    notification = queue(django_capture_on_commit_callbacks)
    with pytest.raises(Retry):
        notification_send.apply(args=[notification.pk])
    notification.refresh_from_db()
    assert notification.state == Notification.State.QUEUED
    assert "ConnectionRefusedError" in notification.last_error


def test_a_slow_server_means_a_retry_and_one_email(smtp, django_capture_on_commit_callbacks):
    # The server answers the message's final "." after 2 s; the client waits 0.5 s
    # (EMAIL_TIMEOUT), hangs up, and the server that had not answered keeps nothing.
    smtp.slow_seconds = 2
    notification = queue(django_capture_on_commit_callbacks)
    with pytest.raises(Retry):
        notification_send.apply(args=[notification.pk])
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now())
    notification_send.apply(args=[notification.pk])
    notification.refresh_from_db()
    assert notification.state == Notification.State.SENT
    assert notification.attempts == 2
    time.sleep(2.5)  # the first attempt's late handler would have stored by now
    assert smtp.recipients() == ["patient@example.net"]


@pytest.mark.parametrize(
    ("exc", "permanent"),
    [
        (smtplib.SMTPRecipientsRefused({"a@x": (550, b"no")}), True),
        (smtplib.SMTPRecipientsRefused({"a@x": (550, b"no"), "b@x": (451, b"later")}), False),
        (smtplib.SMTPSenderRefused(553, b"bad sender", "f@x"), True),
        (smtplib.SMTPDataError(554, b"rejected"), True),
        (smtplib.SMTPDataError(452, b"full"), False),
        (smtplib.SMTPAuthenticationError(535, b"bad login"), False),
        (smtplib.SMTPServerDisconnected("gone"), False),
        (TimeoutError("slow"), False),
        (ConnectionRefusedError(), False),
    ],
)
def test_which_failures_are_permanent(exc, permanent):
    assert is_permanent_failure(exc) is permanent


def test_the_smtp_timeout_must_be_below_the_soft_time_limit(monkeypatch):
    import importlib

    import config.settings

    monkeypatch.setenv("CELERY_TASK_TIME_LIMIT", "20")
    monkeypatch.setenv("CELERY_TASK_SOFT_TIME_LIMIT", "10")
    monkeypatch.setenv("EMAIL_TIMEOUT", "10")
    try:
        with pytest.raises(ImproperlyConfigured, match="EMAIL_TIMEOUT"):
            importlib.reload(config.settings)
        monkeypatch.delenv("EMAIL_TIMEOUT")
        reloaded = importlib.reload(config.settings)
        assert 0 < reloaded.EMAIL_TIMEOUT < reloaded.CELERY_TASK_SOFT_TIME_LIMIT
    finally:
        monkeypatch.undo()
        importlib.reload(config.settings)


def failed_rows(django_capture_on_commit_callbacks, n):
    rows = []
    for i in range(n):
        notification = queue(django_capture_on_commit_callbacks, f"gone{i}@example.net", i)
        Notification.objects.filter(pk=notification.pk).update(
            state=Notification.State.FAILED,
            attempts=6,
            last_error="SMTPRecipientsRefused: 550 mailbox unavailable",
        )
        rows.append(notification)
    return rows


def test_staff_see_failed_emails_with_the_reason_and_resend_them(
    admin_client, smtp, django_capture_on_commit_callbacks
):
    rows = failed_rows(django_capture_on_commit_callbacks, 2)
    sent = queue(django_capture_on_commit_callbacks, "fine@example.net", 9)
    Notification.objects.filter(pk=sent.pk).update(state=Notification.State.SENT)
    url = reverse("admin:screening_notification_changelist") + "?state__exact=failed"
    page = admin_client.get(url).content.decode()
    assert "gone0@example.net" in page and "gone1@example.net" in page
    assert "550 mailbox unavailable" in page
    assert "fine@example.net" not in page

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:screening_notification_changelist"),
            {"action": "resend", "_selected_action": [r.pk for r in rows] + [sent.pk]},
            follow=True,
        )
    assert "2 emails queued again" in response.content.decode()
    assert "1 email was not failed" in response.content.decode()
    assert sorted(smtp.recipients()) == ["gone0@example.net", "gone1@example.net"]
    assert set(Notification.objects.values_list("state", flat=True)) == {"sent"}


def test_resending_leaves_rows_that_did_not_fail(django_capture_on_commit_callbacks):
    notification = queue(django_capture_on_commit_callbacks)
    assert notifications_resend(notification_ids=[notification.pk]) == 0


def test_the_dashboard_home_counts_failed_emails_for_staff_only(
    client, django_capture_on_commit_callbacks
):
    failed_rows(django_capture_on_commit_callbacks, 3)
    staff = UserFactory(email="staff@example.org", is_staff=True)
    coordinator = UserFactory(email="coordinator@example.org")
    client.force_login(staff)
    page = client.get(reverse("dashboard:home")).content.decode()
    assert "3 emails could not be sent" in page
    assert reverse("admin:screening_notification_changelist") in page
    client.force_login(coordinator)
    page = client.get(reverse("dashboard:home")).content.decode()
    assert "could not be sent" not in page


def test_sent_is_recorded_even_when_the_database_drops_the_connection_once(
    smtp, django_capture_on_commit_callbacks, monkeypatch
):
    # The server accepted the email; the first write of "sent" meets a restarting
    # database. Giving up would let the claim expire and the sweeper send it again.
    from django.db import OperationalError
    from django.db.models.query import QuerySet

    real_update = QuerySet.update
    failures = [OperationalError("terminating connection due to administrator command")]

    def flaky_update(self, **kwargs):
        if kwargs.get("state") == Notification.State.SENT and failures:
            raise failures.pop()
        return real_update(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", flaky_update)
    monkeypatch.setattr("screening.tasks.connection.close", lambda: None)
    notification = queue(django_capture_on_commit_callbacks)
    notification_send.apply(args=[notification.pk])
    notification.refresh_from_db()
    assert notification.state == Notification.State.SENT
    assert notification.attempts == 1
    assert smtp.recipients() == ["patient@example.net"]


@pytest.mark.parametrize("fault", ["down", "refusing", "slow"])
def test_a_password_reset_with_smtp_in_trouble_is_no_500(client, smtp, caplog, fault):
    UserFactory(email="alice@example.org")
    if fault == "down":
        smtp.stop()
    elif fault == "refusing":
        smtp.refuse = {"alice@example.org": 550}
    else:
        smtp.slow_seconds = 2  # past EMAIL_TIMEOUT (0.5 s)
    response = client.post(reverse("account_reset_password"), {"email": "alice@example.org"})
    assert response.status_code == 302
    assert response.url == reverse("account_reset_password_done")
    ours = [r.getMessage() for r in caplog.records if r.name == "accounts.adapters"]
    assert len(ours) == 1 and "not sent" in ours[0]
    assert "alice@example.org" not in ours[0]
