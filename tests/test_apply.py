"""Applying: one transaction, snapshots, consent, reference codes, duplicates, erasure."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from screening.models import Application, Criterion, Draft
from screening.selectors_consent import STANDARD_CONSENT
from screening.services.applications import (
    REFERENCE_ALPHABET,
    ApplicationDuplicate,
    Consent,
    Contact,
    application_submit,
    application_withdraw_and_erase,
)
from tests.patient_journey import AGNES_ANSWERS, AGNES_CONTACT, reference_trial, walk

pytestmark = pytest.mark.django_db

CONSENT = Consent(version=STANDARD_CONSENT.version, to_be_contacted=True, to_share_answers=True)


@pytest.fixture
def trial():
    return reference_trial()


@pytest.fixture
def draft(trial):
    return Draft.objects.create(trial=trial, answers=AGNES_ANSWERS)


def agnes_applies(client, trial, **changes):
    walk(client, trial, AGNES_ANSWERS)
    return client.post(
        reverse("screening:apply", args=[trial.nct_id]), {**AGNES_CONTACT, **changes}
    )


def test_applying_stores_snapshots_consent_and_a_short_reference(client, trial):
    response = agnes_applies(client, trial)
    assert response.status_code == 302
    application = Application.objects.get()
    assert re.fullmatch(f"[{REFERENCE_ALPHABET}]{{8}}", application.reference)
    assert application.status == "new"
    assert application.verdict == "likely_eligible" and application.score == 1.0
    assert application.evaluation["verdict"] == "likely_eligible"
    assert len(application.evaluation["criteria"]) == 17
    assert application.answers["mrss"] == 25
    assert application.consent_version == STANDARD_CONSENT.version
    assert application.consented_at is not None
    assert application.draft.submitted_at is not None
    page = client.get(response.url)
    assert application.reference in page.content.decode()


def test_editing_criteria_later_does_not_rewrite_the_snapshot(draft):
    application = application_submit(
        draft=draft, contact=Contact(full_name="Agnes", email="a@example.org"), consent=CONSENT
    )
    Criterion.objects.filter(trial=draft.trial).update(text="changed")
    application.refresh_from_db()
    assert all(c["text"] != "changed" for c in application.evaluation["criteria"])


def test_without_both_consents_nothing_is_saved(client, trial):
    response = agnes_applies(client, trial, consent_share="")
    assert response.status_code == 400
    assert "Tick this box to share your answers" in response.content.decode()
    assert not Application.objects.exists()


def test_a_second_application_with_the_same_email_is_refused_kindly(client, trial):
    agnes_applies(client, trial)
    second = agnes_applies(client, trial, email="AGNES@example.org", full_name="Someone")
    assert second.status_code == 400
    text = second.content.decode()
    assert "already being reviewed for this trial" in text
    assert "Agnes Tremblay" not in text
    assert Application.objects.count() == 1


def test_a_closed_application_does_not_block_applying_again(draft, trial):
    first = application_submit(
        draft=draft, contact=Contact(full_name="A", email="a@example.org"), consent=CONSENT
    )
    application_withdraw_and_erase(application=first)
    again = Draft.objects.create(trial=trial, answers=AGNES_ANSWERS)
    application_submit(
        draft=again, contact=Contact(full_name="A", email="a@example.org"), consent=CONSENT
    )
    assert Application.objects.count() == 2


def test_the_duplicate_rule_holds_in_the_service(draft, trial):
    application_submit(
        draft=draft, contact=Contact(full_name="A", email="a@example.org"), consent=CONSENT
    )
    other = Draft.objects.create(trial=trial, answers=AGNES_ANSWERS)
    with pytest.raises(ApplicationDuplicate):
        application_submit(
            draft=other, contact=Contact(full_name="B", email="A@Example.org"), consent=CONSENT
        )


def test_one_draft_becomes_one_application_even_when_sent_twice(draft):
    # Two tabs, or a double click: the second submit of the same draft, whatever email
    # it gives, is refused and writes nothing.
    stale = Draft.objects.get(pk=draft.pk)
    application_submit(
        draft=draft, contact=Contact(full_name="A", email="a@example.org"), consent=CONSENT
    )
    with pytest.raises(ApplicationDuplicate):
        application_submit(
            draft=stale, contact=Contact(full_name="A", email="other@example.org"), consent=CONSENT
        )
    assert Application.objects.count() == 1


def test_submitting_reads_the_trial_s_criteria_once(client, trial):
    walk(client, trial, AGNES_ANSWERS)
    with CaptureQueriesContext(connection) as captured:
        response = client.post(reverse("screening:apply", args=[trial.nct_id]), AGNES_CONTACT)
    assert response.status_code == 302
    reads = [q["sql"] for q in captured if 'FROM "screening_criterion"' in q["sql"]]
    assert len(reads) == 1


def test_a_not_eligible_patient_may_leave_details_anyway(client, trial):
    walk(client, trial, {**AGNES_ANSWERS, "age": 16})
    response = client.post(reverse("screening:apply", args=[trial.nct_id]), AGNES_CONTACT)
    assert response.status_code == 302
    assert Application.objects.get().verdict == "not_eligible"


def test_a_trial_closed_to_screening_shows_a_kind_page_and_no_form(client, trial):
    walk(client, trial, AGNES_ANSWERS)
    trial.screening_open = False
    trial.save()
    response = client.get(reverse("screening:apply", args=[trial.nct_id]))
    text = response.content.decode()
    assert "not accepting applications through the portal right now" in text
    assert "<form" not in text.split('id="main"')[1]
    assert client.post(reverse("screening:apply", args=[trial.nct_id]), AGNES_CONTACT)
    assert not Application.objects.exists()


def test_withdrawing_erases_the_person_and_keeps_a_withdrawn_row(draft):
    application = application_submit(
        draft=draft,
        contact=Contact(full_name="Agnes", email="a@example.org", phone="555"),
        consent=CONSENT,
    )
    application_withdraw_and_erase(application=application)
    application.refresh_from_db()
    assert application.status == "withdrawn"
    assert (application.full_name, application.email, application.phone) == ("", "", "")
    assert application.answers == {} and application.evaluation["criteria"] == []
    assert application.verdict == "likely_eligible" and application.reference
    change = application.status_changes.get()
    assert (change.from_status, change.to_status, change.by) == ("new", "withdrawn", None)
    assert not Draft.objects.filter(pk=draft.pk).exists()  # the draft is erased too


def test_the_status_page_withdraw_asks_first_then_erases(client, draft):
    application = application_submit(
        draft=draft, contact=Contact(full_name="A", email="a@example.org"), consent=CONSENT
    )
    url = reverse("screening:withdraw", args=[application.status_token])
    assert client.get(url).status_code == 200
    application.refresh_from_db()
    assert application.status == "new"
    client.post(url)
    application.refresh_from_db()
    assert application.status == "withdrawn"


def test_an_unknown_status_link_is_not_found(client):
    assert client.get(reverse("screening:status", args=["nope"])).status_code == 404


def test_too_many_applications_from_one_address_get_a_kind_429(client, trial, settings):
    settings.SCREENING_RATE_APPLY = "2/h"
    url = reverse("screening:apply", args=[trial.nct_id])
    walk(client, trial, AGNES_ANSWERS)
    codes = [client.post(url, {"full_name": ""}).status_code for _ in range(3)]
    assert codes == [400, 400, 429]
    assert "Please wait a little" in client.post(url, {}).content.decode()
