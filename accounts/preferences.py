"""Email preferences: a team member's choice per trial, and a patient's "stop these emails"."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.forms import modelformset_factory
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.models import TrialMembership, User
from screening.services.notify import stop_token_notification
from screening.services.outbox import email_opt_out


class EmailLanguageForm(forms.ModelForm):
    """The language of the portal's emails to this team member."""

    class Meta:
        model = User
        fields = ["language"]
        widgets = {"language": forms.RadioSelect(attrs={"class": "form-check-input"})}


class NotifyChoiceForm(forms.ModelForm):
    class Meta:
        model = TrialMembership
        fields = ["notify"]
        widgets = {"notify": forms.RadioSelect(attrs={"class": "form-check-input"})}


class BaseNotifyChoiceFormSet(forms.BaseModelFormSet):
    def clean(self) -> None:
        super().clean()
        # A posted id outside the user's memberships turns into a "new" form, which
        # edit_only would silently drop; say so instead of claiming it was saved.
        if any(form.instance.pk is None for form in self.forms):
            raise forms.ValidationError(_("These settings are not yours to change."))


# edit_only: a posted form can change the user's own memberships, never create one.
NotifyChoiceFormSet = modelformset_factory(
    TrialMembership,
    form=NotifyChoiceForm,
    formset=BaseNotifyChoiceFormSet,
    extra=0,
    edit_only=True,
)


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request: HttpRequest) -> HttpResponse:
    memberships = request.user.memberships.select_related("trial").order_by("trial__nct_id")
    data = request.POST or None
    formset = NotifyChoiceFormSet(data, queryset=memberships)
    language_form = EmailLanguageForm(data, instance=request.user, prefix="email")
    context = {"formset": formset, "language_form": language_form}
    if request.method == "POST":
        if formset.is_valid() and language_form.is_valid():
            with transaction.atomic():
                formset.save()
                language_form.save()
            messages.success(request, _("Your email settings are saved."))
            return redirect("account_notifications")
        return render(request, "accounts/notifications.html", context, status=400)
    return render(request, "accounts/notifications.html", context)


# Mail programs' one-click unsubscribe (RFC 8058) posts without a CSRF token; the signed
# token in the URL is what proves the link came from us.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def email_stop(request: HttpRequest, token: str) -> HttpResponse:
    notification = stop_token_notification(token)
    if notification is None:
        return render(request, "accounts/email-stop.html", {"invalid": True}, status=404)
    if request.method == "POST":
        email_opt_out(email=notification.to_email)
        return render(request, "accounts/email-stop.html", {"stopped": True})
    return render(request, "accounts/email-stop.html", {})
