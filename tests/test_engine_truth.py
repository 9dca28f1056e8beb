"""`rule_truth` (outcomes only) agrees with `rule_test` on every rule and answer set: the
screen-all and next-question paths use it, the result page uses `rule_test`."""

from hypothesis import given
from hypothesis import strategies as st

from screening.eligibility import (
    CriterionSpec,
    criterion_evaluate,
    criterion_outcome,
    rule_test,
    rule_truth,
)

KEYS = ("age", "pregnant", "mrss", "sex")
answers = st.fixed_dictionaries(
    {
        "age": st.one_of(st.none(), st.integers(0, 120)),
        "pregnant": st.one_of(st.none(), st.booleans()),
        "mrss": st.one_of(st.none(), st.integers(0, 51)),
        "sex": st.one_of(st.none(), st.sampled_from(["female", "male", "other"])),
    }
)
comparisons = st.one_of(
    st.builds(
        lambda key, op, value: {"q": key, "op": op, "value": value},
        st.sampled_from(["age", "mrss"]),
        st.sampled_from(["eq", "ne", "lt", "le", "gt", "ge"]),
        st.integers(0, 120),
    ),
    st.builds(lambda v: {"q": "pregnant", "op": "eq", "value": v}, st.booleans()),
    st.builds(
        lambda v: {"q": "sex", "op": "in", "value": v},
        st.lists(st.sampled_from(["female", "male", "other"]), min_size=1, max_size=2),
    ),
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


@given(rule=rules, values=answers)
def test_rule_truth_is_the_truth_of_rule_test(rule, values):
    assert rule_truth(rule, values) == rule_test(rule, values)[0]


@given(
    rule=st.one_of(st.none(), rules),
    values=answers,
    kind=st.sampled_from(["inclusion", "exclusion"]),
)
def test_criterion_outcome_is_the_outcome_of_criterion_evaluate(rule, values, kind):
    spec = CriterionSpec(kind=kind, number="1", text="", rule=rule)
    full, quick = criterion_evaluate(spec, values), criterion_outcome(spec, values)
    assert (quick.outcome, quick.favourable) == (full.outcome, full.favourable)
