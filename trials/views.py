from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Trial


def trial_list(request: HttpRequest) -> HttpResponse:
    trials = Trial.objects.all()
    return render(request, "trials/list.html", {"trials": trials})


def trial_detail(request: HttpRequest, nct_id: str) -> HttpResponse:
    trial = get_object_or_404(Trial, nct_id=nct_id.upper())
    return render(request, "trials/detail.html", {"trial": trial})
