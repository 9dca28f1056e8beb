"""The rule schema, and the check that refuses a malformed rule before it is stored.

A rule is ``{"all": [rule, ...]}``, ``{"any": [rule, ...]}``, ``{"not": rule}`` or a
comparison ``{"q": key, "op": op, "value": value}``. The JSON schema checks the shape;
code then checks what a schema cannot: that the key names a question or a derived value,
that the operator and value suit that question's type, and that the value lies in the
question's range (a rule no answer can satisfy is refused, naming the range).
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from screening.eligibility import DERIVED
from screening.questions import (
    BOOLEAN,
    CHOICE,
    DATE,
    INTEGER,
    MULTI,
    NUMBER,
    QUESTIONS,
    Question,
)

OPERATORS = ("eq", "ne", "lt", "le", "gt", "ge", "between", "in")

_GROUP = {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/rule"}}

# One branch per node kind, chosen by the key the node carries, so that an error names
# the branch the author meant rather than "not valid under any of the given schemas".
RULE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$ref": "#/$defs/rule",
    "$defs": {
        "rule": {
            "type": "object",
            "if": {"required": ["all"]},
            "then": {"properties": {"all": _GROUP}, "additionalProperties": False},
            "else": {
                "if": {"required": ["any"]},
                "then": {"properties": {"any": _GROUP}, "additionalProperties": False},
                "else": {
                    "if": {"required": ["not"]},
                    "then": {
                        "properties": {"not": {"$ref": "#/$defs/rule"}},
                        "additionalProperties": False,
                    },
                    "else": {
                        "properties": {
                            "q": {"type": "string", "minLength": 1},
                            "op": {"enum": list(OPERATORS)},
                            "value": {},
                        },
                        "required": ["q", "op", "value"],
                        "additionalProperties": False,
                    },
                },
            },
        }
    },
}
_VALIDATOR = Draft202012Validator(RULE_SCHEMA)

# Operators each question type supports; derived values are numbers.
_OPS_BY_TYPE = {
    BOOLEAN: {"eq", "ne"},
    INTEGER: set(OPERATORS),
    NUMBER: set(OPERATORS),
    DATE: {"eq", "ne", "lt", "le", "gt", "ge", "between", "in"},
    CHOICE: {"eq", "ne", "in"},
    MULTI: {"eq", "ne", "in"},
}


class RuleInvalid(ValueError):
    """A rule was refused; `reason` says where and why, in words an editor can act on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# How deep rules and their values may nest. Real criteria nest three or four levels; the
# bound keeps the validator and the evaluator (both recursive) far from Python's stack.
RULE_MAX_DEPTH = 32


def _check_shape(rule: Any) -> None:
    """Refuse, without recursion, what would break a recursive reader: nesting deeper than
    RULE_MAX_DEPTH, a key that is not a string, a value that is not JSON."""
    stack: list[tuple[Any, int]] = [(rule, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > RULE_MAX_DEPTH:
            raise RuleInvalid(f"rule: nested more than {RULE_MAX_DEPTH} levels deep")
        if isinstance(node, dict):
            if not all(isinstance(key, str) for key in node):
                raise RuleInvalid("rule: every key must be text")
            stack.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list | tuple):
            stack.extend((value, depth + 1) for value in node)
        elif not (node is None or isinstance(node, str | int | float | bool)):
            raise RuleInvalid(f"rule: {type(node).__name__} is not a JSON value")


def rule_validate(rule: Any) -> None:
    """Raise `RuleInvalid` with a clear reason unless `rule` is a well-formed rule."""
    _check_shape(rule)
    error = best_match(_VALIDATOR.iter_errors(rule))
    if error is not None:
        where = _path(error.absolute_path)
        raise RuleInvalid(f"{where}: {error.message}")
    _check_node(rule, "rule")


def _path(parts: Any) -> str:
    text = "rule"
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _check_node(node: dict[str, Any], where: str) -> None:
    for group in ("all", "any"):
        if group in node:
            for index, part in enumerate(node[group]):
                _check_node(part, f"{where}.{group}[{index}]")
            return
    if "not" in node:
        _check_node(node["not"], f"{where}.not")
        return
    _check_comparison(node, where)


def _check_comparison(node: dict[str, Any], where: str) -> None:
    key, op, value = node["q"], node["op"], node["value"]
    if key in DERIVED:
        type_, choices = NUMBER, ()
    elif key in QUESTIONS:
        type_, choices = QUESTIONS[key].type, QUESTIONS[key].choices
    else:
        raise RuleInvalid(f"{where}: {key!r} is not a question or a derived value")
    if op not in _OPS_BY_TYPE[type_]:
        raise RuleInvalid(f"{where}: operator {op!r} does not apply to {type_} question {key!r}")

    def fits(item: Any) -> bool:
        if type_ == BOOLEAN:
            return isinstance(item, bool)
        if type_ in (INTEGER, NUMBER):
            return (
                isinstance(item, int | float) and not isinstance(item, bool) and math.isfinite(item)
            )
        if type_ == DATE:
            return isinstance(item, str) and _is_date(item)
        return isinstance(item, str) and item in [choice for choice, _label in choices]

    expected = {
        BOOLEAN: "true or false",
        INTEGER: "a number",
        NUMBER: "a number",
        DATE: "a date YYYY-MM-DD",
        CHOICE: "one of " + ", ".join(c for c, _l in choices),
        MULTI: "one of " + ", ".join(c for c, _l in choices),
    }[type_]
    if op == "between":
        if not (isinstance(value, list) and len(value) == 2 and all(map(fits, value))):
            raise RuleInvalid(f"{where}: 'between' needs [low, high], each {expected}")
        if value[0] > value[1]:
            raise RuleInvalid(f"{where}: 'between' needs low <= high, got {value}")
    elif op == "in":
        if not (isinstance(value, list) and value and all(map(fits, value))):
            raise RuleInvalid(f"{where}: 'in' needs a non-empty list, each {expected}")
    elif not fits(value):
        raise RuleInvalid(f"{where}: value for {key!r} must be {expected}, got {value!r}")
    if type_ in (INTEGER, NUMBER) and key in QUESTIONS:
        _check_range(QUESTIONS[key], op, value, where)


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _check_range(question: Question, op: str, value: Any, where: str) -> None:
    """Refuse a comparison that no answer in the question's range can satisfy.

    A value outside [min, max] (`hemoglobin_g_dl < 110`: haemoglobin is asked from 2 to
    25 g/dL, so the rule would exclude everyone or no one), "less than the minimum" and
    "more than the maximum", and, for a whole-number question, equality with a fraction.
    """
    low, high = question.min, question.max
    unit = f" {question.unit}" if question.unit else ""
    span = f"{_plain(low)} to {_plain(high)}{unit}"
    values = value if isinstance(value, list) else [value]
    for item in values:
        if (low is not None and item < low) or (high is not None and item > high):
            raise RuleInvalid(
                f"{where}: {question.key} {_OP_WORDS[op]} {_plain(item)} compares with a "
                f"value outside the question's range, {span}"
            )
    if op == "lt" and low is not None and value <= low:
        raise RuleInvalid(
            f"{where}: {question.key} < {_plain(value)} can never hold: answers range {span}"
        )
    if op == "gt" and high is not None and value >= high:
        raise RuleInvalid(
            f"{where}: {question.key} > {_plain(value)} can never hold: answers range {span}"
        )
    if question.type == INTEGER and op in ("eq", "ne", "in"):
        fractions = [item for item in values if item != int(item)]
        if fractions:
            raise RuleInvalid(
                f"{where}: {question.key} is a whole number; {_plain(fractions[0])} is not"
            )


_OP_WORDS = {
    "eq": "=",
    "ne": "!=",
    "lt": "<",
    "le": "<=",
    "gt": ">",
    "ge": ">=",
    "between": "between",
    "in": "in",
}


def _plain(number: float | None) -> str:
    if number is None:
        return "…"
    return str(int(number)) if float(number) == int(number) else str(number)
