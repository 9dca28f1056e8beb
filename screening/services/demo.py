"""Demo applicants, so that a person trying `make run` has a queue to triage.

They go through the real services (the questionnaire's snapshot, consent, the outbox and
the workflow), so the demo shows exactly what a real application looks like.
"""

import gzip
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import TrialMembership
from screening.models import Application, Draft
from screening.reference.nct04356287 import EXAMPLE_ELIGIBLE_ANSWERS
from screening.selectors_consent import consent_terms
from screening.services.applications import Consent, Contact, application_submit
from screening.services.contacts import ContactInput, contact_log
from screening.services.workflow import application_status_change
from screening.sites import trial_recruiting_sites
from trials.models import Trial
from trials.services import ImportReport, trial_import_documents

DEMO_EMAIL_DOMAIN = "patients.demo.example"

_FAVOURABLE = EXAMPLE_ELIGIBLE_ANSWERS

# (name, answers, the statuses the team has moved it through)
_REFERENCE_APPLICANTS: list[tuple[str, dict[str, Any], list[str]]] = [
    ("Agnes Tremblay", _FAVOURABLE, []),
    ("Bernard Roy", {**_FAVOURABLE, "mrss": None, "esr_mm_h": None}, []),
    ("Chloé Gagnon", {**_FAVOURABLE, "cd4_10e6_l": None, "lvef_pct": None}, ["in_review"]),
    (
        "Daniel Côté",
        {
            **_FAVOURABLE,
            "disease_duration_years": 6,
            "mrss": 19,
            "ild_on_imaging": True,
            "fvc_pct_predicted": 68,
        },
        ["in_review", "contacted_1"],
    ),
    ("Élise Morin", {**_FAVOURABLE, "gfr_ml_min": 25}, []),
    ("François Bouchard", {"age": 61, "ssc_diagnosis": True, "mrss": 30}, []),
    ("Gabrielle Lavoie", {**_FAVOURABLE, "pregnant": True}, ["in_review", "not_eligible"]),
]

_OTHER_APPLICANTS: list[tuple[str, dict[str, Any], list[str]]] = [
    ("Hélène Fortin", {"age": 44, "sex": "female", "healthy_volunteer": False}, []),
    ("Isabelle Pelletier", {"age": 38, "sex": "female"}, []),
]


def _email(name: str) -> str:
    local = name.split()[0].lower().translate(str.maketrans("éèêëçô", "eeeeco"))
    return f"{local}@{DEMO_EMAIL_DOMAIN}"


@transaction.atomic
def demo_applications_create() -> int:
    """Submit the demo applicants to the reference trial and to the demo team's other
    trial, once. Returns how many were created (0 when they already exist)."""
    if Application.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}").exists():
        return 0
    created = 0
    for trial in Trial.objects.filter(team__isnull=False).distinct().order_by("nct_id"):
        coordinator = (
            trial.team.filter(role=TrialMembership.Role.COORDINATOR).select_related("user").first()
        )
        applicants = _REFERENCE_APPLICANTS if trial.nct_id == "NCT04356287" else _OTHER_APPLICANTS
        terms = consent_terms(trial=trial)
        sites = trial_recruiting_sites(trial=trial)
        for index, (name, answers, moves) in enumerate(applicants):
            draft = Draft.objects.create(trial=trial, answers=answers)
            application = application_submit(
                draft=draft,
                contact=Contact(
                    full_name=name,
                    email=_email(name),
                    phone="+1 514 555 0142",
                    site_id=sites[index % len(sites)].pk if sites else None,
                ),
                consent=Consent(version=terms.version, to_be_contacted=True, to_share_answers=True),
            )
            # Spread the submissions over the past days, oldest first, so that "Today's
            # work" has applicants waiting past the contact deadline and others not.
            Application.objects.filter(pk=application.pk).update(
                created_at=timezone.now() - timedelta(days=len(applicants) - index, hours=index)
            )
            application.refresh_from_db()
            for status in moves:
                if status == "contacted_1":
                    contact_log(
                        application=application,
                        by=coordinator.user,
                        data=ContactInput(channel="phone", outcome="no_answer"),
                    )
                    continue
                application_status_change(
                    application=application,
                    to_status=status,
                    by=coordinator.user,
                    reason="exclusion_met" if status == "not_eligible" else "",
                )
            created += 1
    return created


def demo_catalogue_path() -> Path:
    """The demo catalogue: 980 real ClinicalTrials.gov records (data/ctgov-catalogue/SOURCES.md)."""
    return settings.BASE_DIR / "data" / "ctgov-catalogue" / "studies.json.gz"


def demo_catalogue_load(*, path: Path | None = None) -> ImportReport:
    """Import the demo catalogue, a gzip-compressed JSON array of API v2 study records
    (the registry website's "Download → JSON" shape), through the real importer.

    Idempotent: a record equal to the stored trial writes nothing. Each record is
    imported on its own, so one bad record is reported and skipped.
    """
    path = path or demo_catalogue_path()
    with gzip.open(path, "rt", encoding="utf-8") as file:
        records = json.load(file)
    if not isinstance(records, list):
        records = [records]
    # One transaction for the thousand records (each still in its own savepoint, so a
    # bad one is skipped alone): one commit instead of a thousand, which on SQLite is
    # the difference between a minute of disk syncs and a few seconds.
    with transaction.atomic():
        return trial_import_documents(
            documents=((f"{path.name}[{index}]", record) for index, record in enumerate(records))
        )
