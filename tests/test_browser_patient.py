"""The patient journey in a real browser at a phone's size, in English and in French.

Every test runs once per language: the browser asks for that language (its
Accept-Language), as a patient's phone would. Every page a patient meets is
screenshotted (test-artifacts/<language>-<name>.png), must have zero axe violations,
must not mix languages (registry text marked lang="en" apart), and has no link or button
under 44 px.
"""

import json
import re

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from screening.models import Application, Draft
from screening.questions import INTEGER, NUMBER, QUESTIONS
from tests.browser import (
    ARTIFACTS,
    assert_accessible,
    assert_no_sideways_scroll,
    assert_one_language,
    assert_targets_big_enough,
    screenshot,
)
from tests.factories import TrialFactory, trial_from_ctgov
from tests.patient_journey import AGNES_ANSWERS, reference_trial

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

LOCALES = {"en": "en-CA", "fr": "fr-CA"}


@pytest.fixture(params=["en", "fr"])
def language(request):
    return request.param


@pytest.fixture
def browser_context_args(browser_context_args, language):
    # The phone's language: Playwright sends it as Accept-Language.
    return {**browser_context_args, "locale": LOCALES[language]}


def t(language: str, msgid: str, **params) -> str:
    """What the portal says for `msgid` in `language`."""
    with translation.override(language):
        text = translation.gettext(msgid)
    return text % params if params else text


def check_page(page: Page, language: str, name: str) -> None:
    screenshot(page, f"{language}-{name}")
    assert_accessible(page)
    assert_one_language(page, language)
    assert_targets_big_enough(page)
    assert_no_sideways_scroll(page)


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


def save_and_continue(page: Page, language: str = "en") -> None:
    page.get_by_role("button", name=t(language, "Save and continue"), exact=True).click()


def start(page: Page, language: str, url: str, nct_id: str, name: str) -> None:
    page.goto(f"{url}/trials/{nct_id}/check/")
    expect(page.get_by_role("heading", level=1)).to_have_text(t(language, "Check if you qualify"))
    check_page(page, language, f"{name}-00-start")
    page.get_by_role("button", name=t(language, "Start the questions")).click()


def answer_all(page: Page, language: str, answers: dict, name: str) -> int:
    steps = 0
    while "/check/step/" in page.url:
        steps += 1
        expect(page.locator(".step-progress")).to_contain_text(
            t(language, "Step %(number)s of %(total)s", number=steps, total="")
        )
        check_page(page, language, f"{name}-{steps:02d}-step")
        answer_step(page, answers)
        save_and_continue(page, language)
        assert steps < 10
    return steps


def apply_as_agnes(page: Page, language: str, email: str = "agnes@example.org") -> None:
    page.get_by_label(t(language, "Your full name")).fill("Agnes Tremblay")
    page.get_by_label(t(language, "Your email address")).fill(email)
    page.get_by_label(t(language, "Email"), exact=True).check()
    page.get_by_label(t(language, "Any time")).check()
    page.get_by_label(
        t(language, "I agree that the study team may contact me about this study.")
    ).check()
    page.get_by_label(t(language, "I agree to share my answers with the study team.")).check()
    page.get_by_role("button", name=t(language, "Send my details"), exact=True).click()


def test_from_the_trial_list_to_the_status_link_in_the_phones_language(live_server, page, language):
    trial = reference_trial()
    page.goto(f"{live_server.url}/trials/")
    check_page(page, language, "journey-00-list")
    page.get_by_role("link", name=trial.brief_title).click()
    expect(page.locator(".questionnaire-size")).to_contain_text("6")
    check_page(page, language, "journey-01-trial")
    page.get_by_role("link", name=t(language, "Check if you qualify")).click()
    check_page(page, language, "journey-02-start")
    page.get_by_role("button", name=t(language, "Start the questions")).click()
    assert answer_all(page, language, AGNES_ANSWERS, "journey") == 6

    expect(page.get_by_role("heading", level=1)).to_have_text(t(language, "You may be eligible"))
    expect(page.locator(".criteria-met .criterion")).to_have_count(17)
    expect(page.locator(".criteria-met .criterion").first).not_to_be_visible()  # folded
    expect(page.locator(".not-advice")).to_be_visible()
    check_page(page, language, "journey-07-result")

    page.get_by_role("link", name=t(language, "Send my details to the study team")).click()
    check_page(page, language, "journey-08-apply")
    apply_as_agnes(page, language)

    expect(page.get_by_role("heading", level=1)).to_have_text(
        t(language, "Thank you: your details have been sent")
    )
    application = Application.objects.get()
    expect(page.locator(".reference")).to_have_text(application.reference)
    assert application.verdict == "likely_eligible"
    assert application.language == language
    assert application.answers["mrss"] == 25
    check_page(page, language, "journey-09-confirmation")

    page.locator(".resume-link a").click()
    expect(page.locator(".status-words")).to_contain_text(
        t(language, "Received. The study team has not looked at it yet.")
    )
    check_page(page, language, "journey-10-status")


def test_the_switch_changes_the_language_and_a_step_keeps_its_answers(live_server, page, language):
    other = {"en": "fr", "fr": "en"}[language]
    trial = reference_trial()
    page.goto(f"{live_server.url}{trial.get_absolute_url()}")
    page.locator(f".language-switch a[lang='{other}']").click()
    expect(page.locator("html")).to_have_attribute("lang", other)
    assert page.url.endswith(trial.get_absolute_url())
    check_page(page, other, "switch-01-trial")
    page.goto(f"{live_server.url}/trials/")  # remembered without an account
    expect(page.locator("html")).to_have_attribute("lang", other)

    page.goto(f"{live_server.url}/trials/{trial.nct_id}/check/")
    page.get_by_role("button", name=t(other, "Start the questions")).click()
    page.fill("input[name='age']", "45")
    page.locator(f".language-switch button[lang='{language}']").click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("input[name='age']")).to_have_value("45")
    expect(page.locator(".trial-name a")).to_have_count(0)  # no way out without saving
    check_page(page, language, "switch-02-step")
    assert Draft.objects.get().answers["age"] == 45


@pytest.mark.parametrize(
    ("outcome", "answers"),
    [
        ("likely-eligible", AGNES_ANSWERS),
        ("needs-review", {**AGNES_ANSWERS, "mrss": None}),
        ("not-eligible", {**AGNES_ANSWERS, "age": 16}),
    ],
)
def test_the_result_fits_its_verdict_open_points_and_action_in_one_phone_screen(
    live_server, page, language, outcome, answers
):
    """At 390 x 844 px: the verdict, the open points and the one action (for "not
    eligible": the reason) end within the first screen. Heights go to
    test-artifacts/result-heights.json."""
    trial = reference_trial()
    start(page, language, live_server.url, trial.nct_id, f"result-{outcome}")
    answer_all(page, language, answers, f"result-{outcome}")
    check_page(page, language, f"result-{outcome}-390")
    verdict = page.locator(".verdict")
    expect(verdict).to_be_visible()
    if outcome == "not-eligible":
        last = page.locator(".reasons")
    else:
        last = page.locator(".next-action .btn-primary")
    if outcome == "needs-review":
        points = page.locator(".open-points")
        expect(points).to_contain_text(t(language, "you answered “I don't know”"))
        expect(points).to_contain_text(
            t(language, "Your %(label)s", label=t(language, "skin score"))
        )
    box = last.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 844, box
    height = page.evaluate("document.documentElement.scrollHeight")
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "result-heights.json"
    figures = json.loads(path.read_text()) if path.exists() else {}
    figures[f"{outcome}-{language}"] = {
        "page": height,
        "first_screen_ends_at": box["y"] + box["height"],
    }
    path.write_text(json.dumps(figures, indent=1, sort_keys=True))


def test_a_sixteen_year_old_is_told_kindly_at_once_with_other_trials(live_server, page, language):
    trial = reference_trial()
    TrialFactory(
        nct_id="NCT00000042",
        brief_title="Skin care in scleroderma",
        conditions=["Systemic Sclerosis"],
    )
    start(page, language, live_server.url, trial.nct_id, "sixteen")
    answer_step(page, {**AGNES_ANSWERS, "age": 16})
    save_and_continue(page, language)

    expect(page.get_by_role("heading", level=1)).to_have_text(
        t(language, "You are probably not eligible for this trial")
    )
    expect(page.locator(".reasons")).to_contain_text("16")
    expect(page.get_by_role("link", name="Skin care in scleroderma")).to_be_visible()
    expect(page.get_by_role("link", name=t(language, "Leave my details anyway"))).to_be_visible()
    check_page(page, language, "sixteen-01-result")

    page.get_by_role("link", name=t(language, "Change an answer")).click()
    expect(page.locator("input[name='age']")).to_have_value("16")
    check_page(page, language, "sixteen-02-change")


def test_back_keeps_the_answers_of_both_steps(live_server, page, language):
    trial = reference_trial()
    start(page, language, live_server.url, trial.nct_id, "back")
    answer_step(page, AGNES_ANSWERS)
    save_and_continue(page, language)
    page.fill("input[name='mrss']", "23")
    page.get_by_role("button", name=t(language, "Back"), exact=True).click()

    expect(page.locator(".step-progress")).to_contain_text(
        t(language, "Step %(number)s of %(total)s", number=1, total="")
    )
    expect(page.locator("input[name='age']")).to_have_value("45")
    expect(page.locator("input[name='pregnant'][value='false']")).to_be_checked()
    save_and_continue(page, language)
    expect(page.locator("input[name='mrss']")).to_have_value("23")
    check_page(page, language, "back-01-step-2-kept")


def test_mistakes_are_listed_at_the_top_and_beside_each_field(live_server, page, language):
    trial = reference_trial()
    start(page, language, live_server.url, trial.nct_id, "errors")
    page.fill("input[name='age']", "two hundred")
    save_and_continue(page, language)

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(
        t(
            language,
            "Enter your %(name)s as a number, like %(example)s.",
            name=t(language, "age"),
            example=12,
        )
    )
    expect(page.locator("input[name='age']")).to_have_attribute(
        "aria-describedby", re.compile("id_age_error")
    )
    check_page(page, language, "errors-01-summary")
    summary.get_by_role("link", name=t(language, "Choose Yes or No.")).first.click()
    expect(page.locator("input:focus")).to_have_attribute("type", "radio")
    assert Draft.objects.get().answers.get("age") is None


def test_a_patient_resumes_from_the_emailed_link_in_another_browser(
    live_server, page, browser, language
):
    trial = reference_trial()
    start(page, language, live_server.url, trial.nct_id, "resume")
    answer_step(page, AGNES_ANSWERS)
    save_and_continue(page, language)
    page.get_by_role("button", name=t(language, "Save and continue later")).click()
    check_page(page, language, "resume-01-saved")
    page.get_by_label(t(language, "Your email address")).fill("agnes@example.org")
    page.get_by_role("button", name=t(language, "Email me the link")).click()
    expect(page.get_by_role("status")).to_contain_text(
        t(language, "Thank you. We will email you a link to continue.")
    )
    link = page.locator(".resume-link a").get_attribute("href")
    assert Draft.objects.get().email == "agnes@example.org"

    other = browser.new_context(viewport={"width": 390, "height": 844}, locale=LOCALES[language])
    phone = other.new_page()
    phone.goto(link)
    expect(phone.locator(".step-progress")).to_contain_text(
        t(language, "Step %(number)s of %(total)s", number=2, total=6)
    )
    expect(phone.get_by_role("heading", level=1)).to_have_text(t(language, "Your diagnosis"))
    check_page(phone, language, "resume-02-other-device")
    other.close()


def test_an_imported_female_only_trial_is_screened_on_its_basics(live_server, page, language):
    trial = trial_from_ctgov("NCT06388018")
    start(page, language, live_server.url, trial.nct_id, "imported")
    keys = asked_keys(page)
    assert "sex" in keys and "age" in keys and "mrss" not in keys
    # No question here offers "I don't know", so the page does not suggest it.
    expect(page.get_by_text(t(language, "I don't know"), exact=False)).to_have_count(0)
    answer_all(page, language, {"sex": "male", "age": 40, "healthy_volunteer": False}, "imported")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t(language, "You are probably not eligible for this trial")
    )
    expect(page.locator(".reasons")).to_contain_text(t(language, "Open to women only"))
    check_page(page, language, "imported-02-result")


def test_a_long_email_address_wraps_on_a_320_px_screen(live_server, page, language):
    trial = reference_trial()
    start(page, language, live_server.url, trial.nct_id, "long-email")
    answer_all(page, language, AGNES_ANSWERS, "long-email")
    page.get_by_role("link", name=t(language, "Send my details to the study team")).click()
    email = (
        "agnes.tremblay-gagnon.rheumatology.followup@centre-hospitalier-universitaire.example.org"
    )
    apply_as_agnes(page, language, email=email)
    page.set_viewport_size({"width": 320, "height": 700})
    expect(page.get_by_text(email)).to_be_visible()
    check_page(page, language, "long-email-01-confirmation-320")


def test_a_patient_withdraws_and_their_data_is_erased(live_server, page, language):
    trial = reference_trial()
    start(page, language, live_server.url, trial.nct_id, "withdraw")
    answer_all(page, language, AGNES_ANSWERS, "withdraw")
    page.get_by_role("link", name=t(language, "Send my details to the study team")).click()
    apply_as_agnes(page, language)
    page.locator(".resume-link a").click()

    page.get_by_role("link", name=t(language, "Withdraw and erase my data")).click()
    check_page(page, language, "withdraw-08-confirm")
    page.get_by_role("button", name=t(language, "Yes, withdraw and erase")).click()
    expect(page.locator(".status-words")).to_contain_text(
        t(language, "You withdrew. Your details and answers have been erased.")
    )
    check_page(page, language, "withdraw-09-done")

    application = Application.objects.get()
    assert application.status == "withdrawn"
    assert (application.full_name, application.email, application.answers) == ("", "", {})
    assert application.verdict == "likely_eligible"
    assert application.status_changes.get().by is None
