"""What each email says, and what none of them may say."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from accounts.models import TrialMembership
from screening.models import Application, Draft, Notification
from screening.services import notify
from screening.tasks import digests_queue, drafts_remind_queue
from tests.factories import (
    ApplicationFactory,
    DraftFactory,
    MembershipFactory,
    StatusChangeFactory,
    TrialFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# Things only the patient and the study team may know, each written to be unmistakable.
SECRETS = [
    "Zebedee Quixotic-Farnsworth",
    "zebedee.quixotic@example.net",
    "+44 7700 900123",
    "XYLOPHONITIS",
    "987.6",
    "Had a QUOKKA-SHAPED rash",
    "likely_eligible",
    "Likely eligible",
    "0.87",
]


@pytest.fixture
def trial():
    return TrialFactory(nct_id="NCT04356287", brief_title="Tea for tired hearts")


@pytest.fixture
def zebedee(trial):
    """A patient whose every detail is distinctive, so a leak cannot hide."""
    return ApplicationFactory(
        trial=trial,
        reference="TP-7K3Q-9XW",
        full_name="Zebedee Quixotic-Farnsworth",
        email="zebedee.quixotic@example.net",
        phone="+44 7700 900123",
        answers={"diagnosis": "XYLOPHONITIS", "weight_kg": 987.6},
        verdict="likely_eligible",
        score=0.87,
        evaluation={
            "trial": "NCT04356287",
            "verdict": "likely_eligible",
            "score": 0.87,
            "criteria": [
                {
                    "kind": "inclusion",
                    "number": "1",
                    "text": "Diagnosed with XYLOPHONITIS",
                    "outcome": "met",
                    "explanation": "Had a QUOKKA-SHAPED rash",
                    "verify": "",
                }
            ],
        },
    )


@pytest.fixture
def casey(trial):
    """The trial's coordinator, who wants every applicant."""
    return MembershipFactory(
        trial=trial, user=UserFactory(email="casey@example.org"), notify="instant"
    ).user


def sent(mailoutbox, to):
    messages = [m for m in mailoutbox if m.to == [to]]
    assert len(messages) == 1, [m.subject for m in mailoutbox]
    message = messages[0]
    html = message.alternatives[0][0]
    return message.subject, message.body, html


def test_confirmation_gives_reference_private_link_and_next_steps(
    zebedee, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify.notify_application_received(application=zebedee)
    subject, text, html = sent(mailoutbox, zebedee.email)
    assert "TP-7K3Q-9XW" in subject
    link = f"http://127.0.0.1:8000/status/{zebedee.status_token}/"
    assert notify.status_url(zebedee) == link
    for body in (text, html):
        assert "TP-7K3Q-9XW" in body
        assert link in body
        assert "Tea for tired hearts" in body
        assert "NCT04356287" in body
        assert "What happens next" in body
        assert "/email/stop/" in body
    assert "&quot;" not in text  # the text part is not HTML-escaped
    assert text.startswith("Hello,")


def test_every_patient_email_names_the_trial_and_how_to_stop(
    zebedee, mailoutbox, django_capture_on_commit_callbacks
):
    draft = DraftFactory(trial=zebedee.trial, email="zebedee.quixotic@example.net")
    change = StatusChangeFactory(application=zebedee, to_status="visit_scheduled")
    with django_capture_on_commit_callbacks(execute=True):
        notify.notify_application_received(application=zebedee)
        notify.notify_status_changed(application=zebedee, change=change)
        notify.notify_resume_link(draft=draft)
        notify.notify_draft_reminder(draft=draft)
    assert len(mailoutbox) == 4
    for message in mailoutbox:
        html = message.alternatives[0][0]
        assert "List-Unsubscribe" in message.extra_headers
        for body in (message.body, html):
            assert "NCT04356287" in body
            assert "To stop emails from the trial portal" in body
            assert message.extra_headers["List-Unsubscribe"].strip("<>") in body


def test_status_change_is_said_in_plain_words(
    zebedee, mailoutbox, django_capture_on_commit_callbacks
):
    change = StatusChangeFactory(application=zebedee, to_status="visit_scheduled")
    with django_capture_on_commit_callbacks(execute=True):
        notify.notify_status_changed(application=zebedee, change=change)
    subject, text, html = sent(mailoutbox, zebedee.email)
    assert "TP-7K3Q-9XW" in subject
    for body in (text, html):
        assert "A screening visit has been arranged with you." in body
        assert notify.status_url(zebedee) in body


def test_no_email_for_a_move_back_to_new(zebedee, mailoutbox, django_capture_on_commit_callbacks):
    change = StatusChangeFactory(application=zebedee, from_status="in_review", to_status="new")
    with django_capture_on_commit_callbacks(execute=True):
        assert notify.notify_status_changed(application=zebedee, change=change) is None
    assert mailoutbox == []


def test_resume_link_is_sent_once_for_a_double_tap(
    trial, mailoutbox, django_capture_on_commit_callbacks
):
    draft = DraftFactory(trial=trial, email="returning@example.net")
    with django_capture_on_commit_callbacks(execute=True):
        notify.notify_resume_link(draft=draft)
        notify.notify_resume_link(draft=draft)
    subject, text, html = sent(mailoutbox, "returning@example.net")
    assert "NCT04356287" in subject
    assert f"http://127.0.0.1:8000/resume/{draft.token}/" in text
    assert f"http://127.0.0.1:8000/resume/{draft.token}/" in html


def test_email_is_rendered_in_the_notification_language(
    zebedee, mailoutbox, django_capture_on_commit_callbacks
):
    zebedee.language = "fr"
    with django_capture_on_commit_callbacks(execute=True):
        notify.notify_application_received(application=zebedee)
    assert Notification.objects.get().language == "fr"
    assert '<html lang="fr">' in mailoutbox[0].alternatives[0][0]


def test_coordinator_alert_goes_to_instant_members_only(
    zebedee, casey, mailoutbox, django_capture_on_commit_callbacks
):
    for email, choice in (("dana@example.org", "digest"), ("eli@example.org", "off")):
        MembershipFactory(trial=zebedee.trial, user=UserFactory(email=email), notify=choice)
    # Charlie is on another trial's team.
    MembershipFactory(user=UserFactory(email="charlie@example.org"), notify="instant")
    with django_capture_on_commit_callbacks(execute=True):
        notify.notify_coordinators_new_applicant(application=zebedee)
    assert [m.to for m in mailoutbox] == [["casey@example.org"]]
    subject, text, html = sent(mailoutbox, "casey@example.org")
    assert subject == "New applicant on NCT04356287"
    for body in (text, html):
        assert "Tea for tired hearts" in body
        assert "http://127.0.0.1:8000/dashboard/" in body
        assert "http://127.0.0.1:8000/account/notifications/" in body


def test_no_email_leaks_health_data(zebedee, casey, mailoutbox, django_capture_on_commit_callbacks):
    digest_reader = MembershipFactory(
        trial=zebedee.trial, user=UserFactory(email="dana@example.org"), notify="digest"
    ).user
    change = StatusChangeFactory(application=zebedee, to_status="in_review")
    draft = DraftFactory(
        trial=zebedee.trial, email="zebedee.quixotic@example.net", answers=zebedee.answers
    )
    with django_capture_on_commit_callbacks(execute=True):
        notify.notify_application_received(application=zebedee)
        notify.notify_status_changed(application=zebedee, change=change)
        notify.notify_resume_link(draft=draft)
        notify.notify_draft_reminder(draft=draft)
        notify.notify_coordinators_new_applicant(application=zebedee)
        notify.notify_coordinator_digest(
            user=digest_reader,
            local_date=timezone.localdate(),
            trials=[
                {"trial_nct_id": "NCT04356287", "trial_title": "Tea for tired hearts", "count": 1}
            ],
        )
    assert len(mailoutbox) == 6
    for message in mailoutbox:
        html = message.alternatives[0][0]
        for part in (message.subject, message.body, html):
            for secret in SECRETS:
                # The address may only be the envelope's, never the body's.
                assert secret not in part, (message.subject, secret)
    for message in mailoutbox:
        if message.to != [zebedee.email]:
            html = message.alternatives[0][0]
            for part in (message.subject, message.body, html):
                assert zebedee.reference not in part
                assert zebedee.status_token not in part
    # Nor does the stored row hold any of it.
    for row in Notification.objects.values_list("context", flat=True):
        for secret in SECRETS:
            assert secret not in str(row)


def test_one_reminder_for_a_draft_left_a_day(trial, mailoutbox, django_capture_on_commit_callbacks):
    now = timezone.now()
    waiting = DraftFactory(trial=trial, email="waiting@example.net")
    DraftFactory(trial=trial, email="")  # no address: nothing to send to
    fresh = DraftFactory(trial=trial, email="fresh@example.net")
    done = DraftFactory(trial=trial, email="done@example.net", submitted_at=now)
    Draft.objects.exclude(pk=fresh.pk).update(updated_at=now - timedelta(hours=25))

    with django_capture_on_commit_callbacks(execute=True):
        assert drafts_remind_queue(now=now) == 1
        assert drafts_remind_queue(now=now + timedelta(days=3)) == 1  # now the fresh one
        assert drafts_remind_queue(now=now + timedelta(days=9)) == 0
    assert sorted(m.to[0] for m in mailoutbox) == ["fresh@example.net", "waiting@example.net"]
    waiting.refresh_from_db()
    done.refresh_from_db()
    assert waiting.reminder_sent_at == now
    assert done.reminder_sent_at is None
    subject, text, _html = sent(mailoutbox, "waiting@example.net")
    assert "only reminder" in text
    assert f"/resume/{waiting.token}/" in text


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_digest_counts_the_day_before_eight_in_the_coordinators_time_zone(
    trial, mailoutbox, django_capture_on_commit_callbacks
):
    # Tokyo is UTC+9: its 08:00 on 10 March is 23:00 UTC on 9 March.
    tokyo = UserFactory(email="kenji@example.org", time_zone="Asia/Tokyo")
    MembershipFactory(user=tokyo, trial=trial, notify=TrialMembership.Notify.DIGEST)
    quiet = TrialFactory(nct_id="NCT00000042", brief_title="A quiet trial")
    MembershipFactory(user=tokyo, trial=quiet, notify=TrialMembership.Notify.DIGEST)
    for created in ("2026-03-08T22:59", "2026-03-08T23:00", "2026-03-09T12:00", "2026-03-09T23:00"):
        application = ApplicationFactory(trial=trial)
        Application.objects.filter(pk=application.pk).update(created_at=at(created))

    with django_capture_on_commit_callbacks(execute=True):
        assert digests_queue(now=at("2026-03-09T22:30")) == 0  # 07:30 in Tokyo
        assert digests_queue(now=at("2026-03-09T23:05")) == 1  # 08:05 in Tokyo
        assert digests_queue(now=at("2026-03-10T05:00")) == 0  # same local day
    subject, text, html = sent(mailoutbox, "kenji@example.org")
    assert subject == "2 new applicants since yesterday"
    assert 'NCT04356287 "Tea for tired hearts": 2' in text
    assert "A quiet trial" not in text
    assert Notification.objects.get().key == f"digest:{tokyo.pk}:2026-03-10"


def test_no_digest_for_instant_members_or_empty_days(
    zebedee, casey, mailoutbox, django_capture_on_commit_callbacks
):
    lonely = MembershipFactory(notify=TrialMembership.Notify.DIGEST).user
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_queue(now=timezone.now() + timedelta(days=1)) == 0
    assert lonely.email not in [m.to[0] for m in mailoutbox]
    assert mailoutbox == []
