"""Working days (Monday to Friday) for contact deadlines and default follow-up dates.

Public holidays are not counted out: a site's holidays differ by country and region,
and the trial's deadline is a service target, not a legal one.
"""

from datetime import date, timedelta


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 if end <= start):
    an applicant who applied on Friday has waited 1 working day on Monday."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for offset in range(1, rest + 1):
        if (start + timedelta(days=offset)).weekday() < 5:
            count += 1
    return count


def working_day_after(day: date, n: int = 1) -> date:
    """The ``n``-th working day after ``day``."""
    current = day
    while n > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            n -= 1
    return current
