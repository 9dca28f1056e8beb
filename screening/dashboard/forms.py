from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from screening.closing_reasons import STANDARD_REASONS, reason_choices
from screening.models import Application
from screening.services.workflow import NOTE_MAX_LENGTH, status_next_choices

from .widgets import plain_widget

Status = Application.Status


_BOOTSTRAP_CLASS = {
    "select": "form-select",
    "checkbox": "form-check-input",
    "radio": "form-check-input",
}


class BootstrapBoundField(forms.BoundField):
    """A field whose widget carries Bootstrap's classes itself, so a page can write the
    label and errors around ``{{ field }}`` in plain markup (dashboard/_field.html)
    instead of crispy's per-field templates, which cost the busy queue page more than
    its 25 rows. Django adds aria-invalid and aria-describedby to the widget. Selects
    render in Python (screening.dashboard.widgets)."""

    def __init__(self, form: forms.BaseForm, field: forms.Field, name: str) -> None:
        super().__init__(form, field, name)
        plain_widget(field.widget)

    def build_widget_attrs(self, attrs: dict[str, Any], widget: Any = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if widget.is_hidden:
            return attrs
        kind = getattr(widget, "input_type", None)
        classes = [
            attrs.get("class") or widget.attrs.get("class", ""),
            _BOOTSTRAP_CLASS.get(kind, "form-control"),
            "is-invalid" if self.errors else "",
        ]
        attrs["class"] = " ".join(c for c in classes if c)
        return attrs


class BootstrapForm(forms.Form):
    bound_field_class = BootstrapBoundField


class StatusChangeForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"))
    reason = forms.ChoiceField(
        label=_("Reason (when closing)"),
        required=False,
        help_text=_("Needed for not eligible, not interested and could not reach."),
    )
    reason_text = forms.CharField(
        label=_("Reason in your words (for “Other”)"), required=False, max_length=500
    )
    visit_at = forms.DateTimeField(
        label=_("Screening visit (when scheduling one)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, application: Application, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Offer only what the workflow allows; the service refuses the rest anyway.
        self.fields["to_status"].choices = status_next_choices(status=application.status)
        # The reasons of every closing status this application may move to, grouped.
        groups = []
        for value, label in self.fields["to_status"].choices:
            choices = reason_choices(trial_id=application.trial_id, status=value)
            if choices:
                groups.append((str(label), [(f"{value}:{c}", t) for c, t in choices]))
        self.fields["reason"].choices = [("", "—"), *groups]
        if not groups:
            del self.fields["reason"], self.fields["reason_text"]

    def clean_reason(self) -> str:
        value = self.cleaned_data.get("reason") or ""
        # "status:code": the code counts only for the status it was listed under.
        status, _sep, code = value.partition(":")
        return code if status == self.data.get("to_status") else ""


class BulkStatusForm(BootstrapForm):
    to_status = forms.ChoiceField(
        label=_("Move selected to"),
        choices=[(v, label) for v, label in Status.choices if v not in {"new", "withdrawn"}],
    )
    reason = forms.ChoiceField(label=_("Reason (when closing)"), required=False)
    note = forms.CharField(
        label=_("Note for each (optional)"), required=False, max_length=NOTE_MAX_LENGTH
    )
    references = forms.CharField(widget=forms.MultipleHiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The standard reasons; a trial's own are chosen on the applicant's page.
        self.fields["reason"].choices = [
            ("", "—"),
            *[
                (str(Status(status).label), [(c, str(label)) for c, label in reasons])
                for status, reasons in STANDARD_REASONS.items()
                if status != Status.WITHDRAWN
            ],
            ("other", _("Other (say why in the note)")),
        ]
        self.references = [r for r in (self.data.getlist("references") if self.data else []) if r]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.references:
            raise forms.ValidationError(_("Select at least one applicant."))
        if len(self.references) > 200:
            raise forms.ValidationError(_("Select at most 200 applicants at a time."))
        return data


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("New note"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Assigned to"), queryset=User.objects.none(), required=False, empty_label="—"
    )

    def __init__(self, *args: Any, application: Application, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the team of this application's trial: never a member of another trial.
        self.fields["assignee"].queryset = User.objects.filter(
            memberships__trial_id=application.trial_id, is_active=True
        ).order_by("first_name", "last_name", "email")
        self.fields["assignee"].label_from_instance = lambda u: f"{u} ({u.email})"


class SearchForm(BootstrapForm):
    q = forms.CharField(
        label=_("Search by reference, name or email"), required=False, max_length=200
    )


class TrialScreeningForm(forms.Form):
    screening_open = forms.BooleanField(
        label=_("Accept new applications through the portal"), required=False
    )


class ConsentTextForm(forms.Form):
    version = forms.CharField(label=_("Version label"), max_length=20, help_text=_("e.g. 2.0"))
    text = forms.CharField(label=_("Consent text"), widget=forms.Textarea(attrs={"rows": 8}))
