"""Published criteria as items (screening/engine/criteria_items.py): every heading and
list shape ClinicalTrials.gov records use, text with no heading, escapes and entities."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.engine.criteria_items import (
    CriteriaItem,
    criteria_items,
    markdown_html,
    plain_text,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "ctgov"


def sides(text: str) -> tuple[list[str], list[str]]:
    items = criteria_items(text)
    return (
        [i.text for i in items if i.kind == "inclusion"],
        [i.text for i in items if i.kind == "exclusion"],
    )


@pytest.mark.parametrize(
    "inclusion_heading, exclusion_heading",
    [
        ("Inclusion Criteria:", "Exclusion Criteria:"),
        ("INCLUSION CRITERIA", "EXCLUSION CRITERIA"),
        ("Inclusion:", "Exclusion:"),
        ("Key inclusion criteria", "Key exclusion criteria"),
        ("Criteria for inclusion", "Criteria for exclusion"),
        ("* Inclusion Criteria:", "* Exclusion Criteria:"),
        ("**Inclusion Criteria:**", "**Exclusion Criteria:**"),
        ("Main Inclusion Criteria for Part A:", "Main Exclusion Criteria for Part A:"),
    ],
)
def test_headings_people_write(inclusion_heading: str, exclusion_heading: str) -> None:
    text = (
        f"{inclusion_heading}\n\n* Adults\n* Able to consent\n\n{exclusion_heading}\n\n* Pregnant"
    )
    assert sides(text) == (["Adults", "Able to consent"], ["Pregnant"])


def test_a_heading_with_text_on_the_same_line() -> None:
    text = "Inclusion Criteria: adults aged 18 or more\nExclusion Criteria: pregnancy"
    assert sides(text) == (["adults aged 18 or more"], ["pregnancy"])


def test_inclusion_and_exclusion_criteria_as_one_heading_gives_inclusion_items() -> None:
    text = "Inclusion and Exclusion Criteria:\n\n* Adults\n* No HIV"
    assert sides(text) == (["Adults", "No HIV"], [])


def test_a_sentence_that_starts_with_inclusion_is_not_a_heading() -> None:
    text = "Inclusion in another study of a drug\nAge 18 or more"
    assert sides(text) == (["Inclusion in another study of a drug", "Age 18 or more"], [])


def test_text_with_no_headings_and_no_markers_gives_one_item_a_line() -> None:
    assert sides("Adults aged 18-65\nNo history of HIV\n") == (
        ["Adults aged 18-65", "No history of HIV"],
        [],
    )


def test_numbers_are_the_published_ones_and_nested_items_carry_their_parents() -> None:
    text = (
        "Inclusion Criteria:\n\n"
        "1. Adults\n"
        "2. Adequate organ function:\n"
        "   * Hemoglobin ≥ 9 g/dL\n"
        "   * Platelets ≥ 100 x 10^9/L\n"
        "3. Consent\n\n"
        "Exclusion Criteria:\n\n"
        "* Pregnant\n"
        "* HIV\n"
    )
    assert criteria_items(text) == [
        CriteriaItem("inclusion", "1", "Adults", 0),
        CriteriaItem("inclusion", "2", "Adequate organ function:", 0),
        CriteriaItem("inclusion", "2.1", "Hemoglobin ≥ 9 g/dL", 1),
        CriteriaItem("inclusion", "2.2", "Platelets ≥ 100 x 10^9/L", 1),
        CriteriaItem("inclusion", "3", "Consent", 0),
        CriteriaItem("exclusion", "1", "Pregnant", 0),
        CriteriaItem("exclusion", "2", "HIV", 0),
    ]


def test_unmarked_sub_lines_of_an_item_keep_their_letters() -> None:
    text = (
        "Inclusion Criteria:\n1. Severe disease defined as:\ni) duration of 2 years\nii) mRSS > 15"
    )
    assert [(i.number, i.text) for i in criteria_items(text)] == [
        ("1", "Severe disease defined as:"),
        ("1.i", "duration of 2 years"),
        ("1.ii", "mRSS > 15"),
    ]


def test_a_closing_note_is_not_a_criterion() -> None:
    text = "Exclusion Criteria:\n\n* Pregnant\n\nNot all criteria are listed here."
    assert sides(text) == ([], ["Pregnant"])


def test_group_labels_are_not_items() -> None:
    text = (
        "Inclusion Criteria:\n\nFor parents:\n\n* Aged 18 or more\n\nFor children:\n\n* Aged 8-12"
    )
    assert sides(text) == (["Aged 18 or more", "Aged 8-12"], [])


@pytest.mark.parametrize(
    "markdown, plain",
    [
        (r"Age \>= 18", "Age >= 18"),
        (r"x \^ 2", "x ^ 2"),
        (r"salt \& pepper", "salt & pepper"),
        (r"ALT \&gt; 3 x ULN", "ALT > 3 x ULN"),
        ("ALT &gt; 3 x ULN &amp; AST", "ALT > 3 x ULN & AST"),
        (r"\[Eichenfeld 2004\]", "[Eichenfeld 2004]"),
        ("**Key** criterion", "Key criterion"),
        ("<5 years", "<5 years"),
        ("", ""),
    ],
)
def test_escapes_and_entities_reach_the_patient_as_characters(markdown: str, plain: str) -> None:
    assert plain_text(markdown) == plain


def test_markdown_renders_as_sanitised_html() -> None:
    assert markdown_html(r"**Age** \>= 18") == "<strong>Age</strong> &gt;= 18"
    assert markdown_html(r"ALT \&gt; 3") == "ALT &gt; 3"
    assert "<script" not in markdown_html("<script>alert(1)</script>")
    assert "href" not in markdown_html("[x](javascript:alert(1))")


@pytest.mark.parametrize("path", sorted(DATA.glob("*.json")), ids=lambda p: p.stem)
def test_every_demo_record_gives_items_on_both_sides(path: Path) -> None:
    record = json.loads(path.read_text())
    text = record["protocolSection"]["eligibilityModule"].get("eligibilityCriteria", "")
    items = criteria_items(text)
    assert items
    for item in items:
        assert item.text.strip() and item.number
        assert not item.text.startswith(("* ", "- ", "\\"))
        assert "criteria:" not in item.text.lower()


@given(st.text())
def test_any_text_gives_items_and_never_raises(text: str) -> None:
    for item in criteria_items(text):
        assert item.text.strip()
        assert item.kind in ("inclusion", "exclusion")
        assert item.number
