"""A coordinator's morning at 1366×900, in Chromium: today's work, call the oldest new
applicant (no answer, next attempt tomorrow), go to the next one (reached, visit
scheduled), and see the funnel change. Every page is scanned by axe-core."""

import re
import time
from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from screening.models import Application, ContactAttempt
from screening.questions import answers_validate
from screening.selectors import trial_evaluate
from screening.workdays import working_day_after
from tests.browser import ARTIFACTS, assert_accessible, screenshot
from tests.factories import (
    TEST_TOTP_SECRET,
    ApplicationFactory,
    LocationFactory,
    MembershipFactory,
    TrialFactory,
    UserFactory,
)
from tests.patient_journey import AGNES_ANSWERS, reference_trial

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def totp_now() -> str:
    return format_hotp_value(hotp_value(TEST_TOTP_SECRET, int(time.time()) // 30))


def _submitted(reference: str, *, days: int, **fields) -> Application:
    application = ApplicationFactory(reference=reference, **fields)
    Application.objects.filter(pk=application.pk).update(
        created_at=timezone.now() - timedelta(days=days)
    )
    return application


def test_a_coordinators_morning(live_server, page: Page):
    trial = TrialFactory(nct_id="NCT04356287", brief_title="Stromal cells in systemic sclerosis")
    north = LocationFactory(trial=trial, facility="North clinic", city="Laval", status="RECRUITING")
    south = LocationFactory(trial=trial, facility="South clinic", city="Longueuil")
    alice = UserFactory(email="alice@example.org", first_name="Alice", last_name="Martin")
    MembershipFactory(user=alice, trial=trial)
    MembershipFactory(user=UserFactory(email="carol@example.org", first_name="Carol"), trial=trial)
    _submitted("OLDEST01", days=8, trial=trial, full_name="Odette Oldest", site=north)
    _submitted("SECOND02", days=3, trial=trial, full_name="Simon Second", site=south)
    _submitted("RECENT03", days=0, trial=trial, full_name="Rita Recent", site=north)
    page.set_viewport_size({"width": 1366, "height": 900})

    page.goto(f"{live_server.url}/dashboard/")
    page.get_by_label("Email").fill("alice@example.org")
    page.get_by_label("Password").fill("a long test password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill(totp_now())
    page.get_by_role("button", name="Sign In").click()

    # Today's work: the oldest first, flagged past the 2-working-day deadline.
    expect(page.get_by_role("heading", name="Today's work")).to_be_visible()
    waiting = page.locator("table").filter(has_text="Waiting").locator("tbody tr")
    expect(waiting.first).to_contain_text("Odette Oldest")
    expect(waiting.first).to_contain_text("Overdue")
    expect(waiting.nth(2)).not_to_contain_text("Overdue")
    expect(page.get_by_text("3 applicants you have not opened yet.")).to_be_visible()
    screenshot(page, "morning-01-todays-work")
    assert_accessible(page)

    # The funnel before the calls.
    page.goto(f"{live_server.url}/dashboard/trials/NCT04356287/recruitment/")
    funnel = page.locator("#funnel-table")
    expect(funnel.locator("tr[data-stage=contacted] td").first).to_have_text("0")
    expect(funnel.locator("tr[data-stage=visit] td").first).to_have_text("0")
    screenshot(page, "morning-02-funnel-before")
    assert_accessible(page)

    page.goto(f"{live_server.url}/dashboard/")
    page.get_by_role("link", name="All applicants waiting for a first contact").click()
    screenshot(page, "morning-03-queue-to-contact")
    assert_accessible(page)
    page.get_by_role("link", name="OLDEST01").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Odette Oldest")
    # The contact log and the workflow are on the first screen, no scrolling.
    expect(page.get_by_role("heading", name="Log a contact")).to_be_in_viewport()
    expect(page.get_by_role("link", name="+1 514 555 0100")).to_have_attribute(
        "href", "tel:+15145550100"
    )
    screenshot(page, "morning-04-applicant")
    assert_accessible(page)

    tomorrow = working_day_after(timezone.localdate())
    page.get_by_label("Channel").select_option("phone")
    page.get_by_label("Outcome").select_option("no_answer")
    page.get_by_label("Next attempt (optional)").fill(tomorrow.isoformat())
    page.get_by_role("button", name="Save the contact").click()
    expect(
        page.get_by_text("Contact logged (no answer). Status: “Contacted (attempt 1)”.")
    ).to_be_visible()
    assert page.url.endswith("#contact-log")
    expect(page.locator("#timeline")).to_contain_text("No answer")
    screenshot(page, "morning-05-no-answer-logged")
    assert_accessible(page)

    # Printed for the screening visit: a one-page summary.
    pdf = page.pdf(format="A4")
    page.emulate_media(media="print")
    screenshot(page, "morning-04b-applicant-printed")
    page.emulate_media(media="screen")
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1

    page.get_by_role("link", name="Next applicant").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Simon Second")
    visit = (timezone.localtime() + timedelta(days=2)).replace(hour=9, minute=30)
    page.get_by_label("Outcome").select_option("reached")
    page.get_by_label("If reached").select_option("visit")
    page.get_by_label("Screening visit (date and time)").fill(visit.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Note (optional)").first.fill("Happy to come on Tuesday")
    page.get_by_role("button", name="Save the contact").click()
    expect(page.get_by_text("Status: “Screening visit scheduled”.")).to_be_visible()
    screenshot(page, "morning-06-visit-scheduled")
    assert_accessible(page)

    # The funnel has moved; the follow-up and the visit are in today's work.
    page.goto(f"{live_server.url}/dashboard/trials/NCT04356287/recruitment/")
    expect(funnel.locator("tr[data-stage=contacted] td").first).to_have_text("2")
    expect(funnel.locator("tr[data-stage=visit] td").first).to_have_text("1")
    expect(page.locator("#funnel-chart")).to_be_visible()
    screenshot(page, "morning-07-funnel-after")
    assert_accessible(page)

    page.goto(f"{live_server.url}/dashboard/")
    expect(page.locator("#visits-heading + ul")).to_contain_text("Simon Second")
    expect(page.get_by_text("1 applicant you have not opened yet.")).to_be_visible()
    screenshot(page, "morning-08-home-after")
    assert_accessible(page)

    page.goto(f"{live_server.url}/dashboard/applicants/")
    page.get_by_role("link", name="Days waiting").click()
    expect(page.locator("tbody tr").first).to_contain_text("OLDEST01")
    # Every select box ticks from a 44 × 44 px target (its label), not only the 22 px box.
    for target in page.locator("label.select-target").all():
        box = target.bounding_box()
        assert box and box["width"] >= 44 and box["height"] >= 44, box
    page.locator("tbody label.select-target").first.click(position={"x": 2, "y": 2})
    expect(page.locator("tbody input[type=checkbox]").first).to_be_checked()
    page.locator("[data-select-all]").check()
    page.get_by_role("button", name="Assign selected to me").click()
    expect(page.get_by_text("3 applicants assigned.")).to_be_visible()
    screenshot(page, "morning-09-queue-assigned")
    assert_accessible(page)

    page.goto(f"{live_server.url}/dashboard/trials/NCT04356287/recruitment/settings/")
    screenshot(page, "morning-10-recruitment-settings")
    assert_accessible(page)

    assert [a.outcome for a in ContactAttempt.objects.order_by("at")] == ["no_answer", "reached"]
    assert Application.objects.get(reference="OLDEST01").next_action_on == tomorrow
    assert set(Application.objects.values_list("assigned_to", flat=True)) == {alice.pk}


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


UNKNOWN = ("mrss", "fvc_pct_predicted", "esr_mm_h")


@pytest.mark.parametrize(("unknown", "language"), [((), "en"), (UNKNOWN, "en"), (UNKNOWN, "fr")])
def test_a_reference_trial_applicant_prints_on_one_a4_page(
    live_server, page: Page, unknown, language
):
    """The applicant of the reference trial (17 criteria, every question answered, a few
    "I don't know") prints as a one-page A4 summary for the screening visit: who, status,
    verdict, the points to check with room for the value found, the answers; the full
    criterion tables stay on the portal page."""
    trial = reference_trial()
    site = LocationFactory(trial=trial, facility="North clinic", city="Laval")
    alice = UserFactory(email="alice@example.org", first_name="Alice", last_name="Martin")
    MembershipFactory(user=alice, trial=trial)
    answers = answers_validate({**AGNES_ANSWERS, **dict.fromkeys(unknown)})
    evaluation = trial_evaluate(trial=trial, answers=answers)
    application = _submitted(
        "PRINT001",
        days=1,
        trial=trial,
        site=site,
        full_name="Agnès Tremblay-Beauchemin",
        answers=answers,
        evaluation=evaluation,
        verdict=evaluation["verdict"],
        score=evaluation["score"],
    )
    questions = len(answers)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/dashboard/applicants/{application.reference}/")
    page.get_by_label("Email").fill("alice@example.org")
    page.get_by_label("Password").fill("a long test password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill(totp_now())
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Agnès Tremblay-Beauchemin")
    # The coordinator's browser language (French is the longer text).
    page.set_extra_http_headers({"Accept-Language": f"{language}-CA"})
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", language)
    with translation.override(language):
        full_criteria = translation.gettext(
            "The full criteria, criterion by criterion, are on the applicant's page in the "
            "portal: %(url)s"
        ) % {"url": page.url}

    pdf = page.pdf(format="A4", print_background=True)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"applicant-printed-{language}-{len(unknown)}-unknown.pdf").write_bytes(pdf)
    assert _pdf_pages(pdf) == 1

    page.emulate_media(media="print")
    printed = page.locator("main")
    for visible in ("Agnès Tremblay-Beauchemin", "PRINT001", "NCT04356287", "North clinic"):
        expect(printed).to_contain_text(visible)
    expect(page.get_by_text("+1 514 555 0100")).to_be_visible()
    expect(page.locator("#points-heading")).to_be_visible()
    expect(page.locator("#answers-heading")).to_be_visible()
    expect(page.locator(".answers dt:visible")).to_have_count(questions)
    # Every point to check has a line to write the value found on.
    points = page.locator(".points .point")
    expect(page.locator(".points .print-value-line")).to_have_count(points.count())
    if unknown:
        assert points.count() >= len(unknown)
    expect(page.get_by_text(full_criteria)).to_be_visible()
    for hidden in ("#evaluation-heading", "#timeline", "#contact-log", "#workflow"):
        expect(page.locator(hidden)).to_be_hidden()
    # Nothing printed smaller than 8 pt (Chromium prints CSS px at 96 per inch: 8 pt = 10.67 px).
    smallest = page.evaluate(
        """() => Math.min(...Array.from(document.querySelectorAll('main *'))
             .filter(el => el.offsetParent !== null && el.innerText && el.innerText.trim())
             .map(el => parseFloat(getComputedStyle(el).fontSize)))"""
    )
    assert smallest >= 8 * 96 / 72 - 0.01, smallest
    screenshot(page, f"applicant-printed-{language}-{len(unknown)}-unknown")
    page.emulate_media(media="screen")
    # The screen keeps its layout: the criteria table and the forms are there.
    expect(page.locator("#evaluation-heading")).to_be_visible()
    expect(page.get_by_text(full_criteria)).to_be_hidden()
