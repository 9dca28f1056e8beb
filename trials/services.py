"""Writes to the trial catalogue."""

import enum
import gzip
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import QuerySet

from trials.folding import condition_fold
from trials.importers.ctgov import RecordError, StudyData, studies_in_document, study_from_record
from trials.models import SEARCH_VECTOR, Location, Official, Trial, status_takes_applicants
from trials.signals import catalogue_imported, trial_written
from trials.similar import similar_refresh


class Outcome(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    # Updated, and the registry's new status stops it taking applicants
    # (`status_takes_applicants`); its open applications stay with its team.
    CLOSED = "closed"
    UNCHANGED = "unchanged"


def trial_upsert(*, data: StudyData) -> tuple[Trial, bool]:
    """Create or update the trial `data.nct_id`, replacing its sites and officials, and
    send `trials.signals.trial_written` (on which screening drafts the criteria when their
    published text is new or changed).

    All in one transaction, receivers included: a failure leaves the previous version
    untouched. A record identical to the stored one writes nothing and sends nothing.
    Returns the trial and whether it was created.
    """
    trial, outcome = _trial_write(data)
    if outcome is not Outcome.UNCHANGED:
        similar_refresh(trial_ids=[trial.pk])
    return trial, outcome is Outcome.CREATED


def trial_fields_from_study(data: StudyData) -> dict[str, Any]:
    """The `Trial` field values of one mapped study, denormalized search fields included.

    Every writer of trials builds its rows from this (the importer here, the benchmark's
    bulk seeding), so the search document and condition terms are always filled alike.
    """
    return {
        "brief_title": data.brief_title,
        "official_title": data.official_title,
        "acronym": data.acronym,
        "organization": data.organization,
        "lead_sponsor": data.lead_sponsor,
        "lead_sponsor_class": data.lead_sponsor_class,
        "collaborators": data.collaborators,
        "overall_status": data.overall_status,
        "phases": data.phases,
        "study_type": data.study_type,
        "conditions": data.conditions,
        "keywords": data.keywords,
        "brief_summary": data.brief_summary,
        "detailed_description": data.detailed_description,
        "eligibility_criteria": data.eligibility_criteria,
        "sex": data.sex,
        "minimum_age": data.minimum_age,
        "maximum_age": data.maximum_age,
        "healthy_volunteers": data.healthy_volunteers,
        "std_ages": data.std_ages,
        "first_submitted": data.first_submitted.date,
        "start_date": data.start.date,
        "start_date_text": data.start.text,
        "start_date_type": data.start.type,
        "primary_completion_date": data.primary_completion.date,
        "primary_completion_date_text": data.primary_completion.text,
        "primary_completion_date_type": data.primary_completion.type,
        "completion_date": data.completion.date,
        "completion_date_text": data.completion.text,
        "completion_date_type": data.completion.type,
        "last_update": data.last_update.date,
        "enrollment": data.enrollment,
        "enrollment_type": data.enrollment_type,
        "central_contacts": data.central_contacts,
        "raw": data.raw,
        "search_document": "\n".join(
            part
            for part in (
                data.brief_title,
                data.acronym,
                "; ".join(data.conditions),
                "; ".join(data.keywords),
                data.brief_summary,
            )
            if part
        ),
        "condition_terms": condition_terms(data.conditions + data.keywords + data.condition_meshes),
    }


def _trial_write(data: StudyData) -> tuple[Trial, Outcome]:
    fields = trial_fields_from_study(data)
    with transaction.atomic():
        trial = Trial.objects.select_for_update().filter(nct_id=data.nct_id).first()
        if trial is None:
            trial = Trial.objects.create(nct_id=data.nct_id, **fields)
            outcome = Outcome.CREATED
            criteria_changed = True
        elif all(getattr(trial, name) == value for name, value in fields.items()):
            # Sites and officials derive from `raw`, which is among the fields compared.
            return trial, Outcome.UNCHANGED
        else:
            was_open = status_takes_applicants(trial.overall_status)
            criteria_changed = trial.eligibility_criteria != fields["eligibility_criteria"]
            for name, value in fields.items():
                setattr(trial, name, value)
            trial.save()
            trial.locations.all().delete()
            trial.officials.all().delete()
            closed = was_open and not status_takes_applicants(trial.overall_status)
            outcome = Outcome.CLOSED if closed else Outcome.UPDATED
        trial_search_vectors_refresh(trials=Trial.objects.filter(pk=trial.pk))
        Location.objects.bulk_create(trial_sites_from_study(trial=trial, data=data))
        Official.objects.bulk_create(trial_officials_from_study(trial=trial, data=data))
        # What other apps derive from a trial is written in this transaction too.
        trial_written.send(
            sender=Trial,
            trial=trial,
            created=outcome is Outcome.CREATED,
            criteria_changed=criteria_changed,
        )
    return trial, outcome


def trial_search_vectors_refresh(*, trials: QuerySet[Trial]) -> None:
    """Store the full-text search vector of `trials` from their current search document.

    Every writer of search_document calls this after writing (one UPDATE, however many
    trials). PostgreSQL only: SQLite searches the document itself and keeps NULL.
    """
    if connection.vendor == "postgresql":
        trials.update(search_vector=SEARCH_VECTOR)


def trial_sites_from_study(*, trial: Trial, data: StudyData) -> list[Location]:
    """The unsaved `Location` rows of one mapped study."""
    return [
        Location(
            trial=trial,
            facility=site.facility,
            status=site.status,
            city=site.city,
            state=site.state,
            zip=site.zip,
            country=site.country,
            latitude=site.latitude,
            longitude=site.longitude,
            contacts=site.contacts,
        )
        for site in data.locations
    ]


def trial_officials_from_study(*, trial: Trial, data: StudyData) -> list[Official]:
    """The unsaved `Official` rows of one mapped study."""
    return [
        Official(trial=trial, name=o.name, affiliation=o.affiliation, role=o.role)
        for o in data.officials
    ]


def condition_terms(terms: list[str]) -> str:
    """Conditions and keywords as "|term|term|", each folded (`trials.folding.condition_fold`:
    lower case, no accents), so LIKE '%|term|%' finds one and a typed "diabète" or "Sjögren"
    finds "diabetes" and "sjogren syndrome" as well as "sjögren syndrome"."""
    cleaned = sorted({condition_fold(t) for t in terms if t.strip()})
    return f"|{'|'.join(cleaned)}|" if cleaned else ""


@dataclass(frozen=True)
class ImportFailure:
    """One record (or file) that was skipped whole, and why."""

    source: str
    nct_id: str
    field: str
    problem: str

    def __str__(self) -> str:
        return f"{self.source}: {self.nct_id or '(no nctId)'}: {self.field}: {self.problem}"


@dataclass
class ImportReport:
    """Counts of one import. `closed` trials are among the `updated`: those whose new
    registry status stopped them taking applicants."""

    created: int = 0
    updated: int = 0
    closed: int = 0
    unchanged: int = 0
    failures: list[ImportFailure] = field(default_factory=list)
    # Primary keys of the trials created or updated, for what is derived after an import.
    written: list[int] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.failures)

    @property
    def studies(self) -> int:
        return self.created + self.updated + self.unchanged + self.failed

    def add(self, other: "ImportReport") -> None:
        self.created += other.created
        self.updated += other.updated
        self.closed += other.closed
        self.unchanged += other.unchanged
        self.failures += other.failures
        self.written += other.written

    def summary(self) -> str:
        line = f"created {self.created}, updated {self.updated}, failed {self.failed}"
        notes = [f"{self.closed} closed"] if self.closed else []
        notes += [f"{self.unchanged} unchanged"] if self.unchanged else []
        return f"{line} ({', '.join(notes)})" if notes else line


def trial_import_documents(*, documents: Iterable[tuple[str, object]]) -> ImportReport:
    """Import parsed API v2 documents, each (source name, one study or {"studies": [...]}).

    Each study is mapped and written on its own: a bad one is reported and skipped whole,
    the others are imported.
    """
    report = ImportReport()
    for source, document in documents:
        _import_document(report, source, document)
    _after_import(report)
    return report


def trial_import_studies(*, report: ImportReport, source: str, document: object) -> None:
    """Import one parsed document's studies into `report` (see `trial_import_documents`).

    Call `trial_import_finish` once after the last document: what derives from the whole
    catalogue (similar trials) is refreshed once, not per page.
    """
    _import_document(report, source, document)


def trial_import_finish(*, report: ImportReport) -> None:
    """Refresh what derives from the catalogue for the trials `report` wrote."""
    _after_import(report)


def trial_import_paths(*, paths: Iterable[Path]) -> ImportReport:
    """Import every study in these JSON files (.json or .json.gz), or in those of these
    folders. A file may be the registry website's download (a top-level array), an API
    page (``{"studies": [...]}``) or one study; see `studies_in_document`."""
    report = ImportReport()
    for file in _json_files(paths):
        try:
            document = json.loads(_read_text(file))
        except FileNotFoundError:
            report.failures.append(ImportFailure(str(file), "", "(file)", "no such file"))
        except (OSError, EOFError, UnicodeDecodeError) as exc:
            report.failures.append(ImportFailure(str(file), "", "(file)", f"unreadable: {exc}"))
        except ValueError as exc:
            report.failures.append(ImportFailure(str(file), "", "(file)", f"invalid JSON: {exc}"))
        else:
            _import_document(report, str(file), document)
    _after_import(report)
    return report


def _after_import(report: ImportReport) -> None:
    """What derives from the catalogue as a whole: the similar trials of what changed;
    then `catalogue_imported` tells the apps that build on trials (saved-search alerts)."""
    if report.written:
        similar_refresh(trial_ids=report.written)
        catalogue_imported.send(sender=Trial, trial_ids=list(report.written))


def _json_files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted([*path.glob("*.json"), *path.glob("*.json.gz")])
        else:
            yield path


def _read_text(file: Path) -> str:
    """A JSON file's text; a name ending in .gz is read through gzip (the registry's
    downloads are large)."""
    if file.name.endswith(".gz"):
        with gzip.open(file, "rt", encoding="utf-8") as handle:
            return handle.read()
    return file.read_text(encoding="utf-8")


# Studies compared with the stored rows per query: one read instead of one locked read
# (and one commit) per study, so an incremental run that finds no change stays cheap.
COMPARE_BATCH = 500


def _import_document(report: ImportReport, source: str, document: object) -> None:
    try:
        records = studies_in_document(document)
    except RecordError as exc:
        report.failures.append(ImportFailure(source, "", exc.field, exc.problem))
        return
    for start in range(0, len(records), COMPARE_BATCH):
        _import_batch(report, source, records, start, start + COMPARE_BATCH)


def _import_batch(
    report: ImportReport, source: str, records: list[Any], start: int, stop: int
) -> None:
    """Map records[start:stop]; skip those identical to their stored row, read in one
    query without locking; write the others one by one (`_trial_write` compares again
    under its lock, so a concurrent writer is never overwritten blindly)."""
    mapped: list[tuple[str, str, StudyData, dict[str, Any]]] = []
    for index in range(start, min(stop, len(records))):
        record = records[index]
        where = source if len(records) == 1 else f"{source} studies[{index}]"
        nct_id = _loose_nct_id(record)
        try:
            data = study_from_record(record)
        except RecordError as exc:
            report.failures.append(
                ImportFailure(where, exc.nct_id or nct_id, exc.field, exc.problem)
            )
            continue
        mapped.append((where, nct_id, data, trial_fields_from_study(data)))
    if not mapped:
        return
    names = list(mapped[0][3])
    stored = {
        row["nct_id"]: row
        for row in Trial.objects.filter(nct_id__in=[m[2].nct_id for m in mapped]).values(
            "nct_id", *names
        )
    }
    for where, nct_id, data, fields in mapped:
        row = stored.get(data.nct_id)
        if row is not None and all(row[name] == value for name, value in fields.items()):
            report.unchanged += 1
            continue
        try:
            trial, outcome = _trial_write(data)
        except (DataError, IntegrityError) as exc:
            # A value the database refuses (e.g. too long): its transaction rolled back whole.
            problem = str(exc).strip().splitlines()[0]
            report.failures.append(ImportFailure(where, nct_id, "(database)", problem))
            continue
        if outcome is Outcome.CLOSED:
            report.closed += 1
            report.updated += 1
        else:
            setattr(report, outcome.value, getattr(report, outcome.value) + 1)
        if outcome is not Outcome.UNCHANGED:
            report.written.append(trial.pk)


def _loose_nct_id(record: object) -> str:
    """The record's nctId as written, to name it in a report even when it fails to map."""
    try:
        value = record["protocolSection"]["identificationModule"]["nctId"]  # type: ignore[index]
    except (TypeError, KeyError):
        return ""
    return value if isinstance(value, str) else ""
