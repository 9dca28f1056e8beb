"""Records imported per second: the registry importer on the bench's seeded records.

Two figures, each over the same sample of the seeded trials' records (`Trial.raw`, the
API v2 JSON they were built from), through `trial_import_studies` exactly as
`import_trials` and the registry sync write them:

* created: the records under fresh nctIds, in a transaction rolled back afterwards, so
  the bench database is left as seeded;
* unchanged: the records as stored, what an incremental sync that finds no change does
  (it must write nothing: every record is compared and skipped).

Drafting is counted apart: the importer drafts each new or changed trial's criteria
(`screening.services.drafts`), so the created figure includes it; the third figure is
the drafter alone (`screening.engine.drafter`) on the same records, as trials per second,
so that import without drafting can be told from it.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from django.db import transaction

from screening.engine.criteria_items import criteria_items
from screening.engine.drafter import draft_criterion
from trials.models import Trial
from trials.services import ImportReport, trial_import_finish, trial_import_studies


class _Rollback(Exception):
    pass


def _draft(record: dict[str, Any]) -> int:
    """The rules the drafter proposes for one record's published criteria."""
    text = record["protocolSection"].get("eligibilityModule", {}).get("eligibilityCriteria", "")
    items = criteria_items(text or "")
    return sum(draft_criterion(item.text, item.kind) is not None for item in items)


def import_rates(*, sample: int = 1000) -> dict[str, Any]:
    records = [raw for raw in Trial.objects.order_by("pk").values_list("raw", flat=True)[:sample]]
    records = [r for r in records if isinstance(r, dict) and "protocolSection" in r]
    if not records:
        return {"records": 0, "lines": ["import: no seeded records to import"]}

    taken = set(Trial.objects.values_list("nct_id", flat=True))
    free = (f"NCT{n:08d}" for n in range(10**7, 10**8) if f"NCT{n:08d}" not in taken)
    fresh = []
    for record in records:
        copied = copy.deepcopy(record)
        copied["protocolSection"]["identificationModule"]["nctId"] = next(free)
        fresh.append(copied)
    created = ImportReport()
    started = time.perf_counter()
    try:
        with transaction.atomic():
            trial_import_studies(report=created, source="bench", document=fresh)
            trial_import_finish(report=created)
            created_seconds = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass

    unchanged = ImportReport()
    started = time.perf_counter()
    trial_import_studies(report=unchanged, source="bench", document=records)
    unchanged_seconds = time.perf_counter() - started

    started = time.perf_counter()
    drafted = sum(_draft(record) for record in records)
    drafting_seconds = time.perf_counter() - started
    drafting_rate = len(records) / drafting_seconds if drafting_seconds else 0.0

    created_rate = created.created / created_seconds if created_seconds else 0.0
    unchanged_rate = unchanged.unchanged / unchanged_seconds if unchanged_seconds else 0.0
    return {
        "records": len(records),
        "created_per_second": round(created_rate, 1),
        "created_failed": created.failed,
        "unchanged_per_second": round(unchanged_rate, 1),
        "unchanged_written": unchanged.created + unchanged.updated,
        "drafted_trials_per_second": round(drafting_rate, 1),
        "drafted_rules": drafted,
        "lines": [
            f"import, {created.created} records created (import_trials, drafting included): "
            f"{created_rate:.0f} records/s",
            f"import, {unchanged.unchanged} records unchanged (incremental sync, no change; "
            f"{unchanged.created + unchanged.updated} written): {unchanged_rate:.0f} records/s",
            f"drafting apart, {len(records)} trials' criteria ({drafted} rules proposed): "
            f"{drafting_rate:.0f} trials/s",
        ],
    }
