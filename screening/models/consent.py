from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentText(models.Model):
    """One published version of the consent a patient gives when applying to a trial.

    Versions are never edited: an application records the version it consented to, so
    that text must stay as it was. A new wording is a new version; the newest is current.
    """

    trial = models.ForeignKey(
        "trials.Trial", on_delete=models.CASCADE, related_name="consent_texts"
    )
    version = models.CharField(_("version"), max_length=20)
    text = models.TextField(_("consent text"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["trial", "version"], name="unique_consent_version"),
        ]
        verbose_name = _("consent text")

    def __str__(self) -> str:
        return f"{self.trial_id} · {self.version}"
