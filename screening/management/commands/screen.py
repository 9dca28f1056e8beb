"""`manage.py screen NCT_ID ANSWERS [--format json|text]`: screen an answer set.

ANSWERS is a JSON file of {question key: value}, or "-" for stdin. Nothing is saved.
A refused answer set exits non-zero with a message naming every offending key.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from screening.questions import AnswersInvalid
from screening.selectors import trial_evaluate
from trials.models import Trial


class Command(BaseCommand):
    help = "Screen an answer set (JSON) against a trial's criteria and print the evaluation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("nct_id", help="The trial's NCT number, e.g. NCT04356287.")
        parser.add_argument("answers", help='A JSON file of {"question_key": value}, or -.')
        parser.add_argument("--format", choices=("json", "text"), default="json")

    def handle(self, *args: Any, **options: Any) -> None:
        trial = Trial.objects.filter(nct_id=options["nct_id"].upper()).first()
        if trial is None:
            raise CommandError(f"No trial {options['nct_id']!r} in the portal.")
        answers = self._read(options["answers"])
        try:
            evaluation = trial_evaluate(trial=trial, answers=answers)
        except AnswersInvalid as error:
            if hasattr(error, "error_dict"):
                lines = [f"{key}: {m}" for key, ms in error.message_dict.items() for m in ms]
            else:
                lines = error.messages
            reasons = "\n".join(f"  {line}" for line in lines)
            raise CommandError(f"Answers refused:\n{reasons}") from error
        if options["format"] == "json":
            self.stdout.write(json.dumps(evaluation, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(self._text(evaluation))

    def _read(self, source: str) -> Any:
        try:
            if source == "-":
                return json.load(sys.stdin)
            with open(source, encoding="utf-8") as handle:
                return json.load(handle)
        except OSError as error:
            raise CommandError(f"Cannot read {source}: {error.strerror}") from error
        except json.JSONDecodeError as error:
            raise CommandError(f"{source} is not valid JSON: {error}") from error

    def _text(self, evaluation: dict[str, Any]) -> str:
        names = {"inclusion": _("Inclusion"), "exclusion": _("Exclusion")}
        lines = [
            f"{evaluation['trial']}: {evaluation['verdict']} "
            f"({_('score')} {evaluation['score']:.2f})",
        ]
        for item in evaluation["criteria"]:
            lines.append(f"[{item['outcome']:>7}] {names[item['kind']]} {item['number']}")
            lines.append(f"          {item['explanation']}")
            if item["verify"]:
                lines.append(f"          {_('To verify')}: {item['verify']}")
        return "\n".join(lines)
