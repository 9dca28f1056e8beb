"""The public page of one trial."""

import json
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from screening.models import Application
from tests.factories import LocationFactory, OfficialFactory, TrialFactory
from trials.importers.ctgov import study_from_record
from trials.services import trial_upsert

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data" / "ctgov"
REFERENCE_URL = "/trials/NCT04356287/"


def import_record(nct_id: str):
    record = json.loads((DATA / f"{nct_id}.json").read_text())
    return trial_upsert(data=study_from_record(record))[0]


@pytest.fixture
def reference():
    return import_record("NCT04356287")


def section(content: str, heading_id: str) -> str:
    start = content.index(f'id="{heading_id}"')
    end = content.find("</section>", start)
    return content[start:end]


def test_the_reference_trial_page_shows_the_record(client, reference):
    response = client.get(REFERENCE_URL)
    content = response.content.decode()
    assert response.status_code == 200
    assert (
        '<h1 class="trial-title" lang="en">Treatment With Human Umbilical Cord-derived' in content
    )
    assert 'status-recruiting">Recruiting</span>' in content
    assert '<dt>Sponsor</dt><dd lang="en">Marie Hudson, MD</dd>' in content
    assert "<dt>Launch date</dt><dd>April 21, 2020</dd>" in content
    assert "18 years and older · All sexes" in content
    for keyword in (
        "Systemic Sclerosis",
        "Umbilical Cord Derived Mesenchymal Stromal Cells",
        "Scleroderma, Systemic",
    ):
        assert f'<li class="keyword" lang="en">{keyword}</li>' in content
    assert "safe and effective for people with severe systemic sclerosis" in content


def test_the_reference_criteria_are_4_inclusion_and_13_exclusion_items(client, reference):
    content = client.get(REFERENCE_URL).content.decode()
    inclusion = section(content, "inclusion-heading")
    exclusion = section(content, "exclusion-heading")
    top_level = re.compile(r'<li><span class="criterion-number">(\d+)\.</span>')
    assert top_level.findall(inclusion) == ["1", "2", "3", "4"]
    assert top_level.findall(exclusion) == [str(n) for n in range(1, 14)]
    # The source's typo is kept: it is the published text.
    assert "(ACR/EULAR) 2103 classification criteria" in inclusion
    assert "Age &lt; 18 years" in exclusion
    assert "\\&lt;" not in content and "\\&gt;" not in content


def test_the_timeline_says_not_reported_for_a_missing_completion(client, reference):
    timeline = section(client.get(REFERENCE_URL).content.decode(), "timeline-heading")
    assert "<dt>First submitted</dt><dd>April 21, 2020</dd>" in timeline
    assert "<dt>Completion</dt><dd>Not reported</dd>" in timeline
    assert "<dt>Last update</dt><dd>June 26, 2025</dd>" in timeline


def test_the_timeline_says_estimated_or_actual(client):
    import_record("NCT06388018")
    timeline = section(client.get("/trials/NCT06388018/").content.decode(), "timeline-heading")
    assert "January 16, 2027" in timeline and "(estimated)" in timeline
    import_record("NCT00184067")
    timeline = section(client.get("/trials/NCT00184067/").content.decode(), "timeline-heading")
    assert "September 2009" in timeline and "(actual)" in timeline


def test_sites_and_officials_are_listed(client, reference):
    content = client.get(REFERENCE_URL).content.decode()
    sites = section(content, "locations-heading")
    assert "Sir Mortimer B. Davis - Jewish General Hospital" in sites
    assert "Montreal, Quebec, Canada" in sites
    officials = section(content, "officials-heading")
    assert "Marie Hudson, MD</span>, Principal investigator" in officials


def make_application(trial, n):
    return Application.objects.create(
        reference=f"REF{n:05d}",
        trial=trial,
        full_name="Pat Patient",
        email=f"pat{n}@example.org",
        verdict="needs_review",
        score=0.5,
        consent_version="1",
        consented_at=timezone.now(),
    )


def test_the_page_counts_the_patients_who_applied(client, reference):
    other = TrialFactory()
    for n in range(3):
        make_application(reference, n)
    make_application(other, 9)
    content = client.get(REFERENCE_URL).content.decode()
    assert '<dd class="applied-count">3 patients applied</dd>' in content


def test_similar_trials_share_a_condition_or_keyword_recruiting_first(client, reference):
    TrialFactory(
        nct_id="NCT00000101",
        brief_title="Closed SSc",
        conditions=["Systemic Sclerosis"],
        overall_status="COMPLETED",
    )
    TrialFactory(
        nct_id="NCT00000102",
        brief_title="Open scleroderma",
        conditions=["Lupus"],
        keywords=["Scleroderma, Systemic"],
    )
    TrialFactory(nct_id="NCT00000103", brief_title="Unrelated asthma", conditions=["Asthma"])
    similar = section(client.get(REFERENCE_URL).content.decode(), "similar-heading")
    assert similar.index("Open scleroderma") < similar.index("Closed SSc")
    assert "Unrelated asthma" not in similar
    assert "Treatment With Human Umbilical" not in similar


def test_ids_are_read_in_any_case(client, reference):
    assert client.get("/trials/nct04356287/").status_code == 200


@pytest.mark.parametrize(
    "url", ["/trials/abc/", "/trials/NCT123/", "/trials/NCT99999999/", "/trials/NCT04356287x/"]
)
def test_unknown_or_malformed_ids_give_the_site_404_page(client, reference, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_the_check_button_starts_the_questionnaire(client, reference):
    content = client.get(REFERENCE_URL).content.decode()
    assert 'href="/trials/NCT04356287/check/">Check if you qualify</a>' in content


def test_no_check_button_for_a_closed_trial(client):
    import_record("NCT00184067")  # terminated
    assert "Check if you qualify" not in client.get("/trials/NCT00184067/").content.decode()


def test_no_check_button_when_the_team_closed_screening(client, reference):
    reference.screening_open = False
    reference.save(update_fields=["screening_open"])
    assert "Check if you qualify" not in client.get(REFERENCE_URL).content.decode()


def detail_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_detail_queries_do_not_grow_with_sites_officials_or_trials(
    client, django_assert_max_num_queries
):
    few = TrialFactory(conditions=["Asthma"])
    LocationFactory.create_batch(2, trial=few)
    OfficialFactory(trial=few)
    TrialFactory(conditions=["Asthma"])
    few_count = detail_queries(client, few.get_absolute_url())

    many = TrialFactory(conditions=["Asthma"])
    LocationFactory.create_batch(60, trial=many)
    OfficialFactory.create_batch(10, trial=many)
    for _ in range(30):
        make_application(many, _)
    TrialFactory.create_batch(30, conditions=["Asthma"])
    # The trial, its sites, its officials, its stored similar trials by NCT number, one
    # COUNT of its applications, and its encoded criteria (the questionnaire's size beside
    # "Check if you qualify").
    with django_assert_max_num_queries(6):
        many_count = detail_queries(client, many.get_absolute_url())
    assert many_count == few_count
