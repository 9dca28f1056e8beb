"""Time the eligibility engine on the reference trial: `python -m bench.engine`.

Measures, never asserts: prints microseconds per evaluation of one answer set against
NCT04356287's 17 criteria, for the pure engine and with the patient-readable
explanations rendered (the evaluation snapshot). No database is touched.
"""

from __future__ import annotations

import os
import timeit
from collections.abc import Mapping
from typing import Any

ANSWERS: dict[str, Any] = {
    "age": 45,
    "ssc_diagnosis": True,
    "disease_duration_years": 1.5,
    "mrss": 25,
    "esr_mm_h": 30,
    "hemoglobin_g_dl": 12,
    "fvc_pct_predicted": 70,
    "dlco_pct_predicted": 60,
    "ild_on_imaging": True,
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
    "mpap_mmhg": None,
    "ast_alt_x_uln": 1,
    "cancer_or_myelodysplasia": False,
    "uncontrolled_hypertension": False,
    "uncontrolled_infection": False,
    "height_cm": 165,
    "weight_kg": 60,
    "severe_psychiatric_disorder": False,
    "neutrophils_10e9_l": 4,
    "platelets_10e9_l": 250,
    "cd4_10e6_l": None,
    "poor_compliance_history": False,
    "in_other_drug_trial": False,
    "can_give_consent": True,
}


def engine_timings(
    answers: Mapping[str, Any] = ANSWERS, *, number: int = 2000, repeat: int = 5
) -> dict[str, float]:
    """Best-of-`repeat` microseconds per evaluation, for each stage of a screening."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    import django

    django.setup()
    from django.utils import translation

    from screening.eligibility import CriterionSpec, evaluate
    from screening.explain import evaluation_snapshot
    from screening.questions import answers_validate
    from screening.reference import ENCODED

    criteria = [
        CriterionSpec(kind=kind, number=number, text=text, rule=rule, verify=verify)
        for kind, number, text, rule, verify in ENCODED["NCT04356287"]
    ]
    stages = {
        "validate answers": lambda: answers_validate(answers),
        "evaluate (pure engine)": lambda: evaluate(criteria, answers),
        "evaluate + explanations": lambda: evaluation_snapshot(
            nct_id="NCT04356287", evaluation=evaluate(criteria, answers)
        ),
    }
    with translation.override("en"):
        return {
            name: min(timeit.repeat(stage, number=number, repeat=repeat)) / number * 1e6
            for name, stage in stages.items()
        }


def main() -> None:
    for name, micros in engine_timings().items():
        print(f"{name:<26} {micros:8.1f} µs per answer set")


if __name__ == "__main__":
    main()
