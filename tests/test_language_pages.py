"""Every page and email, in each language, reads in that language only.

The browser tests check the patient journey in Chromium; these check every other page
a patient or a coordinator meets (and the emails) from the rendered HTML, with the same
rule (tests.language_check): registry text marked lang="en" apart, no English in French
pages and no French in English ones.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from screening.models import Application, Notification
from screening.selectors import trial_evaluate
from screening.services import notify
from tests.factories import ApplicationFactory, MembershipFactory, NoteFactory, UserFactory
from tests.language_check import html_text_nodes, mixed_text
from tests.patient_journey import AGNES_ANSWERS, AGNES_CONTACT, reference_trial, walk

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "fr"]


def assert_reads_in(html: str, language: str, where: str) -> None:
    assert f'<html lang="{language}"' in html, where
    mixed = mixed_text(html_text_nodes(html), language)
    assert not mixed, (where, mixed)


def get(client, url: str, language: str, status: int = 200) -> str:
    response = client.get(url, follow=True)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


@pytest.fixture
def speaking(client):
    def choose(language: str):
        client.cookies["django_language"] = language
        return client

    return choose


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages(speaking, language):
    client = speaking(language)
    trial = reference_trial()
    for url, status in [
        (reverse("trials:list"), 200),
        (reverse("trials:list") + "?q=sclerosis", 200),
        (reverse("trials:list") + "?age=abc", 400),
        (trial.get_absolute_url(), 200),
        ("/no-such-page/", 404),
        (reverse("account_login"), 200),
    ]:
        assert_reads_in(get(client, url, language, status), language, url)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "answers",
    [AGNES_ANSWERS, {**AGNES_ANSWERS, "mrss": None}, {**AGNES_ANSWERS, "age": 16}],
    ids=["likely", "review", "not"],
)
def test_every_questionnaire_page_and_result(speaking, language, answers):
    client = speaking(language)
    trial = reference_trial()
    assert_reads_in(
        get(client, reverse("screening:start", args=[trial.nct_id]), language), language, "start"
    )
    with translation.override(language):
        response, seen = walk(client, trial, answers)
    for url in seen:
        assert_reads_in(get(client, url, language), language, url)
    assert_reads_in(get(client, response.url, language), language, "result")
    assert_reads_in(
        get(client, reverse("screening:save", args=[trial.nct_id]), language), language, "save"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_applying_with_mistakes_then_status_and_withdraw(speaking, language):
    client = speaking(language)
    trial = reference_trial()
    with translation.override(language):
        walk(client, trial, AGNES_ANSWERS)
    apply_url = reverse("screening:apply", args=[trial.nct_id])
    assert_reads_in(get(client, apply_url, language), language, "apply")
    wrong = client.post(apply_url, {"full_name": "", "email": "not-an-email"})
    assert wrong.status_code == 400
    assert_reads_in(wrong.content.decode(), language, "apply with mistakes")
    client.post(
        apply_url,
        {**AGNES_CONTACT, "full_name": "Agnès Tremblay", "consent_version": "2025-01"},
    )
    application = Application.objects.get()
    assert application.language == language
    for url in [
        reverse("screening:confirmation", args=[trial.nct_id]),
        reverse("screening:status", args=[application.status_token]),
        reverse("screening:withdraw", args=[application.status_token]),
    ]:
        assert_reads_in(get(client, url, language), language, url)
    trial.screening_open = False
    trial.save()
    closed = get(client, reverse("screening:start", args=[trial.nct_id]), language)
    assert_reads_in(closed, language, "closed")


@pytest.mark.parametrize("language", LANGUAGES)
def test_coordinator_pages(speaking, language):
    client = speaking(language)
    trial = reference_trial()
    coordinator = UserFactory(email="casey@example.org")
    MembershipFactory(user=coordinator, trial=trial)
    answers = {**AGNES_ANSWERS, "mrss": None}
    with translation.override(language):  # the snapshot is in the patient's language
        evaluation = trial_evaluate(trial=trial, answers=answers)
    application = ApplicationFactory(
        trial=trial,
        language=language,
        answers=answers,
        evaluation=evaluation,
        verdict=evaluation["verdict"],
        score=evaluation["score"],
    )
    NoteFactory(application=application, author=coordinator)
    client.force_login(coordinator)
    for url in [
        reverse("dashboard:home"),
        reverse("dashboard:queue"),
        reverse("dashboard:trial_queue", args=[trial.nct_id]) + "?status=nonsense",
        reverse("dashboard:applicant", args=[application.reference]),
        reverse("dashboard:trial_settings", args=[trial.nct_id]),
        reverse("dashboard:criteria", args=[trial.nct_id]),
        reverse("account_notifications"),
    ]:
        html = client.get(url).content.decode()
        assert_reads_in(html, language, url)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_email_reads_in_its_language(
    language, mailoutbox, django_capture_on_commit_callbacks
):
    trial = reference_trial()
    application = ApplicationFactory(trial=trial, language=language)
    # The coordinator's emails follow their own language, not the page's they were
    # queued from (here the other language).
    coordinator = UserFactory(email="casey@example.org", language=language)
    MembershipFactory(user=coordinator, trial=trial, notify="instant")
    other = "fr" if language == "en" else "en"
    with django_capture_on_commit_callbacks(execute=True), translation.override(other):
        notify.notify_application_received(application=application)
        notify.notify_coordinators_new_applicant(application=application)
        notify.notify_coordinator_digest(
            user=coordinator,
            local_date=timezone.localdate(),
            trials=[{"trial_nct_id": trial.nct_id, "trial_title": "A trial", "count": 1}],
        )
    templates = {n.template for n in Notification.objects.all()}
    assert templates == {"application-received", "new-applicant", "coordinator-digest"}
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        html = message.alternatives[0][0]
        assert_reads_in(html, language, message.subject)
