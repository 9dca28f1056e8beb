"""Redis unreachable: the cache and the rate limits degrade, nothing returns 500, and the
application is saved. Redis here is "redis://127.0.0.1:9" (the discard port: refused at
once), so these run everywhere; tests/test_worker.py covers the broker side with a real
Redis that is stopped and started."""

import logging
from unittest import mock

import pytest
from django.core.cache import caches
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from config.cache import DegradingRedisCache, redis_caches
from screening.models import Application, Notification
from tests.factories import TrialFactory
from tests.patient_journey import AGNES_ANSWERS, reference_trial, walk

pytestmark = pytest.mark.django_db

DOWN = "redis://127.0.0.1:9/0"
CONTACT = {
    "full_name": "Agnes Tremblay",
    "email": "agnes@example.org",
    "phone": "",
    "contact_method": "email",
    "contact_time": "morning",
    "consent_contact": "on",
    "consent_share": "on",
}


@pytest.fixture
def redis_down(settings):
    settings.CACHES = redis_caches(DOWN)
    settings.RATELIMIT_ENABLE = True
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    yield
    # The next test must not inherit a cache believed down.


def cache_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "config.cache"]


def test_an_application_is_saved_and_its_emails_queued_with_redis_down(client, redis_down, caplog):
    trial = reference_trial()
    caplog.set_level(logging.WARNING, logger="config.cache")
    walk(client, trial, AGNES_ANSWERS)
    response = client.post(reverse("screening:apply", args=[trial.nct_id]), CONTACT)
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.email == "agnes@example.org"
    assert Notification.objects.filter(to_email="agnes@example.org").exists()
    # Logged once for the whole walk (many cache calls), not once per call or request.
    assert len(cache_warnings(caplog)) == 1


def test_public_pages_serve_without_the_page_cache(client, redis_down, caplog):
    trial = TrialFactory(nct_id="NCT01234567", brief_title="Walking after a stroke")
    caplog.set_level(logging.WARNING, logger="config.cache")
    for url in (
        reverse("trials:list"),
        reverse("trials:list") + "?q=stroke",
        reverse("trials:detail", args=[trial.nct_id]),
        reverse("trials:list"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "Walking after a stroke" in response.content.decode()
    assert len(cache_warnings(caplog)) == 1


def test_sign_in_and_password_reset_work_with_redis_down(client, redis_down):
    # allauth counts attempts in the cache (its own rate limits).
    response = client.post(
        reverse("account_login"), {"login": "nobody@example.org", "password": "wrong"}
    )
    assert response.status_code == 200
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert response.status_code == 302


def test_the_rate_limit_still_counts_when_redis_is_up(settings):
    # The degrading layer passes calls through while Redis answers.
    settings.CACHES = redis_caches(DOWN)
    degrading = caches["default"]
    assert isinstance(degrading, DegradingRedisCache)
    with mock.patch("django.core.cache.backends.redis.RedisCache.add", return_value=True):
        assert degrading.add("k", 1) is True
    with mock.patch("django.core.cache.backends.redis.RedisCache.incr", return_value=2):
        assert degrading.incr("k") == 2


def test_each_cache_call_degrades_to_a_miss(settings, caplog):
    settings.CACHES = redis_caches(DOWN)
    c = caches["default"]
    caplog.set_level(logging.WARNING, logger="config.cache")
    assert c.get("k", "default") == "default"
    assert c.set("k", 1) is None
    assert c.add("k", 1) is True
    assert c.get_or_set("k", lambda: 7) == 7
    with pytest.raises(ValueError):
        c.incr("k")
    assert c.get_many(["a", "b"]) == {}
    assert c.delete("k") is False
    assert c.has_key("k") is False
    assert c.touch("k") is False
    c.delete_many(["a"])
    c.set_many({"a": 1})
    assert c.degraded
    assert len(cache_warnings(caplog)) == 1


def test_recovery_is_logged_once_and_calls_go_through_again(settings, caplog):
    settings.CACHES = redis_caches(DOWN)
    c = caches["default"]
    c.retry_seconds = 0
    caplog.set_level(logging.WARNING, logger="config.cache")
    with mock.patch(
        "django.core.cache.backends.redis.RedisCache.get", side_effect=RedisConnectionError
    ):
        assert c.get("k") is None
        assert c.get("k") is None
    with mock.patch("django.core.cache.backends.redis.RedisCache.get", return_value="v"):
        assert c.get("k") == "v"
        assert c.get("k") == "v"
    assert not c.degraded
    messages = cache_warnings(caplog)
    assert len(messages) == 2
    assert "unreachable" in messages[0] and "again" in messages[1]
