"""Rules that can hold: a value outside its question's range, or of the wrong type, is
refused with the range named, by the one validator every path goes through (the rule
language, JSON, the dashboard editor, the admin, the services)."""

import json
import math

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from screening.models import Criterion
from screening.reference import ENCODED
from screening.rule_text import rule_from_text
from screening.rules import RuleInvalid, rule_validate
from screening.services.criteria import criteria_load_encoded, criterion_create
from tests.dashboard_personas import world  # noqa: F401
from tests.factories import TrialFactory


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # The field's example: haemoglobin is asked in g/dL, 2 to 25.
        (
            "hemoglobin_g_dl < 110",
            "hemoglobin_g_dl < 110 compares with a value outside the question's range, "
            "2 to 25 g/dL",
        ),
        ("age >= 150", "outside the question's range, 0 to 120 years"),
        ("mrss between 10 and 60", "mrss between 60 compares"),
        ("platelets_10e9_l > -1", "0 to 2000"),
        ("cd4_10e6_l in (200, 9000)", "0 to 5000"),
        ("lvef_pct < 5", "lvef_pct < 5 can never hold: answers range 5 to 90 %"),
        ("age > 120", "age > 120 can never hold"),
        ("mrss = 20.5", "mrss is a whole number; 20.5 is not"),
    ],
)
def test_a_value_no_answer_can_reach_is_refused_naming_the_range(text, reason):
    with pytest.raises(RuleInvalid) as refused:
        rule_validate(rule_from_text(text))
    assert reason in refused.value.reason


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        ({"q": "age", "op": "ge", "value": "18"}, "must be a number"),
        ({"q": "age", "op": "ge", "value": True}, "must be a number"),
        ({"q": "age", "op": "ge", "value": math.inf}, "must be a number"),
        ({"q": "pregnant", "op": "eq", "value": "yes"}, "must be true or false"),
        ({"q": "sex", "op": "eq", "value": 1}, "must be one of female, male, other"),
        ({"q": "age", "op": "between", "value": [18, "65"]}, "each a number"),
    ],
)
def test_a_value_of_the_wrong_type_is_refused(rule, reason):
    with pytest.raises(RuleInvalid, match=reason):
        rule_validate(rule)


@pytest.mark.parametrize(
    "text",
    ["hemoglobin_g_dl < 11", "age >= 0 and age <= 120", "mrss between 15 and 45", "bmi > 30"],
)
def test_rules_inside_the_range_are_accepted(text):
    rule_validate(rule_from_text(text))


def test_every_built_in_encoding_holds_to_the_ranges():
    for rows in ENCODED.values():
        for _kind, _number, _text, rule, _verify in rows:
            if rule is not None:
                rule_validate(rule)


@pytest.mark.django_db
def test_the_editor_refuses_it_in_text_and_in_json(client, world):  # noqa: F811
    stored = criteria_load_encoded(trial=world.trial_a)
    criterion = next(c for c in stored if c.kind == "exclusion" and c.number == "1")
    client.force_login(world.alice)
    url = reverse("dashboard:criterion_edit", args=["NCT04356287", criterion.pk])
    data = {"kind": "exclusion", "number": "1", "position": 10, "text": "x", "verify_note": ""}
    for rule in ("hemoglobin_g_dl < 110", json.dumps({"q": "age", "op": "ge", "value": 150})):
        response = client.post(url, data | {"rule": rule})
        assert response.status_code == 400
        assert "outside the question" in response.content.decode()
    criterion.refresh_from_db()
    assert criterion.rule == {"q": "age", "op": "lt", "value": 18}


@pytest.mark.django_db
def test_the_admin_and_the_services_refuse_it(admin_client, world):  # noqa: F811
    trial = TrialFactory()
    response = admin_client.post(
        "/admin/screening/criterion/add/",
        {
            "trial": trial.pk,
            "kind": "inclusion",
            "number": "1",
            "position": 0,
            "text": "Haemoglobin",
            "rule": json.dumps({"q": "hemoglobin_g_dl", "op": "lt", "value": 110}),
            "verify_note": "",
        },
    )
    assert response.status_code == 200
    assert "2 to 25 g/dL" in response.content.decode()
    with pytest.raises(ValidationError, match="2 to 25 g/dL"):
        criterion_create(
            trial=trial,
            by=world.alice,
            kind="inclusion",
            number="2",
            text="Haemoglobin",
            rule={"q": "hemoglobin_g_dl", "op": "lt", "value": 110},
        )
    assert not Criterion.objects.filter(trial=trial).exists()


def test_every_rule_the_drafter_proposes_passes_the_validator():
    """The drafter (pure, in screening.engine) proposes; whatever stores its rules goes
    through Criterion.full_clean and so through rule_validate. Its proposals on the Chia
    set already hold to the ranges: none would be refused there."""
    from pathlib import Path

    from screening.engine.drafter import draft_criterion

    drafted = 0
    source = Path(__file__).resolve().parent.parent / "data" / "chia" / "criteria.jsonl"
    for line in source.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        for kind in ("inclusion", "exclusion"):
            for item in (record.get(kind) or "").splitlines():
                proposal = draft_criterion(item.strip(), kind)
                if proposal is not None:
                    rule_validate(proposal.rule)
                    drafted += 1
    assert drafted > 100
