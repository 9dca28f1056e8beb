"""The eligibility engine: criteria and answers in, outcomes out.

Pure Python on purpose: no Django, no database, no translation. It is the heart of the
product and must read like the reference page (`NCT04356287.md`):

* Every answer may be unknown (missing, or None: "I don't know"). A test on an unknown
  answer is unknown, and unknowns travel by Kleene's three-valued logic:
  ``any`` is true as soon as one part is true, ``all`` is false as soon as one part is
  false; otherwise an unknown part makes the whole unknown.
* A criterion's outcome is met / not_met / unknown. For an exclusion, met means the
  excluding condition holds: the patient is excluded.
* Verdict: not_eligible if any inclusion is not met or any exclusion is met (this wins
  over unknowns); likely_eligible if every inclusion is met and every exclusion is not;
  needs_review otherwise.
* Score: the share of criteria whose outcome is favourable (inclusion met, exclusion
  not met).

A rule is plain data: ``{"all": [...]}``, ``{"any": [...]}``, ``{"not": rule}`` or a
comparison ``{"q": key, "op": "eq|ne|lt|le|gt|ge|between|in", "value": ...}``
(``between`` is inclusive: ``[lo, hi]``). `screening.rules` checks a rule's shape before
it is stored; this module trusts the rules it is given.

The engine does not write sentences. Each result carries the *facts* that decided it
(which answer was compared with what, and how it came out); `screening.explain` turns
them into sentences in the patient's language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

INCLUSION = "inclusion"
EXCLUSION = "exclusion"

MET = "met"
NOT_MET = "not_met"
UNKNOWN = "unknown"

LIKELY_ELIGIBLE = "likely_eligible"
NEEDS_REVIEW = "needs_review"
NOT_ELIGIBLE = "not_eligible"

# A three-valued truth: True, False, or None for "unknown".
Truth = bool | None
Rule = Mapping[str, Any]


def _bmi(values: Mapping[str, Any]) -> float:
    metres = float(values["height_cm"]) / 100
    # Rounded so that float noise never decides a boundary: 46.08 kg at 160 cm is a BMI
    # of exactly 18, which unrounded floats make 17.999999999999996.
    return round(float(values["weight_kg"]) / (metres * metres), 6)


def _exact_age(values: Mapping[str, Any]) -> None:
    # Age is answered in whole years: the exact age (in years, to the day) is never known
    # here, so a test on it is always unknown and the study team checks it. The basic age
    # rule reads it only for the year that straddles a limit given in months, weeks or
    # days (see `trials.ages`).
    return None


# Values computed from answers, never asked: key -> (the answers it needs, how).
# A derived value is unknown when any answer it needs is unknown.
DERIVED: dict[str, tuple[tuple[str, ...], Callable[[Mapping[str, Any]], Any]]] = {
    "bmi": (("height_cm", "weight_kg"), _bmi),
    "exact_age_years": (("age",), _exact_age),
}


@dataclass(frozen=True)
class CriterionSpec:
    """One criterion as the engine sees it: plain data, no database row.

    `rule` None means the criterion cannot be pre-screened at all: its outcome is always
    unknown and the study team checks it (`verify` says what to check).
    `basic` marks the rules every trial gets from its listing (sex, age, volunteers).
    `drafted` marks a rule read from the published text by the drafter rather than
    encoded by the study team; `unchecked` one the study team has not confirmed yet
    (its outcome still counts, and the patient is told it is an automatic reading).
    """

    kind: str
    number: str
    text: str
    rule: Rule | None
    verify: str = ""
    basic: bool = False
    drafted: bool = False
    unchecked: bool = False


@dataclass(frozen=True)
class Fact:
    """One comparison that decided a criterion: the answer, the test, the result."""

    key: str
    op: str
    value: Any
    answer: Any  # None when unknown
    result: Truth


@dataclass(frozen=True)
class CriterionResult:
    spec: CriterionSpec
    outcome: str
    facts: tuple[Fact, ...]

    @property
    def favourable(self) -> bool:
        wanted = MET if self.spec.kind == INCLUSION else NOT_MET
        return self.outcome == wanted


@dataclass(frozen=True)
class Evaluation:
    verdict: str
    score: float
    results: tuple[CriterionResult, ...]


def answers_with_derived(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers plus every derived value (None where an input is unknown)."""
    values = dict(answers)
    for key, (needs, compute) in DERIVED.items():
        known = all(values.get(need) is not None for need in needs)
        values[key] = compute(values) if known else None
    return values


def _compare(op: str, answer: Any, value: Any) -> bool:
    # A "multi" answer is a list of choices: eq/ne/in ask whether it holds them.
    if isinstance(answer, list):
        chosen = set(answer)
        if op == "eq":
            return value in chosen
        if op == "ne":
            return value not in chosen
        if op == "in":
            return bool(chosen.intersection(value))
        raise ValueError(f"operator {op!r} does not apply to a list of choices")
    if op == "eq":
        return bool(answer == value)
    if op == "ne":
        return bool(answer != value)
    if op == "lt":
        return bool(answer < value)
    if op == "le":
        return bool(answer <= value)
    if op == "gt":
        return bool(answer > value)
    if op == "ge":
        return bool(answer >= value)
    if op == "between":
        low, high = value
        return bool(low <= answer <= high)
    if op == "in":
        return answer in value
    raise ValueError(f"unknown operator {op!r}")


def rule_test(rule: Rule, values: Mapping[str, Any]) -> tuple[Truth, tuple[Fact, ...]]:
    """Test a rule against answers (derived values included) by Kleene logic.

    Returns the truth and the facts that decided it: for a result that is true or false,
    the comparisons that made it so; for an unknown result, the unknown answers that kept
    it open.
    """
    if "all" in rule:
        return _combine([rule_test(part, values) for part in rule["all"]], decisive=False)
    if "any" in rule:
        return _combine([rule_test(part, values) for part in rule["any"]], decisive=True)
    if "not" in rule:
        truth, facts = rule_test(rule["not"], values)
        return (None if truth is None else not truth), facts
    answer = values.get(rule["q"])
    truth = None if answer is None else _compare(rule["op"], answer, rule["value"])
    return truth, (Fact(rule["q"], rule["op"], rule["value"], answer, truth),)


def _combine(
    parts: Sequence[tuple[Truth, tuple[Fact, ...]]], *, decisive: bool
) -> tuple[Truth, tuple[Fact, ...]]:
    """Kleene all (decisive=False) or any (decisive=True) over tested parts.

    One part equal to `decisive` settles the whole. Without one, an unknown part keeps
    it open; otherwise every part agrees and the whole is the opposite of `decisive`.
    """
    settling = [facts for truth, facts in parts if truth is decisive]
    if settling:
        # One true part is reason enough for "any"; every false part of "all" is a
        # reason the patient may want to know.
        return decisive, _flatten(settling[:1] if decisive else settling)
    unknown = [facts for truth, facts in parts if truth is None]
    if unknown:
        return None, _flatten(unknown)
    return (not decisive), _flatten(facts for _, facts in parts)


def _flatten(groups: Iterable[tuple[Fact, ...]]) -> tuple[Fact, ...]:
    seen: dict[tuple[str, str, str], Fact] = {}
    for group in groups:
        for fact in group:
            seen.setdefault((fact.key, fact.op, repr(fact.value)), fact)
    return tuple(seen.values())


def criterion_evaluate(spec: CriterionSpec, values: Mapping[str, Any]) -> CriterionResult:
    """The outcome of one criterion; `values` must include derived values."""
    if spec.rule is None:
        return CriterionResult(spec, UNKNOWN, ())
    truth, facts = rule_test(spec.rule, values)
    outcome = UNKNOWN if truth is None else (MET if truth else NOT_MET)
    return CriterionResult(spec, outcome, facts)


def rule_truth(rule: Rule, values: Mapping[str, Any]) -> Truth:
    """`rule_test`'s truth alone, without collecting the facts: the same Kleene logic
    (an "all" is false on one false part, else unknown on one unknown part, else true;
    "any" the mirror), for the callers that need only outcomes (screening many trials
    at once, the next-question search)."""
    if "all" in rule:
        unknown = False
        for part in rule["all"]:
            truth = rule_truth(part, values)
            if truth is False:
                return False
            unknown = unknown or truth is None
        return None if unknown else True
    if "any" in rule:
        unknown = False
        for part in rule["any"]:
            truth = rule_truth(part, values)
            if truth is True:
                return True
            unknown = unknown or truth is None
        return None if unknown else False
    if "not" in rule:
        truth = rule_truth(rule["not"], values)
        return None if truth is None else not truth
    answer = values.get(rule["q"])
    return None if answer is None else _compare(rule["op"], answer, rule["value"])


def criterion_outcome(spec: CriterionSpec, values: Mapping[str, Any]) -> CriterionResult:
    """`criterion_evaluate` without the facts (empty): the outcome, for verdicts and
    scores, at a fraction of the cost."""
    if spec.rule is None:
        return CriterionResult(spec, UNKNOWN, ())
    truth = rule_truth(spec.rule, values)
    return CriterionResult(spec, UNKNOWN if truth is None else (MET if truth else NOT_MET), ())


def verdict_of(results: Sequence[CriterionResult]) -> str:
    excluded = any(
        (r.spec.kind == INCLUSION and r.outcome == NOT_MET)
        or (r.spec.kind == EXCLUSION and r.outcome == MET)
        for r in results
    )
    if excluded:
        return NOT_ELIGIBLE
    if all(r.favourable for r in results):
        return LIKELY_ELIGIBLE
    return NEEDS_REVIEW


def score_of(results: Sequence[CriterionResult]) -> float:
    """Share of favourable criteria; 1.0 for no criteria (nothing stands in the way)."""
    if not results:
        return 1.0
    return sum(r.favourable for r in results) / len(results)


def evaluate(criteria: Sequence[CriterionSpec], answers: Mapping[str, Any]) -> Evaluation:
    """Evaluate validated answers against criteria, in the order given."""
    values = answers_with_derived(answers)
    results = tuple(criterion_evaluate(spec, values) for spec in criteria)
    return Evaluation(verdict_of(results), score_of(results), results)


def rule_keys(rule: Rule | None) -> set[str]:
    """Every question or derived key a rule reads."""
    if rule is None:
        return set()
    if "all" in rule or "any" in rule:
        parts = rule.get("all", rule.get("any"))
        return set().union(*(rule_keys(part) for part in parts))
    if "not" in rule:
        return rule_keys(rule["not"])
    return {rule["q"]}


def keys_asked(keys: Iterable[str]) -> set[str]:
    """Replace derived keys by the answers they are computed from."""
    asked: set[str] = set()
    for key in keys:
        asked.update(DERIVED[key][0] if key in DERIVED else (key,))
    return asked
