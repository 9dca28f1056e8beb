"""Views of "Find trials for me": condition, about you and where, questions, matches.

The search in progress lives on the session (`state.py`): answers never appear in a
URL. Every page that shows answers is sent with `Cache-Control: no-store`.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from screening.matching import words
from screening.matching.engine import choose_questions
from screening.matching.forms import ANYWHERE, AboutYouForm, AlertForm, ConditionForm
from screening.matching.selectors import (
    Search,
    condition_terms_close,
    condition_terms_search,
    matches_rank,
    places_search,
    question_domains,
    search_run,
)
from screening.matching.services import (
    draft_start_with_answers,
    saved_search_create,
    saved_search_erase,
    saved_search_update,
)
from screening.matching.state import SearchState, state_clear, state_get, state_save
from screening.models import SavedSearch
from screening.patient.forms import QuestionsForm
from screening.patient.session_keys import SESSION_DRAFTS
from screening.questions import QUESTIONS
from trials.geo import SESSION_NEAR
from trials.models import OverallStatus, Trial

MATCHES_SHOWN = 50


def _search(state: SearchState) -> Search:
    return search_run(
        condition=state.condition,
        latitude=state.latitude,
        longitude=state.longitude,
        max_km=state.max_km,
    )


def _ready(state: SearchState | None) -> bool:
    return state is not None and bool(state.condition) and state.located


@never_cache
@require_http_methods(["GET", "POST"])
def find_start(request: HttpRequest) -> HttpResponse:
    """Step 1: the condition, with type-ahead over the catalogue's terms."""
    state = state_get(request) or SearchState()
    if request.method == "POST":
        form = ConditionForm(request.POST)
        if form.is_valid():
            condition = form.cleaned_data["condition"]
            if request.POST.get("as_typed") != "1" and not condition_terms_search(condition):
                # No open trial names it: a typo, most often. Offer the terms spelled
                # like it, and going on as typed.
                return render(
                    request,
                    "matching/start.html",
                    {
                        "form": form,
                        "suggestions": [],
                        "terms_url": reverse("matching:terms"),
                        "unknown": condition,
                        "close": condition_terms_close(condition),
                    },
                )
            if condition.lower() != state.condition.lower():
                # Another condition: the questions asked so far may not apply.
                state = SearchState(
                    place_id=state.place_id,
                    place_name=state.place_name,
                    latitude=state.latitude,
                    longitude=state.longitude,
                    max_km=state.max_km,
                    answers={k: v for k, v in state.answers.items() if k in ("age", "sex")},
                )
            state.condition = condition
            state_save(request, state)
            return redirect("matching:about")
    else:
        form = ConditionForm(initial={"condition": state.condition})
    return render(
        request,
        "matching/start.html",
        {
            "form": form,
            "suggestions": _suggestions(form),
            "terms_url": reverse("matching:terms"),
        },
        status=400 if form.errors else 200,
    )


def _suggestions(form: ConditionForm) -> list[tuple[str, int]]:
    text = form.data.get("condition", "") if form.is_bound else ""
    return condition_terms_search(text) if text else []


@never_cache
@require_http_methods(["GET", "POST"])
def find_about(request: HttpRequest) -> HttpResponse:
    """Step 2: age, sex, where the patient is and how far they can travel."""
    state = state_get(request)
    if state is None or not state.condition:
        return redirect("matching:start")
    browser_located = state.has_place and not state.place_id
    if request.method == "POST":
        form = AboutYouForm(request.POST, located=browser_located)
        if form.is_valid():
            data = form.cleaned_data
            state.answers.update({"age": data["age"], "sex": data["sex"]})
            if form.place is not None:
                state.place_id, state.place_name = form.place.id, form.place.name
                state.latitude, state.longitude = form.place.latitude, form.place.longitude
            state.max_km = form.max_km()
            state.located = True
            state.current = []
            state_save(request, state)
            return redirect("matching:questions")
    else:
        form = AboutYouForm(
            located=browser_located,
            initial={
                "age": state.answers.get("age"),
                "sex": state.answers.get("sex"),
                "place": state.place_name if state.place_id else "",
                "distance": ANYWHERE
                if state.located and state.max_km is None
                else state.max_km
                if state.max_km
                else "100",
            },
        )
    return render(
        request,
        "matching/about.html",
        {
            "form": form,
            "state": state,
            "browser_located": browser_located,
            "places_url": reverse("matching:places"),
        },
        status=400 if form.errors else 200,
    )


@never_cache
@require_POST
def find_location(request: HttpRequest) -> HttpResponse:
    """The browser's own location, sent by POST with the patient's consent, kept on the
    session only (never in a URL), rounded to about 1 km."""
    state = state_get(request) or SearchState()
    try:
        latitude = float(request.POST["latitude"])
        longitude = float(request.POST["longitude"])
    except (KeyError, ValueError):
        return JsonResponse({"error": _("The location could not be read.")}, status=400)
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return JsonResponse({"error": _("The location could not be read.")}, status=400)
    state.latitude, state.longitude = round(latitude, 2), round(longitude, 2)
    state.place_id, state.place_name = "", _("your location")
    state_save(request, state)
    # The trial list and pages measure from it too ("near: here").
    request.session[SESSION_NEAR] = [state.latitude, state.longitude]
    return JsonResponse({"ok": True, "name": state.place_name})


@require_POST
def find_terms(request: HttpRequest) -> JsonResponse:
    """Type-ahead for the condition: catalogue terms containing `q`, sent by POST so that
    what a patient types about their health is never in an address or an access log."""
    found = condition_terms_search(request.POST.get("q", "")[:120])
    return JsonResponse({"terms": [{"term": term, "trials": n} for term, n in found]})


@require_POST
def find_places(request: HttpRequest) -> JsonResponse:
    """Type-ahead for the city: the catalogue's site cities containing `q` (by POST, as
    the condition's)."""
    found = places_search(request.POST.get("q", "")[:120])
    return JsonResponse({"places": [{"id": p.id, "name": p.name} for p in found]})


@never_cache
@require_http_methods(["GET", "POST"])
def find_questions(request: HttpRequest) -> HttpResponse:
    """Step 3: the questions that settle the most candidate trials, a page at a time."""
    state = state_get(request)
    if not _ready(state):
        return redirect("matching:start")
    assert state is not None  # noqa: S101 - _ready said so; for the type checker
    search = _search(state)
    if not state.current:
        choice = choose_questions(search.shapes, state.answers, question_domains())
        state.current = list(choice.keys)
        state_save(request, state)
    questions = [QUESTIONS[key] for key in state.current if key in QUESTIONS]
    if not questions:
        return redirect("matching:matches")
    if request.method == "POST":
        action = request.POST.get("action", "next")
        form = QuestionsForm(
            request.POST, questions=questions, answers=state.answers, context=state.answers
        )
        valid = form.is_valid()
        if action == "back":
            state.answers.update(form.answers())
            if state.pages:
                state.current = state.pages.pop()
                state_save(request, state)
                return redirect("matching:questions")
            state_save(request, state)
            return redirect("matching:about")
        if valid:
            state.answers.update(form.answers())
            for key in form.skipped():
                state.answers[key] = None
            state.pages.append(state.current)
            state.current = []
            state_save(request, state)
            if action == "matches":
                return redirect("matching:matches")
            return redirect("matching:questions")
        if action == "matches":
            state.answers.update(form.answers())
            state_save(request, state)
            return redirect("matching:matches")
        status = 400
    else:
        form = QuestionsForm(questions=questions, answers=state.answers)
        status = 200
    matches = matches_rank(search=search, answers=state.answers)
    return render(
        request,
        "matching/questions.html",
        {
            "form": form,
            "state": state,
            "possible": matches.possible,
            "page_number": len(state.pages) + 1,
        },
        status=status,
    )


@never_cache
@require_GET
def find_matches(request: HttpRequest) -> HttpResponse:
    """The trials ranked, each with why; the ones left out counted by reason."""
    state = state_get(request)
    if not _ready(state):
        return redirect("matching:start")
    assert state is not None  # noqa: S101
    search = _search(state)
    matches = matches_rank(search=search, answers=state.answers)
    choice = choose_questions(search.shapes, state.answers, question_domains(), any_left=True)
    # Two reverses for the page, not two per row (reverse is the page's largest cost).
    open_url = reverse("matching:open", args=["NCT00000000"])
    detail_url = reverse("trials:detail", args=["NCT00000000"])
    near = (
        f"?near={state.place_id}"
        if state.place_id and state.place_id != "saved"
        else "?near=here"
        if state.has_place
        else ""
    )
    rows = [
        {
            "candidate": c,
            "open_url": open_url.replace("NCT00000000", c.nct_id),
            "detail_url": detail_url.replace("NCT00000000", c.nct_id) + near,
            "verdict_words": words.verdict_words(c.standing.verdict),  # type: ignore[union-attr]
            "why": words.why(c.standing),  # type: ignore[arg-type]
            "status": OverallStatus(c.overall_status).label,
        }
        for c in matches.shown[:MATCHES_SHOWN]
    ]
    return render(
        request,
        "matching/matches.html",
        {
            "state": state,
            "rows": rows,
            "total": len(matches.shown),
            "not_shown": words.not_shown(matches.not_shown, state),
            "more_questions": bool(choice.keys),
            "condition_total": search.total,
        },
    )


@never_cache
@require_POST
def find_open(request: HttpRequest, nct_id: str) -> HttpResponse:
    """Open a match: that trial's questionnaire, with the answers given so far carried
    over, so only the questions this trial still needs are asked."""
    state = state_get(request)
    trial = get_object_or_404(Trial, nct_id=nct_id.upper())
    if state is None:
        return redirect("screening:start", trial.nct_id)
    try:
        draft = draft_start_with_answers(trial=trial, answers=state.answers)
    except ValidationError:
        return redirect("screening:start", trial.nct_id)
    drafts = dict(request.session.get(SESSION_DRAFTS, {}))
    drafts[trial.nct_id] = draft.token
    request.session[SESSION_DRAFTS] = drafts
    return redirect("screening:continue", trial.nct_id)


@never_cache
@require_http_methods(["GET", "POST"])
def alerts_start(request: HttpRequest) -> HttpResponse:
    """Keep me informed: explicit, versioned consent, then the answers are kept."""
    state = state_get(request)
    if not _ready(state):
        return redirect("matching:start")
    assert state is not None  # noqa: S101
    if request.method == "POST":
        form = AlertForm(request.POST)
        if form.is_valid():
            saved = saved_search_create(
                state=state,
                email=form.cleaned_data["email"],
                language=get_language() or "en",
            )
            return redirect("matching:saved", saved.token)
    else:
        form = AlertForm()
    return render(
        request, "matching/alerts.html", {"form": form}, status=400 if form.errors else 200
    )


def _saved(token: str) -> SavedSearch:
    return get_object_or_404(SavedSearch, token=token)


@never_cache
@require_http_methods(["GET", "POST"])
def saved_show(request: HttpRequest, token: str) -> HttpResponse:
    """The private link: the saved answers, to change or to erase."""
    saved = _saved(token)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "edit":
            # The saved search becomes the search in progress; "Save" writes it back.
            state = SearchState(
                condition=saved.condition,
                place_name=saved.place_name,
                place_id="saved",
                latitude=saved.latitude,
                longitude=saved.longitude,
                max_km=saved.max_km,
                answers=dict(saved.answers),
                located=True,
            )
            state_save(request, state)
            request.session["matching_saved"] = saved.token
            return redirect("matching:matches")
        if action == "update":
            state = state_get(request)
            if request.session.get("matching_saved") == saved.token and _ready(state):
                saved_search_update(saved=saved, state=state)  # type: ignore[arg-type]
                messages.success(request, _("Your saved answers are updated."))
            return redirect("matching:saved", saved.token)
    answers = [
        (str(QUESTIONS[key].text), words.answer_text(key, value))
        for key, value in saved.answers.items()
        if key in QUESTIONS
    ]
    return render(
        request,
        "matching/saved.html",
        {
            "saved": saved,
            "answers": answers,
            "editing": request.session.get("matching_saved") == saved.token,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def saved_erase(request: HttpRequest, token: str) -> HttpResponse:
    """Stop and erase, after a confirmation page. "Everything" includes the answers
    this browser still holds for the search in progress (issue 15, item 5)."""
    saved = _saved(token)
    if request.method == "POST":
        saved_search_erase(saved=saved)
        request.session.pop("matching_saved", None)
        state_clear(request)
        messages.success(
            request, _("Your answers and email address are erased. We will not write again.")
        )
        return redirect(reverse("matching:start"))
    return render(request, "matching/erase.html", {"saved": saved})
