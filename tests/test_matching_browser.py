"""Find trials for me in a real browser at a phone's size (390×844), scanned with axe.

condition → about you and where → questions → matches → one trial's questionnaire
(only what it still needs) → result → apply. Each page is screenshotted.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from screening.models import Application
from tests.browser import assert_accessible, screenshot
from tests.factories import LocationFactory, TrialFactory
from tests.patient_journey import AGNES_ANSWERS, reference_trial
from tests.test_browser_patient import answer_step, asked_keys, save_and_continue

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def check_page(page: Page, name: str) -> None:
    screenshot(page, f"find-{name}")
    assert_accessible(page)


def test_a_patient_finds_the_reference_trial_near_montreal_and_applies(live_server, page):
    reference_trial()
    far = TrialFactory(
        nct_id="NCT90000002", conditions=["Systemic Sclerosis"], keywords=["Scleroderma"]
    )
    LocationFactory(trial=far, city="Paris", latitude=48.8566, longitude=2.3522, status="")

    page.goto(f"{live_server.url}/trials/")
    page.get_by_role("link", name="Find trials for me").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find trials for me")
    # A slip of the fingers: the page offers the terms spelled like it.
    page.get_by_label("What condition are you looking for a trial for?").fill("sclerodrema")
    check_page(page, "01-condition")
    page.get_by_role("button", name="Continue", exact=True).click()
    expect(page.get_by_role("heading", level=2)).to_contain_text("sclerodrema")
    check_page(page, "01-did-you-mean")
    page.get_by_role("button", name=re.compile(r"^scleroderma\b")).first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("About you and where you are")
    page.get_by_label("How old are you?").fill("54")
    page.get_by_label("Female").check()
    page.get_by_label("Which city are you near?").fill("Montreal, Canada")
    page.get_by_label("How far can you travel?").select_option("100")
    check_page(page, "02-about")
    page.get_by_role("button", name="Continue").click()

    pages = 0
    carried = set()
    while "/find/questions/" in page.url and pages < 3:
        pages += 1
        expect(page.get_by_role("status").first).to_contain_text("still possible")
        check_page(page, f"03-questions-{pages}")
        keys = asked_keys(page)
        carried.update(keys)
        answer_step(page, AGNES_ANSWERS)
        save_and_continue(page)
    if "/find/questions/" in page.url:
        page.get_by_role("button", name="Show my matches").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your matches")
    expect(page.locator(".match")).to_have_count(1)
    expect(page.locator(".match").first).to_contain_text("NCT04356287")
    expect(page.locator(".match").first).to_contain_text("km away")
    expect(page.get_by_role("heading", name="Not shown")).to_be_visible()
    check_page(page, "04-matches")
    page.get_by_role("button", name="Check this trial and apply").first.click()

    steps = 0
    while "/check/step/" in page.url:
        steps += 1
        keys = set(asked_keys(page))
        assert not keys & (carried | {"age", "sex"}), keys
        check_page(page, f"05-trial-step-{steps}")
        answer_step(page, AGNES_ANSWERS)
        save_and_continue(page)
        assert steps < 8
    expect(page.get_by_role("heading", level=1)).to_have_text("You may be eligible")
    check_page(page, "06-result")

    page.get_by_role("link", name="Send my details to the study team").click()
    page.get_by_label("Your full name").fill("Agnes Tremblay")
    page.get_by_label("Your email address").fill("agnes@example.org")
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Morning").check()
    page.get_by_label("I agree that the study team may contact me").check()
    page.get_by_label("I agree to share my answers").check()
    check_page(page, "07-apply")
    page.get_by_role("button", name="Send my details").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("your details have been sent")
    application = Application.objects.get()
    assert application.answers["age"] == 54 and application.verdict == "likely_eligible"
    check_page(page, "08-confirmation")
