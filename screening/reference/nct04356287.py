"""NCT04356287, encoded exactly as `/work/shared/trials/NCT04356287.md` fixes it.

Texts are the published criteria, word for word ("2103" is the source's typo for 2013).
`verify` says what a pre-screen cannot settle and the study team must check.
"""

from typing import Any

NCT_ID = "NCT04356287"


def _cmp(key: str, op: str, value: Any) -> dict[str, Any]:
    return {"q": key, "op": op, "value": value}


def _yes(key: str) -> dict[str, Any]:
    return _cmp(key, "eq", True)


def _no(key: str) -> dict[str, Any]:
    return _cmp(key, "eq", False)


SEVERE_RECENT = {
    "all": [
        _cmp("disease_duration_years", "le", 2),
        _cmp("mrss", "gt", 20),
        {"any": [_cmp("esr_mm_h", "gt", 25), _cmp("hemoglobin_g_dl", "lt", 11)]},
    ]
}
RESPIRATORY = {
    "all": [
        {"any": [_cmp("dlco_pct_predicted", "lt", 80), _cmp("fvc_pct_predicted", "lt", 80)]},
        _yes("ild_on_imaging"),
    ]
}
RENAL = {"any": [_yes("past_renal_crisis"), _cmp("gfr_ml_min", "between", [30, 89])]}
CARDIAC = _yes("cardiac_involvement")
SEVERE_ORGAN = {"all": [_cmp("mrss", "gt", 15), {"any": [RESPIRATORY, RENAL, CARDIAC]}]}

# (kind, number, published text, rule, what the study team verifies)
CRITERIA: list[tuple[str, str, str, dict[str, Any], str]] = [
    (
        "inclusion",
        "1",
        "SSc according to American College of Rheumatology/European League Against "
        "Rheumatism (ACR/EULAR) 2103 classification criteria for systemic sclerosis",
        _yes("ssc_diagnosis"),
        "The diagnosis meets the ACR/EULAR 2013 classification criteria.",
    ),
    (
        "inclusion",
        "2",
        "Severe disease defined as:\n"
        "i) disease duration of 2 years or less with an mRss of > 20 and (ESR > 25 mm "
        "and/or hemoglobin < 11 g/dL, not explained by other causes than SSc), or ii) mRss "
        ">15 without any restriction as to disease duration plus at least one major organ "
        "involvement as defined by: a) respiratory involvement consisting of lung diffusion "
        "capacity for carbon monoxide (DLCO) and/or forced vital capacity (FVC) < 80% "
        "predicted and evidence of interstitial lung disease (chest X-ray and/or high "
        "resolution computed tomography (HRCT) scan); b) renal involvement consisting of "
        "past renal crisis and/or stage 2 or 3 chronic kidney disease (glomerular "
        "filtration rate between 30-89 mL/min) not explained by other causes than SSc; c) "
        "cardiac involvement consisting of reversible congestive heart failure, atrial or "
        "ventricular rhythm disturbances such as recurrent episodes of atrial fibrillation "
        "or flutter, recurrent atrial paroxysmal tachycardia, conduction abnormalities (2nd "
        "or 3rd degree atrioventricular block), and/or mild to moderate pericardial "
        "effusion. All causes of organ involvement should be attributed to SSc.",
        {"any": [SEVERE_RECENT, SEVERE_ORGAN]},
        "A raised ESR, a low haemoglobin and a reduced kidney function are not explained "
        "by causes other than SSc; every organ involvement is attributed to SSc.",
    ),
    (
        "inclusion",
        "3",
        "Inadequate response (determined by patient and physician judgement) or adverse "
        "events necessitating discontinuation of standard therapy (usually consisting of "
        "methotrexate 25 mg subcutaneous (or as tolerated) per week and/or mycophenolate "
        "mofetil 2-3 gm/d (or as tolerated) for at least 3 months",
        {
            "any": [
                _yes("inadequate_response_3_months"),
                _yes("stopped_standard_therapy_adverse_events"),
            ]
        },
        "Inadequate response by physician judgement; doses and duration of standard therapy.",
    ),
    (
        "inclusion",
        "4",
        "Ineligibility or unwillingness to undergo autologous hematopoietic stem cell transplant",
        _yes("hsct_ineligible_or_unwilling"),
        "",
    ),
    ("exclusion", "1", "Age < 18 years", _cmp("age", "lt", 18), ""),
    (
        "exclusion",
        "2",
        "Pregnancy or unwillingness to use adequate contraception",
        {"any": [_yes("pregnant"), _no("willing_contraception")]},
        "",
    ),
    (
        "exclusion",
        "3",
        "Life-threatening end-organ damage defined as:\n"
        "FVC < 45% and/or DLCO (corrected for hemoglobin) < 30% predicted;\n"
        "Left ventricular ejection fraction < 40% by cardiac echocardiography;\n"
        "Pulmonary hypertension with baseline resting systolic pulmonary arterial pressures "
        "> 50 mmHg by cardiac echocardiography, or mean pulmonary artery pressure > 25 mmHg "
        "(and pulmonary wedge pressure < 15 mmHg) on right heart catheterization;\n"
        "stage 4 or more chronic kidney disease (glomerular filtration rate < 30 ml/min)",
        {
            "any": [
                _cmp("fvc_pct_predicted", "lt", 45),
                _cmp("dlco_pct_predicted", "lt", 30),
                _cmp("lvef_pct", "lt", 40),
                _cmp("spap_mmhg", "gt", 50),
                _cmp("mpap_mmhg", "gt", 25),
                _cmp("gfr_ml_min", "lt", 30),
            ]
        },
        "Pulmonary wedge pressure < 15 mmHg on right heart catheterization; DLCO corrected "
        "for haemoglobin.",
    ),
    (
        "exclusion",
        "4",
        "Liver failure defined as an abnormal transaminase level (aspartate aminotransferase "
        "(ASAT), alanine aminotransaminase (ALAT) > 3 normal) unless related to activity of "
        "the disease",
        _cmp("ast_alt_x_uln", "gt", 3),
        "Whether raised transaminases are related to activity of the disease.",
    ),
    (
        "exclusion",
        "5",
        "Concurrent neoplasms or myelodysplasia",
        _yes("cancer_or_myelodysplasia"),
        "",
    ),
    ("exclusion", "6", "Uncontrolled hypertension", _yes("uncontrolled_hypertension"), ""),
    (
        "exclusion",
        "7",
        "Uncontrolled acute or chronic infection (HIV, HTLV-1/2 (Human T-lymphotropic "
        "virus), hepatitis B surface Ag positive, hepatitis C positive) or high risk thereof",
        _yes("uncontrolled_infection"),
        "High risk of infection (physician judgement).",
    ),
    (
        "exclusion",
        "8",
        "Significant malnutrition with BMI < 18 kg/m2",
        _cmp("bmi", "lt", 18),
        "",
    ),
    (
        "exclusion",
        "9",
        "Severe concomitant psychiatric disorder",
        _yes("severe_psychiatric_disorder"),
        "",
    ),
    (
        "exclusion",
        "10",
        "Bone marrow insufficiency defined as neutropenia < 0.5 x 109 cell/L, "
        "thrombocytopenia < 30 x 109 cell/L, anemia < 8g/dL, CD4+ T lymphopenia < 200 x 106 "
        "cell/L due to other diseases than SSc (CD4 - cluster of differentiation 4)",
        {
            "any": [
                _cmp("neutrophils_10e9_l", "lt", 0.5),
                _cmp("platelets_10e9_l", "lt", 30),
                _cmp("hemoglobin_g_dl", "lt", 8),
                _cmp("cd4_10e6_l", "lt", 200),
            ]
        },
        "Whether low blood counts are due to diseases other than SSc.",
    ),
    ("exclusion", "11", "History of poor compliance", _yes("poor_compliance_history"), ""),
    (
        "exclusion",
        "12",
        "Concurrent enrolment in any other protocol using an investigational drug",
        _yes("in_other_drug_trial"),
        "",
    ),
    ("exclusion", "13", "Inability to provide informed consent", _no("can_give_consent"), ""),
]


# A patient whose every answer favours this trial: every inclusion met, every exclusion
# not met. The demo data, the benchmark and the tests start from it.
EXAMPLE_ELIGIBLE_ANSWERS: dict[str, Any] = {
    "age": 45,
    "sex": "female",
    "ssc_diagnosis": True,
    "disease_duration_years": 1.5,
    "mrss": 25,
    "esr_mm_h": 30,
    "hemoglobin_g_dl": 12,
    "fvc_pct_predicted": 85,
    "dlco_pct_predicted": 85,
    "ild_on_imaging": False,
    "past_renal_crisis": False,
    "gfr_ml_min": 95,
    "cardiac_involvement": False,
    "inadequate_response_3_months": True,
    "stopped_standard_therapy_adverse_events": False,
    "hsct_ineligible_or_unwilling": True,
    "pregnant": False,
    "willing_contraception": True,
    "lvef_pct": 60,
    "spap_mmhg": 30,
    "mpap_mmhg": 18,
    "ast_alt_x_uln": 1,
    "cancer_or_myelodysplasia": False,
    "uncontrolled_hypertension": False,
    "uncontrolled_infection": False,
    "height_cm": 165,
    "weight_kg": 60,
    "severe_psychiatric_disorder": False,
    "neutrophils_10e9_l": 4,
    "platelets_10e9_l": 250,
    "cd4_10e6_l": 800,
    "poor_compliance_history": False,
    "in_other_drug_trial": False,
    "can_give_consent": True,
}
