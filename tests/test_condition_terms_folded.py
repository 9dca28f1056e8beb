"""Trial.condition_terms is stored folded (no case, no accents), by the importer and by
migration 0011 for trials imported before it."""

import importlib

import pytest
from django.apps import apps

from tests.factories import TrialFactory
from trials.models import Trial
from trials.services import condition_terms

pytestmark = pytest.mark.django_db


def test_the_importer_stores_terms_folded_and_once():
    assert condition_terms(["Sjögren Syndrome", "SJOGREN syndrome", " Behçet ", "A|B", ""]) == (
        "|a/b|behcet|sjogren syndrome|"
    )
    assert condition_terms([]) == ""


def test_the_migration_folds_what_was_stored_before_it():
    migration = importlib.import_module("trials.migrations.0011_condition_terms_folded")
    old = TrialFactory(nct_id="NCT00000011")
    already = TrialFactory(nct_id="NCT00000012", conditions=["Asthma"])
    empty = TrialFactory(nct_id="NCT00000013", conditions=[])
    Trial.objects.filter(pk=old.pk).update(condition_terms="|behçet disease|sjögren syndrome|")
    Trial.objects.filter(pk=empty.pk).update(condition_terms="")
    migration.fold_terms(apps, None)
    stored = dict(Trial.objects.values_list("nct_id", "condition_terms"))
    assert stored["NCT00000011"] == "|behcet disease|sjogren syndrome|"
    assert stored["NCT00000012"] == already.condition_terms == "|asthma|"
    assert stored["NCT00000013"] == ""


def test_screening_every_trial_for_a_condition_ignores_accents():
    from screening.selectors import trials_screen_all

    TrialFactory(nct_id="NCT00000014", conditions=["Sjögren Syndrome"], minimum_age=18.0)
    TrialFactory(nct_id="NCT00000015", conditions=["Asthma"], minimum_age=18.0)
    for typed in ("sjogren", "Sjögren", "SJÖGREN SYNDROME"):
        screened = trials_screen_all(answers={"age": 50, "sex": "female"}, condition=typed)
        assert [row.nct_id for row in screened] == ["NCT00000014"], typed
