"""A trial's published criteria, each with the rule that pre-screens it."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Value, When
from django.utils.translation import gettext_lazy as _

from screening.rules import RuleInvalid, rule_validate


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
