"""NCT04356287 encoded as its reference page says, boundary by boundary (pure engine)."""

import pytest

from screening.eligibility import (
    LIKELY_ELIGIBLE,
    MET,
    NEEDS_REVIEW,
    NOT_ELIGIBLE,
    NOT_MET,
    UNKNOWN,
    evaluate,
)
from tests.engine_personas import AGNES, BERNARD, REFERENCE


def outcome(answers, kind, number):
    for result in evaluate(REFERENCE, answers).results:
        if (result.spec.kind, result.spec.number) == (kind, number):
            return result.outcome
    raise AssertionError(f"no {kind} {number}")


def test_reference_trial_has_its_four_inclusions_and_thirteen_exclusions_in_order():
    assert [(s.kind, s.number) for s in REFERENCE] == [
        ("inclusion", str(n)) for n in range(1, 5)
    ] + [("exclusion", str(n)) for n in range(1, 14)]


@pytest.mark.parametrize("persona", [AGNES, BERNARD], ids=["agnes", "bernard"])
def test_a_fully_favourable_patient_is_likely_eligible_with_score_one(persona):
    evaluation = evaluate(REFERENCE, persona)
    assert evaluation.verdict == LIKELY_ELIGIBLE
    assert evaluation.score == 1.0


def test_not_knowing_the_skin_score_needs_review():
    evaluation = evaluate(REFERENCE, {**AGNES, "mrss": None})
    assert evaluation.verdict == NEEDS_REVIEW
    assert outcome({**AGNES, "mrss": None}, "inclusion", "2") == UNKNOWN
    assert evaluation.score == pytest.approx(16 / 17)


def test_a_missing_answer_counts_as_i_dont_know():
    answers = dict(AGNES)
    del answers["mrss"]
    assert evaluate(REFERENCE, answers).verdict == NEEDS_REVIEW


def test_a_sixteen_year_old_is_not_eligible():
    assert outcome({**AGNES, "age": 16}, "exclusion", "1") == MET
    assert evaluate(REFERENCE, {**AGNES, "age": 16}).verdict == NOT_ELIGIBLE


def test_exclusion_met_beats_unknown_inclusions():
    answers = {key: None for key in AGNES} | {"age": 16}
    evaluation = evaluate(REFERENCE, answers)
    assert evaluation.verdict == NOT_ELIGIBLE
    assert evaluation.score == 0.0


def test_an_empty_answer_set_needs_review():
    evaluation = evaluate(REFERENCE, {})
    assert evaluation.verdict == NEEDS_REVIEW
    assert {r.outcome for r in evaluation.results} == {UNKNOWN}


# (persona, changed answers, criterion, expected outcome): each boundary on both sides.
BOUNDARIES = [
    # Inclusion 2 (i): duration <= 2, mrss > 20, ESR > 25 or Hb < 11.
    (AGNES, {"mrss": 20}, ("inclusion", "2"), NOT_MET),
    (AGNES, {"mrss": 21}, ("inclusion", "2"), MET),
    (AGNES, {"disease_duration_years": 2}, ("inclusion", "2"), MET),
    (AGNES, {"disease_duration_years": 2.1}, ("inclusion", "2"), NOT_MET),
    (AGNES, {"esr_mm_h": 25}, ("inclusion", "2"), NOT_MET),
    (AGNES, {"esr_mm_h": 26}, ("inclusion", "2"), MET),
    (AGNES, {"esr_mm_h": 25, "hemoglobin_g_dl": 11}, ("inclusion", "2"), NOT_MET),
    (AGNES, {"esr_mm_h": 25, "hemoglobin_g_dl": 10.9}, ("inclusion", "2"), MET),
    (AGNES, {"esr_mm_h": None, "hemoglobin_g_dl": 10.9}, ("inclusion", "2"), MET),
    (AGNES, {"esr_mm_h": None}, ("inclusion", "2"), UNKNOWN),
    # Inclusion 2 (ii): mrss > 15 and an organ.
    (BERNARD, {"mrss": 15}, ("inclusion", "2"), NOT_MET),
    (BERNARD, {"mrss": 16}, ("inclusion", "2"), MET),
    (BERNARD, {"fvc_pct_predicted": 80}, ("inclusion", "2"), NOT_MET),
    (BERNARD, {"fvc_pct_predicted": 79.9}, ("inclusion", "2"), MET),
    (BERNARD, {"fvc_pct_predicted": 80, "dlco_pct_predicted": 79}, ("inclusion", "2"), MET),
    (BERNARD, {"ild_on_imaging": False}, ("inclusion", "2"), NOT_MET),
    (BERNARD, {"ild_on_imaging": None}, ("inclusion", "2"), UNKNOWN),
    (BERNARD, {"ild_on_imaging": False, "gfr_ml_min": 89}, ("inclusion", "2"), MET),
    (BERNARD, {"ild_on_imaging": False, "gfr_ml_min": 90}, ("inclusion", "2"), NOT_MET),
    (BERNARD, {"ild_on_imaging": False, "gfr_ml_min": 30}, ("inclusion", "2"), MET),
    (BERNARD, {"ild_on_imaging": False, "gfr_ml_min": 29}, ("inclusion", "2"), NOT_MET),
    (BERNARD, {"ild_on_imaging": False, "past_renal_crisis": True}, ("inclusion", "2"), MET),
    (BERNARD, {"ild_on_imaging": False, "cardiac_involvement": True}, ("inclusion", "2"), MET),
    (BERNARD, {"ild_on_imaging": False, "gfr_ml_min": None}, ("inclusion", "2"), UNKNOWN),
    # Inclusions 1, 3, 4.
    (AGNES, {"ssc_diagnosis": False}, ("inclusion", "1"), NOT_MET),
    (
        AGNES,
        {"inadequate_response_3_months": False, "stopped_standard_therapy_adverse_events": True},
        ("inclusion", "3"),
        MET,
    ),
    (AGNES, {"inadequate_response_3_months": False}, ("inclusion", "3"), NOT_MET),
    (
        AGNES,
        {"inadequate_response_3_months": None, "stopped_standard_therapy_adverse_events": None},
        ("inclusion", "3"),
        UNKNOWN,
    ),
    (AGNES, {"hsct_ineligible_or_unwilling": False}, ("inclusion", "4"), NOT_MET),
    # Exclusions.
    (AGNES, {"age": 17}, ("exclusion", "1"), MET),
    (AGNES, {"age": 18}, ("exclusion", "1"), NOT_MET),
    (AGNES, {"pregnant": True}, ("exclusion", "2"), MET),
    (AGNES, {"pregnant": True, "willing_contraception": None}, ("exclusion", "2"), MET),
    (AGNES, {"willing_contraception": False}, ("exclusion", "2"), MET),
    (AGNES, {"pregnant": None}, ("exclusion", "2"), UNKNOWN),
    (AGNES, {"fvc_pct_predicted": 44}, ("exclusion", "3"), MET),
    (AGNES, {"fvc_pct_predicted": 45}, ("exclusion", "3"), NOT_MET),
    (AGNES, {"dlco_pct_predicted": 29}, ("exclusion", "3"), MET),
    (AGNES, {"dlco_pct_predicted": 30}, ("exclusion", "3"), NOT_MET),
    (AGNES, {"lvef_pct": 39}, ("exclusion", "3"), MET),
    (AGNES, {"lvef_pct": 40}, ("exclusion", "3"), NOT_MET),
    (AGNES, {"spap_mmhg": 51}, ("exclusion", "3"), MET),
    (AGNES, {"spap_mmhg": 50}, ("exclusion", "3"), NOT_MET),
    (AGNES, {"mpap_mmhg": 26}, ("exclusion", "3"), MET),
    (AGNES, {"mpap_mmhg": 25}, ("exclusion", "3"), NOT_MET),
    (AGNES, {"gfr_ml_min": 29}, ("exclusion", "3"), MET),
    (AGNES, {"gfr_ml_min": 30}, ("exclusion", "3"), NOT_MET),
    (AGNES, {"mpap_mmhg": None}, ("exclusion", "3"), UNKNOWN),
    (AGNES, {"mpap_mmhg": None, "lvef_pct": 20}, ("exclusion", "3"), MET),
    (AGNES, {"ast_alt_x_uln": 3}, ("exclusion", "4"), NOT_MET),
    (AGNES, {"ast_alt_x_uln": 3.1}, ("exclusion", "4"), MET),
    (AGNES, {"cancer_or_myelodysplasia": True}, ("exclusion", "5"), MET),
    (AGNES, {"uncontrolled_hypertension": True}, ("exclusion", "6"), MET),
    (AGNES, {"uncontrolled_infection": True}, ("exclusion", "7"), MET),
    # BMI 18 exactly: 18 * 1.5^2 = 40.5 kg at 150 cm.
    (AGNES, {"height_cm": 150, "weight_kg": 40.5}, ("exclusion", "8"), NOT_MET),
    (AGNES, {"height_cm": 150, "weight_kg": 40.4}, ("exclusion", "8"), MET),
    (AGNES, {"height_cm": 160, "weight_kg": 46.08}, ("exclusion", "8"), NOT_MET),
    (AGNES, {"height_cm": 160, "weight_kg": 46.07}, ("exclusion", "8"), MET),
    (AGNES, {"height_cm": None}, ("exclusion", "8"), UNKNOWN),
    (AGNES, {"weight_kg": None}, ("exclusion", "8"), UNKNOWN),
    (AGNES, {"severe_psychiatric_disorder": True}, ("exclusion", "9"), MET),
    (AGNES, {"neutrophils_10e9_l": 0.4}, ("exclusion", "10"), MET),
    (AGNES, {"neutrophils_10e9_l": 0.5}, ("exclusion", "10"), NOT_MET),
    (AGNES, {"platelets_10e9_l": 29}, ("exclusion", "10"), MET),
    (AGNES, {"platelets_10e9_l": 30}, ("exclusion", "10"), NOT_MET),
    (AGNES, {"hemoglobin_g_dl": 7.9}, ("exclusion", "10"), MET),
    (AGNES, {"hemoglobin_g_dl": 8}, ("exclusion", "10"), NOT_MET),
    (AGNES, {"cd4_10e6_l": 199}, ("exclusion", "10"), MET),
    (AGNES, {"cd4_10e6_l": 200}, ("exclusion", "10"), NOT_MET),
    (AGNES, {"cd4_10e6_l": None}, ("exclusion", "10"), UNKNOWN),
    (AGNES, {"poor_compliance_history": True}, ("exclusion", "11"), MET),
    (AGNES, {"in_other_drug_trial": True}, ("exclusion", "12"), MET),
    (AGNES, {"can_give_consent": False}, ("exclusion", "13"), MET),
    (AGNES, {"can_give_consent": None}, ("exclusion", "13"), UNKNOWN),
]


@pytest.mark.parametrize(("persona", "changes", "criterion", "expected"), BOUNDARIES)
def test_reference_boundary(persona, changes, criterion, expected):
    assert outcome({**persona, **changes}, *criterion) == expected


def test_bmi_is_derived_from_height_and_weight():
    from screening.eligibility import answers_with_derived

    assert answers_with_derived({"height_cm": 200, "weight_kg": 80})["bmi"] == pytest.approx(20)
    assert answers_with_derived({"height_cm": 200})["bmi"] is None
