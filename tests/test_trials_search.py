"""The trial list: full-text search, filters, ordering, pagination and empty states."""

import json

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CTGOV, LocationFactory, TrialFactory
from trials.importers.ctgov import study_from_record
from trials.models import SEARCH_VECTOR, Sex, Trial
from trials.selectors import trial_search
from trials.services import trial_upsert

pytestmark = pytest.mark.django_db


def nct_ids(**params):
    query = params.pop("query", "")
    return [t.nct_id for t in trial_search(query=query, filters=params)]


@pytest.fixture
def catalogue():
    """Three trials a patient might look through."""
    return {
        "asthma": TrialFactory(
            nct_id="NCT00000001",
            brief_title="Inhaled budesonide for children",
            conditions=["Asthma"],
            keywords=["wheezing"],
            overall_status="COMPLETED",
            minimum_age=6.0,
            maximum_age=17.0,
        ),
        "ssc": TrialFactory(
            nct_id="NCT00000002",
            brief_title="Stromal cells in systemic sclerosis",
            conditions=["Systemic Sclerosis"],
            keywords=["Scleroderma"],
            brief_summary="Cells derived from umbilical cords.",
            overall_status="RECRUITING",
            minimum_age=18.0,
            maximum_age=None,
        ),
        "endometrial": TrialFactory(
            nct_id="NCT00000003",
            brief_title="Radiation after surgery",
            conditions=["Endometrial Cancer"],
            brief_summary="Adjuvant treatment of asthma-free women with carcinoma.",
            overall_status="NOT_YET_RECRUITING",
            sex=Sex.FEMALE,
            minimum_age=18.0,
            maximum_age=75.0,
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("budesonide", ["NCT00000001"]),  # title
        ("sclerosis", ["NCT00000002"]),  # condition
        ("scleroderma", ["NCT00000002"]),  # keyword
        ("umbilical cords", ["NCT00000002"]),  # summary, every word
        ("wheezing budesonide", ["NCT00000001"]),
        ("insulin", []),
    ],
)
def test_search_finds_title_condition_keyword_and_summary(catalogue, query, expected):
    assert nct_ids(query=query) == expected


def test_search_ignores_the_detailed_description(catalogue):
    TrialFactory(nct_id="NCT00000009", detailed_description="a rare word: zebrafish")
    assert nct_ids(query="zebrafish") == []


def test_open_trials_come_first_when_searching(catalogue):
    # "asthma" is a condition of a completed trial and a word in an open trial's summary.
    assert nct_ids(query="asthma") == ["NCT00000003", "NCT00000001"]


def test_by_default_every_status_is_listed_open_first(catalogue):
    ids = nct_ids()
    assert set(ids[:2]) == {"NCT00000002", "NCT00000003"}
    assert ids[2] == "NCT00000001"


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("open", {"NCT00000002", "NCT00000003"}),
        ("COMPLETED", {"NCT00000001"}),
        ("RECRUITING", {"NCT00000002"}),
        ("WITHDRAWN", set()),
    ],
)
def test_status_filter(catalogue, status, expected):
    assert set(nct_ids(status=status)) == expected


def test_condition_filter_matches_conditions_and_keywords(catalogue):
    assert nct_ids(condition="scleroderma") == ["NCT00000002"]
    assert nct_ids(condition="Endometrial") == ["NCT00000003"]


@pytest.mark.parametrize(
    ("typed", "registry"),
    [
        ("sjögren", "Sjogren Syndrome"),
        ("SJOGREN", "Sjögren Syndrome"),
        ("Behcet", "Behçet Disease"),
        ("endométrial", "Endometrial Cancer"),
        ("  Sjogren   syndrome ", "Sjögren Syndrome"),
    ],
)
def test_condition_filter_ignores_case_accents_and_spaces(typed, registry):
    TrialFactory(nct_id="NCT00000009", conditions=[registry])
    assert nct_ids(condition=typed) == ["NCT00000009"]


def test_country_and_city_must_hold_at_the_same_site(catalogue):
    LocationFactory(trial=catalogue["ssc"], city="Montreal", country="Canada")
    LocationFactory(trial=catalogue["asthma"], city="Montreal", country="France")
    LocationFactory(trial=catalogue["asthma"], city="Toronto", country="Canada")
    assert set(nct_ids(country="Canada")) == {"NCT00000001", "NCT00000002"}
    assert nct_ids(country="Canada", city="montreal") == ["NCT00000002"]
    assert set(nct_ids(city="Montreal")) == {"NCT00000001", "NCT00000002"}


def test_sex_filter_keeps_trials_open_to_all(catalogue):
    assert set(nct_ids(sex="MALE")) == {"NCT00000001", "NCT00000002"}
    assert set(nct_ids(sex="FEMALE")) == {"NCT00000001", "NCT00000002", "NCT00000003"}


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        ("5", set()),
        ("6", {"NCT00000001"}),
        ("17", {"NCT00000001"}),
        ("40", {"NCT00000002", "NCT00000003"}),
        ("80", {"NCT00000002"}),
    ],
)
def test_my_age_keeps_trials_whose_age_range_admits_it(catalogue, age, expected):
    assert set(nct_ids(age=age)) == expected


def test_a_trial_with_no_age_limits_admits_every_age():
    TrialFactory(nct_id="NCT00000010", minimum_age=None, maximum_age=None)
    assert nct_ids(age="1") == ["NCT00000010"]


def test_the_list_page_shows_status_in_words_and_the_count(client, catalogue):
    response = client.get("/trials/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "3 trials found" in content
    results = content[content.index('id="results-heading"') :]
    assert 'status-open">Not yet recruiting</span>' in results
    assert 'status-closed">Completed</span>' in results
    assert "NOT_YET_RECRUITING" not in results


def test_the_list_page_searches_and_filters(client, catalogue):
    response = client.get("/trials/", {"q": "sclerosis", "status": "open", "age": "50"})
    content = response.content.decode()
    assert "1 trial found" in content
    assert "Stromal cells in systemic sclerosis" in content
    assert "Clear search and filters" in content


def test_every_filter_has_a_label(client, catalogue):
    content = client.get("/trials/").content.decode()
    for name in ("q", "status", "condition", "country", "city", "sex", "age"):
        assert f'<label class="form-label fw-semibold" for="id_{name}">' in content


def test_an_unreadable_filter_is_a_400_with_a_message(client, catalogue):
    response = client.get("/trials/", {"age": "forty"})
    assert response.status_code == 400
    assert "Enter a number." in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()


def test_an_unknown_country_is_refused_with_a_message(client, catalogue):
    response = client.get("/trials/", {"country": "Atlantis"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_no_trials_imported_says_so(client):
    content = client.get("/trials/").content.decode()
    assert "No trials have been added yet." in content
    assert "trials found" not in content


def test_no_match_suggests_clearing_the_filters(client, catalogue):
    content = client.get("/trials/", {"q": "insulin"}).content.decode()
    assert "0 trials found" in content
    assert "No trial matches your search." in content
    assert 'href="/trials/">Clear search and filters' in content


def test_pagination_twenty_a_page(client):
    TrialFactory.create_batch(45)
    first = client.get("/trials/").content.decode()
    assert first.count('class="trial-card') == 20
    assert "45 trials found" in first
    assert "Page 1 of 3" in first
    assert 'aria-label="Result pages"' in first
    assert 'aria-current="page"' in first
    last = client.get("/trials/", {"page": "3"}).content.decode()
    assert last.count('class="trial-card') == 5
    # A page past the end, or not a number, shows the last or first page, not an error.
    assert client.get("/trials/", {"page": "99"}).status_code == 200
    assert client.get("/trials/", {"page": "x"}).status_code == 200


def test_page_links_keep_the_search(client):
    TrialFactory.create_batch(25, conditions=["Asthma"])
    content = client.get("/trials/", {"q": "asthma"}).content.decode()
    assert 'href="?q=asthma&amp;page=2"' in content


def list_queries(client, params):
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/trials/", params).status_code == 200
    return len(captured)


@pytest.mark.parametrize("params", [{}, {"q": "asthma", "country": "Canada", "age": "30"}])
def test_list_queries_do_not_grow_with_trials_or_sites(
    client, django_assert_max_num_queries, params
):
    for trial in TrialFactory.create_batch(2):
        LocationFactory.create_batch(3, trial=trial)
    few = list_queries(client, params)
    for trial in TrialFactory.create_batch(28):
        LocationFactory.create_batch(12, trial=trial)
    # Countries for the filter, the count, the page.
    with django_assert_max_num_queries(3):
        many = list_queries(client, params)
    assert many == few


@pytest.mark.skipif(not settings.IS_POSTGRES, reason="GIN full-text index is PostgreSQL's")
def test_postgres_search_uses_the_gin_index_on_the_stored_vector(catalogue):
    trials = trial_search(query="sclerosis", filters={})
    with connection.cursor() as cursor:
        # Three rows cost alike by any path: leave the planner only the paths a large
        # catalogue would take, bitmap scans (a GIN index is read by one; a plain index
        # scan of the catalogue-order index would read every trial).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_indexonlyscan = off")
        plan = trials.explain()
    assert "trials_trial_search_vector_gin" in plan
    # Neither matching nor ranking recomputes the vector from the document.
    assert "to_tsvector" not in str(trials.query)


def reference_study(**identification):
    record = json.loads((CTGOV / "NCT04356287.json").read_text(encoding="utf-8"))
    record["protocolSection"]["identificationModule"].update(identification)
    return study_from_record(record)


def stored_vector_is_current(trial):
    stored, current = (
        Trial.objects.filter(pk=trial.pk)
        .annotate(current=SEARCH_VECTOR)
        .values_list("search_vector", "current")
        .get()
    )
    return stored is not None and stored == current


@pytest.mark.skipif(not settings.IS_POSTGRES, reason="the vector is stored on PostgreSQL only")
def test_importing_and_updating_a_trial_refreshes_its_search_vector():
    trial, _created = trial_upsert(data=reference_study())
    assert stored_vector_is_current(trial)
    assert nct_ids(query="stromal") == ["NCT04356287"]
    assert nct_ids(query="marmoset") == []

    trial_upsert(data=reference_study(briefTitle="Marmoset cells for scleroderma"))

    assert stored_vector_is_current(trial)
    assert nct_ids(query="marmoset") == ["NCT04356287"]


@pytest.mark.skipif(settings.IS_POSTGRES, reason="SQLite keeps no vector and searches with LIKE")
def test_sqlite_leaves_the_search_vector_empty_and_still_finds_trials():
    trial_upsert(data=reference_study())

    assert Trial.objects.get(nct_id="NCT04356287").search_vector is None
    assert nct_ids(query="stromal") == ["NCT04356287"]


@pytest.mark.skipif(not settings.IS_POSTGRES, reason="ranking is PostgreSQL full-text search")
def test_postgres_ranks_better_matches_first():
    TrialFactory(nct_id="NCT00000021", brief_title="Diet study", brief_summary="Mentions asthma.")
    TrialFactory(
        nct_id="NCT00000022",
        brief_title="Asthma asthma",
        conditions=["Asthma"],
        keywords=["Asthma"],
    )
    assert nct_ids(query="asthma") == ["NCT00000022", "NCT00000021"]
