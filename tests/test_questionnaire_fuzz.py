"""Random form input never breaks the questionnaire or the apply page, and saves nothing
when it is invalid."""

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.models import Application, Draft
from screening.patient.forms import QuestionsForm
from screening.questions import QUESTIONS
from tests.patient_journey import AGNES_ANSWERS, reference_trial, walk

pytestmark = pytest.mark.django_db

STEP_KEYS = {
    "about_you": ["age", "height_cm", "weight_kg", "pregnant", "willing_contraception"],
    "diagnosis": ["ssc_diagnosis", "disease_duration_years", "mrss"],
}
values = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["true", "false", "unknown", "on", "", "NaN", "1e999", "-1", "12,5", "52"]),
    st.integers(-(10**6), 10**6).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
fields = st.sampled_from(
    [*STEP_KEYS["about_you"], *STEP_KEYS["diagnosis"], "mrss__unknown", "action", "bmi", "x"]
)


@pytest.fixture
def trial(settings):
    settings.RATELIMIT_ENABLE = False
    return reference_trial()


def _form_is_valid(keys, data, context):
    questions = [QUESTIONS[k] for k in keys]
    return QuestionsForm(data, questions=questions, context=context).is_valid()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.dictionaries(fields, values, max_size=8))
def test_random_step_input_never_errors_and_saves_nothing_invalid(trial, data):
    client = Client()
    client.post(reverse("screening:start", args=[trial.nct_id]), {"action": "start"})
    draft = Draft.objects.latest("pk")
    url = reverse("screening:step", args=[trial.nct_id, "about_you"])
    data = {**data, "action": "next"}
    response = client.post(url, data)
    assert response.status_code in (302, 400)
    draft.refresh_from_db()
    if response.status_code == 400:
        assert draft.completed_steps == []
        assert draft.answers == {}
    else:
        assert _form_is_valid(STEP_KEYS["about_you"], data, {})
        assert set(draft.answers) <= set(STEP_KEYS["about_you"])


contact_fields = st.sampled_from(
    [
        "full_name",
        "email",
        "phone",
        "contact_method",
        "contact_time",
        "consent_contact",
        "consent_share",
    ]
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.dictionaries(contact_fields, values, max_size=7))
def test_random_apply_input_never_errors_and_saves_nothing_invalid(trial, data):
    client = Client()
    walk(client, trial, AGNES_ANSWERS)
    before = Application.objects.count()
    response = client.post(reverse("screening:apply", args=[trial.nct_id]), data)
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert Application.objects.count() == before
