"""A coordinator's morning, in Chromium: sign in with two-factor, filter, open an
applicant, change the status, add a note. Every page is scanned by axe-core."""

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import Page, expect

from accounts.models import TrialMembership
from screening.models import Note, StatusChange
from tests.browser import assert_accessible, screenshot
from tests.factories import (
    TEST_TOTP_SECRET,
    ApplicationFactory,
    MembershipFactory,
    TrialFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def totp_now() -> str:
    return format_hotp_value(hotp_value(TEST_TOTP_SECRET, int(time.time()) // 30))


def test_coordinator_triages_an_applicant_with_two_factor_sign_in(live_server, page: Page):
    trial = TrialFactory(nct_id="NCT04356287", brief_title="Stromal cells in systemic sclerosis")
    alice = UserFactory(email="alice@example.org", first_name="Alice", last_name="Martin")
    MembershipFactory(user=alice, trial=trial, role=TrialMembership.Role.COORDINATOR)
    ApplicationFactory(trial=trial, reference="LIKELY01", verdict="likely_eligible", score=0.9)
    ApplicationFactory(trial=trial, reference="REVIEW01", verdict="needs_review", score=0.75)
    ApplicationFactory(trial=trial, reference="NOPE0001", verdict="not_eligible", score=0.2)

    page.goto(f"{live_server.url}/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Study team sign-in")
    screenshot(page, "dashboard-01-sign-in")
    assert_accessible(page)
    page.get_by_label("Email").fill("alice@example.org")
    page.get_by_label("Password").fill("a long test password")
    page.get_by_role("button", name="Sign in").click()

    page.get_by_label("Code").fill(totp_now())
    screenshot(page, "dashboard-02-two-factor")
    assert_accessible(page)
    page.get_by_role("button", name="Sign In").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your trials")
    screenshot(page, "dashboard-03-home")
    assert_accessible(page)

    page.get_by_role("link", name="Open the applicant queue").click()
    page.get_by_label("Verdict").select_option("needs_review")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("link", name="REVIEW01")).to_be_visible()
    expect(page.get_by_role("link", name="LIKELY01")).to_have_count(0)
    screenshot(page, "dashboard-04-queue-filtered")
    assert_accessible(page)

    page.get_by_role("link", name="REVIEW01").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        ApplicationFactory._meta.model.objects.get(reference="REVIEW01").full_name
    )
    expect(page.get_by_text("2 points to check")).to_be_visible()
    screenshot(page, "dashboard-05-applicant")
    assert_accessible(page)

    page.get_by_label("New status").select_option("in_review")
    page.locator("#workflow").get_by_label("Note (optional)").fill(
        "Reviewed the skin score question"
    )
    page.get_by_role("button", name="Change status").click()
    expect(page.get_by_text("Status changed to “In review”.")).to_be_visible()

    page.get_by_label("New note").fill("Will call on Monday morning")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text("Will call on Monday morning")).to_be_visible()
    screenshot(page, "dashboard-06-applicant-after-changes")
    assert_accessible(page)

    page.goto(f"{live_server.url}/dashboard/trials/NCT04356287/settings/")
    screenshot(page, "dashboard-07-trial-settings")
    assert_accessible(page)

    # Coordinators mostly work at a desk: the dense layout is checked at that width too.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/dashboard/applicants/")
    screenshot(page, "dashboard-08-queue-desktop")
    assert_accessible(page)
    page.get_by_role("link", name="REVIEW01").click()
    screenshot(page, "dashboard-09-applicant-desktop")
    assert_accessible(page)

    change = StatusChange.objects.get()
    assert (change.by_id, change.to_status) == (alice.pk, "in_review")
    assert Note.objects.get().text == "Will call on Monday morning"
