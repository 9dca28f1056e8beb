"""Shared factory-boy factories and builders of test data."""

import json
import re
from pathlib import Path

import factory

from trials.models import Trial

CTGOV = Path(__file__).resolve().parent.parent / "data" / "ctgov"


class TrialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trial
        django_get_or_create = ("nct_id",)

    nct_id = factory.Sequence(lambda n: f"NCT9{n:07d}")
    brief_title = factory.Sequence(lambda n: f"A study of tea, number {n}")
    overall_status = "RECRUITING"
    eligibility_criteria = "Inclusion Criteria:\n* Likes tea\n"


def _years(text: str | None) -> float | None:
    # "18 Years", "6 Months": the ages the importer maps; enough for tests.
    if not text:
        return None
    amount, unit = re.match(r"(\d+(?:\.\d+)?)\s+(\w+)", text).groups()
    per_year = {"year": 1, "month": 12, "week": 52, "day": 365}[unit.lower().rstrip("s")]
    return float(amount) / per_year


def trial_from_ctgov(nct_id: str) -> Trial:
    """A Trial row from the recorded ClinicalTrials.gov record, with the fields screening
    reads (so screening tests need not depend on the importer)."""
    record = json.loads((CTGOV / f"{nct_id}.json").read_text(encoding="utf-8"))
    protocol = record["protocolSection"]
    eligibility = protocol["eligibilityModule"]
    return TrialFactory(
        nct_id=protocol["identificationModule"]["nctId"],
        brief_title=protocol["identificationModule"]["briefTitle"],
        overall_status=protocol["statusModule"]["overallStatus"],
        eligibility_criteria=eligibility.get("eligibilityCriteria", ""),
        sex=eligibility.get("sex", "ALL"),
        minimum_age=_years(eligibility.get("minimumAge")),
        maximum_age=_years(eligibility.get("maximumAge")),
        healthy_volunteers=eligibility.get("healthyVolunteers"),
        raw=record,
    )
