"""Shared factory-boy factories and builders of test data."""

from pathlib import Path

import factory
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.utils import timezone

from accounts.models import TrialMembership, User
from screening.models import Application, Draft, Note, StatusChange
from trials.importers.ctgov import study_from_record
from trials.models import Location, Official, OverallStatus, Sex, Trial
from trials.services import condition_terms, trial_search_vectors_refresh, trial_upsert
from trials.similar import similar_refresh

CTGOV = Path(__file__).resolve().parent.parent / "data" / "ctgov"
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXQ"


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

    @classmethod
    def _create(cls, model_class: type[Trial], *args: object, **kwargs: object) -> Trial:
        # The stored search vector too, which trial_upsert refreshes after each write.
        trial = super()._create(model_class, *args, **kwargs)
        trial_search_vectors_refresh(trials=Trial.objects.filter(pk=trial.pk))
        similar_refresh(trial_ids=[trial.pk])
        return trial


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
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Sequence(lambda n: f"Person{n}")
    password = factory.django.Password("a long test password")

    @factory.post_generation
    def totp(self, create: bool, extracted: object, **kwargs: object) -> None:
        # Team members must have two-factor set up; factories give them TOTP unless
        # a test asks for a user without (totp=False).
        wanted = create and extracted is not False
        if wanted and not Authenticator.objects.filter(user=self, type="totp").exists():
            TOTP.activate(self, TEST_TOTP_SECRET)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrialMembership

    user = factory.SubFactory(UserFactory)
    trial = factory.SubFactory(TrialFactory)
    role = TrialMembership.Role.COORDINATOR


def evaluation_snapshot(
    *, trial: str = "NCT04356287", verdict: str = "needs_review", score: float = 0.75
) -> dict:
    """An evaluation following the shared contract: met, not met, unknown and a 'verify'."""
    return {
        "trial": trial,
        "verdict": verdict,
        "score": score,
        "criteria": [
            {
                "kind": "inclusion",
                "number": "1",
                "text": "Age 18 to 70 years",
                "outcome": "met",
                "explanation": "You are 52.",
                "verify": "",
            },
            {
                "kind": "inclusion",
                "number": "2",
                "text": "Modified Rodnan skin score of 15 or more",
                "outcome": "unknown",
                "explanation": "You did not know your skin score.",
                "verify": "Measure the skin score at the screening visit.",
            },
            {
                "kind": "exclusion",
                "number": "1",
                "text": "Pregnancy",
                "outcome": "not_met",
                "explanation": "You are not pregnant.",
                "verify": "Pregnancy test at screening.",
            },
            {
                "kind": "exclusion",
                "number": "2",
                "text": "Scleroderma renal crisis in the past",
                "outcome": "not_met",
                "explanation": "You never had a renal crisis.",
                "verify": "",
            },
        ],
    }


class DraftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Draft

    trial = factory.SubFactory(TrialFactory)
    answers = factory.LazyFunction(lambda: {"age": 64})


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    trial = factory.SubFactory(TrialFactory)
    reference = factory.Sequence(lambda n: f"APP-{n:06d}")
    full_name = factory.Sequence(lambda n: f"Patient Number{n}")
    email = factory.Sequence(lambda n: f"patient{n}@example.net")
    phone = "+1 514 555 0100"
    answers = factory.LazyFunction(
        lambda: {"age": 52, "ssc_diagnosis": True, "mrss": None, "pregnant": False}
    )
    verdict = "needs_review"
    score = 0.75
    evaluation = factory.LazyAttribute(
        lambda o: evaluation_snapshot(trial=o.trial.nct_id, verdict=o.verdict, score=o.score)
    )
    consent_version = "1.0"
    consented_at = factory.LazyFunction(timezone.now)


class NoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Note

    application = factory.SubFactory(ApplicationFactory)
    author = factory.SubFactory(UserFactory)
    text = "Called, left a message."


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
