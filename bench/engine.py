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

from screening.reference.nct04356287 import EXAMPLE_ELIGIBLE_ANSWERS

# The reference trial's eligible example, with two answers unknown so that the
# explanations of both kinds are rendered.
ANSWERS: dict[str, Any] = {**EXAMPLE_ELIGIBLE_ANSWERS, "mpap_mmhg": None, "cd4_10e6_l": None}


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
