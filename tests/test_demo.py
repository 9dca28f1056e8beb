"""`load_demo` and `demo_logins`: what `make run` shows a newcomer."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import TrialMembership, User
from screening.models import Application

pytestmark = pytest.mark.django_db


def test_in_development_load_demo_brings_a_team_and_applicants_to_triage(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "3 demo sign-ins, 9 new demo applicants" in out.getvalue()
    alice = User.objects.get(email="coordinator.a@demo.example")
    assert TrialMembership.objects.get(user=alice).trial.nct_id == "NCT04356287"
    reference = Application.objects.filter(trial__nct_id="NCT04356287")
    assert {a.verdict for a in reference} == {"likely_eligible", "needs_review", "not_eligible"}
    assert all(len(a.evaluation["criteria"]) == 17 for a in reference)
    assert reference.exclude(status="new").exists()

    again = StringIO()
    call_command("load_demo", stdout=again)
    assert "0 new demo applicants" in again.getvalue()
    assert Application.objects.count() == 9


def test_without_debug_load_demo_creates_no_accounts():
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "skipped (DEBUG is off)" in out.getvalue()
    assert not User.objects.exists() and not Application.objects.exists()


def test_demo_logins_prints_the_sign_ins_and_the_two_factor_secret(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    out = StringIO()
    call_command("demo_logins", "--code", stdout=out)
    text = out.getvalue()
    assert "coordinator.a@demo.example" in text and "coordinator.b@demo.example" in text
    assert "current code:" in text
