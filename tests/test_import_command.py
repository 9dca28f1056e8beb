"""import_trials and load_demo: upsert by nctId, bad records skipped whole, honest summary."""

import copy
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError

from screening.models import Criterion
from trials.importers import ctgov
from trials.models import Location, Official, Trial
from trials.services import trial_upsert

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data" / "ctgov"


def reference() -> dict:
    return json.loads((DATA / "NCT04356287.json").read_text())


def run(*args):
    """Run import_trials; return (stdout, stderr, error or None)."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("import_trials", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), exc
    return out.getvalue(), err.getvalue(), None


def write(tmp_path: Path, name: str, document) -> Path:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def test_importing_the_shared_folder_creates_every_trial():
    out, err, error = run(str(DATA))
    assert error is None, err
    assert out.strip() == "created 16, updated 0, failed 0"
    assert Trial.objects.count() == 16
    trial = Trial.objects.get(nct_id="NCT02552212")
    assert trial.locations.count() == 105
    assert trial.officials.count() == 1


def test_importing_again_changes_nothing():
    run(str(DATA))
    before = {t.nct_id: t.imported_at for t in Trial.objects.all()}
    sites = Location.objects.count()
    out, _err, error = run(str(DATA))
    assert error is None
    assert out.strip() == "created 0, updated 0, failed 0 (16 unchanged)"
    assert {t.nct_id: t.imported_at for t in Trial.objects.all()} == before
    assert Location.objects.count() == sites


def test_a_changed_record_updates_the_trial_and_replaces_its_sites(tmp_path):
    run(str(DATA / "NCT04356287.json"))
    changed = reference()
    module = changed["protocolSection"]
    module["statusModule"]["overallStatus"] = "COMPLETED"
    module["contactsLocationsModule"]["locations"] = [
        {"facility": "Hôpital A", "city": "Quebec", "country": "Canada"},
        {"facility": "Hospital B", "city": "Toronto", "country": "Canada"},
    ]
    out, _err, error = run(str(write(tmp_path, "changed.json", changed)))
    assert error is None
    # COMPLETED takes no applicants: the update closed the trial, and says so.
    assert out.strip() == "created 0, updated 1, failed 0 (1 closed)"
    trial = Trial.objects.get(nct_id="NCT04356287")
    assert trial.overall_status == "COMPLETED"
    assert sorted(trial.locations.values_list("city", flat=True)) == ["Quebec", "Toronto"]
    assert Trial.objects.count() == 1
    assert Official.objects.count() == 1


def test_a_page_of_studies_is_imported_and_a_bad_one_skipped_whole(tmp_path):
    good = json.loads((DATA / "NCT00184067.json").read_text())
    bad = reference()
    # Valid up to its last site: nothing of it may be written.
    bad["protocolSection"]["contactsLocationsModule"]["locations"].append({"geoPoint": "x"})
    page = write(tmp_path, "page.json", {"studies": [good, bad]})
    out, err, error = run(str(page))
    assert out.strip() == "created 1, updated 0, failed 1"
    assert f"{page} studies[1]: NCT04356287: " in err
    assert "locations[1].geoPoint: expected an object, got text" in err
    assert error is not None
    assert list(Trial.objects.values_list("nct_id", flat=True)) == ["NCT00184067"]
    assert not Location.objects.filter(trial__nct_id="NCT04356287").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"protocolSection": {', "(no nctId): (file): invalid JSON"),
        ({"protocolSection": {"identificationModule": {}}}, "(no nctId): protocolSection."),
        ({"studies": "none"}, "(no nctId): studies: expected a list, got text"),
    ],
)
def test_unreadable_files_are_reported_with_their_path(tmp_path, content, message):
    path = write(tmp_path, "broken.json", content)
    out, err, error = run(str(path), str(DATA / "NCT04356287.json"))
    assert f"{path}: {message}" in err
    assert out.strip() == "created 1, updated 0, failed 1"
    assert str(error) == "1 record(s) failed; the others were imported."


def test_an_unknown_status_is_reported_with_the_nct_id(tmp_path):
    data = reference()
    data["protocolSection"]["statusModule"]["overallStatus"] = "PAUSED"
    path = write(tmp_path, "paused.json", data)
    _out, err, error = run(str(path))
    assert err.strip() == (
        f"failed: {path}: NCT04356287: protocolSection.statusModule.overallStatus: "
        'unknown status "PAUSED"'
    )
    assert error is not None
    assert not Trial.objects.exists()


def test_the_command_line_exits_with_status_1_when_a_record_failed(tmp_path, capsys):
    from django.core.management import execute_from_command_line

    path = write(tmp_path, "x.json", "not json")
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", "import_trials", str(path), str(DATA)])
    assert exited.value.code == 1
    captured = capsys.readouterr()
    assert captured.out.strip() == "created 16, updated 0, failed 1"
    assert "1 record(s) failed; the others were imported." in captured.err


def test_the_command_line_exits_with_status_0_when_all_imported(capsys):
    from django.core.management import execute_from_command_line

    execute_from_command_line(["manage.py", "import_trials", str(DATA / "NCT04356287.json")])
    assert capsys.readouterr().out.strip() == "created 1, updated 0, failed 0"


def test_a_database_failure_mid_record_leaves_the_previous_version(monkeypatch):
    data = ctgov.study_from_record(reference())
    trial_upsert(data=data)
    changed = reference()
    changed["protocolSection"]["statusModule"]["overallStatus"] = "SUSPENDED"

    def refuse(*args, **kwargs):
        raise IntegrityError("refused")

    monkeypatch.setattr(Official.objects, "bulk_create", refuse)
    with pytest.raises(IntegrityError):
        trial_upsert(data=ctgov.study_from_record(changed))
    trial = Trial.objects.get(nct_id="NCT04356287")
    assert trial.overall_status == "RECRUITING"
    assert trial.locations.count() == 1
    assert trial.officials.count() == 1


def test_trial_upsert_creates_then_updates():
    data = ctgov.study_from_record(reference())
    trial, created = trial_upsert(data=data)
    assert created and trial.nct_id == "NCT04356287"
    assert "Systemic Sclerosis" in trial.search_document
    assert trial.condition_terms == (
        "|scleroderma, systemic|systemic sclerosis"
        "|umbilical cord derived mesenchymal stromal cells|"
    )
    again, created = trial_upsert(data=data)
    assert (again.pk, created) == (trial.pk, False)


def test_load_demo_twice_changes_nothing():
    from io import StringIO

    first, second = StringIO(), StringIO()
    call_command("load_demo", stdout=first)
    snapshot = list(Trial.objects.values_list("nct_id", "imported_at"))
    criteria = list(Criterion.objects.values_list("pk", "trial__nct_id", "number", "rule"))
    call_command("load_demo", stdout=second)
    assert "created 16, updated 0, failed 0" in first.getvalue()
    assert "created 0, updated 0, failed 0 (16 unchanged)" in second.getvalue()
    assert list(Trial.objects.values_list("nct_id", "imported_at")) == snapshot
    # The reference trial's 17 hand-encoded criteria, and one drafted row per published
    # item of every other trial.
    assert sum(nct_id == "NCT04356287" for _pk, nct_id, _n, _r in criteria) == 17
    published = Trial.objects.exclude(eligibility_criteria="").values_list("nct_id", flat=True)
    assert {nct_id for _pk, nct_id, _n, _r in criteria} == set(published)
    assert list(Criterion.objects.values_list("pk", "trial__nct_id", "number", "rule")) == criteria


def test_a_copy_of_a_record_under_another_file_name_does_not_duplicate(tmp_path):
    write(tmp_path, "a.json", reference())
    write(tmp_path, "b.json", copy.deepcopy(reference()))
    out, _err, _error = run(str(tmp_path))
    assert out.strip() == "created 1, updated 0, failed 0 (1 unchanged)"
    assert Trial.objects.count() == 1
