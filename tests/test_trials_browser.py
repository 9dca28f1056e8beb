"""A patient on a phone searches, filters and opens the reference trial."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import assert_accessible, screenshot
from tests.factories import LocationFactory, TrialFactory
from trials.importers.ctgov import study_from_record
from trials.services import trial_upsert

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

DATA = Path(__file__).resolve().parent.parent / "data" / "ctgov"


def test_patient_searches_filters_and_opens_the_reference_trial(live_server, page):
    for path in sorted(DATA.glob("*.json")):
        trial_upsert(data=study_from_record(json.loads(path.read_text())))
    # Enough open asthma trials in Canada to need a second page.
    for trial in TrialFactory.create_batch(22, conditions=["Asthma"]):
        LocationFactory(trial=trial, city="Toronto", country="Canada")

    page.goto(f"{live_server.url}/trials/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a clinical trial")
    expect(page.get_by_role("status")).to_have_text(re.compile(r"38 trials found"))
    assert_accessible(page)
    screenshot(page, "trials-list-phone")

    page.get_by_label("Search by condition, keyword or title").fill("asthma")
    page.get_by_label("Country").select_option("Canada")
    page.get_by_role("button", name="Show trials").click()
    expect(page.get_by_role("status")).to_have_text(re.compile(r"22 trials found"))
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "trials-list-filtered-phone")

    page.get_by_label("Search by condition, keyword or title").fill("scleroderma")
    page.get_by_label("Country").select_option("")
    page.get_by_label("Status").select_option("open")
    page.get_by_label("My age (years)").fill("56")
    page.get_by_role("button", name="Show trials").click()
    expect(page.get_by_role("status")).to_have_text(re.compile(r"1 trial found"))
    page.get_by_role("link", name=re.compile("Umbilical Cord-derived Mesenchymal")).click()

    expect(page).to_have_url(f"{live_server.url}/trials/NCT04356287/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Treatment With Human Umbilical Cord-derived Mesenchymal Stromal Cells"
    )
    expect(page.get_by_text("18 years and older · All sexes")).to_be_visible()
    expect(page.get_by_role("heading", name="Exclusion criteria")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "trial-reference-phone")

    page.goto(f"{live_server.url}/trials/?q=zebrafish")
    expect(page.get_by_text("No trial matches your search.")).to_be_visible()
    assert_accessible(page)
