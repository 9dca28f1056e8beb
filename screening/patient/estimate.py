"""How long a trial's questionnaire takes, said truthfully from what it will ask.

The figures per question are the portal's working assumptions, not measurements: about
15 seconds to read and tap a yes/no or multiple-choice answer, and about 45 seconds for
a number or a date, which a patient often has to find on a lab or clinic report. The
total is rounded up to whole minutes. Skip logic can only remove questions, so the
count is an upper bound ("up to").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from screening.questions import BOOLEAN, CHOICE, DATE, INTEGER, NUMBER, Question

from .flow import Flow

SECONDS_CHOICE = 15
SECONDS_VALUE = 45


def offers_unknown(question: Question) -> bool:
    """Whether the form gives this question an “I don't know” answer (clinical questions
    of these types do: see `forms.QuestionsForm`)."""
    return question.clinical and question.type in (BOOLEAN, CHOICE, INTEGER, NUMBER)


@dataclass(frozen=True)
class Estimate:
    questions: int
    steps: int
    minutes: int
    offers_unknown: bool

    def sentence(self) -> str:
        """E.g. "Up to 32 questions on 6 short pages, about 13 minutes." (translated)."""
        return _("%(questions)s on %(pages)s, about %(minutes)s.") % {
            "questions": ngettext("%(n)s question", "Up to %(n)s questions", self.questions)
            % {"n": self.questions},
            "pages": ngettext("%(n)s short page", "%(n)s short pages", self.steps)
            % {"n": self.steps},
            "minutes": ngettext("%(n)s minute", "%(n)s minutes", self.minutes)
            % {"n": self.minutes},
        }


def questionnaire_estimate(trial: Any) -> Estimate:
    """The questions and pages `trial`'s questionnaire may ask, and the minutes they take."""
    flow = Flow.for_trial(trial)
    questions = [question for step in flow.steps for question in step.questions]
    seconds = sum(
        SECONDS_VALUE if question.type in (INTEGER, NUMBER, DATE) else SECONDS_CHOICE
        for question in questions
    )
    return Estimate(
        questions=len(questions),
        steps=len(flow.steps),
        minutes=max(1, math.ceil(seconds / 60)),
        offers_unknown=any(offers_unknown(question) for question in questions),
    )
