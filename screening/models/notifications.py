from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One email in the outbox, written in the transaction of the event that causes it.

    `key` is unique per event and recipient, so an event can never queue the same email
    twice; the sending task marks the row sent, so a task that runs twice sends once.
    `context` holds what the template needs and nothing of the patient's health data.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
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
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.template} → {self.to_email} ({self.state})"
