"""Withdraw and erase leaves nothing of the patient in any table.

The patient goes the whole way through the real pages (questionnaire, "email me a link",
apply), the team moves the application on and writes about them, emails go out and one
fails; then the patient withdraws and erases from the status link. Every text and JSON
column of every installed model is then searched for the patient's name, email and phone.
"""

import json

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from screening.models import Application, Notification
from screening.services.contacts import ContactInput, contact_log, point_verify
from screening.services.workflow import application_note_add, application_status_change
from tests.factories import MembershipFactory
from tests.patient_journey import AGNES_ANSWERS, reference_trial, walk

pytestmark = pytest.mark.django_db

NAME = "Agnes Tremblay-Qwertz"
EMAIL = "agnes.qwertz@example.org"
PHONE = "+1 514 555 0199"
NEEDLES = (NAME.lower(), "qwertz", EMAIL.lower(), PHONE, "5145550199")


def _text_columns(model: type[models.Model]) -> list[str]:
    return [
        f.attname
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField)
    ]


def personal_data_left() -> list[str]:
    """Every (model, column) of every installed model whose value holds a needle."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        columns = _text_columns(model)
        if not columns:
            continue
        for row in model._base_manager.values_list("pk", *columns):
            for column, value in zip(columns, row[1:], strict=True):
                if value is None:
                    continue
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                text = text.lower()
                for needle in NEEDLES:
                    if needle.lower() in text:
                        found.append(f"{model._meta.label}.{column} (pk={row[0]}): {needle}")
    return found


@pytest.fixture
def trial(settings):
    settings.RATELIMIT_ENABLE = False
    return reference_trial()


@pytest.fixture
def casey(trial):
    return MembershipFactory(trial=trial, user__email="casey@example.org", notify="instant").user


def test_withdraw_and_erase_leaves_nothing_of_the_patient_in_any_table(
    client, trial, casey, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        walk(client, trial, AGNES_ANSWERS)
        client.post(reverse("screening:save", args=[trial.nct_id]), {"email": EMAIL})
        response = client.post(
            reverse("screening:apply", args=[trial.nct_id]),
            {
                "full_name": NAME,
                "email": EMAIL,
                "phone": PHONE,
                "contact_method": "phone",
                "contact_time": "any",
                "consent_contact": "on",
                "consent_share": "on",
                "consent_version": "2025-01",
            },
        )
        assert response.status_code == 302
        application = Application.objects.get()
        application_status_change(
            application=application,
            to_status="in_review",
            by=casey,
            note=f"Spoke to {NAME} on {PHONE}",
        )
        application_note_add(application=application, author=casey, text=f"{NAME} prefers {EMAIL}")
        contact_log(
            application=application,
            by=casey,
            data=ContactInput(channel="phone", outcome="no_answer", note=f"Rang {PHONE}"),
        )
        point = application.evaluation["criteria"][0]
        point_verify(
            application=application,
            by=casey,
            kind=point["kind"],
            number=str(point["number"]),
            value_found=f"{NAME}'s chart",
        )
    Application.objects.filter(pk=application.pk).update(closing_reason_text=f"Called {NAME} back")
    # One email failed for good, its SMTP reason naming the address.
    failed = Notification.objects.filter(to_email=EMAIL).first()
    Notification.objects.filter(pk=failed.pk).update(
        state="failed", last_error=f"550 5.1.1 <{EMAIL}>: Recipient address rejected"
    )
    assert len(mailoutbox) >= 3
    assert personal_data_left(), "the search must see the data before erasure"

    status = reverse("screening:status", args=[application.status_token])
    response = client.post(reverse("screening:withdraw", args=[application.status_token]))
    assert response.status_code == 302 and response.url == status

    assert personal_data_left() == []
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN
    # The patient's own page still answers, saying the application was withdrawn.
    assert client.get(status).status_code == 200


def test_a_queued_email_to_the_patient_is_not_sent_after_erasure(
    client, trial, casey, mailoutbox, django_capture_on_commit_callbacks
):
    walk(client, trial, AGNES_ANSWERS)
    client.post(
        reverse("screening:apply", args=[trial.nct_id]),
        {
            "full_name": NAME,
            "email": EMAIL,
            "contact_method": "email",
            "contact_time": "any",
            "consent_contact": "on",
            "consent_share": "on",
            "consent_version": "2025-01",
        },
    )
    application = Application.objects.get()
    assert Notification.objects.filter(to_email=EMAIL, state="queued").exists()
    client.post(reverse("screening:withdraw", args=[application.status_token]))

    from screening.tasks import notification_send, notifications_sweep

    for notification_id in Notification.objects.values_list("pk", flat=True):
        notification_send(notification_id)
    notifications_sweep()
    assert [m.to for m in mailoutbox] == [["casey@example.org"]]


def test_a_withdrawn_application_no_longer_counts_among_patients_who_applied(client, trial, casey):
    from tests.factories import ApplicationFactory

    ApplicationFactory(trial=trial)
    withdrawn = ApplicationFactory(trial=trial)
    page = reverse("trials:detail", args=[trial.nct_id])
    assert '<dd class="applied-count">2 patients applied</dd>' in client.get(page).content.decode()
    client.post(reverse("screening:withdraw", args=[withdrawn.status_token]))
    assert '<dd class="applied-count">1 patient applied</dd>' in client.get(page).content.decode()
