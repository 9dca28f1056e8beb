"""Drafts (unfinished questionnaires) and applications (submitted screenings).

Answers and contact details are health data: they live only in these rows, never in
URLs, logs, caches or email bodies.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    """An unguessable capability token for a private link (256 bits)."""
    return secrets.token_urlsafe(32)


class Verdict(models.TextChoices):
    LIKELY_ELIGIBLE = "likely_eligible", _("Likely eligible")
    NEEDS_REVIEW = "needs_review", _("Needs review")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")


class Draft(models.Model):
    """A questionnaire in progress, resumable by its token from any device."""

    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    trial = models.ForeignKey("trials.Trial", on_delete=models.CASCADE, related_name="drafts")
    answers = models.JSONField(default=dict, blank=True)
    # Keys of the steps the patient has saved, so the flow can send them to the first
    # step not yet completed.
    completed_steps = models.JSONField(default=list, blank=True)
    # Keys answered in "Find trials for me" and carried into this draft: not asked again.
    carried = models.JSONField(default=list, blank=True)
    # Only set when the patient asks for a resume link by email.
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"Draft {self.pk} · {self.trial_id}"


def triage_ranks() -> list[tuple[str, models.Case]]:
    """The queue's first sort keys, as (name, expression): new first, then likely eligible,
    then needs review. Shared by the queue's ordering and its index."""
    return [
        (
            "_new_first",
            models.Case(
                models.When(status="new", then=models.Value(0)),
                default=models.Value(1),
                output_field=models.IntegerField(),
            ),
        ),
        (
            "_verdict_rank",
            models.Case(
                models.When(verdict=Verdict.LIKELY_ELIGIBLE, then=models.Value(0)),
                models.When(verdict=Verdict.NEEDS_REVIEW, then=models.Value(1)),
                default=models.Value(2),
                output_field=models.IntegerField(),
            ),
        ),
    ]


class Application(models.Model):
    """A submitted screening: snapshots of the answers and of the evaluation, consent, contact.

    The snapshots are history: editing the trial's criteria later never rewrites them.
    """

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_REVIEW = "in_review", _("In review")
        CONTACTED_1 = "contacted_1", _("Contacted (attempt 1)")
        CONTACTED_2 = "contacted_2", _("Contacted (attempt 2)")
        CONTACTED_3 = "contacted_3", _("Contacted (attempt 3)")
        VISIT_SCHEDULED = "visit_scheduled", _("Screening visit scheduled")
        ENROLLED = "enrolled", _("Enrolled")
        NOT_ELIGIBLE = "not_eligible", _("Not eligible")
        NOT_INTERESTED = "not_interested", _("Not interested")
        UNREACHABLE = "unreachable", _("Could not reach")
        WITHDRAWN = "withdrawn", _("Withdrawn by the patient")

    class ContactMethod(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")

    class ContactTime(models.TextChoices):
        ANY = "any", _("Any time")
        MORNING = "morning", _("Morning")
        AFTERNOON = "afternoon", _("Afternoon")
        EVENING = "evening", _("Evening")

    reference = models.CharField(max_length=16, unique=True, editable=False)
    status_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    trial = models.ForeignKey("trials.Trial", on_delete=models.PROTECT, related_name="applications")
    draft = models.OneToOneField(
        Draft, null=True, blank=True, on_delete=models.SET_NULL, related_name="application"
    )

    full_name = models.CharField(_("full name"), max_length=200)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    contact_method = models.CharField(
        max_length=10, choices=ContactMethod.choices, default=ContactMethod.EMAIL
    )
    contact_time = models.CharField(
        max_length=10, choices=ContactTime.choices, default=ContactTime.ANY
    )
    language = models.CharField(max_length=10, default="en")

    answers = models.JSONField(default=dict)
    evaluation = models.JSONField(default=dict)
    verdict = models.CharField(max_length=20, choices=Verdict.choices, db_index=True)
    score = models.FloatField(db_index=True)

    consent_version = models.CharField(max_length=20)
    consented_at = models.DateTimeField()

    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    status_changed_at = models.DateTimeField(auto_now_add=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The site the patient prefers, among the trial's recruiting sites (none: no choice,
    # or a trial without sites).
    site = models.ForeignKey(
        "trials.Location",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("preferred site"),
    )
    # Kept by screening.services.contacts from the contact log, so the queue and
    # "Today's work" sort and filter on them without reading the log.
    first_contact_at = models.DateTimeField(null=True, blank=True)
    last_contact_at = models.DateTimeField(null=True, blank=True)
    next_action_on = models.DateField(null=True, blank=True, db_index=True)
    visit_at = models.DateTimeField(_("screening visit"), null=True, blank=True)
    # Why a closed application closed: a code (screening.closing_reasons) and free text.
    closing_reason = models.CharField(max_length=40, blank=True)
    closing_reason_text = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["trial", "status", "-score"]),
            models.Index(fields=["trial", "-created_at"]),
            # A trial's queue in triage order (screening.dashboard.selectors.queue_order):
            # its first page is read from here instead of sorting every applicant
            # (measured by `make bench`: 26 ms for the 5,500 applicants of one trial).
            models.Index(
                models.F("trial"),
                *(rank for _name, rank in triage_ranks()),
                models.F("score").desc(),
                models.F("created_at"),
                models.F("id"),
                name="application_triage_order",
            ),
            # The duplicate check at submit (UPPER(email) = UPPER(%s) within a trial on
            # PostgreSQL), so that it does not scan the trial's applications.
            models.Index(models.F("trial"), Upper("email"), name="application_trial_email"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES


CLOSED_STATUSES = frozenset(
    {
        Application.Status.ENROLLED,
        Application.Status.NOT_ELIGIBLE,
        Application.Status.NOT_INTERESTED,
        Application.Status.UNREACHABLE,
        Application.Status.WITHDRAWN,
    }
)


class StatusChange(models.Model):
    """One move of an application in the workflow: who, when, from what to what, why."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=20, choices=Application.Status.choices)
    to_status = models.CharField(max_length=20, choices=Application.Status.choices)
    # None when the patient acted (withdrawal from the status link).
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class Note(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Note {self.pk} on {self.application_id}"
