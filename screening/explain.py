"""Sentences a patient can read, from the facts the engine returns.

The engine (`screening.eligibility`) stays pure; this thin layer owns the words, so
they go through gettext and read in the patient's language. Exclusions are worded from
the patient's side: "This does not rule you out", never "exclusion not met".
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from screening.eligibility import (
    EXCLUSION,
    MET,
    NOT_MET,
    CriterionResult,
    Evaluation,
    Fact,
)
from screening.questions import BOOLEAN, QUESTIONS, question_label


def number_text(value: Any) -> str:
    """18.0 -> "18", 17.456 -> "17.46", 17.9996 -> "17.9996": what a person would write,
    never rounded onto a whole number it is not. The decimal mark is the active
    language's ("17,46" in French, from Django's locale formats)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return str(value)
    if float(value).is_integer():
        return str(int(value))
    value = float(value)
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    if "." not in text:
        # 17.9996 must not read "18" beside a threshold of 18.
        text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text.replace(".", str(get_format("DECIMAL_SEPARATOR")))


def _answer_text(key: str, answer: Any) -> str:
    question = QUESTIONS.get(key)
    unit = str(question.unit) if question and question.unit else ""
    if isinstance(answer, list):
        labels = dict(question.choices) if question else {}
        return ", ".join(str(labels.get(a, a)) for a in answer)
    if question and question.choices:
        return str(dict(question.choices).get(answer, answer))
    text = number_text(answer)
    if not unit:
        return text
    if unit == "%":
        # "85%" in English, "85 %" in French (a space before the sign).
        return pgettext("a percentage, e.g. 85%", "%(number)s%%") % {"number": text}
    return f"{text} {unit}"


# One sentence per operator and result; only the one needed is translated.
_TEMPLATES = {
    ("gt", True): gettext_lazy("Your %(label)s, %(answer)s, is above %(value)s"),
    ("gt", False): gettext_lazy("Your %(label)s, %(answer)s, is not above %(value)s"),
    ("ge", True): gettext_lazy("Your %(label)s, %(answer)s, is %(value)s or more"),
    ("ge", False): gettext_lazy("Your %(label)s, %(answer)s, is below %(value)s"),
    ("lt", True): gettext_lazy("Your %(label)s, %(answer)s, is below %(value)s"),
    ("lt", False): gettext_lazy("Your %(label)s, %(answer)s, is not below %(value)s"),
    ("le", True): gettext_lazy("Your %(label)s, %(answer)s, is %(value)s or less"),
    ("le", False): gettext_lazy("Your %(label)s, %(answer)s, is above %(value)s"),
    ("between", True): gettext_lazy("Your %(label)s, %(answer)s, is between %(low)s and %(high)s"),
    ("between", False): gettext_lazy(
        "Your %(label)s, %(answer)s, is not between %(low)s and %(high)s"
    ),
    ("eq", True): gettext_lazy("Your %(label)s is %(answer)s"),
    ("eq", False): gettext_lazy("Your %(label)s is %(answer)s, not %(value)s"),
    ("ne", True): gettext_lazy("Your %(label)s is %(answer)s"),
    ("ne", False): gettext_lazy("Your %(label)s is %(answer)s"),
    ("in", True): gettext_lazy("Your %(label)s is %(answer)s"),
    ("in", False): gettext_lazy("Your %(label)s is %(answer)s, not one of %(value)s"),
}


def fact_sentence(fact: Fact) -> str:
    """One answer and what it means for the test, e.g. "Your skin score, 18, is not above 20"."""
    question = QUESTIONS.get(fact.key)
    if question is not None and question.type == BOOLEAN:
        if fact.answer is None:
            return _("We don't know your answer to “%(question)s” yet") % {
                "question": question.text
            }
        answer = _("Yes") if fact.answer else _("No")
        return _("You answered “%(answer)s” to “%(question)s”") % {
            "answer": answer,
            "question": question.text,
        }
    label = question_label(fact.key)
    if fact.answer is None:
        return _("We don't know your %(label)s yet") % {"label": label}
    params = {"label": label, "answer": _answer_text(fact.key, fact.answer)}
    value = fact.value
    if fact.op == "between":
        params.update(low=number_text(value[0]), high=number_text(value[1]))
    elif fact.op == "in":
        params["value"] = ", ".join(_answer_text(fact.key, v) for v in value)
    else:
        params["value"] = _answer_text(fact.key, value) if question else number_text(value)
    return str(_TEMPLATES[(fact.op, bool(fact.result))]) % params


def criterion_explanation(result: CriterionResult) -> str:
    """What this criterion means for the patient, naming the answers that decided it."""
    exclusion = result.spec.kind == EXCLUSION
    if result.spec.rule is None:
        return _("The study team will check this with you.")
    if result.outcome == MET:
        lead = _("This rules you out") if exclusion else _("You meet this")
    elif result.outcome == NOT_MET:
        lead = _("This does not rule you out") if exclusion else _("You do not meet this")
    else:
        lead = _("We cannot tell yet")
    return " ".join([f"{lead}."] + [f"{fact_sentence(fact)}." for fact in result.facts])


def evaluation_snapshot(*, nct_id: str, evaluation: Evaluation) -> dict[str, Any]:
    """The evaluation snapshot (the shared contract), in the active language."""
    return {
        "trial": nct_id,
        "verdict": evaluation.verdict,
        "score": evaluation.score,
        "criteria": [
            {
                "kind": result.spec.kind,
                "number": result.spec.number,
                "text": result.spec.text,
                "outcome": result.outcome,
                "explanation": criterion_explanation(result),
                "verify": result.spec.verify,
                # Only on outcomes read automatically from the published text and not yet
                # checked by the study team, so every other snapshot keeps its shape.
                **({"unchecked": True} if result.spec.unchecked else {}),
            }
            for result in evaluation.results
        ],
    }
