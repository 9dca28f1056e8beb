"""A study team's settings for its trial: screening open or closed, the consent text."""

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.audit import AuditAction, audit_record
from accounts.models import User
from screening.models import ConsentText
from trials.models import Trial

from .workflow import WorkflowError


@transaction.atomic
def trial_screening_set(
    *, trial: Trial, screening_open: bool, by: User, request: HttpRequest | None = None
) -> Trial:
    """Open or close the trial to new applications through the portal."""
    if trial.screening_open != screening_open:
        trial.screening_open = screening_open
        trial.save(update_fields=["screening_open"])
        audit_record(
            request_or_actor=request if request is not None else by,
            action=AuditAction.TRIAL_SETTINGS,
            target=trial,
            detail={"screening_open": screening_open},
        )
    return trial


@transaction.atomic
def consent_text_publish(
    *, trial: Trial, version: str, text: str, by: User, request: HttpRequest | None = None
) -> ConsentText:
    """Publish a new consent version; it becomes current for new applications."""
    version, text = version.strip(), text.strip()
    if not version or not text:
        raise WorkflowError(_("A consent version needs both a version label and its text."))
    if ConsentText.objects.filter(trial=trial, version=version).exists():
        raise WorkflowError(
            _("Version “%(version)s” already exists; give the new wording a new version.")
            % {"version": version}
        )
    consent = ConsentText.objects.create(trial=trial, version=version, text=text, created_by=by)
    audit_record(
        request_or_actor=request if request is not None else by,
        action=AuditAction.TRIAL_SETTINGS,
        target=trial,
        detail={"consent_version": version},
    )
    return consent
