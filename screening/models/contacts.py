"""The coordinator's recruitment records around an application: the contact log, who
has opened which applicant, the points verified against source documents, and each
trial's own closing reasons.

They are kept apart from the application's answers and evaluation snapshot: the
snapshot is what the patient said and saw; these rows are what the team did.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .applications import Application


class ContactAttempt(models.Model):
    """One attempt to reach a patient: channel, outcome, an optional note and the date
    of the next attempt (the follow-up that "Today's work" lists when due)."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("Email")
        TEXT = "text", _("Text message")
        LETTER = "letter", _("Letter")
        IN_PERSON = "in_person", _("In person")

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached")
        VOICEMAIL = "voicemail", _("Left a voicemail")
        NO_ANSWER = "no_answer", _("No answer")
        WRONG_NUMBER = "wrong_number", _("Wrong number or address")
        DECLINED = "declined", _("Declined")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="contact_attempts"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    outcome = models.CharField(_("outcome"), max_length=14, choices=Outcome.choices)
    note = models.TextField(_("note"), blank=True)
    next_attempt_on = models.DateField(_("next attempt"), null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.channel}: {self.outcome}"


class ApplicationOpened(models.Model):
    """That a team member has opened an applicant at least once: "new since your last
    visit" counts the applicants without such a row, so a reload does not clear it."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    first_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "application"], name="application_opened_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} opened {self.application_id}"


class PointVerification(models.Model):
    """A point to check (one criterion of the snapshot) verified against the source
    documents, with the value found there. Never written into the answers or snapshot."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="verifications"
    )
    kind = models.CharField(max_length=10)  # "inclusion" | "exclusion", as in the snapshot
    number = models.CharField(max_length=20)
    value_found = models.CharField(_("value found"), max_length=200)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "kind", "number"], name="point_verified_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.number} verified"


class ClosingReason(models.Model):
    """A closing reason a trial adds to the standard list for one closing status
    (screening.closing_reasons.STANDARD_REASONS)."""

    trial = models.ForeignKey("trials.Trial", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=Application.Status.choices)
    code = models.SlugField(max_length=40)
    label = models.CharField(_("reason"), max_length=120)

    class Meta:
        ordering = ["status", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["trial", "status", "code"], name="closing_reason_code_unique"
            )
        ]

    def __str__(self) -> str:
        return self.label
