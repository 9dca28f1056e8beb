"""Near me everywhere: the trial list's "near" filter and the trial page's nearest sites."""

import re

import pytest
from django.urls import reverse

from tests.factories import LocationFactory, TrialFactory
from trials.models import OverallStatus

pytestmark = pytest.mark.django_db

MONTREAL = (45.5017, -73.5673)
TORONTO = (43.6532, -79.3832)
PARIS = (48.8566, 2.3522)


def trial_at(nct_id, *points, **fields):
    trial = TrialFactory(nct_id=nct_id, **fields)
    for city, (lat, lon) in points:
        LocationFactory(trial=trial, city=city, country="X", latitude=lat, longitude=lon)
    return trial


@pytest.fixture
def sites():
    trial_at("NCT90000010", ("Paris", PARIS))
    trial_at("NCT90000011", ("Toronto", TORONTO))
    trial_at("NCT90000012", ("Montreal", MONTREAL))
    trial_at("NCT90000013", ("Paris", PARIS), ("Montreal", MONTREAL), ("Toronto", TORONTO))
    trial_at("NCT90000014")  # no site


def listed(response):
    return re.findall(r'href="/trials/(NCT\d+)/"', response.content.decode())


def test_near_a_city_sorts_by_distance_and_leaves_out_the_unlocated(client, sites):
    response = client.get(reverse("trials:list"), {"near": "montreal-x"})
    assert response.status_code == 200
    assert listed(response)[:2] in (
        ["NCT90000012", "NCT90000013"],
        ["NCT90000013", "NCT90000012"],
    )
    assert listed(response)[2:] == ["NCT90000011", "NCT90000010"]
    assert "Nearest open site: 0 km away" in response.content.decode()


def test_near_with_a_distance_keeps_only_trials_with_a_site_that_near(client, sites):
    response = client.get(reverse("trials:list"), {"near": "Toronto", "within": "100"})
    assert sorted(listed(response)) == ["NCT90000011", "NCT90000013"]


def test_an_unknown_city_is_a_clear_400(client, sites):
    response = client.get(reverse("trials:list"), {"near": "Atlantis"})
    assert response.status_code == 400
    assert "We found no study site in that city." in response.content.decode()


def test_near_here_reads_the_browser_location_from_the_session(client, sites):
    client.post(reverse("matching:location"), {"latitude": "43.65", "longitude": "-79.38"})
    response = client.get(reverse("trials:list"), {"near": "here"})
    assert listed(response)[0] in ("NCT90000011", "NCT90000013")


def test_the_trial_page_lists_its_sites_nearest_first_when_a_place_is_known(client, sites):
    url = reverse("trials:detail", args=["NCT90000013"])
    html = client.get(url, {"near": "toronto-x"}).content.decode()
    assert html.index("Toronto") < html.index("Montreal") < html.index("Paris")
    assert "km away" in html
    plain = client.get(url).content.decode()
    assert "km away" not in plain


def test_closed_trials_sites_are_no_places(client):
    trial_at("NCT90000020", ("Oslo", (59.91, 10.75)), overall_status=OverallStatus.COMPLETED)
    response = client.post(reverse("matching:places"), {"q": "oslo"})
    assert response.json()["places"] == []


@pytest.mark.parametrize(
    ("typed", "city"),
    [
        ("Montréal", "Montreal"),  # as a French speaker types it
        ("MONTRÉAL", "Montreal"),
        ("montreal", "Montréal"),  # the registry's own accents, typed without
        ("Quebec", "Québec"),
        ("Zurich", "Zürich"),
        ("São Paulo", "Sao Paulo"),
    ],
)
def test_a_city_is_found_whatever_its_accents_and_case(client, typed, city):
    trial_at("NCT90000030", (city, MONTREAL))
    found = client.post(reverse("matching:places"), {"q": typed}).json()["places"]
    assert [p["name"] for p in found] == [f"{city}, X"]
    response = client.get(reverse("trials:list"), {"near": typed, "within": "25"})
    assert response.status_code == 200
    assert listed(response) == ["NCT90000030"]
