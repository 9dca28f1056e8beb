"""The Django admin's site, with one guard every model admin gets, the libraries' too.

Django's changelist runs an action on `pk__in=<the ticked ids>` without checking that they
are ids: a crafted "_selected_action=abc" (or an id beyond the column's range, on
PostgreSQL) is a 500. Every ModelAdmin registered on this site checks them first and
answers with a message instead. Installed as the admin app's `default_site`, so that the
admin modules of allauth, axes and celery-beat register here too.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _


def _is_pk(model: Any, value: str) -> bool:
    field = model._meta.pk
    try:
        python = field.to_python(value)
    except ValidationError:
        return False
    if isinstance(python, int):
        connection = connections[router.db_for_read(model)]
        low, high = connection.ops.integer_field_range(field.get_internal_type())
        return (low is None or python >= low) and (high is None or python <= high)
    return python is not None


class SelectedActionGuard:
    """Refuse an admin action on ticked rows that are not ids of this model."""

    model: Any

    def response_action(self, request: HttpRequest, queryset: Any) -> HttpResponse | None:
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(_is_pk(self.model, value) for value in selected):
            messages.warning(request, _("Those rows could not be found. Nothing was done."))
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)  # type: ignore[misc]


class PortalAdminSite(admin.AdminSite):
    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, SelectedActionGuard):
            admin_class = type(
                admin_class.__name__,
                (SelectedActionGuard, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)


class PortalAdminConfig(AdminConfig):
    default_site = "config.admin_site.PortalAdminSite"
