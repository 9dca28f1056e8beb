import argparse
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from trials.importers.client import RegistryClient, RegistryError, StudyQuery
from trials.importers.ctgov import RecordError
from trials.models import OverallStatus, RegistrySyncQuery, RegistrySyncRun
from trials.services import ImportFailure, ImportReport, trial_import_documents, trial_import_paths
from trials.sync import registry_sync, sync_query_for


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'"{text}" is not a date such as 2025-01-31') from None


class Command(BaseCommand):
    help = (
        "Import ClinicalTrials.gov API v2 studies from JSON files or folders (.json or "
        ".json.gz: the website's download, an API page, or one study) or, with --fetch, "
        "from clinicaltrials.gov: given NCT ids, or every page of a query (--condition, "
        "--status, --country, --updated-since), or a saved query (--sync NAME). Importing "
        "again updates a trial, never duplicates it. A bad record is reported and skipped "
        "whole. A query run is recorded (admin: Registry sync runs)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", type=Path, help="JSON files or folders of them")
        parser.add_argument(
            "--fetch",
            nargs="*",
            metavar="NCT",
            default=None,
            help="download these NCT ids, or, with none, the studies of the query below",
        )
        parser.add_argument("--condition", default="", help="condition or disease (query.cond)")
        parser.add_argument(
            "--status",
            action="append",
            default=[],
            choices=OverallStatus.values,
            metavar="STATUS",
            help="an overallStatus, e.g. RECRUITING (repeatable)",
        )
        parser.add_argument("--country", default="", help="a site's country (query.locn)")
        parser.add_argument(
            "--updated-since",
            type=_day,
            default=None,
            metavar="YYYY-MM-DD",
            help="only studies whose last update was posted on or after this day",
        )
        parser.add_argument("--sync", metavar="NAME", help="run this saved registry sync query")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: object, paths: list[Path], **options: Any) -> None:
        fetch: list[str] | None = options["fetch"]
        query_given = any(options[k] for k in ("condition", "status", "country", "updated_since"))
        if query_given and fetch is None:
            raise CommandError("--condition, --status, --country and --updated-since need --fetch.")
        if not paths and fetch is None and not options["sync"]:
            raise CommandError(
                "Give JSON files or folders to import, --fetch NCT ids, --fetch with a query "
                "(--condition, --status, --country, --updated-since), or --sync NAME."
            )
        if fetch and query_given:
            raise CommandError("Give either NCT ids or a query to --fetch, not both.")
        if fetch == [] and not query_given:
            raise CommandError(
                "--fetch needs NCT ids or a query: --condition, --status, --country or "
                "--updated-since (the whole registry is too much)."
            )

        report = trial_import_paths(paths=paths)
        run = None
        with RegistryClient() as client:
            if fetch:
                report.add(trial_import_documents(documents=self._download(client, fetch, report)))
            elif fetch == []:
                query = StudyQuery(
                    condition=options["condition"],
                    statuses=tuple(options["status"]),
                    country=options["country"],
                    updated_since=options["updated_since"],
                )
                run = self._run(client, query, None, options["no_progress"])
            if options["sync"]:
                saved = RegistrySyncQuery.objects.filter(name=options["sync"]).first()
                if saved is None:
                    raise CommandError(
                        f'No saved registry sync query is named "{options["sync"]}".'
                    )
                run = self._run(client, sync_query_for(saved=saved), saved, options["no_progress"])

        if run is not None:
            report.add(_report_of(run))
        for failure in report.failures:
            self.stderr.write(f"failed: {failure}")
        self.stdout.write(report.summary())
        if run is not None and run.status == RegistrySyncRun.Status.FAILED:
            raise CommandError(f"The registry run stopped: {run.error}")
        if report.failed:
            raise CommandError(f"{report.failed} record(s) failed; the others were imported.")

    def _run(
        self, client: RegistryClient, query: StudyQuery, saved: Any, quiet: bool
    ) -> RegistrySyncRun:
        # tqdm draws only on a terminal (disable=None); tests and cron get plain lines. It
        # writes to the raw stream: Django's wrapper would end each redraw with a newline.
        stream = getattr(self.stderr, "_out", self.stderr)
        with tqdm(
            desc="studies", unit=" studies", file=stream, disable=True if quiet else None
        ) as bar:

            def progress(done: int, total: int | None) -> None:
                if total is not None and bar.total != total:
                    bar.total = total
                bar.update(done - bar.n)

            return registry_sync(query=query, client=client, saved=saved, progress=progress)

    def _download(
        self, client: RegistryClient, nct_ids: list[str], report: ImportReport
    ) -> Iterator[tuple[str, object]]:
        for nct_id in nct_ids:
            source = f"clinicaltrials.gov/{nct_id}"
            try:
                yield source, client.study(nct_id)
            except RecordError as exc:
                report.failures.append(ImportFailure(source, nct_id, exc.field, exc.problem))
            except RegistryError as exc:
                report.failures.append(ImportFailure(source, nct_id, "(download)", str(exc)))


def _report_of(run: RegistrySyncRun) -> ImportReport:
    return ImportReport(
        created=run.created,
        updated=run.updated,
        closed=run.closed,
        unchanged=run.unchanged,
        failures=[
            ImportFailure(f.get("source", ""), f["nct_id"], f["field"], f["problem"])
            for f in run.failures
        ],
    )
