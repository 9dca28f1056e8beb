"""Saved searches: a patient's answers kept, with consent, to hear of new trials."""

from django.db import models

from .applications import new_token


class SavedSearch(models.Model):
    """A patient's "Find trials for me" answers, kept to email them (at most weekly) when
    a newly imported or newly opened trial may fit them.

    Health data, like an application: reachable only by the private `token` link, never
    shown to a study team, erased whole by stop-and-erase. The consent is versioned:
    `consent_version` names the wording agreed to (`screening.matching.services`).
    """

    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    email = models.EmailField()
    language = models.CharField(max_length=10, default="en")
    condition = models.CharField(max_length=120)
    place_name = models.CharField(max_length=200, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    max_km = models.PositiveIntegerField(null=True, blank=True)
    answers = models.JSONField(default=dict)
    consent_version = models.CharField(max_length=20)
    consented_at = models.DateTimeField()
    # NCT ids the patient has already been shown or told about: only others are news.
    known_trials = models.JSONField(default=list, blank=True)
    last_alert_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Saved search {self.pk}"
