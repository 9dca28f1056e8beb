"""The contact log, today's work, closing reasons and bulk actions, as personas meet them.

alice and carol coordinate trial A; ivy is its investigator (read-only); bob coordinates
trial B and must get 404 for anything of trial A.
"""

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from screening.dashboard.today import deadline_cutoff, today_work
from screening.models import Application, ClosingReason, ContactAttempt, PointVerification
from screening.services.contacts import ContactInput, contact_log
from screening.workdays import working_day_after, working_days_between
from tests.dashboard_personas import carol, world  # noqa: F401
from tests.factories import ApplicationFactory, LocationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_client(client, world):  # noqa: F811
    client.force_login(world.alice)
    return client


def log(client, application, **data):
    payload = {"channel": "phone", "outcome": "no_answer", "then": "review", **data}
    return client.post(
        reverse("dashboard:applicant_contact", args=[application.reference]), payload
    )


# --- contact outcomes drive the status and the due dates -------------------------------


def test_no_answer_moves_a_new_applicant_to_attempt_1_and_schedules_the_next_working_day(
    alice_client,
    world,  # noqa: F811
):
    response = log(alice_client, world.app_a, outcome="no_answer")
    assert response.status_code == 302
    assert response.url.endswith("#contact-log")  # back where the coordinator was working
    world.app_a.refresh_from_db()
    assert world.app_a.status == "contacted_1"
    assert world.app_a.next_action_on == working_day_after(timezone.localdate())
    assert world.app_a.first_contact_at == world.app_a.last_contact_at is not None


def test_the_attempt_count_comes_from_the_log(alice_client, world):  # noqa: F811
    for outcome, expected in [
        ("no_answer", "contacted_1"),
        ("voicemail", "contacted_2"),
        ("wrong_number", "contacted_3"),
        ("no_answer", "contacted_3"),  # never past the third attempt
    ]:
        log(alice_client, world.app_a, outcome=outcome, channel="phone")
        world.app_a.refresh_from_db()
        assert world.app_a.status == expected
    assert ContactAttempt.objects.filter(application=world.app_a).count() == 4


def test_a_chosen_next_attempt_date_is_the_due_date(alice_client, world):  # noqa: F811
    day = timezone.localdate() + timedelta(days=6)
    log(alice_client, world.app_a, outcome="voicemail", next_attempt_on=day.isoformat())
    world.app_a.refresh_from_db()
    assert world.app_a.next_action_on == day


def test_reached_moves_to_review_and_clears_the_due_date(alice_client, world):  # noqa: F811
    log(alice_client, world.app_a, outcome="no_answer")
    log(alice_client, world.app_a, outcome="reached")
    world.app_a.refresh_from_db()
    assert world.app_a.status == "in_review"
    assert world.app_a.next_action_on is None


def test_reached_with_a_visit_schedules_it(alice_client, world):  # noqa: F811
    visit = (timezone.localtime() + timedelta(days=3)).replace(second=0, microsecond=0)
    response = log(
        alice_client,
        world.app_a,
        outcome="reached",
        then="visit",
        visit_at=visit.strftime("%Y-%m-%dT%H:%M"),
    )
    assert response.status_code == 302
    world.app_a.refresh_from_db()
    assert world.app_a.status == "visit_scheduled"
    assert timezone.localtime(world.app_a.visit_at) == visit


def test_declined_closes_as_not_interested_with_its_reason(alice_client, world):  # noqa: F811
    log(alice_client, world.app_a, outcome="declined", note="Lives too far away")
    world.app_a.refresh_from_db()
    assert world.app_a.status == "not_interested"
    assert world.app_a.closing_reason == "declined_contact"
    assert world.app_a.next_action_on is None


@pytest.mark.parametrize(
    "bad",
    [
        {"outcome": ""},
        {"outcome": "ghosted"},
        {"channel": "pigeon"},
        {"next_attempt_on": "2001-01-01"},
        {"next_attempt_on": "not a date"},
        {"outcome": "reached", "then": "visit"},  # a visit needs its date
        {"outcome": "reached", "then": "visit", "visit_at": "2001-01-01T10:00"},
        {"note": "x" * 5001},
    ],
)
def test_a_bad_contact_is_a_400_and_nothing_is_saved(alice_client, world, bad):  # noqa: F811
    response = log(alice_client, world.app_a, **bad)
    assert response.status_code == 400
    assert not ContactAttempt.objects.exists()
    world.app_a.refresh_from_db()
    assert world.app_a.status == "new"


def test_another_trials_coordinator_gets_404_and_the_investigator_403(
    client,
    world,  # noqa: F811
):
    client.force_login(world.bob)
    assert log(client, world.app_a).status_code == 404
    client.force_login(world.ivy)
    assert log(client, world.app_a).status_code == 403
    assert not ContactAttempt.objects.exists()


def test_a_contact_is_audited_without_its_note_and_shown_in_the_timeline(
    alice_client,
    world,  # noqa: F811
):
    log(alice_client, world.app_a, outcome="no_answer", note="Rang twice, secret words")
    event = AuditEvent.objects.get(action="application.contact")
    assert event.detail["outcome"] == "no_answer"
    assert event.detail["to_status"] == "contacted_1"
    assert "secret" not in str(event.detail)
    page = alice_client.get(reverse("dashboard:applicant", args=[world.app_a.reference]))
    html = page.content.decode()
    assert "Rang twice, secret words" in html
    kinds = [e["kind"] for e in page.context["timeline"]]
    assert kinds == ["submitted", "contact", "status"]
    assert 'href="tel:+15145550100"' in html  # click to call


def test_the_investigator_reads_the_page_without_the_contact_log_form(client, world):  # noqa: F811
    client.force_login(world.ivy)
    html = client.get(reverse("dashboard:applicant", args=[world.app_a.reference])).content.decode()
    assert "Log a contact" not in html and "Mark as verified" not in html
    assert "History: contacts, status changes and notes" in html
    response = client.post(
        reverse("dashboard:applicant_verify", args=[world.app_a.reference]),
        {"kind": "inclusion", "number": "2", "value_found": "17"},
    )
    assert response.status_code == 403
    assert not PointVerification.objects.exists()


def test_a_closed_application_logs_the_contact_but_keeps_its_status(world):  # noqa: F811
    Application.objects.filter(pk=world.app_a.pk).update(status="enrolled")
    world.app_a.refresh_from_db()
    contact_log(
        application=world.app_a,
        by=world.alice,
        data=ContactInput(channel="phone", outcome="no_answer"),
    )
    world.app_a.refresh_from_db()
    assert world.app_a.status == "enrolled"
    assert world.app_a.next_action_on is None


# --- today's work ----------------------------------------------------------------------


def test_working_days_skip_weekends():
    friday, monday = date(2026, 11, 27), date(2026, 11, 30)
    assert working_days_between(friday, monday) == 1
    assert working_day_after(friday) == monday
    assert working_days_between(monday, monday + timedelta(days=14)) == 10
    # Anything submitted on or before the cutoff has waited more than 2 working days.
    cutoff = deadline_cutoff(today=monday, working_days=2)
    assert working_days_between(cutoff, monday) == 3
    assert working_days_between(cutoff + timedelta(days=1), monday) <= 2


def _aged(application, *, days):
    Application.objects.filter(pk=application.pk).update(
        created_at=timezone.now() - timedelta(days=days)
    )


def test_new_applicants_are_listed_oldest_first_and_flagged_past_the_deadline(
    alice_client,
    world,  # noqa: F811
):
    fresh = ApplicationFactory(trial=world.trial_a, reference="FRESH001")
    _aged(world.app_a, days=10)  # at least 6 working days
    work = today_work(user=world.alice)
    assert [a.reference for a in work.waiting] == ["AAAA1111", "FRESH001"]
    old, new = work.waiting
    assert old.overdue and not new.overdue
    assert old.waited_days >= 6
    (trial,) = work.trials
    assert (trial.waiting, trial.overdue) == (2, 1)
    html = alice_client.get(reverse("dashboard:home")).content.decode()
    assert "Overdue" in html and "1 past the contact deadline" in html
    # A longer deadline clears the flag.
    world.trial_a.contact_deadline_days = 15
    world.trial_a.save()
    assert today_work(user=world.alice).overdue == 0
    assert fresh.reference in html


def test_a_contacted_applicant_leaves_the_new_list_and_its_follow_up_shows_when_due(
    world,  # noqa: F811
):
    contact_log(
        application=world.app_a,
        by=world.alice,
        data=ContactInput(channel="phone", outcome="no_answer"),
    )
    now = timezone.now()
    assert today_work(user=world.alice, now=now).waiting == []
    assert today_work(user=world.alice, now=now).follow_ups == []  # due tomorrow
    due_day = world.app_a.next_action_on
    later = timezone.make_aware(datetime.combine(due_day, datetime.min.time())) + timedelta(hours=9)
    assert [a.reference for a in today_work(user=world.alice, now=later).follow_ups] == ["AAAA1111"]
    even_later = later + timedelta(days=3)
    (late,) = today_work(user=world.alice, now=even_later).follow_ups
    assert late.late


def test_visits_in_the_coming_days_are_listed(world):  # noqa: F811
    ApplicationFactory(
        trial=world.trial_a,
        reference="VISIT001",
        status="visit_scheduled",
        visit_at=timezone.now() + timedelta(days=2),
    )
    ApplicationFactory(
        trial=world.trial_a,
        reference="VISIT999",
        status="visit_scheduled",
        visit_at=timezone.now() + timedelta(days=30),
    )
    assert [a.reference for a in today_work(user=world.alice).visits] == ["VISIT001"]


def test_open_applicants_are_counted_by_site(alice_client, world):  # noqa: F811
    north = LocationFactory(trial=world.trial_a, facility="North clinic", city="Laval")
    ApplicationFactory.create_batch(2, trial=world.trial_a, site=north)
    ApplicationFactory(trial=world.trial_a, site=north, status="enrolled")  # closed
    (trial,) = today_work(user=world.alice).trials
    assert trial.sites == [(north.pk, "North clinic, Laval", 2), (None, "", 1)]
    html = alice_client.get(reverse("dashboard:home")).content.decode()
    assert f"site={north.pk}" in html and "site=none" in html
    filtered = alice_client.get(reverse("dashboard:queue"), {"site": north.pk, "status": "open"})
    assert len(filtered.context["page"].object_list) == 2
    assert alice_client.get(reverse("dashboard:queue"), {"site": "none"}).status_code == 200
    assert alice_client.get(reverse("dashboard:queue"), {"site": "999999"}).status_code == 400


def test_todays_work_is_audited_once_with_the_references_it_shows(alice_client, world):  # noqa: F811
    alice_client.get(reverse("dashboard:home"))
    event = AuditEvent.objects.get(action="dashboard.today")
    assert event.actor == world.alice
    assert event.detail["references"] == ["AAAA1111"]
    assert world.app_a.full_name not in str(event.detail)


def test_today_lists_only_the_users_trials(world):  # noqa: F811
    work = today_work(user=world.bob)
    assert [a.reference for a in work.waiting] == ["BBBB2222"]


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_home_and_queue_queries_stay_the_same_whatever_the_number_of_applicants(
    alice_client,
    world,  # noqa: F811
    carol,  # noqa: F811
):
    site = LocationFactory(trial=world.trial_a)

    def add(n):
        for i in range(n):
            a = ApplicationFactory(trial=world.trial_a, site=site, assigned_to=carol)
            if i % 2:
                contact_log(
                    application=a,
                    by=world.alice,
                    data=ContactInput(channel="phone", outcome="no_answer"),
                )

    add(3)
    for url in (reverse("dashboard:home"), reverse("dashboard:queue")):
        _queries(alice_client, url)  # warm the session
    small = [
        _queries(alice_client, u) for u in (reverse("dashboard:home"), reverse("dashboard:queue"))
    ]
    add(30)
    large = [
        _queries(alice_client, u) for u in (reverse("dashboard:home"), reverse("dashboard:queue"))
    ]
    assert small == large


# --- closing reasons -------------------------------------------------------------------


def status_post(client, application, **data):
    return client.post(reverse("dashboard:applicant_status", args=[application.reference]), data)


def test_closing_needs_a_coded_reason(alice_client, world):  # noqa: F811
    response = status_post(alice_client, world.app_a, to_status="not_eligible")
    assert response.status_code == 400
    assert "Choose why" in response.content.decode()
    response = status_post(
        alice_client, world.app_a, to_status="not_eligible", reason="not_eligible:other"
    )
    assert response.status_code == 400  # "other" needs words
    response = status_post(
        alice_client,
        world.app_a,
        to_status="not_eligible",
        reason="not_eligible:exclusion_met",
    )
    assert response.status_code == 302
    world.app_a.refresh_from_db()
    assert (world.app_a.status, world.app_a.closing_reason) == ("not_eligible", "exclusion_met")
    # Reopening clears it.
    status_post(alice_client, world.app_a, to_status="in_review")
    world.app_a.refresh_from_db()
    assert world.app_a.closing_reason == ""


def test_a_trial_extends_its_reasons_and_another_trials_reason_is_refused(
    alice_client,
    world,  # noqa: F811
):
    response = alice_client.post(
        reverse("dashboard:recruitment_settings", args=[world.trial_a.nct_id]),
        {"reason": "1", "status": "not_eligible", "label": "HbA1c too high"},
    )
    assert response.status_code == 302
    assert ClosingReason.objects.get(trial=world.trial_a).code == "hba1c-too-high"
    ClosingReason.objects.create(
        trial=world.trial_b, status="not_eligible", code="b-only", label="B only"
    )
    refused = status_post(
        alice_client, world.app_a, to_status="not_eligible", reason="not_eligible:b-only"
    )
    assert refused.status_code == 400
    ok = status_post(
        alice_client, world.app_a, to_status="not_eligible", reason="not_eligible:hba1c-too-high"
    )
    assert ok.status_code == 302


def test_bob_cannot_change_trial_a_reasons(client, world):  # noqa: F811
    client.force_login(world.bob)
    response = client.post(
        reverse("dashboard:recruitment_settings", args=[world.trial_a.nct_id]),
        {"reason": "1", "status": "not_eligible", "label": "x"},
    )
    assert response.status_code == 404
    assert not ClosingReason.objects.exists()


# --- the queue: search, sort, bulk ------------------------------------------------------


@pytest.mark.parametrize(
    "term",
    [
        "aaaa",
        "AAA1",
        "a1111",
        "%",
        "_",
        "'; DROP TABLE x; --",
        "é" * 200,
        "  ",
        "a\x00b",
        "x" * 500,
    ],
)
def test_any_search_keeps_the_queue_and_its_export_working(alice_client, world, term):  # noqa: F811
    alice_client.post(reverse("dashboard:queue_search"), {"q": term})
    response = alice_client.get(reverse("dashboard:queue"))
    assert response.status_code == 200
    assert alice_client.get(reverse("dashboard:queue_export")).status_code == 200
    assert alice_client.get(reverse("dashboard:queue_export_xlsx")).status_code == 200
    if term.strip() and term.lower() in "aaaa1111":
        assert [a.reference for a in response.context["page"].object_list] == ["AAAA1111"]


def test_a_stored_search_the_form_refuses_is_forgotten_not_a_broken_page(alice_client, world):  # noqa: F811
    session = alice_client.session
    session["dashboard_search"] = "a\x00" + "b" * 300
    session.save()
    assert alice_client.get(reverse("dashboard:queue")).status_code == 200
    assert alice_client.get(reverse("dashboard:queue_export")).status_code == 200
    assert "dashboard_search" not in alice_client.session


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("submitted", ["OLD", "MID", "NEW"]),
        ("-submitted", ["NEW", "MID", "OLD"]),
        ("due", ["MID", "OLD", "NEW"]),
        ("name", ["MID", "NEW", "OLD"]),
        ("site", ["OLD", "NEW", "MID"]),
    ],
)
def test_columns_sort_the_queue(alice_client, world, order, expected):  # noqa: F811
    Application.objects.all().delete()
    today = timezone.localdate()
    a_site, b_site = (
        LocationFactory(trial=world.trial_a, facility="A clinic"),
        LocationFactory(trial=world.trial_a, facility="B clinic"),
    )
    for ref, days, due, name, site in [
        ("OLD", 9, today + timedelta(days=2), "Zoe", a_site),
        ("MID", 5, today, "Ann", None),
        ("NEW", 1, None, "Max", b_site),
    ]:
        a = ApplicationFactory(
            trial=world.trial_a, reference=ref, next_action_on=due, full_name=name, site=site
        )
        _aged(a, days=days)
    response = alice_client.get(reverse("dashboard:queue"), {"order": order})
    refs = [a.reference for a in response.context["page"].object_list]
    if order == "site":  # no site sorts last or first by database; compare the sited ones
        refs = [r for r in refs if r != "MID"]
        expected = [r for r in expected if r != "MID"]
    assert refs == expected
    assert 'aria-sort="' in response.content.decode()


def test_bulk_assign_to_a_colleague_and_to_me(alice_client, world, carol):  # noqa: F811
    second = ApplicationFactory(trial=world.trial_a)
    refs = [world.app_a.reference, second.reference]
    response = alice_client.post(
        reverse("dashboard:queue_bulk_assign"), {"references": refs, "assignee": carol.pk}
    )
    assert response.status_code == 302
    assert set(
        Application.objects.filter(reference__in=refs).values_list("assigned_to", flat=True)
    ) == {carol.pk}
    alice_client.post(
        reverse("dashboard:queue_bulk_assign"), {"references": refs, "assign_me": "1"}
    )
    assert set(
        Application.objects.filter(reference__in=refs).values_list("assigned_to", flat=True)
    ) == {world.alice.pk}
    assert AuditEvent.objects.filter(action="application.assign").count() == 4


def test_bulk_assign_to_another_team_changes_nothing(alice_client, world):  # noqa: F811
    response = alice_client.post(
        reverse("dashboard:queue_bulk_assign"),
        {"references": [world.app_a.reference], "assignee": world.bob.pk},
    )
    assert response.status_code == 302
    world.app_a.refresh_from_db()
    assert world.app_a.assigned_to is None
    response = alice_client.post(
        reverse("dashboard:queue_bulk_assign"),
        {"references": [world.app_a.reference, world.app_b.reference], "assign_me": "1"},
    )
    assert response.status_code == 404
    world.app_a.refresh_from_db()
    assert world.app_a.assigned_to is None


def test_bulk_move_carries_a_note_and_a_reason(alice_client, world):  # noqa: F811
    second = ApplicationFactory(trial=world.trial_a)
    refs = [world.app_a.reference, second.reference]
    response = alice_client.post(
        reverse("dashboard:queue_bulk_status"),
        {
            "references": refs,
            "to_status": "not_eligible",
            "reason": "exclusion_met",
            "note": "Batch review",
        },
    )
    assert response.status_code == 302
    for a in Application.objects.filter(reference__in=refs):
        assert (a.status, a.closing_reason) == ("not_eligible", "exclusion_met")
        assert a.status_changes.get().note == "Batch review"


def test_bulk_close_without_a_reason_changes_nothing(alice_client, world):  # noqa: F811
    alice_client.post(
        reverse("dashboard:queue_bulk_status"),
        {"references": [world.app_a.reference], "to_status": "not_eligible"},
    )
    world.app_a.refresh_from_db()
    assert world.app_a.status == "new"


def test_previous_and_next_follow_the_queue_as_filtered(alice_client, world):  # noqa: F811
    Application.objects.exclude(pk=world.app_b.pk).delete()
    refs = []
    for ref, days in (("FIRST", 9), ("SECOND", 5), ("THIRD", 1)):
        _aged(ApplicationFactory(trial=world.trial_a, reference=ref), days=days)
        refs.append(ref)
    alice_client.get(reverse("dashboard:queue"), {"order": "submitted"})
    page = alice_client.get(reverse("dashboard:applicant", args=["SECOND"]))
    assert (page.context["previous"], page.context["next"]) == ("FIRST", "THIRD")
    alice_client.get(reverse("dashboard:queue"), {"order": "-submitted"})
    page = alice_client.get(reverse("dashboard:applicant", args=["SECOND"]))
    assert (page.context["previous"], page.context["next"]) == ("THIRD", "FIRST")


def test_the_queue_counts_waiting_in_working_days_as_todays_work_does(alice_client, world):  # noqa: F811
    Application.objects.exclude(pk=world.app_b.pk).delete()
    for ref, days in (("WEEK", 7), ("FORTNIGHT", 14), ("TODAY", 0)):
        _aged(ApplicationFactory(trial=world.trial_a, reference=ref), days=days)
    page = alice_client.get(reverse("dashboard:queue"), {"trial": world.trial_a.nct_id})
    shown = {a.reference: a.days_waiting for a in page.context["page"].object_list}
    assert shown == {"WEEK": 5, "FORTNIGHT": 10, "TODAY": 0}
    home = today_work(user=world.alice)
    assert {a.reference: a.waited_days for a in home.waiting} == shown


def test_next_walks_todays_list_the_applicant_was_opened_from(alice_client, world):  # noqa: F811
    """Opened from "New applicants to contact, oldest first": after logging a call, "Next
    applicant" is the next oldest still to contact, not the triage order's next one, and a
    search left in the queue does not narrow it."""
    Application.objects.exclude(pk=world.app_b.pk).delete()
    # Triage order (likely eligible, highest score first) is the reverse of oldest first.
    for ref, days, verdict, score in (
        ("OLDEST", 9, "needs_review", 0.2),
        ("MIDDLE", 5, "needs_review", 0.5),
        ("NEWEST", 1, "likely_eligible", 0.9),
    ):
        _aged(
            ApplicationFactory(trial=world.trial_a, reference=ref, verdict=verdict, score=score),
            days=days,
        )
    alice_client.post(reverse("dashboard:queue_search"), {"q": "NEWEST"})
    home = alice_client.get(reverse("dashboard:home")).content.decode()
    link = reverse("dashboard:applicant", args=["OLDEST"]) + "?from=first_contact"
    assert f'href="{link}"' in home
    page = alice_client.get(link)
    assert (page.context["previous"], page.context["next"]) == (None, "MIDDLE")
    log(alice_client, Application.objects.get(reference="OLDEST"), outcome="no_answer")
    page = alice_client.get(reverse("dashboard:applicant", args=["OLDEST"]))
    assert page.context["next"] == "MIDDLE"  # left the list: its first is the next to do
    page = alice_client.get(reverse("dashboard:applicant", args=["MIDDLE"]))
    assert (page.context["previous"], page.context["next"]) == (None, "NEWEST")


@pytest.mark.parametrize("source", ["", "nonsense", "first_contact%00"])
def test_an_unknown_list_leaves_the_queue_the_coordinator_last_saw(
    alice_client,
    world,  # noqa: F811
    source,
):
    Application.objects.exclude(pk=world.app_b.pk).delete()
    for ref, days in (("FIRST", 9), ("SECOND", 5), ("THIRD", 1)):
        _aged(ApplicationFactory(trial=world.trial_a, reference=ref), days=days)
    alice_client.get(reverse("dashboard:queue"), {"order": "-submitted"})
    page = alice_client.get(reverse("dashboard:applicant", args=["SECOND"]), {"from": source})
    assert page.status_code == 200
    assert (page.context["previous"], page.context["next"]) == ("THIRD", "FIRST")


# --- points to check -------------------------------------------------------------------


def test_a_point_is_verified_apart_from_the_answers_and_audited(alice_client, world):  # noqa: F811
    answers, evaluation = dict(world.app_a.answers), dict(world.app_a.evaluation)
    response = alice_client.post(
        reverse("dashboard:applicant_verify", args=[world.app_a.reference]),
        {"kind": "inclusion", "number": "2", "value_found": "mRSS 17 (clinic letter)"},
    )
    assert response.status_code == 302 and response.url.endswith("#points-to-check")
    verification = PointVerification.objects.get()
    assert verification.value_found == "mRSS 17 (clinic letter)"
    world.app_a.refresh_from_db()
    assert (world.app_a.answers, world.app_a.evaluation) == (answers, evaluation)
    event = AuditEvent.objects.get(action="application.verify")
    assert "17" not in str(event.detail)
    html = alice_client.get(
        reverse("dashboard:applicant", args=[world.app_a.reference])
    ).content.decode()
    assert "Verified: mRSS 17 (clinic letter)" in html


def test_a_criterion_not_in_the_snapshot_cannot_be_verified(alice_client, world):  # noqa: F811
    alice_client.post(
        reverse("dashboard:applicant_verify", args=[world.app_a.reference]),
        {"kind": "inclusion", "number": "99", "value_found": "x"},
    )
    client_bob = alice_client
    client_bob.force_login(world.bob)
    response = client_bob.post(
        reverse("dashboard:applicant_verify", args=[world.app_a.reference]),
        {"kind": "inclusion", "number": "2", "value_found": "x"},
    )
    assert response.status_code == 404
    assert not PointVerification.objects.exists()
