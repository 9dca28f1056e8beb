"""Reads of a trial's consent text, for the patient flow and the dashboard."""

from screening.models import ConsentText
from trials.models import Trial


def consent_current(*, trial: Trial) -> ConsentText | None:
    """The consent a patient applying now agrees to: the trial's newest version, if any."""
    return ConsentText.objects.filter(trial=trial).order_by("-created_at", "-id").first()


def consent_get(*, trial: Trial, version: str) -> ConsentText | None:
    """The exact text of the version an application consented to."""
    return ConsentText.objects.filter(trial=trial, version=version).first()
