"""Every look at health data is audited exactly once per render, on every outcome.

The walk covers each dashboard view that shows an applicant (their page, its forms, the
queue, the search, the export, the bulk form) as the trial's coordinator (alice), its
investigator (ivy, read-only) and another trial's coordinator (bob), with GETs, valid
POSTs, invalid POSTs and refused ones, and counts the audit rows each request wrote.
"""

import re

import pytest
from django.urls import get_resolver, reverse

from accounts.models import AuditEvent
from screening.models import Criterion
from tests.dashboard_personas import world  # noqa: F401
from tests.factories import TrialFactory
from tests.html_forms import page_forms

pytestmark = pytest.mark.django_db

REF = "AAAA1111"
VIEW, REFUSED = "application.view", "access.refused"
QUEUE = "queue.view"


def u(name, *args):
    return reverse(f"dashboard:{name}", args=args)


# (persona, method, url name, url args, data, expected status, expected audit actions)
WALK = [
    # The applicant's page.
    ("alice", "get", "applicant", [REF], None, 200, [VIEW]),
    ("ivy", "get", "applicant", [REF], None, 200, [VIEW]),
    ("bob", "get", "applicant", [REF], None, 404, [REFUSED]),
    ("alice", "get", "applicant", ["NOSUCH99"], None, 404, [REFUSED]),
    # Its status form: valid, invalid (empty, not a next status), refused.
    (
        "alice",
        "post",
        "applicant_status",
        [REF],
        {"to_status": "in_review"},
        302,
        ["application.status"],
    ),
    ("alice", "post", "applicant_status", [REF], {}, 400, [VIEW]),
    ("alice", "post", "applicant_status", [REF], {"to_status": "enrolled"}, 400, [VIEW]),
    (
        "alice",
        "post",
        "applicant_status",
        [REF],
        {"to_status": "in_review", "note": "x" * 6000},
        400,
        [VIEW],
    ),
    ("ivy", "post", "applicant_status", [REF], {"to_status": "in_review"}, 403, [REFUSED]),
    ("bob", "post", "applicant_status", [REF], {"to_status": "in_review"}, 404, [REFUSED]),
    # Its note form.
    (
        "alice",
        "post",
        "applicant_note",
        [REF],
        {"text": "Called, no answer."},
        302,
        ["application.note"],
    ),
    ("alice", "post", "applicant_note", [REF], {"text": "   "}, 400, [VIEW]),
    ("alice", "post", "applicant_note", [REF], {"text": "x" * 6000}, 400, [VIEW]),
    ("ivy", "post", "applicant_note", [REF], {"text": "Looks fine."}, 403, [REFUSED]),
    ("bob", "post", "applicant_note", [REF], {"text": "Mine now."}, 404, [REFUSED]),
    # Its assign form.
    (
        "alice",
        "post",
        "applicant_assign",
        [REF],
        {"assignee": "alice"},
        302,
        ["application.assign"],
    ),
    ("alice", "post", "applicant_assign", [REF], {"assignee": "bob"}, 400, [VIEW]),
    ("alice", "post", "applicant_assign", [REF], {"assignee": "not-a-number"}, 400, [VIEW]),
    ("ivy", "post", "applicant_assign", [REF], {"assignee": "ivy"}, 403, [REFUSED]),
    ("bob", "post", "applicant_assign", [REF], {"assignee": "bob"}, 404, [REFUSED]),
    # The queue shows names: each render is a look.
    ("alice", "get", "queue", [], None, 200, [QUEUE]),
    ("ivy", "get", "queue", [], None, 200, [QUEUE]),
    ("alice", "get", "trial_queue", ["NCT04356287"], None, 200, [QUEUE]),
    ("bob", "get", "trial_queue", ["NCT04356287"], None, 404, [REFUSED]),
    ("alice", "get", "queue", [], {"status": "no-such-status"}, 400, [QUEUE]),
    ("bob", "get", "queue", [], {"trial": "NCT04356287"}, 404, [REFUSED]),
    # The search stores a term and sends back to the queue, which is the look.
    ("alice", "post", "queue_search", [], {"q": "Patient"}, 302, []),
    ("alice", "get", "queue_export", [], None, 200, ["queue.export"]),
    # The bulk form: valid, invalid, refused.
    (
        "alice",
        "post",
        "queue_bulk_status",
        [],
        {"references": [REF], "to_status": "in_review"},
        302,
        ["application.status"],
    ),
    ("alice", "post", "queue_bulk_status", [], {"references": [REF]}, 302, []),
    (
        "ivy",
        "post",
        "queue_bulk_status",
        [],
        {"references": [REF], "to_status": "in_review"},
        403,
        [REFUSED],
    ),
    (
        "bob",
        "post",
        "queue_bulk_status",
        [],
        {"references": [REF], "to_status": "in_review"},
        404,
        [REFUSED],
    ),
    # The contact log (issue 16): valid, invalid (re-rendered page), refused.
    (
        "alice",
        "post",
        "applicant_contact",
        [REF],
        {"channel": "phone", "outcome": "no_answer"},
        302,
        ["application.contact"],
    ),
    ("alice", "post", "applicant_contact", [REF], {"channel": "phone"}, 400, [VIEW]),
    ("alice", "post", "applicant_contact", [REF], {"channel": "fax", "outcome": "x"}, 400, [VIEW]),
    (
        "ivy",
        "post",
        "applicant_contact",
        [REF],
        {"channel": "phone", "outcome": "reached"},
        403,
        [REFUSED],
    ),
    (
        "bob",
        "post",
        "applicant_contact",
        [REF],
        {"channel": "phone", "outcome": "reached"},
        404,
        [REFUSED],
    ),
    # A verified point: no page is rendered, the change is audited, refusals too.
    (
        "alice",
        "post",
        "applicant_verify",
        [REF],
        {"kind": "inclusion", "number": "1", "value_found": "52"},
        302,
        ["application.verify"],
    ),
    ("alice", "post", "applicant_verify", [REF], {"kind": "inclusion"}, 302, []),
    (
        "ivy",
        "post",
        "applicant_verify",
        [REF],
        {"kind": "inclusion", "number": "1", "value_found": "52"},
        403,
        [REFUSED],
    ),
    # Bulk assignment and the spreadsheet export.
    (
        "alice",
        "post",
        "queue_bulk_assign",
        [],
        {"references": [REF], "assignee": "alice"},
        302,
        ["application.assign"],
    ),
    ("alice", "post", "queue_bulk_assign", [], {"assignee": "alice"}, 302, []),
    (
        "ivy",
        "post",
        "queue_bulk_assign",
        [],
        {"references": [REF], "assignee": "ivy"},
        403,
        [REFUSED],
    ),
    (
        "bob",
        "post",
        "queue_bulk_assign",
        [],
        {"references": [REF], "assignee": "bob"},
        404,
        [REFUSED],
    ),
    ("alice", "get", "queue_export_xlsx", [], None, 200, ["queue.export"]),
]


def _data(world, data):  # noqa: F811
    if not data:
        return data
    people = {"alice": world.alice, "bob": world.bob, "ivy": world.ivy}
    if data.get("assignee") in people:
        data = {**data, "assignee": people[data["assignee"]].pk}
    return data


@pytest.mark.parametrize(
    ("persona", "method", "name", "args", "data", "status", "actions"),
    WALK,
    ids=[f"{w[0]}-{w[1]}-{w[2]}-{i}" for i, w in enumerate(WALK)],
)
def test_each_render_of_applicant_data_is_audited_exactly_once(
    client,
    world,  # noqa: F811
    persona,
    method,
    name,
    args,
    data,
    status,
    actions,
):
    client.force_login(getattr(world, persona))
    before = AuditEvent.objects.count()
    response = getattr(client, method)(u(name, *args), _data(world, data))
    assert response.status_code == status
    written = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True)[before:])
    assert written == actions
    if VIEW in actions or QUEUE in actions:
        assert all(e.actor_id == world.__dict__[persona].pk for e in AuditEvent.objects.all())


def test_the_walk_covers_every_dashboard_view_that_shows_applicants():
    resolver = get_resolver()
    names = {
        pattern.name
        for pattern in resolver.url_patterns
        if getattr(pattern, "namespace", None) == "dashboard"
        for pattern in pattern.url_patterns
    }
    showing = {n for n in names if n.startswith(("applicant", "queue", "trial_queue"))}
    assert showing <= {w[2] for w in WALK}


def test_an_invalid_form_re_renders_the_full_page_audited_with_the_applicant(client, world):  # noqa: F811
    client.force_login(world.alice)
    response = client.post(u("applicant_note", REF), {"text": ""})
    assert response.status_code == 400
    assert world.app_a.email in response.content.decode()
    event = AuditEvent.objects.get()
    assert (event.action, event.target_id, event.trial_id) == (VIEW, REF, "NCT04356287")


def test_the_queue_audits_which_applicants_were_shown_and_whether_searched(client, world):  # noqa: F811
    client.force_login(world.alice)
    client.post(u("queue_search"), {"q": "Patient"})
    response = client.get(u("queue"))
    assert world.app_a.full_name in response.content.decode()
    event = AuditEvent.objects.get()
    assert event.action == QUEUE
    assert event.detail["references"] == [REF]
    assert event.detail["searched"] is True
    assert world.app_a.full_name not in str(event.detail)


def test_an_investigators_refused_write_to_trial_settings_or_criteria_is_audited(client, world):  # noqa: F811
    client.force_login(world.ivy)
    nct = world.trial_a.nct_id
    for url, data in [
        (u("trial_settings", nct), {"screening": "1", "screening_open": "on"}),
        (u("criterion_new", nct), {"kind": "inclusion", "number": "9", "text": "t"}),
        (u("criteria", nct), {}),
    ]:
        before = AuditEvent.objects.count()
        assert client.post(url, data).status_code == 403
        written = list(AuditEvent.objects.order_by("pk")[before:])
        assert [(e.action, e.detail.get("reason")) for e in written] == [(REFUSED, "read_only")]
        assert written[0].actor == world.ivy


def _admin_post(client, url, change):
    html = client.get(url).content.decode()
    form = next(
        f
        for f in page_forms(html, url)
        if f.method == "post"
        and "csrfmiddlewaretoken" in f.names()
        and any(n.startswith(("kind", "criteria-")) for n in f.names())
    )
    data = {k: v if len(v) > 1 else v[0] for k, v in form.data().items()}
    data.update(change)
    return client.post(url, data)


def test_criterion_changes_in_the_django_admin_are_audited(admin_client, admin_user):
    trial = TrialFactory()
    response = admin_client.post(
        "/admin/screening/criterion/add/",
        {
            "trial": trial.pk,
            "kind": "inclusion",
            "number": "1",
            "position": 0,
            "text": "Adults",
            "rule": "age >= 18",
            "verify_note": "",
        },
    )
    assert response.status_code == 302
    criterion = Criterion.objects.get()
    url = f"/admin/screening/criterion/{criterion.pk}/change/"
    assert _admin_post(admin_client, url, {"rule": "age >= 21"}).status_code == 302
    response = admin_client.post(
        f"/admin/screening/criterion/{criterion.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    events = list(AuditEvent.objects.order_by("pk"))
    assert [(e.action, e.actor, e.trial_id) for e in events] == [
        ("criterion.create", admin_user, trial.nct_id),
        ("criterion.update", admin_user, trial.nct_id),
        ("criterion.delete", admin_user, trial.nct_id),
    ]
    assert events[1].detail == {"criterion_id": criterion.pk, "fields": ["rule"]}


def test_criterion_changes_in_the_trial_admins_inline_are_audited(admin_client, reference_trial):
    url = f"/admin/trials/trial/{reference_trial.pk}/change/"
    first = reference_trial.criteria.first()
    html = admin_client.get(url).content.decode()
    index = re.search(rf'name="criteria-(\d+)-id" value="{first.pk}"', html).group(1)
    total = int(re.search(r'name="criteria-TOTAL_FORMS" value="(\d+)"', html).group(1))
    change = {
        f"criteria-{index}-text": first.text + " (amended)",
        "criteria-TOTAL_FORMS": str(total + 1),
        f"criteria-{total}-kind": "exclusion",
        f"criteria-{total}-number": "99",
        f"criteria-{total}-position": "99",
        f"criteria-{total}-text": "Added in the admin",
        f"criteria-{total}-rule": "",
        f"criteria-{total}-verify_note": "",
        f"criteria-{total}-trial": str(reference_trial.pk),
    }
    response = _admin_post(admin_client, url, change)
    assert response.status_code == 302, _admin_errors(response)
    added = Criterion.objects.get(trial=reference_trial, number="99")
    events = {(e.action, e.detail["criterion_id"]) for e in AuditEvent.objects.all()}
    assert events == {("criterion.update", first.pk), ("criterion.create", added.pk)}


def _admin_errors(response):
    context = response.context
    errors = [context["adminform"].form.errors]
    errors += [f.formset.errors for f in context["inline_admin_formsets"]]
    errors += [f.formset.non_form_errors() for f in context["inline_admin_formsets"]]
    return errors
