"""Shared factory_boy factories. Personas live in the tests that need them."""

import factory
from django.utils import timezone

from accounts.models import TrialMembership, User
from screening.models import Application, Draft, StatusChange
from trials.models import Trial


class TrialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trial
        django_get_or_create = ("nct_id",)

    nct_id = factory.Sequence(lambda n: f"NCT{n:08d}")
    brief_title = factory.Sequence(lambda n: f"A study of treatment {n}")
    overall_status = "RECRUITING"


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
