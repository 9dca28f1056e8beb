"""Screening all trials sees every edit to a trial's criteria, whichever way it was written.

Trials with equal criteria are screened once per distinct content: an edit to one of
them must change that trial's result, and only that one.
"""

import json

import pytest

from screening.models import Criterion
from screening.reference.nct04356287 import EXAMPLE_ELIGIBLE_ANSWERS
from screening.selectors import trials_screen_all
from screening.services.criteria import criterion_update
from tests.factories import TrialFactory

pytestmark = pytest.mark.django_db

# Exclusion 1 reads "Age < 18 years"; this makes every adult excluded.
EXCLUDES_ADULTS = {"q": "age", "op": "ge", "value": 18}


@pytest.fixture
def copies(reference_trial):
    """Three more trials screened on copies of the reference trial's criteria."""
    trials = [TrialFactory(sex="ALL", minimum_age=None) for _ in range(3)]
    rows = list(reference_trial.criteria.values())
    Criterion.objects.bulk_create(
        Criterion(**{**row, "id": None, "trial_id": trial.pk}) for trial in trials for row in rows
    )
    return trials


def verdicts():
    return {s.nct_id: s.verdict for s in trials_screen_all(answers=EXAMPLE_ELIGIBLE_ANSWERS)}


def exclusion_one(trial):
    return Criterion.objects.get(trial=trial, kind="exclusion", number="1")


def edit_through_the_service(trial, admin_client):
    criterion_update(criterion=exclusion_one(trial), rule=EXCLUDES_ADULTS)


def edit_through_the_admin_form(trial, admin_client):
    criterion = exclusion_one(trial)
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


def edit_by_saving_the_model(trial, admin_client):
    criterion = exclusion_one(trial)
    criterion.rule = EXCLUDES_ADULTS
    criterion.save()


def edit_by_a_queryset_update(trial, admin_client):
    Criterion.objects.filter(pk=exclusion_one(trial).pk).update(rule=EXCLUDES_ADULTS)


def edit_by_deleting_and_bulk_creating(trial, admin_client):
    criterion = exclusion_one(trial)
    criterion.delete()
    Criterion.objects.bulk_create(
        [
            Criterion(
                trial=trial,
                kind=criterion.kind,
                number=criterion.number,
                text=criterion.text,
                rule=EXCLUDES_ADULTS,
                position=criterion.position,
            )
        ]
    )


@pytest.mark.parametrize(
    "edit",
    [
        edit_through_the_service,
        edit_through_the_admin_form,
        edit_by_saving_the_model,
        edit_by_a_queryset_update,
        edit_by_deleting_and_bulk_creating,
    ],
)
def test_an_edit_to_one_trials_criteria_changes_its_result_and_no_other(
    edit, copies, reference_trial, admin_client
):
    before = verdicts()
    shared = [reference_trial.nct_id, *(trial.nct_id for trial in copies)]
    assert {before[nct_id] for nct_id in shared} == {"likely_eligible"}

    edited = copies[1]
    edit(edited, admin_client)

    after = verdicts()
    assert after[edited.nct_id] == "not_eligible"
    assert {nct_id: v for nct_id, v in after.items() if nct_id != edited.nct_id} == {
        nct_id: v for nct_id, v in before.items() if nct_id != edited.nct_id
    }


def test_deleting_a_criterion_of_one_trial_changes_only_its_result(copies, reference_trial):
    inclusion = Criterion.objects.filter(trial=copies[0], kind="inclusion").first()
    inclusion.rule = {"q": "age", "op": "gt", "value": 200}
    inclusion.save()
    assert verdicts()[copies[0].nct_id] == "not_eligible"

    inclusion.delete()

    after = verdicts()
    assert after[copies[0].nct_id] == "likely_eligible"
    assert after[copies[2].nct_id] == after[reference_trial.nct_id] == "likely_eligible"
