"""`manage.py draft_criteria FILE.jsonl --facts`: draft rules and print them as facts.

FILE.jsonl holds one trial a line in the format of the Chia gold set's
``criteria.jsonl`` (``trial``, ``inclusion``, ``exclusion``: one criterion a line). With
``--facts`` every drafted comparison is printed as one JSON object a line, in the format
the gold set's scorer reads (``score.py PREDICTIONS.jsonl``). Trials per second go to
stderr, so stdout stays a clean JSONL file. Nothing is saved.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from screening.engine.chia import record_facts


class Command(BaseCommand):
    help = "Draft rules from trials' published criteria; --facts prints them as JSONL facts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="A JSONL file of trials (criteria.jsonl format).")
        parser.add_argument(
            "--facts",
            action="store_true",
            help="Print one drafted fact a line (the Chia scorer's format); save nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["source"])
        if not options["facts"]:
            raise CommandError("Reading a JSONL file needs --facts: it prints facts only.")
        if not source.is_file():
            raise CommandError(f"No file {source}.")
        trials = 0
        started = time.perf_counter()
        with source.open(encoding="utf-8") as lines:
            for number, raw in enumerate(lines, start=1):
                if not raw.strip():
                    continue
                try:
                    record = json.loads(raw)
                except json.JSONDecodeError as error:
                    raise CommandError(f"{source}:{number}: not JSON ({error.msg}).") from None
                if not isinstance(record, dict):
                    raise CommandError(f"{source}:{number}: a trial must be a JSON object.")
                for fact in record_facts(record):
                    self.stdout.write(json.dumps(fact, ensure_ascii=False))
                trials += 1
        elapsed = time.perf_counter() - started
        rate = trials / elapsed if elapsed > 0 else float("inf")
        sys.stderr.write(f"Drafted {trials} trials in {elapsed:.2f} s: {rate:.0f} trials/s\n")
