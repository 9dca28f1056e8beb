"""Reads of the trial catalogue."""

import operator
from collections.abc import Mapping
from functools import reduce
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from trials.filters import TrialFilter
from trials.importers.ctgov import NCT_ID_RE
from trials.models import OPEN_STATUSES, SEARCH_CONFIG, Location, Official, Trial


def _open_first() -> Case:
    return Case(When(overall_status__in=OPEN_STATUSES, then=Value(0)), default=Value(1))


def trial_search(
    *, query: str = "", filters: TrialFilter | Mapping[str, Any] | None = None
) -> QuerySet[Trial]:
    """Trials matching a free-text `query` and `filters`: a bound `TrialFilter`, or the data
    (status, condition, country, city, sex, age) to bind one to.

    Open trials (recruiting, not yet recruiting, by invitation) come first, then the best
    matches. PostgreSQL matches and ranks with full-text search on the stored, GIN-indexed
    Trial.search_vector; SQLite matches every word of search_document with LIKE. Invalid
    filter values are ignored (the form reports them).
    """
    if not isinstance(filters, TrialFilter):
        filters = TrialFilter(filters or {}, queryset=Trial.objects.all())
    trials = filters.qs
    trials = trials.annotate(
        open_first=_open_first(),
        site_count=Coalesce(
            Subquery(
                Location.objects.filter(trial=OuterRef("pk"))
                .order_by()
                .values("trial")
                .annotate(n=Count("pk"))
                .values("n")
            ),
            0,
        ),
    )
    query = (query or "").strip()
    if not query:
        return trials.order_by("open_first", "-start_date", "nct_id")
    if settings.IS_POSTGRES:
        search = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
        return (
            trials.filter(search_vector=search)
            .annotate(rank=SearchRank(F("search_vector"), search))
            .order_by("open_first", "-rank", "nct_id")
        )
    for word in query.split():
        trials = trials.filter(search_document__icontains=word)
    return trials.order_by("open_first", "-start_date", "nct_id")


def trial_get_for_page(*, nct_id: str) -> Trial:
    """The trial for its public page, with sites, officials and how many patients applied.

    A malformed or unknown id is a 404.
    """
    nct_id = nct_id.strip().upper()
    if not NCT_ID_RE.match(nct_id):
        raise Http404("No trial has that number.")
    # A withdrawn application was erased at the patient's request: it no longer counts.
    # ("withdrawn" is screening's status word; trials imports nothing of screening.)
    applied = Count("applications", filter=~Q(applications__status="withdrawn"))
    trials = Trial.objects.annotate(applied_count=applied).prefetch_related(
        Prefetch("locations", queryset=Location.objects.order_by("country", "city", "facility")),
        Prefetch("officials", queryset=Official.objects.order_by("id")),
    )
    try:
        return trials.get(nct_id=nct_id)
    except Trial.DoesNotExist:
        raise Http404("No trial has that number.") from None


def trial_similar(*, trial: Trial, limit: int = 4) -> list[Trial]:
    """A few other trials sharing a condition or keyword with `trial`, open ones first."""
    terms = [t for t in trial.condition_terms.strip("|").split("|") if t][:20]
    if not terms:
        return []
    matches = [Q(condition_terms__contains=f"|{term}|") for term in terms]
    # How many of the terms each candidate shares: one 0/1 column per term, added up.
    shared = reduce(
        operator.add,
        (
            Case(When(m, then=Value(1)), default=Value(0), output_field=IntegerField())
            for m in matches
        ),
    )
    any_match = reduce(operator.or_, matches)
    return list(
        Trial.objects.filter(any_match)
        .exclude(pk=trial.pk)
        .annotate(open_first=_open_first(), shared=shared)
        .order_by("open_first", "-shared", "nct_id")[:limit]
    )
