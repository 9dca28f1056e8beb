"""Criteria in the admin, for staff: the same rule form as the dashboard editor.

The criteria inline is attached to the trials' admin from here, by registering a subclass
of `TrialAdmin` in its place: `trials` knows nothing of screening (criteria are screening's),
so the dependency points one way, and every option of `TrialAdmin` stays where it is.
"""

from typing import Any

from celery import schedules
from celery.schedules import ParseException
from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_celery_beat.admin import CrontabScheduleAdmin
from django_celery_beat.models import CrontabSchedule

from accounts.audit import AuditAction
from screening import admin_outbox  # noqa: F401 - registers the outbox
from screening.forms_criteria import CriterionForm, questions_reference_html
from screening.models import Criterion
from screening.rule_text import rule_to_text
from screening.selectors import trial_questions
from screening.services.criteria import criterion_change_audit
from trials.admin import TrialAdmin
from trials.models import Trial


class CriterionInline(admin.StackedInline):
    """A trial's criteria, each rule written as text and validated on save."""

    model = Criterion
    form = CriterionForm
    extra = 0
    fields = ["kind", "number", "position", "text", "rule", "verify_note"]


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    """Criteria by trial, with the questions a rule may read listed beside the form."""

    form = CriterionForm
    list_display = ["trial", "kind", "number", "short_text", "rule_text", "origin", "review_state"]
    list_filter = ["kind", "origin", "review_state"]
    list_select_related = ["trial"]
    search_fields = ["trial__nct_id", "text"]
    raw_id_fields = ["trial"]
    readonly_fields = ["trial_questions"]
    fields = ["trial", "kind", "number", "position", "text", "rule", "verify_note"]

    def get_fields(self, request, obj=None):
        return self.fields + (["trial_questions"] if obj else [])

    # The admin saves through its own forms; each change is audited as the editor's are.
    def save_model(
        self, request: HttpRequest, obj: Criterion, form: ModelForm, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        criterion_change_audit(
            criterion=obj,
            action=AuditAction.CRITERION_UPDATE if change else AuditAction.CRITERION_CREATE,
            request=request,
            fields=list(form.changed_data),
        )

    def delete_model(self, request: HttpRequest, obj: Criterion) -> None:
        criterion_change_audit(criterion=obj, action=AuditAction.CRITERION_DELETE, request=request)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Criterion]) -> None:
        for criterion in queryset.select_related("trial"):
            criterion_change_audit(
                criterion=criterion, action=AuditAction.CRITERION_DELETE, request=request
            )
        super().delete_queryset(request, queryset)

    @admin.display(description=_("text"))
    def short_text(self, obj: Criterion) -> str:
        return obj.text[:80]

    @admin.display(description=_("rule"))
    def rule_text(self, obj: Criterion) -> str:
        if obj.rule is None:
            return "—"
        try:
            return rule_to_text(obj.rule)
        except ValueError:
            return str(obj.rule)

    @admin.display(description=_("questions"))
    def trial_questions(self, obj: Criterion) -> str:
        return questions_reference_html(trial_questions=trial_questions(trial=obj.trial))


admin.site.unregister(Trial)


@admin.register(Trial)
class TrialWithCriteriaAdmin(TrialAdmin):
    """The trials' admin, with the trial's criteria editable below its record."""

    inlines = (*TrialAdmin.inlines, CriterionInline)
    readonly_fields = (*TrialAdmin.readonly_fields, "criteria_questions")
    fieldsets = (
        *TrialAdmin.fieldsets,
        (_("Questions for the criteria' rules"), {"fields": ("criteria_questions",)}),
    )

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        if formset.model is not Criterion:
            super().save_formset(request, form, formset, change)
            return
        # Saved by hand rather than by formset.save(), so that each criterion is audited
        # with its id while it still has one (a deleted row loses its pk).
        formset.save(commit=False)
        for criterion in formset.deleted_objects:
            criterion_change_audit(
                criterion=criterion, action=AuditAction.CRITERION_DELETE, request=request
            )
            criterion.delete()
        for criterion in formset.new_objects:
            criterion.save()
            criterion_change_audit(
                criterion=criterion, action=AuditAction.CRITERION_CREATE, request=request
            )
        for criterion, fields in formset.changed_objects:
            criterion.save()
            criterion_change_audit(
                criterion=criterion,
                action=AuditAction.CRITERION_UPDATE,
                request=request,
                fields=list(fields),
            )
        formset.save_m2m()

    @admin.display(description=_("questions"))
    def criteria_questions(self, trial: Trial) -> str:
        return questions_reference_html(trial_questions=trial_questions(trial=trial))


class CrontabScheduleForm(forms.ModelForm):
    """celery-beat's crontab, checked by the parser the scheduler will use: its own
    validators accept values (a month of "-1") that Celery then fails to read, a 500 on
    the admin page and a beat that cannot start."""

    class Meta:
        model = CrontabSchedule
        fields = ["minute", "hour", "day_of_month", "month_of_year", "day_of_week", "timezone"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # Each field on its own, so the error names it and the page (which shows the
        # schedule in words) is re-rendered without the value Celery cannot read.
        for name in ["minute", "hour", "day_of_month", "month_of_year", "day_of_week"]:
            if not data.get(name):
                continue
            try:
                schedules.crontab(**{name: data[name]})
            except (ParseException, ValueError, TypeError, IndexError) as error:
                self.add_error(
                    name, _("Celery cannot read this value: %(reason)s") % {"reason": error}
                )
        return data


admin.site.unregister(CrontabSchedule)


@admin.register(CrontabSchedule)
class CheckedCrontabScheduleAdmin(CrontabScheduleAdmin):
    form = CrontabScheduleForm
