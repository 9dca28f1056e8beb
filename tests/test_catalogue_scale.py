"""Nothing on a public request path reads every trial (issue 14): the catalogue order
comes from an index, counts stop at a cap, page links are a window, similar trials are
stored at import, and "patients applied" is one COUNT on the trial's applications."""

import pytest
from django.conf import settings
from django.db import connection

from screening.selectors import trial_applied_count
from tests.factories import ApplicationFactory, LocationFactory, TrialFactory
from trials.filters import country_choices
from trials.models import Trial
from trials.pagination import CappedPaginator
from trials.selectors import trial_search, trial_similar
from trials.similar import SimilarIndex, similar_refresh

pytestmark = pytest.mark.django_db


def test_open_rank_follows_the_status_and_is_kept_by_the_database():
    trial = TrialFactory(overall_status="COMPLETED")
    assert Trial.objects.get(pk=trial.pk).open_rank == 1
    Trial.objects.filter(pk=trial.pk).update(overall_status="RECRUITING")
    assert Trial.objects.get(pk=trial.pk).open_rank == 0
    Trial.objects.filter(pk=trial.pk).update(overall_status="ENROLLING_BY_INVITATION")
    assert Trial.objects.get(pk=trial.pk).open_rank == 0
    Trial.objects.filter(pk=trial.pk).update(overall_status="WITHDRAWN")
    assert Trial.objects.get(pk=trial.pk).open_rank == 1


@pytest.mark.skipif(not settings.IS_POSTGRES, reason="query plans are PostgreSQL's")
def test_the_first_page_of_the_list_is_read_from_the_catalogue_order_index():
    TrialFactory.create_batch(30)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE trials_trial")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        plan = trial_search(query="", filters={})[:20].explain()
    assert "trial_catalogue_order" in plan
    assert "Sort" not in plan.replace("Sort Key", "")


@pytest.mark.parametrize(
    ("rows", "count", "capped", "pages"), [(5, 5, False, 1), (45, 45, False, 3)]
)
def test_a_small_result_is_counted_exactly(rows, count, capped, pages):
    TrialFactory.create_batch(rows)
    paginator = CappedPaginator(Trial.objects.order_by("nct_id"), 20, cap=50)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (count, capped, pages)


def test_a_large_result_is_counted_only_up_to_the_cap(django_assert_num_queries):
    TrialFactory.create_batch(12)
    paginator = CappedPaginator(Trial.objects.order_by("nct_id"), 5, cap=10)
    with django_assert_num_queries(1) as captured:
        assert paginator.count == 11
    assert "LIMIT 11" in captured.captured_queries[0]["sql"]
    assert paginator.capped
    # Never a page past the cap: 10 rows at 5 a page.
    assert paginator.num_pages == 2
    assert paginator.get_page(7).number == 2


def test_page_links_are_a_window_around_the_current_page():
    paginator = CappedPaginator(list(range(1_000)), 10, cap=5_000)
    links = paginator.page_links(50)
    assert links == [1, paginator.ELLIPSIS, 48, 49, 50, 51, 52, paginator.ELLIPSIS, 100]
    assert paginator.page_links(1) == [1, 2, 3, paginator.ELLIPSIS, 100]


def test_the_list_says_more_than_the_cap_and_offers_no_page_past_it(client, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    import trials.views

    original = trials.views.CappedPaginator

    class SmallCap(original):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, cap=40, **kwargs)

    trials.views.CappedPaginator = SmallCap
    try:
        TrialFactory.create_batch(45)
        page = client.get("/trials/?page=9").content.decode()
    finally:
        trials.views.CappedPaginator = original
    assert "More than 40 trials found" in page
    assert "Page 2" in page and "Page 2 of" not in page
    assert "?page=3" not in page


def test_country_choices_are_distinct_and_sorted():
    for country in ("France", "Canada", "France", "Brazil", ""):
        LocationFactory(country=country)
    assert country_choices() == [("Brazil", "Brazil"), ("Canada", "Canada"), ("France", "France")]


def test_similar_trials_are_stored_at_import_open_first_then_most_shared():
    ssc = TrialFactory(nct_id="NCT00000001", conditions=["Systemic Sclerosis", "Raynaud"])
    TrialFactory(
        nct_id="NCT00000002", conditions=["Systemic Sclerosis"], overall_status="COMPLETED"
    )
    TrialFactory(nct_id="NCT00000003", conditions=["Systemic Sclerosis"], keywords=["Raynaud"])
    TrialFactory(nct_id="NCT00000004", conditions=["Raynaud"])
    TrialFactory(nct_id="NCT00000005", conditions=["Asthma"])
    ssc.refresh_from_db()
    # A trial imported after ssc still reaches ssc's page: its neighbours are refreshed.
    assert ssc.similar_nct_ids == ["NCT00000003", "NCT00000004", "NCT00000002"]
    assert [t.nct_id for t in trial_similar(trial=ssc)] == ssc.similar_nct_ids


def test_a_status_change_after_storing_still_lists_open_trials_first():
    ssc = TrialFactory(nct_id="NCT00000001", conditions=["Lupus"])
    TrialFactory(nct_id="NCT00000002", conditions=["Lupus"])
    TrialFactory(nct_id="NCT00000003", conditions=["Lupus"])
    ssc.refresh_from_db()
    Trial.objects.filter(nct_id="NCT00000002").update(overall_status="COMPLETED")
    assert [t.nct_id for t in trial_similar(trial=ssc)] == ["NCT00000003", "NCT00000002"]


def test_a_common_term_only_adds_to_candidates_a_rarer_term_found(monkeypatch):
    import trials.similar

    monkeypatch.setattr(trials.similar, "COMMON_TERM_TRIALS", 3)
    rows = [
        (1, "NCT1", 0, "|cancer|rare|"),
        (2, "NCT2", 0, "|cancer|"),
        (3, "NCT3", 0, "|cancer|"),
        (4, "NCT4", 0, "|cancer|rare|"),
        (5, "NCT5", 1, "|rare|"),
    ]
    index = SimilarIndex(rows)
    # "cancer" (4 trials) is common: it ranks NCT4 above NCT5 but does not add NCT2/NCT3.
    assert index.similar(1) == ["NCT4", "NCT5"]
    # A trial with common terms only is offered the term's first trials in catalogue order.
    assert index.similar(2) == ["NCT1", "NCT3", "NCT4"]


def test_refreshing_writes_only_changed_lists(django_assert_max_num_queries):
    TrialFactory.create_batch(5, conditions=["Asthma"])
    assert similar_refresh() == 0


def test_patients_applied_counts_this_trial_and_not_withdrawals(django_assert_num_queries):
    trial, other = TrialFactory(), TrialFactory()
    ApplicationFactory.create_batch(3, trial=trial)
    ApplicationFactory(trial=trial, status="withdrawn")
    ApplicationFactory(trial=other)
    with django_assert_num_queries(1):
        assert trial_applied_count(trial=trial) == 3
