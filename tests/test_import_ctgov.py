"""The pure mapping from ClinicalTrials.gov API v2 records to plain data."""

import copy
import json
from datetime import date
from pathlib import Path

import pytest

from trials.importers.ctgov import (
    RecordError,
    parse_age,
    parse_partial_date,
    study_from_record,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "ctgov"
RECORDS = sorted(DATA.glob("*.json"))


def record(nct_id: str = "NCT04356287") -> dict:
    return json.loads((DATA / f"{nct_id}.json").read_text())


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.stem)
def test_every_shared_record_maps(path):
    study = study_from_record(path.read_text())
    assert study.nct_id == path.stem
    assert study.brief_title
    assert study.eligibility_criteria
    assert study.raw == json.loads(path.read_text())


def test_reference_trial_fields():
    study = study_from_record(record())
    assert study.brief_title == (
        "Treatment With Human Umbilical Cord-derived Mesenchymal Stromal Cells"
        " in Systemic Sclerosis"
    )
    assert study.overall_status == "RECRUITING"
    assert study.lead_sponsor == "Marie Hudson, MD"
    assert study.lead_sponsor_class == "OTHER"
    assert study.organization == "Sir Mortimer B. Davis - Jewish General Hospital"
    assert study.conditions == ["Systemic Sclerosis"]
    assert study.keywords == [
        "Systemic Sclerosis",
        "Umbilical Cord Derived Mesenchymal Stromal Cells",
        "Scleroderma, Systemic",
    ]
    assert study.sex == "ALL"
    assert (study.minimum_age, study.maximum_age) == (18.0, None)
    assert study.healthy_volunteers is False
    assert study.std_ages == ["ADULT", "OLDER_ADULT"]
    assert study.study_type == "INTERVENTIONAL"
    assert study.start.text == "2020-04-21"
    assert study.start.date == date(2020, 4, 21)
    assert study.start.type == "ACTUAL"
    assert study.first_submitted.date == date(2020, 4, 21)
    assert study.last_update.date == date(2025, 6, 26)
    assert study.completion.date is None and study.completion.text == ""
    assert study.enrollment is None
    assert "2103 classification criteria" in study.eligibility_criteria
    [official] = study.officials
    assert (official.name, official.role) == ("Marie Hudson, MD", "PRINCIPAL_INVESTIGATOR")
    [site] = study.locations
    assert (site.city, site.state, site.country, site.status) == (
        "Montreal",
        "Quebec",
        "Canada",
        "RECRUITING",
    )
    assert (site.latitude, site.longitude) == (45.50884, -73.58781)


def test_month_only_dates_keep_their_text_and_stand_for_the_first():
    study = study_from_record(record("NCT00184067"))
    assert study.start.text == "2004-05"
    assert study.start.date == date(2004, 5, 1)
    assert study.start.type == ""  # the record does not say
    assert study.completion.date == date(2009, 9, 1)
    assert study.completion.type == "ACTUAL"


def test_estimated_dates_collaborators_contacts_and_enrollment():
    study = study_from_record(record("NCT06171568"))
    assert study.start.type == "ESTIMATED"
    assert study.enrollment == 400 and study.enrollment_type == "ESTIMATED"
    assert {"name": "SBT Human(s) Matter", "class": "UNKNOWN"} in study.collaborators
    assert study.central_contacts[0] == {
        "name": "Camille Heslot, MD",
        "role": "CONTACT",
        "phone": "01.49.95.81.69",
        "phoneExt": "+33",
        "email": "camille.heslot@aphp.fr",
    }
    assert len(study.officials) == 2
    assert study.locations[0].contacts[1]["email"] == "emmanuel.mandonnet@aphp.fr"


def test_many_sites_and_phases():
    study = study_from_record(record("NCT02552212"))
    assert len(study.locations) == 105
    assert study.phases == ["PHASE3"]
    assert study.lead_sponsor_class == "INDUSTRY"


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("18 Years", 18.0),
        ("99 Years", 99.0),
        ("6 Months", 0.5),
        ("18 months", 1.5),
        ("2 Weeks", 2 / 52),
        ("1 Week", 1 / 52),
        ("30 Days", 30 / 365),
        ("N/A", None),
        ("", None),
        (None, None),
    ],
)
def test_ages_are_years_or_open_ended(text, years):
    assert parse_age(text) == pytest.approx(years) if years is not None else parse_age(text) is None


@pytest.mark.parametrize("text", ["eighteen", "18", "18 Decades", "-3 Years", "Years 18"])
def test_malformed_ages_are_refused(text):
    with pytest.raises(ValueError, match="is not an age"):
        parse_age(text)


@pytest.mark.parametrize(
    ("text", "day"),
    [("2020-05", date(2020, 5, 1)), ("2020-05-21", date(2020, 5, 21))],
)
def test_partial_dates(text, day):
    assert parse_partial_date(text) == day


@pytest.mark.parametrize("text", ["2020", "May 2020", "2020-13", "2020-02-30", "20-05-01"])
def test_malformed_dates_are_refused(text):
    with pytest.raises(ValueError):
        parse_partial_date(text)


def broken(change) -> dict:
    data = copy.deepcopy(record())
    change(data["protocolSection"])
    return data


BAD_RECORDS = {
    "no nctId": (
        broken(lambda p: p["identificationModule"].pop("nctId")),
        "protocolSection.identificationModule.nctId",
        "missing",
    ),
    "malformed nctId": (
        broken(lambda p: p["identificationModule"].update(nctId="NCT123")),
        "protocolSection.identificationModule.nctId",
        "is not an NCT number",
    ),
    "nctId of the wrong type": (
        broken(lambda p: p["identificationModule"].update(nctId=4356287)),
        "protocolSection.identificationModule.nctId",
        "expected text, got a whole number",
    ),
    "unknown status": (
        broken(lambda p: p["statusModule"].update(overallStatus="PAUSED")),
        "protocolSection.statusModule.overallStatus",
        'unknown status "PAUSED"',
    ),
    "conditions not a list": (
        broken(lambda p: p["conditionsModule"].update(conditions="Systemic Sclerosis")),
        "protocolSection.conditionsModule.conditions",
        "expected a list, got text",
    ),
    "a keyword not text": (
        broken(lambda p: p["conditionsModule"]["keywords"].append(7)),
        "protocolSection.conditionsModule.keywords[3]",
        "expected text",
    ),
    "enrollment as text": (
        broken(lambda p: p["designModule"].update(enrollmentInfo={"count": "twenty"})),
        "protocolSection.designModule.enrollmentInfo.count",
        "expected a whole number, got text",
    ),
    "malformed age": (
        broken(lambda p: p["eligibilityModule"].update(minimumAge="eighteen")),
        "protocolSection.eligibilityModule.minimumAge",
        "is not an age",
    ),
    "malformed date": (
        broken(lambda p: p["statusModule"]["startDateStruct"].update(date="April 2020")),
        "protocolSection.statusModule.startDateStruct.date",
        "is not a date",
    ),
    "unknown date type": (
        broken(lambda p: p["statusModule"]["startDateStruct"].update(type="GUESSED")),
        "protocolSection.statusModule.startDateStruct.type",
        "neither ACTUAL nor ESTIMATED",
    ),
    "healthy volunteers as text": (
        broken(lambda p: p["eligibilityModule"].update(healthyVolunteers="No")),
        "protocolSection.eligibilityModule.healthyVolunteers",
        "expected true or false",
    ),
    "unknown sex": (
        broken(lambda p: p["eligibilityModule"].update(sex="BOTH")),
        "protocolSection.eligibilityModule.sex",
        'unknown sex "BOTH"',
    ),
    "latitude as text": (
        broken(lambda p: p["contactsLocationsModule"]["locations"][0]["geoPoint"].update(lat="N")),
        "protocolSection.contactsLocationsModule.locations[0].geoPoint.lat",
        "expected a whole number or a number, got text",
    ),
    "a site that is not an object": (
        broken(lambda p: p["contactsLocationsModule"]["locations"].append("Montreal")),
        "protocolSection.contactsLocationsModule.locations[1]",
        "expected an object, got text",
    ),
    "an official without a name": (
        broken(lambda p: p["contactsLocationsModule"]["overallOfficials"][0].pop("name")),
        "protocolSection.contactsLocationsModule.overallOfficials[0].name",
        "missing",
    ),
    "a module that is not an object": (
        broken(lambda p: p.update(statusModule=["RECRUITING"])),
        "protocolSection.statusModule",
        "expected an object, got a list",
    ),
}


@pytest.mark.parametrize("case", BAD_RECORDS, ids=str)
def test_bad_records_name_the_field_and_the_problem(case):
    data, field, problem = BAD_RECORDS[case]
    with pytest.raises(RecordError) as caught:
        study_from_record(data)
    assert caught.value.field == field
    assert problem in caught.value.problem


def test_bad_record_errors_carry_the_nct_id_once_known():
    data, _field, _problem = BAD_RECORDS["unknown status"]
    with pytest.raises(RecordError) as caught:
        study_from_record(data)
    assert caught.value.nct_id == "NCT04356287"


@pytest.mark.parametrize("text", ['{"protocolSection": ', "[1, 2]", "null"])
def test_invalid_json_or_a_non_object_is_refused(text):
    with pytest.raises(RecordError, match="invalid JSON|expected a study object"):
        study_from_record(text)
