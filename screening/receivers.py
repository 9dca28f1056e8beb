"""What screening adds to the catalogue without `trials` importing screening.

`trials` knows nothing about applicants (DESIGN.md, "Boundaries"). It sends
`trials.signals.trial_written` and asks `trials.page_context` for extra context on a
trial's page; `ScreeningConfig.ready()` connects and registers the two functions here.
"""

from __future__ import annotations

from typing import Any

from screening.selectors import trial_applied_count
from screening.services.drafts import trial_criteria_draft
from trials.models import Trial


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
