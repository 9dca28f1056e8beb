"""A coordinator reviews drafted rules in Chromium; the patient's questionnaire follows.

Alice confirms the drafted pregnancy exclusion and rejects the drafted haemoglobin one;
a patient then starting the questionnaire is asked about pregnancy and never about
haemoglobin. Every page is scanned by axe-core.
"""

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import Page, expect

from accounts.models import TrialMembership
from screening.models import Criterion
from screening.questions import QUESTIONS
from tests.browser import assert_accessible, screenshot
from tests.drafted_trials import NCT_ID, drafted_trial
from tests.factories import TEST_TOTP_SECRET, MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def sign_in(page: Page, url: str) -> None:
    page.goto(f"{url}/dashboard/")
    page.get_by_label("Email").fill("alice@example.org")
    page.get_by_label("Password").fill("a long test password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill(
        format_hotp_value(hotp_value(TEST_TOTP_SECRET, int(time.time()) // 30))
    )
    page.get_by_role("button", name="Sign In").click()


def asked_keys(page: Page) -> list[str]:
    names = page.eval_on_selector_all("form.questionnaire input", "els => els.map(e => e.name)")
    return list(dict.fromkeys(n for n in names if n in QUESTIONS))


def test_a_coordinator_confirms_one_draft_and_rejects_another_and_the_questionnaire_follows(
    live_server, page: Page
):
    trial = drafted_trial()
    alice = UserFactory(email="alice@example.org", first_name="Alice")
    MembershipFactory(user=alice, trial=trial, role=TrialMembership.Role.COORDINATOR)

    sign_in(page, live_server.url)
    page.get_by_role("link", name="3 drafted rules to review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Eligibility criteria · {NCT_ID}")
    age = trial.criteria.get(kind="inclusion", number="1")
    (start, end), *_more = age.draft_spans
    expect(page.locator("mark").first).to_have_text(age.text[start:end])
    expect(page.get_by_text("Excludes the patient when answers Yes to")).to_be_visible()
    screenshot(page, "drafts-01-review")
    assert_accessible(page)

    page.get_by_role("button", name="Confirm the draft of Exclusion 1").click()
    expect(page.get_by_text("Drafted rule of Exclusion 1 confirmed")).to_be_visible()
    page.get_by_role("button", name="Reject the draft of Exclusion 2").click()
    expect(page.get_by_text("Drafted rule of Exclusion 2 rejected")).to_be_visible()
    expect(page.get_by_text("Rejected draft:")).to_be_visible()
    expect(page.get_by_text("1 drafted rule waits for your review")).to_be_visible()
    screenshot(page, "drafts-02-decided")
    assert_accessible(page)
    page.get_by_role("link", name="Edit Inclusion 1", exact=True).click()
    expect(page.get_by_role("heading", name="What the drafter read")).to_be_visible()
    assert_accessible(page)
    page.go_back()
    states = dict(trial.criteria.filter(kind="exclusion").values_list("number", "review_state"))
    assert states == {
        "1": Criterion.ReviewState.CONFIRMED,
        "2": Criterion.ReviewState.REJECTED,
    }

    # The patient: every step of the questionnaire, with the keys each one asks.
    page.goto(f"{live_server.url}/trials/{NCT_ID}/check/")
    page.get_by_role("button", name="Start the questions").click()
    asked: list[str] = []
    answers = {"age": "52", "sex": "female", "pregnant": "false"}
    steps = 0
    while "/check/step/" in page.url:
        steps += 1
        assert steps < 6
        keys = asked_keys(page)
        asked.extend(keys)
        assert_accessible(page)
        for key in keys:
            if key == "age":
                page.fill("input[name='age']", answers["age"])
            elif key in answers:
                page.check(f"input[name='{key}'][value='{answers[key]}']")
            elif f"{key}__unknown" in page.content():
                page.check(f"input[name='{key}__unknown']")
            else:
                page.check(f"input[name='{key}'][value='unknown']")
        page.get_by_role("button", name="Save and continue", exact=True).click()
    assert "pregnant" in asked
    assert "hemoglobin_g_dl" not in asked
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    screenshot(page, "drafts-03-patient-result")
    assert_accessible(page)
