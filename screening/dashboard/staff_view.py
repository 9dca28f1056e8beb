"""The applicant page in staff words: criteria, points to check and answers.

- Each criterion reads as a coordinator says it ("Exclusion 3: met, which excludes",
  "Inclusion 2: unknown (skin score not given)"), with a tone for its colour, so that
  colour is never the only carrier of meaning (WCAG 2.1 SC 1.4.1 Use of Color).
- Answers are grouped by the questionnaire's steps, with the question's text and unit,
  never the internal key; a number within a tenth of a threshold that one of the
  trial's rules compares it with is marked (NEAR_THRESHOLD), because a measurement error
  of that size can change the outcome.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from screening.eligibility import CriterionSpec
from screening.models import Application, PointVerification
from screening.questions import QUESTIONS, STEP_ORDER, STEPS
from screening.selectors import trial_criteria

from .selectors import _answer_in_words

NEAR_THRESHOLD = 0.10  # a tenth of the threshold, either side
MISSING_NAMED = 3  # the unknown answers a criterion names before "and n more"
_NUMERIC_OPS = {"lt", "le", "gt", "ge", "eq", "ne", "between"}


def _comparisons(rule: Any) -> Iterator[dict[str, Any]]:
    """Every comparison ``{"q", "op", "value"}`` inside a rule (all/any/not)."""
    if not isinstance(rule, dict):
        return
    if "q" in rule:
        yield rule
    for key in ("all", "any"):
        for child in rule.get(key, []) or []:
            yield from _comparisons(child)
    if "not" in rule:
        yield from _comparisons(rule["not"])


def rule_thresholds(*, specs: list[CriterionSpec]) -> dict[str, list[float]]:
    """The numbers each question key is compared with by the trial's rules."""
    thresholds: dict[str, list[float]] = {}
    for spec in specs:
        for comparison in _comparisons(spec.rule):
            if comparison.get("op") not in _NUMERIC_OPS:
                continue
            values = comparison["value"]
            values = values if isinstance(values, list) else [values]
            for value in values:
                if isinstance(value, int | float) and not isinstance(value, bool):
                    thresholds.setdefault(comparison["q"], []).append(float(value))
    return thresholds


def near_threshold(value: Any, thresholds: list[float]) -> float | None:
    """The threshold ``value`` lies within a tenth of (inclusive), or None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    for threshold in thresholds:
        margin = abs(threshold) * NEAR_THRESHOLD
        if threshold != 0 and abs(value - threshold) <= margin:
            return threshold
    return None


def _label(key: str) -> str:
    question = QUESTIONS.get(key)
    if question is None:
        return key.replace("_", " ")
    return str(question.label or question.text)


@dataclass
class CriterionRow:
    kind: str
    number: str
    text: str
    outcome: str
    words: str  # "met, which excludes", "unknown (skin score not given)"
    tone: str  # "pass" | "fail" | "unknown": the colour, always beside the words
    explanation: str
    verify: str
    to_check: bool
    verification: PointVerification | None = None
    # The outcome came from a drafted rule the team had not checked when the patient applied.
    unchecked: bool = False

    @property
    def name(self) -> str:
        kind = _("Exclusion") if self.kind == "exclusion" else _("Inclusion")
        return f"{kind} {self.number}"

    @property
    def anchor(self) -> str:
        return f"criterion-{self.kind}-{self.number}"


def criterion_rows(
    *,
    application: Application,
    specs: list[CriterionSpec],
    verifications: list[PointVerification],
) -> list[CriterionRow]:
    """The snapshot's criteria in staff words, each with its verification if any."""
    answers = application.answers or {}
    rules = {(s.kind, str(s.number)): s.rule for s in specs}
    verified = {(v.kind, v.number): v for v in verifications}
    rows = []
    for c in (application.evaluation or {}).get("criteria", []):
        kind, number, outcome = c.get("kind"), str(c.get("number")), c.get("outcome")
        excludes = kind == "exclusion"
        if outcome == "met":
            words = _("met, which excludes") if excludes else _("met")
            tone = "fail" if excludes else "pass"
        elif outcome == "not_met":
            words = _("not met") if excludes else _("not met, which excludes")
            tone = "pass" if excludes else "fail"
        else:
            missing = sorted(
                {
                    _label(comparison["q"])
                    for comparison in _comparisons(rules.get((kind, number)))
                    if answers.get(comparison["q"]) is None
                }
            )
            if len(missing) > MISSING_NAMED:
                missing = [
                    *missing[:MISSING_NAMED],
                    _("%(n)d more") % {"n": len(missing) - MISSING_NAMED},
                ]
            words = (
                _("unknown (%(what)s not given)") % {"what": ", ".join(missing)}
                if missing
                else _("unknown (for the team to check)")
            )
            tone = "unknown"
        rows.append(
            CriterionRow(
                kind=kind,
                number=number,
                text=c.get("text", ""),
                outcome=outcome,
                words=words,
                tone=tone,
                explanation=c.get("explanation", ""),
                verify=c.get("verify", ""),
                to_check=outcome == "unknown" or bool(c.get("verify")),
                verification=verified.get((kind, number)),
                unchecked=bool(c.get("unchecked")),
            )
        )
    return rows


@dataclass
class AnswerLine:
    question: str
    value: str
    unit: str
    near: float | None = None


@dataclass
class AnswerStep:
    label: str
    lines: list[AnswerLine] = field(default_factory=list)


def answers_by_step(
    *, answers: dict[str, Any], thresholds: dict[str, list[float]]
) -> list[AnswerStep]:
    """The answers under the questionnaire's steps, in the bank's order."""
    bank_order = {key: position for position, key in enumerate(QUESTIONS)}
    steps = {key: AnswerStep(label=str(label)) for key, label in STEPS}
    other = AnswerStep(label=_("Other answers"))
    for key in sorted(answers, key=lambda k: (bank_order.get(k, len(bank_order)), k)):
        question = QUESTIONS.get(key)
        value = answers[key]
        line = AnswerLine(
            question=str(question.text) if question else _label(key),
            value=_answer_in_words(question, value),
            unit=str(question.unit) if question and question.unit else "",
            near=near_threshold(value, thresholds.get(key, [])),
        )
        target = steps.get(question.step) if question else None
        (target or other).lines.append(line)
    ordered = sorted(steps.items(), key=lambda item: STEP_ORDER[item[0]])
    return [step for _key, step in ordered if step.lines] + ([other] if other.lines else [])


def applicant_staff_view(*, application: Application) -> dict[str, Any]:
    """Everything the staff-facing parts of the applicant page need."""
    specs = trial_criteria(trial=application.trial)
    verifications = list(PointVerification.objects.filter(application=application))
    rows = criterion_rows(application=application, specs=specs, verifications=verifications)
    return {
        "criterion_rows": rows,
        "points": [r for r in rows if r.to_check],
        "answer_steps": answers_by_step(
            answers=application.answers or {}, thresholds=rule_thresholds(specs=specs)
        ),
    }
