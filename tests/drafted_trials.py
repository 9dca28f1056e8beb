"""A trial imported through the real importer from a recorded record whose published
criteria are replaced, so that its drafts are known: the drafted-criteria tests' fixture.

Its published items and what the drafter reads in them:

* Inclusion 1 "Age 40 years or older": age ≥ 40 (replaces the listing's age rule);
* Inclusion 2 "Able to give informed consent": nothing (only the study team can check);
* Exclusion 1 "Pregnancy": pregnant = yes;
* Exclusion 2 "Hemoglobin < 9 g/dL": haemoglobin below 9 g/dL.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from tests.factories import CTGOV
from trials.models import Trial
from trials.services import trial_import_documents

NCT_ID = "NCT09900001"

CRITERIA = """Inclusion Criteria:

* Age 40 years or older
* Able to give informed consent

Exclusion Criteria:

* Pregnancy
* Hemoglobin < 9 g/dL
"""


def drafted_record(*, nct_id: str = NCT_ID, criteria: str = CRITERIA) -> dict[str, Any]:
    """A recruiting record (from NCT06323538, open to all, 18 to 69) with `criteria`."""
    record = json.loads((CTGOV / "NCT06323538.json").read_text(encoding="utf-8"))
    record = copy.deepcopy(record)
    protocol = record["protocolSection"]
    protocol["identificationModule"]["nctId"] = nct_id
    protocol["statusModule"]["overallStatus"] = "RECRUITING"
    protocol["eligibilityModule"]["eligibilityCriteria"] = criteria
    return record


def drafted_trial(*, nct_id: str = NCT_ID, criteria: str = CRITERIA) -> Trial:
    """Import (or re-import) the record through the real importer, which drafts it."""
    report = trial_import_documents(
        documents=[(f"{nct_id}.json", drafted_record(nct_id=nct_id, criteria=criteria))]
    )
    assert not report.failures, report.failures
    return Trial.objects.get(nct_id=nct_id)
