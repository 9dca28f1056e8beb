"""The result page at a glance: the verdict, the open points in the patient's own terms,
then each criterion once, grouped.

Groups, in the order the page shows them:
- "decided": what rules the patient out (an inclusion not met, an exclusion met);
- "open": what the answers could not settle (unknown), the study team checks it;
- "met": the rest, folded on the page.

Each row is one line: the criterion as published (English, from the registry, unless
it is one of the portal's own basic rules) and the answers that settled it, without the
"You meet this" lead the group heading already says. An outcome whose criterion dict
carries `unchecked` (an automatic reading of the published criteria that the study team
has not checked yet) keeps the flag for a badge.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from screening.eligibility import (
    EXCLUSION,
    MET,
    NOT_MET,
    UNKNOWN,
    CriterionResult,
    evaluate,
    keys_asked,
)
from screening.explain import fact_sentence
from screening.questions import BOOLEAN, CHOICE, QUESTIONS, answers_validate, question_label
from screening.selectors import trial_criteria

DECIDED, OPEN, MET_GROUP = "decided", "open", "met"


@dataclass(frozen=True)
class OpenPoint:
    """One thing the study team will check, e.g. what="Your skin score",
    state="you answered “I don't know”"."""

    what: str
    state: str
    published: bool = False  # `what` is registry text (English)

    @property
    def sentence(self) -> str:
        return _("%(what)s: %(state)s") % {"what": self.what, "state": self.state}


@dataclass
class Row:
    kind: str
    number: str
    text: str
    outcome: str
    group: str
    published: bool
    facts: list[str] = field(default_factory=list)
    unchecked: bool = False


@dataclass
class Glance:
    verdict: str
    open_points: list[OpenPoint]
    decided: list[Row]
    open: list[Row]
    met: list[Row]


def _group(kind: str, outcome: str) -> str:
    if outcome == UNKNOWN:
        return OPEN
    rules_out = (outcome == MET) if kind == EXCLUSION else (outcome == NOT_MET)
    return DECIDED if rules_out else MET_GROUP


def _point_for_key(key: str, answers: Mapping[str, Any]) -> OpenPoint:
    question = QUESTIONS.get(key)
    if question is not None and question.type in (BOOLEAN, CHOICE):
        what = str(question.text)
    else:
        what = _("Your %(label)s") % {"label": question_label(key)}
    if key in answers and answers[key] is None:
        state = _("you answered “I don't know”")
    else:
        state = _("not answered")
    return OpenPoint(what=what, state=state)


def open_points(results: Sequence[CriterionResult], answers: Mapping[str, Any]) -> list[OpenPoint]:
    """Each unknown answer behind an unknown criterion once, in criterion order; a
    criterion no answer can settle (no rule) is a point of its own."""
    points: list[OpenPoint] = []
    seen: set[str] = set()
    for result in results:
        if result.outcome != UNKNOWN:
            continue
        if result.spec.rule is None:
            text = result.spec.verify or result.spec.text
            points.append(
                OpenPoint(
                    what=str(text),
                    state=_("only the study team can check this"),
                    published=not result.spec.basic,
                )
            )
            continue
        unknown = sorted(
            keys_asked({fact.key for fact in result.facts if fact.answer is None}),
            key=lambda k: list(QUESTIONS).index(k) if k in QUESTIONS else len(QUESTIONS),
        )
        for key in unknown:
            if answers.get(key) is None and key not in seen:
                seen.add(key)
                points.append(_point_for_key(key, answers))
    return points


def result_glance(
    *, trial: Any, answers: Mapping[str, Any], criteria: Sequence[Mapping[str, Any]]
) -> Glance:
    """The page's content for `answers` against `trial`. `criteria` is the evaluation
    snapshot's criteria (`trial_evaluate`), in the engine's order; the engine is run
    again here for the facts behind each outcome, which the snapshot keeps as text."""
    clean = answers_validate(answers)
    evaluation = evaluate(trial_criteria(trial=trial), clean)
    rows: dict[str, list[Row]] = {DECIDED: [], OPEN: [], MET_GROUP: []}
    for result, snapshot in zip(evaluation.results, criteria, strict=True):
        group = _group(result.spec.kind, result.outcome)
        facts = [
            fact_sentence(fact)
            for fact in result.facts
            # The open answers are said once, at the top of the page.
            if not (group == OPEN and fact.answer is None)
        ]
        rows[group].append(
            Row(
                kind=result.spec.kind,
                number=result.spec.number,
                text=str(snapshot.get("text", result.spec.text)),
                outcome=result.outcome,
                group=group,
                published=not result.spec.basic,
                facts=facts,
                unchecked=bool(snapshot.get("unchecked")),
            )
        )
    return Glance(
        verdict=evaluation.verdict,
        open_points=open_points(evaluation.results, clean),
        decided=rows[DECIDED],
        open=rows[OPEN],
        met=rows[MET_GROUP],
    )
