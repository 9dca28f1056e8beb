"""Queries per page do not grow with the data: the benchmark's pages at 10 and 1,000 rows.

The data is the benchmark's own seeding (varied copies of the real records, applications
with history), so these are the pages `make bench` loads, at two sizes.
"""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from bench.engine import ANSWERS
from bench.seed import COORDINATOR_EMAIL, COORDINATOR_TOTP_SECRET, REFERENCE_TRIAL, Scale, seed
from screening.models import Draft
from screening.patient.flow import Flow
from screening.patient.session_keys import SESSION_DRAFTS
from screening.selectors import trials_screen_all
from trials.models import Trial

pytestmark = pytest.mark.django_db

FEW = Scale(trials=60, applications=10, queue_applications=10)
MANY = Scale(trials=1_000, applications=1_000, queue_applications=1_000)


def quiet(*args):
    pass


def page_queries(client) -> dict[str, int]:
    """Queries of each bench page, after one warm-up request each."""
    coordinator = User.objects.get(email=COORDINATOR_EMAIL)
    if not Authenticator.objects.filter(user=coordinator, type="totp").exists():
        TOTP.activate(coordinator, COORDINATOR_TOTP_SECRET)
    trial = Trial.objects.get(nct_id=REFERENCE_TRIAL)
    flow = Flow.for_trial(trial)
    draft = Draft.objects.create(
        trial=trial, answers={"age": ANSWERS["age"]}, completed_steps=[flow.steps[0].identifier]
    )
    # One browser: the coordinator's session also holds a patient's draft.
    client.force_login(coordinator)
    session = client.session
    session[SESSION_DRAFTS] = {trial.nct_id: draft.token}
    session.save()

    urls = {
        "trials list": reverse("trials:list"),
        "search": reverse("trials:list") + "?q=sclerosis",
        "trial page": reverse("trials:detail", args=[REFERENCE_TRIAL]),
        "coordinator queue": reverse("dashboard:trial_queue", args=[REFERENCE_TRIAL]),
        "questionnaire step": reverse(
            "screening:step", args=[REFERENCE_TRIAL, flow.steps[1].identifier]
        ),
    }
    counts = {}
    for name, url in urls.items():
        assert client.get(url).status_code == 200, name
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200, name
        counts[name] = len(captured)
    # As every page above: measured warm (the criteria digests parsed; a new digest
    # costs one more query, once per process).
    trials_screen_all(answers=ANSWERS)
    with CaptureQueriesContext(connection) as captured:
        trials_screen_all(answers=ANSWERS)
    counts["screen all trials"] = len(captured)
    return counts


def test_bench_pages_make_as_many_queries_at_1000_rows_as_at_10(client):
    seed(FEW, log=quiet)
    # Both sizes show the reference trial's stored similar trials (one query by NCT number).
    assert Trial.objects.get(nct_id=REFERENCE_TRIAL).similar_nct_ids
    few = page_queries(client)
    client.logout()

    seed(MANY, log=quiet)
    assert Trial.objects.count() == 1_000
    many = page_queries(client)

    assert many == few
    assert few["screen all trials"] == 1
