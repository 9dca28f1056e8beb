from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from screening.models import Criterion
from screening.selectors import trial_questions


class CriterionInline(admin.StackedInline):
    """For the trial admin: its criteria, each rule validated on save by Criterion.clean()."""

    model = Criterion
    extra = 0
    fields = ["kind", "number", "position", "text", "rule", "verify_note"]


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    """Criteria by trial. The model's clean() refuses a malformed rule with the reason."""

    list_display = ["trial", "kind", "number", "short_text"]
    list_filter = ["kind"]
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

    @admin.display(description=_("questions this trial asks"))
    def trial_questions(self, obj: Criterion) -> str:
        return format_html_join(
            ", ", "<code>{}</code>", ((q.key,) for q in trial_questions(trial=obj.trial))
        )
