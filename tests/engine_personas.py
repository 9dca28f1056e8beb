"""Answer sets of named patients for the NCT04356287 engine tests (plain data)."""

from screening.eligibility import CriterionSpec
from screening.reference import ENCODED

REFERENCE = [
    CriterionSpec(kind=kind, number=number, text=text, rule=rule, verify=verify)
    for kind, number, text, rule, verify in ENCODED["NCT04356287"]
]

# Agnes: early severe skin disease with a high ESR (inclusion 2, branch i only), every
# other answer favourable. Her organ branch is closed: no lung scarring, normal kidneys,
# healthy heart.
AGNES = {
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

# Bernard: long-standing disease (branch i closed) with skin score 18 and lung
# involvement (branch ii, respiratory), every other answer favourable.
BERNARD = {
    **AGNES,
    "sex": "male",
    "disease_duration_years": 6,
    "mrss": 18,
    "fvc_pct_predicted": 70,
    "dlco_pct_predicted": 85,
    "ild_on_imaging": True,
}
