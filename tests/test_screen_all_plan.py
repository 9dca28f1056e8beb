"""Screening every trial reads the trials taking applicants from one index, never every
trial's row (issue 14, item 4; `python -m bench.matching` measures the time)."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from screening.models import Criterion
from screening.reference.nct04356287 import EXAMPLE_ELIGIBLE_ANSWERS
from screening.selectors import trials_screen_all
from tests.factories import TrialFactory
from trials.models import Trial

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(reference_trial):
    trials = TrialFactory.create_batch(30, overall_status="RECRUITING")
    TrialFactory.create_batch(10, overall_status="COMPLETED")
    rows = list(reference_trial.criteria.values())
    Criterion.objects.bulk_create(
        Criterion(**{**row, "id": None, "trial_id": trial.pk})
        for trial in trials[:10]
        for row in rows
    )
    return trials


def screen_all_sql(**kwargs):
    trials_screen_all(answers=EXAMPLE_ELIGIBLE_ANSWERS, **kwargs)  # the criteria parsed
    with CaptureQueriesContext(connection) as captured:
        trials_screen_all(answers=EXAMPLE_ELIGIBLE_ANSWERS, **kwargs)
    (query,) = captured.captured_queries
    return query["sql"]


@pytest.mark.skipif(not settings.IS_POSTGRES, reason="the covering index is PostgreSQL's")
@pytest.mark.django_db(transaction=True)  # VACUUM runs outside a transaction
def test_screening_every_trial_is_an_index_only_scan_of_the_trials_taking_applicants(catalogue):
    # A catalogue large enough for the planner's costs to mean something: 2,000 trials,
    # 40 % of them open, as in the bench's mix.
    Trial.objects.bulk_create(
        Trial(
            nct_id=f"NCT8{n:07d}",
            brief_title=f"Study {n}",
            overall_status="RECRUITING" if n % 5 < 2 else "COMPLETED",
            minimum_age=18.0,
        )
        for n in range(2_000)
    )
    sql = screen_all_sql()
    with connection.cursor() as cursor:
        # As the bench's seeding and autovacuum leave it: statistics and visibility map.
        cursor.execute("VACUUM ANALYZE trials_trial")
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using trial_screening_taking" in plan, plan
    assert "screening_criterion" not in sql


def test_screening_every_trial_reads_no_criteria_once_their_digests_are_parsed(catalogue):
    sql = screen_all_sql()
    assert "screening_criterion" not in sql
    assert "ORDER BY" not in sql
    with CaptureQueriesContext(connection) as captured:
        trials_screen_all(answers=EXAMPLE_ELIGIBLE_ANSWERS, condition="sclerosis")
    assert len(captured) == 1
