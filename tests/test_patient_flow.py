"""The questionnaire flow, driven through Django's test client."""

import pytest
from django.urls import reverse

from tests.patient_journey import AGNES_ANSWERS, reference_trial, walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def trial():
    return reference_trial()


def test_a_likely_eligible_patient_walks_every_step_to_the_result(client, trial):
    response, steps = walk(client, trial, AGNES_ANSWERS)
    assert response.url == reverse("screening:result", args=[trial.nct_id])
    assert [url.rstrip("/").rsplit("/", 1)[1] for url in steps] == [
        "about_you",
        "diagnosis",
        "tests",
        "organs",
        "treatments",
        "other_health",
    ]
    page = client.get(response.url)
    assert "You may be eligible" in page.content.decode()
    assert page["Cache-Control"].count("no-store") == 1
