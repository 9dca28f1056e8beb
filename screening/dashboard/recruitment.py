"""Views of a trial's recruitment: the picture (funnel, weeks, time to first contact),
the screening log export, and the trial's recruitment settings (contact deadline and
its own closing reasons)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.access import trial_get_for_user
from accounts.audit import AuditAction, audit_record
from screening.closing_reasons import OTHER, STANDARD_REASONS
from screening.models import ClosingReason
from trials.models import Location, Trial

from .contact_forms import ClosingReasonForm, ContactDeadlineForm, PeriodForm
from .exports import csv_bytes, xlsx_bytes
from .insights import Picture, recruitment_picture, screening_log_rows

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def trial_sites(*, trial: Trial) -> list[tuple[int, str]]:
    """(id, label) of every site of the trial (a site that stopped recruiting still
    has its applicants)."""
    return [(loc.pk, str(loc)) for loc in Location.objects.filter(trial=trial).defer("contacts")]


def _picture(request: HttpRequest, trial: Trial) -> tuple[PeriodForm, Picture | None]:
    """The form and the picture it asks for (the last 12 weeks by default); no picture
    when the period is not valid."""
    data = request.GET.copy()
    # The default period, shown in the form: the last 12 weeks.
    today = timezone.localdate()
    data.setdefault("end", today.isoformat())
    data.setdefault("start", (today - timedelta(weeks=12)).isoformat())
    form = PeriodForm(data, sites=trial_sites(trial=trial))
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    return form, recruitment_picture(
        trial=trial, start=data["start"], end=data["end"], site_id=data.get("site")
    )


@require_GET
@login_required
def insights(request: HttpRequest, nct_id: str) -> HttpResponse:
    trial, membership = trial_get_for_user(user=request.user, nct_id=nct_id, request=request)
    form, picture = _picture(request, trial)
    return render(
        request,
        "dashboard/insights.html",
        {
            "trial": trial,
            "membership": membership,
            "form": form,
            "picture": picture,
            "chart_data": picture.chart_data() if picture else None,
            "query": request.GET.urlencode(),
        },
        status=200 if picture else 400,
    )


@require_GET
@login_required
def screening_log_export(request: HttpRequest, nct_id: str, fmt: str) -> HttpResponse:
    trial, _membership = trial_get_for_user(user=request.user, nct_id=nct_id, request=request)
    _form, picture = _picture(request, trial)
    if picture is None:
        return HttpResponse(_("Those filters are not valid."), status=400)
    audit_record(
        request_or_actor=request,
        action=AuditAction.SCREENING_LOG_EXPORT,
        target=trial,
        detail={"format": fmt, "count": picture.funnel["applied"]},
    )
    header = [_("Stage"), _("Closed as"), _("Reason"), _("Applicants")]
    rows = screening_log_rows(picture)
    name = f"screening-log-{trial.nct_id}-{picture.start:%Y%m%d}-{picture.end:%Y%m%d}"
    if fmt == "xlsx":
        response = HttpResponse(
            xlsx_bytes([(_("Screening log"), header, rows)]), content_type=XLSX_TYPE
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    response = HttpResponse(csv_bytes(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@login_required
def recruitment_settings(request: HttpRequest, nct_id: str) -> HttpResponse:
    """The contact deadline and the trial's own closing reasons."""
    trial, membership = trial_get_for_user(
        user=request.user, nct_id=nct_id, for_write=request.method == "POST", request=request
    )
    deadline_form = ContactDeadlineForm(
        initial={"contact_deadline_days": trial.contact_deadline_days}
    )
    reason_form = ClosingReasonForm()
    status = 200
    if request.method == "POST":
        if "deadline" in request.POST:
            deadline_form = ContactDeadlineForm(request.POST)
            if deadline_form.is_valid():
                trial.contact_deadline_days = deadline_form.cleaned_data["contact_deadline_days"]
                trial.save(update_fields=["contact_deadline_days"])
                audit_record(
                    request_or_actor=request,
                    action=AuditAction.TRIAL_SETTINGS,
                    target=trial,
                    detail={"fields": ["contact_deadline_days"]},
                )
                messages.success(request, _("Contact deadline saved."))
                return redirect("dashboard:recruitment_settings", nct_id=trial.nct_id)
        elif "reason" in request.POST:
            reason_form = ClosingReasonForm(request.POST)
            if reason_form.is_valid():
                data = reason_form.cleaned_data
                code = slugify(data["label"])[:40] or "reason"
                taken = {c for c, _l in STANDARD_REASONS.get(data["status"], ())} | {OTHER}
                if (
                    code in taken
                    or ClosingReason.objects.filter(
                        trial=trial, status=data["status"], code=code
                    ).exists()
                ):
                    reason_form.add_error("label", _("This reason is already in the list."))
                else:
                    ClosingReason.objects.create(
                        trial=trial, status=data["status"], code=code, label=data["label"]
                    )
                    audit_record(
                        request_or_actor=request,
                        action=AuditAction.TRIAL_SETTINGS,
                        target=trial,
                        detail={"fields": ["closing_reasons"], "closing_reason": code},
                    )
                    messages.success(request, _("Reason added."))
                    return redirect("dashboard:recruitment_settings", nct_id=trial.nct_id)
        status = 400
    extra = list(ClosingReason.objects.filter(trial=trial))
    reasons = [
        (
            label,
            [str(t) for _c, t in STANDARD_REASONS[s]],
            [r.label for r in extra if r.status == s],
        )
        for s, label in ((s, str(trial_status_label(s))) for s in STANDARD_REASONS)
    ]
    return render(
        request,
        "dashboard/recruitment_settings.html",
        {
            "trial": trial,
            "membership": membership,
            "deadline_form": deadline_form,
            "reason_form": reason_form,
            "reasons": reasons,
        },
        status=status,
    )


def trial_status_label(status: str) -> str:
    from screening.models import Application

    return str(Application.Status(status).label)
