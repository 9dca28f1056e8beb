"""Records imported per second: the registry importer on the bench's seeded records.

Two figures, each over the same sample of the seeded trials' records (`Trial.raw`, the
API v2 JSON they were built from), through `trial_import_studies` exactly as
`import_trials` and the registry sync write them:

* created: the records under fresh nctIds, in a transaction rolled back afterwards, so
  the bench database is left as seeded;
* unchanged: the records as stored, what an incremental sync that finds no change does
  (it must write nothing: every record is compared and skipped).

The criteria drafter does not run in the import path; when it does, it is to be timed
as a figure of its own.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from django.db import transaction

from trials.models import Trial
from trials.services import ImportReport, trial_import_studies


class _Rollback(Exception):
    pass


def import_rates(*, sample: int = 2000) -> dict[str, Any]:
    records = [raw for raw in Trial.objects.order_by("pk").values_list("raw", flat=True)[:sample]]
    records = [r for r in records if isinstance(r, dict) and "protocolSection" in r]
    if not records:
        return {"records": 0, "lines": ["import: no seeded records to import"]}

    fresh = []
    for index, record in enumerate(records):
        copied = copy.deepcopy(record)
        copied["protocolSection"]["identificationModule"]["nctId"] = f"NCT9{index:07d}"
        fresh.append(copied)
    created = ImportReport()
    started = time.perf_counter()
    try:
        with transaction.atomic():
            trial_import_studies(report=created, source="bench", document=fresh)
            created_seconds = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass

    unchanged = ImportReport()
    started = time.perf_counter()
    trial_import_studies(report=unchanged, source="bench", document=records)
    unchanged_seconds = time.perf_counter() - started

    created_rate = created.created / created_seconds if created_seconds else 0.0
    unchanged_rate = unchanged.unchanged / unchanged_seconds if unchanged_seconds else 0.0
    return {
        "records": len(records),
        "created_per_second": round(created_rate, 1),
        "created_failed": created.failed,
        "unchanged_per_second": round(unchanged_rate, 1),
        "unchanged_written": unchanged.created + unchanged.updated,
        "lines": [
            f"import, {created.created} records created (import_trials): "
            f"{created_rate:.0f} records/s",
            f"import, {unchanged.unchanged} records unchanged (incremental sync, no change; "
            f"{unchanged.created + unchanged.updated} written): {unchanged_rate:.0f} records/s",
        ],
    }
