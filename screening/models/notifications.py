from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One email in the outbox, written in the transaction of the event that causes it.

    `key` is unique per event and recipient, so an event can never queue the same email
    twice; the sending task claims the row before it sends and marks it sent after, so a
    task that runs twice sends once. `context` holds what the template needs and nothing
    of the patient's health data.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        # Claimed by one sending attempt until `next_attempt_at`; a claim that outlives
        # that moment belongs to a worker that died, and the sweeper hands the row on.
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    key = models.CharField(max_length=200, unique=True)
    template = models.CharField(max_length=60)
    to_email = models.EmailField()
    language = models.CharField(max_length=10, default="en")
    context = models.JSONField(default=dict, blank=True)
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.QUEUED, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Queued: when the row is due (now, or after a retry's backoff). Sending: when the
    # claim expires. The sweeper re-enqueues rows whose moment has passed.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.template} → {self.to_email} ({self.state})"


class EmailOptOut(models.Model):
    """An address whose owner followed "stop these emails": nothing more is queued to it.

    Coordinators choose per trial on their preferences page instead; this is for patients,
    who have no account.
    """

    email = models.EmailField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("email opt-out")

    def __str__(self) -> str:
        return self.email
