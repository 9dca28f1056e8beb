"""The apply page asks for a preferred site among the trial's recruiting sites."""

import pytest
from django.urls import reverse

from screening.models import Application
from tests.factories import LocationFactory, TrialFactory
from tests.patient_journey import AGNES_ANSWERS, AGNES_CONTACT, reference_trial, walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def trial():
    trial = reference_trial()
    trial.locations.all().delete()
    return trial


def test_the_patient_chooses_among_recruiting_sites(client, trial):
    LocationFactory(trial=trial, facility="Closed site", status="COMPLETED")
    montreal = LocationFactory(trial=trial, facility="CHUM", city="Montreal", status="RECRUITING")
    LocationFactory(trial=trial, facility="MUHC", city="Montreal", status="RECRUITING")
    walk(client, trial, AGNES_ANSWERS)
    page = client.get(reverse("screening:apply", args=[trial.nct_id])).content.decode()
    assert "Which study site would suit you best?" in page
    assert "CHUM" in page and "Closed site" not in page
    response = client.post(
        reverse("screening:apply", args=[trial.nct_id]), {**AGNES_CONTACT, "site": montreal.pk}
    )
    assert response.status_code == 302
    assert Application.objects.get().site == montreal


def test_a_site_of_another_trial_is_refused_or_dropped(client, trial):
    LocationFactory(trial=trial, status="RECRUITING")
    LocationFactory(trial=trial, status="RECRUITING")
    elsewhere = LocationFactory(trial=TrialFactory(), status="RECRUITING")
    walk(client, trial, AGNES_ANSWERS)
    response = client.post(
        reverse("screening:apply", args=[trial.nct_id]), {**AGNES_CONTACT, "site": elsewhere.pk}
    )
    assert response.status_code == 400  # not one of the choices: the form says so
    assert not Application.objects.exists()


def test_no_preference_and_trials_without_sites_keep_working(client, trial):
    LocationFactory(trial=trial, status="RECRUITING")
    LocationFactory(trial=trial, status="RECRUITING")
    walk(client, trial, AGNES_ANSWERS)
    response = client.post(
        reverse("screening:apply", args=[trial.nct_id]), {**AGNES_CONTACT, "site": ""}
    )
    assert response.status_code == 302
    assert Application.objects.get().site is None


def test_a_single_site_is_recorded_without_asking(client, trial):
    only = LocationFactory(trial=trial, status="RECRUITING")
    walk(client, trial, AGNES_ANSWERS)
    page = client.get(reverse("screening:apply", args=[trial.nct_id])).content.decode()
    assert "Which study site" not in page
    client.post(reverse("screening:apply", args=[trial.nct_id]), {**AGNES_CONTACT, "site": only.pk})
    assert Application.objects.get().site == only
