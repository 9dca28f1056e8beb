"""The benchmark's scale data: built through the real importer, reproducible, written once."""

import pytest
from django.conf import settings

from bench.seed import REFERENCE_TRIAL, Scale, reference_code, seed
from screening.models import Application, Criterion
from screening.selectors import trial_evaluate, trials_screen_all
from trials.importers.ctgov import study_from_record
from trials.models import SEARCH_VECTOR, Trial
from trials.services import trial_fields_from_study

pytestmark = pytest.mark.django_db

SMALL = Scale(trials=40, applications=150, queue_applications=60)


def quiet(*args):
    pass


def test_seeded_trials_carry_the_search_fields_the_importer_writes():
    seed(SMALL, log=quiet)

    assert Trial.objects.count() == 40
    for trial in Trial.objects.all():
        expected = trial_fields_from_study(study_from_record(trial.raw))
        assert trial.search_document == expected["search_document"]
        assert trial.condition_terms == expected["condition_terms"]
        assert trial.brief_title == expected["brief_title"]


@pytest.mark.skipif(not settings.IS_POSTGRES, reason="the vector is stored on PostgreSQL only")
def test_seeded_trials_carry_their_stored_search_vector():
    seed(SMALL, log=quiet)

    vectors = Trial.objects.annotate(current=SEARCH_VECTOR).values_list("search_vector", "current")
    assert len(vectors) == 40
    assert all(stored is not None and stored == current for stored, current in vectors)


def test_a_second_seed_with_the_same_scale_writes_nothing():
    first = seed(SMALL, log=quiet)
    before = list(Application.objects.order_by("pk").values_list("pk", flat=True))

    second = seed(SMALL, log=quiet)

    assert first.seeded and not second.seeded
    assert list(Application.objects.order_by("pk").values_list("pk", flat=True)) == before


def test_the_same_seed_gives_the_same_data():
    seed(SMALL, log=quiet)
    titles = list(Trial.objects.order_by("nct_id").values_list("nct_id", "brief_title", "sex"))
    queue = Application.objects.filter(trial__nct_id=REFERENCE_TRIAL).count()

    # Another scale flushes and seeds again; the first scale comes back identical.
    seed(Scale(trials=20, applications=30, queue_applications=10), log=quiet)
    seed(SMALL, log=quiet)

    assert list(Trial.objects.order_by("nct_id").values_list("nct_id", "brief_title", "sex")) == (
        titles
    )
    assert Application.objects.filter(trial__nct_id=REFERENCE_TRIAL).count() == queue == 60


def test_a_share_of_trials_is_screened_on_copies_of_the_reference_criteria():
    seed(SMALL, log=quiet)
    reference = Trial.objects.get(nct_id=REFERENCE_TRIAL)
    published = set(reference.criteria.values_list("kind", "number", "text"))

    encoded = Trial.objects.exclude(pk=reference.pk).filter(criteria__origin="team").distinct()
    # The real trials have their own criteria, drafted on import: the copies go elsewhere.
    drafted = Trial.objects.filter(criteria__origin="drafter").distinct()

    assert drafted.count() >= 10
    assert not encoded.filter(pk__in=drafted).exists()
    assert encoded.count() == int((39 - drafted.count()) * SMALL.encoded_share) >= 1
    for trial in encoded:
        assert set(trial.criteria.values_list("kind", "number", "text")) == published
    team_rows = Criterion.objects.filter(origin="team").count()
    assert team_rows == len(published) * (encoded.count() + 1)


def test_seeded_applications_hold_the_evaluation_the_engine_gives():
    seed(SMALL, log=quiet)

    for application in Application.objects.select_related("trial")[:40]:
        expected = trial_evaluate(trial=application.trial, answers=application.answers)
        assert application.evaluation == expected
        assert application.verdict == expected["verdict"]


def test_references_are_distinct():
    codes = {reference_code(n) for n in range(50_000)}
    assert len(codes) == 50_000
    assert all(len(code) == 8 for code in codes)


@pytest.mark.parametrize("sex", ["female", "male", "other"])
@pytest.mark.parametrize("age", [4, 16, 45, 70, 90])
def test_screening_all_trials_agrees_with_each_trial_evaluation(sex, age):
    seed(SMALL, log=quiet)
    from bench.engine import ANSWERS

    answers = {**ANSWERS, "sex": sex, "age": age}

    screened = {s.nct_id: s for s in trials_screen_all(answers=answers)}

    # Trials that take no applicants (a closed registry status) are never screened.
    taking = Trial.objects.taking_applicants()
    assert not set(screened) & set(
        Trial.objects.exclude(pk__in=taking.values("pk")).values_list("nct_id", flat=True)
    )
    for trial in taking:
        evaluation = trial_evaluate(trial=trial, answers=answers)
        if trial.nct_id in screened:
            assert screened[trial.nct_id].verdict == evaluation["verdict"]
            assert screened[trial.nct_id].score == evaluation["score"]
        else:
            # Left out by the pre-filter: only when the trial's own basic rules exclude.
            assert evaluation["verdict"] == "not_eligible", trial.nct_id


def test_screening_all_trials_lists_the_best_first():
    seed(SMALL, log=quiet)
    from bench.engine import ANSWERS

    screened = trials_screen_all(answers={**ANSWERS, "sex": "female"})

    ranks = {"likely_eligible": 0, "needs_review": 1, "not_eligible": 2}
    keys = [(ranks[s.verdict], -s.score) for s in screened]
    assert keys == sorted(keys)


def test_seeding_in_bulk_keeps_every_trials_criteria_digest_in_step():
    from tests.test_criteria_digest import assert_digests_in_step

    seed(SMALL, log=quiet)
    assert Trial.objects.exclude(criteria_digest="").exists()
    assert_digests_in_step()
