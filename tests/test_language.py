"""Choosing the language, and the true words that come with it.

Personas: a French-speaking patient (browser asks for fr-CA), an English-speaking one,
and a patient who switches mid-questionnaire.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from screening.eligibility import Fact
from screening.explain import fact_sentence, number_text
from screening.models import Application, Draft
from screening.patient.estimate import SECONDS_CHOICE, SECONDS_VALUE, questionnaire_estimate
from screening.patient.flow import Flow
from screening.questions import DATE, INTEGER, NUMBER
from screening.services import notify
from screening.services.workflow import application_status_change
from tests.factories import ApplicationFactory, MembershipFactory, UserFactory, trial_from_ctgov
from tests.patient_journey import (
    AGNES_ANSWERS,
    AGNES_CONTACT,
    reference_trial,
    step_keys,
    step_post,
    walk,
)

pytestmark = pytest.mark.django_db

FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr-CA,fr;q=0.9,en;q=0.5"}
COOKIE = settings.LANGUAGE_COOKIE_NAME


def html_lang(response) -> str:
    return response.content.decode().split('<html lang="', 1)[1].split('"', 1)[0]


def test_the_browser_language_decides_on_the_first_visit(client):
    assert html_lang(client.get(reverse("trials:list"), **FRENCH)) == "fr"
    assert html_lang(client.get(reverse("trials:list"), HTTP_ACCEPT_LANGUAGE="en-CA")) == "en"
    # A language the portal does not have falls back to English.
    assert html_lang(client.get(reverse("trials:list"), HTTP_ACCEPT_LANGUAGE="de")) == "en"


@pytest.mark.parametrize("code", ["en", "fr"])
def test_the_switch_remembers_the_choice_in_a_cookie_over_the_browser(client, code):
    response = client.get(reverse("language", args=[code]), {"next": "/trials/?q=lupus"})
    assert response.status_code == 302 and response["Location"] == "/trials/?q=lupus"
    cookie = response.cookies[COOKIE]
    assert cookie.value == code and int(cookie["max-age"]) >= 30 * 24 * 3600
    other = {"en": "fr-CA", "fr": "en-CA"}[code]
    assert html_lang(client.get("/trials/", HTTP_ACCEPT_LANGUAGE=other)) == code


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""]
)
def test_the_switch_only_goes_back_to_this_site(client, target):
    response = client.get(reverse("language", args=["fr"]), {"next": target})
    assert response.status_code == 302 and response["Location"] == "/trials/"


@pytest.mark.parametrize("code", ["de", "EN", "fr-ca", "x" * 30])
def test_an_unknown_language_is_a_404_and_sets_nothing(client, code):
    response = client.get(reverse("language", args=[code]))
    assert response.status_code == 404 and COOKIE not in response.cookies


def test_every_page_has_the_switch_as_plain_links(client):
    trial = reference_trial()
    for url, back in [
        (reverse("trials:list"), reverse("trials:list")),
        (trial.get_absolute_url(), trial.get_absolute_url()),
        # An error page does not echo the address asked for.
        ("/no-such-page/", "/trials/"),
    ]:
        html = client.get(url, **FRENCH).content.decode()
        assert 'class="language-switch' in html, url
        assert f'href="/language/en/?next={back}"' in html, url


def test_switching_on_a_step_saves_the_answers_of_that_step(client):
    trial = reference_trial()
    response = client.post(reverse("screening:start", args=[trial.nct_id]), {"action": "start"})
    step_url = response.url
    page = client.get(step_url).content.decode()
    assert 'form="questionnaire"' in page and 'value="language-fr"' in page
    data = step_post(step_keys(page), AGNES_ANSWERS, action="language-fr")
    response = client.post(step_url, data)
    assert response.status_code == 302 and response.url == step_url
    assert response.cookies[COOKIE].value == "fr"
    assert Draft.objects.get().answers["age"] == AGNES_ANSWERS["age"]
    again = client.get(step_url)
    assert html_lang(again) == "fr" and 'value="45"' in again.content.decode()


def test_the_trial_title_on_a_step_is_not_a_way_out(client):
    trial = reference_trial()
    response = client.post(reverse("screening:start", args=[trial.nct_id]), {"action": "start"})
    html = client.get(response.url).content.decode()
    title = html.split('class="trial-name"', 1)[1].split("</p>", 1)[0]
    assert "<a " not in title and trial.brief_title in title


@pytest.mark.parametrize("nct_id", ["NCT04356287", "NCT06388018"])
def test_the_time_estimate_counts_the_questions_the_trial_asks(client, nct_id):
    trial = reference_trial() if nct_id == "NCT04356287" else trial_from_ctgov(nct_id)
    flow = Flow.for_trial(trial)
    questions = [q for step in flow.steps for q in step.questions]
    seconds = sum(
        SECONDS_VALUE if q.type in (INTEGER, NUMBER, DATE) else SECONDS_CHOICE for q in questions
    )
    estimate = questionnaire_estimate(trial)
    assert (estimate.questions, estimate.steps) == (len(questions), len(flow.steps))
    assert estimate.minutes == max(1, -(-seconds // 60))
    html = client.get(trial.get_absolute_url()).content.decode()
    assert estimate.sentence() in html
    assert "about 5 minutes" not in html
    assert f"{len(flow.steps)} short page" in html


def test_the_reference_trial_estimate_reads_true():
    estimate = questionnaire_estimate(reference_trial())
    assert estimate.questions >= 30 and estimate.steps == 6 and estimate.minutes > 5


def test_no_page_suggests_i_dont_know_where_no_question_offers_it(client):
    """The female-only imported trial asks sex, age and healthy volunteer: no question
    there offers "I don't know", so neither its trial page, start page nor step does."""
    trial = trial_from_ctgov("NCT06388018")
    hint = "I don't know"
    assert hint not in client.get(trial.get_absolute_url()).content.decode().replace("’", "'")
    start = client.get(reverse("screening:start", args=[trial.nct_id])).content.decode()
    assert hint not in start
    response = client.post(reverse("screening:start", args=[trial.nct_id]), {"action": "start"})
    assert hint not in client.get(response.url).content.decode()


def test_a_step_with_an_i_dont_know_answer_says_so(client):
    trial = reference_trial()
    response, seen = walk(client, trial, {**AGNES_ANSWERS, "mrss": None})
    pages = [client.get(url).content.decode() for url in seen]
    for html in pages:
        offers = 'value="unknown"' in html or "__unknown" in html
        assert ("If you are not sure of an answer" in html) == offers


@pytest.mark.parametrize(
    ("value", "en", "fr"),
    [
        (12.5, "12.5", "12,5"),
        (17.456, "17.46", "17,46"),
        (40.0, "40", "40"),
        (0.35, "0.35", "0,35"),
    ],
)
def test_numbers_use_the_languages_decimal_mark(value, en, fr):
    with translation.override("en"):
        assert number_text(value) == en
    with translation.override("fr"):
        assert number_text(value) == fr


def test_a_french_patient_applies_and_every_email_stays_in_french(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    trial = reference_trial()
    client.get("/trials/", **FRENCH)  # LocaleMiddleware reads Accept-Language per request
    with translation.override("fr"):
        response, _ = walk(client, trial, AGNES_ANSWERS)
    result = client.get(response.url, **FRENCH).content.decode()
    assert "Vous pourriez être admissible" in result
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("screening:apply", args=[trial.nct_id]),
            {**AGNES_CONTACT, "full_name": "Agnès Tremblay", "consent_version": "2025-01"},
            **FRENCH,
        )
    application = Application.objects.get()
    assert application.language == "fr"
    assert mailoutbox[-1].subject.startswith("Nous avons reçu votre candidature")

    # The coordinator works in English; the patient's email stays in French.
    coordinator = MembershipFactory(trial=trial, user=UserFactory(), role="coordinator").user
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        application_status_change(application=application, to_status="in_review", by=coordinator)
    assert mailoutbox[-1].subject.startswith("Des nouvelles de votre candidature")
    assert "L'équipe de recherche a commencé" in mailoutbox[-1].body.replace("’", "'")


def test_an_english_patients_email_stays_in_english_from_a_french_coordinator(
    mailoutbox, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(language="en")
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        notify.notify_application_received(application=application)
    assert mailoutbox[-1].subject.startswith("We have received your application")


def test_french_client_sees_no_django_english(client):
    """Django's and the libraries' own words (form errors, 404) come in French too."""
    response = client.get("/no-such-page/", **FRENCH)
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


@pytest.mark.parametrize("url_name", ["trials:list"])
def test_registry_text_is_marked_english_in_french_pages(client, url_name):
    trial = reference_trial()
    html = client.get(trial.get_absolute_url(), **FRENCH).content.decode()
    assert f'<h1 class="trial-title" lang="en">{trial.brief_title}' in html
    assert '<ul class="criteria-list" lang="en">' in html
    listing = Client().get(reverse(url_name), **FRENCH).content.decode()
    assert f'lang="en">{trial.brief_title}</a>' in listing


def test_percentages_follow_the_languages_typography():
    fact = Fact(key="fvc_pct_predicted", op="lt", value=45, answer=85.5, result=False)
    with translation.override("en"):
        assert "85.5%, is not below 45%" in fact_sentence(fact)
    with translation.override("fr"):
        assert "85,5\u00a0%, ne se situe pas sous 45\u00a0%" in fact_sentence(fact)
