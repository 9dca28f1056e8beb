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

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, TextField
from django.db.models.functions import Cast
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
    criterion_evaluate,
    evaluate,
    keys_asked,
    rule_keys,
    score_of,
    verdict_of,
)
from screening.explain import evaluation_snapshot
from screening.models import Application, Criterion
from screening.questions import QUESTIONS, STEP_ORDER, Question, answers_validate
from screening.reference import ENCODED
from trials.ages import age_may_admit_q, limit_is_whole
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


@dataclass(frozen=True)
class TrialScreening:
    """How one patient fares against one trial: enough to list and sort the trials."""

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
    limits, the same criteria), so each distinct shape is
    evaluated once. Two queries. Raises `AnswersInvalid` like `trial_evaluate`.
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
    encoded = Exists(Criterion.objects.filter(trial=OuterRef("pk"))) | Q(nct_id__in=ENCODED)
    taking = Trial.objects.taking_applicants().order_by()
    if condition:
        taking = taking.filter(condition_terms__contains=" ".join(condition.lower().split()))
    trials = taking.filter(listing | encoded)

    # Every trial with stored criteria passes the listing filter above, so these are
    # exactly the criteria of the trials screened, without repeating that filter.
    contents, content_of = _criteria_contents(
        criteria=Criterion.objects.filter(trial__in=taking.values("pk"))
    )
    # Only the listing fields the basic rules read are set on this stand-in.
    listing_trial = Trial()
    values = answers_with_derived(clean)
    shared: dict[int, tuple[CriterionResult, ...]] = {}
    outcomes: dict[tuple[Any, ...], tuple[int, float, str]] = {}
    rows = []
    for pk, nct_id, title, *limits in trials.values_list(
        "pk", "nct_id", "brief_title", "sex", "minimum_age", "maximum_age", "healthy_volunteers"
    ):
        content = content_of.get(pk, -1)
        # A trial screened on its code encoding (no stored rows) is a shape of its own.
        code = nct_id if content < 0 and nct_id in ENCODED else ""
        shape = (*limits, content, code)
        outcome = outcomes.get(shape)
        if outcome is None:
            (
                listing_trial.sex,
                listing_trial.minimum_age,
                listing_trial.maximum_age,
                listing_trial.healthy_volunteers,
            ) = limits
            listing_trial.nct_id = code
            encoded = contents[content] if content >= 0 else _code_encoding(code)
            specs = trial_criteria(trial=listing_trial, encoded=encoded)
            results = _results(specs, encoded if content >= 0 else [], content, values, shared)
            verdict = verdict_of(results)
            outcome = outcomes[shape] = (_VERDICT_RANK[verdict], -score_of(results), verdict)
        rows.append((*outcome, nct_id, title))
    # Best first; nct_id is unique, so the sort never reaches the title.
    rows.sort(key=lambda row: (row[0], row[1], row[3]))
    return [
        TrialScreening(nct_id, title, verdict, -negative_score)
        for _rank, negative_score, verdict, nct_id, title in rows
    ]


def _results(
    specs: list[CriterionSpec],
    stored: list[CriterionSpec],
    content: int,
    values: Mapping[str, Any],
    shared: dict[int, tuple[CriterionResult, ...]],
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
        return tuple(criterion_evaluate(spec, values) for spec in specs)
    if content not in shared:
        shared[content] = tuple(criterion_evaluate(spec, values) for spec in stored)
    return tuple(criterion_evaluate(spec, values) for spec in specs[:split]) + shared[content]


def _code_encoding(nct_id: str) -> list[CriterionSpec]:
    """The code encoding of a trial (see `screening.reference`), or none."""
    return [
        CriterionSpec(kind=kind, number=number, text=text, rule=rule, verify=verify)
        for kind, number, text, rule, verify in ENCODED.get(nct_id, [])
    ]


def _criteria_contents(
    *, criteria: QuerySet[Criterion]
) -> tuple[list[list[CriterionSpec]], dict[int, int]]:
    """The distinct criteria contents among `criteria`, and which one each trial has.

    A content is every (kind, number, rule as JSON text, drafted) of a trial, sorted
    (whether an inclusion was drafted decides the healthy-volunteer rule): equal text,
    equal rule, so trials with equal contents are screened alike, and each content's
    rules are parsed once. Texts are left out: they do not change a verdict.
    """
    rows: dict[int, list[tuple[str, str, str | None, bool]]] = {}
    # No ordering: the items are sorted here, per trial.
    for trial_id, kind, number, rule, origin in criteria.order_by().values_list(
        "trial_id", "kind", "number", Cast("rule", TextField()), "origin"
    ):
        rows.setdefault(trial_id, []).append(
            (kind, number, rule, origin == Criterion.Origin.DRAFTER)
        )
    contents: list[list[CriterionSpec]] = []
    index: dict[tuple[tuple[str, str, str | None, bool], ...], int] = {}
    content_of = {}
    for trial_id, items in rows.items():
        content = tuple(sorted(items))
        found = index.get(content)
        if found is None:
            found = index[content] = len(contents)
            contents.append(_content_parsed(content))
        content_of[trial_id] = found
    return contents, content_of


# Parsed criteria contents by content hash, kept across requests: a content never
# changes (an edited criterion is another content, so another hash). Bounded: cleared
# whole when full, which costs one parse per content on the next screening.
_PARSED: dict[str, list[CriterionSpec]] = {}
_PARSED_MAX = 20_000


def _content_parsed(
    content: tuple[tuple[str, str, str | None, bool], ...],
) -> list[CriterionSpec]:
    digest = hashlib.sha256(json.dumps(content).encode()).hexdigest()
    parsed = _PARSED.get(digest)
    if parsed is None:
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        parsed = _PARSED[digest] = [
            CriterionSpec(
                kind=kind,
                number=number,
                text="",
                rule=json.loads(rule) if rule else None,
                drafted=drafted,
            )
            for kind, number, rule, drafted in content
        ]
    return parsed


def criteria_contents_of(
    *, trial_ids: list[int]
) -> tuple[list[list[CriterionSpec]], dict[int, int]]:
    """The distinct criteria contents of these trials (parsed once, cached by content
    hash), and which one each trial with stored criteria has. One query."""
    if not trial_ids:
        return [], {}
    return _criteria_contents(criteria=Criterion.objects.filter(trial_id__in=trial_ids))


_VERDICT_RANK = {LIKELY_ELIGIBLE: 0, NEEDS_REVIEW: 1, NOT_ELIGIBLE: 2}


def trial_applied_count(*, trial: Trial) -> int:
    """How many patients applied to `trial` and did not withdraw: one COUNT read from the
    (trial, status, score) index, never a join over every application."""
    return (
        Application.objects.filter(trial=trial).exclude(status=Application.Status.WITHDRAWN).count()
    )
