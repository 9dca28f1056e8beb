"""A trial's published criteria, each with the rule that pre-screens it.

Every trial carries `Trial.criteria_digest`: a content hash of what screening reads of
its criteria (`criteria_content`, `content_digest`). Screening all trials reads the
digest from the trial's row and loads criteria only for a digest it has not parsed
yet, so trials with equal criteria are read and evaluated once. The digest is kept in
step here, in the model layer, by every ORM write of a criterion: `save` (the services,
the admin, the editor, `loaddata`), `delete`, and the queryset's `update` (which
`bulk_update` calls), `delete` and `bulk_create` (the drafter, the bench's seeding),
each in the write's transaction. A write around the ORM (raw SQL) is not seen:
`criteria_digests_refresh` puts it right.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models import Case, Value, When
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _

from screening.rules import RuleInvalid, rule_validate

# The fields of a criterion that screening reads (see `criteria_digest`); a write that
# touches none of them leaves the digest as it is.
DIGEST_FIELDS = frozenset({"trial", "trial_id", "kind", "number", "rule", "origin"})

# One item of a content: (kind, number, rule as canonical JSON text or "", drafted).
ContentItem = tuple[str, str, str, bool]


def rule_json(rule: Any) -> str:
    """A rule as canonical JSON text (keys sorted); "" for no rule."""
    return "" if rule is None else json.dumps(rule, sort_keys=True, separators=(",", ":"))


def criteria_content(rows: Iterable[tuple[str, str, Any, str]]) -> tuple[ContentItem, ...]:
    """A trial's criteria as screening reads them, from (kind, number, rule, origin) rows:
    sorted (kind, number, rule JSON text, drafted) items. Texts and notes are left out:
    they never change a verdict or a score; whether a rule was drafted does (a drafted
    inclusion does not replace the healthy-volunteer rule)."""
    return tuple(
        sorted(
            (kind, number, rule_json(rule), origin == Criterion.Origin.DRAFTER)
            for kind, number, rule, origin in rows
        )
    )


def content_digest(content: tuple[ContentItem, ...]) -> str:
    """32 hex digits (SHA-256, truncated) of a content; "" for no criteria at all."""
    if not content:
        return ""
    return hashlib.sha256(json.dumps(content).encode()).hexdigest()[:32]


def criteria_digests_refresh(trial_ids: Iterable[int | None], *, using: str = "default") -> None:
    """Store the digest of each of these trials' criteria on the trial (`Trial.
    criteria_digest`). Two queries per 500 trials: their criteria, then one UPDATE per
    distinct digest among them. Called by every write path of `Criterion`."""
    from trials.models import Trial

    ids = sorted({pk for pk in trial_ids if pk is not None})
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows: dict[int, list[tuple[str, str, Any, str]]] = {pk: [] for pk in chunk}
        for trial_id, *row in (
            models.QuerySet(Criterion, using=using)
            .filter(trial_id__in=chunk)
            .order_by()
            .values_list("trial_id", "kind", "number", "rule", "origin")
        ):
            rows[trial_id].append(tuple(row))  # type: ignore[arg-type]
        by_digest: dict[str, list[int]] = {}
        for pk, items in rows.items():
            by_digest.setdefault(content_digest(criteria_content(items)), []).append(pk)
        for digest, pks in by_digest.items():
            Trial.objects.using(using).filter(pk__in=pks).exclude(criteria_digest=digest).update(
                criteria_digest=digest
            )


class CriterionQuerySet(models.QuerySet["Criterion"]):
    """Criteria whose bulk writes keep their trials' digests in step."""

    def _trial_ids(self) -> set[int]:
        return set(models.QuerySet.values_list(self.order_by(), "trial_id", flat=True))

    def update(self, **kwargs: Any) -> int:
        # `bulk_update` writes through here too (one update per batch, with Case values).
        if not DIGEST_FIELDS.intersection(kwargs):
            return super().update(**kwargs)
        with transaction.atomic(using=self.db, savepoint=False):
            rows = dict(models.QuerySet.values_list(self.order_by(), "pk", "trial_id"))
            count = super().update(**kwargs)
            trial_ids = set(rows.values())
            if {"trial", "trial_id"}.intersection(kwargs):
                # Rows moved to another trial: the trials they joined change too.
                trial_ids |= set(
                    models.QuerySet(Criterion, using=self.db)
                    .filter(pk__in=list(rows))
                    .values_list("trial_id", flat=True)
                )
            criteria_digests_refresh(trial_ids, using=self.db)
        return count

    def delete(self) -> tuple[int, dict[str, int]]:
        with transaction.atomic(using=self.db, savepoint=False):
            trial_ids = self._trial_ids()
            deleted = super().delete()
            criteria_digests_refresh(trial_ids, using=self.db)
        return deleted

    def bulk_create(self, objs: Iterable[Criterion], *args: Any, **kwargs: Any) -> list[Criterion]:
        objs = list(objs)
        with transaction.atomic(using=self.db, savepoint=False):
            created = super().bulk_create(objs, *args, **kwargs)
            criteria_digests_refresh((obj.trial_id for obj in objs), using=self.db)
        return created


class Criterion(models.Model):
    """One published inclusion or exclusion item of a trial, with its rule.

    `rule` empty means the item cannot be pre-screened: its outcome stays unknown and the
    study team checks it. `verify_note` says what only the study team can verify even
    when the rule decides (e.g. "not explained by other causes than SSc").

    Review of drafted rules (`screening.services.drafts`): a criterion is written either
    by the study team (`origin` team: hand-encoded, or a draft the team edited) or by the
    drafter from the published text (`origin` drafter). `review_state` says where the
    team stands on it: drafted (not checked yet), confirmed or rejected. `rule` is always
    the rule that screens: a drafted or confirmed draft is `draft_rule`, a rejected one
    screens nothing (`rule` None, `draft_rule` kept to show what was rejected).
    `draft_spans` are the (start, end) character offsets of `text` the drafter read.
    `text_changed` marks a criterion whose published text changed on re-import after the
    team's decision, until the team decides again.
    """

    class Origin(models.TextChoices):
        TEAM = "team", _("Encoded by the study team")
        DRAFTER = "drafter", _("Drafted from the published text")

    class ReviewState(models.TextChoices):
        DRAFTED = "drafted", _("Drafted, not checked yet")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    class Kind(models.TextChoices):
        INCLUSION = "inclusion", _("Inclusion")
        EXCLUSION = "exclusion", _("Exclusion")

    trial = models.ForeignKey("trials.Trial", on_delete=models.CASCADE, related_name="criteria")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    number = models.CharField(_("number"), max_length=10, help_text=_("As published."))
    text = models.TextField(_("published text"))
    rule = models.JSONField(_("rule"), null=True, blank=True)
    verify_note = models.TextField(
        _("to verify"),
        blank=True,
        help_text=_("What only the study team can verify, shown on the applicant's page."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    origin = models.CharField(
        _("origin"), max_length=10, choices=Origin.choices, default=Origin.TEAM
    )
    review_state = models.CharField(
        _("review"), max_length=10, choices=ReviewState.choices, default=ReviewState.CONFIRMED
    )
    draft_rule = models.JSONField(_("drafted rule"), null=True, blank=True, editable=False)
    draft_spans = models.JSONField(
        _("text read by the drafter"), default=list, blank=True, editable=False
    )
    text_changed = models.BooleanField(_("published text changed"), default=False, editable=False)

    objects = CriterionQuerySet.as_manager()

    class Meta:
        # Inclusions first, then exclusions, each in published order.
        ordering = [
            Case(When(kind="inclusion", then=Value(0)), default=Value(1)),
            "position",
            "id",
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["trial", "kind", "number"], name="criterion_unique_number"
            )
        ]
        indexes = [
            # The dashboard counts the drafts waiting, per trial.
            models.Index(fields=["trial", "review_state"], name="criterion_review_idx"),
        ]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Criterion:
        instance = super().from_db(db, field_names, values)
        # The trial it was read with: a save that moves it refreshes both trials.
        instance._stored_trial_id = instance.__dict__.get("trial_id")
        return instance

    def save_base(self, *args: Any, **kwargs: Any) -> None:
        # save_base, not save: `loaddata` writes through it too.
        update_fields = kwargs.get("update_fields")
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        if update_fields is not None and not DIGEST_FIELDS.intersection(update_fields):
            super().save_base(*args, **kwargs)
            return
        with transaction.atomic(using=using, savepoint=False):
            super().save_base(*args, **kwargs)
            criteria_digests_refresh(
                {self.trial_id, getattr(self, "_stored_trial_id", None)}, using=using
            )
        self._stored_trial_id = self.trial_id

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using, savepoint=False):
            trial_id = self.trial_id
            deleted = super().delete(*args, **kwargs)
            criteria_digests_refresh({trial_id}, using=using)
        return deleted

    @property
    def unchecked(self) -> bool:
        """Whether a drafted rule screens patients without the team having checked it."""
        return self.review_state == self.ReviewState.DRAFTED and self.rule is not None

    @property
    def awaiting_review(self) -> bool:
        """Whether the team has something to decide here: a draft, or a changed text."""
        return self.review_state == self.ReviewState.DRAFTED and (
            self.draft_rule is not None or self.text_changed
        )

    def clean(self) -> None:
        if self.rule is None:
            return
        try:
            rule_validate(self.rule)
        except RuleInvalid as error:
            raise ValidationError({"rule": error.reason}) from error


def _loaded(
    sender: type[Criterion], instance: Criterion, raw: bool, using: str, **kwargs: Any
) -> None:
    """`loaddata` saves through `Model.save_base` itself: refresh the digest there too."""
    if raw:
        criteria_digests_refresh({instance.trial_id}, using=using)


post_save.connect(_loaded, sender=Criterion, dispatch_uid="criterion_digest_loaddata")
