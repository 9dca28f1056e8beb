"""Forms of the patient journey.

The questionnaire form is built from the question bank: each question's form field is
named by its key (`<input name="mrss">`). Every clinical question offers "I don't know";
nothing is pre-selected. Values are parsed here with messages a patient can act on, and
the whole answer set then passes the bank's own gate (`answers_validate`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from screening import numbers
from screening.models import Application
from screening.questions import (
    BOOLEAN,
    CHOICE,
    DATE,
    INTEGER,
    MULTI,
    NUMBER,
    AnswersInvalid,
    Question,
    answers_validate,
)

UNKNOWN = "unknown"
UNKNOWN_SUFFIX = "__unknown"
MEANT_SUFFIX = "__meant"
YES, NO = "true", "false"


def unknown_name(key: str) -> str:
    return f"{key}{UNKNOWN_SUFFIX}"


def meant_name(key: str) -> str:
    """The field of "Which did you mean?", asked when a typed number reads two ways."""
    return f"{key}{MEANT_SUFFIX}"


@dataclass(frozen=True)
class QuestionField:
    """What the template needs to draw one question."""

    question: Question
    field: forms.BoundField
    unknown: forms.BoundField | None
    # Whether "I don't know" shows selected (a number typed beside it unselects it).
    unknown_selected: bool = False
    # (value as posted, words) of each reading of an ambiguous number, to choose from.
    meant_choices: tuple[tuple[str, str], ...] = dataclass_field(default=())

    @property
    def kind(self) -> str:
        if self.question.type in (INTEGER, NUMBER):
            return "number"
        if self.question.type == MULTI:
            return "checkboxes"
        if self.question.type == DATE:
            return "date"
        return "radios"

    @property
    def inputmode(self) -> str:
        return "numeric" if self.question.type == INTEGER else "decimal"

    @property
    def anchor(self) -> str:
        """The id the error summary links to: the first control of the question."""
        if self.kind in ("radios", "checkboxes"):
            return f"{self.field.auto_id}_0"
        return self.field.auto_id

    @property
    def errors(self) -> list[str]:
        return list(self.field.errors)


class ErrorSummaryMixin:
    """`error_items`: each field error with the id of the control it links to."""

    @property
    def error_items(self) -> list[dict[str, str]]:
        form: forms.Form = self  # type: ignore[assignment]
        items = []
        for name, field in form.fields.items():
            if name not in form.errors:
                continue
            anchor = form[name].auto_id
            if isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                anchor = f"{anchor}_0"
            items.extend({"anchor": anchor, "message": str(e)} for e in form.errors[name])
        return items


class QuestionsForm(ErrorSummaryMixin, forms.Form):
    """The questions of one step."""

    def __init__(
        self,
        *args: Any,
        questions: Sequence[Question],
        answers: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        language = kwargs.pop("language", None)
        super().__init__(*args, **kwargs)
        self.language = language or get_language() or "en"
        self.questions = list(questions)
        self._meant: dict[str, tuple[Decimal, ...]] = {}
        self._unselect: set[str] = set()
        # The answers saved before this step: skip logic reads them with this step's.
        self.context = dict(context or {})
        self._skipped: set[str] = set()
        answers = answers or {}
        for question in self.questions:
            self.fields[question.key] = _field_for(question)
            if question.type in (INTEGER, NUMBER) and question.clinical:
                self.fields[unknown_name(question.key)] = forms.BooleanField(
                    required=False, label=_("I don't know")
                )
            if question.type in (INTEGER, NUMBER):
                self.fields[meant_name(question.key)] = forms.CharField(
                    required=False, max_length=40
                )
            if question.key in answers:
                self.initial.update(
                    _initial_for(question, answers[question.key], language=self.language)
                )

    @property
    def offers_unknown(self) -> bool:
        """Whether any question on this step has an “I don't know” answer (the page may
        only suggest that answer then)."""
        for name, field in self.fields.items():
            if name.endswith(UNKNOWN_SUFFIX):
                return True
            if isinstance(field, forms.ChoiceField) and any(
                value == UNKNOWN for value, _label in field.choices
            ):
                return True
        return False

    def __iter__(self) -> Iterator[QuestionField]:  # type: ignore[override]
        for question in self.questions:
            unknown = unknown_name(question.key)
            bound = self[unknown] if unknown in self.fields else None
            yield QuestionField(
                question=question,
                field=self[question.key],
                unknown=bound,
                unknown_selected=bool(bound is not None and bound.value())
                and question.key not in self._unselect,
                meant_choices=tuple(
                    (str(value), f"{numbers.number_format(value, language=self.language)}")
                    for value in self._meant.get(question.key, ())
                ),
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for question in self.questions:
            if question.type not in (INTEGER, NUMBER) or question.key in self.errors:
                continue
            self._clean_number(question, cleaned)
        self._apply_skip_logic(cleaned)
        return cleaned

    def _apply_skip_logic(self, cleaned: dict[str, Any]) -> None:
        """Drop questions that this step's own answers made irrelevant.

        A page cannot hide a question as the patient answers without script, so a
        question such as birth control is shown beside "Are you pregnant?"; when the
        answers given rule it out, it is neither required nor kept.
        """
        answers = {**self.context, **self._valid_answers()}
        for question in self.questions:
            if question.ask_if is None or question.asked(answers):
                continue
            self._skipped.add(question.key)
            for name in (question.key, unknown_name(question.key)):
                if self._errors is not None:
                    self._errors.pop(name, None)
                cleaned.pop(name, None)

    def skipped(self) -> set[str]:
        """Keys of the questions the answers ruled out: their old answers go too."""
        return set(self._skipped)

    def _clean_number(self, question: Question, cleaned: dict[str, Any]) -> None:
        """Read a typed number with the one parser (`screening.numbers`); every message
        names the question."""
        key = question.key
        text = (cleaned.get(key) or "").strip()
        dont_know = bool(cleaned.get(unknown_name(key)))
        name = question.label or question.text
        whole = question.type == INTEGER
        example = numbers.number_format(Decimal("12" if whole else "12.5"), language=self.language)
        if text and dont_know:
            # Like choosing another option: the typed number replaces "I don't know", but
            # only once the patient has seen it; the page shows the number, unselected.
            self._unselect.add(key)
            self.add_error(
                key,
                _(
                    "You typed a number for your %(name)s and chose “I don't know”. Save "
                    "again to keep the number, or clear it to keep “I don't know”."
                )
                % {"name": name},
            )
            return
        if not text:
            if not dont_know:
                message = (
                    _("Enter your %(name)s, or choose “I don't know”.")
                    if question.clinical
                    else _("Enter your %(name)s.")
                )
                self.add_error(key, message % {"name": name})
            return
        read = numbers.number_read(
            text, language=self.language, minimum=question.min, maximum=question.max, whole=whole
        )
        if read.choices:
            meant = (cleaned.get(meant_name(key)) or "").strip()
            chosen = next((v for v in read.choices if str(v) == meant), None)
            if chosen is None:
                self._meant[key] = read.choices
                first, second = (
                    numbers.number_format(v, language=self.language) for v in read.choices[:2]
                )
                self.add_error(
                    key,
                    _(
                        "“%(text)s” can be read as %(first)s or as %(second)s. Choose which "
                        "you meant for your %(name)s."
                    )
                    % {"text": text, "first": first, "second": second, "name": name},
                )
                return
            cleaned[key] = str(chosen)
            return
        if read.value is not None:
            cleaned[key] = str(read.value)
            return
        self.add_error(key, self._number_problem(question, read, example))

    def _number_problem(self, question: Question, read: numbers.NumberRead, example: str) -> str:
        name = question.label or question.text
        if read.problem == numbers.SPACED_DIGITS:
            return str(
                _("Type your %(name)s without spaces between the digits, like %(example)s.")
                % {"name": name, "example": example}
            )
        if read.problem == numbers.NOT_WHOLE:
            return str(_("Enter your %(name)s as a whole number, like 12.") % {"name": name})
        if read.problem == numbers.OUT_OF_RANGE and read.nearest is not None:
            return self._out_of_range(question, read.nearest)
        return str(
            _("Enter your %(name)s as a number, like %(example)s.")
            % {"name": name, "example": example}
        )

    def _out_of_range(self, question: Question, value: Decimal) -> str:
        """The range, in the page's number style, and a unit hint when the value fits the
        range once converted from a common other unit (`numbers.unit_hint`)."""

        def plain(number: float | Decimal) -> str:
            return numbers.number_format(Decimal(str(number)), language=self.language)

        name = question.label or question.text
        unit = f" {question.unit}" if question.unit else ""
        if question.min is not None and question.max is not None:
            message = _("Your %(name)s must be a number from %(min)s to %(max)s%(unit)s.") % {
                "name": name,
                "min": plain(question.min),
                "max": plain(question.max),
                "unit": unit,
            }
        elif question.min is not None:
            message = _("Your %(name)s must be at least %(min)s%(unit)s.") % {
                "name": name,
                "min": plain(question.min),
                "unit": unit,
            }
        else:
            message = _("Your %(name)s must be at most %(max)s%(unit)s.") % {
                "name": name,
                "max": plain(question.max or 0),
                "unit": unit,
            }
        hint = numbers.unit_hint(question.key, value, minimum=question.min, maximum=question.max)
        if hint is None:
            return str(message)
        if hint.operation == "divide":
            words = _("If your report gives it in %(unit)s, divide by %(by)s: %(value)s%(ours)s.")
        else:
            words = _("If your report gives it in %(unit)s, multiply by %(by)s: %(value)s%(ours)s.")
        advice = words % {
            "unit": hint.unit,
            "by": plain(hint.by),
            "value": plain(hint.converted),
            "ours": unit,
        }
        return f"{message} {advice}"

    def answers(self) -> dict[str, Any]:
        """The valid answers of this step, by key (None for "I don't know").

        On a form with errors it holds the answers that were valid, so that "Back" keeps
        what the patient got right.
        """
        return {k: v for k, v in self._valid_answers().items() if k not in self._skipped}

    def _valid_answers(self) -> dict[str, Any]:
        raw: dict[str, Any] = {}
        cleaned = getattr(self, "cleaned_data", {})
        for question in self.questions:
            if question.key not in cleaned or question.key in (self._errors or {}):
                continue
            value = cleaned[question.key]
            if question.type in (INTEGER, NUMBER):
                raw[question.key] = value or None
            elif question.type == MULTI:
                raw[question.key] = list(value)
            else:
                raw[question.key] = None if value in (UNKNOWN, "") else value
        try:
            return answers_validate(raw, from_form=True)
        except AnswersInvalid as error:
            # The checks above mirror the bank's: reaching this means a question the bank
            # refuses, so keep only what the bank accepts.
            return answers_validate(
                {k: v for k, v in raw.items() if k not in error.message_dict}, from_form=True
            )


def _field_for(question: Question) -> forms.Field:
    label = question.text
    if question.type == BOOLEAN:
        choices = [(YES, _("Yes")), (NO, _("No"))]
        if question.clinical:
            choices.append((UNKNOWN, _("I don't know")))
        return forms.ChoiceField(
            label=label,
            choices=choices,
            widget=forms.RadioSelect,
            error_messages={"required": _choose_message(question)},
        )
    if question.type == CHOICE:
        choices = list(question.choices)
        if question.clinical:
            choices.append((UNKNOWN, _("I don't know")))
        return forms.ChoiceField(
            label=label,
            choices=choices,
            widget=forms.RadioSelect,
            error_messages={"required": _("Choose one answer.")},
        )
    if question.type == MULTI:
        return forms.MultipleChoiceField(
            label=label,
            choices=list(question.choices),
            widget=forms.CheckboxSelectMultiple,
            required=False,
        )
    if question.type == DATE:
        return forms.DateField(
            label=label,
            required=not question.clinical,
            widget=forms.DateInput(attrs={"type": "date"}),
            error_messages={"invalid": _("Enter a date, like 2024-03-31.")},
        )
    # Numbers arrive as text so that "12,5" and stray spaces get a helpful message
    # rather than a browser's; `clean` parses them.
    return forms.CharField(label=label, required=False, max_length=20, strip=True)


def _choose_message(question: Question) -> str:
    if question.clinical:
        return str(_("Choose Yes, No or “I don't know”."))
    return str(_("Choose Yes or No."))


def _initial_for(question: Question, value: Any, *, language: str = "en") -> dict[str, Any]:
    key = question.key
    if value is None:
        if question.type in (INTEGER, NUMBER):
            return {unknown_name(key): True} if question.clinical else {}
        return {key: UNKNOWN} if question.clinical else {}
    if question.type == BOOLEAN:
        return {key: YES if value else NO}
    if question.type in (INTEGER, NUMBER):
        return {key: numbers.number_format(Decimal(str(value)), language=language)}
    return {key: value}


class ApplyForm(ErrorSummaryMixin, forms.Form):
    """Contact details and consent."""

    full_name = forms.CharField(
        label=_("Your full name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Enter your name.")},
    )
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter an email address like name@example.com."),
        },
    )
    phone = forms.CharField(
        label=_("Your phone number (optional)"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
    )
    contact_method = forms.ChoiceField(
        label=_("How should the study team contact you?"),
        choices=Application.ContactMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose email or phone.")},
    )
    contact_time = forms.ChoiceField(
        label=_("When is the best time to reach you?"),
        choices=Application.ContactTime.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a time.")},
    )
    consent_contact = forms.BooleanField(
        label=_("I agree that the study team may contact me about this study."),
        error_messages={"required": _("Tick this box so the study team may contact you.")},
    )
    consent_share = forms.BooleanField(
        label=_("I agree to share my answers with the study team."),
        error_messages={"required": _("Tick this box to share your answers with the team.")},
    )
    # The version of the consent text the patient read; if the team publishes a new one
    # while they read, they must read the new words before agreeing to them.
    consent_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, consent_version: str, sites: Sequence[Any] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.current_consent_version = consent_version
        self.fields["consent_version"].initial = consent_version
        if len(sites) > 1:
            # The trial's recruiting sites (screening.sites); with one or none, no question.
            self.fields["site"] = forms.TypedChoiceField(
                label=_("Which study site would suit you best?"),
                help_text=_("The team of this site will contact you."),
                choices=[("", _("No preference")), *((s.pk, str(s)) for s in sites)],
                coerce=int,
                empty_value=None,
                required=False,
            )
            # For "nearest first": the browser sorts the list by distance from the
            # patient's position, which never leaves the browser (static/js/sites.js).
            self.site_coordinates = {
                str(s.pk): [s.latitude, s.longitude]
                for s in sites
                if s.latitude is not None and s.longitude is not None
            }
        elif len(sites) == 1:
            self.fields["site"] = forms.TypedChoiceField(
                choices=[(sites[0].pk, str(sites[0]))],
                coerce=int,
                initial=sites[0].pk,
                required=False,
                empty_value=None,
                widget=forms.HiddenInput,
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        read = cleaned.get("consent_version")
        if read and read != self.current_consent_version:
            self.add_error(
                None,
                _(
                    "The consent text was updated while you were reading it. Please read it "
                    "again below, then tick the boxes."
                ),
            )
        if cleaned.get("contact_method") == Application.ContactMethod.PHONE and not cleaned.get(
            "phone"
        ):
            self.add_error("phone", _("Enter a phone number, or choose to be contacted by email."))
        return cleaned


class EmailLinkForm(ErrorSummaryMixin, forms.Form):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter an email address like name@example.com."),
        },
    )
