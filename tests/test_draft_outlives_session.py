"""A patient's answers are never lost silently when the 30-minute session ends.

The questionnaire says there is no time limit. A patient who leaves a page open past the
idle expiry and then presses "Save and continue" keeps the page they filled and
everything before it: the draft is found again through its own signed, HttpOnly cookie,
which holds the draft's resume token and never an answer. Where even that cookie is gone,
the page's answers are kept on a new draft and the patient is told plainly what happened.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from screening.models import Draft
from screening.patient.draft_cookie import COOKIE_NAME
from tests.patient_journey import AGNES_ANSWERS, reference_trial, step_keys, step_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def trial(settings):
    settings.RATELIMIT_ENABLE = False
    return reference_trial()


def expire_sessions():
    """What 30 idle minutes do: the session row expires and is no longer loaded."""
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))


def first_step(client, trial):
    response = client.post(reverse("screening:start", args=[trial.nct_id]), {"action": "start"})
    page = client.get(response.url)
    return response.url, step_keys(page.content.decode())


def test_save_and_continue_after_the_session_expired_keeps_the_page_and_goes_on(client, trial):
    url, keys = first_step(client, trial)
    draft = Draft.objects.get()
    expire_sessions()
    response = client.post(url, step_post(keys, AGNES_ANSWERS))
    assert response.status_code == 302
    assert "/check/step/" in response.url and response.url != url
    draft.refresh_from_db()
    assert {k: draft.answers.get(k) for k in keys} == {k: AGNES_ANSWERS.get(k) for k in keys}
    assert draft.completed_steps == [url.rstrip("/").rsplit("/", 1)[-1]]
    assert Draft.objects.count() == 1
    # The session holds the draft again: the rest of the questionnaire goes on as before.
    assert client.get(response.url).status_code == 200


def test_the_draft_cookie_is_signed_http_only_and_holds_no_answer(client, trial):
    first_step(client, trial)
    cookie = client.cookies[COOKIE_NAME]
    draft = Draft.objects.get()
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) >= 7 * 24 * 3600
    assert draft.token in cookie.value
    for value in ("52", "age", "female"):
        assert value not in cookie.value.replace(draft.token, "")


def test_a_forged_draft_cookie_finds_nothing(client, trial):
    first_step(client, trial)
    other = Draft.objects.create(trial=trial, answers={"age": 40})
    client.cookies.pop(settings.SESSION_COOKIE_NAME)
    client.cookies[COOKIE_NAME] = f'{{"{trial.nct_id}": "{other.token}"}}'
    response = client.get(reverse("screening:start", args=[trial.nct_id]))
    assert "Continue where you left off" not in response.content.decode()


def test_after_applying_the_cookie_forgets_the_draft(client, trial):
    from tests.patient_journey import walk

    walk(client, trial, AGNES_ANSWERS)
    response = client.post(
        reverse("screening:apply", args=[trial.nct_id]),
        {
            "full_name": "Agnes Tremblay",
            "email": "agnes@example.org",
            "contact_method": "email",
            "contact_time": "any",
            "consent_contact": "on",
            "consent_share": "on",
            "consent_version": "2025-01",
        },
    )
    assert response.status_code == 302
    expire_sessions()
    page = client.get(reverse("screening:start", args=[trial.nct_id])).content.decode()
    assert "Continue where you left off" not in page


def test_with_no_cookie_either_the_page_is_kept_and_the_patient_told(client, trial):
    url, keys = first_step(client, trial)
    client.cookies.pop(settings.SESSION_COOKIE_NAME)
    client.cookies.pop(COOKIE_NAME)
    response = client.post(url, step_post(keys, AGNES_ANSWERS), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "could not find your earlier answers" in page
    kept = Draft.objects.latest("pk")
    assert {k: kept.answers.get(k) for k in keys} == {k: AGNES_ANSWERS.get(k) for k in keys}


def test_applying_with_no_session_and_no_cookie_tells_the_patient(client, trial):
    from tests.patient_journey import walk

    walk(client, trial, AGNES_ANSWERS)
    client.cookies.pop(settings.SESSION_COOKIE_NAME)
    client.cookies.pop(COOKIE_NAME, None)
    response = client.post(
        reverse("screening:apply", args=[trial.nct_id]), {"full_name": "A"}, follow=True
    )
    assert "could not find your answers" in response.content.decode()
