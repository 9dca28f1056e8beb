"""Reading published eligibility text into inclusion and exclusion items."""

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trials.criteria_text import parse_criteria, unescape

DATA = Path(__file__).resolve().parent.parent / "data" / "ctgov"
SHARED = Path("/work/shared/trials/NCT04356287.criteria.txt")


def criteria_of(nct_id: str) -> str:
    record = json.loads((DATA / f"{nct_id}.json").read_text())
    return record["protocolSection"]["eligibilityModule"]["eligibilityCriteria"]


# Top-level inclusion and exclusion items of every shared record, counted by hand.
EXPECTED = {
    "NCT00184067": (7, 7),
    "NCT00763412": (5, 6),
    "NCT00973089": (5, 3),
    "NCT02210780": (5, 7),
    "NCT02552212": (6, 11),
    "NCT03418623": (1, 0),
    "NCT03475563": (5, 7),
    "NCT03630471": (9, 8),
    "NCT03934567": (7, 13),
    "NCT04207047": (9, 19),
    "NCT04280705": (8, 5),
    "NCT04356287": (4, 13),
    "NCT05594173": (1, 7),
    "NCT06171568": (1, 0),
    "NCT06323538": (10, 2),
    "NCT06388018": (14, 9),
}


def test_every_shared_record_is_covered():
    assert sorted(EXPECTED) == sorted(p.stem for p in DATA.glob("*.json"))


@pytest.mark.parametrize("nct_id", sorted(EXPECTED))
def test_every_shared_record_splits_into_its_items(nct_id):
    criteria = parse_criteria(criteria_of(nct_id))
    assert (len(criteria.inclusion.items), len(criteria.exclusion.items)) == EXPECTED[nct_id]
    assert not criteria.unlabelled.items
    for item in criteria.inclusion.items + criteria.exclusion.items:
        assert item.text.strip()
        assert not item.text.lstrip().startswith(("* ", "- ", "\\"))
        assert "Criteria:" not in item.text


def test_reference_trial_items_as_published():
    criteria = parse_criteria(criteria_of("NCT04356287"))
    inclusion, exclusion = criteria.inclusion.items, criteria.exclusion.items
    assert [i.number for i in inclusion] == ["1", "2", "3", "4"]
    assert [i.number for i in exclusion] == [str(n) for n in range(1, 14)]
    assert "(ACR/EULAR) 2103 classification criteria" in inclusion[0].text
    assert inclusion[1].text == "Severe disease defined as:"
    assert inclusion[1].children[0].text.startswith("i) disease duration of 2 years or less")
    assert exclusion[0].text == "Age < 18 years"
    assert [c.text[:24] for c in exclusion[2].children] == [
        "FVC < 45% and/or DLCO (c",
        "Left ventricular ejectio",
        "Pulmonary hypertension w",
        "stage 4 or more chronic ",
    ]
    assert exclusion[12].text == "Inability to provide informed consent"


def test_the_shared_copy_of_the_reference_text_reads_the_same():
    if not SHARED.exists():
        pytest.fail(f"{SHARED} is the published contract; it must be there")
    assert parse_criteria(SHARED.read_text()) == parse_criteria(criteria_of("NCT04356287"))


def test_key_criteria_headings_and_markdown_escapes():
    criteria = parse_criteria(criteria_of("NCT02210780"))
    assert criteria.inclusion.items[0].text.startswith("Male or female adults ages 18 to 64")
    assert "[Eichenfeld 2004]" in criteria.inclusion.items[0].text
    assert criteria.exclusion.items[1].text.startswith("Patients needing >10 mg of daily")
    assert criteria.exclusion.notes == [
        "The information listed above is not intended to contain all considerations relevant"
        " to a patient's potential participation in a clinical trial and not all inclusion/"
        " exclusion criteria are listed."
    ]


def test_nested_numbered_items_under_a_bullet():
    first = parse_criteria(criteria_of("NCT00184067")).inclusion.items[0]
    assert first.number == ""
    assert [c.number for c in first.children] == ["1", "2", "3", "4"]
    assert first.children[1].text == "They have not experienced recurrence of the melanoma."


def test_group_labels_head_the_items_that_follow():
    criteria = parse_criteria(criteria_of("NCT03630471"))
    groups = [i.group for i in criteria.inclusion.items]
    assert groups == ["For adolescent participants:"] * 6 + ["For parent participants:"] * 3
    assert criteria.exclusion.items[-1].group == "For parent participants:"


def test_deep_bullets_nest_by_indent():
    items = parse_criteria(criteria_of("NCT06388018")).inclusion.items
    sub_study = next(i for i in items if i.text.startswith("SUB-STUDY A: Patients with"))
    assert [c.text for c in sub_study.children] == ["Cohort A1:", "Cohort A2:"]
    assert len(sub_study.children[0].children) == 4
    assert len(sub_study.children[1].children) == 9


@pytest.mark.parametrize(
    ("escaped", "plain"),
    [
        (r"\>= 18", ">= 18"),
        (r"\<126 mg/dl", "<126 mg/dl"),
        (r"a \\ b", "a \\ b"),
        (r"\[x\]", "[x]"),
    ],
)
def test_markdown_escapes_are_shown_plain(escaped, plain):
    assert unescape(escaped) == plain


def test_empty_text_gives_no_items():
    criteria = parse_criteria("")
    assert not criteria.inclusion.items and not criteria.exclusion.items


def test_items_before_any_heading_are_kept_unlabelled():
    criteria = parse_criteria("* Adults\n* Able to consent")
    assert [i.text for i in criteria.unlabelled.items] == ["Adults", "Able to consent"]


@given(st.text())
def test_any_text_parses_and_no_item_is_empty(text):
    criteria = parse_criteria(text)
    for section in (criteria.inclusion, criteria.exclusion, criteria.unlabelled):
        for item in section.items:
            assert item.text.strip()
