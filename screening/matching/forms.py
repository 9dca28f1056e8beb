"""Forms of "Find trials for me": the condition, about you and where, alerts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from screening.matching.selectors import DISTANCES, Place, place_get, places_search
from screening.patient.forms import ErrorSummaryMixin

ANYWHERE = "any"


class ConditionForm(ErrorSummaryMixin, forms.Form):
    condition = forms.CharField(
        label=_("What condition are you looking for a trial for?"),
        help_text=_("For example: systemic sclerosis, asthma, breast cancer."),
        max_length=120,
        error_messages={"required": _("Enter a condition, for example “asthma”.")},
    )

    def clean_condition(self) -> str:
        text = " ".join(self.cleaned_data["condition"].split())
        if len(text) < 2:
            raise forms.ValidationError(_("Enter at least 2 letters."))
        return text


def _distance_choices() -> list[tuple[str, Any]]:
    return [(str(km), _("Up to %(km)s km") % {"km": km}) for km in DISTANCES] + [
        (ANYWHERE, _("Any distance"))
    ]


class AboutYouForm(ErrorSummaryMixin, forms.Form):
    """Age, sex and where: what every trial's listing screens on, asked once."""

    age = forms.IntegerField(
        label=_("How old are you?"),
        min_value=0,
        max_value=120,
        help_text=_("Your age in full years."),
        error_messages={
            "required": _("Enter your age in years."),
            "invalid": _("Enter your age as a whole number, like 54."),
            "min_value": _("Enter an age from 0 to 120."),
            "max_value": _("Enter an age from 0 to 120."),
        },
    )
    sex = forms.ChoiceField(
        label=_("What is your sex?"),
        choices=(("female", _("Female")), ("male", _("Male")), ("other", _("Other"))),
        widget=forms.RadioSelect,
        help_text=_("Some studies are open to one sex only, for medical reasons."),
        error_messages={"required": _("Choose one answer.")},
    )
    place = forms.CharField(
        label=_("Which city are you near?"),
        help_text=_("Start typing a city. Only cities with a study site are listed."),
        max_length=200,
        required=False,
    )
    distance = forms.ChoiceField(
        label=_("How far can you travel?"),
        choices=_distance_choices,
        initial="100",
    )

    def __init__(self, *args: Any, located: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The browser's own location was kept on the session: no city needed.
        self.located = located
        self.place: Place | None = None

    def clean_place(self) -> str:
        text = " ".join(self.cleaned_data["place"].split())
        if not text:
            if not self.located:
                raise forms.ValidationError(
                    _("Enter a city, or use “Use my location”, so we can find sites near you.")
                )
            return ""
        place = place_get(text) or next(
            (p for p in places_search(text) if p.name.lower() == text.lower()), None
        )
        if place is None:
            found = places_search(text, limit=1)
            place = found[0] if found else None
        if place is None:
            raise forms.ValidationError(
                _("We found no study site in “%(city)s”. Try a nearby larger city.")
                % {"city": text}
            )
        self.place = place
        return place.name

    def max_km(self) -> int | None:
        value = self.cleaned_data["distance"]
        return None if value == ANYWHERE else int(value)


class AlertForm(ErrorSummaryMixin, forms.Form):
    email = forms.EmailField(
        label=_("Your email address"),
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter an email address like name@example.com."),
        },
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the portal keeps my answers and my email address to tell me, at "
            "most once a week, when new trials may fit me. I can stop and erase everything "
            "at any time from the link in each email."
        ),
        error_messages={"required": _("Tick the box to agree, or go back to your matches.")},
    )
