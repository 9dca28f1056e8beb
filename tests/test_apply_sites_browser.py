"""The apply page lists the nearest sites first when the patient asks (in Chromium)."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from tests.browser import assert_accessible, screenshot
from tests.factories import LocationFactory
from tests.patient_journey import AGNES_ANSWERS, reference_trial, walk

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_the_nearest_site_comes_first_and_the_position_stays_in_the_browser(
    live_server, page: Page
):
    trial = reference_trial()
    trial.locations.all().delete()
    LocationFactory(
        trial=trial,
        facility="Vancouver General",
        city="Vancouver",
        status="RECRUITING",
        latitude=49.26,
        longitude=-123.12,
    )
    LocationFactory(
        trial=trial,
        facility="CHUM",
        city="Montreal",
        status="RECRUITING",
        latitude=45.51,
        longitude=-73.56,
    )
    LocationFactory(
        trial=trial,
        facility="Toronto Western",
        city="Toronto",
        status="RECRUITING",
        latitude=43.65,
        longitude=-79.40,
    )
    client = Client()
    walk(client, trial, AGNES_ANSWERS)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 45.50, "longitude": -73.57})  # in Montreal
    requests = []
    page.on("request", lambda r: requests.append(r.url))

    page.goto(f"{live_server.url}/trials/{trial.nct_id}/apply/")
    site = page.get_by_label("Which study site would suit you best?")
    expect(site).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="List the nearest sites first").click()
    expect(
        page.get_by_text("The nearest sites are now first, with their distance.")
    ).to_be_visible()
    labels = site.locator("option").all_inner_texts()
    assert labels[0] == "No preference"
    assert labels[1].startswith("CHUM, Montreal") and labels[1].endswith(" km")
    assert labels[2].startswith("Toronto Western")
    screenshot(page, "apply-sites-nearest-first")
    assert_accessible(page)
    assert not any("45.5" in url or "latitude" in url for url in requests)
