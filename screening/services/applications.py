"""Writes of the patient journey: drafts, applications, withdrawal.

Every function here runs in one transaction: a refused request saves nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from screening.eligibility import CriterionSpec
from screening.models import (
    Application,
    ContactAttempt,
    Draft,
    Note,
    PointVerification,
    StatusChange,
)
from screening.models.applications import CLOSED_STATUSES
from screening.questions import answers_validate
from screening.selectors import trial_evaluate
from screening.services.notify import (
    notify_application_received,
    notify_coordinators_new_applicant,
    notify_resume_link,
)
from screening.services.outbox import email_opt_out_forget, notifications_erase
from screening.services.workflow import application_withdraw
from trials.models import Trial

# No 0/O, 1/I/L: a reference is read out on the phone and typed from paper.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REFERENCE_LENGTH = 8


@dataclass(frozen=True)
class Contact:
    full_name: str
    email: str
    phone: str = ""
    contact_method: str = Application.ContactMethod.EMAIL
    contact_time: str = Application.ContactTime.ANY
    language: str = "en"
    site_id: int | None = None  # the preferred site: one of the trial's locations


@dataclass(frozen=True)
class Consent:
    """What the patient agreed to, and under which version of the consent text."""

    version: str
    to_be_contacted: bool
    to_share_answers: bool


class ApplicationDuplicate(Exception):
    """The same email already has an open application for this trial."""


class ScreeningClosed(Exception):
    """The trial does not take applications through the portal now."""


def draft_start(
    *, trial: Trial, answers: Mapping[str, Any] | None = None, allowed: set[str] | None = None
) -> Draft:
    """A new draft for `trial`, empty or starting from `answers` given for another trial.

    Only the `allowed` keys (the trial's own questions) are carried over, and no step is
    marked completed: the patient sees each earlier answer filled in and confirms it.
    """
    kept: dict[str, Any] = {}
    for key, value in (answers or {}).items():
        if allowed is not None and key in allowed:
            try:
                kept.update(answers_validate({key: value}))
            except ValidationError:
                continue  # an answer the bank no longer accepts is asked again
    return Draft.objects.create(trial=trial, answers=kept)


@transaction.atomic
def draft_answers_save(
    *,
    draft: Draft,
    answers: Mapping[str, Any],
    step: str | None,
    allowed: set[str],
    forget: set[str] | frozenset[str] = frozenset(),
) -> Draft:
    """Merge one step's answers into the draft; mark the step completed when given.

    Only the trial's own questions are kept (`allowed`), so a crafted form can add
    nothing else to a patient's record. `forget` names questions that skip logic now
    hides: their earlier answers are removed rather than left to mislead.
    """
    unknown_keys = set(answers) - allowed
    if unknown_keys:
        raise ValidationError(_("These answers are not asked by this trial."))
    clean = answers_validate(dict(answers))
    draft = Draft.objects.select_for_update().get(pk=draft.pk)
    kept = {key: value for key, value in draft.answers.items() if key not in forget}
    draft.answers = {**kept, **clean}
    if step and step not in draft.completed_steps:
        draft.completed_steps = [*draft.completed_steps, step]
    draft.save(update_fields=["answers", "completed_steps", "updated_at"])
    return draft


@transaction.atomic
def draft_email_link(*, draft: Draft, email: str) -> Draft:
    """Keep the patient's email on the draft and send them the link to continue."""
    draft.email = email
    draft.save(update_fields=["email", "updated_at"])
    _send_resume_link(draft)
    return draft


def _send_resume_link(draft: Draft) -> None:
    """The single place that asks for the "continue later" email (an outbox row, in
    this transaction: it is sent once the draft's email is committed)."""
    notify_resume_link(draft=draft)


def _reference_new() -> str:
    while True:
        reference = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
        if not Application.objects.filter(reference=reference).exists():
            return reference


def application_open_exists(*, trial: Trial, email: str) -> bool:
    return (
        Application.objects.filter(trial=trial, email__iexact=email)
        .exclude(status__in=CLOSED_STATUSES)
        .exists()
    )


@transaction.atomic
def application_submit(
    *,
    draft: Draft,
    contact: Contact,
    consent: Consent,
    encoded: list[CriterionSpec] | None = None,
) -> Application:
    """Turn a draft into an application, in one transaction.

    Stores snapshots of the answers and of the evaluation as they are now (later edits
    to the criteria never rewrite them), the consent version and time, and a short
    unguessable reference. A not-eligible patient may apply too: the snapshot says so.

    Raises `ValidationError` without both consents, `ScreeningClosed` when the trial
    takes no applications, `ApplicationDuplicate` when the email already has an open
    application for this trial. `encoded`: the trial's criteria as the caller read them
    in this request (`trial_encoded_criteria`), so that they are read once.
    """
    if not (consent.to_be_contacted and consent.to_share_answers):
        raise ValidationError(_("Both consents are needed to apply."))
    # Locking the trial row makes two simultaneous submissions with one email queue up,
    # so the duplicate check below cannot be raced.
    trial = Trial.objects.select_for_update().get(pk=draft.trial_id)
    if not trial.takes_applicants:
        raise ScreeningClosed
    email = contact.email.strip()
    if application_open_exists(trial=trial, email=email):
        raise ApplicationDuplicate
    now = timezone.now()
    # Marking the draft submitted is its lock and its check at once: a second submit of
    # the same draft (two tabs, a double click) finds it already marked.
    if not Draft.objects.filter(pk=draft.pk, submitted_at__isnull=True).update(
        submitted_at=now, updated_at=now
    ):
        raise ApplicationDuplicate
    draft.submitted_at = draft.updated_at = now
    answers = answers_validate(dict(draft.answers))
    evaluation = trial_evaluate(trial=trial, answers=answers, encoded=encoded)
    application = Application.objects.create(
        reference=_reference_new(),
        trial=trial,
        draft=draft,
        full_name=contact.full_name.strip(),
        email=email,
        phone=contact.phone.strip(),
        contact_method=contact.contact_method,
        contact_time=contact.contact_time,
        language=contact.language,
        # A site of another trial (a forged form) is dropped rather than trusted.
        site_id=contact.site_id
        if contact.site_id and trial.locations.filter(pk=contact.site_id).exists()
        else None,
        answers=answers,
        evaluation=evaluation,
        verdict=evaluation["verdict"],
        score=evaluation["score"],
        consent_version=consent.version,
        consented_at=now,
    )
    _announce(application)
    return application


def _announce(application: Application) -> None:
    """The single place that tells people about a new application: the patient's receipt
    and the team's alert, written to the outbox in the application's transaction."""
    notify_application_received(application=application)
    notify_coordinators_new_applicant(application=application)


@transaction.atomic
def application_withdraw_and_erase(*, application: Application) -> Application:
    """The patient withdraws: erase everything of theirs, record the withdrawal.

    Erased: the contact details and answers on the application; its draft; what the team
    wrote about the person (notes, the notes of status changes and contact attempts, a
    closing reason in their words, values verified in source documents); the patient's
    emails in the outbox (address, reference, private links; a queued one is never sent);
    their "stop these emails" when no other application or draft holds the address. The
    audit trail names the application by reference and holds no personal data.

    The reference, trial, dates, verdict and status history stay, so the team sees a
    withdrawn row and nothing else about the person. An application the team already
    closed is not "withdrawn" again, but it is erased all the same: erasure is the
    patient's right whatever the workflow says.
    """
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.is_open:
        application_withdraw(application=application)
    email = application.email
    change_ids = list(application.status_changes.values_list("pk", flat=True))
    draft_id = application.draft_id
    notifications_erase(
        keys=[
            f"application-received:{application.pk}",
            *(f"status-changed:{pk}" for pk in change_ids),
            *([f"draft-reminder:{draft_id}"] if draft_id else []),
        ],
        key_prefixes=[f"resume-link:{draft_id}:"] if draft_id else [],
    )
    StatusChange.objects.filter(application=application).exclude(note="").update(note="")
    ContactAttempt.objects.filter(application=application).exclude(note="").update(note="")
    Note.objects.filter(application=application).delete()
    PointVerification.objects.filter(application=application).delete()
    application.full_name = ""
    application.email = ""
    application.phone = ""
    application.closing_reason_text = ""
    application.answers = {}
    application.evaluation = {
        "trial": application.evaluation.get("trial", ""),
        "verdict": application.verdict,
        "score": application.score,
        "criteria": [],
    }
    application.draft = None
    application.save()
    if draft_id:
        Draft.objects.filter(pk=draft_id).delete()
    if email and not (
        Application.objects.filter(email__iexact=email).exists()
        or Draft.objects.filter(email__iexact=email).exists()
    ):
        email_opt_out_forget(email=email)
    return application
