"""An application's life across the apps: submitted, announced, moved on, withdrawn.

Each step goes through the one service that owns it, and each writes its emails to the
outbox in its own transaction: these tests hold the services wired together.
"""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from screening.models import Application, ConsentText, Draft, Notification, StatusChange
from screening.services.applications import (
    Consent,
    Contact,
    application_submit,
    application_withdraw_and_erase,
    draft_email_link,
)
from screening.services.workflow import application_status_change
from tests.factories import MembershipFactory
from tests.patient_journey import AGNES_ANSWERS, reference_trial, walk

pytestmark = pytest.mark.django_db

AGNES = Contact(full_name="Agnes Tremblay", email="agnes@example.org")


@pytest.fixture
def trial():
    return reference_trial()


@pytest.fixture
def casey(trial):
    """The trial's coordinator, alerted at once of each new applicant."""
    return MembershipFactory(trial=trial, user__email="casey@example.org", notify="instant").user


def submit(trial, consent_version="2025-01"):
    draft = Draft.objects.create(trial=trial, answers=AGNES_ANSWERS)
    consent = Consent(version=consent_version, to_be_contacted=True, to_share_answers=True)
    return application_submit(draft=draft, contact=AGNES, consent=consent)


def test_a_submitted_application_emails_the_patient_and_alerts_the_team_once(
    trial, casey, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = submit(trial)
    recipients = sorted(message.to[0] for message in mailoutbox)
    assert recipients == ["agnes@example.org", "casey@example.org"]
    patient_email = next(m for m in mailoutbox if m.to == ["agnes@example.org"])
    assert application.reference in patient_email.body
    alert = next(m for m in mailoutbox if m.to == ["casey@example.org"])
    assert "Agnes" not in alert.body and application.reference not in alert.body
    assert Notification.objects.filter(state="sent").count() == 2


def test_nothing_is_announced_when_the_submission_is_refused(trial, casey, mailoutbox):
    with pytest.raises(Exception):  # noqa: B017 - any refusal will do; the point is the outbox
        application_submit(
            draft=Draft.objects.create(trial=trial, answers=AGNES_ANSWERS),
            contact=AGNES,
            consent=Consent(version="2025-01", to_be_contacted=False, to_share_answers=True),
        )
    assert not Notification.objects.exists() and not mailoutbox


def test_a_status_change_by_the_team_tells_the_patient_in_words(
    trial, casey, mailoutbox, django_capture_on_commit_callbacks
):
    application = submit(trial)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        application_status_change(application=application, to_status="in_review", by=casey)
        application_status_change(
            application=application, to_status="contacted_1", by=casey, note="Left a message"
        )
    assert [m.to for m in mailoutbox] == [["agnes@example.org"], ["agnes@example.org"]]
    assert "Left a message" not in mailoutbox[1].body  # team notes stay with the team


def test_withdrawing_records_the_patients_move_erases_and_sends_nothing(
    trial, casey, mailoutbox, django_capture_on_commit_callbacks
):
    application = submit(trial)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        application_withdraw_and_erase(application=application)
    application.refresh_from_db()
    assert application.status == "withdrawn"
    assert (application.full_name, application.email, application.answers) == ("", "", {})
    change = StatusChange.objects.get(application=application)
    assert (change.from_status, change.to_status, change.by) == ("new", "withdrawn", None)
    assert AuditEvent.objects.filter(action="application.withdraw").exists()
    assert not mailoutbox


def test_a_closed_application_can_still_be_erased(trial, casey):
    application = submit(trial)
    application_status_change(application=application, to_status="not_eligible", by=casey)
    application_withdraw_and_erase(application=application)
    application.refresh_from_db()
    assert application.status == "not_eligible"
    assert application.email == "" and application.answers == {}


def test_asking_for_a_resume_link_sends_it(trial, mailoutbox, django_capture_on_commit_callbacks):
    draft = Draft.objects.create(trial=trial, answers={"age": 50})
    with django_capture_on_commit_callbacks(execute=True):
        draft_email_link(draft=draft, email="later@example.org")
    assert [m.to for m in mailoutbox] == [["later@example.org"]]
    assert f"/resume/{draft.token}/" in mailoutbox[0].body


def test_the_patient_agrees_to_the_teams_published_consent(client, trial):
    ConsentText.objects.create(trial=trial, version="v2", text="Our own words.")
    walk(client, trial, AGNES_ANSWERS)
    page = client.get(reverse("screening:apply", args=[trial.nct_id]))
    assert "Our own words." in page.content.decode()
    response = client.post(
        reverse("screening:apply", args=[trial.nct_id]),
        {
            "full_name": "Agnes Tremblay",
            "email": "agnes@example.org",
            "contact_method": "email",
            "contact_time": "any",
            "consent_contact": "on",
            "consent_share": "on",
            "consent_version": "v2",
        },
    )
    assert response.status_code == 302
    assert Application.objects.get().consent_version == "v2"


def test_consent_published_while_the_patient_reads_must_be_read_again(client, trial):
    walk(client, trial, AGNES_ANSWERS)
    client.get(reverse("screening:apply", args=[trial.nct_id]))
    ConsentText.objects.create(trial=trial, version="v2", text="New words.")
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
    assert response.status_code == 400
    assert "consent text was updated" in response.content.decode()
    assert "New words." in response.content.decode()
    assert not Application.objects.exists()
