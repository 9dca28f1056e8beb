"""The team's criteria editor in the dashboard: list, add, edit, preview, delete."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from screening.models import Criterion
from screening.selectors import trial_evaluate
from screening.services.criteria import criteria_load_encoded, criterion_create
from tests.dashboard_personas import world  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(world):  # noqa: F811
    """Trial A's reference criteria, stored so the team can edit them."""
    return criteria_load_encoded(trial=world.trial_a)


def crit(stored, kind, number):
    return next(c for c in stored if c.kind == kind and c.number == number)


def form(**changes):
    data = {
        "kind": "inclusion",
        "number": "5",
        "position": 10,
        "text": "Skin score above 20",
        "rule": "mrss > 20",
        "verify_note": "",
    }
    return data | changes


def test_the_list_shows_criteria_in_published_order_with_rules_as_text(
    client,
    world,  # noqa: F811
    stored,
    django_assert_max_num_queries,
):
    client.force_login(world.alice)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("dashboard:criteria", args=[world.trial_a.nct_id]))
    content = response.content.decode()
    assert response.status_code == 200
    assert (
        content.index("Inclusion 4") < content.index("Exclusion 1") < content.index("Exclusion 13")
    )
    assert "<code>age &lt; 18</code>" in content
    assert "Add a criterion" in content
    assert "Questions this trial uses" in content


def test_an_investigator_reads_the_list_without_edit_links(client, world, stored):  # noqa: F811
    client.force_login(world.ivy)
    content = client.get(reverse("dashboard:criteria", args=["NCT04356287"])).content.decode()
    assert "age &lt; 18" in content
    assert "Add a criterion" not in content
    assert "/delete/" not in content


def test_a_built_in_encoding_is_stored_before_it_can_be_edited(client, world):  # noqa: F811
    client.force_login(world.alice)
    url = reverse("dashboard:criteria", args=["NCT04356287"])
    page = client.get(url).content.decode()
    assert "Store the criteria for editing" in page
    assert "<code>age &lt; 18</code>" in page
    new = client.get(reverse("dashboard:criterion_new", args=["NCT04356287"]))
    assert new.status_code == 302
    assert not Criterion.objects.exists()
    assert client.post(url).status_code == 302
    assert world.trial_a.criteria.count() == 17
    events = AuditEvent.objects.filter(action="criterion.create", actor=world.alice)
    assert events.count() == 17


def test_a_coordinator_adds_a_criterion_and_it_is_audited(client, world, stored):  # noqa: F811
    client.force_login(world.alice)
    response = client.post(reverse("dashboard:criterion_new", args=["NCT04356287"]), form())
    assert response.status_code == 302
    criterion = world.trial_a.criteria.get(kind="inclusion", number="5")
    assert criterion.rule == {"q": "mrss", "op": "gt", "value": 20}
    event = AuditEvent.objects.get(action="criterion.create", actor=world.alice)
    assert event.trial_id == "NCT04356287"
    assert event.target_id == "inclusion 5"
    assert event.detail == {"criterion_id": criterion.pk}


def test_a_coordinator_edits_a_rule_and_the_changed_fields_are_audited(
    client,
    world,  # noqa: F811
    stored,
):
    criterion = crit(stored, "exclusion", "1")
    client.force_login(world.alice)
    url = reverse("dashboard:criterion_edit", args=["NCT04356287", criterion.pk])
    assert "age &lt; 18" in client.get(url).content.decode()
    response = client.post(
        url,
        form(
            kind="exclusion",
            number="1",
            position=criterion.position,
            text=criterion.text,
            rule="age < 21",
        ),
    )
    assert response.status_code == 302
    criterion.refresh_from_db()
    assert criterion.rule == {"q": "age", "op": "lt", "value": 21}
    event = AuditEvent.objects.get(action="criterion.update")
    assert event.detail == {"criterion_id": criterion.pk, "fields": ["rule"]}


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        ("mrss >", "Expected a value"),
        ("esr > 20", "Close keys: esr_mm_h"),
        ("pregnant = 3", "must be true or false"),
        ("sex in (female, robot)", "one of female, male, other"),
    ],
)
def test_a_bad_rule_is_refused_with_the_reason_and_nothing_is_saved(
    client,
    world,  # noqa: F811
    stored,
    rule,
    reason,
):
    criterion = crit(stored, "exclusion", "1")
    client.force_login(world.alice)
    url = reverse("dashboard:criterion_edit", args=["NCT04356287", criterion.pk])
    response = client.post(url, form(kind="exclusion", number="1", rule=rule))
    assert response.status_code == 400
    assert reason in response.content.decode()
    criterion.refresh_from_db()
    assert criterion.rule == {"q": "age", "op": "lt", "value": 18}
    assert not AuditEvent.objects.filter(action__startswith="criterion.").exists()


def test_a_number_already_used_is_refused(client, world, stored):  # noqa: F811
    client.force_login(world.alice)
    response = client.post(
        reverse("dashboard:criterion_new", args=["NCT04356287"]), form(number="1")
    )
    assert response.status_code == 400
    assert "already has a criterion of this kind with this number" in response.content.decode()
    assert world.trial_a.criteria.count() == 17


def test_preview_shows_the_outcome_and_explanation_and_saves_nothing(
    client,
    world,  # noqa: F811
    stored,
):
    criterion = crit(stored, "exclusion", "1")
    client.force_login(world.alice)
    url = reverse("dashboard:criterion_edit", args=["NCT04356287", criterion.pk])
    response = client.post(
        url,
        form(kind="exclusion", number="1", rule="age < 21", preview="1") | {"answer-age": "19"},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Met: the patient is excluded" in content
    assert "This rules you out. Your age, 19 years, is below 21 years." in content
    assert "Not eligible" in content
    criterion.refresh_from_db()
    assert criterion.rule == {"q": "age", "op": "lt", "value": 18}
    assert not AuditEvent.objects.filter(action__startswith="criterion.").exists()


def test_preview_offers_the_questions_the_rule_reads(client, world, stored):  # noqa: F811
    client.force_login(world.alice)
    url = reverse("dashboard:criterion_new", args=["NCT04356287"])
    response = client.post(url, form(rule="not pregnant and bmi > 30", preview="1"))
    content = response.content.decode()
    assert 'name="answer-pregnant"' in content
    assert 'name="answer-height_cm"' in content
    assert 'name="answer-weight_kg"' in content
    assert "Unknown: your team decides with each applicant" in content
    assert "Needs review" in content
    assert not world.trial_a.criteria.filter(kind="inclusion", number="5").exists()


def test_preview_with_every_answer_of_a_likely_patient_says_likely_eligible(
    client,
    world,  # noqa: F811
    stored,
):
    from tests.engine_personas import AGNES

    answers = AGNES
    client.force_login(world.alice)
    data = form(rule="age >= 18", preview="1")
    data |= {
        f"answer-{k}": ("true" if v is True else "false" if v is False else v)
        for k, v in answers.items()
        if v is not None
    }
    response = client.post(reverse("dashboard:criterion_new", args=["NCT04356287"]), data)
    assert "Likely eligible" in response.content.decode()


def test_preview_refuses_an_out_of_range_answer(client, world, stored):  # noqa: F811
    client.force_login(world.alice)
    response = client.post(
        reverse("dashboard:criterion_new", args=["NCT04356287"]),
        form(rule="age >= 18", preview="1") | {"answer-age": "400"},
    )
    assert response.status_code == 400
    assert "must be between 0 and 120" in response.content.decode()


def test_delete_asks_first_then_deletes_and_audits(client, world, stored):  # noqa: F811
    criterion = crit(stored, "exclusion", "13")
    client.force_login(world.alice)
    url = reverse("dashboard:criterion_delete", args=["NCT04356287", criterion.pk])
    confirm = client.get(url)
    assert "Delete the criterion" in confirm.content.decode()
    assert Criterion.objects.filter(pk=criterion.pk).exists()
    assert client.post(url).status_code == 302
    assert not Criterion.objects.filter(pk=criterion.pk).exists()
    event = AuditEvent.objects.get(action="criterion.delete")
    assert event.target_id == "exclusion 13"
    assert event.detail == {"criterion_id": criterion.pk}


def test_a_criterion_of_another_trial_is_not_found_through_this_trial(
    client,
    world,  # noqa: F811
    stored,
):
    theirs = criterion_create(
        trial=world.trial_b, kind="inclusion", number="1", text="Adults", rule=None
    )
    client.force_login(world.alice)
    url = reverse("dashboard:criterion_edit", args=["NCT04356287", theirs.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, form()).status_code == 404
    theirs.refresh_from_db()
    assert theirs.text == "Adults"


def test_editing_criteria_never_rewrites_a_stored_evaluation(client, world, stored):  # noqa: F811
    application = world.app_a
    application.evaluation = trial_evaluate(trial=world.trial_a, answers={"age": 19})
    application.save(update_fields=["evaluation"])
    before = application.evaluation
    criterion = crit(stored, "exclusion", "1")
    client.force_login(world.alice)
    client.post(
        reverse("dashboard:criterion_edit", args=["NCT04356287", criterion.pk]),
        form(kind="exclusion", number="1", rule="age < 21", text=criterion.text),
    )
    client.post(reverse("dashboard:criterion_delete", args=["NCT04356287", stored[0].pk]))
    application.refresh_from_db()
    assert application.evaluation == before
    now = trial_evaluate(trial=world.trial_a, answers={"age": 19})
    assert now["verdict"] == "not_eligible" != before["verdict"]
