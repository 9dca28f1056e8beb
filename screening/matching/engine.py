"""Find trials for me, the pure part: distances, and which question to ask next.

No Django here, as in `screening.eligibility`: plain criteria and answers in, plain
numbers out, so a clinician can read it beside a programmer.

Which question next (after DQueST, Liu et al., JAMIA 2019)
----------------------------------------------------------
The candidate trials are grouped into *shapes*: trials screened by exactly the same
criteria (thousands of listings share a few). For every question still open, and every
answer it may get, we re-evaluate only the shapes whose undecided criteria read that
question, and count the trials whose verdict that answer would change (to "not
eligible", or to "likely eligible"). Each answer counts by how likely it is: a uniform
prior over the question's plausible range, split at the limits the candidate trials
use (a trial asking for "age 18 to 75" splits 0-120 into three ranges weighted 18, 57
and 45), or over its choices. The gain of a question is the expected number of trials
it settles. The best questions make the next page; the flow stops when no question left
can change any candidate's verdict.

DQueST had answer frequencies from a patient population; the portal has none, so the
prior is uniform over the bank's ranges. That is the one assumption to revisit when
real answers accumulate.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from screening.eligibility import (
    DERIVED,
    INCLUSION,
    LIKELY_ELIGIBLE,
    NOT_ELIGIBLE,
    UNKNOWN,
    CriterionResult,
    CriterionSpec,
    Rule,
    answers_with_derived,
    criterion_outcome,
    keys_asked,
    rule_keys,
    verdict_of,
)


@dataclass(frozen=True)
class QuestionDomain:
    """What a question's answers may be: its type, range and choices (plain data)."""

    key: str
    type: str  # boolean | integer | number | choice | multi | date
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    # How likely a patient knows the answer (not "I don't know"): an answer that will
    # probably not come settles little. See `known_likelihood`.
    known: float = 1.0
    order: int = 0  # the bank's order: ties go to the question a patient meets first


@dataclass
class Shape:
    """Trials screened by the same criteria: `count` of them (`members` names them)."""

    specs: tuple[CriterionSpec, ...]
    members: list[Any] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.members)


@dataclass(frozen=True)
class Choice:
    """The next page: question keys (asked, never derived) in gain order, and the figures."""

    keys: tuple[str, ...]
    gains: dict[str, float]
    possible: int  # trials not ruled out by the answers so far
    settled: int  # trials whose verdict no answer left can change


def _thresholds(rule: Rule | None, key: str) -> list[Any]:
    """Every value `rule` compares `key` with."""
    if rule is None:
        return []
    for group in ("all", "any"):
        if group in rule:
            return [v for part in rule[group] for v in _thresholds(part, key)]
    if "not" in rule:
        return _thresholds(rule["not"], key)
    if rule["q"] != key:
        return []
    value = rule["value"]
    return list(value) if isinstance(value, list) else [value]


def answer_samples(domain: QuestionDomain, thresholds: Iterable[Any]) -> list[tuple[Any, float]]:
    """Representative answers with their prior weights (summing to 1).

    Numbers: each limit a trial uses, and a point inside each range between limits,
    weighted by the width of that range within the question's plausible range (limits
    themselves weigh nothing, but keep "≥ 18" and "> 18" apart only through the ranges).
    Booleans, choices: each value alike. Multi: each single choice, and none.
    """
    if domain.type == "boolean":
        return [(True, 0.5), (False, 0.5)]
    if domain.type == "choice":
        share = 1 / max(len(domain.choices), 1)
        return [(choice, share) for choice in domain.choices]
    if domain.type == "multi":
        options: list[Any] = [[choice] for choice in domain.choices] + [[]]
        return [(option, 1 / len(options)) for option in options]
    if domain.type == "date":
        points = sorted({str(t) for t in thresholds if isinstance(t, str)})
        if not points:
            return []
        # Before the first limit, on each, and after the last: alike.
        samples: list[Any] = ["0001-01-01", *points, "9999-12-31"]
        return [(sample, 1 / len(samples)) for sample in samples]
    low = domain.min if domain.min is not None else 0.0
    high = domain.max if domain.max is not None else low + 100.0
    limits = sorted(
        {float(t) for t in thresholds if isinstance(t, int | float) and low <= t <= high}
    )
    edges = [low, *limits, high]
    samples_w: list[tuple[Any, float]] = []
    width = (high - low) or 1.0
    for left, right in zip(edges, edges[1:], strict=False):
        if right <= left:
            continue
        middle: float = (left + right) / 2
        if domain.type == "integer":
            # A whole number strictly inside the range, when there is one.
            middle = math.floor(middle) if math.floor(middle) > left else math.ceil(middle)
            if not left < middle < right:
                continue
        samples_w.append((middle, (right - left) / width))
    samples_w += [(int(v) if domain.type == "integer" else v, 0.0) for v in limits]
    return samples_w


def _results(specs: Sequence[CriterionSpec], values: Mapping[str, Any]) -> list[CriterionResult]:
    # Outcomes only: the choice never reads the facts.
    return [criterion_outcome(spec, values) for spec in specs]


# The keys each rule reads, by rule identity: the same parsed rules serve every request
# (`screening.selectors` caches them by content), so this is computed once per rule.
_KEYS: dict[int, tuple[Rule, frozenset[str]]] = {}


def _rule_keys(rule: Rule | None) -> frozenset[str]:
    if rule is None:
        return frozenset()
    found = _KEYS.get(id(rule))
    if found is None or found[0] is not rule:
        if len(_KEYS) > 100_000:
            _KEYS.clear()
        found = _KEYS[id(rule)] = (rule, frozenset(rule_keys(rule)))
    return found[1]


def open_keys(
    specs: Sequence[CriterionSpec], results: Sequence[CriterionResult], answered: set[str]
) -> set[str]:
    """Keys (derived ones included) of undecided criteria that no answer has covered yet.

    A derived key is open while none of its inputs was answered ("I don't know" to one
    input leaves it unknown for good).
    """
    keys: set[str] = set()
    for spec, result in zip(specs, results, strict=True):
        if result.outcome != UNKNOWN or spec.rule is None:
            continue
        for key in _rule_keys(spec.rule):
            needs = DERIVED[key][0] if key in DERIVED else (key,)
            if not any(need in answered for need in needs):
                keys.add(key)
    return keys


def shape_settled(verdict: str, open_: set[str]) -> bool:
    return verdict == NOT_ELIGIBLE or not open_


def choose_questions(
    shapes: Sequence[Shape],
    answers: Mapping[str, Any],
    domains: Mapping[str, QuestionDomain],
    *,
    askable: set[str] | None = None,
    page_size: int = 3,
    any_left: bool = False,
) -> Choice:
    """The next page of questions for these candidate shapes, given the answers so far.

    `answers` holds every key answered, None for "I don't know" (those are not asked
    again). `domains` describes each askable question; derived keys (BMI) are scored as
    one unit and asked through their inputs. `askable`, when given, limits the keys
    (skip logic decided by the caller). Returns at most `page_size` units; no keys means
    that no question left can change any trial's verdict. With `any_left`, stops at the
    first question that can (its gain then counts only what was seen so far).
    """
    values = answers_with_derived(answers)
    answered = set(answers)
    gains: dict[str, float] = {}
    thresholds: dict[str, list[Any]] = {}
    live: list[tuple[Shape, list[CriterionResult], str, set[str]]] = []
    possible = settled = 0
    for shape in shapes:
        results = _results(shape.specs, values)
        verdict = verdict_of(results)
        open_ = open_keys(shape.specs, results, answered)
        if verdict != NOT_ELIGIBLE:
            possible += shape.count
        if shape_settled(verdict, open_):
            settled += shape.count
            continue
        live.append((shape, results, verdict, open_))
        for spec in shape.specs:
            for key in open_ & _rule_keys(spec.rule):
                thresholds.setdefault(key, []).extend(_thresholds(spec.rule, key))

    def usable(key: str) -> bool:
        inputs = keys_asked({key})
        return all(need in domains and (askable is None or need in askable) for need in inputs)

    samples = {
        key: answer_samples(_domain(key, domains), found)
        for key, found in thresholds.items()
        if usable(key)
    }
    for shape, results, verdict, open_ in live:
        for key in open_:
            if key not in samples:
                continue
            # Only the criteria reading `key` can change.
            touched = [i for i, spec in enumerate(shape.specs) if key in _rule_keys(spec.rule)]
            expected = 0.0
            for value, weight in samples[key]:
                if weight == 0:
                    continue
                trial_values = {**values, key: value}
                changed = list(results)
                for i in touched:
                    changed[i] = criterion_outcome(shape.specs[i], trial_values)
                if verdict_of(changed) != verdict:
                    expected += weight
            if expected:
                known = _domain(key, domains).known
                gains[key] = gains.get(key, 0.0) + expected * known * shape.count
                if any_left:
                    return Choice(
                        keys=tuple(sorted(keys_asked({key}))),
                        gains=gains,
                        possible=possible,
                        settled=settled,
                    )
    best = sorted(gains, key=lambda k: (-round(gains[k], 9), _domain(k, domains).order, k))[
        :page_size
    ]
    keys: list[str] = []
    for key in best:
        for asked in sorted(keys_asked({key})):
            if asked not in keys:
                keys.append(asked)
    return Choice(keys=tuple(keys), gains=gains, possible=possible, settled=settled)


def known_likelihood(*, type_: str, clinical: bool) -> float:
    """How likely a patient can answer: everyone knows their age or whether they are
    pregnant; a yes/no about their own diagnosis most do; a test value (a lung pressure,
    a blood count) few have at hand. A prior for the portal's patients, not a measure."""
    if not clinical:
        return 1.0
    return 0.8 if type_ in ("boolean", "choice", "multi") else 0.4


def _domain(key: str, domains: Mapping[str, QuestionDomain]) -> QuestionDomain:
    """A derived value (BMI) is a number over the plausible range of its formula, known
    when height and weight are."""
    if key in domains:
        return domains[key]
    order = min((domains[k].order for k in keys_asked({key}) if k in domains), default=0)
    return QuestionDomain(key=key, type="number", min=10.0, max=60.0, order=order)


@dataclass(frozen=True)
class Standing:
    """One trial's screening, summed up for the matches page."""

    verdict: str
    score: float
    met: int  # criteria the answers meet (favourable), among those with a rule
    against: int  # criteria the answers fail
    unanswered: int  # criteria with a rule still unknown
    team_only: int  # criteria only the study team can check (no rule)
    failed_keys: tuple[str, ...]  # the keys of the failed criteria, basic ones first
    failed_basic: tuple[str, ...]  # numbers of failed basic criteria ("age", "sex", …)


def standing(results: Sequence[CriterionResult]) -> Standing:
    """Count what the answers settle for one trial (results from `evaluate`)."""
    met = against = unanswered = team_only = 0
    failed_keys: list[str] = []
    failed_basic: list[str] = []
    for result in results:
        if result.spec.rule is None:
            team_only += 1
        elif result.outcome == UNKNOWN:
            unanswered += 1
        elif result.favourable:
            met += 1
        else:
            against += 1
            failed_keys.extend(sorted(rule_keys(result.spec.rule)))
            if result.spec.basic:
                failed_basic.append(result.spec.number)
    verdict = verdict_of(results)
    total = len(results)
    score = 1.0 if not total else sum(r.favourable for r in results) / total
    return Standing(
        verdict, score, met, against, unanswered, team_only, tuple(failed_keys), tuple(failed_basic)
    )


VERDICT_RANK = {LIKELY_ELIGIBLE: 0, "needs_review": 1, NOT_ELIGIBLE: 2}


def rank_key(verdict: str, score: float, km: float | None, nct_id: str) -> tuple[Any, ...]:
    """Matches order: verdict, then score (higher first), then distance (nearer first;
    unknown distance last), then NCT number so the order is stable."""
    return (VERDICT_RANK[verdict], -score, math.inf if km is None else km, nct_id)


__all__ = [
    "INCLUSION",
    "Choice",
    "QuestionDomain",
    "Shape",
    "Standing",
    "answer_samples",
    "choose_questions",
    "rank_key",
    "standing",
]
