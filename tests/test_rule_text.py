"""Rules as text: parsing, writing, and the round trip a coordinator relies on."""

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.reference import ENCODED
from screening.rule_text import (
    KEYWORDS,
    RuleSyntaxError,
    rule_from_text,
    rule_normalize,
    rule_to_text,
)


def cmp(key, op, value):
    return {"q": key, "op": op, "value": value}


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("age >= 18", cmp("age", "ge", 18)),
        ("pregnant = yes", cmp("pregnant", "eq", True)),
        ("pregnant == no", cmp("pregnant", "eq", False)),
        ("not pregnant", {"not": cmp("pregnant", "eq", True)}),
        ("gfr_ml_min between 30 and 89", cmp("gfr_ml_min", "between", [30, 89])),
        ("sex in (female, other)", cmp("sex", "in", ["female", "other"])),
        ("sex != male", cmp("sex", "ne", "male")),
        ("hemoglobin_g_dl < 10.5", cmp("hemoglobin_g_dl", "lt", 10.5)),
        ("lvef_pct <= -1", cmp("lvef_pct", "le", -1)),
        ('visit_date > "2020-01-31"', cmp("visit_date", "gt", "2020-01-31")),
        ("label = 'and'", cmp("label", "eq", "and")),
        (
            "mrss > 20 and (esr_mm_h > 25 or hemoglobin_g_dl < 11)",
            {
                "all": [
                    cmp("mrss", "gt", 20),
                    {"any": [cmp("esr_mm_h", "gt", 25), cmp("hemoglobin_g_dl", "lt", 11)]},
                ]
            },
        ),
    ],
)
def test_a_coordinators_text_reads_as_the_rule(text, rule):
    assert rule_from_text(text) == rule


def test_and_binds_tighter_than_or_and_not_tighter_than_and():
    assert rule_from_text("a or b and not c") == {
        "any": [
            cmp("a", "eq", True),
            {"all": [cmp("b", "eq", True), {"not": cmp("c", "eq", True)}]},
        ]
    }


def test_keywords_are_not_case_sensitive():
    assert rule_from_text("NOT pregnant AND age >= 18 Or sex IN (female)") == rule_from_text(
        "not pregnant and age >= 18 or sex in (female)"
    )


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        ("", 0, "The rule is empty"),
        ("mrss >", 6, "Expected a value"),
        ("mrss > 20 and", 13, "Expected a question key"),
        ("(mrss > 20", 10, "Expected ')' to close the '('"),
        ("mrss > 20)", 9, "Expected 'and', 'or' or the end of the rule"),
        ("gfr between 30 89", 15, "Expected 'and' between the two bounds"),
        ("sex in female", 7, "Expected '(' to open the list"),
        ("mrss > 20 # note", 10, "Unexpected character '#'"),
        ("sex in (female other)", 15, "Expected ',' or ')'"),
    ],
)
def test_a_syntax_error_says_where_and_why(text, position, message):
    with pytest.raises(RuleSyntaxError) as caught:
        rule_from_text(text)
    assert caught.value.position == position
    assert caught.value.message.startswith(message)
    assert f"at character {position + 1}" in str(caught.value)


def test_the_text_of_a_rule_is_what_a_coordinator_would_write():
    rule = {
        "all": [
            {"not": cmp("pregnant", "eq", True)},
            cmp("sex", "in", ["female", "other"]),
            {"any": [cmp("esr_mm_h", "gt", 25), cmp("hemoglobin_g_dl", "lt", 11)]},
        ]
    }
    assert rule_to_text(rule) == (
        "not pregnant = yes and sex in (female, other) and (esr_mm_h > 25 or hemoglobin_g_dl < 11)"
    )


@pytest.mark.parametrize(
    "rule",
    [
        cmp("not", "eq", True),
        cmp("a key", "eq", True),
        cmp("mrss", "eq", None),
        cmp("mrss", "eq", [1]),
        cmp("mrss", "between", [1]),
        {"all": []},
        cmp("mrss", "gt", float("nan")),
    ],
)
def test_a_rule_text_cannot_express_is_refused(rule):
    with pytest.raises(ValueError):
        rule_to_text(rule)


@pytest.mark.parametrize(
    ("kind", "number", "rule"),
    [(kind, number, rule) for kind, number, _text, rule, _verify in ENCODED["NCT04356287"]],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_every_reference_rule_round_trips(kind, number, rule):
    assert rule_from_text(rule_to_text(rule)) == rule


# Generated rules: keys are plain words that are not keywords; values any JSON scalar.
keys = st.from_regex(r"[a-z_][a-z0-9_]{0,12}", fullmatch=True).filter(
    lambda k: k.lower() not in KEYWORDS
)
scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(alphabet=string.ascii_letters + string.digits + " _-'\"\\é\n", max_size=12),
)
comparisons = st.one_of(
    st.builds(cmp, keys, st.sampled_from(["eq", "ne", "lt", "le", "gt", "ge"]), scalars),
    st.builds(cmp, keys, st.just("between"), st.lists(scalars, min_size=2, max_size=2)),
    st.builds(cmp, keys, st.just("in"), st.lists(scalars, max_size=4)),
)
rules = st.recursive(
    comparisons,
    lambda inner: st.one_of(
        st.builds(lambda parts: {"all": parts}, st.lists(inner, min_size=1, max_size=4)),
        st.builds(lambda parts: {"any": parts}, st.lists(inner, min_size=1, max_size=4)),
        st.builds(lambda part: {"not": part}, inner),
    ),
    max_leaves=12,
)


@given(rules)
def test_text_round_trips_any_rule_up_to_normalization(rule):
    assert rule_from_text(rule_to_text(rule)) == rule_normalize(rule)


@given(rules)
def test_writing_a_parsed_rule_gives_the_same_text(rule):
    text = rule_to_text(rule)
    assert rule_to_text(rule_from_text(text)) == text
