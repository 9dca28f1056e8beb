"""What screening adds to the catalogue without `trials` importing screening.

`trials` knows nothing about applicants (DESIGN.md, "Boundaries"). It sends
`trials.signals.trial_written` and asks `trials.page_context` for extra context on a
trial's page; `ScreeningConfig.ready()` connects and registers the two functions here.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import current_app
from django.db import transaction

from screening.models import SavedSearch
from screening.selectors import trial_applied_count
from screening.services.drafts import trial_criteria_draft
from trials.models import Trial

logger = logging.getLogger(__name__)

SAVED_SEARCHES_ALERT_TASK = "screening.tasks.saved_searches_alert"


def trial_written_draft_criteria(
    sender: type[Trial], *, trial: Trial, criteria_changed: bool, **kwargs: Any
) -> None:
    """Receiver of `trial_written`: every imported trial is screened on its own published
    criteria, drafted (`screening.services.drafts`) in the import's transaction when they
    are new or changed, or were never drafted."""
    if criteria_changed or not trial.criteria.exists():
        trial_criteria_draft(trial=trial)


def trial_page_applied(trial: Trial) -> dict[str, int]:
    """The trial page's "N patients applied": `applied_count`, one COUNT query."""
    return {"applied_count": trial_applied_count(trial=trial)}


def catalogue_imported_alert(sender: type[Trial], *, trial_ids: list[int], **kwargs: Any) -> None:
    """Receiver of `catalogue_imported`: once an import has written trials, the saved
    searches they may fit are looked at at once, not at beat's next hourly run. The job
    itself (`screening.matching.services.saved_searches_alert`) keeps each patient to one
    email a week and never announces a trial twice.

    Started after commit, by name; a broker that is down only delays the alerts to the
    hourly run, it never fails the import.
    """
    if not SavedSearch.objects.exists():
        return

    def start() -> None:
        try:
            current_app.tasks[SAVED_SEARCHES_ALERT_TASK].delay()
        except Exception:
            logger.warning(
                "Saved-search alerts not started; beat's hourly run will.", exc_info=True
            )

    transaction.on_commit(start)
