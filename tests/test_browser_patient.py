"""The patient journey in a real browser at a phone's size, scanned with axe-core.

Every page a patient meets is screenshotted (test-artifacts/) and must have zero
accessibility violations.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from screening.models import Application, Draft
from screening.questions import INTEGER, NUMBER, QUESTIONS
from tests.browser import assert_accessible, screenshot
from tests.factories import TrialFactory, trial_from_ctgov
from tests.patient_journey import AGNES_ANSWERS, reference_trial

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def check_page(page: Page, name: str) -> None:
    screenshot(page, name)
    assert_accessible(page)


def asked_keys(page: Page) -> list[str]:
    names = page.eval_on_selector_all("form.questionnaire input", "els => els.map(e => e.name)")
    return list(dict.fromkeys(n for n in names if n in QUESTIONS))


def answer_step(page: Page, answers: dict) -> None:
    for key in asked_keys(page):
        value = answers[key]
        if QUESTIONS[key].type in (INTEGER, NUMBER):
            if value is None:
                page.check(f"input[name='{key}__unknown']")
            else:
                page.fill(f"input[name='{key}']", str(value))
        else:
            choice = (
                "unknown" if value is None else {True: "true", False: "false"}.get(value, value)
            )
            page.check(f"input[name='{key}'][value='{choice}']")


def save_and_continue(page: Page) -> None:
    page.get_by_role("button", name="Save and continue", exact=True).click()


def start(page: Page, url: str, nct_id: str, name: str) -> None:
    page.goto(f"{url}/trials/{nct_id}/check/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check if you qualify")
    check_page(page, f"{name}-00-start")
    page.get_by_role("button", name="Start the questions").click()


def answer_all(page: Page, answers: dict, name: str) -> int:
    steps = 0
    while "/check/step/" in page.url:
        steps += 1
        expect(page.locator(".step-progress")).to_contain_text(f"Step {steps} of")
        check_page(page, f"{name}-{steps:02d}-step")
        answer_step(page, answers)
        save_and_continue(page)
        assert steps < 10
    return steps


def test_a_likely_eligible_patient_applies_and_sees_the_status_page(live_server, page):
    trial = reference_trial()
    start(page, live_server.url, trial.nct_id, "eligible")
    assert answer_all(page, AGNES_ANSWERS, "eligible") == 6

    expect(page.get_by_role("heading", level=1)).to_have_text("You may be eligible")
    expect(page.locator(".criterion")).to_have_count(17)
    expect(page.get_by_text("This is not medical advice")).to_be_visible()
    check_page(page, "eligible-07-result")

    page.get_by_role("link", name="Send my details to the study team").click()
    check_page(page, "eligible-08-apply")
    page.get_by_label("Your full name").fill("Agnes Tremblay")
    page.get_by_label("Your email address").fill("agnes@example.org")
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Morning").check()
    page.get_by_label("I agree that the study team may contact me").check()
    page.get_by_label("I agree to share my answers").check()
    page.get_by_role("button", name="Send my details").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("your details have been sent")
    application = Application.objects.get()
    expect(page.locator(".reference")).to_have_text(application.reference)
    assert application.verdict == "likely_eligible"
    assert application.answers["mrss"] == 25
    check_page(page, "eligible-09-confirmation")

    page.locator(".resume-link a").click()
    expect(page.locator(".status-words")).to_contain_text("Received")
    check_page(page, "eligible-10-status")


def test_not_knowing_the_skin_score_leads_to_needs_review(live_server, page):
    trial = reference_trial()
    start(page, live_server.url, trial.nct_id, "unknown-mrss")
    answer_all(page, {**AGNES_ANSWERS, "mrss": None}, "unknown-mrss")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "The study team needs to check a few things"
    )
    expect(page.locator(".criterion-unknown").first).to_contain_text("Not known yet")
    check_page(page, "unknown-mrss-07-result")


def test_a_sixteen_year_old_is_told_kindly_at_once_with_other_trials(live_server, page):
    trial = reference_trial()
    TrialFactory(
        nct_id="NCT00000042",
        brief_title="Skin care in scleroderma",
        conditions=["Systemic Sclerosis"],
    )
    start(page, live_server.url, trial.nct_id, "sixteen")
    answer_step(page, {**AGNES_ANSWERS, "age": 16})
    save_and_continue(page)

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You are probably not eligible for this trial"
    )
    expect(page.locator(".reasons")).to_contain_text("16")
    expect(page.get_by_role("link", name="Skin care in scleroderma")).to_be_visible()
    expect(page.get_by_role("link", name="Leave my details anyway")).to_be_visible()
    check_page(page, "sixteen-01-result")

    page.get_by_role("link", name="Change an answer").click()
    expect(page.locator("input[name='age']")).to_have_value("16")
    check_page(page, "sixteen-02-change")


def test_back_keeps_the_answers_of_both_steps(live_server, page):
    trial = reference_trial()
    start(page, live_server.url, trial.nct_id, "back")
    answer_step(page, AGNES_ANSWERS)
    save_and_continue(page)
    page.fill("input[name='mrss']", "23")
    page.get_by_role("button", name="Back").click()

    expect(page.locator(".step-progress")).to_contain_text("Step 1 of")
    expect(page.locator("input[name='age']")).to_have_value("45")
    expect(page.locator("input[name='pregnant'][value='false']")).to_be_checked()
    save_and_continue(page)
    expect(page.locator("input[name='mrss']")).to_have_value("23")
    check_page(page, "back-01-step-2-kept")


def test_mistakes_are_listed_at_the_top_and_beside_each_field(live_server, page):
    trial = reference_trial()
    start(page, live_server.url, trial.nct_id, "errors")
    page.fill("input[name='age']", "two hundred")
    save_and_continue(page)

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter your age as a number, like 12.")
    expect(page.locator("input[name='age']")).to_have_attribute(
        "aria-describedby", re.compile("id_age_error")
    )
    check_page(page, "errors-01-summary")
    summary.get_by_role("link", name="Choose Yes or No.").first.click()
    expect(page.locator("input:focus")).to_have_attribute("type", "radio")
    assert Draft.objects.get().answers.get("age") is None


def test_a_patient_resumes_from_the_emailed_link_in_another_browser(live_server, page, browser):
    trial = reference_trial()
    start(page, live_server.url, trial.nct_id, "resume")
    answer_step(page, AGNES_ANSWERS)
    save_and_continue(page)
    page.get_by_role("button", name="Save and continue later").click()
    check_page(page, "resume-01-saved")
    page.get_by_label("Your email address").fill("agnes@example.org")
    page.get_by_role("button", name="Email me the link").click()
    expect(page.get_by_role("status")).to_contain_text("We will email you a link")
    link = page.locator(".resume-link a").get_attribute("href")
    assert Draft.objects.get().email == "agnes@example.org"

    other = browser.new_context(viewport={"width": 390, "height": 844})
    phone = other.new_page()
    phone.goto(link)
    expect(phone.locator(".step-progress")).to_contain_text("Step 2 of 6")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your diagnosis")
    check_page(phone, "resume-02-other-device")
    other.close()


def test_an_imported_female_only_trial_is_screened_on_its_basics(live_server, page):
    trial = trial_from_ctgov("NCT06388018")
    start(page, live_server.url, trial.nct_id, "imported")
    keys = asked_keys(page)
    assert "sex" in keys and "age" in keys and "mrss" not in keys
    answer_all(page, {"sex": "male", "age": 40, "healthy_volunteer": False}, "imported")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You are probably not eligible for this trial"
    )
    expect(page.locator(".reasons")).to_contain_text("women")
    check_page(page, "imported-02-result")


def test_a_patient_withdraws_and_their_data_is_erased(live_server, page):
    trial = reference_trial()
    start(page, live_server.url, trial.nct_id, "withdraw")
    answer_all(page, AGNES_ANSWERS, "withdraw")
    page.get_by_role("link", name="Send my details to the study team").click()
    page.get_by_label("Your full name").fill("Agnes Tremblay")
    page.get_by_label("Your email address").fill("agnes@example.org")
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Any time").check()
    page.get_by_label("I agree that the study team may contact me").check()
    page.get_by_label("I agree to share my answers").check()
    page.get_by_role("button", name="Send my details").click()
    page.locator(".resume-link a").click()

    page.get_by_role("link", name="Withdraw and erase my data").click()
    check_page(page, "withdraw-08-confirm")
    page.get_by_role("button", name="Yes, withdraw and erase").click()
    expect(page.locator(".status-words")).to_contain_text("You withdrew")
    check_page(page, "withdraw-09-done")

    application = Application.objects.get()
    assert application.status == "withdrawn"
    assert (application.full_name, application.email, application.answers) == ("", "", {})
    assert application.verdict == "likely_eligible"
    assert application.status_changes.get().by is None
