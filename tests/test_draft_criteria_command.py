"""`manage.py draft_criteria FILE.jsonl --facts`: Chia-format facts, one a line."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

TRIALS = [
    {
        "trial": "NCT00000001",
        "inclusion": "Age 18-65 years\n\nHemoglobin ≥ 9 g/dL",
        "exclusion": "Pregnant or breastfeeding\nHistory of stroke",
    },
    {"trial": "NCT00000002", "inclusion": "Able to consent", "exclusion": ""},
]


def run(tmp_path: Path, lines: list[str]) -> list[dict]:
    source = tmp_path / "criteria.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = StringIO()
    call_command("draft_criteria", str(source), "--facts", stdout=out, stderr=StringIO())
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_facts_name_trial_side_and_line(tmp_path: Path) -> None:
    facts = run(tmp_path, [json.dumps(t) for t in TRIALS])
    assert facts == [
        {
            "trial": "NCT00000001",
            "kind": "inc",
            "line": 1,
            "key": "age",
            "comparator": "between",
            "value": [18, 65],
        },
        {
            "trial": "NCT00000001",
            "kind": "inc",
            "line": 3,
            "key": "hemoglobin_g_dl",
            "comparator": ">=",
            "value": 9,
        },
        {
            "trial": "NCT00000001",
            "kind": "exc",
            "line": 1,
            "key": "pregnant",
            "comparator": "=",
            "value": True,
        },
        {
            "trial": "NCT00000001",
            "kind": "exc",
            "line": 1,
            "key": "breastfeeding",
            "comparator": "=",
            "value": True,
        },
    ]


def test_a_line_that_is_not_json_is_refused_with_its_number(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"criteria.jsonl:2: not JSON"):
        run(tmp_path, [json.dumps(TRIALS[0]), "{oops"])


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No file"):
        call_command("draft_criteria", str(tmp_path / "nope.jsonl"), "--facts")
