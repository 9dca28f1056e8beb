"""A coordinator edits a rule and previews it on example answers, in Chromium, with
every page scanned by axe-core."""

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import Page, expect

from accounts.models import TrialMembership
from screening.services.criteria import criteria_load_encoded
from tests.browser import assert_accessible, screenshot
from tests.factories import TEST_TOTP_SECRET, MembershipFactory, TrialFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_coordinator_edits_a_rule_and_previews_it(live_server, page: Page):
    trial = TrialFactory(nct_id="NCT04356287", brief_title="Stromal cells in systemic sclerosis")
    alice = UserFactory(email="alice@example.org", first_name="Alice")
    MembershipFactory(user=alice, trial=trial, role=TrialMembership.Role.COORDINATOR)
    criteria_load_encoded(trial=trial)

    page.goto(f"{live_server.url}/dashboard/trials/NCT04356287/settings/")
    page.get_by_label("Email").fill("alice@example.org")
    page.get_by_label("Password").fill("a long test password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill(
        format_hotp_value(hotp_value(TEST_TOTP_SECRET, int(time.time()) // 30))
    )
    page.get_by_role("button", name="Sign In").click()

    page.get_by_role("link", name="Edit this trial's eligibility criteria").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Eligibility criteria · NCT04356287")
    screenshot(page, "criteria-01-list")
    assert_accessible(page)

    page.get_by_role("link", name="Edit Exclusion 1", exact=True).click()
    rule = page.get_by_label("Rule", exact=True)
    expect(rule).to_have_value("age < 18")
    assert_accessible(page)

    rule.fill("age < 21 or pregnant")
    page.get_by_role("button", name="Preview").click()
    page.get_by_label("How old are you? (age)").fill("19")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("Met: the patient is excluded")).to_be_visible()
    expect(page.get_by_text("Your age, 19 years, is below 21 years")).to_be_visible()
    expect(page.get_by_role("status").get_by_text("Not eligible")).to_be_visible()
    screenshot(page, "criteria-02-preview")
    assert_accessible(page)

    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Criterion Exclusion 1 saved.")).to_be_visible()
    expect(page.get_by_text("age < 21 or pregnant = yes")).to_be_visible()
    criterion = trial.criteria.get(kind="exclusion", number="1")
    assert criterion.rule == {
        "any": [
            {"q": "age", "op": "lt", "value": 21},
            {"q": "pregnant", "op": "eq", "value": True},
        ]
    }
