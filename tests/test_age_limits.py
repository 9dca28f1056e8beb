"""Ages given in days, weeks or months compared one way everywhere: the list's filter,
screening (and its explanation), the screen-all and find-trials pre-filter.

A whole-year answer that straddles a limit is unknown, with a note that the study team
checks the exact age; the pre-filters keep such a trial so that it is screened.
"""

import pytest

from screening.selectors import trial_evaluate, trials_screen_all
from tests.factories import TrialFactory
from trials.ages import age_admits, age_may_admit_q
from trials.filters import TrialFilter
from trials.importers.ctgov import parse_age
from trials.models import Trial

MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"

# (minimumAge, maximumAge as published, whole-year answer, outcome)
CASES = [
    # Minimums in months, weeks and days, each side of the boundary year.
    ("6 Months", None, 0, UNKNOWN),
    ("6 Months", None, 1, MET),
    ("18 Months", None, 0, NOT_MET),
    ("18 Months", None, 1, UNKNOWN),
    ("18 Months", None, 2, MET),
    ("6 Weeks", None, 0, UNKNOWN),
    ("6 Weeks", None, 1, MET),
    ("14 Days", None, 0, UNKNOWN),
    ("400 Days", None, 0, NOT_MET),
    ("400 Days", None, 1, UNKNOWN),
    ("400 Days", None, 2, MET),
    ("12 Months", None, 0, NOT_MET),  # a whole year, said in months
    ("12 Months", None, 1, MET),
    ("18 Years", None, 17, NOT_MET),
    ("18 Years", None, 18, MET),
    # Maximums.
    (None, "6 Months", 0, UNKNOWN),
    (None, "6 Months", 1, NOT_MET),
    (None, "30 Months", 1, MET),
    (None, "30 Months", 2, UNKNOWN),
    (None, "30 Months", 3, NOT_MET),
    (None, "100 Weeks", 0, MET),
    (None, "100 Weeks", 1, UNKNOWN),
    (None, "100 Weeks", 2, NOT_MET),
    (None, "28 Days", 0, UNKNOWN),
    (None, "28 Days", 1, NOT_MET),
    (None, "24 Months", 2, MET),
    (None, "24 Months", 3, NOT_MET),
    (None, "17 Years", 17, MET),
    (None, "17 Years", 18, NOT_MET),
    # Both limits.
    ("1 Month", "18 Years", 0, UNKNOWN),
    ("1 Month", "18 Years", 18, MET),
    ("6 Months", "18 Months", 1, UNKNOWN),
    ("6 Months", "18 Months", 2, NOT_MET),
]
TRUTH = {MET: True, NOT_MET: False, UNKNOWN: None}


def ids(case):
    return f"{case[0]}-{case[1]}-age{case[2]}"


@pytest.mark.parametrize("case", CASES, ids=[ids(c) for c in CASES])
def test_the_helper_reads_each_boundary(case):
    low, high, years, outcome = case
    assert (
        age_admits(years=years, minimum=parse_age(low), maximum=parse_age(high)) is (TRUTH[outcome])
    )


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[ids(c) for c in CASES])
def test_screening_the_list_and_the_prefilters_agree(case):
    low, high, years, outcome = case
    trial = TrialFactory(minimum_age=parse_age(low), maximum_age=parse_age(high))

    evaluation = trial_evaluate(trial=trial, answers={"age": years})
    (age,) = [c for c in evaluation["criteria"] if c["number"] == "age"]
    assert age["outcome"] == outcome
    if outcome == UNKNOWN:
        assert "exact age" in age["verify"]
        assert "We don't know your exact age yet" in age["explanation"]
    assert evaluation["verdict"] != "likely_eligible"  # the published criteria stay open
    assert (evaluation["verdict"] == "not_eligible") is (outcome == NOT_MET)

    kept = outcome != NOT_MET
    listed = TrialFilter({"age": str(years)}, queryset=Trial.objects.all()).qs
    assert listed.filter(pk=trial.pk).exists() is kept
    assert Trial.objects.filter(age_may_admit_q(years), pk=trial.pk).exists() is kept
    screened = {row.nct_id: row.verdict for row in trials_screen_all(answers={"age": years})}
    assert (trial.nct_id in screened) is kept


@pytest.mark.django_db
def test_the_criterion_says_the_limit_in_the_unit_it_was_published_in():
    trial = TrialFactory(minimum_age=parse_age("6 Months"), maximum_age=parse_age("17 Years"))
    evaluation = trial_evaluate(trial=trial, answers={"age": 5})
    (age,) = [c for c in evaluation["criteria"] if c["number"] == "age"]
    assert age["text"] == "Aged 6 months to 17 years"
    assert age["outcome"] == MET
