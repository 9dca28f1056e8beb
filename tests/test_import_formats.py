"""import_trials reads every shape the registry hands out; a bad study is skipped alone.

The website download fixture is a slice of a real "Download → JSON" file (a top-level
array, records as the website wrote them), cut from the shared catalogue.
"""

import copy
import gzip
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from trials.importers.ctgov import RecordError, studies_in_document, study_from_record
from trials.models import Trial

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ctgov"
DOWNLOAD = FIXTURES / "website_download.json"
P = "protocolSection."
DATA = Path(__file__).resolve().parent.parent / "data" / "ctgov"


def download() -> list[dict]:
    return json.loads(DOWNLOAD.read_text())


def run(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("import_trials", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), exc
    return out.getvalue(), err.getvalue(), None


def test_the_website_download_is_imported_as_it_comes():
    out, err, error = run(str(DOWNLOAD))
    assert error is None, err
    assert out.strip() == "created 7, updated 0, failed 0"
    assert Trial.objects.get(nct_id="NCT01949129").minimum_age == pytest.approx(1 / 12)
    assert Trial.objects.get(nct_id="NCT03070093").overall_status == "APPROVED_FOR_MARKETING"
    assert run(str(DOWNLOAD))[0].strip() == "created 0, updated 0, failed 0 (7 unchanged)"


def test_a_gzipped_download_and_a_folder_of_them_are_read(tmp_path):
    gz = tmp_path / "studies.json.gz"
    gz.write_bytes(gzip.compress(DOWNLOAD.read_bytes()))
    out, err, error = run(str(gz))
    assert error is None, err
    assert out.strip() == "created 7, updated 0, failed 0"
    (tmp_path / "one.json").write_text((DATA / "NCT04356287.json").read_text())
    out, _err, _error = run(str(tmp_path))
    assert out.strip() == "created 1, updated 0, failed 0 (7 unchanged)"


@pytest.mark.parametrize(
    "shape",
    ["array", "page", "page_with_token", "single"],
)
def test_each_document_shape_gives_its_studies(shape):
    studies = download()[:3]
    document = {
        "array": studies,
        "page": {"studies": studies},
        "page_with_token": {"studies": studies, "nextPageToken": "NF0g5JOBlvM", "totalCount": 9},
        "single": studies[0],
    }[shape]
    found = studies_in_document(document)
    expected = 1 if shape == "single" else 3
    assert [study_from_record(s).nct_id for s in found] == [
        s["protocolSection"]["identificationModule"]["nctId"] for s in studies[:expected]
    ]


@pytest.mark.parametrize("document", [42, "studies", None, True])
def test_a_document_of_no_known_shape_is_refused_by_name(document):
    with pytest.raises(RecordError, match="expected a study, a list of studies or a page"):
        studies_in_document(document)


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (["statusModule", "overallStatus"], "PAUSED", "protocolSection.statusModule.overallStatus"),
        (["designModule", "studyType"], "CASE_STUDY", "protocolSection.designModule.studyType"),
        (["designModule", "phases"], ["PHASE2", "PHASE5"], P + "designModule.phases[1]"),
        (["eligibilityModule", "stdAges"], ["TEEN"], P + "eligibilityModule.stdAges[0]"),
        (
            ["designModule", "enrollmentInfo", "type"],
            "GUESSED",
            "protocolSection.designModule.enrollmentInfo.type",
        ),
        (
            ["sponsorCollaboratorsModule", "leadSponsor", "class"],
            "CHARITY",
            "protocolSection.sponsorCollaboratorsModule.leadSponsor.class",
        ),
        (["eligibilityModule", "sex"], "BOTH", "protocolSection.eligibilityModule.sex"),
    ],
)
def test_a_bad_study_in_a_download_is_skipped_alone_with_its_nct_id_and_field(
    tmp_path, path, value, field
):
    studies = download()
    bad = copy.deepcopy(studies[2])
    node = bad["protocolSection"]
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value
    studies[2] = bad
    file = tmp_path / "download.json"
    file.write_text(json.dumps(studies))
    out, err, error = run(str(file))
    nct_id = bad["protocolSection"]["identificationModule"]["nctId"]
    assert out.strip() == "created 6, updated 0, failed 1"
    assert f"{file} studies[2]: {nct_id}: {field}: unknown" in err
    assert str(error) == "1 record(s) failed; the others were imported."
    assert not Trial.objects.filter(nct_id=nct_id).exists()
    assert Trial.objects.count() == 6
