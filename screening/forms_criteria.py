"""Forms for editing criteria, shared by the Django admin and the dashboard editor.

A rule is written as text (`screening.rule_text`), checked by `screening.rules` and
stored as JSON. Pasting the JSON itself also works, for whoever has it at hand.
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from screening.eligibility import DERIVED, rule_keys
from screening.models import Criterion
from screening.questions import (
    BOOLEAN,
    CHOICE,
    DATE,
    DERIVED_LABELS,
    DONT_KNOW,
    MULTI,
    QUESTIONS,
    Question,
)
from screening.rule_text import RuleSyntaxError, rule_from_text, rule_to_text
from screening.rules import RULE_MAX_DEPTH, RuleInvalid, rule_validate

RULE_HELP = _(
    "For example: mrss > 20 and (esr_mm_h > 25 or hemoglobin_g_dl < 11) · not pregnant · "
    "gfr_ml_min between 30 and 89 · sex in (female, other). Compare with = != < <= > >=; "
    "answers yes and no; combine with and, or, not and parentheses. Leave empty when only "
    "the study team can check this criterion."
)


def _unknown_keys(rule: Any) -> list[str]:
    try:
        keys = rule_keys(rule)
    except (KeyError, TypeError, AttributeError, RecursionError):
        return []
    # A key that is not text is refused by the schema; it has no close keys to offer.
    return sorted(
        key for key in keys if isinstance(key, str) and key not in QUESTIONS and key not in DERIVED
    )


def rule_check(rule: Any) -> None:
    """`rule_validate`, with the known keys closest to any unknown one named in the reason."""
    try:
        rule_validate(rule)
    except RuleInvalid as error:
        reason = error.reason
        known = [*QUESTIONS, *DERIVED]
        for key in _unknown_keys(rule):
            close = (
                difflib.get_close_matches(key, known, n=4, cutoff=0.5)
                or [k for k in known if key.lower() in k.lower()][:4]
            )
            if close:
                reason += ". " + gettext("Close keys: %(keys)s") % {"keys": ", ".join(close)}
        raise forms.ValidationError(reason, code="rule_invalid") from error


# Brackets a rule's JSON may nest: two per rule level ({"all": [ ... ]}) and a little
# for a value's list; deeper text is refused before Python's recursive JSON reader sees it.
_JSON_MAX_BRACKETS = 2 * RULE_MAX_DEPTH + 4


def _json_nesting(text: str) -> int:
    """The deepest nesting of [ and { in JSON text, strings skipped (no recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is not a finite number")
    return number


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


class RuleField(forms.CharField):
    """A rule as an expression in a textarea; cleans to the rule's JSON (or None)."""

    widget = forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "class": "font-monospace"})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", RULE_HELP)
        kwargs.setdefault("label", _("Rule"))
        kwargs.setdefault("max_length", 10_000)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, str) and value.lstrip().startswith("{"):
            # A model form's initial JSONField value arrives as its JSON text.
            try:
                value = json.loads(value)
            except ValueError:
                return value
        if isinstance(value, dict):
            try:
                return rule_to_text(value)
            except ValueError:
                return json.dumps(value)
        return value

    def to_python(self, value: Any) -> dict[str, Any] | None:
        text = super().to_python(value)
        if not text:
            return None
        if text.startswith("{"):
            if _json_nesting(text) > _JSON_MAX_BRACKETS:
                raise forms.ValidationError(
                    gettext("This rule is nested more than %(depth)d levels deep.")
                    % {"depth": RULE_MAX_DEPTH},
                    code="rule_depth",
                )
            try:
                # NaN and infinities are not JSON: a database would refuse to store them.
                return json.loads(text, parse_float=_finite, parse_constant=_no_constant)
            except ValueError as error:
                raise forms.ValidationError(
                    gettext("This JSON is not well formed: %(reason)s") % {"reason": error},
                    code="rule_syntax",
                ) from error
        try:
            return rule_from_text(text)
        except RuleSyntaxError as error:
            raise forms.ValidationError(
                gettext("%(reason)s, at character %(position)s: “%(context)s”")
                % {
                    "reason": error.message,
                    "position": error.position + 1,
                    "context": text[max(0, error.position - 15) : error.position + 15],
                },
                code="rule_syntax",
            ) from error

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None:
            rule_check(value)

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(data) != (
                json.loads(initial) if isinstance(initial, str) and initial else initial
            )
        except (forms.ValidationError, ValueError):
            return True


class CriterionForm(forms.ModelForm):
    """One criterion; with `trial` given (the dashboard), its number must be free there."""

    rule = RuleField()

    class Meta:
        model = Criterion
        fields = ["kind", "number", "position", "text", "rule", "verify_note"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 4}),
            "verify_note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, trial: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.trial = trial

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.trial is not None and data.get("kind") and data.get("number"):
            taken = Criterion.objects.filter(
                trial=self.trial, kind=data["kind"], number=data["number"]
            ).exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error(
                    "number",
                    gettext("This trial already has a criterion of this kind with this number."),
                )
        return data


@dataclass(frozen=True)
class QuestionRow:
    key: str
    text: str
    type: str
    unit: str
    range: str
    choices: str


def question_rows(questions: Iterable[Question]) -> list[QuestionRow]:
    """What an editor needs to know of each question to write a rule on it."""
    rows = []
    for q in questions:
        low = "" if q.min is None else f"{q.min:g}"
        high = "" if q.max is None else f"{q.max:g}"
        choices = ", ".join(f"{value} ({label})" for value, label in q.choices)
        if q.type == BOOLEAN:
            choices = "yes, no"
        rows.append(
            QuestionRow(
                key=q.key,
                text=str(q.text),
                type=q.type,
                unit=str(q.unit),
                range=f"{low}–{high}" if low or high else "",
                choices=choices,
            )
        )
    return rows


def derived_rows() -> list[QuestionRow]:
    """Values computed from answers, never asked, which rules may read too."""
    return [
        QuestionRow(
            key=key,
            text=gettext("%(label)s, computed from %(keys)s")
            % {"label": DERIVED_LABELS.get(key, key), "keys": ", ".join(needs)},
            type="number",
            unit="",
            range="",
            choices="",
        )
        for key, (needs, _compute) in DERIVED.items()
    ]


def questions_reference_html(*, trial_questions: Iterable[Question]) -> SafeString:
    """The questions this trial uses and the whole bank, as the editor shows them."""
    return render_to_string(
        "dashboard/criteria_questions.html",
        {
            "trial_rows": question_rows(trial_questions),
            "bank_rows": question_rows(QUESTIONS.values()) + derived_rows(),
        },
    )


class PreviewAnswersForm(forms.Form):
    """Example answers for the questions a rule reads; nothing typed here is stored."""

    prefix = "answer"

    def __init__(self, *args: Any, questions: Iterable[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for q in self.questions:
            self.fields[q.key] = _answer_field(q)

    def answers(self) -> dict[str, Any]:
        """The raw answers, in the questionnaire's form encoding (for `answers_validate`)."""
        return {key: value for key, value in self.cleaned_data.items() if value not in ("", [])}


def _answer_field(q: Question) -> forms.Field:
    label = f"{q.text} ({q.key})"
    unit = str(q.unit)
    help_text = gettext("in %(unit)s") % {"unit": unit} if unit else ""
    dont_know = (DONT_KNOW, _("I don't know"))
    if q.type == BOOLEAN:
        return forms.ChoiceField(
            label=label,
            choices=[("true", _("Yes")), ("false", _("No")), dont_know],
            initial=DONT_KNOW,
            widget=forms.RadioSelect,
            required=False,
        )
    if q.type == CHOICE:
        return forms.ChoiceField(
            label=label, choices=[dont_know, *q.choices], initial=DONT_KNOW, required=False
        )
    if q.type == MULTI:
        return forms.MultipleChoiceField(
            label=label,
            choices=list(q.choices),
            widget=forms.CheckboxSelectMultiple,
            required=False,
        )
    if q.type == DATE:
        return forms.CharField(
            label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
        )
    attrs = {"step": "any", "inputmode": "decimal"}
    if q.min is not None:
        attrs["min"] = f"{q.min:g}"
    if q.max is not None:
        attrs["max"] = f"{q.max:g}"
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.NumberInput(attrs=attrs),
    )
