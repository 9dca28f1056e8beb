"""Coordinator dashboard views: thin; access through accounts.access, writes through services.

Every applicant is loaded with ``application_get_for_user`` (404 outside the user's teams,
403 for a read-only member asked to write); every look and change is audited.
"""

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import (
    application_get_for_user,
    memberships_for_user,
    trial_get_for_user,
)
from accounts.audit import AuditAction, audit_record
from accounts.models import TrialMembership
from config.request_guards import safe_next_url
from screening.models import Application, Note, StatusChange
from screening.selectors_consent import consent_current, consent_terms, consent_terms_get
from screening.services.trial_settings import consent_text_publish, trial_screening_set
from screening.services.workflow import (
    WorkflowError,
    application_assign,
    application_note_add,
    application_status_bulk_change,
    application_status_change,
)

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
from .selectors import (
    answers_rows,
    dashboard_summary,
    evaluation_points_to_check,
    evaluation_under_current_criteria,
    queue_for_user,
    queue_memberships,
    queue_rows_label,
)

PAGE_SIZE = 25
SEARCH_SESSION_KEY = "dashboard_search"


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    since = user.last_dashboard_visit
    summaries = dashboard_summary(user=user, since=since)
    user.last_dashboard_visit = timezone.now()
    user.save(update_fields=["last_dashboard_visit"])
    return render(
        request,
        "dashboard/home.html",
        {
            "summaries": summaries,
            "since": since,
            "total_new": sum(s.new_since_visit for s in summaries),
        },
    )


def _queue_filter(
    request: HttpRequest, *, nct_id: str | None, memberships: list[TrialMembership]
) -> ApplicationFilter:
    asked = request.GET.get("trial", "").strip().upper()
    if asked and asked not in {m.trial.nct_id for m in memberships}:
        # Another team's trial is answered like a missing one, and the attempt recorded.
        trial_get_for_user(user=request.user, nct_id=asked, request=request)
    data = request.GET.copy()
    data["q"] = request.session.get(SEARCH_SESSION_KEY, "")
    if nct_id is not None:
        data["trial"] = nct_id
    return ApplicationFilter(
        data,
        queryset=queue_for_user(user=request.user),
        trial_choices=[(m.trial.nct_id, m.trial.nct_id) for m in memberships],
        trial_pks={m.trial.nct_id: m.trial_id for m in memberships},
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
    can_edit_any = any(m.can_edit for m in memberships)
    return render(
        request,
        "dashboard/queue.html",
        {
            "filter": filterset,
            "page": page,
            "trial": trial,
            "membership": membership,
            "query": params.urlencode(),
            "search": request.session.get(SEARCH_SESSION_KEY, ""),
            "search_form": SearchForm(initial={"q": request.session.get(SEARCH_SESSION_KEY)}),
            "bulk_form": BulkStatusForm() if can_edit_any else None,
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


_CSV_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_CSV_DANGEROUS) else text


@require_GET
@login_required
def queue_export(request: HttpRequest) -> HttpResponse:
    filterset = _queue_filter(
        request, nct_id=None, memberships=queue_memberships(user=request.user)
    )
    if not filterset.is_valid():
        return HttpResponse(_("Those filters are not valid."), status=400)
    applications = list(filterset.qs)
    audit_record(
        request_or_actor=request,
        action=AuditAction.QUEUE_EXPORT,
        target=("queue", "csv"),
        trial_id=filterset.form.cleaned_data.get("trial") or "",
        detail={
            "count": len(applications),
            "filters": filterset.used_filters(),
            "searched": bool(filterset.form.cleaned_data.get("q")),
        },
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="applicants-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Reference"),
            _("Trial"),
            _("Submitted"),
            _("Status"),
            _("Verdict"),
            _("Score (%)"),
            _("Full name"),
            _("Email"),
            _("Phone"),
            _("Preferred contact"),
            _("Best time"),
            _("Assigned to"),
        ]
    )
    for a in applications:
        writer.writerow(
            csv_safe(cell)
            for cell in (
                a.reference,
                a.trial.nct_id,
                a.created_at.isoformat(timespec="minutes"),
                a.get_status_display(),
                a.get_verdict_display(),
                round(a.score * 100),
                a.full_name,
                a.email,
                a.phone,
                a.get_contact_method_display(),
                a.get_contact_time_display(),
                a.assigned_to.email if a.assigned_to else "",
            )
        )
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
            request=request,
        )
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect(back)
    messages.success(request, _("%(count)d applicants moved.") % {"count": len(changes)})
    return redirect(back)


def _render_applicant(
    request: HttpRequest,
    application: Application,
    *,
    status_form: StatusChangeForm | None = None,
    note_form: NoteForm | None = None,
    assign_form: AssignForm | None = None,
    status: int = 200,
) -> HttpResponse:
    membership = next(
        m for m in memberships_for_user(user=request.user) if m.trial_id == application.trial_id
    )
    # Every render shows the contact details and answers: the first look, or a form sent
    # back with its errors. One audit row per render, whichever view rendered it.
    audit_record(request_or_actor=request, action=AuditAction.APPLICATION_VIEW, target=application)
    history = StatusChange.objects.filter(application=application).select_related("by")
    notes = Note.objects.filter(application=application).select_related("author")
    context = {
        "application": application,
        "membership": membership,
        "can_edit": membership.can_edit,
        "answers": answers_rows(answers=application.answers or {}),
        "evaluation": application.evaluation or {},
        "points_to_check": evaluation_points_to_check(evaluation=application.evaluation or {}),
        "current_evaluation": evaluation_under_current_criteria(application=application),
        "consent": consent_terms_get(trial=application.trial, version=application.consent_version),
        "history": history,
        "notes": notes,
        "status_form": status_form or StatusChangeForm(application=application),
        "note_form": note_form or NoteForm(),
        "assign_form": assign_form
        or AssignForm(application=application, initial={"assignee": application.assigned_to_id}),
    }
    return render(request, "dashboard/applicant.html", context, status=status)


@require_GET
@login_required
def applicant(request: HttpRequest, reference: str) -> HttpResponse:
    application = application_get_for_user(
        user=request.user, reference_or_pk=reference, request=request
    )
    return _render_applicant(request, application)


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
                request=request,
            )
        except WorkflowError as error:
            form.add_error("to_status", str(error))
        else:
            messages.success(
                request,
                _("Status changed to “%(status)s”.") % {"status": application.get_status_display()},
            )
            return redirect("dashboard:applicant", reference=application.reference)
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
            return redirect("dashboard:applicant", reference=application.reference)
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
            return redirect("dashboard:applicant", reference=application.reference)
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
