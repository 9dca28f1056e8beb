"""Answer sets of named patients for the NCT04356287 engine tests (plain data)."""

from screening.eligibility import CriterionSpec
from screening.reference import ENCODED
from screening.reference.nct04356287 import EXAMPLE_ELIGIBLE_ANSWERS

REFERENCE = [
    CriterionSpec(kind=kind, number=number, text=text, rule=rule, verify=verify)
    for kind, number, text, rule, verify in ENCODED["NCT04356287"]
]

# Agnes: early severe skin disease with a high ESR (inclusion 2, branch i only), every
# other answer favourable. Her organ branch is closed: no lung scarring, normal kidneys,
# healthy heart.
AGNES = dict(EXAMPLE_ELIGIBLE_ANSWERS)

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
