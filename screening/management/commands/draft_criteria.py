"""Draft rules from trials' published criteria.

    manage.py draft_criteria NCT04356287 NCT05123456   # draft these imported trials again
    manage.py draft_criteria --all                     # every imported trial (progress bar)
    manage.py draft_criteria FILE.jsonl --facts        # print facts; save nothing

Drafting imported trials keeps the team's decisions for criteria whose text did not
change (see `screening.services.drafts`), shows a progress bar on stderr when drafting
many, and ends with the number of trials drafted per second.

With ``--facts``, FILE.jsonl holds one trial a line in the format of the Chia gold set's
``criteria.jsonl`` (``trial``, ``inclusion``, ``exclusion``: one criterion a line); every
drafted comparison is printed as one JSON object a line, in the format the gold set's
scorer reads (``score.py PREDICTIONS.jsonl``). Trials per second go to stderr, so stdout
stays a clean JSONL file.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.db import transaction
from tqdm import tqdm

from screening.engine.chia import record_facts
from screening.services.drafts import DraftReport, trial_criteria_draft
from trials.models import Trial

_NCT_ID = re.compile(r"^NCT\d{8}$")
_BATCH = 200
_TOTALS = ("items", "created", "kept", "changed", "removed", "drafted")


def _stream(wrapper: OutputWrapper) -> IO[str]:
    # tqdm redraws its bar with "\r": it needs the raw stream, not Django's line wrapper.
    return getattr(wrapper, "_out", sys.stderr)


class Command(BaseCommand):
    help = (
        "Draft the rules of imported trials' published criteria again (NCT ids or --all), "
        "keeping the team's decisions; or, with --facts, print a JSONL file's drafted facts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "targets",
            nargs="*",
            metavar="NCT_ID|FILE.jsonl",
            help="Imported trials to draft again; with --facts, one JSONL file of trials.",
        )
        parser.add_argument("--all", action="store_true", help="Draft every imported trial.")
        parser.add_argument(
            "--facts",
            action="store_true",
            help="Print one drafted fact a line (the Chia scorer's format); save nothing.",
        )
        parser.add_argument(
            "--progress",
            choices=["auto", "on", "off"],
            default="auto",
            help="The progress bar: only on a terminal (auto), always, or never.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["facts"]:
            if options["all"] or len(options["targets"]) != 1:
                raise CommandError("--facts reads exactly one JSONL file: FILE.jsonl --facts.")
            self.print_facts(Path(options["targets"][0]))
        else:
            self.draft_trials(options)

    def print_facts(self, source: Path) -> None:
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

    def draft_trials(self, options: dict[str, Any]) -> None:
        files = [t for t in options["targets"] if t.endswith(".jsonl") or Path(t).is_file()]
        if files:
            raise CommandError(
                f"Reading a JSONL file needs --facts: draft_criteria {files[0]} --facts"
            )
        targets = [target.strip().upper() for target in options["targets"]]
        if options["all"] == bool(targets):
            raise CommandError(
                "Name the trials to draft (NCT ids), or give --all; "
                "to read a JSONL file, add --facts."
            )
        bad = [target for target in targets if not _NCT_ID.match(target)]
        if bad:
            raise CommandError(f"Not an NCT id (NCT and 8 digits): {', '.join(bad)}")
        trials = Trial.objects.order_by("nct_id")
        if targets:
            trials = trials.filter(nct_id__in=targets)
            missing = sorted(set(targets) - set(trials.values_list("nct_id", flat=True)))
            if missing:
                raise CommandError(f"No imported trial: {', '.join(missing)}")
        # tqdm's `disable`: None means "only on a terminal".
        disable = {"auto": None, "on": False, "off": True}[options["progress"]]
        verbose = options["verbosity"] > 1 or bool(targets)
        totals = DraftReport(nct_id="")
        drafted_trials = 0
        started = time.perf_counter()
        with tqdm(
            total=trials.count(),
            unit="trial",
            disable=disable,
            file=_stream(self.stderr),
            mininterval=0.5,
        ) as bar:
            # Batches of trials share one commit (each trial is still all or nothing, in
            # its savepoint); ids first, so tens of thousands never sit in memory at once.
            ids = list(trials.values_list("pk", flat=True))
            for start in range(0, len(ids), _BATCH):
                with transaction.atomic():
                    batch = Trial.objects.filter(pk__in=ids[start : start + _BATCH])
                    for trial in batch.order_by("nct_id"):
                        report = trial_criteria_draft(trial=trial)
                        bar.update(1)
                        if verbose:
                            bar.write(report.summary(), file=_stream(self.stdout))
                        if report.skipped:
                            continue
                        drafted_trials += 1
                        for name in _TOTALS:
                            setattr(totals, name, getattr(totals, name) + getattr(report, name))
        elapsed = time.perf_counter() - started
        rate = drafted_trials / elapsed if elapsed > 0 else 0.0
        self.stdout.write(
            f"{drafted_trials} trial(s) drafted: {totals.items} criteria, {totals.drafted} "
            f"with a draft (created {totals.created}, kept {totals.kept}, changed "
            f"{totals.changed}, removed {totals.removed}) in {elapsed:.1f} s, "
            f"{rate:.1f} trials per second"
        )
