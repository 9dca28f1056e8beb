"""The trial list's filters (django-filter). `trials.selectors.trial_search` applies them."""

from typing import Any

import django_filters
from django import forms
from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from config.widgets import plain_widget
from trials.ages import age_may_admit_q, whole_years
from trials.folding import condition_fold
from trials.models import OPEN_STATUSES, Location, OverallStatus, Sex, Trial

OPEN = "open"


def country_choices() -> list[tuple[str, str]]:
    """The countries of all sites, for the filter, in alphabetical order.

    A loose index scan on the site country index: one index probe per distinct country
    (about 70), not a read of every site (43 ms at 67,000 sites with DISTINCT, measured by
    `make bench`). The recursive query runs alike on PostgreSQL and SQLite.
    """
    table = connection.ops.quote_name(Location._meta.db_table)
    sql = f"""
        WITH RECURSIVE countries(country) AS (
            SELECT MIN(country) FROM {table} WHERE country > ''
            UNION ALL
            SELECT (SELECT MIN(country) FROM {table} WHERE country > countries.country)
            FROM countries WHERE countries.country IS NOT NULL
        )
        SELECT country FROM countries WHERE country IS NOT NULL
    """  # noqa: S608 - the table name is the model's own, quoted; no outside input
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [(country, country) for (country,) in cursor.fetchall()]


class TrialSearchForm(forms.Form):
    """The filters' form, plus the free-text search box that the selector reads itself."""

    q = forms.CharField(
        label=_("Search by condition, keyword or title"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
            # The same <select> markup, built in Python (config.widgets).
            plain_widget(field.widget)


class TrialFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        empty_label=_("Any status (open trials first)"),
        choices=[(OPEN, _("Open to new patients"))] + list(OverallStatus.choices),
        method="filter_status",
    )
    condition = django_filters.CharFilter(
        label=_("Condition"),
        method="filter_condition",
        max_length=200,
        help_text=_("For example: asthma, scleroderma"),
    )
    country = django_filters.ChoiceFilter(
        label=_("Country"),
        empty_label=_("Any country"),
        choices=country_choices,
        method="filter_place",
    )
    city = django_filters.CharFilter(label=_("City"), method="filter_place", max_length=200)
    sex = django_filters.ChoiceFilter(
        label=_("Sex"),
        empty_label=_("Any"),
        choices=[(Sex.FEMALE, _("Female")), (Sex.MALE, _("Male"))],
        method="filter_sex",
    )
    age = django_filters.NumberFilter(
        label=_("My age (years)"),
        method="filter_age",
        min_value=0,
        max_value=120,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 120}),
    )

    # Near a city of the catalogue (its id or name), or "here": the browser's location
    # kept on the session. Applied by the view, which also sorts by distance.
    near = django_filters.CharFilter(
        label=_("Near"),
        method="filter_nothing",
        max_length=200,
        help_text=_("A city with a study site, for example: Montreal"),
    )
    within = django_filters.ChoiceFilter(
        label=_("Within"),
        empty_label=_("Any distance"),
        choices=[(str(km), _("%(km)s km") % {"km": km}) for km in (25, 50, 100, 250, 500, 1000)],
        method="filter_nothing",
    )

    class Meta:
        model = Trial
        fields: list[str] = []
        form = TrialSearchForm

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read the countries once per filter set, not each time the field is rendered.
        self.filters["country"].extra["choices"] = country_choices()

    def filter_queryset(self, queryset: QuerySet[Trial]) -> QuerySet[Trial]:
        # The form's search box ("q") is no filter: trial_search ranks by it.
        for name, value in self.form.cleaned_data.items():
            if name in self.filters:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def filter_nothing(self, queryset: QuerySet[Trial], name: str, value: Any) -> QuerySet[Trial]:
        return queryset

    def filter_status(self, queryset: QuerySet[Trial], name: str, value: str) -> QuerySet[Trial]:
        if value == OPEN:
            return queryset.filter(overall_status__in=OPEN_STATUSES)
        return queryset.filter(overall_status=value)

    def filter_condition(self, queryset: QuerySet[Trial], name: str, value: str) -> QuerySet[Trial]:
        return queryset.filter(condition_terms__contains=condition_fold(value))

    def filter_place(self, queryset: QuerySet[Trial], name: str, value: Any) -> QuerySet[Trial]:
        # Country and city must hold for the same site; both are applied here, once.
        data = self.form.cleaned_data
        sites = Location.objects.filter(trial=OuterRef("pk"))
        if data.get("country"):
            sites = sites.filter(country=data["country"])
        if data.get("city"):
            sites = sites.filter(city__icontains=data["city"].strip())
        if name == "city" and data.get("country"):
            return queryset  # already applied with the country
        return queryset.filter(Exists(sites))

    def filter_sex(self, queryset: QuerySet[Trial], name: str, value: str) -> QuerySet[Trial]:
        return queryset.filter(sex__in=[Sex.ALL, value])

    def filter_age(self, queryset: QuerySet[Trial], name: str, value: Any) -> QuerySet[Trial]:
        # The same comparison as screening (trials.ages): a trial whose limit in months
        # falls within the patient's year is kept; its questionnaire says "unknown".
        return queryset.filter(age_may_admit_q(whole_years(float(value))))
