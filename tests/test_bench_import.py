"""The bench's import figure: it imports for real, writes nothing it keeps, and an
incremental pass over unchanged records writes nothing (no timing asserted)."""

from pathlib import Path

import pytest
from django.core.management import call_command

from bench.importing import import_rates
from trials.models import Trial

pytestmark = pytest.mark.django_db(transaction=True)

DOWNLOAD = Path(__file__).resolve().parent / "fixtures" / "ctgov" / "website_download.json"


def test_import_rates_measure_creation_and_the_no_change_pass_and_leave_the_data():
    call_command("import_trials", str(DOWNLOAD), verbosity=0)
    before = list(Trial.objects.values_list("nct_id", "imported_at"))
    rates = import_rates(sample=10)
    assert rates["records"] == 7 and rates["created_failed"] == 0
    assert rates["unchanged_written"] == 0
    assert rates["created_per_second"] > 0 and rates["unchanged_per_second"] > 0
    assert list(Trial.objects.values_list("nct_id", "imported_at")) == before
    assert "records/s" in rates["lines"][0]
    assert rates["drafted_trials_per_second"] > 0 and "drafting apart" in rates["lines"][2]
