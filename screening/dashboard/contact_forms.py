"""Forms of the coordinator's recruitment work: the contact log, verified points,
bulk assignment, closing reasons and the recruitment picture's period and site."""

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from screening.models import Application, ContactAttempt
from screening.services.contacts import THEN_REVIEW, THEN_VISIT, ContactInput
from screening.services.workflow import NOTE_MAX_LENGTH

from .forms import BootstrapForm

_date = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_datetime = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ContactForm(BootstrapForm):
    """Log a contact: one form, one submit."""

    channel = forms.ChoiceField(
        label=_("Channel"), choices=ContactAttempt.Channel.choices, initial="phone"
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", "—"), *ContactAttempt.Outcome.choices]
    )
    then = forms.ChoiceField(
        label=_("If reached"),
        choices=[(THEN_REVIEW, _("Keep in review")), (THEN_VISIT, _("Schedule a screening visit"))],
        initial=THEN_REVIEW,
        required=False,
    )
    visit_at = forms.DateTimeField(
        label=_("Screening visit (date and time)"),
        required=False,
        widget=_datetime,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    next_attempt_on = forms.DateField(
        label=_("Next attempt (optional)"), required=False, widget=_date
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, application: Application | None = None, **kwargs: Any):
        # Its own ids: the status form on the same page has a note and a visit too.
        kwargs.setdefault("auto_id", "contact_%s")
        super().__init__(*args, **kwargs)
        self.fields["outcome"].error_messages["required"] = _("Choose the outcome.")
        if application is not None and application.contact_method == "email":
            self.fields["channel"].initial = "email"

    def contact_input(self) -> ContactInput:
        data = self.cleaned_data
        return ContactInput(
            channel=data["channel"],
            outcome=data["outcome"],
            note=data["note"] or "",
            next_attempt_on=data["next_attempt_on"],
            then=data["then"] or THEN_REVIEW,
            visit_at=data["visit_at"],
        )


class VerifyForm(BootstrapForm):
    kind = forms.ChoiceField(
        choices=[("inclusion", "inclusion"), ("exclusion", "exclusion")],
        widget=forms.HiddenInput,
    )
    number = forms.CharField(max_length=20, widget=forms.HiddenInput)
    value_found = forms.CharField(label=_("Value found in the source documents"), max_length=200)


class BulkAssignForm(BootstrapForm):
    assignee = forms.ModelChoiceField(
        label=_("Assign selected to"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody"),
    )

    def __init__(self, *args: Any, trial_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The people of the user's own teams; the service checks each trial again.
        self.fields["assignee"].queryset = (
            User.objects.filter(memberships__trial_id__in=trial_ids, is_active=True)
            .distinct()
            .order_by("first_name", "last_name", "email")
        )
        self.fields["assignee"].label_from_instance = lambda u: f"{u} ({u.email})"
        self.references = [r for r in (self.data.getlist("references") if self.data else []) if r]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.references:
            raise forms.ValidationError(_("Select at least one applicant."))
        if len(self.references) > 200:
            raise forms.ValidationError(_("Select at most 200 applicants at a time."))
        return data


class ClosingReasonForm(BootstrapForm):
    status = forms.ChoiceField(label=_("For the status"))
    label = forms.CharField(label=_("Reason"), max_length=120)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from screening.closing_reasons import STANDARD_REASONS

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s, Application.Status(s).label) for s in STANDARD_REASONS]


class ContactDeadlineForm(BootstrapForm):
    contact_deadline_days = forms.IntegerField(
        label=_("First contact within (working days)"), min_value=1, max_value=30
    )


class PeriodForm(BootstrapForm):
    """The recruitment picture's period (default: the last 12 weeks) and site."""

    start = forms.DateField(label=_("From"), required=False, widget=_date)
    end = forms.DateField(label=_("To"), required=False, widget=_date)
    site = forms.TypedChoiceField(label=_("Site"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, sites: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [("", _("All sites")), *sites]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        today = timezone.localdate()
        data["end"] = data.get("end") or today
        data["start"] = data.get("start") or data["end"] - timedelta(weeks=12)
        if data["start"] > data["end"]:
            self.add_error("end", _("The end of the period comes before its start."))
        elif (data["end"] - data["start"]).days > 3 * 366:
            self.add_error("start", _("Choose a period of at most three years."))
        return data
