"""Views of the patient journey: thin, over the flow (`flow.py`) and the services.

The draft in progress is found through the session (one per trial), never through the
URL, so answers and drafts never appear in an address, a log line or a referrer. Every
page that shows health data is sent with `Cache-Control: no-store`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from config.language import remember_language
from screening.models import Application, Draft
from screening.selectors import trial_encoded_criteria, trial_evaluate
from screening.selectors_consent import consent_terms
from screening.services.applications import (
    ApplicationDuplicate,
    Consent,
    Contact,
    ScreeningClosed,
    application_submit,
    application_withdraw_and_erase,
    draft_answers_save,
    draft_email_link,
    draft_start,
)
from screening.sites import trial_recruiting_sites
from trials.models import Trial

from . import words
from .draft_cookie import (
    draft_token_forget,
    draft_token_get,
    draft_token_set,
    keeps_draft_cookie,
)
from .estimate import questionnaire_estimate
from .flow import Flow, QuestionStep
from .forms import ApplyForm, EmailLinkForm, QuestionsForm
from .glance import result_glance
from .selectors import trials_similar
from .session_keys import SESSION_CONTACT, SESSION_DRAFTS, SESSION_SUBMITTED

CONTACT_FIELDS = ("full_name", "email", "phone", "contact_method", "contact_time")


def _rate(setting: str):  # type: ignore[no-untyped-def]
    def rate(group: str, request: HttpRequest) -> str:
        return str(getattr(settings, setting))

    return rate


def _trial(nct_id: str) -> Trial:
    return get_object_or_404(Trial, nct_id=nct_id.upper())


def _unsubmitted(trial: Trial, token: str | None) -> Draft | None:
    if not token:
        return None
    return Draft.objects.filter(token=token, trial=trial, submitted_at__isnull=True).first()


def _draft(request: HttpRequest, trial: Trial) -> Draft | None:
    """This browser's draft for the trial: the session's, or, once the 30-minute session
    has ended, the one its draft cookie names (adopted into the new session)."""
    draft = _unsubmitted(trial, request.session.get(SESSION_DRAFTS, {}).get(trial.nct_id))
    if draft is None:
        draft = _unsubmitted(trial, draft_token_get(request, trial.nct_id))
        if draft is not None:
            _remember(request, draft, trial.nct_id)
    return draft


def _remember(request: HttpRequest, draft: Draft, nct_id: str) -> None:
    drafts = dict(request.session.get(SESSION_DRAFTS, {}))
    drafts[nct_id] = draft.token
    request.session[SESSION_DRAFTS] = drafts
    draft_token_set(request, nct_id, draft.token)


def _forget(request: HttpRequest, nct_id: str) -> None:
    drafts = dict(request.session.get(SESSION_DRAFTS, {}))
    drafts.pop(nct_id, None)
    request.session[SESSION_DRAFTS] = drafts
    draft_token_forget(request, nct_id)


def _answers_lost(request: HttpRequest, trial: Trial) -> HttpResponse:
    """A form sent with no draft to receive it: the session and the draft cookie are both
    gone (a browser that keeps no cookies, or one cleared). Say so, never silently."""
    messages.warning(
        request,
        _(
            "Sorry, we could not find your answers on this device. If you asked for a link "
            "by email, open it to continue where you left off. Otherwise, please answer the "
            "questions again."
        ),
    )
    return redirect("screening:start", trial.nct_id)


def _closed(request: HttpRequest, trial: Trial) -> HttpResponse:
    """The kind page of a trial that takes no applicants (`Trial.takes_applicants`), on
    every patient entry. A patient halfway through keeps their answers: the page says so
    and offers trials that take applicants, whose questionnaire starts from them."""
    draft = _draft(request, trial)
    return render(
        request,
        "screening/closed.html",
        {
            "trial": trial,
            "registry_closed": not trial.is_open,
            "has_answers": bool(draft and draft.answers),
            "similar": trials_similar(trial=trial),
        },
    )


def _earlier_draft(request: HttpRequest, trial: Trial) -> Draft | None:
    """The patient's most recent unfinished draft for another trial, with answers."""
    drafts = request.session.get(SESSION_DRAFTS, {})
    tokens = [token for nct_id, token in drafts.items() if nct_id != trial.nct_id]
    if not tokens:
        return None
    return (
        Draft.objects.filter(token__in=tokens, submitted_at__isnull=True)
        .exclude(answers={})
        .select_related("trial")
        .order_by("-updated_at")
        .first()
    )


def _step_url(trial: Trial, step: QuestionStep) -> str:
    return reverse("screening:step", args=[trial.nct_id, step.identifier])


def _next_url(trial: Trial, flow: Flow, draft: Draft) -> str:
    """Where the dispatcher sends the patient: the first step not done, else the result."""
    step = flow.first_incomplete(draft)
    if step is not None:
        return _step_url(trial, step)
    return reverse("screening:result", args=[trial.nct_id])


@never_cache
@require_http_methods(["GET", "POST"])
@keeps_draft_cookie
def start(request: HttpRequest, nct_id: str) -> HttpResponse:
    """ "Check if you qualify": what to expect, then a new or continued questionnaire."""
    trial = _trial(nct_id)
    if not trial.takes_applicants:
        return _closed(request, trial)
    draft = _draft(request, trial)
    earlier = None if draft else _earlier_draft(request, trial)
    flow = Flow.for_trial(trial)
    if request.method == "POST":
        action = request.POST.get("action")
        if draft is None or action == "restart":
            if action == "reuse" and earlier is not None:
                draft = draft_start(trial=trial, answers=earlier.answers, allowed=flow.keys())
            else:
                draft = draft_start(trial=trial)
            _remember(request, draft, trial.nct_id)
        return redirect(_next_url(trial, flow, draft))
    return render(
        request,
        "screening/start.html",
        {
            "trial": trial,
            "draft": draft,
            "earlier": earlier,
            "estimate": questionnaire_estimate(trial),
        },
    )


@never_cache
@require_http_methods(["GET"])
@keeps_draft_cookie
def dispatch(request: HttpRequest, nct_id: str) -> HttpResponse:
    trial = _trial(nct_id)
    if not trial.takes_applicants:
        return _closed(request, trial)
    draft = _draft(request, trial)
    if draft is None:
        return redirect("screening:start", trial.nct_id)
    return redirect(_next_url(trial, Flow.for_trial(trial), draft))


@never_cache
@require_http_methods(["GET", "POST"])
@keeps_draft_cookie
def step(request: HttpRequest, nct_id: str, step: str) -> HttpResponse:
    trial = _trial(nct_id)
    if not trial.takes_applicants:
        return _closed(request, trial)
    draft = _draft(request, trial)
    recovered = False
    if draft is None:
        if request.method != "POST":
            return redirect("screening:start", trial.nct_id)
        # A page sent with no draft to receive it (no session, no draft cookie): keep
        # this page's answers on a new draft, and say plainly what was lost.
        draft = draft_start(trial=trial)
        _remember(request, draft, trial.nct_id)
        recovered = True
        messages.warning(
            request,
            _(
                "Sorry, we could not find your earlier answers on this device. We kept the "
                "answers on the page you just sent; please answer the other pages again. "
                "To continue on another day or device, use “Continue later” for a link."
            ),
        )
    flow = Flow.for_trial(trial)
    current = flow.get(step)
    if current is None or not current.is_applicable(draft):
        return redirect(_next_url(trial, flow, draft))

    questions = current.asked(draft.answers, draft.carried)
    if request.method == "POST":
        action = request.POST.get("action", "next")
        form = QuestionsForm(
            request.POST, questions=questions, answers=draft.answers, context=draft.answers
        )
        valid = form.is_valid()
        switching = action.startswith("language-")
        if valid or action in ("back", "later") or switching:
            draft = draft_answers_save(
                draft=draft,
                answers=form.answers(),
                forget=form.skipped(),
                step=current.identifier if valid and action == "next" else None,
                allowed=flow.keys(),
            )
            if action == "back":
                previous = flow.previous(draft, current)
                return redirect(
                    _step_url(trial, previous)
                    if previous
                    else reverse("screening:start", args=[trial.nct_id])
                )
            if action == "later":
                return redirect("screening:save", trial.nct_id)
            if switching:
                # The EN | FR switch on a step: answers saved, same step, new language.
                return remember_language(
                    redirect(_step_url(trial, current)), action.removeprefix("language-")
                )
            if recovered:
                return redirect(_next_url(trial, flow, draft))
            evaluation = trial_evaluate(trial=trial, answers=draft.answers)
            if evaluation["verdict"] == "not_eligible":
                return redirect("screening:result", trial.nct_id)
            following = flow.next(draft, current)
            if following is not None:
                return redirect(_step_url(trial, following))
            return redirect(_next_url(trial, flow, draft))
        status = 400
    else:
        form = QuestionsForm(questions=questions, answers=draft.answers)
        status = 200
    number, total = flow.position(draft, current)
    return render(
        request,
        "screening/step.html",
        {
            "trial": trial,
            "step": current,
            "form": form,
            "number": number,
            "total": total,
            "is_first": number == 1,
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET"])
@keeps_draft_cookie
def result(request: HttpRequest, nct_id: str) -> HttpResponse:
    trial = _trial(nct_id)
    if not trial.takes_applicants:
        return _closed(request, trial)
    draft = _draft(request, trial)
    if draft is None:
        return redirect("screening:start", trial.nct_id)
    flow = Flow.for_trial(trial)
    evaluation = trial_evaluate(trial=trial, answers=draft.answers)
    verdict = evaluation["verdict"]
    remaining = flow.first_incomplete(draft)
    if remaining is not None and verdict != "not_eligible":
        return redirect(_step_url(trial, remaining))
    steps = flow.applicable(draft)
    completed = [s for s in steps if s.is_completed(draft)]
    return render(
        request,
        "screening/result.html",
        {
            "trial": trial,
            "verdict": verdict,
            "verdict_words": words.VERDICT[verdict],
            "glance": result_glance(
                trial=trial, answers=draft.answers, criteria=evaluation["criteria"]
            ),
            "find_trials_url": reverse("matching:start"),
            "unchecked_only": verdict == "not_eligible"
            and words.turned_away_by_unchecked(evaluation["criteria"]),
            "early": remaining is not None,
            "last_step": completed[-1] if completed else (steps[0] if steps else None),
            "steps": steps,
            "similar": trials_similar(trial=trial) if verdict == "not_eligible" else [],
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=_rate("SCREENING_RATE_EMAIL_LINK"), method="POST", block=True)
@keeps_draft_cookie
def save(request: HttpRequest, nct_id: str) -> HttpResponse:
    """ "Continue later": the link to resume, and an offer to email it."""
    trial = _trial(nct_id)
    if not trial.takes_applicants:
        return _closed(request, trial)
    draft = _draft(request, trial)
    if draft is None:
        if request.method == "POST":
            return _answers_lost(request, trial)
        return redirect("screening:start", trial.nct_id)
    sent = False
    if request.method == "POST":
        form = EmailLinkForm(request.POST)
        if form.is_valid():
            draft_email_link(draft=draft, email=form.cleaned_data["email"])
            sent = True
            form = EmailLinkForm()
    else:
        form = EmailLinkForm()
    return render(
        request,
        "screening/save.html",
        {
            "trial": trial,
            "form": form,
            "sent": sent,
            "resume_url": request.build_absolute_uri(
                reverse("screening:resume", args=[draft.token])
            ),
        },
        status=400 if form.errors else 200,
    )


@never_cache
@require_http_methods(["GET"])
@keeps_draft_cookie
def resume(request: HttpRequest, token: str) -> HttpResponse:
    """A link from another device: adopt the draft in this browser and carry on."""
    draft = get_object_or_404(Draft.objects.select_related("trial"), token=token)
    trial = draft.trial
    if draft.submitted_at is not None:
        messages.info(request, _("These answers have already been sent to the study team."))
        return redirect(trial.get_absolute_url())
    _remember(request, draft, trial.nct_id)
    if not trial.takes_applicants:
        return _closed(request, trial)
    return redirect(_next_url(trial, Flow.for_trial(trial), draft))


def _contact(form: ApplyForm) -> Contact:
    data = form.cleaned_data
    return Contact(
        full_name=data["full_name"],
        email=data["email"],
        phone=data["phone"],
        contact_method=data["contact_method"],
        contact_time=data["contact_time"],
        language=(get_language() or "en")[:10],
        site_id=data.get("site"),
    )


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=_rate("SCREENING_RATE_APPLY"), method="POST", block=True)
@keeps_draft_cookie
def apply(request: HttpRequest, nct_id: str) -> HttpResponse:
    trial = _trial(nct_id)
    if not trial.takes_applicants:
        return _closed(request, trial)
    draft = _draft(request, trial)
    if draft is None:
        if request.method == "POST":
            return _answers_lost(request, trial)
        return redirect("screening:start", trial.nct_id)
    # The criteria are read once, for the steps, the verdict and the application.
    encoded = trial_encoded_criteria(trial=trial)
    flow = Flow.for_trial(trial, encoded=encoded)
    evaluation = trial_evaluate(trial=trial, answers=draft.answers, encoded=encoded)
    if not flow.is_completed(draft) and evaluation["verdict"] != "not_eligible":
        return redirect(_next_url(trial, flow, draft))

    duplicate = False
    terms = consent_terms(trial=trial)
    sites = trial_recruiting_sites(trial=trial)
    if request.method == "POST":
        form = ApplyForm(request.POST, consent_version=terms.version, sites=sites)
        if form.is_valid():
            consent = Consent(
                version=terms.version,
                to_be_contacted=form.cleaned_data["consent_contact"],
                to_share_answers=form.cleaned_data["consent_share"],
            )
            try:
                application = application_submit(
                    draft=draft, contact=_contact(form), consent=consent, encoded=encoded
                )
            except ScreeningClosed:
                return _closed(request, trial)
            except ApplicationDuplicate:
                duplicate = True
            except ValidationError as error:
                form.add_error(None, error)
            else:
                _forget(request, trial.nct_id)
                request.session[SESSION_SUBMITTED] = application.pk
                # Offered again, to be checked, for this visit's next application.
                request.session[SESSION_CONTACT] = {
                    name: form.cleaned_data[name] for name in CONTACT_FIELDS
                }
                return redirect("screening:confirmation", trial.nct_id)
    else:
        reused = request.session.get(SESSION_CONTACT) or {}
        form = ApplyForm(consent_version=terms.version, sites=sites, initial=reused)
    return render(
        request,
        "screening/apply.html",
        {
            "trial": trial,
            "form": form,
            "reused": bool(request.method == "GET" and request.session.get(SESSION_CONTACT)),
            "duplicate": duplicate,
            "verdict_words": words.VERDICT[evaluation["verdict"]],
            "consent_text": terms.text,
        },
        status=400 if (form.errors or duplicate) else 200,
    )


@never_cache
@require_http_methods(["GET"])
def confirmation(request: HttpRequest, nct_id: str) -> HttpResponse:
    trial = _trial(nct_id)
    pk = request.session.get(SESSION_SUBMITTED)
    application = Application.objects.filter(pk=pk, trial=trial).first() if pk else None
    if application is None:
        return redirect(trial.get_absolute_url())
    return render(
        request,
        "screening/confirmation.html",
        {
            "trial": trial,
            "application": application,
            "status_url": request.build_absolute_uri(
                reverse("screening:status", args=[application.status_token])
            ),
        },
    )


def _application(status_token: str) -> Application:
    return get_object_or_404(Application.objects.select_related("trial"), status_token=status_token)


@never_cache
@require_http_methods(["GET"])
def status(request: HttpRequest, status_token: str) -> HttpResponse:
    """The patient's private status link: where the application stands."""
    application = _application(status_token)
    return render(
        request,
        "screening/status.html",
        {
            "application": application,
            "trial": application.trial,
            "status_words": words.STATUS[application.status],
            "withdrawn": application.status == Application.Status.WITHDRAWN,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, status_token: str) -> HttpResponse:
    """Withdraw and erase, after a confirmation page."""
    application = _application(status_token)
    if application.status == Application.Status.WITHDRAWN:
        return redirect("screening:status", status_token)
    if request.method == "POST":
        application_withdraw_and_erase(application=application)
        messages.success(
            request, _("You have withdrawn. Your details and answers have been erased.")
        )
        return redirect("screening:status", status_token)
    return render(
        request,
        "screening/withdraw.html",
        {"application": application, "trial": application.trial},
    )


def ratelimited(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Too many tries from one address: a kind page, status 429."""
    return render(request, "screening/ratelimited.html", status=429)
