"""One rule for the client's address (TRUSTED_PROXY_COUNT), used by the audit trail,
axes, django-ratelimit and allauth; X-Forwarded-For is never believed without it."""

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse
from django_ratelimit.core import is_ratelimited

from accounts.adapters import AccountAdapter
from accounts.audit import AuditAction
from accounts.client_ip import client_ip
from accounts.models import AuditEvent
from tests.dashboard_personas import world  # noqa: F401

PROXY = "10.0.0.5"
CLIENT = "203.0.113.7"
SPOOFED = "198.51.100.66"


def request(xff: str | None = None, remote: str = PROXY):
    meta = {"REMOTE_ADDR": remote}
    if xff is not None:
        meta["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **meta)


@pytest.mark.parametrize(
    ("count", "xff", "expected"),
    [
        (0, f"{CLIENT}", PROXY),  # no proxy trusted: the header is anyone's to write
        (0, None, PROXY),
        (1, f"{CLIENT}", CLIENT),
        (1, f"{SPOOFED}, {CLIENT}", CLIENT),  # the client wrote the left part
        (2, f"{SPOOFED}, {CLIENT}, 10.0.0.9", CLIENT),
        (2, f"{CLIENT}", PROXY),  # fewer hops than proxies: not through them all
        (1, "not-an-address", PROXY),
        (1, "", PROXY),
        (1, f"{SPOOFED},  2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_the_client_address_rule(settings, count, xff, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(request(xff)) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("count", "expected"), [(0, PROXY), (1, CLIENT)])
def test_the_audit_trail_records_the_client_behind_the_proxy(
    client,
    world,  # noqa: F811
    settings,
    count,
    expected,
):
    settings.TRUSTED_PROXY_COUNT = count
    client.force_login(world.alice)
    client.get(
        reverse("dashboard:applicant", args=[world.app_a.reference]),
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"{SPOOFED}, {CLIENT}",
    )
    event = AuditEvent.objects.get(action=AuditAction.APPLICATION_VIEW)
    assert event.ip_address == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("count", "expected"), [(0, PROXY), (1, CLIENT)])
def test_axes_records_the_client_behind_the_proxy(
    client,
    world,  # noqa: F811
    settings,
    count,
    expected,
):
    settings.TRUSTED_PROXY_COUNT = count
    settings.ACCOUNT_RATE_LIMITS = False
    client.post(
        reverse("account_login"),
        {"login": "alice@example.org", "password": "wrong"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"{SPOOFED}, {CLIENT}",
    )
    assert AccessAttempt.objects.get().ip_address == expected


@pytest.mark.django_db
def test_the_rate_limit_counts_each_client_behind_the_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.RATELIMIT_ENABLE = True

    def limited(xff):
        return is_ratelimited(
            request(xff), group="test-proxy", key="ip", rate="1/h", increment=True
        )

    assert not limited(f"{CLIENT}")
    assert limited(f"{CLIENT}")
    # Another client through the same proxy has its own count.
    assert not limited("203.0.113.8")
    # A client cannot escape its count by writing its own X-Forwarded-For.
    assert limited(f"{SPOOFED}, {CLIENT}")


@pytest.mark.django_db
def test_without_a_trusted_proxy_a_forged_header_does_not_escape_the_rate_limit(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.RATELIMIT_ENABLE = True

    def limited(xff):
        return is_ratelimited(
            request(xff, remote=CLIENT), group="test-direct", key="ip", rate="1/h", increment=True
        )

    assert not limited("192.0.2.1")
    assert limited("192.0.2.2")


def test_allauth_counts_by_the_same_rule(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert AccountAdapter().get_client_ip(request(f"{SPOOFED}, {CLIENT}")) == CLIENT
    settings.TRUSTED_PROXY_COUNT = 0
    assert AccountAdapter().get_client_ip(request(f"{SPOOFED}, {CLIENT}")) == PROXY
