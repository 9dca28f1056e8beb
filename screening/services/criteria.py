"""Writes to a trial's criteria. Every rule is validated before it is stored."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from accounts.audit import AuditAction, audit_record
from accounts.models import User
from screening.eligibility import INCLUSION, CriterionSpec, evaluate
from screening.explain import evaluation_snapshot
from screening.models import Criterion
from screening.questions import answers_validate
from screening.reference import ENCODED
from screening.selectors import criterion_spec, trial_basic_criteria
from trials.models import Trial

EDITABLE_FIELDS = ("kind", "number", "position", "text", "rule", "verify_note")


def _audit(
    *,
    criterion: Criterion,
    action: str,
    by: User | None,
    request: HttpRequest | None,
    detail: dict[str, Any],
) -> None:
    # Loading the code encoding (no editor) is not an edit anyone made; a person's is.
    if by is None and request is None:
        return
    audit_record(
        request_or_actor=request if request is not None else by,
        action=action,
        target=("criterion", f"{criterion.kind} {criterion.number}"),
        trial_id=criterion.trial.nct_id,
        detail={"criterion_id": criterion.pk, **detail},
    )


def criterion_change_audit(
    *, criterion: Criterion, action: str, request: HttpRequest, fields: list[str] | None = None
) -> None:
    """Audit a change the Django admin made through its own forms (it saves the row
    itself): the same record the services write for the dashboard's editor.

    `action` is one of `AuditAction.CRITERION_*`; `fields` the names changed (updates).
    An update that changed nothing is not recorded, as in `criterion_update`.
    """
    detail: dict[str, Any] = {}
    if action == AuditAction.CRITERION_UPDATE:
        if not fields:
            return
        detail["fields"] = list(fields)
    _audit(criterion=criterion, action=action, by=None, request=request, detail=detail)


@transaction.atomic
def criterion_create(
    *,
    trial: Trial,
    kind: str,
    number: str,
    text: str,
    rule: dict[str, Any] | None,
    verify_note: str = "",
    position: int = 0,
    by: User | None = None,
    request: HttpRequest | None = None,
) -> Criterion:
    """Store one criterion; raises ValidationError (with the reason) for a bad rule.

    With an editor (`by` or `request`), the change is audited.
    """
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
    _audit(
        criterion=criterion, action=AuditAction.CRITERION_CREATE, by=by, request=request, detail={}
    )
    return criterion


@transaction.atomic
def criterion_update(
    *,
    criterion: Criterion,
    by: User | None = None,
    request: HttpRequest | None = None,
    **fields: Any,
) -> Criterion:
    """Change fields of a criterion; raises ValidationError (with the reason) for a bad rule.

    Applications keep the evaluation stored when they were submitted: a snapshot is never
    rewritten. With an editor (`by` or `request`), the change and its field names are audited.
    """
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"criterion_update() cannot change {sorted(unknown)}")
    changed = [name for name, value in fields.items() if getattr(criterion, name) != value]
    from_state = criterion.review_state
    for name, value in fields.items():
        setattr(criterion, name, value)
    if "text" in changed:
        # The drafter's spans pointed into the old text.
        criterion.draft_spans = []
    review: dict[str, Any] = {}
    if "rule" in fields:
        # Whoever sets the rule has checked it: a changed rule is the team's own, a
        # drafted one saved unchanged is thereby confirmed.
        if "rule" in changed or criterion.rule != criterion.draft_rule:
            criterion.origin = Criterion.Origin.TEAM
        criterion.review_state = Criterion.ReviewState.CONFIRMED
        criterion.text_changed = False
        if from_state != criterion.review_state:
            review = {"from_status": from_state, "to_status": criterion.review_state}
    criterion.full_clean()
    criterion.save()
    if changed or review:
        _audit(
            criterion=criterion,
            action=AuditAction.CRITERION_UPDATE,
            by=by,
            request=request,
            detail={"fields": changed, **review},
        )
    return criterion


@transaction.atomic
def criterion_delete(
    *, criterion: Criterion, by: User | None = None, request: HttpRequest | None = None
) -> None:
    """Delete a criterion (audited with an editor); stored evaluations keep it."""
    _audit(
        criterion=criterion, action=AuditAction.CRITERION_DELETE, by=by, request=request, detail={}
    )
    criterion.delete()


@transaction.atomic
def criteria_load_encoded(
    *, trial: Trial, by: User | None = None, request: HttpRequest | None = None
) -> list[Criterion]:
    """Store the code encoding of `trial` (see `screening.reference`) as its criteria.

    Idempotent: criteria are matched by kind and number and brought up to date; none is
    duplicated. Returns the trial's encoded criteria, or [] when it has no encoding.
    With an editor (`by` or `request`), each stored criterion is audited.
    """
    stored = []
    for position, (kind, number, text, rule, verify) in enumerate(ENCODED.get(trial.nct_id, [])):
        criterion = Criterion.objects.filter(trial=trial, kind=kind, number=number).first()
        fields = {"text": text, "rule": rule, "verify_note": verify, "position": position}
        if criterion is None:
            criterion = criterion_create(
                trial=trial, kind=kind, number=number, by=by, request=request, **fields
            )
        else:
            criterion = criterion_update(criterion=criterion, by=by, request=request, **fields)
        stored.append(criterion)
    return stored


def criteria_encoding_pending(*, trial: Trial) -> bool:
    """Whether the trial is screened on its code encoding, not yet stored as criteria.

    Editing must start by storing it: the first stored criterion would otherwise replace
    the whole encoding (stored rows take precedence, see `trial_encoded_criteria`).
    """
    return trial.nct_id in ENCODED and not trial.criteria.exists()


def criteria_preview(
    *,
    trial: Trial,
    spec: CriterionSpec,
    position: int,
    replacing: Criterion | None,
    answers: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """What `spec` would say on example `answers`, if it were saved. Writes nothing.

    Returns the criterion's entry of the evaluation snapshot and the whole snapshot of the
    trial with `spec` (at `position`) in place of `replacing`, or added. The answers are
    in the questionnaire's form encoding; raises `AnswersInvalid` naming every bad one.
    """
    clean = answers_validate(answers, from_form=True)
    rows = [
        (c.kind != INCLUSION, c.position, c.pk, _spec_of(c))
        for c in trial.criteria.all()
        if replacing is None or c.pk != replacing.pk
    ]
    # Ties in position fall after the stored rows, as a newly saved row would.
    rows.append((spec.kind != INCLUSION, position, replacing.pk if replacing else 2**63, spec))
    encoded = [row[3] for row in sorted(rows, key=lambda row: row[:3])]
    specs = trial_basic_criteria(trial=trial, encoded=encoded) + encoded
    snapshot = evaluation_snapshot(nct_id=trial.nct_id, evaluation=evaluate(specs, clean))
    index = next(i for i, candidate in enumerate(specs) if candidate is spec)
    return snapshot["criteria"][index], snapshot


def _spec_of(criterion: Criterion) -> CriterionSpec:
    return criterion_spec(criterion)


def criteria_load_reference() -> list[Criterion]:
    """Store the criteria of every encoded trial that has been imported (idempotent).

    Returns the criteria stored; trials not imported yet are skipped.
    """
    stored: list[Criterion] = []
    for trial in Trial.objects.filter(nct_id__in=ENCODED):
        stored.extend(criteria_load_encoded(trial=trial))
    return stored
