import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from screening.models import ConsentText, ContactAttempt, StatusChange
from screening.selectors_consent import STANDARD_CONSENT, consent_current
from tests.dashboard_personas import world  # noqa: F401
from tests.factories import NoteFactory
from tests.patient_journey import reference_trial

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_client(client, world):  # noqa: F811
    client.force_login(world.alice)
    return client


def page_of(client, app):
    return client.get(reverse("dashboard:applicant", args=[app.reference]))


def test_applicant_page_shows_contact_consent_answers_and_points_to_check(alice_client, world):  # noqa: F811
    ConsentText.objects.create(trial=world.trial_a, version="1.0", text="I agree to be contacted.")
    html = page_of(alice_client, world.app_a).content.decode()
    for expected in (
        world.app_a.full_name,
        world.app_a.email,
        "+1 514 555 0100",
        "Version 1.0",
        "I agree to be contacted.",
        "Has a doctor told you that you have systemic sclerosis",  # the question as asked
        "52 years",  # a value with its unit
        "Don&#x27;t know",  # mrss: null
        "2 points to check",  # one unknown with verify, one verify note
        "Measure the skin score at the screening visit.",
        "Pregnancy test at screening.",
        "Modified Rodnan skin score of 15 or more",
    ):
        assert expected in html
    assert "ssc_diagnosis" not in html  # the question bank's key stays internal


def test_status_form_offers_only_allowed_next_statuses(alice_client, world):  # noqa: F811
    choices = [
        v
        for v, _ in page_of(alice_client, world.app_a)
        .context["status_form"]
        .fields["to_status"]
        .choices
    ]
    assert choices == ["in_review", "not_eligible"]


def test_changing_status_records_history_with_who_and_note(alice_client, world):  # noqa: F811
    url = reverse("dashboard:applicant_status", args=[world.app_a.reference])
    response = alice_client.post(url, {"to_status": "in_review", "note": "Looks promising"})
    assert response.status_code == 302
    change = StatusChange.objects.get()
    assert (change.by, change.to_status, change.note) == (
        world.alice,
        "in_review",
        "Looks promising",
    )
    html = page_of(alice_client, world.app_a).content.decode()
    assert "Looks promising" in html and "Alice" in html


def test_an_invalid_transition_is_a_400_with_a_clear_message(alice_client, world):  # noqa: F811
    url = reverse("dashboard:applicant_status", args=[world.app_a.reference])
    response = alice_client.post(url, {"to_status": "enrolled"})
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content
    world.app_a.refresh_from_db()
    assert world.app_a.status == "new"


def test_notes_show_author_and_time(alice_client, world):  # noqa: F811
    alice_client.post(
        reverse("dashboard:applicant_note", args=[world.app_a.reference]),
        {"text": "Left voicemail"},
    )
    html = page_of(alice_client, world.app_a).content.decode()
    assert "Left voicemail" in html
    assert "Alice" in html


def test_an_empty_note_is_a_400(alice_client, world):  # noqa: F811
    response = alice_client.post(
        reverse("dashboard:applicant_note", args=[world.app_a.reference]), {"text": " "}
    )
    assert response.status_code == 400


def test_assignment_offers_only_this_trials_team(alice_client, world):  # noqa: F811
    form = page_of(alice_client, world.app_a).context["assign_form"]
    assert set(form.fields["assignee"].queryset) == {world.alice, world.ivy}
    response = alice_client.post(
        reverse("dashboard:applicant_assign", args=[world.app_a.reference]),
        {"assignee": world.bob.pk},
    )
    assert response.status_code == 400
    world.app_a.refresh_from_db()
    assert world.app_a.assigned_to is None


def test_investigator_sees_the_applicant_without_any_form(client, world):  # noqa: F811
    NoteFactory(application=world.app_a, author=world.alice, text="Team note")
    client.force_login(world.ivy)
    html = page_of(client, world.app_a).content.decode()
    assert "Team note" in html
    assert "read-only" in html
    assert 'name="to_status"' not in html and 'name="text"' not in html


def test_every_view_of_an_applicant_is_audited(alice_client, world):  # noqa: F811
    page_of(alice_client, world.app_a)
    page_of(alice_client, world.app_a)
    assert AuditEvent.objects.filter(action="application.view", actor=world.alice).count() == 2


def test_trial_settings_close_screening_and_publish_consent(alice_client, world):  # noqa: F811
    url = reverse("dashboard:trial_settings", args=[world.trial_a.nct_id])
    alice_client.post(url, {"screening": "1"})
    world.trial_a.refresh_from_db()
    assert world.trial_a.screening_open is False
    alice_client.post(url, {"consent": "1", "version": "1.0", "text": "First wording"})
    alice_client.post(url, {"consent": "1", "version": "2.0", "text": "Second wording"})
    assert consent_current(trial=world.trial_a).text == "Second wording"
    duplicate = alice_client.post(url, {"consent": "1", "version": "2.0", "text": "Changed"})
    assert duplicate.status_code == 400
    assert b"already exists" in duplicate.content
    assert ConsentText.objects.get(trial=world.trial_a, version="2.0").text == "Second wording"
    assert AuditEvent.objects.filter(action="trial.settings").count() == 3


def test_consent_current_is_none_before_any_version(world):  # noqa: F811
    assert consent_current(trial=world.trial_b) is None


def test_an_application_under_the_standard_consent_shows_its_words(alice_client, world):  # noqa: F811
    world.app_a.consent_version = STANDARD_CONSENT.version
    world.app_a.save(update_fields=["consent_version"])
    html = page_of(alice_client, world.app_a).content.decode()
    assert "study team of this trial only" in html


def test_the_evaluation_under_changed_criteria_is_shown_beside_the_snapshot(client):
    from screening.models import Criterion
    from screening.services.criteria import criterion_update
    from tests.factories import MembershipFactory
    from tests.test_application_lifecycle import submit

    trial = reference_trial()
    alice = MembershipFactory(trial=trial).user
    application = submit(trial)
    client.force_login(alice)
    assert "Under the current criteria" not in page_of(client, application).content.decode()

    skin = Criterion.objects.get(trial=trial, kind="inclusion", number="2")
    criterion_update(criterion=skin, rule={"q": "mrss", "op": "gt", "value": 30})
    html = page_of(client, application).content.decode()
    assert "Under the current criteria" in html
    assert "the verdict would be: <strong>Not eligible</strong>" in html
    application.refresh_from_db()
    assert application.verdict == "likely_eligible"  # the snapshot stays as it was
    assert application.evaluation["criteria"][1]["outcome"] == "met"


@pytest.mark.parametrize("n", [2, 40])
def test_applicant_page_queries_do_not_grow_with_notes_or_history(
    alice_client,
    world,  # noqa: F811
    django_assert_max_num_queries,
    n,
):
    NoteFactory.create_batch(n, application=world.app_a, author=world.alice)
    for _ in range(n):
        StatusChange.objects.create(
            application=world.app_a, from_status="new", to_status="in_review", by=world.alice
        )
        ContactAttempt.objects.create(
            application=world.app_a, by=world.alice, channel="phone", outcome="no_answer"
        )
    with django_assert_max_num_queries(22):
        assert page_of(alice_client, world.app_a).status_code == 200


def test_the_language_the_patient_applied_in_is_named_not_coded():
    from screening.templatetags.screening_tags import language_name

    assert language_name("fr") == "French"
    assert language_name("en") == "English"
    assert language_name("xx-unknown") == "xx-unknown"
