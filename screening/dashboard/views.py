"""Coordinator dashboard views: thin; access through accounts.access, writes through services.

Every applicant is loaded with ``application_get_for_user`` (404 outside the user's teams,
403 for a read-only member asked to write); every look and change is audited.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.access import (
    application_get_for_user,
    trial_get_for_user,
)
from accounts.audit import AuditAction, audit_record
from accounts.models import TrialMembership
from config.request_guards import safe_next_url
from screening.closing_reasons import reason_label, reason_labels
from screening.models import Application
from screening.selectors_consent import consent_current, consent_terms, consent_terms_get
from screening.services.contacts import application_opened_mark, contact_timeline
from screening.services.trial_settings import consent_text_publish, trial_screening_set
from screening.services.workflow import (
    WorkflowError,
    application_assign,
    application_note_add,
    application_status_bulk_change,
    application_status_change,
)

from .contact_forms import BulkAssignForm, ContactForm
from .exports import applicant_columns, applicant_rows, csv_bytes, xlsx_bytes
from .filters import ApplicationFilter
from .forms import (
    AssignForm,
    BulkStatusForm,
    ConsentTextForm,
    NoteForm,
    SearchForm,
    StatusChangeForm,
    TrialScreeningForm,
)
from .queue_nav import applicant_neighbours, queue_site_choices, sort_links
from .recruitment import XLSX_TYPE
from .selectors import (
    _trial_beyond_nct_id,
    dashboard_summary,
    evaluation_under_current_criteria,
    queue_for_user,
    queue_memberships,
    queue_rows_label,
)
from .staff_view import applicant_staff_view
from .today import today_work


def closing_reason_label(application: Application) -> str:
    """The closing reason in words, with its free text."""
    if not application.closing_reason and not application.closing_reason_text:
        return ""
    labels = reason_labels(trial_ids=[application.trial_id])
    label = reason_label(labels, trial_id=application.trial_id, code=application.closing_reason)
    text = application.closing_reason_text
    return f"{label}: {text}" if label and text else label or text


PAGE_SIZE = 25
SEARCH_SESSION_KEY = "dashboard_search"
# The filters and order of the queue last shown (never the search term, which has its
# own key): the applicant page's previous and next links walk the same list.
QUEUE_SESSION_KEY = "dashboard_queue"


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    since = user.last_dashboard_visit
    summaries = dashboard_summary(user=user, since=since)
    work = today_work(user=user)
    not_opened = {t.membership.trial_id: t.not_opened for t in work.trials}
    for summary in summaries:
        # "New since your last visit": the applicants this user has not opened yet, so
        # that a reload does not clear it (ApplicationOpened).
        summary.new_since_visit = not_opened.get(summary.membership.trial_id, 0)
    listed = sorted({a.reference for a in (*work.waiting, *work.follow_ups, *work.visits)})
    if listed:
        # Today's work shows names and phone numbers: one record of who saw which.
        audit_record(
            request_or_actor=request,
            action=AuditAction.TODAY_VIEW,
            target=("dashboard", "today"),
            detail={"references": listed, "count": len(listed)},
        )
    user.last_dashboard_visit = timezone.now()
    user.save(update_fields=["last_dashboard_visit"])
    return render(
        request,
        "dashboard/home.html",
        {
            "summaries": summaries,
            "work": work,
            "since": since,
            "total_new": work.not_opened,
        },
    )


def _stored_search(request: HttpRequest) -> str:
    """The search term kept in the session, if the search form still accepts it; a
    term it refuses is forgotten, so that no stored search can break the queue."""
    term = request.session.get(SEARCH_SESSION_KEY, "")
    if not term:
        return ""
    form = SearchForm({"q": term})
    if not form.is_valid():
        request.session.pop(SEARCH_SESSION_KEY, None)
        return ""
    return form.cleaned_data["q"]


def _queue_filter(
    request: HttpRequest, *, nct_id: str | None, memberships: list[TrialMembership]
) -> ApplicationFilter:
    asked = request.GET.get("trial", "").strip().upper()
    if asked and asked not in {m.trial.nct_id for m in memberships}:
        # Another team's trial is answered like a missing one, and the attempt recorded.
        trial_get_for_user(user=request.user, nct_id=asked, request=request)
    data = request.GET.copy()
    data.pop("q", None)
    data["q"] = _stored_search(request)
    if nct_id is not None:
        data["trial"] = nct_id
    return ApplicationFilter(
        data,
        queryset=queue_for_user(user=request.user),
        trial_choices=[(m.trial.nct_id, m.trial.nct_id) for m in memberships],
        trial_pks={m.trial.nct_id: m.trial_id for m in memberships},
        site_choices=queue_site_choices(memberships=memberships),
        user=request.user,
    )


@require_GET
@login_required
def queue(request: HttpRequest, nct_id: str | None = None) -> HttpResponse:
    memberships = queue_memberships(user=request.user)
    trial = membership = None
    if nct_id is not None:
        membership = next((m for m in memberships if m.trial.nct_id == nct_id.upper()), None)
        if membership is None:
            # Not a member: the same 404 and audit record as everywhere else.
            trial, membership = trial_get_for_user(
                user=request.user, nct_id=nct_id, request=request
            )
        else:
            trial = membership.trial
    filterset = _queue_filter(
        request, nct_id=trial.nct_id if trial else None, memberships=memberships
    )
    if not filterset.is_valid():
        _audit_queue(request, trial=trial, shown=[], filterset=filterset)
        return render(
            request,
            "dashboard/queue.html",
            {"filter": filterset, "page": None, "trial": trial, "search_form": SearchForm()},
            status=400,
        )
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = queue_rows_label(applications=list(page.object_list))
    _audit_queue(request, trial=trial, shown=page.object_list, filterset=filterset)
    params = request.GET.copy()
    params.pop("page", None)
    shown = {
        "params": {k: params.getlist(k) for k in params if k in filterset.filters},
        "trial": trial.nct_id if trial else None,
    }
    # Written only when it changed: a reload of the same list does not rewrite the session.
    if request.session.get(QUEUE_SESSION_KEY) != shown:
        request.session[QUEUE_SESSION_KEY] = shown
    can_edit_any = any(m.can_edit for m in memberships)
    order = request.GET.get("order", "")
    used = filterset.used_filters()
    return render(
        request,
        "dashboard/queue.html",
        {
            "filter": filterset,
            "page": page,
            "trial": trial,
            # The heading names what the list holds: one trial when filtered to it.
            "heading_nct_id": trial.nct_id if trial else used.get("trial", ""),
            "narrowed": bool(set(used) - {"trial", "order"}),
            "membership": membership,
            "query": params.urlencode(),
            "search": request.session.get(SEARCH_SESSION_KEY, ""),
            "search_form": SearchForm(initial={"q": request.session.get(SEARCH_SESSION_KEY)}),
            "bulk_form": BulkStatusForm() if can_edit_any else None,
            "assign_form": BulkAssignForm(trial_ids=[m.trial_id for m in memberships if m.can_edit])
            if can_edit_any
            else None,
            "sort_links": sort_links(params=params, current=order),
            "today": timezone.localdate(),
        },
    )


def _audit_queue(
    request: HttpRequest, *, trial: Any, shown: Any, filterset: ApplicationFilter
) -> None:
    """The queue shows names: each render is a look at the applicants it lists."""
    cleaned = getattr(filterset.form, "cleaned_data", {}) or {}
    audit_record(
        request_or_actor=request,
        action=AuditAction.QUEUE_VIEW,
        target=("queue", trial.nct_id if trial else ""),
        trial_id=trial.nct_id if trial else (cleaned.get("trial") or ""),
        detail={
            "references": [a.reference for a in shown],
            "count": len(shown),
            "filters": filterset.used_filters(),
            "searched": bool(request.session.get(SEARCH_SESSION_KEY)),
        },
    )


def _safe_next(request: HttpRequest, default: str) -> str:
    return safe_next_url(request, request.POST.get("next"), default)


@require_POST
@login_required
def queue_search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.POST)
    term = form.cleaned_data["q"].strip() if form.is_valid() else ""
    if term and "clear" not in request.POST:
        request.session[SEARCH_SESSION_KEY] = term
    else:
        request.session.pop(SEARCH_SESSION_KEY, None)
    return redirect(_safe_next(request, reverse("dashboard:queue")))


@require_GET
@login_required
def queue_export(request: HttpRequest, fmt: str = "csv") -> HttpResponse:
    """The queue as filtered, as CSV or XLSX (exports.py says how cells stay inert)."""
    filterset = _queue_filter(
        request, nct_id=None, memberships=queue_memberships(user=request.user)
    )
    if not filterset.is_valid():
        return HttpResponse(_("Those filters are not valid."), status=400)
    # The open points come from the evaluation snapshot, which the queue leaves deferred.
    applications = list(
        filterset.qs.defer(None).defer(
            "answers", "site__contacts", *_trial_beyond_nct_id("trial__")
        )
    )
    audit_record(
        request_or_actor=request,
        action=AuditAction.QUEUE_EXPORT,
        target=("queue", fmt),
        trial_id=filterset.form.cleaned_data.get("trial") or "",
        detail={
            "count": len(applications),
            "filters": filterset.used_filters(),
            "searched": bool(filterset.form.cleaned_data.get("q")),
            "format": fmt,
        },
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    rows = applicant_rows(applications)
    if fmt == "xlsx":
        response = HttpResponse(
            xlsx_bytes([(_("Applicants"), applicant_columns(), rows)]), content_type=XLSX_TYPE
        )
        response["Content-Disposition"] = f'attachment; filename="applicants-{stamp}.xlsx"'
        return response
    response = HttpResponse(
        csv_bytes(applicant_columns(), rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="applicants-{stamp}.csv"'
    return response


@require_POST
@login_required
def queue_bulk_status(request: HttpRequest) -> HttpResponse:
    back = _safe_next(request, reverse("dashboard:queue"))
    form = BulkStatusForm(request.POST)
    if not form.is_valid():
        for error in form.non_field_errors() or [_("Choose a status.")]:
            messages.error(request, error)
        return redirect(back)
    applications = [
        application_get_for_user(
            user=request.user, reference_or_pk=ref, for_write=True, request=request
        )
        for ref in form.references
    ]
    try:
        changes = application_status_bulk_change(
            applications=applications,
            to_status=form.cleaned_data["to_status"],
            by=request.user,
            note=form.cleaned_data["note"],
            reason=form.cleaned_data["reason"],
            reason_required=True,
            request=request,
        )
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect(back)
    count = len(changes)
    messages.success(
        request,
        ngettext("%(count)d applicant moved.", "%(count)d applicants moved.", count)
        % {"count": count},
    )
    return redirect(back)


def _render_applicant(
    request: HttpRequest,
    application: Application,
    *,
    status_form: StatusChangeForm | None = None,
    note_form: NoteForm | None = None,
    assign_form: AssignForm | None = None,
    contact_form: ContactForm | None = None,
    status: int = 200,
) -> HttpResponse:
    memberships = queue_memberships(user=request.user)
    membership = next(m for m in memberships if m.trial_id == application.trial_id)
    queue = request.session.get(QUEUE_SESSION_KEY) or {}
    previous, following = applicant_neighbours(
        user=request.user,
        application=application,
        params=queue.get("params") or {},
        search=request.session.get(SEARCH_SESSION_KEY, ""),
        memberships=memberships,
    )
    # Every render shows the contact details and answers: the first look, or a form sent
    # back with its errors. One audit row per render, whichever view rendered it.
    audit_record(request_or_actor=request, action=AuditAction.APPLICATION_VIEW, target=application)
    context = {
        "application": application,
        "membership": membership,
        "can_edit": membership.can_edit,
        **applicant_staff_view(application=application),
        "evaluation": application.evaluation or {},
        "current_evaluation": evaluation_under_current_criteria(application=application),
        "consent": consent_terms_get(trial=application.trial, version=application.consent_version),
        "timeline": contact_timeline(application=application),
        "status_form": status_form or StatusChangeForm(application=application),
        "note_form": note_form or NoteForm(),
        "contact_form": contact_form or ContactForm(application=application),
        "assign_form": assign_form
        or AssignForm(application=application, initial={"assignee": application.assigned_to_id}),
        "previous": previous,
        "next": following,
        "reason": closing_reason_label(application),
    }
    return render(request, "dashboard/applicant.html", context, status=status)


@require_GET
@login_required
def applicant(request: HttpRequest, reference: str) -> HttpResponse:
    application = application_get_for_user(
        user=request.user, reference_or_pk=reference, request=request
    )
    application_opened_mark(application=application, user=request.user)
    _today_list_remember(request)
    return _render_applicant(request, application)


# Today's work's lists, as the queue filters that give them (the same order as the home
# page shows them), so "Next applicant" goes on down the list the coordinator came from.
TODAY_LISTS = {
    "first_contact": {"due": ["first_contact"], "order": ["submitted"]},
    "follow_up": {"due": ["follow_up"], "order": ["due"]},
    "visit": {"due": ["visit"]},
}


def _today_list_remember(request: HttpRequest) -> None:
    """An applicant opened from a list of Today's work (``?from=first_contact``,
    ``follow_up`` or ``visit``): that list becomes the one the previous and next links
    walk, in place of the queue last shown and its search. Any other value is ignored."""
    params = TODAY_LISTS.get(request.GET.get("from", ""))
    if params is None:
        return
    request.session[QUEUE_SESSION_KEY] = {"params": params, "trial": None}
    request.session.pop(SEARCH_SESSION_KEY, None)


def _applicant_for_write(request: HttpRequest, reference: str) -> Application:
    return application_get_for_user(
        user=request.user, reference_or_pk=reference, for_write=True, request=request
    )


@require_POST
@login_required
def applicant_status(request: HttpRequest, reference: str) -> HttpResponse:
    application = _applicant_for_write(request, reference)
    form = StatusChangeForm(request.POST, application=application)
    if form.is_valid():
        try:
            application_status_change(
                application=application,
                to_status=form.cleaned_data["to_status"],
                by=request.user,
                note=form.cleaned_data["note"],
                reason=form.cleaned_data.get("reason") or "",
                reason_text=form.cleaned_data.get("reason_text") or "",
                visit_at=form.cleaned_data.get("visit_at"),
                reason_required=True,
                request=request,
            )
        except WorkflowError as error:
            form.add_error("to_status", str(error))
        else:
            messages.success(
                request,
                _("Status changed to “%(status)s”.") % {"status": application.get_status_display()},
            )
            return redirect(
                reverse("dashboard:applicant", args=[application.reference]) + "#workflow"
            )
    return _render_applicant(request, application, status_form=form, status=400)


@require_POST
@login_required
def applicant_note(request: HttpRequest, reference: str) -> HttpResponse:
    application = _applicant_for_write(request, reference)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            application_note_add(
                application=application,
                author=request.user,
                text=form.cleaned_data["text"],
                request=request,
            )
        except WorkflowError as error:
            form.add_error("text", str(error))
        else:
            messages.success(request, _("Note added."))
            return redirect(
                reverse("dashboard:applicant", args=[application.reference]) + "#timeline"
            )
    return _render_applicant(request, application, note_form=form, status=400)


@require_POST
@login_required
def applicant_assign(request: HttpRequest, reference: str) -> HttpResponse:
    application = _applicant_for_write(request, reference)
    form = AssignForm(request.POST, application=application)
    if form.is_valid():
        try:
            application_assign(
                application=application,
                assignee=form.cleaned_data["assignee"],
                by=request.user,
                request=request,
            )
        except WorkflowError as error:
            form.add_error("assignee", str(error))
        else:
            messages.success(request, _("Assignment saved."))
            return redirect(
                reverse("dashboard:applicant", args=[application.reference]) + "#workflow"
            )
    return _render_applicant(request, application, assign_form=form, status=400)


def _criteria_admin_url(trial: Any) -> str | None:
    try:
        return reverse("admin:screening_criterion_changelist") + f"?trial__id__exact={trial.pk}"
    except NoReverseMatch:
        try:
            return reverse("admin:trials_trial_change", args=[trial.pk])
        except NoReverseMatch:
            return None


@login_required
def trial_settings(request: HttpRequest, nct_id: str) -> HttpResponse:
    trial, membership = trial_get_for_user(
        user=request.user, nct_id=nct_id, for_write=request.method == "POST", request=request
    )
    screening_form = TrialScreeningForm(initial={"screening_open": trial.screening_open})
    consent_form = ConsentTextForm()
    status = 200
    if request.method == "POST":
        if "screening" in request.POST:
            screening_form = TrialScreeningForm(request.POST)
            if screening_form.is_valid():
                trial_screening_set(
                    trial=trial,
                    screening_open=screening_form.cleaned_data["screening_open"],
                    by=request.user,
                    request=request,
                )
                messages.success(request, _("Screening settings saved."))
                return redirect("dashboard:trial_settings", nct_id=trial.nct_id)
        elif "consent" in request.POST:
            consent_form = ConsentTextForm(request.POST)
            if consent_form.is_valid():
                try:
                    consent_text_publish(
                        trial=trial, by=request.user, request=request, **consent_form.cleaned_data
                    )
                except WorkflowError as error:
                    consent_form.add_error("version", str(error))
                else:
                    messages.success(request, _("New consent version published."))
                    return redirect("dashboard:trial_settings", nct_id=trial.nct_id)
        else:
            messages.error(request, _("Nothing to save."))
        status = 400
    return render(
        request,
        "dashboard/trial_settings.html",
        {
            "trial": trial,
            "membership": membership,
            "screening_form": screening_form,
            "consent_form": consent_form,
            "consent": consent_terms(trial=trial),
            "consent_published": consent_current(trial=trial) is not None,
            "consent_history": trial.consent_texts.select_related("created_by"),
            "criteria_admin_url": _criteria_admin_url(trial) if request.user.is_staff else None,
        },
        status=status,
    )
