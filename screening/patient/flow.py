"""The questionnaire as an ordered list of steps, after pretix's checkout flow.

Each step is a small object that knows whether it applies to this patient (does it hold
a question still worth asking?) and whether it is completed (has the patient saved it?).
One dispatcher walks the steps in order and sends the patient to the first step that
applies and is not completed; when none is left, the result page follows.

Which questions a trial needs comes from the engine (`trial_questions`); which of them
are asked follows the skip logic of the question bank (`Question.asked`), re-read after
every step, so an answer can make a later question appear or disappear.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise

from screening.models import Draft
from screening.questions import STEPS, Question
from screening.selectors import trial_questions


@dataclass(frozen=True)
class QuestionStep:
    """One page of the questionnaire: the trial's questions of one theme."""

    identifier: str
    label: Promise | str
    questions: tuple[Question, ...]

    def asked(self, answers: Mapping[str, Any], carried: Sequence[str] = ()) -> list[Question]:
        """The questions to show now, given the answers saved so far; `carried` keys
        (answered in "Find trials for me") are not asked again."""
        return [
            question
            for question in self.questions
            if question.key not in carried and question.asked(answers)
        ]

    def is_applicable(self, draft: Draft) -> bool:
        return bool(self.asked(draft.answers, draft.carried))

    def is_completed(self, draft: Draft) -> bool:
        return self.identifier in draft.completed_steps


class Flow:
    """The steps of one trial's questionnaire, in the order a patient meets them."""

    def __init__(self, steps: Sequence[QuestionStep]) -> None:
        self.steps = list(steps)

    @classmethod
    def for_trial(cls, trial: Any, *, encoded: list[Any] | None = None) -> Flow:
        """The trial's steps; `encoded`: its criteria, when the caller has read them."""
        by_step: dict[str, list[Question]] = {}
        for question in trial_questions(trial=trial, encoded=encoded):
            by_step.setdefault(question.step, []).append(question)
        # Steps with no question for this trial are left out altogether.
        return cls(
            [
                QuestionStep(identifier=key, label=label, questions=tuple(by_step[key]))
                for key, label in STEPS
                if by_step.get(key)
            ]
        )

    def applicable(self, draft: Draft) -> list[QuestionStep]:
        return [step for step in self.steps if step.is_applicable(draft)]

    def get(self, identifier: str) -> QuestionStep | None:
        return next((step for step in self.steps if step.identifier == identifier), None)

    def first_incomplete(self, draft: Draft) -> QuestionStep | None:
        return next((step for step in self.applicable(draft) if not step.is_completed(draft)), None)

    def is_completed(self, draft: Draft) -> bool:
        return self.first_incomplete(draft) is None

    def previous(self, draft: Draft, step: QuestionStep) -> QuestionStep | None:
        steps = self.applicable(draft)
        index = _index(steps, step)
        return steps[index - 1] if index > 0 else None

    def next(self, draft: Draft, step: QuestionStep) -> QuestionStep | None:
        steps = self.applicable(draft)
        index = _index(steps, step)
        return steps[index + 1] if 0 <= index < len(steps) - 1 else None

    def position(self, draft: Draft, step: QuestionStep) -> tuple[int, int]:
        """("Step n of m"), counting only the steps that apply to this patient."""
        steps = self.applicable(draft)
        return _index(steps, step) + 1, len(steps)

    def keys(self) -> set[str]:
        return {question.key for step in self.steps for question in step.questions}


def _index(steps: Sequence[QuestionStep], step: QuestionStep) -> int:
    identifiers = [s.identifier for s in steps]
    return identifiers.index(step.identifier) if step.identifier in identifiers else -1
