"""Privacy and cost of the patient pages: no-store, CSP, CSRF, no answers in URLs,
bounded queries."""

import pytest
from django.test import Client
from django.urls import reverse

from screening.models import Draft
from tests.patient_journey import AGNES_ANSWERS, reference_trial, step_keys, step_post, walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def trial():
    return reference_trial()


def test_step_pages_send_no_store_and_a_strict_content_security_policy(client, trial):
    client.post(reverse("screening:start", args=[trial.nct_id]), {"action": "start"})
    response = client.get(reverse("screening:step", args=[trial.nct_id, "about_you"]))
    assert "no-store" in response["Cache-Control"]
    policy = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ):
        assert directive in policy
    assert "unsafe-inline" not in policy
    assert "<script>" not in response.content.decode()


def test_answers_never_travel_in_urls(client, trial):
    response, steps = walk(client, trial, AGNES_ANSWERS)
    for url in [*steps, response.url]:
        assert "?" not in url and "25" not in url


def test_steps_refuse_a_post_without_csrf_token(trial):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("screening:start", args=[trial.nct_id]), {"action": "start"})
    assert response.status_code == 403
    assert not Draft.objects.exists()


def test_step_pages_use_a_bounded_number_of_queries(client, trial, django_assert_max_num_queries):
    client.post(reverse("screening:start", args=[trial.nct_id]), {"action": "start"})
    url = reverse("screening:step", args=[trial.nct_id, "about_you"])
    with django_assert_max_num_queries(8):
        page = client.get(url)
    keys = step_keys(page.content.decode())
    with django_assert_max_num_queries(16):
        client.post(url, step_post(keys, AGNES_ANSWERS))
    with django_assert_max_num_queries(8):
        client.get(reverse("screening:result", args=[trial.nct_id]))


def test_the_admin_and_trial_pages_still_work_under_the_policy(admin_client, trial):
    client = admin_client
    assert client.get("/admin/").status_code == 200
    assert client.get(trial.get_absolute_url()).status_code == 200


def test_a_step_answered_with_birth_control_irrelevant_does_not_require_it(client, trial):
    client.post(reverse("screening:start", args=[trial.nct_id]), {"action": "start"})
    url = reverse("screening:step", args=[trial.nct_id, "about_you"])
    answers = {**AGNES_ANSWERS, "pregnant": True}
    data = step_post(["age", "height_cm", "weight_kg", "pregnant"], answers)
    response = client.post(url, data)
    assert response.status_code == 302
    assert "willing_contraception" not in Draft.objects.get().answers


def test_resume_link_adopts_the_draft_in_a_new_browser(client, trial):
    walk(client, trial, {**AGNES_ANSWERS, "age": 16})
    draft = Draft.objects.get()
    other = Client()
    response = other.get(reverse("screening:resume", args=[draft.token]))
    assert response.status_code == 302
    assert other.get(reverse("screening:result", args=[trial.nct_id])).status_code == 200
    assert other.get(reverse("screening:resume", args=["not-a-token"])).status_code == 404


def test_the_trial_page_links_to_the_questionnaire(client, trial):
    page = client.get(trial.get_absolute_url()).content.decode()
    assert reverse("screening:start", args=[trial.nct_id]) in page
