"""The question bank and the gate every answer set passes (answers_validate)."""

import pytest

from screening.questions import (
    BOOLEAN,
    QUESTIONS,
    STEP_ORDER,
    TYPES,
    AnswersInvalid,
    answers_validate,
)
from tests.engine_personas import AGNES

CONTRACT = {
    "age": ("integer", 0, 120),
    "ssc_diagnosis": ("boolean", None, None),
    "disease_duration_years": ("number", 0, 80),
    "mrss": ("integer", 0, 51),
    "esr_mm_h": ("number", 0, 200),
    "hemoglobin_g_dl": ("number", 2, 25),
    "fvc_pct_predicted": ("number", 5, 200),
    "dlco_pct_predicted": ("number", 5, 200),
    "ild_on_imaging": ("boolean", None, None),
    "past_renal_crisis": ("boolean", None, None),
    "gfr_ml_min": ("number", 0, 200),
    "cardiac_involvement": ("boolean", None, None),
    "inadequate_response_3_months": ("boolean", None, None),
    "stopped_standard_therapy_adverse_events": ("boolean", None, None),
    "hsct_ineligible_or_unwilling": ("boolean", None, None),
    "pregnant": ("boolean", None, None),
    "willing_contraception": ("boolean", None, None),
    "lvef_pct": ("number", 5, 90),
    "spap_mmhg": ("number", 0, 150),
    "mpap_mmhg": ("number", 0, 100),
    "ast_alt_x_uln": ("number", 0, 100),
    "cancer_or_myelodysplasia": ("boolean", None, None),
    "uncontrolled_hypertension": ("boolean", None, None),
    "uncontrolled_infection": ("boolean", None, None),
    "height_cm": ("number", 50, 250),
    "weight_kg": ("number", 20, 350),
    "severe_psychiatric_disorder": ("boolean", None, None),
    "neutrophils_10e9_l": ("number", 0, 100),
    "platelets_10e9_l": ("number", 0, 2000),
    "cd4_10e6_l": ("number", 0, 5000),
    "poor_compliance_history": ("boolean", None, None),
    "in_other_drug_trial": ("boolean", None, None),
    "can_give_consent": ("boolean", None, None),
}


@pytest.mark.parametrize("key", CONTRACT)
def test_every_contract_key_has_its_type_and_range(key):
    question = QUESTIONS[key]
    assert (question.type, question.min, question.max) == CONTRACT[key]
    assert str(question.text)


def test_every_question_has_a_known_type_and_step_and_a_label():
    for question in QUESTIONS.values():
        assert question.type in TYPES
        assert question.step in STEP_ORDER
        assert str(question.label)


def test_the_bank_lists_questions_in_step_order():
    steps = [STEP_ORDER[q.step] for q in QUESTIONS.values()]
    assert steps == sorted(steps)


def test_clinical_measurements_offer_i_dont_know():
    assert QUESTIONS["mrss"].clinical
    assert QUESTIONS["fvc_pct_predicted"].clinical
    assert not QUESTIONS["age"].clinical


def test_contraception_is_skipped_only_for_a_patient_who_is_pregnant():
    question = QUESTIONS["willing_contraception"]
    assert not question.asked({"pregnant": True})
    assert question.asked({"pregnant": False})
    assert question.asked({})


def test_a_full_answer_set_passes_unchanged():
    assert answers_validate(AGNES) == AGNES


def test_null_and_missing_mean_i_dont_know():
    assert answers_validate({"mrss": None}) == {"mrss": None}
    assert answers_validate({}) == {}


def test_a_whole_float_is_accepted_as_an_integer():
    assert answers_validate({"age": 40.0}) == {"age": 40}


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ({"age": "abc"}, "age"),
        ({"age": "40"}, "age"),
        ({"age": 40.5}, "age"),
        ({"age": True}, "age"),
        ({"age": -1}, "age"),
        ({"age": 121}, "age"),
        ({"mrss": 60}, "mrss"),
        ({"mrss": 52}, "mrss"),
        ({"hemoglobin_g_dl": 1.9}, "hemoglobin_g_dl"),
        ({"fvc_pct_predicted": float("nan")}, "fvc_pct_predicted"),
        ({"pregnant": "yes"}, "pregnant"),
        ({"pregnant": "true"}, "pregnant"),
        ({"pregnant": 1}, "pregnant"),
        ({"sex": "robot"}, "sex"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
        ({"bmi": 22}, "bmi"),
    ],
)
def test_bad_answers_are_refused_naming_the_key(raw, key):
    with pytest.raises(AnswersInvalid) as refused:
        answers_validate(raw)
    assert list(refused.value.message_dict) == [key]
    assert key in str(refused.value)


def test_every_offending_key_is_named_at_once():
    raw = {**AGNES, "age": "abc", "pregnant": "yes", "mrss": 60, "foo": 1}
    with pytest.raises(AnswersInvalid) as refused:
        answers_validate(raw)
    assert set(refused.value.message_dict) == {"age", "pregnant", "mrss", "foo"}


def test_the_range_is_inclusive():
    assert answers_validate({"mrss": 51, "age": 0}) == {"mrss": 51, "age": 0}


def test_answers_that_are_not_an_object_are_refused():
    with pytest.raises(AnswersInvalid):
        answers_validate(["age", 40])


def test_form_strings_are_parsed_when_asked():
    raw = {"age": "40", "pregnant": "false", "mrss": "", "hemoglobin_g_dl": "10.5"}
    assert answers_validate(raw, from_form=True) == {
        "age": 40,
        "pregnant": False,
        "mrss": None,
        "hemoglobin_g_dl": 10.5,
    }


def test_form_strings_still_refuse_nonsense():
    with pytest.raises(AnswersInvalid) as refused:
        answers_validate({"age": "abc", "pregnant": "yes"}, from_form=True)
    assert set(refused.value.message_dict) == {"age", "pregnant"}


def test_booleans_are_booleans():
    assert all(
        answers_validate({key: True})[key] is True
        for key, q in QUESTIONS.items()
        if q.type == BOOLEAN
    )


def test_the_form_i_dont_know_choice_means_unknown():
    assert answers_validate({"mrss": "unknown"}, from_form=True) == {"mrss": None}
    with pytest.raises(AnswersInvalid):
        answers_validate({"mrss": "unknown"})


@pytest.fixture
def extra_questions(monkeypatch):
    """Multi-choice and date questions, which the reference trial does not use."""
    from screening.questions import DATE, MULTI, Question

    extra = {
        "symptoms": Question(
            key="symptoms",
            type=MULTI,
            text="Which symptoms?",
            choices=(("cough", "Cough"), ("fever", "Fever")),
        ),
        "diagnosed_on": Question(key="diagnosed_on", type=DATE, text="When?"),
    }
    monkeypatch.setattr("screening.questions.QUESTIONS", {**QUESTIONS, **extra})
    monkeypatch.setattr("screening.rules.QUESTIONS", {**QUESTIONS, **extra})


def test_multi_and_date_answers_are_checked(extra_questions):
    assert answers_validate({"symptoms": ["fever", "cough", "fever"]}) == {
        "symptoms": ["cough", "fever"]
    }
    assert answers_validate({"diagnosed_on": "2024-02-29"}) == {"diagnosed_on": "2024-02-29"}
    with pytest.raises(AnswersInvalid) as refused:
        answers_validate({"symptoms": ["sneeze"], "diagnosed_on": "2023-02-29"})
    assert set(refused.value.message_dict) == {"symptoms", "diagnosed_on"}


def test_rules_test_multi_and_date_answers(extra_questions):
    from screening.eligibility import rule_test
    from screening.rules import rule_validate

    has_fever = {"q": "symptoms", "op": "eq", "value": "fever"}
    any_of = {"q": "symptoms", "op": "in", "value": ["fever", "cough"]}
    recent = {"q": "diagnosed_on", "op": "ge", "value": "2023-01-01"}
    for rule in (has_fever, any_of, recent):
        rule_validate(rule)
    answers = {"symptoms": ["cough"], "diagnosed_on": "2022-12-31"}
    assert [rule_test(r, answers)[0] for r in (has_fever, any_of, recent)] == [
        False,
        True,
        False,
    ]
