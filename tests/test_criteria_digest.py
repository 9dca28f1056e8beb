"""Trial.criteria_digest stays in step with the trial's criteria, whichever way they are
written, and screening every trial reads criteria only for digests it has not parsed.

The digest is what `trials_screen_all` and "Find trials for me" group trials by; a write
path that forgot it would screen a trial on another trial's criteria. Each write path
below changes what screening reads, then every trial's stored digest is compared with
the digest of its rows as they are now.
"""

import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from screening import selectors
from screening.models import Criterion
from screening.models.criteria import content_digest, criteria_content
from screening.reference.nct04356287 import EXAMPLE_ELIGIBLE_ANSWERS
from screening.selectors import trials_screen_all
from screening.services.criteria import (
    criteria_load_encoded,
    criterion_create,
    criterion_delete,
    criterion_update,
)
from screening.services.drafts import criterion_confirm, criterion_reject, trial_criteria_draft
from tests.dashboard_personas import world  # noqa: F401
from tests.drafted_trials import drafted_trial
from tests.factories import TrialFactory
from trials.models import Trial

pytestmark = pytest.mark.django_db

EXCLUDES_ADULTS = {"q": "age", "op": "ge", "value": 18}


def digest_from_rows(trial: Trial) -> str:
    rows = Criterion.objects.filter(trial=trial).values_list("kind", "number", "rule", "origin")
    return content_digest(criteria_content(rows))


def assert_digests_in_step() -> None:
    stale = {
        trial.nct_id: (trial.criteria_digest, digest_from_rows(trial))
        for trial in Trial.objects.all()
        if trial.criteria_digest != digest_from_rows(trial)
    }
    assert not stale, stale


@pytest.fixture
def trials(reference_trial):
    """The reference trial and two copies of its criteria: three trials, one digest."""
    copies = [TrialFactory(sex="ALL", minimum_age=None) for _ in range(2)]
    rows = list(reference_trial.criteria.values())
    Criterion.objects.bulk_create(
        Criterion(**{**row, "id": None, "trial_id": trial.pk}) for trial in copies for row in rows
    )
    for trial in [reference_trial, *copies]:
        trial.refresh_from_db()
    return [reference_trial, *copies]


def one(trial: Trial, kind: str = "exclusion", number: str = "1") -> Criterion:
    return Criterion.objects.get(trial=trial, kind=kind, number=number)


def test_equal_criteria_give_equal_digests_and_no_criteria_gives_none(trials):
    assert len({t.criteria_digest for t in trials}) == 1
    assert len(trials[0].criteria_digest) == 32
    assert TrialFactory().criteria_digest == ""
    assert_digests_in_step()


def test_texts_and_notes_do_not_change_the_digest_rules_numbers_and_origin_do(trials):
    before = trials[1].criteria_digest
    Criterion.objects.filter(trial=trials[1]).update(text="Reworded", verify_note="Ask")
    trials[1].refresh_from_db()
    assert trials[1].criteria_digest == before
    pk = one(trials[1], "exclusion", "2").pk
    for change in ({"rule": EXCLUDES_ADULTS}, {"number": "99"}, {"origin": "drafter"}):
        Criterion.objects.filter(pk=pk).update(**change)
        trials[1].refresh_from_db()
        assert trials[1].criteria_digest != before, change
        before = trials[1].criteria_digest
    assert_digests_in_step()


# Every way a criterion is written. Each takes the trial to change, the admin's client
# and a coordinator's client (trial A of the dashboard personas is the reference trial).


def by_the_create_service(trial, admin_client, coordinator):
    criterion_create(
        trial=trial,
        kind="inclusion",
        number="9",
        text="Skin score",
        rule={"q": "age", "op": "gt", "value": 1},
    )


def by_the_update_service(trial, admin_client, coordinator):
    criterion_update(criterion=one(trial), rule=EXCLUDES_ADULTS)


def by_the_delete_service(trial, admin_client, coordinator):
    criterion_delete(criterion=one(trial))


def by_the_editor(trial, admin_client, coordinator):
    criterion = one(trial)
    response = coordinator.post(
        reverse("dashboard:criterion_edit", args=[trial.nct_id, criterion.pk]),
        {
            "kind": "exclusion",
            "number": "1",
            "position": criterion.position,
            "text": criterion.text,
            "rule": "age >= 18",
            "verify_note": "",
            "action": "save",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def by_the_editors_delete(trial, admin_client, coordinator):
    criterion = one(trial)
    response = coordinator.post(
        reverse("dashboard:criterion_delete", args=[trial.nct_id, criterion.pk])
    )
    assert response.status_code == 302


def by_the_admin_form(trial, admin_client, coordinator):
    criterion = one(trial)
    response = admin_client.post(
        f"/admin/screening/criterion/{criterion.pk}/change/",
        {
            "trial": trial.pk,
            "kind": criterion.kind,
            "number": criterion.number,
            "position": criterion.position,
            "text": criterion.text,
            "rule": json.dumps(EXCLUDES_ADULTS),
            "verify_note": criterion.verify_note,
        },
    )
    assert response.status_code == 302


def by_moving_it_to_another_trial_in_the_admin(trial, admin_client, coordinator):
    criterion = one(trial)
    other = TrialFactory()
    response = admin_client.post(
        f"/admin/screening/criterion/{criterion.pk}/change/",
        {
            "trial": other.pk,
            "kind": criterion.kind,
            "number": criterion.number,
            "position": criterion.position,
            "text": criterion.text,
            "rule": json.dumps(criterion.rule),
            "verify_note": criterion.verify_note,
        },
    )
    assert response.status_code == 302
    assert Trial.objects.get(pk=other.pk).criteria_digest != ""


def by_the_admins_delete_action(trial, admin_client, coordinator):
    response = admin_client.post(
        "/admin/screening/criterion/",
        {"action": "delete_selected", "_selected_action": [one(trial).pk], "post": "yes"},
    )
    assert response.status_code == 302


def by_saving_the_model(trial, admin_client, coordinator):
    criterion = one(trial)
    criterion.rule = EXCLUDES_ADULTS
    criterion.save()


def by_saving_named_fields(trial, admin_client, coordinator):
    criterion = one(trial)
    criterion.rule = EXCLUDES_ADULTS
    criterion.save(update_fields=["rule"])


def by_the_related_manager(trial, admin_client, coordinator):
    trial.criteria.create(kind="exclusion", number="77", text="x", rule=EXCLUDES_ADULTS)


def by_a_queryset_update(trial, admin_client, coordinator):
    Criterion.objects.filter(pk=one(trial).pk).update(rule=EXCLUDES_ADULTS)


def by_a_queryset_delete(trial, admin_client, coordinator):
    trial.criteria.filter(kind="exclusion").delete()


def by_bulk_update(trial, admin_client, coordinator):
    criterion = one(trial)
    criterion.rule = EXCLUDES_ADULTS
    Criterion.objects.bulk_update([criterion], ["rule"])


def by_bulk_update_moving_it_to_another_trial(trial, admin_client, coordinator):
    criterion = one(trial)
    other = TrialFactory()
    criterion.trial = other
    Criterion.objects.bulk_update([criterion], ["trial"])
    assert Trial.objects.get(pk=other.pk).criteria_digest != ""


def by_deleting_and_bulk_creating(trial, admin_client, coordinator):
    criterion = one(trial)
    criterion.delete()
    criterion.pk = None
    criterion.rule = EXCLUDES_ADULTS
    Criterion.objects.bulk_create([criterion])


def by_loaddata(trial, admin_client, coordinator, tmp_path):
    criterion = one(trial)
    fixture = tmp_path / "criterion.json"
    fixture.write_text(
        json.dumps(
            [
                {
                    "model": "screening.criterion",
                    "pk": criterion.pk,
                    "fields": {
                        "trial": trial.pk,
                        "kind": criterion.kind,
                        "number": criterion.number,
                        "text": criterion.text,
                        "rule": EXCLUDES_ADULTS,
                        "position": criterion.position,
                    },
                }
            ]
        )
    )
    call_command("loaddata", str(fixture), verbosity=0)


WRITES = [
    by_the_create_service,
    by_the_update_service,
    by_the_delete_service,
    by_the_editor,
    by_the_editors_delete,
    by_the_admin_form,
    by_moving_it_to_another_trial_in_the_admin,
    by_the_admins_delete_action,
    by_saving_the_model,
    by_saving_named_fields,
    by_the_related_manager,
    by_a_queryset_update,
    by_a_queryset_delete,
    by_bulk_update,
    by_bulk_update_moving_it_to_another_trial,
    by_deleting_and_bulk_creating,
    by_loaddata,
]


@pytest.mark.parametrize("write", WRITES, ids=lambda w: w.__name__)
def test_every_write_path_keeps_the_digest_in_step(
    write,
    world,  # noqa: F811
    admin_client,
    client,
    tmp_path,
):
    trial = world.trial_a
    criteria_load_encoded(trial=trial)
    copy = TrialFactory()
    Criterion.objects.bulk_create(
        Criterion(**{**row, "id": None, "trial_id": copy.pk}) for row in trial.criteria.values()
    )
    trial.refresh_from_db()
    shared = trial.criteria_digest
    assert Trial.objects.get(pk=copy.pk).criteria_digest == shared != ""
    trials_screen_all(answers=EXAMPLE_ELIGIBLE_ANSWERS)  # the old content is parsed

    client.force_login(world.alice)
    args = (trial, admin_client, client) + ((tmp_path,) if write is by_loaddata else ())
    write(*args)

    assert_digests_in_step()
    assert Trial.objects.get(pk=trial.pk).criteria_digest != shared
    assert Trial.objects.get(pk=copy.pk).criteria_digest == shared
    # Screening all trials screens the changed trial on its criteria as they are now.
    screened = {s.nct_id: s for s in trials_screen_all(answers=EXAMPLE_ELIGIBLE_ANSWERS)}
    for each in (trial, Trial.objects.get(pk=copy.pk)):
        if each.nct_id in screened:
            expected = selectors.trial_evaluate(trial=each, answers=EXAMPLE_ELIGIBLE_ANSWERS)
            assert screened[each.nct_id].verdict == expected["verdict"]
            assert screened[each.nct_id].score == expected["score"]


def test_the_drafter_keeps_the_digest_in_step_through_import_review_and_reimport():
    trial = drafted_trial()
    drafted = trial.criteria_digest
    assert drafted and drafted == digest_from_rows(trial)

    rejected = trial.criteria.filter(origin="drafter").exclude(rule=None).first()
    criterion_reject(criterion=rejected)
    trial.refresh_from_db()
    assert trial.criteria_digest != drafted
    criterion_confirm(criterion=rejected)
    trial.refresh_from_db()
    assert trial.criteria_digest == drafted  # the drafted rule screens again, as before

    trial = drafted_trial(criteria="Inclusion Criteria:\n\n* Age 18 or older\n")
    assert trial.criteria_digest not in ("", drafted)
    trial_criteria_draft(trial=trial)
    assert_digests_in_step()


def test_screening_all_reads_criteria_only_for_digests_not_parsed_yet(
    trials, django_assert_num_queries
):
    selectors._PARSED.clear()
    with django_assert_num_queries(2):  # the trials, then one trial's criteria per digest
        cold = trials_screen_all(answers=EXAMPLE_ELIGIBLE_ANSWERS)
    with django_assert_num_queries(1):
        warm = trials_screen_all(answers=EXAMPLE_ELIGIBLE_ANSWERS)
    assert cold == warm
    assert {s.nct_id for s in warm} >= {t.nct_id for t in trials}
    # The criteria query reads one trial per digest, not every trial's rows.
    selectors._PARSED.clear()
    with CaptureQueriesContext(connection) as captured:
        trials_screen_all(answers=EXAMPLE_ELIGIBLE_ANSWERS)
    criteria_sql = captured.captured_queries[1]["sql"]
    read = criteria_sql.rsplit("IN (", 1)[1].split(")")[0].split(",")
    assert len(read) == 1 and int(read[0]) in {t.pk for t in trials}


def test_a_digest_stale_from_a_write_around_the_orm_is_not_cached(trials):
    selectors._PARSED.clear()
    Trial.objects.filter(pk=trials[0].pk).update(criteria_digest="0" * 32)
    trials_screen_all(answers=EXAMPLE_ELIGIBLE_ANSWERS)
    assert "0" * 32 not in selectors._PARSED


def test_the_parsed_criteria_cache_is_bounded(trials, monkeypatch):
    monkeypatch.setattr(selectors, "_PARSED_MAX", 2)
    selectors._PARSED.clear()
    for n, trial in enumerate(trials):
        criterion_update(criterion=one(trial), rule={"q": "age", "op": "ge", "value": 20 + n})
    trials_screen_all(answers=EXAMPLE_ELIGIBLE_ANSWERS)
    assert len(selectors._PARSED) == 2
