"""Shared factory-boy factories and builders of test data."""

from pathlib import Path

import factory
from django.utils import timezone

from accounts.models import TrialMembership, User
from screening.models import Application, Draft, StatusChange
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


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"coordinator{n}@example.org")
    first_name = "Casey"
    last_name = "Coordinator"
    password = factory.django.Password("correct horse battery")


class TrialMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrialMembership

    user = factory.SubFactory(UserFactory)
    trial = factory.SubFactory(TrialFactory)
    role = TrialMembership.Role.COORDINATOR
    notify = TrialMembership.Notify.INSTANT


class DraftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Draft

    trial = factory.SubFactory(TrialFactory)
    answers = factory.LazyFunction(lambda: {"age": 64})


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    trial = factory.SubFactory(TrialFactory)
    reference = factory.Sequence(lambda n: f"REF-{n:06d}")
    full_name = "Pat Patient"
    email = factory.Sequence(lambda n: f"patient{n}@example.net")
    phone = "+1 555 0100"
    language = "en"
    answers = factory.LazyFunction(lambda: {"age": 64})
    evaluation = factory.LazyAttribute(
        lambda o: {"trial": o.trial.nct_id, "verdict": o.verdict, "score": o.score, "criteria": []}
    )
    verdict = "likely_eligible"
    score = 1.0
    consent_version = "2025-01"
    consented_at = factory.LazyFunction(timezone.now)


class StatusChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatusChange

    application = factory.SubFactory(ApplicationFactory)
    from_status = Application.Status.NEW
    to_status = Application.Status.IN_REVIEW


def trial_from_ctgov(nct_id: str) -> Trial:
    """The trial as the importer writes it from its recorded ClinicalTrials.gov record."""
    record = (CTGOV / f"{nct_id}.json").read_text(encoding="utf-8")
    trial, _created = trial_upsert(data=study_from_record(record))
    return trial
