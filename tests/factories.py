"""Shared factory-boy factories and builders of test data."""

from pathlib import Path

import factory

from trials.importers.ctgov import study_from_record
from trials.models import Location, Official, OverallStatus, Sex, Trial
from trials.services import condition_terms, trial_upsert

CTGOV = Path(__file__).resolve().parent.parent / "data" / "ctgov"


class TrialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trial
        django_get_or_create = ("nct_id",)

    nct_id = factory.Sequence(lambda n: f"NCT9{n:07d}")
    brief_title = factory.Sequence(lambda n: f"A study of treatment {n}")
    overall_status = OverallStatus.RECRUITING
    lead_sponsor = "Example University Hospital"
    conditions = factory.LazyFunction(lambda: ["Asthma"])
    keywords = factory.LazyFunction(list)
    brief_summary = "This study tests a new treatment."
    sex = Sex.ALL
    minimum_age = 18.0
    # Keep the denormalized search fields as trial_upsert would write them.
    search_document = factory.LazyAttribute(
        lambda t: "\n".join(
            [t.brief_title, "; ".join(t.conditions), "; ".join(t.keywords), t.brief_summary]
        )
    )
    condition_terms = factory.LazyAttribute(lambda t: condition_terms(t.conditions + t.keywords))


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    trial = factory.SubFactory(TrialFactory)
    facility = factory.Sequence(lambda n: f"Clinic {n}")
    city = "Montreal"
    country = "Canada"


class OfficialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Official

    trial = factory.SubFactory(TrialFactory)
    name = factory.Sequence(lambda n: f"Dr Investigator {n}")
    role = "PRINCIPAL_INVESTIGATOR"


def trial_from_ctgov(nct_id: str) -> Trial:
    """The trial as the importer writes it from its recorded ClinicalTrials.gov record."""
    record = (CTGOV / f"{nct_id}.json").read_text(encoding="utf-8")
    trial, _created = trial_upsert(data=study_from_record(record))
    return trial
