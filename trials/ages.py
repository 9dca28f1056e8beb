"""Comparing a whole-year age with a trial's age limits, one way everywhere.

ClinicalTrials.gov gives minimumAge and maximumAge in years, months, weeks or days
("6 Months", "14 Days"); the portal stores them in years (`Trial.minimum_age`,
`maximum_age`) and asks patients their age in whole years. A whole-year answer A stands
for an exact age in [A, A + 1). Against each limit it is:

* inside when every exact age of that year is: A ≥ the minimum; A ≤ the maximum when the
  maximum is a whole number of years (the registry's "18 Years" admits an 18-year-old),
  A + 1 ≤ the maximum when it is not;
* outside when no exact age of that year is: A + 1 ≤ the minimum; A > the maximum;
* otherwise it straddles the limit (a 0-year-old against "6 Months"): unknown, and the
  study team checks the exact age.

The list's age filter, the find-trials pre-filters and screening all use this: the
pre-filters keep every trial a year may be inside (`age_may_admit_q`), screening gives
the straddling year an unknown outcome (`screening.selectors.trial_basic_criteria`).
"""

from __future__ import annotations

import math

from django.db.models import Q

_EPSILON = 1e-9  # "6 Months" is stored as 0.5; "1 Month" as 0.0833…: whole-ness with slack


def limit_is_whole(years: float) -> bool:
    """Whether a stored limit is a whole number of years ("24 Months" is 2)."""
    return abs(years - round(years)) < _EPSILON


def age_admits(*, years: int, minimum: float | None, maximum: float | None) -> bool | None:
    """True when a patient of `years` whole years is within the limits whatever their exact
    age, False when outside whatever it is, None when their year straddles a limit."""
    low = _within_minimum(years, minimum)
    high = _within_maximum(years, maximum)
    if low is False or high is False:
        return False
    if low is None or high is None:
        return None
    return True


def _within_minimum(years: int, minimum: float | None) -> bool | None:
    if minimum is None or years >= minimum - _EPSILON:
        return True
    if years + 1 <= minimum + _EPSILON:
        return False
    return None


def _within_maximum(years: int, maximum: float | None) -> bool | None:
    if maximum is None:
        return True
    if limit_is_whole(maximum):
        return years <= round(maximum)
    if years + 1 <= maximum + _EPSILON:
        return True
    if years > maximum:
        return False
    return None


def age_may_admit_q(years: int, *, prefix: str = "") -> Q:
    """Trials whose limits a whole-year age is not outside (`age_admits` is not False):
    for list filters and pre-filters, so that a straddling trial is screened, not hidden.
    `prefix` reaches the trial through a relation ("trial__")."""
    low, high = f"{prefix}minimum_age", f"{prefix}maximum_age"
    return (Q(**{f"{low}__isnull": True}) | Q(**{f"{low}__lt": years + 1 - _EPSILON})) & (
        Q(**{f"{high}__isnull": True}) | Q(**{f"{high}__gte": years - _EPSILON})
    )


def whole_years(age: float) -> int:
    """An age typed in the list's filter as whole years (a fraction is rounded down)."""
    return math.floor(age)
