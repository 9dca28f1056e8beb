"""Criteria services and selectors: storing rules, the reference load, basic rules."""

import pytest
from django.core.exceptions import ValidationError

from screening.eligibility import LIKELY_ELIGIBLE, NEEDS_REVIEW, NOT_ELIGIBLE
from screening.models import Criterion
from screening.questions import STEP_ORDER, AnswersInvalid
from screening.selectors import trial_criteria, trial_evaluate, trial_questions
from screening.services.criteria import (
    criteria_load_reference,
    criterion_create,
    criterion_update,
)
from tests.engine_personas import AGNES
from tests.factories import TrialFactory, trial_from_ctgov

pytestmark = pytest.mark.django_db


def test_loading_the_reference_twice_stores_seventeen_criteria_once(reference_trial):
    criteria_load_reference()
    criteria = list(reference_trial.criteria.all())
    assert [(c.kind, c.number) for c in criteria] == [
        ("inclusion", str(n)) for n in range(1, 5)
    ] + [("exclusion", str(n)) for n in range(1, 14)]


def test_loading_the_reference_before_the_trial_is_imported_stores_nothing():
    assert criteria_load_reference() == []
    assert not Criterion.objects.exists()


def test_loading_the_reference_restores_an_edited_rule(reference_trial):
    criterion = reference_trial.criteria.get(kind="exclusion", number="1")
    criterion_update(criterion=criterion, rule={"q": "age", "op": "lt", "value": 21})
    criteria_load_reference()
    criterion.refresh_from_db()
    assert criterion.rule == {"q": "age", "op": "lt", "value": 18}


def test_a_bad_rule_is_refused_and_nothing_is_saved():
    trial = TrialFactory()
    with pytest.raises(ValidationError) as refused:
        criterion_create(
            trial=trial, kind="inclusion", number="1", text="x", rule={"q": "age", "op": "gt"}
        )
    assert "value" in str(refused.value)
    assert not Criterion.objects.exists()


def test_the_reference_trial_is_screened_on_exactly_its_published_criteria(reference_trial):
    specs = trial_criteria(trial=reference_trial)
    assert len(specs) == 17
    assert not any(spec.basic for spec in specs)
    assert specs[0].text.startswith("SSc according to")


def test_the_reference_trial_is_screened_exactly_even_before_its_criteria_are_stored():
    trial = trial_from_ctgov("NCT04356287")
    assert [(s.kind, s.number) for s in trial_criteria(trial=trial)] == [
        ("inclusion", str(n)) for n in range(1, 5)
    ] + [("exclusion", str(n)) for n in range(1, 14)]


def test_stored_criteria_are_what_the_trial_is_screened_on(reference_trial):
    criterion = reference_trial.criteria.get(kind="inclusion", number="4")
    criterion_update(criterion=criterion, rule=None)
    evaluation = trial_evaluate(trial=reference_trial, answers=AGNES)
    assert evaluation["verdict"] == NEEDS_REVIEW


def test_a_trial_without_encoded_criteria_gets_basics_and_the_study_team_checks_the_rest():
    trial = trial_from_ctgov("NCT06388018")  # women 18 and over, no healthy volunteers
    # As for a record whose published text gives no items: nothing drafted, nothing stored.
    trial.criteria.all().delete()
    specs = trial_criteria(trial=trial)
    assert [(s.kind, s.number) for s in specs] == [
        ("inclusion", "sex"),
        ("inclusion", "age"),
        ("exclusion", "healthy_volunteers"),
        ("inclusion", "published"),
    ]
    answers = {"sex": "female", "age": 40, "healthy_volunteer": False}
    evaluation = trial_evaluate(trial=trial, answers=answers)
    assert evaluation["verdict"] == NEEDS_REVIEW
    assert "study team" in evaluation["criteria"][-1]["explanation"]
    assert trial_evaluate(trial=trial, answers={**answers, "sex": "male"})["verdict"] == (
        NOT_ELIGIBLE
    )


@pytest.mark.parametrize(
    ("age", "verdict"),
    [(11, NOT_ELIGIBLE), (12, NEEDS_REVIEW), (24, NEEDS_REVIEW), (25, NOT_ELIGIBLE)],
)
def test_the_basic_age_rule_is_inclusive_at_both_ends(age, verdict):
    trial = trial_from_ctgov("NCT00763412")  # 12 to 24 years
    assert trial_evaluate(trial=trial, answers={"age": age})["verdict"] == verdict


def test_a_trial_open_to_healthy_volunteers_does_not_ask_about_it():
    trial = trial_from_ctgov("NCT04207047")
    assert "healthy_volunteer" not in [q.key for q in trial_questions(trial=trial)]


def test_a_female_only_trial_does_not_turn_away_a_patient_who_answers_other():
    trial = trial_from_ctgov("NCT06388018")
    evaluation = trial_evaluate(trial=trial, answers={"sex": "other"})
    assert evaluation["criteria"][0]["outcome"] == "met"


def test_the_reference_trial_asks_its_questions_in_step_order(reference_trial):
    questions = trial_questions(trial=reference_trial)
    keys = [q.key for q in questions]
    assert set(keys) == set(AGNES) - {"sex"}
    assert "bmi" not in keys
    assert {"height_cm", "weight_kg"} <= set(keys)
    steps = [STEP_ORDER[q.step] for q in questions]
    assert steps == sorted(steps)


def test_evaluating_refuses_bad_answers(reference_trial):
    with pytest.raises(AnswersInvalid):
        trial_evaluate(trial=reference_trial, answers={"mrss": 60})


def test_a_likely_eligible_patient_of_the_reference_trial(reference_trial):
    evaluation = trial_evaluate(trial=reference_trial, answers=AGNES)
    assert (evaluation["verdict"], evaluation["score"]) == (LIKELY_ELIGIBLE, 1.0)


def test_a_question_that_decides_whether_another_is_asked_is_asked_too():
    trial = TrialFactory(sex="ALL", minimum_age=None, healthy_volunteers=None)
    criterion_create(
        trial=trial,
        kind="exclusion",
        number="1",
        text="Unwilling to use contraception",
        rule={"q": "willing_contraception", "op": "eq", "value": False},
    )
    assert [q.key for q in trial_questions(trial=trial)] == ["pregnant", "willing_contraception"]


def test_a_trial_that_publishes_nothing_is_never_likely_eligible():
    trial = TrialFactory(eligibility_criteria="", minimum_age=None, healthy_volunteers=None)
    evaluation = trial_evaluate(trial=trial, answers={})
    assert [c["number"] for c in evaluation["criteria"]] == ["published"]
    assert evaluation["verdict"] == NEEDS_REVIEW
