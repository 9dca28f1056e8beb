"""Reads of the trial catalogue."""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import (
    Count,
    F,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from trials.filters import TrialFilter
from trials.importers.ctgov import NCT_ID_RE
from trials.models import SEARCH_CONFIG, Location, Official, Trial

# The catalogue's order, open trials first, then the newest: the order of the index
# trial_catalogue_order, so that a page of the list is read from the index.
CATALOGUE_ORDER = ("open_rank", "-start_date", "nct_id")


LIST_DEFERRED = (
    "raw",
    "official_title",
    "detailed_description",
    "brief_summary",
    "eligibility_criteria",
    "search_document",
    "search_vector",
    "collaborators",
    "central_contacts",
    "similar_nct_ids",
)


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
    # A list row shows a card: the registry record itself and the long texts stay in
    # the database (the record alone is tens of kilobytes of JSON per trial to decode).
    trials = filters.qs.defer(*LIST_DEFERRED)
    trials = trials.annotate(
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
        return trials.order_by(*CATALOGUE_ORDER)
    if settings.IS_POSTGRES:
        search = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
        return (
            trials.filter(search_vector=search)
            .annotate(rank=SearchRank(F("search_vector"), search))
            .order_by("open_rank", "-rank", "nct_id")
        )
    for word in query.split():
        trials = trials.filter(search_document__icontains=word)
    return trials.order_by(*CATALOGUE_ORDER)


def trial_get_for_page(*, nct_id: str) -> Trial:
    """The trial for its public page, with sites and officials.

    A malformed or unknown id is a 404.
    """
    nct_id = nct_id.strip().upper()
    if not NCT_ID_RE.match(nct_id):
        raise Http404("No trial has that number.")
    trials = Trial.objects.prefetch_related(
        Prefetch("locations", queryset=Location.objects.order_by("country", "city", "facility")),
        Prefetch("officials", queryset=Official.objects.order_by("id")),
    )
    try:
        return trials.get(nct_id=nct_id)
    except Trial.DoesNotExist:
        raise Http404("No trial has that number.") from None


def trial_similar(*, trial: Trial) -> list[Trial]:
    """The trials stored as similar to `trial` at import (`trials.similar`), open ones
    first, in their stored order: one query by NCT number, however large the catalogue."""
    order = {nct_id: i for i, nct_id in enumerate(trial.similar_nct_ids)}
    if not order:
        return []
    found = Trial.objects.filter(nct_id__in=order).only(
        "nct_id", "brief_title", "overall_status", "open_rank"
    )
    return sorted(found, key=lambda t: (t.open_rank, order[t.nct_id]))
