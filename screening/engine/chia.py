"""Drafted facts for trials in the Chia gold set's format, for the DEV evaluation.

Pure Python, no Django. A record is one line of Chia's ``criteria.jsonl`` (Kury F. et
al., "Chia, a large annotated corpus of clinical trial eligibility criteria", Scientific
Data 2020, doi:10.1038/s41597-020-00620-0, CC BY 4.0): ``trial``, ``inclusion`` and
``exclusion``, one criterion a line. `record_facts(record)` drafts each line with its
kind and yields one fact a drafted comparison, in the scorer's format:
``{"trial", "kind" ("inc"/"exc"), "line" (1-based), "key", "comparator", "value"}``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from screening.engine.drafter import Kind, draft_criterion

_SIDES: tuple[tuple[str, Kind, str], ...] = (
    ("inclusion", "inclusion", "inc"),
    ("exclusion", "exclusion", "exc"),
)


def record_facts(record: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every fact drafted from one trial record, line by line (see the module doc)."""
    trial = str(record.get("trial") or "")
    for field, kind, short in _SIDES:
        text = record.get(field) or ""
        if not isinstance(text, str):
            continue
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            drafted = draft_criterion(line.strip(), kind)
            if drafted is None:
                continue
            for fact in drafted.facts:
                yield {"trial": trial, "kind": short, "line": number, **fact}
