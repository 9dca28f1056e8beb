from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from screening.selectors import trial_applied_count
from trials.caching import public_page_cache
from trials.criteria_text import parse_criteria
from trials.filters import TrialFilter
from trials.models import Trial
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
    }
    # A filter value we cannot read: the page still answers, with the form's message.
    return render(request, "trials/list.html", context, status=200 if valid else 400)


@require_GET
@public_page_cache
def trial_detail(request: HttpRequest, nct_id: str) -> HttpResponse:
    trial = trial_get_for_page(nct_id=nct_id)
    context = {
        "trial": trial,
        "applied_count": trial_applied_count(trial=trial),
        "criteria": parse_criteria(trial.eligibility_criteria),
        "similar": trial_similar(trial=trial),
    }
    return render(request, "trials/detail.html", context)
