from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from trials.models import (
    Location,
    Official,
    OverallStatus,
    RegistrySyncQuery,
    RegistrySyncRun,
    Trial,
)


class ImportedInline(admin.TabularInline):
    """Sites and officials come with the record: shown, never edited here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Trial | None = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Trial | None = None) -> list[str]:
        return list(self.fields or ())


class LocationInline(ImportedInline):
    model = Location
    fields = ("facility", "city", "state", "country", "status", "latitude", "longitude")


class OfficialInline(ImportedInline):
    model = Official
    fields = ("name", "role", "affiliation")


@admin.register(Trial)
class TrialAdmin(admin.ModelAdmin):
    list_display = (
        "nct_id",
        "brief_title",
        "overall_status",
        "lead_sponsor",
        "start_date",
        "last_update",
        "site_count",
        "screening_open",
    )
    list_filter = ("overall_status", "screening_open", "sex", "study_type", "lead_sponsor_class")
    search_fields = ("nct_id", "brief_title", "official_title", "lead_sponsor", "search_document")
    list_per_page = 50
    date_hierarchy = "start_date"
    inlines = (LocationInline, OfficialInline)
    # The record is ClinicalTrials.gov's: edit it there and import again. Only whether
    # the portal takes applications is the portal's own decision.
    readonly_fields = tuple(
        f.name
        for f in Trial._meta.get_fields()
        if f.concrete and not f.auto_created and f.name != "screening_open"
    )
    fieldsets = (
        (None, {"fields": ("nct_id", "brief_title", "overall_status", "screening_open")}),
        (
            _("Record"),
            {
                "fields": (
                    "official_title",
                    "acronym",
                    "organization",
                    "lead_sponsor",
                    "lead_sponsor_class",
                    "collaborators",
                    "phases",
                    "study_type",
                    "conditions",
                    "keywords",
                    "brief_summary",
                    "detailed_description",
                    "eligibility_criteria",
                    "sex",
                    "minimum_age",
                    "maximum_age",
                    "healthy_volunteers",
                    "std_ages",
                    "enrollment",
                    "enrollment_type",
                    "central_contacts",
                )
            },
        ),
        (
            _("Dates"),
            {
                "fields": (
                    "first_submitted",
                    ("start_date", "start_date_text", "start_date_type"),
                    (
                        "primary_completion_date",
                        "primary_completion_date_text",
                        "primary_completion_date_type",
                    ),
                    ("completion_date", "completion_date_text", "completion_date_type"),
                    "last_update",
                    "imported_at",
                )
            },
        ),
        (_("As imported"), {"classes": ("collapse",), "fields": ("raw", "search_document")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Trial]:
        return super().get_queryset(request).annotate(site_count=Count("locations"))

    @admin.display(description=_("sites"), ordering="site_count")
    def site_count(self, trial: Trial) -> int:
        return trial.site_count

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # trials come from import_trials


class RegistrySyncQueryForm(forms.ModelForm):
    statuses = forms.MultipleChoiceField(
        label=_("Overall statuses"),
        choices=OverallStatus.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every status."),
    )

    class Meta:
        model = RegistrySyncQuery
        fields = ("name", "condition", "statuses", "country", "incremental", "enabled")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not any(cleaned.get(k) for k in ("condition", "statuses", "country")):
            raise forms.ValidationError(
                _("Give a condition, a status or a country: the whole registry is too much.")
            )
        return cleaned


class RegistrySyncRunInline(admin.TabularInline):
    model = RegistrySyncRun
    extra = 0
    can_delete = False
    max_num = 0
    fields = ("started_at", "status", "created", "updated", "closed", "unchanged", "failed")
    readonly_fields = fields
    ordering = ("-started_at",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[RegistrySyncRun]:
        return super().get_queryset(request).order_by("-started_at")


@admin.register(RegistrySyncQuery)
class RegistrySyncQueryAdmin(admin.ModelAdmin):
    form = RegistrySyncQueryForm
    list_display = ("name", "condition", "country", "incremental", "enabled", "synced_through")
    readonly_fields = ("synced_through",)
    inlines = [RegistrySyncRunInline]
    actions = ["run_now"]

    @admin.action(description=_("Run the selected queries now"))
    def run_now(self, request: HttpRequest, queryset: QuerySet[RegistrySyncQuery]) -> None:
        from trials.tasks import registry_sync_query

        for saved in queryset:
            registry_sync_query.delay(saved.pk)
        self.message_user(request, _("The runs are queued; their counts appear below each query."))


@admin.register(RegistrySyncRun)
class RegistrySyncRunAdmin(admin.ModelAdmin):
    """Each run's counts and reasons, as recorded: read-only."""

    list_display = (
        "started_at",
        "query",
        "status",
        "created",
        "updated",
        "closed",
        "unchanged",
        "failed",
    )
    list_filter = ("status", "query")
    readonly_fields = (
        "query",
        "parameters",
        "started_at",
        "finished_at",
        "status",
        "created",
        "updated",
        "closed",
        "unchanged",
        "failed",
        "failure_list",
        "error",
    )
    exclude = ("failures",)

    @admin.display(description=_("Studies skipped, and why"))
    def failure_list(self, run: RegistrySyncRun) -> str:
        if not run.failures:
            return "—"
        items = format_html_join(
            "",
            "<li>{}: {}: {}</li>",
            ((f["nct_id"] or "?", f["field"], f["problem"]) for f in run.failures),
        )
        return format_html("<ul>{}</ul>", items)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
