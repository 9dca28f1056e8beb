"""Template tags the public trial pages borrow from screening (the trials app does not
import screening)."""

from __future__ import annotations

from typing import Any

from django import template

from screening.patient.estimate import Estimate, questionnaire_estimate

register = template.Library()


@register.simple_tag
def questionnaire_size(trial: Any) -> Estimate:
    """`{% questionnaire_size trial as estimate %}`: see screening.patient.estimate."""
    return questionnaire_estimate(trial)
