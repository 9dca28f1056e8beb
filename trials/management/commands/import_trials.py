from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trials.importers.ctgov import RecordError, fetch_study
from trials.services import ImportFailure, ImportReport, trial_import_documents, trial_import_paths


class Command(BaseCommand):
    help = (
        "Import ClinicalTrials.gov API v2 studies from JSON files or folders (one study, or a "
        'page {"studies": [...]}) or, with --fetch, from clinicaltrials.gov. Importing again '
        "updates a trial, never duplicates it. A bad record is reported and skipped whole."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", type=Path, help="JSON files or folders of them")
        parser.add_argument(
            "--fetch", nargs="+", metavar="NCT", default=[], help="NCT ids to download"
        )

    def handle(self, *args: object, paths: list[Path], fetch: list[str], **options: object) -> None:
        if not paths and not fetch:
            raise CommandError("Give JSON files or folders to import, or --fetch NCT ids.")
        report = trial_import_paths(paths=paths)
        if fetch:
            fetched = trial_import_documents(documents=self._download(fetch, report))
            report.created += fetched.created
            report.updated += fetched.updated
            report.unchanged += fetched.unchanged
            report.failures += fetched.failures
        for failure in report.failures:
            self.stderr.write(f"failed: {failure}")
        self.stdout.write(report.summary())
        if report.failed:
            raise CommandError(f"{report.failed} record(s) failed; the others were imported.")

    def _download(self, nct_ids: list[str], report: ImportReport) -> Iterator[tuple[str, object]]:
        for nct_id in nct_ids:
            source = f"clinicaltrials.gov/{nct_id}"
            try:
                yield source, fetch_study(nct_id)
            except RecordError as exc:
                report.failures.append(ImportFailure(source, nct_id, exc.field, exc.problem))
            except OSError as exc:
                # urllib's URLError and HTTPError are OSErrors: offline, 404, timeout.
                report.failures.append(ImportFailure(source, nct_id, "(download)", str(exc)))
