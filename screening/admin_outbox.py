"""The outbox in the admin: staff find emails that failed for good, read why, resend them."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from screening.models import Notification
from screening.services.outbox import notifications_resend


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only rows (the outbox is written by events, never by hand), one action."""

    list_display = ["created_at", "template", "to_email", "state", "attempts", "last_error"]
    list_filter = ["state", "template"]
    search_fields = ["to_email", "key"]
    ordering = ["-created_at"]
    date_hierarchy = "created_at"
    actions = ["resend"]
    fields = [
        "key",
        "template",
        "to_email",
        "language",
        "state",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "sent_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description=_("Resend the selected failed emails"), permissions=["change"])
    def resend(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = notifications_resend(notification_ids=list(queryset.values_list("pk", flat=True)))
        skipped = queryset.count() - count
        self.message_user(
            request,
            ngettext("%(count)d email queued again.", "%(count)d emails queued again.", count)
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
        if skipped > 0:
            self.message_user(
                request,
                ngettext(
                    "%(count)d email was not failed and was left alone.",
                    "%(count)d emails were not failed and were left alone.",
                    skipped,
                )
                % {"count": skipped},
                messages.INFO,
            )
