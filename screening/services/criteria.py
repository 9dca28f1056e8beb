"""Writes to a trial's criteria. Every rule is validated before it is stored."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from screening.models import Criterion
from screening.reference import ENCODED
from trials.models import Trial


def criterion_create(
    *,
    trial: Trial,
    kind: str,
    number: str,
    text: str,
    rule: dict[str, Any] | None,
    verify_note: str = "",
    position: int = 0,
) -> Criterion:
    """Store one criterion; raises ValidationError (with the reason) for a bad rule."""
    criterion = Criterion(
        trial=trial,
        kind=kind,
        number=number,
        text=text,
        rule=rule,
        verify_note=verify_note,
        position=position,
    )
    criterion.full_clean()
    criterion.save()
    return criterion


def criterion_update(*, criterion: Criterion, **fields: Any) -> Criterion:
    """Change fields of a criterion; raises ValidationError (with the reason) for a bad rule."""
    for name, value in fields.items():
        setattr(criterion, name, value)
    criterion.full_clean()
    criterion.save()
    return criterion


@transaction.atomic
def criteria_load_encoded(*, trial: Trial) -> list[Criterion]:
    """Store the code encoding of `trial` (see `screening.reference`) as its criteria.

    Idempotent: criteria are matched by kind and number and brought up to date; none is
    duplicated. Returns the trial's encoded criteria, or [] when it has no encoding.
    """
    stored = []
    for position, (kind, number, text, rule, verify) in enumerate(ENCODED.get(trial.nct_id, [])):
        criterion = Criterion.objects.filter(trial=trial, kind=kind, number=number).first()
        fields = {"text": text, "rule": rule, "verify_note": verify, "position": position}
        if criterion is None:
            criterion = criterion_create(trial=trial, kind=kind, number=number, **fields)
        else:
            criterion = criterion_update(criterion=criterion, **fields)
        stored.append(criterion)
    return stored


def criteria_load_reference() -> list[Criterion]:
    """Store the criteria of every encoded trial that has been imported (idempotent).

    Returns the criteria stored; trials not imported yet are skipped.
    """
    stored: list[Criterion] = []
    for trial in Trial.objects.filter(nct_id__in=ENCODED):
        stored.extend(criteria_load_encoded(trial=trial))
    return stored
