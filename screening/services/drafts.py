"""Drafted rules: each published criterion stored with the drafter's proposal, and the
study team's review of it.

`trial_criteria_draft` keeps a trial's `Criterion` rows in step with its published text:
one row per item of `criteria_items(trial.eligibility_criteria)`, its rule the draft of
`draft_criterion` (or none when the drafter declines). It runs on every import of a new
or changed record (`trials.services`) and from `manage.py draft_criteria`.

Re-drafting keeps the team's work. An item is matched to a stored row by its published
text first (so renumbering keeps decisions), then by its kind and number:

* same text: a confirmed, rejected or team-encoded row is left as the team left it; a
  row still waiting for review gets the drafter's current proposal;
* changed text: the row takes the new text and the new draft, goes back to "drafted",
  and, when the team had decided on it, is marked `text_changed` for review;
* a drafted row whose item is gone is deleted; a row the team added by hand is kept.

The team's decisions (`criterion_confirm`, `criterion_reject`, and any edit through
`criterion_update`) are each audited. Trials encoded in code (`screening.reference`)
are never drafted: their encoding is the reference.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.audit import AuditAction, audit_record
from accounts.models import User
from screening.engine.criteria_items import CriteriaItem, criteria_items
from screening.engine.drafter import DraftedRule, draft_criterion
from screening.models import Criterion
from screening.reference import ENCODED
from screening.rules import RuleInvalid, rule_validate
from trials.models import Trial

logger = logging.getLogger(__name__)

# Criterion.number's max_length.
_NUMBER_LENGTH = 10

Origin = Criterion.Origin
State = Criterion.ReviewState


class ReviewInvalid(ValueError):
    """A review decision that does not apply to the criterion as it stands now."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class DraftReport:
    """What drafting one trial did: rows created, kept, changed and removed.

    `drafted` counts the trial's criteria that now carry a drafted rule (any review
    state but rejected); `items` the published items read; `skipped` says why a trial
    was left alone ("" when it was drafted).
    """

    nct_id: str
    items: int = 0
    created: int = 0
    kept: int = 0
    changed: int = 0
    removed: int = 0
    drafted: int = 0
    skipped: str = ""

    def summary(self) -> str:
        if self.skipped:
            return f"{self.nct_id}: skipped ({self.skipped})"
        return (
            f"{self.nct_id}: {self.items} criteria, {self.drafted} with a draft "
            f"(created {self.created}, kept {self.kept}, changed {self.changed}, "
            f"removed {self.removed})"
        )


def _unique_numbers(items: Sequence[CriteriaItem], taken: set[tuple[str, str]]) -> list[str]:
    """Each item's published number, made unique per kind and short enough to store.

    Some records restart their numbering under sub-headings ("Part A: 1. 2.; Part B:
    1. 2."); the second "1" becomes "1'" (then "1''"), so both are kept in order.
    """
    numbers = []
    used = set(taken)
    for index, item in enumerate(items):
        number = (item.number or str(index + 1))[:_NUMBER_LENGTH]
        candidate = number
        while (item.kind, candidate) in used:
            candidate = candidate + "'"
            if len(candidate) > _NUMBER_LENGTH:
                candidate = f"#{index + 1}"[:_NUMBER_LENGTH]
                break
        used.add((item.kind, candidate))
        numbers.append(candidate)
    return numbers


def _drafted(item: CriteriaItem) -> DraftedRule | None:
    drafted = draft_criterion(item.text, item.kind, item.lead)
    if drafted is None:
        return None
    try:
        rule_validate(drafted.rule)
    except RuleInvalid as error:
        # A rule the schema refuses (e.g. a question the bank does not have yet) cannot
        # screen anyone: the item is stored without a draft, as when the drafter declines.
        logger.warning("Drafted rule refused for a %s criterion: %s", item.kind, error.reason)
        return None
    return drafted


def _apply_draft(criterion: Criterion, drafted: DraftedRule | None) -> None:
    rule = drafted.rule if drafted is not None else None
    criterion.origin = Origin.DRAFTER
    criterion.review_state = State.DRAFTED
    criterion.draft_rule = rule
    criterion.rule = rule
    criterion.draft_spans = [list(span) for span in drafted.spans] if drafted else []


_DRAFTED_FIELDS = (
    "number",
    "position",
    "text",
    "rule",
    "origin",
    "review_state",
    "draft_rule",
    "draft_spans",
    "text_changed",
)


def _stored_state(criterion: Criterion) -> tuple[object, ...]:
    # Rules and spans compared as JSON values: a re-draft that reads the same writes nothing.
    return tuple(getattr(criterion, name) for name in _DRAFTED_FIELDS)


@transaction.atomic
def trial_criteria_draft(*, trial: Trial) -> DraftReport:
    """Draft the trial's criteria from its published text, keeping the team's decisions.

    Returns a `DraftReport`. A proposed rule the schema refuses is stored as no draft
    (and logged, without the criterion's text). Writes no audit rows: the
    drafter is not a person; the team's decisions on the drafts are audited.
    """
    report = DraftReport(nct_id=trial.nct_id)
    if trial.nct_id in ENCODED:
        report.skipped = "encoded by hand in screening.reference"
        return report
    items = criteria_items(trial.eligibility_criteria or "")
    report.items = len(items)
    existing = list(Criterion.objects.select_for_update().filter(trial=trial).order_by("pk"))

    by_text: dict[tuple[str, str], list[Criterion]] = {}
    for criterion in existing:
        by_text.setdefault((criterion.kind, criterion.text), []).append(criterion)
    by_number = {(c.kind, c.number): c for c in existing}
    stored_number = {c.pk: c.number for c in existing}
    matched: set[int] = set()
    published = _unique_numbers(items, taken=set())
    # Texts first, over every item, so that an item inserted before others never takes
    # their rows by number.
    same: list[Criterion | None] = []
    for item in items:
        found = next(
            (c for c in by_text.get((item.kind, item.text), []) if c.pk not in matched), None
        )
        if found is not None:
            matched.add(found.pk)
        same.append(found)
    pairs: list[tuple[CriteriaItem, str, Criterion | None, bool]] = []
    for item, number, found in zip(items, published, same, strict=True):
        if found is not None:
            pairs.append((item, number, found, True))
            continue
        other = by_number.get((item.kind, number))
        if other is not None and other.pk not in matched:
            matched.add(other.pk)
            pairs.append((item, number, other, False))
        else:
            pairs.append((item, number, None, False))

    kept_by_team = [c for c in existing if c.pk not in matched and c.origin == Origin.TEAM]
    gone = [c for c in existing if c.pk not in matched and c.origin == Origin.DRAFTER]
    if gone:
        Criterion.objects.filter(pk__in=[c.pk for c in gone]).delete()
        report.removed = len(gone)
    # A row the team added by hand keeps its number; an item published with the same one
    # takes the next free variant.
    reserved = {(c.kind, c.number) for c in kept_by_team}
    finals = iter(_unique_numbers([item for item, *_ in pairs], taken=reserved))

    creates: list[Criterion] = []
    updates: list[Criterion] = []
    unchanged: list[Criterion] = []
    before = {c.pk: _stored_state(c) for c in existing}
    for position, (item, _number, criterion, same_text) in enumerate(pairs):
        final = next(finals)
        if criterion is None:
            criterion = Criterion(trial=trial, kind=item.kind, number=final, text=item.text)
            _apply_draft(criterion, _drafted(item))
            criterion.position = position
            creates.append(criterion)
            report.created += 1
            continue
        if same_text:
            report.kept += 1
            waiting = criterion.origin == Origin.DRAFTER and criterion.review_state == State.DRAFTED
            if waiting and not criterion.text_changed:
                _apply_draft(criterion, _drafted(item))
        else:
            report.changed += 1
            decided = criterion.origin == Origin.TEAM or criterion.review_state != State.DRAFTED
            criterion.text = item.text
            criterion.text_changed = criterion.text_changed or decided
            _apply_draft(criterion, _drafted(item))
        criterion.position = position
        criterion.number = final
        if _stored_state(criterion) != before[criterion.pk]:
            updates.append(criterion)
        else:
            unchanged.append(criterion)

    renumbered = [c for c in updates if c.number != stored_number[c.pk]]
    if renumbered:
        # Two steps, so that swapped numbers never meet the unique constraint.
        finals_of = {c.pk: c.number for c in renumbered}
        for criterion in renumbered:
            criterion.number = f"~{criterion.pk}"[:_NUMBER_LENGTH]
        Criterion.objects.bulk_update(renumbered, ["number"])
        for criterion in renumbered:
            criterion.number = finals_of[criterion.pk]
    if updates:
        Criterion.objects.bulk_update(updates, list(_DRAFTED_FIELDS))
    if creates:
        Criterion.objects.bulk_create(creates)
    report.drafted = sum(
        1
        for c in [*creates, *updates, *unchanged]
        if c.origin == Origin.DRAFTER and c.draft_rule is not None and c.rule is not None
    )
    return report


def _audit_decision(
    *,
    criterion: Criterion,
    action: str,
    from_state: str,
    by: User | None,
    request: HttpRequest | None,
) -> None:
    # As for every criterion change (`screening.services.criteria`): a person's decision is
    # audited; code calling without an editor (a data migration, a test) is not a person.
    if by is None and request is None:
        return
    audit_record(
        request_or_actor=request if request is not None else by,
        action=action,
        target=("criterion", f"{criterion.kind} {criterion.number}"),
        trial_id=criterion.trial.nct_id,
        detail={
            "criterion_id": criterion.pk,
            "from_status": from_state,
            "to_status": criterion.review_state,
        },
    )


@transaction.atomic
def criterion_confirm(
    *, criterion: Criterion, by: User | None = None, request: HttpRequest | None = None
) -> Criterion:
    """The team confirms the drafted rule: it screens as a hand-encoded rule does.

    From "drafted" or "rejected" (changing one's mind). Raises `ReviewInvalid` when there
    is no draft to confirm or it is already confirmed. Audited.
    """
    criterion = Criterion.objects.select_for_update().select_related("trial").get(pk=criterion.pk)
    if criterion.origin != Origin.DRAFTER or criterion.draft_rule is None:
        raise ReviewInvalid(_("There is no drafted rule to confirm for this criterion."))
    if criterion.review_state == State.CONFIRMED:
        raise ReviewInvalid(_("This drafted rule is already confirmed."))
    from_state = criterion.review_state
    criterion.review_state = State.CONFIRMED
    criterion.rule = criterion.draft_rule
    criterion.text_changed = False
    criterion.full_clean()
    criterion.save(update_fields=["review_state", "rule", "text_changed"])
    _audit_decision(
        criterion=criterion,
        action=AuditAction.CRITERION_CONFIRM,
        from_state=from_state,
        by=by,
        request=request,
    )
    return criterion


@transaction.atomic
def criterion_reject(
    *, criterion: Criterion, by: User | None = None, request: HttpRequest | None = None
) -> Criterion:
    """The team rejects the drafted rule: it no longer screens anyone (the study team
    checks the criterion), and the draft is kept to show what was rejected.

    From "drafted" or "confirmed". Raises `ReviewInvalid` when the rule is not a draft
    (edit or delete a team's rule instead) or is already rejected. Audited.
    """
    criterion = Criterion.objects.select_for_update().select_related("trial").get(pk=criterion.pk)
    if criterion.origin != Origin.DRAFTER or criterion.draft_rule is None:
        raise ReviewInvalid(_("There is no drafted rule to reject for this criterion."))
    if criterion.review_state == State.REJECTED:
        raise ReviewInvalid(_("This drafted rule is already rejected."))
    from_state = criterion.review_state
    criterion.review_state = State.REJECTED
    criterion.rule = None
    criterion.text_changed = False
    criterion.save(update_fields=["review_state", "rule", "text_changed"])
    _audit_decision(
        criterion=criterion,
        action=AuditAction.CRITERION_REJECT,
        from_state=from_state,
        by=by,
        request=request,
    )
    return criterion


def trials_criteria_draft_missing() -> list[DraftReport]:
    """Draft every trial that publishes criteria but has none stored yet (e.g. imported
    before drafting existed, or restored from a dump). Idempotent: a trial with stored
    criteria is left as it is. Returns one report per trial drafted."""
    trials = (
        Trial.objects.exclude(eligibility_criteria="")
        .exclude(nct_id__in=ENCODED)
        .filter(criteria__isnull=True)
        .order_by("nct_id")
    )
    return [trial_criteria_draft(trial=trial) for trial in trials]
