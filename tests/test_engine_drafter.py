"""The criteria drafter (screening/engine/drafter.py): one kind of sentence at a time.

Precision first: every test of a kind the drafter must decline is as important as the
ones it must read.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.engine.criteria_items import criteria_items
from screening.engine.drafter import BOOLEAN_KEYS, NUMERIC_RANGES, draft_criterion
from screening.questions import BOOLEAN, QUESTIONS
from screening.rules import rule_validate


def rule_of(text: str, kind: str = "inclusion") -> dict | None:
    drafted = draft_criterion(text, kind)  # type: ignore[arg-type]
    return None if drafted is None else drafted.rule


# --- age ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, rule",
    [
        ("Age 18-65 years", {"q": "age", "op": "between", "value": [18, 65]}),
        ("Men and women aged 18 to 75 years", {"q": "age", "op": "between", "value": [18, 75]}),
        ("Be 18 55 years of age", {"q": "age", "op": "between", "value": [18, 55]}),
        ("Age between 40 and 80 years", {"q": "age", "op": "between", "value": [40, 80]}),
        ("18 years of age or older", {"q": "age", "op": "ge", "value": 18}),
        ("Patients ≥ 18 years old", {"q": "age", "op": "ge", "value": 18}),
        ("Age >= 21", {"q": "age", "op": "ge", "value": 21}),
        ("At least 18 years of age", {"q": "age", "op": "ge", "value": 18}),
        ("Age = 18 years", {"q": "age", "op": "ge", "value": 18}),
        ("Older than 50 years of age", {"q": "age", "op": "gt", "value": 50}),
        ("Age under 65 years", {"q": "age", "op": "lt", "value": 65}),
    ],
)
def test_age_bounds_in_inclusion(text: str, rule: dict) -> None:
    assert rule_of(text) == rule


@pytest.mark.parametrize(
    "text, kind, rule",
    [
        # "=" is a "≥" or "≤" lost in transcription, never a real "=".
        ("Age = 50", "inclusion", {"q": "age", "op": "ge", "value": 50}),
        ("Age = 17.", "exclusion", {"q": "age", "op": "le", "value": 17}),
        ("Age = 80 years", "exclusion", {"q": "age", "op": "ge", "value": 80}),
        (
            "Male and female aged =19 and < 65 years.",
            "inclusion",
            {"q": "age", "op": "between", "value": [19, 64]},
        ),
    ],
)
def test_lost_signs_are_read_only_where_the_direction_is_plain(
    text: str, kind: str, rule: dict
) -> None:
    assert rule_of(text, kind) == rule


def test_a_lost_sign_of_middle_age_in_an_exclusion_is_declined() -> None:
    assert rule_of("Age = 35 years", "exclusion") is None


def test_age_outside_bounds_in_exclusion_is_either_bound() -> None:
    assert rule_of("Age < 18 or > 75 years", "exclusion") == {
        "any": [{"q": "age", "op": "lt", "value": 18}, {"q": "age", "op": "gt", "value": 75}]
    }


@pytest.mark.parametrize(
    "text",
    [
        "Diabetes for more than 10 years",
        "Smoking history of at least 10 pack years",
        "Postmenopausal for at least 2 years",
        "Children aged 6 to 24 months",
        "Treated with metformin for at least 3 months",
    ],
)
def test_durations_and_unclear_ages_are_declined(text: str) -> None:
    drafted = draft_criterion(text, "inclusion")
    assert drafted is None or all(f["key"] != "age" for f in drafted.facts)


# --- measurements ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, rule",
    [
        ("BMI between 18.5 and 30 kg/m2", {"q": "bmi", "op": "between", "value": [18.5, 30]}),
        ("BMI 25-35 kg/m²", {"q": "bmi", "op": "between", "value": [25, 35]}),
        ("Hemoglobin ≥ 9 g/dL", {"q": "hemoglobin_g_dl", "op": "ge", "value": 9}),
        ("Haemoglobin > 100 g/L", {"q": "hemoglobin_g_dl", "op": "gt", "value": 10}),
        ("Platelets ≥ 100,000/mm3", {"q": "platelets_10e9_l", "op": "ge", "value": 100}),
        ("Platelet count > 1.5 x 109/L", {"q": "platelets_10e9_l", "op": "gt", "value": 1.5}),
        ("ANC ≥ 1.5 x 10^9/L", {"q": "neutrophils_10e9_l", "op": "ge", "value": 1.5}),
        ("ANC ≥ 1500/µL", {"q": "neutrophils_10e9_l", "op": "ge", "value": 1.5}),
        ("Serum creatinine ≤ 1.5 mg/dL", {"q": "creatinine_mg_dl", "op": "le", "value": 1.5}),
        ("Creatinine < 133 µmol/L", {"q": "creatinine_mg_dl", "op": "lt", "value": 1.5045}),
        ("HbA1c between 7% and 10%", {"q": "hba1c_pct", "op": "between", "value": [7, 10]}),
        ("eGFR ≥ 60 mL/min/1.73m2", {"q": "gfr_ml_min", "op": "ge", "value": 60}),
        ("LVEF < 40%", {"q": "lvef_pct", "op": "lt", "value": 40}),
        ("AST and ALT ≤ 2.5 x ULN", {"q": "ast_alt_x_uln", "op": "le", "value": 2.5}),
        ("Body weight ≥ 50 kg", {"q": "weight_kg", "op": "ge", "value": 50}),
    ],
)
def test_measurements_are_read_in_the_questions_unit(text: str, rule: dict) -> None:
    drafted = rule_of(text)
    assert drafted is not None
    assert drafted["q"] == rule["q"] and drafted["op"] == rule["op"]
    assert drafted["value"] == pytest.approx(rule["value"], rel=1e-3)


def test_hba1c_in_mmol_per_mol_goes_through_the_master_equation() -> None:
    drafted = rule_of("HbA1c ≤ 75 mmol/mol")
    assert drafted is not None and drafted["q"] == "hba1c_pct"
    assert drafted["value"] == pytest.approx(9.01, abs=0.01)  # 0.09148 × 75 + 2.152


def test_several_measurements_in_an_exclusion_exclude_on_any() -> None:
    drafted = draft_criterion("Hemoglobin < 9 g/dL or platelets < 100 x 10^9/L", "exclusion")
    assert drafted is not None
    assert drafted.rule == {
        "any": [
            {"q": "hemoglobin_g_dl", "op": "lt", "value": 9},
            {"q": "platelets_10e9_l", "op": "lt", "value": 100},
        ]
    }


@pytest.mark.parametrize(
    "text",
    [
        "AST < 2.5 × ULN, or < 5 × ULN with liver metastases",
        "ALT ≤ 3 x ULN (≤ 5 x ULN if liver metastases are present)",
        "Bilirubin ≤ 1.5 x ULN unless Gilbert's syndrome",
        "ALT > 80 U/L",  # an absolute value: no conversion to × ULN
        "Creatinine clearance > 60 mL/min unless on dialysis",
        "Weight loss of more than 10 kg",
        "BMI > 30, in the opinion of the investigator",
    ],
)
def test_conditional_or_unconvertible_bounds_are_declined(text: str) -> None:
    assert rule_of(text, "exclusion") is None


def test_spans_point_at_the_text_read() -> None:
    text = "Adequate marrow: hemoglobin ≥ 9 g/dL"
    drafted = draft_criterion(text, "inclusion")
    assert drafted is not None
    ((start, end),) = drafted.spans
    assert text[start:end].lower().startswith("hemoglobin")
    assert "9 g/dL" in text[start:end]


# --- pregnancy, breastfeeding, negation -----------------------------------------------


@pytest.mark.parametrize(
    "text, kind, rule",
    [
        (
            "Pregnant or breastfeeding",
            "exclusion",
            {
                "any": [
                    {"q": "pregnant", "op": "eq", "value": True},
                    {"q": "breastfeeding", "op": "eq", "value": True},
                ]
            },
        ),
        ("Women who are pregnant", "exclusion", {"q": "pregnant", "op": "eq", "value": True}),
        ("Positive pregnancy test", "exclusion", {"q": "pregnant", "op": "eq", "value": True}),
        ("Lactating women", "exclusion", {"q": "breastfeeding", "op": "eq", "value": True}),
        ("Must not be pregnant", "inclusion", {"q": "pregnant", "op": "eq", "value": False}),
        ("Non-pregnant women", "inclusion", {"q": "pregnant", "op": "eq", "value": False}),
        (
            "Women of childbearing potential must have a negative pregnancy test",
            "inclusion",
            {"q": "pregnant", "op": "eq", "value": False},
        ),
        ("Not breastfeeding", "inclusion", {"q": "breastfeeding", "op": "eq", "value": False}),
        ("Singleton pregnancy", "inclusion", {"q": "pregnant", "op": "eq", "value": True}),
    ],
)
def test_pregnancy_and_breastfeeding(text: str, kind: str, rule: dict) -> None:
    assert rule_of(text, kind) == rule


@pytest.mark.parametrize(
    "text",
    [
        "Planning to become pregnant during the study",
        "History of ectopic pregnancy",
        "Multiple pregnancy",
        "Partner who is pregnant",
        "Women of childbearing potential not using contraception to avoid pregnancy",
        "Hypertensive disorders of pregnancy",
    ],
)
def test_plans_history_and_kinds_of_pregnancy_give_nothing(text: str) -> None:
    drafted = draft_criterion(text, "exclusion")
    assert drafted is None or all(f["key"] != "pregnant" for f in drafted.facts)


@pytest.mark.parametrize(
    "text, kind, value",
    [
        ("No history of HIV infection", "inclusion", False),
        ("Patients without HIV", "inclusion", False),
        ("HIV negative", "inclusion", False),
        ("Known HIV infection", "exclusion", True),
        ("HIV positive", "exclusion", True),
    ],
)
def test_negation_of_conditions(text: str, kind: str, value: bool) -> None:
    assert rule_of(text, kind) == {"q": "hiv", "op": "eq", "value": value}


def test_hepatitis_b_and_c_in_one_exclusion() -> None:
    rule = rule_of("Positive hepatitis B surface antigen or hepatitis C antibody", "exclusion")
    assert rule == {
        "any": [
            {"q": "hepatitis_b_surface_antigen", "op": "eq", "value": True},
            {"q": "hepatitis_c", "op": "eq", "value": True},
        ]
    }


def test_facts_keep_comparisons_as_written() -> None:
    drafted = draft_criterion("Age < 18 years", "exclusion")
    assert drafted is not None
    assert drafted.facts == ({"key": "age", "comparator": "<", "value": 18},)


# --- the bank and the rule schema -----------------------------------------------------


def test_every_key_the_drafter_proposes_is_a_question_with_the_same_range() -> None:
    for key, (low, high) in NUMERIC_RANGES.items():
        if key == "bmi":
            continue  # derived from height and weight, never asked
        question = QUESTIONS[key]
        assert (question.min, question.max) == (low, high), key
    for key in BOOLEAN_KEYS:
        assert QUESTIONS[key].type == BOOLEAN


SAMPLES = [
    "Age 18-65 years",
    "Pregnant or breastfeeding",
    "Hemoglobin < 9 g/dL or platelets < 100 x 10^9/L",
    "No history of HIV infection",
    "HbA1c between 7% and 10%",
    "Serum creatinine > 2.0 mg/dL",
    "Systolic blood pressure > 160 mmHg",
]


@pytest.mark.parametrize("text", SAMPLES)
@pytest.mark.parametrize("kind", ["inclusion", "exclusion"])
def test_drafted_rules_pass_the_rule_schema(text: str, kind: str) -> None:
    drafted = draft_criterion(text, kind)  # type: ignore[arg-type]
    if drafted is not None:
        rule_validate(drafted.rule)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["inclusion", "exclusion"]))
def test_any_text_drafts_a_valid_rule_or_nothing(text: str, kind: str) -> None:
    drafted = draft_criterion(text, kind)  # type: ignore[arg-type]
    if drafted is not None:
        rule_validate(drafted.rule)
        assert drafted.facts
        for start, end in drafted.spans:
            assert 0 <= start < end <= len(text)


ALPHABET = st.sampled_from(
    [
        "age",
        " ",
        "18",
        "-",
        "65",
        "years",
        "≥",
        "<",
        "=",
        "x",
        "ULN",
        "pregnant",
        "no",
        "HIV",
        "or",
        "mg/dL",
        "g/L",
        "1.5",
        "109/L",
        "hemoglobin",
        "platelets",
        ",",
        "(",
        ")",
        "if",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(ALPHABET, max_size=25).map("".join), st.sampled_from(["inclusion", "exclusion"]))
def test_criterion_like_text_drafts_a_valid_rule_or_nothing(text: str, kind: str) -> None:
    drafted = draft_criterion(text, kind)  # type: ignore[arg-type]
    if drafted is not None:
        rule_validate(drafted.rule)


@pytest.mark.parametrize(
    "text, kind",
    [
        ("Able to consent, and if adolescent age 18+ years, parental involvement", "inclusion"),
        ("Only at the Berlin site: aged 18 to 40 years", "inclusion"),
        (
            "i) disease duration < 2 years and hemoglobin < 11 g/dL, or ii) GFR 30-89 mL/min",
            "inclusion",
        ),
        ("SpO2 ≤ 94% on room air, OR", "inclusion"),
        ("Conditions that impair immunity, such as AIDS and HIV", "exclusion"),
        ("ALT ≤ 3 x ULN at the discretion of the investigator", "inclusion"),
    ],
)
def test_conditions_on_the_whole_item_are_declined(text: str, kind: str) -> None:
    assert rule_of(text, kind) is None


def test_benign_words_that_look_like_conditions_do_not_block_a_draft() -> None:
    assert rule_of("Patients of either sex aged 18-45 years") == {
        "q": "age",
        "op": "between",
        "value": [18, 45],
    }
    assert rule_of("Cervix < 5 cm (if known), 18-45 years of age") == {
        "q": "age",
        "op": "between",
        "value": [18, 45],
    }


def test_an_inclusion_item_with_alternatives_is_met_by_either() -> None:
    assert rule_of("Bilirubin < 2.0 mg/dl or SGOT < 3.0 X the upper limit of normal") == {
        "any": [
            {"q": "bilirubin_mg_dl", "op": "lt", "value": 2},
            {"q": "ast_alt_x_uln", "op": "lt", "value": 3},
        ]
    }


def test_a_list_of_labs_shares_the_value_after_it() -> None:
    assert rule_of("ALT or AST > 5 times the upper limit of normal", "exclusion") == {
        "q": "ast_alt_x_uln",
        "op": "gt",
        "value": 5,
    }


def test_two_bounds_of_one_value() -> None:
    assert rule_of("BMI > 21 kg/m^2 and < 35 kg/m^2") == {
        "all": [{"q": "bmi", "op": "gt", "value": 21}, {"q": "bmi", "op": "lt", "value": 35}]
    }
    assert rule_of("Platelet count < 100,000/µl or > 600,000/µl", "exclusion") == {
        "any": [
            {"q": "platelets_10e9_l", "op": "lt", "value": 100},
            {"q": "platelets_10e9_l", "op": "gt", "value": 600},
        ]
    }


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=600))
def test_any_published_text_gives_items_that_draft_or_not_without_error(text: str) -> None:
    for item in criteria_items(text):
        drafted = draft_criterion(item.text, item.kind)
        if drafted is not None:
            rule_validate(drafted.rule)


@pytest.mark.parametrize(
    "text, kind, rule",
    [
        ("ECOG performance status 0-2", "inclusion", {"q": "ecog", "op": "le", "value": 2}),
        ("WHO performance status 0 or 1", "inclusion", {"q": "ecog", "op": "le", "value": 1}),
        ("ECOG > 2", "exclusion", {"q": "ecog", "op": "gt", "value": 2}),
        (
            "NYHA class III or IV heart failure",
            "exclusion",
            {"q": "nyha_class", "op": "ge", "value": 3},
        ),
        (
            "New York Heart Association (NYHA) class III/IV",
            "exclusion",
            {"q": "nyha_class", "op": "ge", "value": 3},
        ),
    ],
)
def test_performance_status_and_heart_failure_class(text: str, kind: str, rule: dict) -> None:
    assert rule_of(text, kind) == rule


@pytest.mark.parametrize(
    "text", ["Patients who 1) have a stent", "WHO 2010 criteria", "NYHA II or IV"]
)
def test_words_that_look_like_scores_are_not(text: str) -> None:
    assert rule_of(text, "exclusion") is None


@pytest.mark.parametrize(
    "text, kind",
    [
        ("Has at least one HIV-infected sexual partner", "inclusion"),
        ("Partners of unknown HIV status at substantial risk of HIV infection", "inclusion"),
        ("Transplant from donor positive for HIV, HBsAg, Hepatitis C", "exclusion"),
        ("Signs or symptoms suspicious for primary HIV infection", "exclusion"),
        ("Dementia due to causes other than HIV", "exclusion"),
        ("Laboratory evaluation: hepatitis B and hepatitis C tests, HIV test", "inclusion"),
        ("HIV-1 plasma RNA less than 50 copies/mL", "inclusion"),
        ("HIV neuropathy", "inclusion"),
        ("Absence of documentation of negative hepatitis B serologies", "exclusion"),
    ],
)
def test_mentions_that_are_not_the_patients_own_status_give_nothing(text: str, kind: str) -> None:
    drafted = draft_criterion(text, kind)  # type: ignore[arg-type]
    infections = {"hiv", "hepatitis_b_surface_antigen", "hepatitis_c"}
    assert drafted is None or not infections & {f["key"] for f in drafted.facts}


def test_lactate_is_not_lactation() -> None:
    assert rule_of("Serum lactate > 2 mmol/L", "exclusion") is None


def test_a_unit_the_drafter_does_not_know_is_never_assumed() -> None:
    assert rule_of("WBC < 3.5/ml", "exclusion") is None
    assert rule_of("eGFR < 60 mL/kg/min", "exclusion") is None


def test_an_aside_between_a_concept_and_its_value_is_skipped() -> None:
    text = (
        "Normal weight as defined by a Body Mass Index (BMI, weight in kg divided by the "
        "square of height in meters) of 18.0 to 30.0 kg/m2, extremes included"
    )
    assert rule_of(text) == {"q": "bmi", "op": "between", "value": [18, 30]}
    assert rule_of("Within their ideal body weight (BMI between >17 and =28 kg/m2)") == {
        "all": [{"q": "bmi", "op": "gt", "value": 17}, {"q": "bmi", "op": "le", "value": 28}]
    }


def test_an_aside_with_a_condition_is_not_skipped() -> None:
    assert rule_of("Creatinine clearance (unless on dialysis) > 60 mL/min") is None


@pytest.mark.parametrize(
    "text, kind, rule",
    [
        (
            "Not pregnant or breastfeeding",
            "inclusion",
            {
                "all": [
                    {"q": "pregnant", "op": "eq", "value": False},
                    {"q": "breastfeeding", "op": "eq", "value": False},
                ]
            },
        ),
        (
            "Females of child-bearing potential must not be pregnant or nursing",
            "inclusion",
            {
                "all": [
                    {"q": "pregnant", "op": "eq", "value": False},
                    {"q": "breastfeeding", "op": "eq", "value": False},
                ]
            },
        ),
        ("Positive for HIV", "exclusion", {"q": "hiv", "op": "eq", "value": True}),
        ("Negative HIV test", "inclusion", {"q": "hiv", "op": "eq", "value": False}),
    ],
)
def test_negation_over_a_list_and_status_phrasings(text: str, kind: str, rule: dict) -> None:
    assert rule_of(text, kind) == rule


@pytest.mark.parametrize(
    "text",
    [
        "Pregnancy within the last 6 months",
        "Delivery or pregnancy in the past year",
        "Women who became pregnant during a previous study",
    ],
)
def test_past_pregnancies_give_nothing(text: str) -> None:
    assert rule_of(text, "exclusion") is None


@pytest.mark.parametrize(
    "text, kind, rule",
    [
        (
            "Blood pressure > 140/90 mmHg",
            "exclusion",
            {
                "any": [
                    {"q": "systolic_bp_mmhg", "op": "gt", "value": 140},
                    {"q": "diastolic_bp_mmhg", "op": "gt", "value": 90},
                ]
            },
        ),
        (
            "Blood pressure < 140/90 mm Hg",
            "inclusion",
            {
                "all": [
                    {"q": "systolic_bp_mmhg", "op": "lt", "value": 140},
                    {"q": "diastolic_bp_mmhg", "op": "lt", "value": 90},
                ]
            },
        ),
        (
            "Systolic BP ≥ 140 mmHg and BMI > 30",
            "exclusion",
            {
                "all": [
                    {"q": "systolic_bp_mmhg", "op": "ge", "value": 140},
                    {"q": "bmi", "op": "gt", "value": 30},
                ]
            },
        ),
        (
            "Pregnant and breastfeeding women",
            "exclusion",
            {
                "any": [
                    {"q": "pregnant", "op": "eq", "value": True},
                    {"q": "breastfeeding", "op": "eq", "value": True},
                ]
            },
        ),
    ],
)
def test_blood_pressure_readings_and_how_parts_combine(text: str, kind: str, rule: dict) -> None:
    assert rule_of(text, kind) == rule


def test_a_bound_followed_by_another_under_a_condition_is_declined() -> None:
    assert rule_of("BMI ≥ 27 kg/m² with at least one comorbidity or ≥ 30 kg/m²") is None


def test_an_aside_that_holds_the_value_in_words_is_read() -> None:
    text = "Hepatic impairment (aspartate aminotransferase more than three times normal)"
    assert rule_of(text, "exclusion") == {"q": "ast_alt_x_uln", "op": "gt", "value": 3}
