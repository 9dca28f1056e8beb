"""The queue's navigation: sortable column headers, the site filter's choices, and the
applicant page's previous and next links through the list the coordinator came from."""

from typing import Any

from django.http import QueryDict

from accounts.models import TrialMembership
from screening.models import Application
from trials.models import Location

from .filters import ApplicationFilter
from .selectors import queue_for_user, queue_memberships

# Column → (order for its ascending values, order for its descending values), as URL
# values of filters.ApplicationFilter.order. Days waiting grow as submission gets older.
SORTABLE = {
    "reference": ("reference", "-reference"),
    "name": ("name", "-name"),
    "waiting": ("-submitted", "submitted"),
    "contact": ("contact", "-contact"),
    "due": ("due", "-due"),
    "site": ("site", "-site"),
    "score": ("score", "-score"),
}
# The first click on a column: the most useful end first (longest waiting, highest score).
FIRST_CLICK = {"waiting": "descending", "score": "descending"}
NEIGHBOURS_SCAN_LIMIT = 5000


def sort_links(*, params: QueryDict, current: str) -> dict[str, dict[str, str]]:
    """Per sortable column: the query string that sorts by it (the other direction when
    it is the current sort) and its aria-sort value (WAI-ARIA 1.2, aria-sort)."""
    links = {}
    for column, (ascending, descending) in SORTABLE.items():
        if current == ascending:
            state, target = "ascending", descending
        elif current == descending:
            state, target = "descending", ascending
        else:
            state = "none"
            target = descending if FIRST_CLICK.get(column) == "descending" else ascending
        query = params.copy()
        query.pop("page", None)
        query["order"] = target
        links[column] = {"query": query.urlencode(), "aria_sort": state}
    return links


def queue_site_choices(*, memberships: list[TrialMembership]) -> list[tuple[str, str]]:
    """(id, "NCT · site") of every site of the user's trials. One query."""
    locations = (
        Location.objects.filter(trial_id__in=[m.trial_id for m in memberships])
        .only("facility", "city", "country", "trial__nct_id")
        .select_related("trial")
    )
    several = len(memberships) > 1
    return [
        (str(loc.pk), f"{loc.trial.nct_id} · {loc}" if several else str(loc)) for loc in locations
    ]


def applicant_neighbours(
    *,
    user: Any,
    application: Application,
    params: dict[str, list[str]],
    search: str,
    memberships: list[TrialMembership] | None = None,
) -> tuple[str | None, str | None]:
    """The references before and after ``application`` in the queue as last filtered
    and sorted (the trial's queue in triage order when there is none); when it is no
    longer in that list, no previous and the list's first as next. Two queries."""
    memberships = queue_memberships(user=user) if memberships is None else memberships
    data = QueryDict(mutable=True)
    for key, values in params.items():
        data.setlist(key, values)
    data["q"] = search
    if not data.get("trial"):
        data["trial"] = application.trial.nct_id
    filterset = ApplicationFilter(
        data,
        queryset=queue_for_user(user=user),
        trial_choices=[(m.trial.nct_id, m.trial.nct_id) for m in memberships],
        trial_pks={m.trial.nct_id: m.trial_id for m in memberships},
        site_choices=queue_site_choices(memberships=memberships),
        user=user,
    )
    if not filterset.is_valid():
        return None, None
    references = list(filterset.qs.values_list("reference", flat=True)[:NEIGHBOURS_SCAN_LIMIT])
    try:
        index = references.index(application.reference)
    except ValueError:
        # This applicant left the list (a logged contact took it out of "to contact"):
        # "next" is the list's first, the next one still to do.
        return None, references[0] if references else None
    previous = references[index - 1] if index > 0 else None
    following = references[index + 1] if index + 1 < len(references) else None
    return previous, following
