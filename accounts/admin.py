from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
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
        (_("Person"), {"fields": ("first_name", "last_name", "time_zone", "language")}),
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


class TolerantAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete, which re-renders a refused value ("abc" for an id) as no
    choice, where Django's own looks it up and fails with a 500."""

    def optgroups(self, name: str, value: list[Any], attr: Any = None) -> list[Any]:
        target = self.field.remote_field.model._meta.get_field(self.field.remote_field.field_name)
        kept = []
        for item in value:
            try:
                target.to_python(item)
            except ValidationError:
                continue
            kept.append(item)
        return super().optgroups(name, kept, attr)


@admin.register(TrialMembership)
class TrialMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "trial", "role", "notify", "created_at"]
    list_filter = ["role", "notify"]
    search_fields = ["user__email", "trial__nct_id"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "trial"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in self.autocomplete_fields:
            kwargs["widget"] = TolerantAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


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


# allauth's own admin lets staff edit an authenticator's type and raw data: that shows a
# TOTP secret, and a hand-edited row breaks the page (500) and the sign-in. Staff may list
# a user's second factors and delete one (a lost phone); anything else is the user's own.
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type", "created_at", "last_used_at"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Authenticator | None = None) -> bool:
        return False
