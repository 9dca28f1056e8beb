"""Reads for screening: a trial's criteria, its questions, and an evaluation.

How the basic rules combine with a trial's encoded criteria
-----------------------------------------------------------
Every trial gets basic rules from its listing (sex, minimum/maximum age, healthy
volunteers), computed here at evaluation time and listed first, so every imported trial
can be pre-screened on them. When the trial also has encoded criteria (stored Criterion
rows, or a code encoding in `screening.reference`), those are its published criteria
and they come first in authority:

* a basic rule is dropped when an encoded criterion already reads the same question
  (NCT04356287's exclusion 1 tests `age`, so there is no separate age rule);
* the healthy-volunteer rule is dropped when the trial has inclusion criteria encoded by
  the study team, because they define who the study is for (drafted ones do not).

So the reference trial lists exactly its 4 + 13 published criteria. Drafted criteria
(`screening.services.drafts`) are stored rows too: a drafted or confirmed draft screens
like a hand-encoded rule, a rejected one screens nothing. A trial without
encoded criteria lists its basics and then one item, "the trial's other published
criteria", that only the study team can check: its outcome is always unknown, so such a
trial is never "likely eligible" on its basics alone.
"""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, NamedTuple

from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from screening.eligibility import (
    EXCLUSION,
    INCLUSION,
    LIKELY_ELIGIBLE,
    NEEDS_REVIEW,
    NOT_ELIGIBLE,
    CriterionResult,
    CriterionSpec,
    Rule,
    answers_with_derived,
    criterion_outcome,
    evaluate,
    keys_asked,
    rule_keys,
    score_of,
    verdict_of,
)
from screening.explain import evaluation_snapshot
from screening.models import Application, Criterion
from screening.models.criteria import content_digest, criteria_content
from screening.questions import QUESTIONS, STEP_ORDER, Question, answers_validate
from screening.reference import ENCODED
from trials.ages import age_may_admit_q, limit_is_whole
from trials.folding import condition_fold
from trials.models import Sex, Trial, age_in_words

_BANK_ORDER = {key: index for index, key in enumerate(QUESTIONS)}


def trial_encoded_criteria(*, trial: Trial) -> list[CriterionSpec]:
    """The trial's own published criteria: stored rows, else its code encoding, else none."""
    stored = [criterion_spec(c) for c in trial.criteria.all()]
    return stored or _code_encoding(trial.nct_id)


def criterion_spec(criterion: Criterion) -> CriterionSpec:
    """A stored criterion as the engine sees it (a rejected draft has no rule left)."""
    return CriterionSpec(
        kind=criterion.kind,
        number=criterion.number,
        text=criterion.text,
        rule=criterion.rule,
        verify=criterion.verify_note,
        drafted=criterion.origin == Criterion.Origin.DRAFTER,
        unchecked=criterion.unchecked,
    )


def trial_basic_criteria(
    *, trial: Trial, encoded: list[CriterionSpec] | None = None
) -> list[CriterionSpec]:
    """Rules from the trial's listing that its encoded criteria do not already cover."""
    encoded = trial_encoded_criteria(trial=trial) if encoded is None else encoded
    covered = set().union(*(rule_keys(spec.rule) for spec in encoded))
    basics: list[CriterionSpec] = []

    if trial.sex in (Sex.FEMALE, Sex.MALE) and "sex" not in covered:
        female = trial.sex == Sex.FEMALE
        basics.append(
            CriterionSpec(
                kind=INCLUSION,
                number="sex",
                text=_("Open to women only") if female else _("Open to men only"),
                # "ne" rather than "eq": a patient who answers "other" is not turned away
                # by the pre-screen; the study team talks it through.
                rule={"q": "sex", "op": "ne", "value": "male" if female else "female"},
                verify=_("Sex as the study defines it."),
                basic=True,
            )
        )

    low, high = trial.minimum_age, trial.maximum_age
    if (low is not None or high is not None) and "age" not in covered:
        if low is not None and high is not None:
            text = _("Aged %(low)s to %(high)s") % {
                "low": age_in_words(low),
                "high": age_in_words(high),
            }
        elif low is not None:
            text = _("Aged %(low)s or older") % {"low": age_in_words(low)}
        else:
            text = _("Aged %(high)s or younger") % {"high": age_in_words(high)}
        exact = any(limit is not None and not limit_is_whole(limit) for limit in (low, high))
        basics.append(
            CriterionSpec(
                kind=INCLUSION,
                number="age",
                text=text,
                rule=age_rule(minimum=low, maximum=high),
                verify=_(
                    "Your exact age: the trial's limit is in months, weeks or days, so the "
                    "study team checks it."
                )
                if exact
                else "",
                basic=True,
            )
        )

    # Inclusions the team encoded define who the study is for; drafted ones are read
    # item by item and do not.
    has_inclusions = any(spec.kind == INCLUSION and not spec.drafted for spec in encoded)
    if (
        trial.healthy_volunteers is False
        and not has_inclusions
        and "healthy_volunteer" not in covered
    ):
        basics.append(
            CriterionSpec(
                kind=EXCLUSION,
                number="healthy_volunteers",
                text=_("The study does not accept healthy volunteers"),
                rule={"q": "healthy_volunteer", "op": "eq", "value": True},
                basic=True,
            )
        )
    return basics


def age_rule(*, minimum: float | None, maximum: float | None) -> Rule:
    """The basic age rule of a trial's limits (years), read on whole-year answers as
    `trials.ages.age_admits` reads them: a year straddling a limit given in months,
    weeks or days is unknown, through the exact age that a whole year cannot tell."""
    parts: list[Rule] = []
    if minimum is not None:
        if limit_is_whole(minimum):
            parts.append({"q": "age", "op": "ge", "value": round(minimum)})
        else:
            floor = math.floor(minimum)
            parts.append(
                {
                    "any": [
                        {"q": "age", "op": "ge", "value": floor + 1},
                        {
                            "all": [
                                {"q": "age", "op": "eq", "value": floor},
                                {"q": "exact_age_years", "op": "ge", "value": minimum},
                            ]
                        },
                    ]
                }
            )
    if maximum is not None:
        if limit_is_whole(maximum):
            parts.append({"q": "age", "op": "le", "value": round(maximum)})
        else:
            floor = math.floor(maximum)
            parts.append(
                {
                    "any": [
                        {"q": "age", "op": "lt", "value": floor},
                        {
                            "all": [
                                {"q": "age", "op": "eq", "value": floor},
                                {"q": "exact_age_years", "op": "le", "value": maximum},
                            ]
                        },
                    ]
                }
            )
    return parts[0] if len(parts) == 1 else {"all": parts}


def trial_criteria(
    *, trial: Trial, encoded: list[CriterionSpec] | None = None
) -> list[CriterionSpec]:
    """Everything a patient is screened on for this trial, in the order shown.

    Basics first, then the published criteria (inclusions, then exclusions). For a trial
    without encoded criteria, a last item (number "published", no rule, always unknown)
    stands for the published criteria that only the study team can check. `encoded`,
    when given, stands for `trial_encoded_criteria(trial=trial)` (already read).
    """
    encoded = trial_encoded_criteria(trial=trial) if encoded is None else encoded
    specs = trial_basic_criteria(trial=trial, encoded=encoded) + encoded
    # Even a trial that publishes no criteria text gets this item: with nothing encoded,
    # nobody should read "likely eligible" from its basics alone.
    if not encoded:
        specs.append(
            CriterionSpec(
                kind=INCLUSION,
                number="published",
                text=_("The trial's other published eligibility criteria"),
                rule=None,
                verify=_("All published eligibility criteria: to be checked by the study team."),
                basic=True,
            )
        )
    return specs


def questions_for(keys: set[str]) -> list[Question]:
    """The questions that `keys` need (derived values via their inputs, and whatever
    their `ask_if` reads), in step order."""
    needed = keys_asked(keys)
    pending = list(needed)
    while pending:
        ask_if = QUESTIONS[pending.pop()].ask_if
        for key in keys_asked(rule_keys(ask_if)) - needed:
            needed.add(key)
            pending.append(key)
    return sorted(
        (QUESTIONS[key] for key in needed),
        key=lambda q: (STEP_ORDER[q.step], _BANK_ORDER[q.key]),
    )


def trial_questions(*, trial: Trial, encoded: list[CriterionSpec] | None = None) -> list[Question]:
    """Only the questions this trial's criteria need, in step order. `encoded`: the
    trial's `trial_encoded_criteria`, when the caller has already read them."""
    specs = trial_criteria(trial=trial, encoded=encoded)
    keys = set().union(*(rule_keys(spec.rule) for spec in specs))
    return questions_for(keys)


def trial_evaluate(
    *, trial: Trial, answers: Mapping[str, Any], encoded: list[CriterionSpec] | None = None
) -> dict[str, Any]:
    """The evaluation snapshot (shared contract) of `answers` against the trial.

    The answers pass `answers_validate` first: raises `AnswersInvalid` naming every bad
    key. Explanations are in the active language. `encoded`: the trial's
    `trial_encoded_criteria`, when the caller has already read them in this request.
    """
    clean = answers_validate(answers)
    evaluation = evaluate(trial_criteria(trial=trial, encoded=encoded), clean)
    return evaluation_snapshot(nct_id=trial.nct_id, evaluation=evaluation)


class TrialScreening(NamedTuple):
    """How one patient fares against one trial: enough to list and sort the trials.
    A named tuple: thousands are made per screening, each in a fraction of a dataclass's
    time."""

    nct_id: str
    brief_title: str
    verdict: str
    score: float


def trials_screen_all(
    *, answers: Mapping[str, Any], condition: str | None = None
) -> list[TrialScreening]:
    """One patient's answers against every trial taking applicants, best first
    (`Trial.objects.taking_applicants()`: an open registry status and screening open).
    `condition`, when given, keeps the trials one of whose condition terms (conditions,
    keywords, MeSH terms) contains it.

    A cheap database pre-filter on the listing's structured fields drops the trials whose
    basic rules the answers already fail (sex, and age as `trials.ages.age_may_admit_q`
    reads it: a minimum of 17.5 years keeps a 17-year-old, to be checked), unless
    encoded criteria stand in for those rules. The others are evaluated in Python,
    without explanations. Thousands of trials share a few shapes (the same listing
    limits, the same criteria: `Trial.criteria_digest`), so each distinct shape is
    evaluated once, and criteria are read only for a digest not parsed before in this
    process (`criteria_by_digest`). One query, two when a digest is new. Raises
    `AnswersInvalid` like `trial_evaluate`.
    """
    clean = answers_validate(answers)
    listing = Q()
    if clean.get("sex") == "female":
        listing &= ~Q(sex=Sex.MALE)
    elif clean.get("sex") == "male":
        listing &= ~Q(sex=Sex.FEMALE)
    age = clean.get("age")
    if age is not None:
        listing &= age_may_admit_q(math.floor(age))
    # Encoded criteria may replace the listing's sex and age rules: those trials are
    # always evaluated.
    encoded = ~Q(criteria_digest="") | Q(nct_id__in=ENCODED)
    trials = Trial.objects.taking_applicants().order_by()
    if condition:
        trials = trials.filter(condition_terms__contains=condition_fold(condition))
    rows = list(
        trials.filter(listing | encoded).values_list(
            "nct_id",
            "brief_title",
            "criteria_digest",
            "sex",
            "minimum_age",
            "maximum_age",
            "healthy_volunteers",
            "pk",
        )
    )
    contents = criteria_by_digest({row[2]: row[7] for row in rows if row[2]})
    values = answers_with_derived(clean)
    shared: dict[str, tuple[CriterionResult, ...]] = {}
    outcomes: dict[tuple[Any, ...], tuple[int, float, str]] = {}
    screened = []
    for row in rows:
        # (digest, sex, minimum_age, maximum_age, healthy_volunteers): the shape. A trial
        # screened on its code encoding (no stored rows) is a shape of its own.
        shape = row[2:7] if row[2] or row[0] not in ENCODED else (row[0], *row[2:7])
        outcome = outcomes.get(shape)
        if outcome is None:
            digest = row[2]
            stored = contents[digest] if digest else []
            code = row[0] if len(shape) > 5 else ""
            specs = _shape_specs(row[2:7], code, stored)
            results = _results(specs, stored, digest, values, shared)
            verdict = verdict_of(results)
            outcome = outcomes[shape] = (_VERDICT_RANK[verdict], -score_of(results), verdict)
        screened.append((outcome[0], outcome[1], row[0], outcome[2], row[1]))
    # Best first: rank, then score, then NCT number, which is unique, so the sort never
    # compares further.
    screened.sort()
    return [
        TrialScreening(nct_id, title, verdict, -negative_score)
        for _rank, negative_score, nct_id, verdict, title in screened
    ]


# A shape's specs (basic rules from its listing, then its stored or code criteria), by
# (language, digest, listing, code): they never depend on the answers, and building
# them (texts through gettext) costs more than evaluating them. Bounded like _PARSED.
_SPECS: OrderedDict[tuple[Any, ...], list[CriterionSpec]] = OrderedDict()
_SPECS_MAX = 20_000


def _shape_specs(
    shape: tuple[Any, ...], code: str, stored: list[CriterionSpec]
) -> list[CriterionSpec]:
    key = (get_language(), *shape, code)
    with _PARSED_LOCK:
        found = _SPECS.get(key)
        if found is not None:
            _SPECS.move_to_end(key)
            return found
    # Only the listing fields the basic rules read are set on this stand-in.
    listing = Trial(
        sex=shape[1],
        minimum_age=shape[2],
        maximum_age=shape[3],
        healthy_volunteers=shape[4],
        nct_id=code,
    )
    specs = trial_criteria(trial=listing, encoded=stored or _code_encoding(code))
    with _PARSED_LOCK:
        if shape[0] and _PARSED.get(shape[0]) is not stored:
            return specs  # a stale digest's criteria (see criteria_by_digest): not kept
        _SPECS[key] = specs
        while len(_SPECS) > _SPECS_MAX:
            _SPECS.popitem(last=False)
    return specs


def _results(
    specs: list[CriterionSpec],
    stored: list[CriterionSpec],
    digest: str,
    values: Mapping[str, Any],
    shared: dict[str, tuple[CriterionResult, ...]],
) -> tuple[CriterionResult, ...]:
    """`evaluate`'s results for `specs`, reusing those of a stored content's criteria.

    Many listings share one content: its criteria do not read the listing, so they are
    evaluated once per content (kept in `shared`), when `specs` ends with them.
    """
    split = len(specs) - len(stored)
    if (
        not stored
        or split < 0
        or any(a is not b for a, b in zip(specs[split:], stored, strict=True))
    ):
        return tuple(criterion_outcome(spec, values) for spec in specs)
    if digest not in shared:
        shared[digest] = tuple(criterion_outcome(spec, values) for spec in stored)
    return tuple(criterion_outcome(spec, values) for spec in specs[:split]) + shared[digest]


def _code_encoding(nct_id: str) -> list[CriterionSpec]:
    """The code encoding of a trial (see `screening.reference`), or none."""
    return [
        CriterionSpec(kind=kind, number=number, text=text, rule=rule, verify=verify)
        for kind, number, text, rule, verify in ENCODED.get(nct_id, [])
    ]


# Parsed criteria by digest (`Trial.criteria_digest`), kept across requests: a digest
# names one content for good (an edited criterion gives its trial another digest).
# Bounded, least recently used out first: an evicted content costs one query on its
# next screening.
_PARSED: OrderedDict[str, list[CriterionSpec]] = OrderedDict()
_PARSED_MAX = 4096
_PARSED_LOCK = threading.Lock()


def criteria_by_digest(representatives: Mapping[str, int]) -> dict[str, list[CriterionSpec]]:
    """The criteria (texts left out) of each digest, parsed, from `representatives`
    (digest -> the pk of one trial that has it). Reads the criteria of the digests not
    parsed before in this process, in one query; none when all were.

    A stored digest that no longer matches its trial's rows (written around the ORM) is
    answered from the rows read, and not kept.
    """
    found: dict[str, list[CriterionSpec]] = {}
    missing: dict[int, str] = {}
    with _PARSED_LOCK:
        for digest, pk in representatives.items():
            parsed = _PARSED.get(digest)
            if parsed is None:
                missing[pk] = digest
            else:
                _PARSED.move_to_end(digest)
                found[digest] = parsed
    if not missing:
        return found
    rows: dict[int, list[tuple[str, str, Any, str]]] = {pk: [] for pk in missing}
    for trial_id, *row in (
        Criterion.objects.filter(trial_id__in=list(missing))
        .order_by()
        .values_list("trial_id", "kind", "number", "rule", "origin")
    ):
        rows[trial_id].append(tuple(row))  # type: ignore[arg-type]
    for pk, digest in missing.items():
        content = criteria_content(rows[pk])
        parsed = [
            CriterionSpec(
                kind=kind,
                number=number,
                text="",
                rule=json.loads(rule) if rule else None,
                drafted=drafted,
            )
            for kind, number, rule, drafted in content
        ]
        found[digest] = parsed
        if content_digest(content) == digest:
            with _PARSED_LOCK:
                _PARSED[digest] = parsed
                while len(_PARSED) > _PARSED_MAX:
                    _PARSED.popitem(last=False)
    return found


_VERDICT_RANK = {LIKELY_ELIGIBLE: 0, NEEDS_REVIEW: 1, NOT_ELIGIBLE: 2}


def trial_applied_count(*, trial: Trial) -> int:
    """How many patients applied to `trial` and did not withdraw: one COUNT read from the
    (trial, status, score) index, never a join over every application."""
    return (
        Application.objects.filter(trial=trial).exclude(status=Application.Status.WITHDRAWN).count()
    )
