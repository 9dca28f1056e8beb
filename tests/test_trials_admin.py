"""The trials admin: a read-only view of imported records, with their sites and officials."""

import json
from pathlib import Path

import pytest

from trials.importers.ctgov import study_from_record
from trials.models import Trial
from trials.services import trial_upsert

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data" / "ctgov"


@pytest.fixture
def reference():
    record = json.loads((DATA / "NCT04356287.json").read_text())
    return trial_upsert(data=study_from_record(record))[0]


def test_changelist_lists_and_searches_trials(admin_client, reference):
    response = admin_client.get("/admin/trials/trial/", {"q": "umbilical"})
    assert response.status_code == 200
    assert "NCT04356287" in response.content.decode()
    response = admin_client.get("/admin/trials/trial/", {"overall_status__exact": "COMPLETED"})
    assert "NCT04356287" not in response.content.decode()


def test_change_page_shows_sites_officials_and_the_raw_record_read_only(admin_client, reference):
    content = admin_client.get(f"/admin/trials/trial/{reference.pk}/change/").content.decode()
    assert "Sir Mortimer B. Davis - Jewish General Hospital" in content
    assert "Marie Hudson, MD" in content
    assert 'name="raw"' not in content  # shown, not editable
    assert "protocolSection" in content
    assert 'name="screening_open"' in content


def test_only_screening_open_can_be_changed(admin_client, reference):
    url = f"/admin/trials/trial/{reference.pk}/change/"
    form = {"brief_title": "Changed"}  # screening_open unticked
    # The criteria inline (attached by screening's admin) posts an empty formset.
    form |= {"criteria-TOTAL_FORMS": 0, "criteria-INITIAL_FORMS": 0}
    for prefix, related in (("locations", reference.locations), ("officials", reference.officials)):
        rows = list(related.all())
        form |= {f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": len(rows)}
        for index, row in enumerate(rows):
            form |= {f"{prefix}-{index}-id": row.pk, f"{prefix}-{index}-trial": reference.pk}
    response = admin_client.post(url, form)
    assert response.status_code == 302
    trial = Trial.objects.get(pk=reference.pk)
    assert trial.screening_open is False
    assert trial.brief_title.startswith("Treatment With Human Umbilical")
