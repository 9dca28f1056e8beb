"""Shared factory-boy factories."""

import factory

from trials.models import Location, Official, OverallStatus, Sex, Trial
from trials.services import condition_terms


class TrialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trial

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
