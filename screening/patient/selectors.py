"""Reads of the patient journey."""

from __future__ import annotations

from trials.models import Trial

# Enough open trials to rank by shared conditions without loading the whole catalogue.
_CANDIDATES = 300


def trials_similar(*, trial: Trial, limit: int = 3) -> list[Trial]:
    """Recruiting trials that take applications and share a condition or keyword."""
    topics = {t.casefold() for t in [*trial.conditions, *trial.keywords]}
    if not topics:
        return []
    candidates = (
        Trial.objects.taking_applicants()
        .exclude(pk=trial.pk)
        .only("nct_id", "brief_title", "conditions", "keywords", "overall_status")[:_CANDIDATES]
    )
    ranked = []
    for candidate in candidates:
        shared = topics & {t.casefold() for t in [*candidate.conditions, *candidate.keywords]}
        if shared:
            ranked.append((-len(shared), candidate.nct_id, candidate))
    ranked.sort(key=lambda item: item[:2])
    return [candidate for _score, _nct, candidate in ranked[:limit]]
