from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from trials.caching import public_page_cache
from trials.criteria_text import parse_criteria
from trials.filters import TrialFilter
from trials.geo import near_point, sites_by_distance, trials_near
from trials.models import Trial
from trials.page_context import trial_page_context
from trials.pagination import CappedPaginator
from trials.selectors import trial_get_for_page, trial_search, trial_similar

PAGE_SIZE = 20


@require_GET
@public_page_cache
def trial_list(request: HttpRequest) -> HttpResponse:
    filterset = TrialFilter(request.GET or None, queryset=Trial.objects.all())
    valid = not filterset.is_bound or filterset.form.is_valid()
    query = filterset.form.cleaned_data.get("q", "") if filterset.is_bound else ""
    trials = trial_search(query=query, filters=filterset)
    cleaned = filterset.form.cleaned_data if filterset.is_bound and valid else {}
    near = near_point(request, cleaned.get("near", ""))
    if near is not None:
        within = cleaned.get("within")
        trials = trials_near(
            trials,
            latitude=near.latitude,
            longitude=near.longitude,
            max_km=float(within) if within else None,
        )
    elif cleaned.get("near"):
        filterset.form.add_error("near", _("We found no study site in that city."))
        valid = False
    page = CappedPaginator(trials, PAGE_SIZE).get_page(request.GET.get("page"))
    filtering = any(value for key, value in request.GET.items() if key != "page" and value.strip())
    context = {
        "filterset": filterset,
        "form": filterset.form,
        "page": page,
        "page_links": page.paginator.page_links(page.number),
        "query": query,
        "filtering": filtering,
        # Only asked when nothing matched, to tell "no trials yet" from "no match".
        "catalogue_empty": not page.object_list and not Trial.objects.exists(),
        "near": near,
    }
    # A filter value we cannot read: the page still answers, with the form's message.
    return render(request, "trials/list.html", context, status=200 if valid else 400)


@require_GET
@public_page_cache
def trial_detail(request: HttpRequest, nct_id: str) -> HttpResponse:
    trial = trial_get_for_page(nct_id=nct_id)
    near = near_point(request, request.GET.get("near", "")[:200])
    sites = list(trial.locations.all())
    if near is not None:
        sites = sites_by_distance(sites, latitude=near.latitude, longitude=near.longitude)
    context = {
        "trial": trial,
        "sites": sites,
        "near": near,
        # "N patients applied" and whatever else other apps add (`trials.page_context`).
        **trial_page_context(trial=trial),
        "criteria": parse_criteria(trial.eligibility_criteria),
        "similar": trial_similar(trial=trial),
    }
    return render(request, "trials/detail.html", context)
