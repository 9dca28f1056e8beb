"""A team member chooses, per trial, how they hear about new applicants; a patient can
stop every email with the link at the bottom of each."""

import pytest
from django.urls import reverse

from accounts.models import TrialMembership
from screening.models import EmailOptOut, Notification
from screening.services import notify
from tests.factories import ApplicationFactory, MembershipFactory, TrialFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/account/notifications/"


@pytest.fixture
def alice():
    """A coordinator on two trials."""
    user = UserFactory(email="alice@example.org", time_zone="Europe/Paris")
    MembershipFactory(user=user, trial=TrialFactory(nct_id="NCT00000001", brief_title="Tea"))
    MembershipFactory(user=user, trial=TrialFactory(nct_id="NCT00000002", brief_title="Coffee"))
    return user


@pytest.fixture
def charlie_membership():
    """A coordinator of another trial."""
    return MembershipFactory(
        user=UserFactory(email="charlie@example.org"),
        trial=TrialFactory(nct_id="NCT00000003", brief_title="Cocoa"),
    )


def management(total, language="en"):
    """The formset's management fields, and the email language the page always posts."""
    return {
        "form-TOTAL_FORMS": str(total),
        "form-INITIAL_FORMS": str(total),
        "email-language": language,
    }


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_page_offers_the_three_choices_for_each_of_my_trials_only(
    client, alice, charlie_membership, django_assert_max_num_queries
):
    client.force_login(alice)
    # 6 for the page, 1 for the second-factor check that guards it as it guards the
    # dashboard (TWO_FACTOR_REQUIRED_PATH_PREFIXES).
    with django_assert_max_num_queries(7):
        response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    # One per trial, and the language of the emails.
    assert page.count("<fieldset") == 3
    assert 'NCT00000001 · <span lang="en">Tea</span></legend>' in page
    assert 'NCT00000002 · <span lang="en">Coffee</span></legend>' in page
    assert "Cocoa" not in page
    for label in ("Each new applicant", "Daily digest", "Off"):
        assert page.count(f">{label}</label>") == 2
    assert "Europe/Paris" in page
    assert reverse("account_notifications") == URL


def test_choices_are_saved_per_trial(client, alice):
    client.force_login(alice)
    tea, coffee = alice.memberships.order_by("trial__nct_id")
    response = client.post(
        URL,
        {
            **management(2),
            "form-0-id": tea.pk,
            "form-0-notify": "digest",
            "form-1-id": coffee.pk,
            "form-1-notify": "off",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert b"Your email settings are saved." in response.content
    tea.refresh_from_db()
    coffee.refresh_from_db()
    assert (tea.notify, coffee.notify) == ("digest", "off")


def test_an_unknown_choice_is_refused_with_a_message(client, alice):
    client.force_login(alice)
    tea, coffee = alice.memberships.order_by("trial__nct_id")
    response = client.post(
        URL,
        {
            **management(2),
            "form-0-id": tea.pk,
            "form-0-notify": "hourly",
            "form-1-id": coffee.pk,
            "form-1-notify": "off",
        },
    )
    assert response.status_code == 400
    assert b"Your settings were not saved." in response.content
    coffee.refresh_from_db()
    assert coffee.notify == "instant"


def test_another_teams_membership_cannot_be_changed(client, alice, charlie_membership):
    client.force_login(alice)
    response = client.post(
        URL, {**management(1), "form-0-id": charlie_membership.pk, "form-0-notify": "off"}
    )
    assert response.status_code == 400
    charlie_membership.refresh_from_db()
    assert charlie_membership.notify == TrialMembership.Notify.INSTANT


def patient_stop_link(django_capture_on_commit_callbacks):
    """The stop link of a patient's first email. Its signature carries the time it was
    made, so the link is read from the email rather than made again here."""
    import re

    from django.core import mail

    application = ApplicationFactory(email="pat@example.net")
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify.notify_application_received(application=application)
    link = re.search(r"http://127\.0\.0\.1:8000(/email/stop/[^/\s]+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    token = link.group(1).removeprefix("/email/stop/").rstrip("/")
    assert notify.stop_token_notification(token) == notification
    return application, link.group(1)


def test_stop_link_asks_first_then_stops_every_email(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    application, link = patient_stop_link(django_capture_on_commit_callbacks)
    assert "pat@example.net" not in link
    assert link in mailoutbox[0].body and link.startswith("/email/stop/")

    response = client.get(link)
    assert response.status_code == 200
    assert b"Yes, stop emails" in response.content
    assert not EmailOptOut.objects.exists()

    response = client.post(link)
    assert response.status_code == 200
    assert b"We will not send you any more emails." in response.content
    assert EmailOptOut.objects.filter(email="pat@example.net").exists()

    change = application.status_changes.create(from_status="new", to_status="in_review")
    with django_capture_on_commit_callbacks(execute=True):
        assert notify.notify_status_changed(application=application, change=change) is None
    assert len(mailoutbox) == 1
    assert Notification.objects.count() == 1


def test_a_forged_stop_link_is_refused_kindly(client):
    response = client.post("/email/stop/MQ:forged:signature/")
    assert response.status_code == 404
    assert b"This link does not work." in response.content
    assert not EmailOptOut.objects.exists()


def test_the_language_of_my_emails_is_saved_with_the_alert_choices(client, alice):
    client.force_login(alice)
    ids = list(alice.memberships.order_by("trial__nct_id").values_list("id", flat=True))
    response = client.post(
        URL,
        {
            **management(2),
            "form-0-id": ids[0],
            "form-0-notify": "digest",
            "form-1-id": ids[1],
            "form-1-notify": "instant",
            "email-language": "fr",
        },
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.language == "fr"
    assert "Language of your emails" in client.get(URL).content.decode()


@pytest.mark.parametrize("language", ["", "de", "fr-xx"])
def test_an_unknown_email_language_saves_nothing(client, alice, language):
    client.force_login(alice)
    membership = alice.memberships.order_by("trial__nct_id").first()
    response = client.post(
        URL,
        {
            **management(2),
            "form-0-id": membership.id,
            "form-0-notify": "off",
            "form-1-id": alice.memberships.exclude(pk=membership.pk).get().id,
            "form-1-notify": "off",
            "email-language": language,
        },
    )
    assert response.status_code == 400
    assert "Please choose one option for each trial and a language" in response.content.decode()
    membership.refresh_from_db()
    alice.refresh_from_db()
    assert membership.notify == "instant" and alice.language == "en"


def test_switching_the_portal_s_language_while_signed_in_switches_my_emails(client, alice):
    client.force_login(alice)
    assert client.get("/language/fr/?next=/dashboard/").status_code == 302
    alice.refresh_from_db()
    assert alice.language == "fr"
    client.get("/language/en/?next=/dashboard/")
    alice.refresh_from_db()
    assert alice.language == "en"


def test_a_team_member_on_no_trial_can_still_choose_the_language(client):
    bob = UserFactory(email="bob@example.org")
    client.force_login(bob)
    page = client.get(URL).content.decode()
    assert "not on any trial" in page and 'name="email-language"' in page
    response = client.post(URL, {**management(0), "email-language": "fr"})
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.language == "fr"


def test_the_dashboard_links_the_email_settings_and_they_keep_its_menu(client, alice):
    client.force_login(alice)
    home = client.get(reverse("dashboard:home")).content.decode()
    assert f'href="{URL}"' in home
    page = client.get(URL).content.decode()
    for link in (reverse("dashboard:home"), reverse("dashboard:queue"), reverse("account_logout")):
        assert link in page
