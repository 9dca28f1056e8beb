"""The recruitment picture, the screening log, exports and the staff applicant page,
checked against hand-counted fixtures."""

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from screening.dashboard.exports import csv_safe, is_phone_number
from screening.dashboard.insights import recruitment_picture
from screening.models import Application, Criterion, StatusChange
from tests.dashboard_personas import world  # noqa: F401
from tests.factories import ApplicationFactory, LocationFactory

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 2)


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()) + timedelta(hours=hour))


@pytest.fixture
def alice_client(client, world):  # noqa: F811
    client.force_login(world.alice)
    return client


@pytest.fixture
def recruitment(world):  # noqa: F811
    """Ten applicants over three weeks at two sites, hand-counted:

    week of Nov 2: 4 (N1 new; C1 contacted after 24 h; V1 visit, contacted after 48 h;
                      L1 not interested after contact, reason travel)
    week of Nov 9: 0
    week of Nov 16: 6 (E1 enrolled, contacted after 12 h; X1, X2 not eligible before
                       contact, reason exclusion_met; U1 unreachable, contacted after
                       72 h, no reason; N2, N3 new)
    funnel: applied 10 → contacted 5 (C1, V1, L1, E1, U1) → visit 2 (V1, E1) → enrolled 1
    losses: applied: 2 not eligible (exclusion); contacted: L1 (travel), U1 (none)
    median time to first contact over C1 24, V1 48, L1 (6), E1 12, U1 72 = 24 h
    """
    t = world.trial_a
    Application.objects.filter(trial=t).delete()
    north, south = (
        LocationFactory(trial=t, facility="North clinic", city="Laval"),
        LocationFactory(trial=t, facility="South clinic", city="Longueuil"),
    )
    rows = [
        ("N1", MONDAY, "new", None, "", north, []),
        ("C1", MONDAY, "contacted_1", 24, "", north, ["contacted_1"]),
        (
            "V1",
            MONDAY + timedelta(days=1),
            "visit_scheduled",
            48,
            "",
            south,
            ["contacted_1", "visit_scheduled"],
        ),
        (
            "L1",
            MONDAY + timedelta(days=2),
            "not_interested",
            6,
            "travel",
            south,
            ["contacted_1", "not_interested"],
        ),
        (
            "E1",
            MONDAY + timedelta(days=14),
            "enrolled",
            12,
            "",
            north,
            ["contacted_1", "visit_scheduled", "enrolled"],
        ),
        (
            "X1",
            MONDAY + timedelta(days=14),
            "not_eligible",
            None,
            "exclusion_met",
            north,
            ["not_eligible"],
        ),
        (
            "X2",
            MONDAY + timedelta(days=15),
            "not_eligible",
            None,
            "exclusion_met",
            None,
            ["not_eligible"],
        ),
        (
            "U1",
            MONDAY + timedelta(days=16),
            "unreachable",
            72,
            "",
            south,
            ["contacted_1", "unreachable"],
        ),
        ("N2", MONDAY + timedelta(days=17), "new", None, "", None, []),
        ("N3", MONDAY + timedelta(days=18), "new", None, "", north, []),
    ]
    for ref, day, status, hours, reason, site, path in rows:
        a = ApplicationFactory(
            trial=t, reference=ref, status=status, site=site, closing_reason=reason
        )
        created = at(day)
        first = created + timedelta(hours=hours) if hours is not None else None
        Application.objects.filter(pk=a.pk).update(created_at=created, first_contact_at=first)
        previous = "new"
        for to in path:
            StatusChange.objects.create(application=a, from_status=previous, to_status=to)
            previous = to
    # Outside the period, and another trial: never counted.
    late = ApplicationFactory(trial=t, reference="LATE")
    Application.objects.filter(pk=late.pk).update(created_at=at(MONDAY + timedelta(days=40)))
    ApplicationFactory(trial=world.trial_b)
    return {"north": north, "south": south}


def picture(world, **kw):  # noqa: F811
    return recruitment_picture(
        trial=world.trial_a, start=MONDAY, end=MONDAY + timedelta(days=20), site_id=kw.get("site")
    )


def test_the_funnel_matches_the_hand_count(world, recruitment):  # noqa: F811
    p = picture(world)
    assert p.funnel == {"applied": 10, "contacted": 5, "visit": 2, "enrolled": 1}
    losses = {(loss.stage, loss.status, loss.reason): loss.count for loss in p.losses}
    assert losses == {
        ("applied", "Not eligible", "Meets an exclusion criterion"): 2,
        ("contacted", "Not interested", "Travel or distance to the site"): 1,
        ("contacted", "Could not reach", ""): 1,
    }
    assert [row[3] for row in p.funnel_rows] == [2, 2, 0, 0]


def test_weeks_and_median_time_to_first_contact(world, recruitment):  # noqa: F811
    p = picture(world)
    assert p.weeks == [
        (MONDAY, 4),
        (MONDAY + timedelta(weeks=1), 0),
        (MONDAY + timedelta(weeks=2), 6),
    ]
    assert p.median_hours_to_contact == 24.0
    assert p.contacted_count == 5
    assert p.chart_data()["weeks"]["values"] == [4, 0, 6]
    assert p.chart_data()["funnel"]["values"] == [10, 5, 2, 1]


def test_a_site_narrows_the_picture(world, recruitment):  # noqa: F811
    p = picture(world, site=recruitment["south"].pk)
    assert p.funnel == {"applied": 3, "contacted": 3, "visit": 1, "enrolled": 0}
    sites = dict(picture(world).by_site)
    assert sites["North clinic, Laval"]["applied"] == 5
    assert sites["No site chosen"]["applied"] == 2


def test_the_page_shows_tables_beside_the_charts(alice_client, world, recruitment):  # noqa: F811
    response = alice_client.get(
        reverse("dashboard:insights", args=[world.trial_a.nct_id]),
        {"start": MONDAY.isoformat(), "end": (MONDAY + timedelta(days=20)).isoformat()},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="funnel-table"' in html and 'id="weeks-table"' in html
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert 'id="chart-data" type="application/json"' in html
    assert "<script>" not in html  # no inline script under the CSP


@pytest.mark.parametrize(
    "params", [{"start": "2026-12-01", "end": "2026-01-01"}, {"start": "nonsense"}, {"site": "abc"}]
)
def test_a_bad_period_is_a_400_not_a_500(alice_client, world, params):  # noqa: F811
    response = alice_client.get(reverse("dashboard:insights", args=[world.trial_a.nct_id]), params)
    assert response.status_code == 400


def test_another_trials_coordinator_gets_404(client, world):  # noqa: F811
    client.force_login(world.bob)
    for name in (
        "dashboard:insights",
        "dashboard:screening_log_csv",
        "dashboard:screening_log_xlsx",
    ):
        assert client.get(reverse(name, args=[world.trial_a.nct_id])).status_code == 404


def test_the_screening_log_exports_in_consort_shape(alice_client, world, recruitment):  # noqa: F811
    params = {"start": MONDAY.isoformat(), "end": (MONDAY + timedelta(days=20)).isoformat()}
    content = alice_client.get(
        reverse("dashboard:screening_log_csv", args=[world.trial_a.nct_id]), params
    ).content.decode()
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0] == ["Stage", "Closed as", "Reason", "Applicants"]
    assert rows[1] == ["Applied", "", "", "10"]
    assert rows[2] == ["", "Not eligible", "Meets an exclusion criterion", "2"]
    assert ["Enrolled", "", "", "1"] in rows
    response = alice_client.get(
        reverse("dashboard:screening_log_xlsx", args=[world.trial_a.nct_id]), params
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == "Applied" and sheet["D2"].value == 10


# --- exports ------------------------------------------------------------------------------


@pytest.mark.parametrize("phone", ["+1 514 555 0100", "+33 (0)6 12 34 56 78", "+44 20 7946 0958"])
def test_a_bare_phone_number_stays_dialable_in_csv(phone):
    assert is_phone_number(phone)
    assert csv_safe(phone) == phone


@pytest.mark.parametrize(
    "value",
    ["+1+cmd|' /C calc'!A0", "=1+1", "+15", "-2+3", "@SUM(A1)", "+1 514 =1", "\t+1 514 555 0100"],
)
def test_anything_else_that_starts_a_formula_is_still_neutralised(value):
    assert csv_safe(value).startswith("'")


def test_exports_carry_site_open_points_last_contact_and_reason(alice_client, world):  # noqa: F811
    site = LocationFactory(trial=world.trial_a, facility="North clinic", city="Laval")
    Application.objects.filter(pk=world.app_a.pk).update(
        site=site,
        status="not_eligible",
        closing_reason="exclusion_met",
        closing_reason_text="Renal crisis in 2019",
        last_contact_at=timezone.now(),
        full_name='=HYPERLINK("http://x")',
    )
    content = alice_client.get(reverse("dashboard:queue_export")).content.decode()
    header, row = list(csv.reader(io.StringIO(content)))[:2]
    cells = dict(zip(header, row, strict=True))
    assert cells["Site"] == "North clinic, Laval, Canada"
    assert cells["Reason"] == "Meets an exclusion criterion: Renal crisis in 2019"
    assert cells["Open points"] == "Inclusion 2; Exclusion 1"
    assert cells["Last contact"]
    assert cells["Phone"] == "+1 514 555 0100"
    assert cells["Full name"].startswith("'=")

    response = alice_client.get(reverse("dashboard:queue_export_xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    row = {h: c for h, c in zip(header, sheet[2], strict=True)}
    # Typed cells: text stays text (never a formula), the score is a number.
    assert row["Full name"].value == '=HYPERLINK("http://x")'
    assert row["Full name"].data_type == "s"
    assert row["Phone"].value == "+1 514 555 0100" and row["Phone"].data_type == "s"
    assert isinstance(row["Score (%)"].value, int)


# --- the applicant page in staff words -----------------------------------------------


def test_criteria_read_in_staff_words_with_the_missing_answer_named(alice_client, world):  # noqa: F811
    Criterion.objects.create(
        trial=world.trial_a,
        kind="inclusion",
        number="2",
        text="Modified Rodnan skin score of 15 or more",
        rule={"q": "mrss", "op": "ge", "value": 15},
    )
    Application.objects.filter(pk=world.app_a.pk).update(
        evaluation={
            **world.app_a.evaluation,
            "criteria": [
                *world.app_a.evaluation["criteria"],
                {
                    "kind": "exclusion",
                    "number": "3",
                    "text": "Smoker",
                    "outcome": "met",
                    "explanation": "",
                    "verify": "",
                },
            ],
        }
    )
    html = alice_client.get(
        reverse("dashboard:applicant", args=[world.app_a.reference])
    ).content.decode()
    assert "Exclusion 3: met, which excludes" in html
    assert "Inclusion 2: unknown (skin score not given)" in html
    assert 'outcome-fail"><span aria-hidden="true">✗</span> Exclusion 3' in html  # symbol too
    assert f'<h1 class="h2 mt-2 mb-1">{world.app_a.full_name}</h1>' in html


def test_a_value_within_a_tenth_of_a_threshold_is_marked(alice_client, world):  # noqa: F811
    Criterion.objects.create(
        trial=world.trial_a,
        kind="inclusion",
        number="1",
        text="Age 18 to 70",
        rule={"q": "age", "op": "le", "value": 55},
    )
    response = alice_client.get(reverse("dashboard:applicant", args=[world.app_a.reference]))
    near = [line for step in response.context["answer_steps"] for line in step.lines if line.near]
    assert [(line.value, line.near) for line in near] == [("52 years", 55.0)]
    assert "near a threshold (55)" in response.content.decode()


def test_the_page_prints_a_summary(alice_client, world):  # noqa: F811
    html = alice_client.get(
        reverse("dashboard:applicant", args=[world.app_a.reference])
    ).content.decode()
    assert 'href="/static/css/dashboard-print.css" media="print"' in html
