"""Explanations a patient can read, naming the answers that decided each criterion."""

from screening.eligibility import EXCLUSION, INCLUSION, CriterionSpec, evaluate
from screening.explain import criterion_explanation, evaluation_snapshot
from tests.engine_personas import AGNES, REFERENCE

SKIN = {"q": "mrss", "op": "gt", "value": 20}


def explain(kind, rule, answers):
    spec = CriterionSpec(kind=kind, number="1", text="", rule=rule)
    return criterion_explanation(evaluate([spec], answers).results[0])


def test_a_failed_comparison_names_the_answer_and_the_threshold():
    text = explain(INCLUSION, SKIN, {"mrss": 18})
    assert text == "You do not meet this. Your skin score, 18, is not above 20."


def test_an_unknown_answer_is_named():
    assert explain(INCLUSION, SKIN, {}) == "We cannot tell yet. We don't know your skin score yet."


def test_an_exclusion_is_worded_from_the_patients_side():
    rule = {"q": "bmi", "op": "lt", "value": 18}
    assert explain(EXCLUSION, rule, {"height_cm": 150, "weight_kg": 36}) == (
        "This rules you out. Your body mass index (BMI), 16, is below 18."
    )
    assert explain(EXCLUSION, rule, {"height_cm": 150, "weight_kg": 60}).startswith(
        "This does not rule you out."
    )


def test_a_yes_no_answer_quotes_the_question():
    rule = {"q": "pregnant", "op": "eq", "value": True}
    assert explain(EXCLUSION, rule, {"pregnant": False}) == (
        "This does not rule you out. You answered “No” to “Are you pregnant?”."
    )


def test_only_the_unknown_answers_are_named_when_the_outcome_is_open():
    rule = {"any": [{"q": "esr_mm_h", "op": "gt", "value": 25}, SKIN]}
    text = explain(INCLUSION, rule, {"esr_mm_h": 10})
    assert "skin score" in text
    assert "sedimentation" not in text


def test_the_snapshot_follows_the_shared_contract():
    snapshot = evaluation_snapshot(nct_id="NCT04356287", evaluation=evaluate(REFERENCE, AGNES))
    assert set(snapshot) == {"trial", "verdict", "score", "criteria"}
    assert snapshot["trial"] == "NCT04356287"
    assert len(snapshot["criteria"]) == 17
    first = snapshot["criteria"][0]
    assert set(first) == {"kind", "number", "text", "outcome", "explanation", "verify"}
    assert first["verify"]


def test_numbers_read_as_a_person_writes_them_and_never_round_onto_a_threshold():
    from screening.explain import number_text

    assert [number_text(v) for v in (18.0, 17.456, 17.9996, 0.5, 200)] == [
        "18",
        "17.46",
        "17.9996",
        "0.5",
        "200",
    ]
