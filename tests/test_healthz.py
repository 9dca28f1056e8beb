import os
from unittest import mock

import pytest
from django.db.utils import OperationalError

from screening.models import Notification
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_healthz_reports_the_database(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "emails_failed": 0}
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_an_unreachable_broker_is_degraded_not_down(client, settings):
    # Port 9 (discard) on loopback: nothing listens, so the connection is refused at once.
    # The site still serves without Redis: a load balancer must keep it (200).
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error")


def test_no_database_is_down_and_503(client, settings):
    settings.REDIS_URL = ""
    with mock.patch("config.views._check_database", side_effect=OperationalError("gone")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "down", "database": "error: OperationalError"}


def test_healthz_counts_failed_emails(client, settings):
    settings.REDIS_URL = ""
    application = ApplicationFactory(email="pat@example.net")
    for n, state in enumerate(["failed", "failed", "sent", "queued"]):
        Notification.objects.create(
            key=f"k:{application.pk}:{n}",
            template="application-received",
            to_email=application.email,
            state=state,
        )
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["emails_failed"] == 2


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a real Redis (REDIS_URL)")
def test_healthz_reports_a_live_broker(client, settings):
    settings.REDIS_URL = os.environ["REDIS_URL"]
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == "ok"
