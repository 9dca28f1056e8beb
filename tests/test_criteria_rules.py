"""Rule validation: a malformed rule is refused with a clear reason."""

import pytest
from django.core.exceptions import ValidationError

from screening.models import Criterion
from screening.reference import ENCODED
from screening.rules import RuleInvalid, rule_validate
from tests.factories import TrialFactory


@pytest.mark.parametrize("rule", [rule for *_, rule, _verify in ENCODED["NCT04356287"]])
def test_every_reference_rule_is_valid(rule):
    rule_validate(rule)


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        ([], "rule: [] is not of type 'object'"),
        ({"all": []}, "rule.all: [] should be non-empty"),
        ({"all": [{"q": "mrss", "op": "gt"}]}, "rule.all[0]: 'value' is a required property"),
        ({"q": "mrss", "op": "above", "value": 20}, "rule.op: 'above' is not one of"),
        ({"q": "mrss", "op": "gt", "value": 20, "x": 1}, "'x' was unexpected"),
        ({"not": {"q": "mrsss", "op": "gt", "value": 1}}, "'mrsss' is not a question"),
        ({"q": "mrss", "op": "gt", "value": "20"}, "value for 'mrss' must be a number"),
        ({"q": "pregnant", "op": "eq", "value": "yes"}, "must be true or false"),
        ({"q": "pregnant", "op": "gt", "value": True}, "operator 'gt' does not apply"),
        ({"q": "gfr_ml_min", "op": "between", "value": [89, 30]}, "low <= high"),
        ({"q": "gfr_ml_min", "op": "between", "value": 30}, "'between' needs [low, high]"),
        ({"q": "sex", "op": "in", "value": ["robot"]}, "'in' needs a non-empty list"),
    ],
)
def test_a_malformed_rule_is_refused_with_its_reason(rule, reason):
    with pytest.raises(RuleInvalid) as refused:
        rule_validate(rule)
    assert reason in refused.value.reason


def test_a_derived_value_can_be_tested():
    rule_validate({"q": "bmi", "op": "lt", "value": 18})


@pytest.mark.django_db
def test_the_criterion_model_refuses_a_bad_rule_on_clean():
    criterion = Criterion(
        trial=TrialFactory(), kind="inclusion", number="1", text="x", rule={"q": "nope"}
    )
    with pytest.raises(ValidationError) as refused:
        criterion.full_clean()
    assert "rule" in refused.value.message_dict
