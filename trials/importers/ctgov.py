"""ClinicalTrials.gov API v2: a pure mapping from one study record to plain data.

`study_from_record()` imports nothing from the database: it turns one API v2 study (a dict,
or its JSON text) into a `StudyData`, or raises `RecordError` naming the field and what is
wrong with it. Writing the result is `trials.services.trial_upsert()`'s job; reading the
registry is `trials.importers.client`'s.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from trials.models import OverallStatus, Sex

NCT_ID_RE = re.compile(r"^NCT\d{8}$")

# ClinicalTrials.gov writes ages as "<number> <unit>"; a year is the unit we store.
_AGE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s+(year|month|week|day|hour|minute)s?\s*$", re.I)
_UNITS_PER_YEAR = {
    "year": 1,
    "month": 12,
    "week": 52,
    "day": 365,
    "hour": 365 * 24,
    "minute": 365 * 24 * 60,
}
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
_DATE_TYPES = {"ACTUAL", "ESTIMATED"}

# The registry's enumerations that the portal reads, as the API v2 data model lists them
# (https://clinicaltrials.gov/data-api/about-api/study-data-structure, "Enums"). A value
# outside them is refused with the field's path, never stored as a guess.
ENUMS: dict[str, frozenset[str]] = {
    "StudyType": frozenset({"EXPANDED_ACCESS", "INTERVENTIONAL", "OBSERVATIONAL"}),
    "Phase": frozenset({"NA", "EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4"}),
    "StandardAge": frozenset({"CHILD", "ADULT", "OLDER_ADULT"}),
    "EnrollmentType": frozenset({"ACTUAL", "ESTIMATED"}),
    "AgencyClass": frozenset(
        {"NIH", "FED", "OTHER_GOV", "INDIV", "INDUSTRY", "NETWORK", "AMBIG", "OTHER", "UNKNOWN"}
    ),
    "RecruitmentStatus": frozenset(
        {
            "ACTIVE_NOT_RECRUITING",
            "COMPLETED",
            "ENROLLING_BY_INVITATION",
            "NOT_YET_RECRUITING",
            "RECRUITING",
            "SUSPENDED",
            "TERMINATED",
            "WITHDRAWN",
            "AVAILABLE",
        }
    ),
    "OfficialRole": frozenset(
        {"STUDY_CHAIR", "STUDY_DIRECTOR", "PRINCIPAL_INVESTIGATOR", "SUB_INVESTIGATOR"}
    ),
}


class RecordError(ValueError):
    """A study record that cannot be imported: which field, and what is wrong with it."""

    def __init__(self, field: str, problem: str, nct_id: str = "") -> None:
        self.field = field
        self.problem = problem
        self.nct_id = nct_id
        super().__init__(f"{field}: {problem}")


@dataclass(frozen=True)
class DateData:
    """A ClinicalTrials.gov date: the text as published, the day it stands for, its type."""

    text: str = ""
    date: date | None = None
    type: str = ""  # ACTUAL, ESTIMATED, or "" when the record does not say


@dataclass(frozen=True)
class LocationData:
    facility: str = ""
    status: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    country: str = ""
    latitude: float | None = None
    longitude: float | None = None
    contacts: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class OfficialData:
    name: str
    affiliation: str = ""
    role: str = ""


@dataclass(frozen=True)
class StudyData:
    """Everything the portal keeps of one study, as plain values (the `Trial` fields)."""

    nct_id: str
    brief_title: str
    overall_status: str
    official_title: str = ""
    acronym: str = ""
    organization: str = ""
    lead_sponsor: str = ""
    lead_sponsor_class: str = ""
    collaborators: list[dict[str, str]] = field(default_factory=list)
    phases: list[str] = field(default_factory=list)
    study_type: str = ""
    conditions: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    # MeSH terms the registry derived from the conditions
    # (derivedSection.conditionBrowseModule.meshes[].term): "Scleroderma, Systemic".
    condition_meshes: list[str] = field(default_factory=list)
    brief_summary: str = ""
    detailed_description: str = ""
    eligibility_criteria: str = ""
    sex: str = Sex.ALL
    minimum_age: float | None = None
    maximum_age: float | None = None
    healthy_volunteers: bool | None = None
    std_ages: list[str] = field(default_factory=list)
    first_submitted: DateData = field(default_factory=DateData)
    start: DateData = field(default_factory=DateData)
    primary_completion: DateData = field(default_factory=DateData)
    completion: DateData = field(default_factory=DateData)
    last_update: DateData = field(default_factory=DateData)
    enrollment: int | None = None
    enrollment_type: str = ""
    central_contacts: list[dict[str, str]] = field(default_factory=list)
    officials: list[OfficialData] = field(default_factory=list)
    locations: list[LocationData] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)


def parse_age(value: str | None) -> float | None:
    """An age as published ("18 Years", "6 Months", "N/A") in years; None means no limit."""
    if value is None or value.strip().upper() in {"", "N/A", "NA", "NONE"}:
        return None
    match = _AGE_RE.match(value)
    if not match:
        raise ValueError(f'"{value}" is not an age such as "18 Years" or "6 Months"')
    number, unit = float(match.group(1)), match.group(2).lower()
    return number / _UNITS_PER_YEAR[unit]


def parse_partial_date(value: str) -> date:
    """ "2020-05-21" is that day; "2020-05" stands for the first of the month."""
    match = _DATE_RE.match(value.strip())
    if not match:
        raise ValueError(f'"{value}" is not a date such as "2020-05" or "2020-05-21"')
    year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3) or 1)
    return date(year, month, day)


class _Reader:
    """Typed access to a nested record; every failure names the field's path."""

    def __init__(self, record: Mapping[str, Any], nct_id: str = "") -> None:
        self.record = record
        self.nct_id = nct_id

    def error(self, path: str, problem: str) -> RecordError:
        return RecordError(path, problem, self.nct_id)

    def get(self, path: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
        node: Any = self.record
        walked: list[str] = []
        for key in path.split("."):
            if node is None:
                return default
            if not isinstance(node, Mapping):
                raise self.error(".".join(walked), f"expected an object, got {_kind(node)}")
            node = node.get(key)
            walked.append(key)
        if node is None:
            return default
        # bool is an int in Python; a count of True participants is still wrong.
        if isinstance(node, bool) and bool not in _as_tuple(kind):
            raise self.error(path, f"expected {_names(kind)}, got {_kind(node)}")
        if not isinstance(node, kind):
            raise self.error(path, f"expected {_names(kind)}, got {_kind(node)}")
        return node

    def text(self, path: str) -> str:
        return self.get(path, str, "").strip()

    def enum(self, path: str, enum: str) -> str:
        """A text field that must be one of the registry's `ENUMS[enum]` values (or absent)."""
        value = self.text(path)
        if value and value not in ENUMS[enum]:
            raise self.error(path, f'unknown {enum} "{value}"')
        return value

    def enums(self, path: str, enum: str) -> list[str]:
        values = self.strings(path)
        for index, value in enumerate(values):
            if value not in ENUMS[enum]:
                raise self.error(f"{path}[{index}]", f'unknown {enum} "{value}"')
        return values

    def strings(self, path: str) -> list[str]:
        values = self.get(path, list, [])
        for index, value in enumerate(values):
            if not isinstance(value, str):
                raise self.error(f"{path}[{index}]", f"expected text, got {_kind(value)}")
        return [v.strip() for v in values if v.strip()]

    def objects(self, path: str) -> list[_Reader]:
        values = self.get(path, list, [])
        readers = []
        for index, value in enumerate(values):
            if not isinstance(value, Mapping):
                raise self.error(f"{path}[{index}]", f"expected an object, got {_kind(value)}")
            readers.append(_Reader(value, self.nct_id))
        return readers

    def date(self, path: str) -> DateData:
        """A date given either as text or as a struct {"date": ..., "type": ...}."""
        node = self.get(path, (str, Mapping))
        if node is None:
            return DateData()
        if isinstance(node, str):
            text, kind = node, ""
        else:
            text = self.get(f"{path}.date", str, "")
            kind = self.get(f"{path}.type", str, "")
            if not text:
                return DateData()
        if kind and kind not in _DATE_TYPES:
            raise self.error(f"{path}.type", f'"{kind}" is neither ACTUAL nor ESTIMATED')
        try:
            parsed = parse_partial_date(text)
        except ValueError as exc:
            raise self.error(path if isinstance(node, str) else f"{path}.date", str(exc)) from None
        return DateData(text=text.strip(), date=parsed, type=kind)

    def number(self, path: str) -> float | None:
        value = self.get(path, (int, float))
        return float(value) if value is not None else None


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


_TYPE_NAMES = {
    str: "text",
    int: "a whole number",
    float: "a number",
    list: "a list",
    bool: "true or false",
    Mapping: "an object",
    dict: "an object",
}


def _names(kind: type | tuple[type, ...]) -> str:
    return " or ".join(_TYPE_NAMES.get(k, k.__name__) for k in _as_tuple(kind))


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    for python_type in (bool, str, int, float, list, dict):
        if isinstance(value, python_type):
            return _TYPE_NAMES[python_type]
    return type(value).__name__


def _contacts(reader: _Reader, path: str) -> list[dict[str, str]]:
    keys = ("name", "role", "phone", "phoneExt", "email")
    contacts = []
    for index, contact in enumerate(reader.objects(path)):
        entry = {key: contact.text(key) for key in keys}
        if not any(entry.values()):
            raise reader.error(f"{path}[{index}]", "a contact with no name, phone or email")
        contacts.append({k: v for k, v in entry.items() if v})
    return contacts


def study_from_record(record: Mapping[str, Any] | str | bytes) -> StudyData:
    """Map one API v2 study (a dict or its JSON text) to `StudyData`.

    Raises `RecordError` for invalid JSON, a missing or malformed nctId, a value of the
    wrong type, an unknown overallStatus or sex, or a malformed age or date.
    """
    if isinstance(record, str | bytes):
        try:
            record = json.loads(record)
        except ValueError as exc:
            raise RecordError("(record)", f"invalid JSON: {exc}") from None
    if not isinstance(record, Mapping):
        raise RecordError("(record)", f"expected a study object, got {_kind(record)}")

    reader = _Reader(record)
    nct_id = reader.text("protocolSection.identificationModule.nctId").upper()
    if not nct_id:
        raise reader.error("protocolSection.identificationModule.nctId", "missing")
    if not NCT_ID_RE.match(nct_id):
        raise reader.error(
            "protocolSection.identificationModule.nctId",
            f'"{nct_id}" is not an NCT number such as "NCT04356287"',
        )
    reader.nct_id = nct_id
    p = "protocolSection."

    title = reader.text(p + "identificationModule.briefTitle")
    if not title:
        raise reader.error(p + "identificationModule.briefTitle", "missing")

    status = reader.text(p + "statusModule.overallStatus")
    if status not in OverallStatus.values:
        problem = f'unknown status "{status}"' if status else "missing"
        raise reader.error(p + "statusModule.overallStatus", problem)

    sex = reader.text(p + "eligibilityModule.sex") or Sex.ALL
    if sex not in Sex.values:
        raise reader.error(p + "eligibilityModule.sex", f'unknown sex "{sex}"')

    ages = {}
    for key in ("minimumAge", "maximumAge"):
        path = p + "eligibilityModule." + key
        try:
            ages[key] = parse_age(reader.get(path, str))
        except ValueError as exc:
            raise reader.error(path, str(exc)) from None

    enrollment = reader.get(p + "designModule.enrollmentInfo.count", int)
    if enrollment is not None and enrollment < 0:
        raise reader.error(p + "designModule.enrollmentInfo.count", "must not be negative")

    collaborators = []
    for index, c in enumerate(reader.objects(p + "sponsorCollaboratorsModule.collaborators")):
        try:
            collaborators.append({"name": c.text("name"), "class": c.enum("class", "AgencyClass")})
        except RecordError as exc:
            raise reader.error(
                f"{p}sponsorCollaboratorsModule.collaborators[{index}].{exc.field}", exc.problem
            ) from None

    officials = []
    for index, official in enumerate(
        reader.objects(p + "contactsLocationsModule.overallOfficials")
    ):
        name = official.text("name")
        if not name:
            raise reader.error(
                f"{p}contactsLocationsModule.overallOfficials[{index}].name", "missing"
            )
        role_path = f"{p}contactsLocationsModule.overallOfficials[{index}].role"
        role = official.text("role")
        if role and role not in ENUMS["OfficialRole"]:
            raise reader.error(role_path, f'unknown OfficialRole "{role}"')
        officials.append(
            OfficialData(name=name, affiliation=official.text("affiliation"), role=role)
        )

    locations = []
    for index, site in enumerate(reader.objects(p + "contactsLocationsModule.locations")):
        site_path = f"{p}contactsLocationsModule.locations[{index}]"
        site_reader = _Reader(site.record, nct_id)
        try:
            latitude = site_reader.number("geoPoint.lat")
            longitude = site_reader.number("geoPoint.lon")
            contacts = _contacts(site_reader, "contacts")
            location = LocationData(
                facility=site_reader.text("facility"),
                status=site_reader.enum("status", "RecruitmentStatus"),
                city=site_reader.text("city"),
                state=site_reader.text("state"),
                zip=site_reader.text("zip"),
                country=site_reader.text("country"),
                latitude=latitude,
                longitude=longitude,
                contacts=contacts,
            )
        except RecordError as exc:
            raise reader.error(f"{site_path}.{exc.field}", exc.problem) from None
        if latitude is not None and not -90 <= latitude <= 90:
            raise reader.error(f"{site_path}.geoPoint.lat", "must lie between -90 and 90")
        if longitude is not None and not -180 <= longitude <= 180:
            raise reader.error(f"{site_path}.geoPoint.lon", "must lie between -180 and 180")
        locations.append(location)

    return StudyData(
        nct_id=nct_id,
        brief_title=title,
        overall_status=status,
        official_title=reader.text(p + "identificationModule.officialTitle"),
        acronym=reader.text(p + "identificationModule.acronym"),
        organization=reader.text(p + "identificationModule.organization.fullName"),
        lead_sponsor=reader.text(p + "sponsorCollaboratorsModule.leadSponsor.name"),
        lead_sponsor_class=reader.enum(
            p + "sponsorCollaboratorsModule.leadSponsor.class", "AgencyClass"
        ),
        collaborators=collaborators,
        phases=reader.enums(p + "designModule.phases", "Phase"),
        study_type=reader.enum(p + "designModule.studyType", "StudyType"),
        conditions=reader.strings(p + "conditionsModule.conditions"),
        keywords=reader.strings(p + "conditionsModule.keywords"),
        condition_meshes=[
            mesh.text("term")
            for mesh in reader.objects("derivedSection.conditionBrowseModule.meshes")
            if mesh.text("term")
        ],
        brief_summary=reader.text(p + "descriptionModule.briefSummary"),
        detailed_description=reader.text(p + "descriptionModule.detailedDescription"),
        eligibility_criteria=reader.text(p + "eligibilityModule.eligibilityCriteria"),
        sex=sex,
        minimum_age=ages["minimumAge"],
        maximum_age=ages["maximumAge"],
        healthy_volunteers=reader.get(p + "eligibilityModule.healthyVolunteers", bool),
        std_ages=reader.enums(p + "eligibilityModule.stdAges", "StandardAge"),
        first_submitted=reader.date(p + "statusModule.studyFirstSubmitDate"),
        start=reader.date(p + "statusModule.startDateStruct"),
        primary_completion=reader.date(p + "statusModule.primaryCompletionDateStruct"),
        completion=reader.date(p + "statusModule.completionDateStruct"),
        last_update=reader.date(p + "statusModule.lastUpdatePostDateStruct"),
        enrollment=enrollment,
        enrollment_type=reader.enum(p + "designModule.enrollmentInfo.type", "EnrollmentType"),
        central_contacts=_contacts(reader, p + "contactsLocationsModule.centralContacts"),
        officials=officials,
        locations=locations,
        raw=dict(record),
    )


def studies_in_document(document: Any) -> list[Any]:
    """The study records in one file's JSON, in any of the registry's three shapes.

    * the website's "Download → JSON" file: a top-level array of studies;
    * an API v2 page: ``{"studies": [...], "nextPageToken": ..., "totalCount": ...}``;
    * a single study (``GET /api/v2/studies/{nctId}``): any other object.

    Each element is mapped (and may fail) on its own. Raises `RecordError` for any other
    JSON value (a number, a string...).
    """
    if isinstance(document, list):
        return document
    if isinstance(document, Mapping) and "studies" in document:
        studies = document["studies"]
        if not isinstance(studies, list):
            raise RecordError("studies", f"expected a list, got {_kind(studies)}")
        return studies
    if isinstance(document, Mapping):
        return [document]  # one study; mapping it names what it lacks
    raise RecordError(
        "(document)", f"expected a study, a list of studies or a page, got {_kind(document)}"
    )
