"""What the patient reads on the matches page: one plain sentence per trial."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from screening.matching.engine import Standing
from screening.matching.state import SearchState
from screening.questions import BOOLEAN, CHOICE, MULTI, QUESTIONS


def verdict_words(verdict: str) -> dict[str, str]:
    return {
        "likely_eligible": {"label": _("May fit you"), "tone": "success"},
        "needs_review": {"label": _("To check with the study team"), "tone": "info"},
        "not_eligible": {"label": _("Probably not for you"), "tone": "warning"},
    }[verdict]


def why(standing: Standing) -> str:
    """Why a trial is ranked where it is, in one sentence: what the answers settle,
    what they leave open, what only the study team can check."""
    checked = standing.met + standing.against + standing.unanswered
    parts = []
    if standing.unanswered == 0 and standing.met:
        parts.append(
            ngettext(
                "You meet the %(n)d point we could check",
                "You meet the %(n)d points we could check",
                standing.met,
            )
            % {"n": standing.met}
        )
    elif checked:
        parts.append(
            ngettext(
                "You meet %(met)d of the %(n)d point we could check",
                "You meet %(met)d of the %(n)d points we could check",
                checked,
            )
            % {"met": standing.met, "n": checked}
        )
        if standing.unanswered:
            parts.append(
                ngettext(
                    # Not answered, or answered "I don't know": open either way.
                    "%(n)d is still open: it needs an answer you do not have yet",
                    "%(n)d are still open: they need answers you do not have yet",
                    standing.unanswered,
                )
                % {"n": standing.unanswered}
            )
    if standing.team_only:
        if standing.team_only == 1 and not any(
            (standing.met, standing.unanswered, standing.against)
        ):
            parts.append(_("its eligibility criteria are for the study team to check"))
        else:
            parts.append(
                ngettext(
                    "%(n)d is for the study team",
                    "%(n)d are for the study team",
                    standing.team_only,
                )
                % {"n": standing.team_only}
            )
    if not parts:
        return _("Nothing in your answers stands in the way.")
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."


def not_shown(counts: dict[str, int], state: SearchState) -> list[str]:
    """The trials left out, one sentence per reason with a count."""
    lines = []
    if counts.get("too_far"):
        lines.append(
            ngettext(
                "%(n)d trial has no open site within %(km)s km of %(place)s.",
                "%(n)d trials have no open site within %(km)s km of %(place)s.",
                counts["too_far"],
            )
            % {"n": counts["too_far"], "km": state.max_km, "place": state.place_name}
        )
    if counts.get("age"):
        lines.append(
            ngettext(
                "%(n)d trial is for people of another age.",
                "%(n)d trials are for people of another age.",
                counts["age"],
            )
            % {"n": counts["age"]}
        )
    if counts.get("sex"):
        lines.append(
            ngettext(
                "%(n)d trial is open to one sex only.",
                "%(n)d trials are open to one sex only.",
                counts["sex"],
            )
            % {"n": counts["sex"]}
        )
    if counts.get("answers"):
        lines.append(
            ngettext(
                "%(n)d trial is ruled out by one of your answers.",
                "%(n)d trials are ruled out by one of your answers.",
                counts["answers"],
            )
            % {"n": counts["answers"]}
        )
    return lines


def answer_text(key: str, value: Any) -> str:
    """An answer as the patient gave it, in words."""
    if value is None:
        return _("I don't know")
    question = QUESTIONS[key]
    if question.type == BOOLEAN:
        return _("Yes") if value else _("No")
    labels = dict(question.choices)
    if question.type == CHOICE:
        return str(labels.get(value, value))
    if question.type == MULTI:
        return ", ".join(str(labels.get(v, v)) for v in value) or _("None")
    unit = f" {question.unit}" if question.unit else ""
    return f"{value}{unit}"
