"""One predicate decides which registry statuses take applicants, on every patient entry.

Personas: Agnes, a patient halfway through (or done with) the reference trial's
questionnaire, when the registry closes the trial under her.
"""

import pytest
from django.urls import reverse

from screening.models import Application, Draft
from screening.selectors import trials_screen_all
from tests.factories import TrialFactory
from tests.patient_journey import AGNES_ANSWERS, reference_trial, walk
from trials.models import (
    OPEN_STATUSES,
    STATUS_TAKES_APPLICANTS,
    OverallStatus,
    Trial,
    status_takes_applicants,
)

pytestmark = pytest.mark.django_db

CLOSED = [s for s in OverallStatus.values if not STATUS_TAKES_APPLICANTS[s]]
TAKING = [s for s in OverallStatus.values if STATUS_TAKES_APPLICANTS[s]]
CLOSED_PAGE = "not accepting applications through the portal right now"
CONTACT = {
    "full_name": "Agnes Tremblay",
    "email": "agnes@example.org",
    "contact_method": "email",
    "contact_time": "morning",
    "consent_contact": "on",
    "consent_share": "on",
}


def test_every_registry_status_is_decided_including_expanded_access():
    assert set(STATUS_TAKES_APPLICANTS) == set(OverallStatus.values)
    assert set(TAKING) == {
        "RECRUITING",
        "NOT_YET_RECRUITING",
        "ENROLLING_BY_INVITATION",
        "AVAILABLE",
    }
    for status in (
        "COMPLETED",
        "WITHDRAWN",
        "TERMINATED",
        "SUSPENDED",
        "ACTIVE_NOT_RECRUITING",
        "UNKNOWN",
        "NO_LONGER_AVAILABLE",
        "TEMPORARILY_NOT_AVAILABLE",
        "APPROVED_FOR_MARKETING",
        "WITHHELD",
    ):
        assert not status_takes_applicants(status)
    assert not status_takes_applicants("SOMETHING_NEW")
    assert set(OPEN_STATUSES) == set(TAKING)


@pytest.mark.parametrize("status", OverallStatus.values)
def test_the_row_and_the_queryset_agree(status):
    trial = TrialFactory(overall_status=status)
    paused = TrialFactory(overall_status=status, screening_open=False)
    taking = set(Trial.objects.taking_applicants().values_list("pk", flat=True))
    assert (trial.pk in taking) is trial.takes_applicants is status_takes_applicants(status)
    assert paused.pk not in taking and not paused.takes_applicants
    # The catalogue lists open trials first by the same decision.
    rank = Trial.objects.values_list("open_rank", flat=True).get(pk=trial.pk)
    assert rank == (0 if status_takes_applicants(status) else 1)


@pytest.mark.parametrize("status", ["COMPLETED", "WITHDRAWN", "TERMINATED", "NO_LONGER_AVAILABLE"])
def test_a_trial_closed_mid_questionnaire_shows_a_kind_page_on_every_entry(client, status):
    trial = reference_trial()
    walk(client, trial, AGNES_ANSWERS)
    draft = Draft.objects.get(trial=trial)
    other = TrialFactory(conditions=["Systemic Sclerosis"], minimum_age=18.0)
    Trial.objects.filter(pk=trial.pk).update(overall_status=status)

    nct = trial.nct_id
    entries = [
        reverse("screening:start", args=[nct]),
        reverse("screening:continue", args=[nct]),
        reverse("screening:step", args=[nct, "about_you"]),
        reverse("screening:result", args=[nct]),
        reverse("screening:apply", args=[nct]),
        reverse("screening:resume", args=[draft.token]),
        reverse("screening:save", args=[nct]),
    ]
    for url in entries:
        page = client.get(url)
        assert page.status_code == 200, url
        text = page.content.decode()
        assert CLOSED_PAGE in text, url
        assert "registry listing now says" in text
        assert "Your answers are kept" in text
        # Trials that take applicants are offered, their questionnaire one click away.
        assert reverse("screening:start", args=[other.nct_id]) in text
    assert client.post(reverse("screening:apply", args=[nct]), CONTACT).status_code == 200
    assert client.post(reverse("screening:start", args=[nct]), {"action": "restart"})
    assert not Application.objects.exists()
    assert Draft.objects.filter(trial=trial).count() == 1
    assert Draft.objects.get(trial=trial).answers == draft.answers

    # Her answers stay usable for the other trial: its questionnaire starts from them.
    start = client.get(reverse("screening:start", args=[other.nct_id]))
    assert "Start from my earlier answers" in start.content.decode()
    client.post(reverse("screening:start", args=[other.nct_id]), {"action": "reuse"})
    reused = Draft.objects.get(trial=other)
    assert reused.answers == {"age": AGNES_ANSWERS["age"]}
    assert reused.completed_steps == []


def test_the_detail_page_offers_the_check_only_while_applicants_are_taken(client):
    for status in ["RECRUITING", "AVAILABLE", "COMPLETED", "APPROVED_FOR_MARKETING"]:
        trial = TrialFactory(overall_status=status)
        text = client.get(trial.get_absolute_url()).content.decode()
        assert ("Check if you qualify" in text) is status_takes_applicants(status), status


def test_screen_all_lists_only_trials_taking_applicants():
    made = {status: TrialFactory(overall_status=status).nct_id for status in OverallStatus.values}
    TrialFactory(overall_status="RECRUITING", screening_open=False)
    listed = {row.nct_id for row in trials_screen_all(answers={"age": 40})}
    assert listed == {made[s] for s in TAKING}
