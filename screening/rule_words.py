"""A rule in words, for the study team reviewing it: "age is 18 years or more".

`rule_in_words(rule) -> str` names each question by its label (or its text, for a yes/no
question), values with their units and choice labels, and spells out all / any / not.
It reads the rule as stored; it does not check it (`screening.rules` does). A comparison
it cannot word (an unknown operator, a malformed node) raises ValueError.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from screening.explain import number_text
from screening.questions import BOOLEAN, QUESTIONS, question_label


def _value(key: str, value: Any) -> str:
    question = QUESTIONS.get(key)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if question is not None and question.choices:
        return str(dict(question.choices).get(value, value))
    text = number_text(value)
    unit = str(question.unit) if question is not None and question.unit else ""
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


_COMPARISONS = {
    "lt": gettext_lazy("%(label)s is below %(value)s"),
    "le": gettext_lazy("%(label)s is %(value)s or less"),
    "gt": gettext_lazy("%(label)s is above %(value)s"),
    "ge": gettext_lazy("%(label)s is %(value)s or more"),
    "eq": gettext_lazy("%(label)s is %(value)s"),
    "ne": gettext_lazy("%(label)s is not %(value)s"),
}


def _comparison(rule: dict[str, Any]) -> str:
    key, op, value = rule.get("q"), rule.get("op"), rule.get("value")
    if not isinstance(key, str):
        raise ValueError(f"{rule!r} is not a comparison")
    question = QUESTIONS.get(key)
    if question is not None and question.type == BOOLEAN and op in ("eq", "ne"):
        answer = value if op == "eq" else not value
        if answer:
            return _("answers Yes to “%(question)s”") % {"question": question.text}
        return _("answers No to “%(question)s”") % {"question": question.text}
    label = question_label(key)
    if op in _COMPARISONS:
        return str(_COMPARISONS[op]) % {"label": label, "value": _value(key, value)}
    if op == "between" and isinstance(value, list) and len(value) == 2:
        return _("%(label)s is between %(low)s and %(high)s") % {
            "label": label,
            "low": _value(key, value[0]),
            "high": _value(key, value[1]),
        }
    if op == "in" and isinstance(value, list):
        return _("%(label)s is one of: %(values)s") % {
            "label": label,
            "values": ", ".join(_value(key, item) for item in value),
        }
    raise ValueError(f"{op!r} cannot be worded")


def _words(rule: Any, *, nested: bool) -> str:
    if not isinstance(rule, dict):
        raise ValueError(f"{rule!r} is not a rule")
    for group, template in (
        ("all", _("all of: %(parts)s")),
        ("any", _("any of: %(parts)s")),
    ):
        if group in rule:
            parts = rule[group]
            if len(parts) == 1:
                return _words(parts[0], nested=nested)
            text = template % {"parts": "; ".join(_words(part, nested=True) for part in parts)}
            return f"({text})" if nested else text
    if "not" in rule:
        return _("not (%(rule)s)") % {"rule": _words(rule["not"], nested=False)}
    return _comparison(rule)


def rule_in_words(rule: Any) -> str:
    """The rule as a phrase, e.g. "all of: age is 18 years or more; answers No to “Are
    you pregnant?”". Raises ValueError for a node it cannot word."""
    return _words(rule, nested=False)


def criterion_rule_in_words(*, kind: str, rule: Any) -> str:
    """What the rule decides for a criterion of `kind`, as a sentence: an inclusion is
    met when the rule holds, an exclusion turns the patient away when it holds."""
    words = rule_in_words(rule)
    if kind == "exclusion":
        return _("Excludes the patient when %(rule)s.") % {"rule": words}
    return _("Met when %(rule)s.") % {"rule": words}
