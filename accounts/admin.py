from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, TrialMembership, User


class TrialMembershipInline(admin.TabularInline):
    model = TrialMembership
    extra = 1
    fields = ["trial", "role", "notify"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Staff create coordinators here and put them on trial teams (no self-signup)."""

    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_active", "memberships__role"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [TrialMembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "time_zone")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined", "last_dashboard_visit")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "first_name", "last_name", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ["last_login", "date_joined", "last_dashboard_visit"]


@admin.register(TrialMembership)
class TrialMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "trial", "role", "notify", "created_at"]
    list_filter = ["role", "notify"]
    search_fields = ["user__email", "trial__nct_id"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "trial"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail, readable by staff and by nobody changeable."""

    list_display = ["at", "actor", "action", "target_type", "target_id", "trial_id", "ip_address"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_id", "trial_id", "actor__email"]
    date_hierarchy = "at"
    list_select_related = ["actor"]

    def get_readonly_fields(self, request: HttpRequest, obj: AuditEvent | None = None) -> list:
        return [f.name for f in self.model._meta.fields]

    def has_view_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
