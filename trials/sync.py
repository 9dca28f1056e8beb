"""Keeping the catalogue in step with ClinicalTrials.gov: one query run, recorded.

`registry_sync` asks the registry (`trials.importers.client`) for every page of a query
and writes each study through the importer (`trials.services`): created, updated,
unchanged, or skipped alone with its nctId and reason. Each run is a `RegistrySyncRun`
row that staff read in the admin. A trial the registry closes stops taking applicants
at once (`Trial.takes_applicants` reads its status); its applications are not touched.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.utils import timezone

from trials.importers.client import RegistryClient, RegistryError, StudyQuery
from trials.models import RegistrySyncQuery, RegistrySyncRun
from trials.services import ImportReport, trial_import_finish, trial_import_studies

# (studies done so far, total the registry announced or None)
Progress = Callable[[int, int | None], None]


def sync_query_for(*, saved: RegistrySyncQuery, today: date | None = None) -> StudyQuery:
    """The registry query of a saved one. Incremental: studies updated since the day
    before its last successful run started (one day of overlap, since the registry's
    LastUpdatePostDate has no time of day); the first run takes everything."""
    since = None
    if saved.incremental and saved.synced_through is not None:
        since = saved.synced_through - timedelta(days=1)
    return StudyQuery(
        condition=saved.condition,
        statuses=tuple(saved.statuses or ()),
        country=saved.country,
        updated_since=since,
    )


def registry_sync(
    *,
    query: StudyQuery,
    client: RegistryClient,
    saved: RegistrySyncQuery | None = None,
    progress: Progress | None = None,
) -> RegistrySyncRun:
    """Run `query` against the registry to its last page; return the recorded run.

    Studies are written page by page, each in its own transaction, so a run that stops
    half-way (the registry unreachable after the retries) keeps what it wrote and says
    why it stopped (`status` failed, `error`). A saved query's `synced_through` moves
    on only after a run with no failure, so an incremental run never skips a study that
    failed before.
    """
    run = RegistrySyncRun.objects.create(query=saved, parameters=query.describe())
    report = ImportReport()
    try:
        for number, page in enumerate(client.pages(query), start=1):
            trial_import_studies(
                report=report, source=f"page {number}", document={"studies": page.studies}
            )
            if progress is not None:
                progress(report.studies, page.total_count)
    except RegistryError as exc:
        run.status = RegistrySyncRun.Status.FAILED
        run.error = str(exc)
        trial_import_finish(report=report)
    else:
        trial_import_finish(report=report)
        run.status = (
            RegistrySyncRun.Status.PARTIAL if report.failed else RegistrySyncRun.Status.SUCCEEDED
        )
    run.created, run.updated, run.closed = report.created, report.updated, report.closed
    run.unchanged, run.failed = report.unchanged, report.failed
    run.failures = [
        {"nct_id": f.nct_id, "field": f.field, "problem": f.problem, "source": f.source}
        for f in report.failures
    ]
    run.finished_at = timezone.now()
    run.save()
    if saved is not None and run.status == RegistrySyncRun.Status.SUCCEEDED:
        saved.synced_through = run.started_at.date()
        saved.save(update_fields=["synced_through"])
    return run


def registry_sync_saved(*, client: RegistryClient) -> list[RegistrySyncRun]:
    """Run every enabled saved query once (the daily beat job); one run row each."""
    return [
        registry_sync(query=sync_query_for(saved=saved), client=client, saved=saved)
        for saved in RegistrySyncQuery.objects.filter(enabled=True)
    ]
