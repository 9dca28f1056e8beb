"""Criteria in the admin, for staff: the same rule form as the dashboard editor.

The criteria inline is attached to the trials' admin from here, by registering a subclass
of `TrialAdmin` in its place: `trials` knows nothing of screening (criteria are screening's),
so the dependency points one way, and every option of `TrialAdmin` stays where it is.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from screening import admin_outbox  # noqa: F401 - registers the outbox
from screening.forms_criteria import CriterionForm, questions_reference_html
from screening.models import Criterion
from screening.rule_text import rule_to_text
from screening.selectors import trial_questions
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

    @admin.display(description=_("questions"))
    def criteria_questions(self, trial: Trial) -> str:
        return questions_reference_html(trial_questions=trial_questions(trial=trial))
