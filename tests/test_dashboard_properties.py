"""Properties of the exports' cell guard and of working-day arithmetic (Hypothesis)."""

import re
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from screening.dashboard.exports import csv_safe
from screening.dashboard.today import deadline_cutoff
from screening.workdays import working_day_after, working_days_between

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
DIALABLE = re.compile(r"^\+?[0-9 ().-]+$")


@given(st.text(max_size=60))
def test_no_exported_cell_can_start_a_formula_unless_it_is_only_a_phone_number(text):
    cell = csv_safe(text)
    if cell.startswith(FORMULA_START):
        # Only digits, spaces, brackets, dots and dashes after a "+": nothing to run.
        assert DIALABLE.match(cell) and cell == text
    else:
        assert cell in (text, "'" + text)


@given(st.from_regex(r"\+[1-9][0-9]{0,2}( [0-9]{2,4}){3,4}", fullmatch=True))
def test_international_phone_numbers_stay_dialable(phone):
    assert csv_safe(phone) == phone


days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@given(days, st.integers(min_value=0, max_value=60))
def test_working_days_match_a_day_by_day_count(start, span):
    end = start + timedelta(days=span)
    by_hand = sum(1 for i in range(1, span + 1) if (start + timedelta(days=i)).weekday() < 5)
    assert working_days_between(start, end) == by_hand


@given(days, st.integers(min_value=1, max_value=20))
def test_the_nth_working_day_after_is_n_working_days_later(day, n):
    later = working_day_after(day, n)
    assert later.weekday() < 5
    assert working_days_between(day, later) == n


@given(days, st.integers(min_value=1, max_value=20))
def test_the_deadline_cutoff_is_the_latest_day_past_the_deadline(today, n):
    cutoff = deadline_cutoff(today=today, working_days=n)
    assert working_days_between(cutoff, today) > n
    assert working_days_between(cutoff + timedelta(days=1), today) <= n
