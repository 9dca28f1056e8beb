"""Writes of "Find trials for me": carried answers, saved searches and their alerts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from screening.matching.selectors import matches_rank, search_run
from screening.matching.state import SearchState
from screening.models import Draft, Notification, SavedSearch
from screening.patient.flow import Flow
from screening.questions import answers_validate
from screening.services.outbox import notification_queue
from trials.models import Trial

# The wording a patient agrees to when saving a search (forms.AlertForm's box). A new
# wording is a new version; a saved search records the one agreed to.
ALERT_CONSENT_VERSION = "alerts-1"
ALERT_INTERVAL = timedelta(days=7)
ALERT_TEMPLATE = "matching-alert"


def draft_start_with_answers(*, trial: Trial, answers: Mapping[str, Any]) -> Draft:
    """A new questionnaire for `trial` holding the answers given in the search.

    Only the keys this trial's questionnaire uses are carried (and marked `carried`, so
    the questionnaire does not ask them again); a step whose questions are all carried
    is completed. Raises `AnswersInvalid` on a bad answer set.
    """
    flow = Flow.for_trial(trial)
    keys = flow.keys()
    clean = answers_validate({k: v for k, v in answers.items() if k in keys})
    draft = Draft(trial=trial, answers=clean, carried=sorted(clean))
    draft.completed_steps = [
        step.identifier
        for step in flow.steps
        if all(question.key in clean for question in step.questions)
    ]
    draft.save()
    return draft


def _fitting(saved: SavedSearch) -> set[str]:
    search = search_run(
        condition=saved.condition,
        latitude=saved.latitude,
        longitude=saved.longitude,
        max_km=saved.max_km,
    )
    return {c.nct_id for c in matches_rank(search=search, answers=saved.answers).shown}


@transaction.atomic
def saved_search_create(*, state: SearchState, email: str, language: str = "en") -> SavedSearch:
    """Keep the patient's search and answers, with consent, for weekly alerts.

    The trials that fit today are known already (the patient has seen them): only
    trials that start to fit later are announced.
    """
    saved = SavedSearch(
        email=email.strip(),
        language=language[:10],
        consent_version=ALERT_CONSENT_VERSION,
        consented_at=timezone.now(),
    )
    return _saved_search_fill(saved, state)


def _saved_search_fill(saved: SavedSearch, state: SearchState) -> SavedSearch:
    saved.condition = state.condition
    saved.place_name = state.place_name
    saved.latitude, saved.longitude = state.latitude, state.longitude
    saved.max_km = state.max_km
    saved.answers = answers_validate(state.answers)
    saved.known_trials = sorted(set(saved.known_trials) | _fitting(saved))
    saved.save()
    return saved


@transaction.atomic
def saved_search_update(*, saved: SavedSearch, state: SearchState) -> SavedSearch:
    """Replace the saved answers and search by the patient's current ones."""
    return _saved_search_fill(saved, state)


@transaction.atomic
def saved_search_erase(*, saved: SavedSearch) -> None:
    """Stop and erase: the saved search and every alert email row sent for it go."""
    Notification.objects.filter(
        template=ALERT_TEMPLATE, key__startswith=f"{ALERT_TEMPLATE}:{saved.pk}:"
    ).delete()
    saved.delete()


def saved_search_url(saved: SavedSearch) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("matching:saved", args=[saved.token])


def saved_searches_alert(*, now: Any = None) -> int:
    """Email each saved search whose new fitting trials are news, at most weekly.

    News: trials that fit now (open, in reach, not ruled out by the answers) and were
    never announced. The email holds a count and the private link, no health data.
    Returns how many emails were queued. Run by Celery beat (`saved_searches_alert`).
    """
    now = now or timezone.now()
    queued = 0
    due = Q(last_alert_at__isnull=True) | Q(last_alert_at__lte=now - ALERT_INTERVAL)
    for saved in SavedSearch.objects.filter(due).iterator():
        with transaction.atomic():
            locked = SavedSearch.objects.select_for_update().filter(pk=saved.pk).first()
            if locked is None:
                continue
            news = _fitting(locked) - set(locked.known_trials)
            if not news:
                continue
            notification = notification_queue(
                key=f"{ALERT_TEMPLATE}:{locked.pk}:{now:%Y-%m-%d}",
                template=ALERT_TEMPLATE,
                to_email=locked.email,
                language=locked.language,
                context={"count": len(news), "saved_url": saved_search_url(locked)},
            )
            locked.known_trials = sorted(set(locked.known_trials) | news)
            locked.last_alert_at = now
            locked.save(update_fields=["known_trials", "last_alert_at", "updated_at"])
            queued += notification is not None
    return queued
