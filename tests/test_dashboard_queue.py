import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from screening.dashboard.exports import csv_safe, is_phone_number
from screening.models import Application
from tests.dashboard_personas import world  # noqa: F401
from tests.factories import ApplicationFactory, MembershipFactory, TrialFactory

pytestmark = pytest.mark.django_db


def refs(response) -> list[str]:
    return [a.reference for a in response.context["page"].object_list]


@pytest.fixture
def alice_client(client, world):  # noqa: F811
    client.force_login(world.alice)
    return client


def test_default_order_puts_new_and_likely_eligible_and_high_scores_first(alice_client, world):  # noqa: F811
    Application.objects.all().delete()
    t = world.trial_a
    seen = ApplicationFactory(
        trial=t, reference="SEEN", status="in_review", verdict="likely_eligible", score=1.0
    )
    low = ApplicationFactory(trial=t, reference="LOW", verdict="likely_eligible", score=0.8)
    high = ApplicationFactory(trial=t, reference="HIGH", verdict="likely_eligible", score=0.95)
    review = ApplicationFactory(trial=t, reference="REVIEW", verdict="needs_review", score=0.99)
    no = ApplicationFactory(trial=t, reference="NO", verdict="not_eligible", score=0.5)
    response = alice_client.get(reverse("dashboard:queue"))
    assert refs(response) == [
        high.reference,
        low.reference,
        review.reference,
        no.reference,
        seen.reference,
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "contacted_1"}, ["C1"]),
        ({"status": "closed"}, ["DONE"]),
        ({"verdict": "not_eligible"}, ["DONE"]),
        ({"score_min": "90"}, ["C1"]),
        ({"score_min": "40", "score_max": "60"}, ["OLD"]),
        ({"submitted_to": (timezone.now() - timedelta(days=5)).date().isoformat()}, ["OLD"]),
        ({"order": "-score"}, ["C1", "OLD", "DONE"]),
    ],
)
def test_filters_narrow_the_queue(alice_client, world, params, expected):  # noqa: F811
    Application.objects.all().delete()
    t = world.trial_a
    ApplicationFactory(trial=t, reference="C1", status="contacted_1", score=0.95)
    old = ApplicationFactory(trial=t, reference="OLD", score=0.5)
    Application.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))
    ApplicationFactory(
        trial=t, reference="DONE", status="enrolled", verdict="not_eligible", score=0.3
    )
    response = alice_client.get(reverse("dashboard:queue"), params)
    assert response.status_code == 200
    assert sorted(refs(response)) == sorted(expected)
    if "order" in params:
        assert refs(response) == expected


def test_an_invalid_filter_is_a_400_with_a_message(alice_client):
    response = alice_client.get(reverse("dashboard:queue"), {"score_min": "abc"})
    assert response.status_code == 400
    assert b"not valid" in response.content


def test_an_invalid_filter_is_marked_on_its_labelled_field(alice_client):
    response = alice_client.get(reverse("dashboard:queue"), {"score_min": "abc"})
    html = response.content.decode()
    assert '<label for="id_score_min" class="form-label">' in html
    assert 'aria-invalid="true" aria-describedby="id_score_min_error"' in html
    assert 'class="form-control is-invalid" id="id_score_min"' in html
    assert '<div id="id_score_min_error" class="invalid-feedback">' in html
    assert 'class="form-select" id="id_verdict"' in html


def test_search_by_name_works_and_keeps_the_name_out_of_urls(alice_client, world):  # noqa: F811
    ApplicationFactory(trial=world.trial_a, reference="FINDME", full_name="Rosalind Franklin")
    response = alice_client.post(
        reverse("dashboard:queue_search"),
        {"q": "rosalind", "next": "/dashboard/applicants/?verdict="},
    )
    assert response.status_code == 302
    assert "rosalind" not in response.url.lower()
    page = alice_client.get(response.url)
    assert refs(page) == ["FINDME"]
    assert b"?q=" not in page.content and b"rosalind&" not in page.content.lower()
    by_ref = alice_client.post(
        reverse("dashboard:queue_search"), {"q": world.app_a.reference.lower()}
    )
    assert refs(alice_client.get(by_ref.url)) == [world.app_a.reference]
    cleared = alice_client.post(reverse("dashboard:queue_search"), {"q": "x", "clear": "1"})
    assert len(refs(alice_client.get(cleared.url))) == 2


def test_search_does_not_reach_other_trials(client, world):  # noqa: F811
    client.force_login(world.bob)
    response = client.post(reverse("dashboard:queue_search"), {"q": world.app_a.full_name})
    assert refs(client.get(response.url)) == []


def test_search_refuses_an_offsite_next(alice_client):
    response = alice_client.post(
        reverse("dashboard:queue_search"), {"q": "a", "next": "https://evil.example/"}
    )
    assert response.url == reverse("dashboard:queue")


@pytest.mark.parametrize("n", [10, 60])
def test_queue_query_count_does_not_grow_with_applications(
    alice_client,
    world,  # noqa: F811
    django_assert_max_num_queries,
    n,
):
    other_coordinator = MembershipFactory(trial=world.trial_a).user
    ApplicationFactory.create_batch(n, trial=world.trial_a, assigned_to=other_coordinator)
    with django_assert_max_num_queries(15):
        response = alice_client.get(reverse("dashboard:queue"))
    assert response.status_code == 200
    with django_assert_max_num_queries(15):
        alice_client.get(reverse("dashboard:home"))
    with django_assert_max_num_queries(15):
        alice_client.get(reverse("dashboard:queue_export"))


def test_queue_rows_leave_answers_and_the_trial_record_in_the_database(alice_client, world):  # noqa: F811
    response = alice_client.get(reverse("dashboard:trial_queue", args=[world.trial_a.nct_id]))
    row = response.context["page"].object_list[0]
    assert {"answers", "evaluation"} <= row.get_deferred_fields()
    assert "raw" in row.trial.get_deferred_fields()
    assert "nct_id" not in row.trial.get_deferred_fields()


def test_queue_is_paginated(alice_client, world):  # noqa: F811
    ApplicationFactory.create_batch(30, trial=world.trial_a)
    first = alice_client.get(reverse("dashboard:queue"))
    second = alice_client.get(reverse("dashboard:queue"), {"page": 2})
    assert len(refs(first)) == 25
    assert len(refs(second)) == 6
    assert not set(refs(first)) & set(refs(second))


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_export_holds_the_filtered_queue_of_my_trials_only(alice_client, world):  # noqa: F811
    ApplicationFactory(trial=world.trial_a, reference="LIKELY", verdict="likely_eligible")
    response = alice_client.get(reverse("dashboard:queue_export"), {"verdict": "likely_eligible"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _rows(response)
    assert rows[0][0] == "Reference"
    assert [r[0] for r in rows[1:]] == ["LIKELY"]
    everything = _rows(alice_client.get(reverse("dashboard:queue_export")))
    assert {r[0] for r in everything[1:]} == {"LIKELY", world.app_a.reference}
    assert world.app_b.reference not in response.content.decode()
    event = AuditEvent.objects.filter(action="queue.export").latest("at")
    assert event.actor == world.alice
    assert event.detail["filters"] == {}
    assert event.detail["count"] == 2


def test_export_cells_cannot_start_a_formula(alice_client, world):  # noqa: F811
    ApplicationFactory(
        trial=world.trial_a, full_name='=HYPERLINK("http://x")', email="@x.example", phone="+15"
    )
    content = alice_client.get(reverse("dashboard:queue_export")).content.decode()
    for row in _rows_text(content):
        for cell in row:
            # Only a bare phone number may start with "+": it stays dialable.
            assert not cell.startswith(("=", "+", "-", "@")) or is_phone_number(cell)
    assert "'=HYPERLINK" in content
    assert "'+15" in content  # too short to be a phone number


def _rows_text(content: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content)))


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_csv_safe_neutralises_formula_starts(value):
    assert csv_safe(value).startswith("'")


def test_export_of_a_search_records_that_a_search_was_used_but_not_the_term(alice_client, world):  # noqa: F811
    alice_client.post(reverse("dashboard:queue_search"), {"q": world.app_a.full_name})
    alice_client.get(reverse("dashboard:queue_export"))
    event = AuditEvent.objects.get(action="queue.export")
    assert event.detail["searched"] is True
    assert world.app_a.full_name not in str(event.detail)


def test_bulk_status_change_moves_the_selected_applicants(alice_client, world):  # noqa: F811
    second = ApplicationFactory(trial=world.trial_a)
    response = alice_client.post(
        reverse("dashboard:queue_bulk_status"),
        {"references": [world.app_a.reference, second.reference], "to_status": "in_review"},
    )
    assert response.status_code == 302
    assert set(
        Application.objects.filter(trial=world.trial_a).values_list("status", flat=True)
    ) == {"in_review"}


def test_bulk_with_an_invalid_transition_changes_nothing_and_says_why(alice_client, world):  # noqa: F811
    closed = ApplicationFactory(trial=world.trial_a, status="enrolled")
    response = alice_client.post(
        reverse("dashboard:queue_bulk_status"),
        {"references": [world.app_a.reference, closed.reference], "to_status": "in_review"},
        follow=True,
    )
    assert closed.reference.encode() in response.content
    world.app_a.refresh_from_db()
    assert world.app_a.status == "new"


def test_bulk_including_another_trials_applicant_is_404(alice_client, world):  # noqa: F811
    response = alice_client.post(
        reverse("dashboard:queue_bulk_status"),
        {"references": [world.app_a.reference, world.app_b.reference], "to_status": "in_review"},
    )
    assert response.status_code == 404
    world.app_a.refresh_from_db()
    assert world.app_a.status == "new"


def test_home_counts_by_status_and_verdict_and_the_applicants_not_yet_opened(alice_client, world):  # noqa: F811
    world.alice.last_dashboard_visit = timezone.now() - timedelta(hours=1)
    world.alice.save()
    Application.objects.filter(pk=world.app_a.pk).update(
        created_at=timezone.now() - timedelta(days=1)
    )
    ApplicationFactory(trial=world.trial_a, verdict="likely_eligible")
    ApplicationFactory(trial=TrialFactory(), verdict="likely_eligible")  # not alice's trial
    response = alice_client.get(reverse("dashboard:home"))
    (summary,) = response.context["summaries"]
    assert summary.total == 2
    assert summary.new_since_visit == 2  # alice has opened neither
    assert summary.by_status == {"new": 2}
    assert summary.by_verdict == {"needs_review": 1, "likely_eligible": 1}
    assert b"2 applicants you have not opened yet" in response.content
    world.alice.refresh_from_db()
    assert world.alice.last_dashboard_visit > timezone.now() - timedelta(minutes=1)
    # A reload does not clear it: only opening an applicant does.
    again = alice_client.get(reverse("dashboard:home"))
    assert again.context["summaries"][0].new_since_visit == 2
    alice_client.get(reverse("dashboard:applicant", args=[world.app_a.reference]))
    alice_client.get(reverse("dashboard:applicant", args=[world.app_a.reference]))
    after = alice_client.get(reverse("dashboard:home"))
    assert after.context["summaries"][0].new_since_visit == 1
    assert b"1 applicant you have not opened yet" in after.content


def test_a_user_with_no_team_sees_an_explanation_not_applicants(client, world):  # noqa: F811
    client.force_login(world.nobody)
    response = client.get(reverse("dashboard:home"))
    assert b"not on any trial" in response.content


def test_every_sort_choice_reads_in_plain_words(alice_client):
    html = alice_client.get(reverse("dashboard:queue")).content.decode()
    for label in ("Submitted (newest first)", "Last status change (newest first)"):
        assert label in html
    assert "(descending)" not in html


def _heading(response) -> str:
    import re

    html = response.content.decode()
    return re.sub(r"<[^>]+>|\s+", " ", re.search(r"<h1.*?</h1>", html, re.S).group(0)).strip()


@pytest.mark.parametrize(
    ("params", "heading"),
    [
        ({}, "Applicants in all your trials"),
        ({"order": "-score"}, "Applicants in all your trials"),
        (
            {"status": "new"},
            "Applicants in all your trials Only those that match the filters below",
        ),
    ],
)
def test_the_heading_says_what_the_list_holds(alice_client, world, params, heading):  # noqa: F811
    assert _heading(alice_client.get(reverse("dashboard:queue"), params)) == heading


def test_filtered_to_one_trial_the_heading_names_it(alice_client, world):  # noqa: F811
    nct_id = world.trial_a.nct_id
    response = alice_client.get(reverse("dashboard:queue"), {"trial": nct_id})
    assert _heading(response) == f"Applicants · {nct_id}"
    response = alice_client.get(
        reverse("dashboard:queue"), {"trial": nct_id, "verdict": "not_eligible"}
    )
    assert _heading(response) == f"Applicants · {nct_id} Only those that match the filters below"
