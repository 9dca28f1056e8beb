"""Views of the coordinator's contact work: log a contact, verify a point to check,
assign several applicants at once. Access through accounts.access, writes through
screening.services, each audited there.

After a save the coordinator lands back where they were working: the applicant page at
the section's anchor (#contact-log, #points-to-check), or the queue they came from.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.access import application_get_for_user
from config.request_guards import safe_next_url
from screening.services.contacts import contact_log, point_verify
from screening.services.workflow import WorkflowError, application_assign

from .contact_forms import BulkAssignForm, ContactForm, VerifyForm
from .selectors import queue_memberships


def _applicant_url(reference: str, anchor: str) -> str:
    return reverse("dashboard:applicant", args=[reference]) + f"#{anchor}"


@require_POST
@login_required
def applicant_contact(request: HttpRequest, reference: str) -> HttpResponse:
    from .views import _render_applicant  # the page renderer lives with the page

    application = application_get_for_user(
        user=request.user, reference_or_pk=reference, for_write=True, request=request
    )
    form = ContactForm(request.POST, application=application)
    if form.is_valid():
        try:
            attempt = contact_log(
                application=application,
                by=request.user,
                data=form.contact_input(),
                request=request,
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Contact logged (%(outcome)s). Status: “%(status)s”.")
                % {
                    "outcome": attempt.get_outcome_display().lower(),
                    "status": application.get_status_display(),
                },
            )
            return redirect(_applicant_url(application.reference, "contact-log"))
    return _render_applicant(request, application, contact_form=form, status=400)


@require_POST
@login_required
def applicant_verify(request: HttpRequest, reference: str) -> HttpResponse:
    application = application_get_for_user(
        user=request.user, reference_or_pk=reference, for_write=True, request=request
    )
    form = VerifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the value you found in the source documents."))
        return redirect(_applicant_url(application.reference, "points-to-check"))
    data = form.cleaned_data
    try:
        point_verify(
            application=application,
            by=request.user,
            kind=data["kind"],
            number=data["number"],
            value_found=data["value_found"],
            request=request,
        )
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Point marked as verified."))
    return redirect(_applicant_url(application.reference, "points-to-check"))


def _back(request: HttpRequest) -> str:
    return safe_next_url(request, request.POST.get("next"), reverse("dashboard:queue"))


@require_POST
@login_required
def queue_bulk_assign(request: HttpRequest) -> HttpResponse:
    """Assign the selected applicants to one team member, to me ("assign_me"), or to
    nobody. All or nothing: an applicant outside the user's teams is a 404."""
    back = _back(request)
    trial_ids = [m.trial_id for m in queue_memberships(user=request.user)]
    form = BulkAssignForm(request.POST, trial_ids=trial_ids)
    if not form.is_valid():
        for error in form.non_field_errors() or [_("Choose whom to assign.")]:
            messages.error(request, error)
        return redirect(back)
    assignee = request.user if "assign_me" in request.POST else form.cleaned_data["assignee"]
    applications = [
        application_get_for_user(
            user=request.user, reference_or_pk=ref, for_write=True, request=request
        )
        for ref in form.references
    ]
    try:
        with transaction.atomic():
            for application in applications:
                application_assign(
                    application=application, assignee=assignee, by=request.user, request=request
                )
    except WorkflowError as error:
        messages.error(
            request,
            _("%(reference)s: %(error)s Nothing was changed.")
            % {"reference": application.reference, "error": error},
        )
        return redirect(back)
    count = len(applications)
    messages.success(
        request,
        ngettext("%(count)d applicant assigned.", "%(count)d applicants assigned.", count)
        % {"count": count},
    )
    return redirect(back)
