"""Kleene logic, verdicts and scores: examples and properties (pure engine)."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.eligibility import (
    EXCLUSION,
    INCLUSION,
    LIKELY_ELIGIBLE,
    MET,
    NEEDS_REVIEW,
    NOT_ELIGIBLE,
    NOT_MET,
    UNKNOWN,
    CriterionSpec,
    evaluate,
    rule_test,
)
from screening.questions import BOOLEAN, INTEGER, QUESTIONS
from tests.engine_personas import AGNES, BERNARD, REFERENCE

T = {"q": "pregnant", "op": "eq", "value": True}  # true when pregnant=True
F = {"q": "pregnant", "op": "eq", "value": False}  # false when pregnant=True
U = {"q": "mrss", "op": "gt", "value": 20}  # unknown when mrss is unknown
KNOWN = {"pregnant": True}


def truth(rule):
    return rule_test(rule, KNOWN)[0]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"any": [T, U]}, True),
        ({"any": [F, U]}, None),
        ({"any": [F, F]}, False),
        ({"all": [F, U]}, False),
        ({"all": [T, U]}, None),
        ({"all": [T, T]}, True),
        ({"not": U}, None),
        ({"not": F}, True),
        ({"any": [{"all": [T, U]}, {"all": [F, U]}]}, None),
        ({"all": [{"any": [T, U]}, {"not": F}]}, True),
    ],
)
def test_unknowns_propagate_by_kleene_logic(rule, expected):
    assert truth(rule) is expected


def test_between_is_inclusive():
    rule = {"q": "gfr_ml_min", "op": "between", "value": [30, 89]}
    assert [rule_test(rule, {"gfr_ml_min": g})[0] for g in (29, 30, 89, 90)] == [
        False,
        True,
        True,
        False,
    ]


def test_in_tests_membership():
    rule = {"q": "sex", "op": "in", "value": ["female", "other"]}
    assert rule_test(rule, {"sex": "other"})[0] is True
    assert rule_test(rule, {"sex": "male"})[0] is False


def spec(kind, rule, number="1"):
    return CriterionSpec(kind=kind, number=number, text="", rule=rule)


def test_exclusion_met_beats_unknown_inclusion():
    evaluation = evaluate([spec(INCLUSION, U), spec(EXCLUSION, T)], KNOWN)
    assert evaluation.verdict == NOT_ELIGIBLE


def test_inclusion_not_met_beats_unknown_exclusion():
    evaluation = evaluate([spec(INCLUSION, F), spec(EXCLUSION, U)], KNOWN)
    assert evaluation.verdict == NOT_ELIGIBLE


def test_an_unknown_criterion_needs_review():
    evaluation = evaluate([spec(INCLUSION, T), spec(EXCLUSION, U)], KNOWN)
    assert (evaluation.verdict, evaluation.score) == (NEEDS_REVIEW, 0.5)


def test_a_criterion_without_a_rule_is_always_unknown():
    result = evaluate([spec(INCLUSION, None)], AGNES).results[0]
    assert result.outcome == UNKNOWN


def test_an_exclusion_that_does_not_hold_is_favourable():
    evaluation = evaluate([spec(INCLUSION, T), spec(EXCLUSION, F)], KNOWN)
    assert (evaluation.verdict, evaluation.score) == (LIKELY_ELIGIBLE, 1.0)
    assert [r.outcome for r in evaluation.results] == [MET, NOT_MET]


# --- properties over the reference trial -------------------------------------------


def _value(question):
    if question.type == BOOLEAN:
        return st.booleans()
    if question.choices:
        return st.sampled_from([value for value, _label in question.choices])
    if question.type == INTEGER:
        return st.integers(int(question.min), int(question.max))
    # Tenths hit the published boundaries (10.9, 7.9, 2.1, 0.4 ...) often.
    return st.integers(int(question.min * 10), int(question.max * 10)).map(lambda n: n / 10)


CONTRACT_KEYS = sorted(AGNES)
answer_sets = st.fixed_dictionaries(
    {key: st.one_of(st.none(), _value(QUESTIONS[key])) for key in CONTRACT_KEYS}
)


@st.composite
def near_personas(draw):
    """A favourable persona with a few answers forgotten and one changed."""
    persona = dict(draw(st.sampled_from([AGNES, BERNARD])))
    for key in draw(st.sets(st.sampled_from(CONTRACT_KEYS), max_size=3)):
        persona[key] = None
    changed = draw(st.sampled_from(CONTRACT_KEYS))
    persona[changed] = draw(_value(QUESTIONS[changed]))
    return persona


@settings(max_examples=300, deadline=None)
@given(answers=answer_sets, key=st.sampled_from(CONTRACT_KEYS), data=st.data())
def test_answering_an_unknown_question_never_rescues_a_not_eligible_patient(answers, key, data):
    answers = {**answers, key: None}
    before = evaluate(REFERENCE, answers)
    after = evaluate(REFERENCE, {**answers, key: data.draw(_value(QUESTIONS[key]))})
    if before.verdict == NOT_ELIGIBLE:
        assert after.verdict == NOT_ELIGIBLE
    # Kleene logic is monotone: a known outcome never changes once more is known.
    for old, new in zip(before.results, after.results, strict=True):
        if old.outcome != UNKNOWN:
            assert new.outcome == old.outcome


@settings(max_examples=200, deadline=None)
@given(answers=st.one_of(answer_sets, near_personas()), seed=st.integers(0, 2**32))
def test_verdict_does_not_depend_on_criteria_order_or_answer_order(answers, seed):
    shuffle = random.Random(seed)
    criteria = list(REFERENCE)
    shuffle.shuffle(criteria)
    items = list(answers.items())
    shuffle.shuffle(items)
    reference = evaluate(REFERENCE, answers)
    shuffled = evaluate(criteria, dict(items))
    assert (shuffled.verdict, shuffled.score) == (reference.verdict, reference.score)


@settings(max_examples=300, deadline=None)
@given(answers=st.one_of(answer_sets, near_personas()))
def test_score_is_a_share_and_likely_eligible_means_all_favourable(answers):
    evaluation = evaluate(REFERENCE, answers)
    assert 0.0 <= evaluation.score <= 1.0
    unknowns = any(r.outcome == UNKNOWN for r in evaluation.results)
    assert (evaluation.verdict == LIKELY_ELIGIBLE) == (evaluation.score == 1.0 and not unknowns)
    if evaluation.verdict == NEEDS_REVIEW:
        assert unknowns


@pytest.mark.parametrize("persona", [AGNES, BERNARD])
def test_an_all_favourable_answer_set_scores_one(persona):
    results = evaluate(REFERENCE, persona).results
    assert all(r.favourable for r in results)
    assert evaluate(REFERENCE, persona).score == 1.0


SKIPPABLE = sorted(key for key in CONTRACT_KEYS if QUESTIONS[key].ask_if is not None)


@settings(max_examples=300, deadline=None)
@given(answers=st.one_of(answer_sets, near_personas()), key=st.sampled_from(SKIPPABLE))
def test_a_skipped_question_could_not_have_changed_any_outcome(answers, key):
    if QUESTIONS[key].asked(answers):
        return
    skipped = evaluate(REFERENCE, {**answers, key: None})
    assert QUESTIONS[key].type == BOOLEAN  # so True and False are every possible answer
    for value in (True, False):
        answered = evaluate(REFERENCE, {**answers, key: value})
        assert [r.outcome for r in answered.results] == [r.outcome for r in skipped.results]
