"""The email-alerts page in a real browser, at a phone's size, scanned by axe-core."""

import pytest
from django.conf import settings
from django.test import Client

from tests.browser import assert_accessible, screenshot
from tests.factories import MembershipFactory, TrialFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_email_alerts_page_is_accessible_and_saves_a_choice(live_server, page):
    alice = UserFactory(email="alice@example.org")
    membership = MembershipFactory(
        user=alice, trial=TrialFactory(nct_id="NCT00000001", brief_title="Tea for tired hearts")
    )
    client = Client()
    client.force_login(alice)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )

    page.goto(f"{live_server.url}/account/notifications/")
    assert page.get_by_role("heading", level=1, name="Email alerts").is_visible()
    assert_accessible(page)

    group = page.get_by_role("group", name="NCT00000001 · Tea for tired hearts")
    group.get_by_label("Daily digest").check()
    page.get_by_role("button", name="Save email settings").click()
    assert page.get_by_text("Your email settings are saved.").is_visible()
    screenshot(page, "notify-preferences-saved")
    assert_accessible(page)
    membership.refresh_from_db()
    assert membership.notify == "digest"
