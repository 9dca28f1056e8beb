"""`make resilience` judges each scenario by its counts; these hold the judgement (the
run itself needs PostgreSQL and redis-server binaries and runs in CI's second pass)."""

import pytest

from resilience.__main__ import SCENARIOS, Result, main, table


def ok(**changes) -> Result:
    result = Result("s", submitted=3, saved=3, expected=6, sent=6)
    for name, value in changes.items():
        setattr(result, name, value)
    return result


def test_a_clean_scenario_passes():
    assert ok().passed


@pytest.mark.parametrize(
    "changes",
    [
        {"saved": 2},  # an application lost
        {"sent": 5},  # an email lost
        {"duplicates": 1},  # an email doubled
        {"errors_5xx": 1},  # an error page while the database was up
        {"refused_expected": 2, "refused_failed": 1},  # a refused email left retrying
    ],
)
def test_anything_lost_doubled_or_failed_is_a_failure(changes):
    assert not ok(**changes).passed


def test_a_5xx_while_the_database_is_down_is_allowed_and_shown():
    result = ok(errors_5xx_allowed=1)
    assert result.passed
    assert "(+1 DB down)" in table([result])


def test_the_table_has_the_issue_s_columns():
    header = table([ok()]).splitlines()[0]
    for column in ("scenario", "applications saved", "emails expected", "emails sent"):
        assert column in header
    assert "duplicates" in header


def test_every_fault_the_issue_names_is_a_scenario():
    assert {
        "redis-stopped",
        "worker-killed",
        "smtp-slow",
        "smtp-refusing",
        "smtp-down",
        "postgres-restart",
    } <= set(SCENARIOS)


def test_an_unknown_scenario_is_refused_before_anything_starts():
    assert main(["no-such-fault"]) == 2
