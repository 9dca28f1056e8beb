import re
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import dateformat, timezone

from accounts.models import User
from accounts.services import DEMO_PASSWORD, DEMO_TOTP_SECRET, demo_team_create
from tests.dashboard_personas import world  # noqa: F401
from tests.factories import TEST_TOTP_SECRET, MembershipFactory, TrialFactory, UserFactory

pytestmark = pytest.mark.django_db


def totp_now(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_sign_in_asks_for_password_then_the_authenticator_code(client, world):  # noqa: F811
    response = client.post(
        reverse("account_login"), {"login": "alice@example.org", "password": "a long test password"}
    )
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    # Half-way through, the dashboard is still closed.
    assert client.get(reverse("dashboard:home")).status_code == 302
    response = client.post(reverse("mfa_authenticate"), {"code": totp_now(TEST_TOTP_SECRET)})
    assert response.status_code == 302
    assert client.get(reverse("dashboard:home")).status_code == 200


def test_wrong_authenticator_code_does_not_sign_in(client, world):  # noqa: F811
    client.post(
        reverse("account_login"), {"login": "alice@example.org", "password": "a long test password"}
    )
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200
    assert client.get(reverse("dashboard:home")).status_code == 302


def test_team_member_without_two_factor_is_sent_to_set_it_up(client, world):  # noqa: F811
    carol = UserFactory(email="carol@example.org", totp=False)
    MembershipFactory(user=carol, trial=world.trial_a)
    client.force_login(carol)
    for url in (reverse("dashboard:home"), reverse("dashboard:applicant", args=["AAAA1111"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == reverse("mfa_activate_totp")


def test_staff_without_two_factor_cannot_open_the_admin(client):
    staff = UserFactory(email="st@example.org", is_staff=True, is_superuser=True, totp=False)
    client.force_login(staff)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_setting_up_two_factor_opens_the_dashboard(client, world):  # noqa: F811
    carol = UserFactory(email="carol@example.org", totp=False)
    MembershipFactory(user=carol, trial=world.trial_a)
    response = client.post(
        reverse("account_login"),
        {"login": carol.email, "password": "a long test password"},
        follow=True,
    )
    # allauth asks for the password again before any change to the second factor.
    assert response.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    response = client.post(
        response.redirect_chain[-1][0], {"password": "a long test password"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("mfa_activate_totp")
    secret = re.search(rb'value="([A-Z2-7]{32})"', response.content)
    code = totp_now(secret.group(1).decode())
    client.post(reverse("mfa_activate_totp"), {"code": code})
    assert Authenticator.objects.filter(user=carol, type="totp").exists()
    assert client.get(reverse("dashboard:home")).status_code == 200


def test_signup_is_closed(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "new@example.org", "password1": "x" * 16, "password2": "x" * 16},
    )
    assert not User.objects.filter(email="new@example.org").exists()
    assert b"closed" in response.content.lower() or response.status_code != 200


def test_password_reset_sends_an_email(client, world):  # noqa: F811
    client.post(reverse("account_reset_password"), {"email": "alice@example.org"})
    assert len(mail.outbox) == 1
    assert "alice@example.org" in mail.outbox[0].to


def test_ten_failed_passwords_lock_the_account_for_an_hour(client, world, settings):  # noqa: F811
    # allauth's own softer rate limit would answer first; this test is about axes.
    settings.ACCOUNT_RATE_LIMITS = False
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("account_login"), {"login": "alice@example.org", "password": "nope"})
    response = client.post(
        reverse("account_login"), {"login": "alice@example.org", "password": "a long test password"}
    )
    assert response.status_code == 429
    assert b"locked for one hour" in response.content
    assert settings.AXES_COOLOFF_TIME == 1


def test_lockout_of_one_account_leaves_another_alone(client, world, settings):  # noqa: F811
    settings.ACCOUNT_RATE_LIMITS = False
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("account_login"), {"login": "bob@example.org", "password": "nope"})
    response = client.post(
        reverse("account_login"), {"login": "alice@example.org", "password": "a long test password"}
    )
    assert response.status_code == 302


def test_sessions_end_after_thirty_idle_minutes_with_safe_cookies():
    assert settings.SESSION_COOKIE_AGE == 1800
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_idle_sign_out_comes_thirty_minutes_after_the_last_request_within_a_minute(
    client,
    world,  # noqa: F811
    monkeypatch,
):
    clock = [timezone.now()]
    monkeypatch.setattr(timezone, "now", lambda: clock[0])
    client.force_login(world.alice)
    queue = reverse("dashboard:queue")
    # Forty busy minutes, a request every 50 seconds: never signed out meanwhile.
    for _ in range(48):
        clock[0] += timedelta(seconds=50)
        assert client.get(queue).status_code == 200
    last_request = clock[0]
    expires = Session.objects.get(pk=client.session.session_key).expire_date
    assert last_request + timedelta(minutes=29) <= expires <= last_request + timedelta(minutes=30)
    clock[0] = last_request + timedelta(minutes=30, seconds=1)
    response = client.get(queue)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_an_unchanged_session_is_written_at_most_once_a_minute(client, world, monkeypatch):  # noqa: F811
    clock = [timezone.now()]
    monkeypatch.setattr(timezone, "now", lambda: clock[0])
    client.force_login(world.alice)
    queue = reverse("dashboard:queue")

    def session_writes() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(queue).status_code == 200
        return sum('UPDATE "django_session"' in q["sql"] for q in queries.captured_queries)

    assert session_writes() == 1
    clock[0] += timedelta(seconds=59)
    assert session_writes() == 0
    clock[0] += timedelta(seconds=2)
    assert session_writes() == 1


def test_dashboard_and_sign_in_pages_are_never_cached(client, world):  # noqa: F811
    assert "no-store" in client.get(reverse("account_login"))["Cache-Control"]
    client.force_login(world.alice)
    for url in (
        reverse("dashboard:home"),
        reverse("dashboard:queue"),
        reverse("dashboard:applicant", args=[world.app_a.reference]),
    ):
        assert "no-store" in client.get(url)["Cache-Control"]


def test_admin_sign_in_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/accounts/user/")
    assert response.status_code == 302
    assert response.url == reverse("account_login") + "?next=%2Fadmin%2Faccounts%2Fuser%2F"
    hostile = client.get("/admin/login/?next=https://evil.example/")
    assert "evil" not in hostile.url


def test_demo_team_is_created_once_with_a_working_second_factor(client):
    TrialFactory(nct_id="NCT04356287")
    TrialFactory(nct_id="NCT06388018")
    demo_team_create()
    logins = demo_team_create()
    assert User.objects.filter(email__endswith="@demo.example").count() == 3
    a = User.objects.get(email="coordinator.a@demo.example")
    b = User.objects.get(email="coordinator.b@demo.example")
    assert list(a.memberships.values_list("trial__nct_id", flat=True)) == ["NCT04356287"]
    assert list(b.memberships.values_list("trial__nct_id", flat=True)) == ["NCT06388018"]
    assert logins[0].otpauth_uri.startswith("otpauth://totp/")
    client.post(reverse("account_login"), {"login": a.email, "password": DEMO_PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": totp_now(DEMO_TOTP_SECRET)})
    assert client.get(reverse("dashboard:home")).status_code == 200


def test_demo_logins_prints_sign_ins_even_on_an_empty_database(settings, capsys):
    settings.DEBUG = True
    call_command("demo_logins")
    out = capsys.readouterr().out
    assert "coordinator.a@demo.example" in out
    assert DEMO_TOTP_SECRET in out


def test_demo_logins_creates_nothing_in_production(settings, capsys):
    settings.DEBUG = False
    call_command("demo_logins")
    assert not User.objects.exists()


def test_times_are_shown_in_the_users_time_zone(client, world):  # noqa: F811
    world.alice.time_zone = "Asia/Tokyo"
    world.alice.save()
    client.force_login(world.alice)
    html = client.get(reverse("dashboard:applicant", args=[world.app_a.reference])).content
    created = world.app_a.created_at
    tokyo = dateformat.format(timezone.localtime(created, ZoneInfo("Asia/Tokyo")), "N j, Y, P")
    utc = dateformat.format(timezone.localtime(created, ZoneInfo("UTC")), "N j, Y, P")
    assert tokyo != utc
    assert tokyo.encode() in html
    assert utc.encode() not in html
