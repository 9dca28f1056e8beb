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
    """

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
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def clean(self) -> None:
        if self.rule is None:
            return
        try:
            rule_validate(self.rule)
        except RuleInvalid as error:
            raise ValidationError({"rule": error.reason}) from error
