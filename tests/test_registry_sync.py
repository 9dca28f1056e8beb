"""Keeping in step with the registry, on recorded responses (no test touches the network).

The recorded pages (tests/fixtures/ctgov/api_page_*.json) hold real studies from a
website download; page 2 holds one study with an overallStatus the registry does not
have. httpx's MockTransport replays them; the registry's 503 is replayed once.
"""

import copy
import json
from datetime import date
from io import StringIO
from pathlib import Path

import httpx
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from screening.models import Application
from tests.factories import ApplicationFactory, MembershipFactory, UserFactory
from trials.importers.client import RegistryClient, RegistryError, StudyQuery
from trials.models import RegistrySyncQuery, RegistrySyncRun, Trial
from trials.sync import registry_sync, sync_query_for

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ctgov"
PAGE_1 = json.loads((FIXTURES / "api_page_1.json").read_text())
PAGE_2 = json.loads((FIXTURES / "api_page_2.json").read_text())
BAD = "NCT03070093"  # its overallStatus in page 2 is "PAUSED"
TOKEN = "NF0g5JOBlvM"


class Registry:
    """A recorded registry: answers /studies by page token, /studies/{id} by id; `fail`
    lists status codes to answer first (once each), as a struggling server would."""

    def __init__(self, pages=None, fail=()):
        self.pages = pages or {None: PAGE_1, TOKEN: PAGE_2}
        self.fail = list(fail)
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.fail:
            return httpx.Response(self.fail.pop(0), text="Service Unavailable")
        if request.url.path == "/api/v2/studies":
            return httpx.Response(200, json=self.pages[request.url.params.get("pageToken")])
        nct_id = request.url.path.rsplit("/", 1)[1]
        for study in [*PAGE_1["studies"], *PAGE_2["studies"]]:
            if study["protocolSection"]["identificationModule"]["nctId"] == nct_id:
                return httpx.Response(200, json=study)
        return httpx.Response(404, json={"message": "not found"})

    def client(self, **kwargs):
        return RegistryClient(
            transport=httpx.MockTransport(self.handle), sleep=self.sleeps.append, **kwargs
        )


def studies(page):
    return [s["protocolSection"]["identificationModule"]["nctId"] for s in page["studies"]]


def test_a_multi_page_run_retries_skips_the_bad_study_alone_and_records_its_counts():
    registry = Registry(fail=[503])
    query = StudyQuery(condition="obesity", statuses=("RECRUITING", "COMPLETED"), country="US")
    seen = []
    run = registry_sync(
        query=query, client=registry.client(), progress=lambda d, t: seen.append((d, t))
    )

    assert run.status == RegistrySyncRun.Status.PARTIAL
    assert (run.created, run.updated, run.closed, run.unchanged, run.failed) == (6, 0, 0, 0, 1)
    assert run.failures == [
        {
            "nct_id": BAD,
            "field": "protocolSection.statusModule.overallStatus",
            "problem": 'unknown status "PAUSED"',
            "source": "page 2 studies[2]",
        }
    ]
    assert set(Trial.objects.values_list("nct_id", flat=True)) == (
        set(studies(PAGE_1)) | set(studies(PAGE_2))
    ) - {BAD}
    # One 503, retried after the backoff; then page 1, then page 2 by its token.
    assert registry.sleeps == [2.0]
    first, retried, second = registry.requests
    assert first.url.params == retried.url.params
    assert first.url.params["query.cond"] == "obesity"
    assert first.url.params["query.locn"] == "US"
    assert first.url.params["filter.overallStatus"] == "RECRUITING,COMPLETED"
    assert "filter.advanced" not in first.url.params
    assert second.url.params["pageToken"] == TOKEN
    assert seen == [(3, 7), (7, 7)]
    assert run.parameters["condition"] == "obesity" and run.finished_at is not None


def test_an_incremental_run_that_finds_no_change_writes_nothing():
    registry_sync(query=StudyQuery(condition="obesity"), client=Registry().client())
    before = list(Trial.objects.values_list("nct_id", "imported_at"))
    pages = {None: {"studies": PAGE_1["studies"], "totalCount": 3}}
    registry = Registry(pages=pages)
    query = StudyQuery(condition="obesity", updated_since=date(2025, 6, 1))
    with CaptureQueriesContext(connection) as queries:
        run = registry_sync(query=query, client=registry.client())
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and "trials_registrysyncrun" not in q["sql"]
    ]
    assert writes == []
    assert (run.created, run.updated, run.unchanged, run.failed) == (0, 0, 3, 0)
    assert list(Trial.objects.values_list("nct_id", "imported_at")) == before
    advanced = registry.requests[0].url.params["filter.advanced"]
    assert advanced == "AREA[LastUpdatePostDate]RANGE[2025-06-01,MAX]"


def test_a_trial_the_registry_closes_takes_no_applications_and_keeps_its_applicants(client):
    registry_sync(query=StudyQuery(condition="obesity"), client=Registry().client())
    nct_id = studies(PAGE_1)[0]  # RECRUITING
    trial = Trial.objects.get(nct_id=nct_id)
    assert trial.takes_applicants
    coordinator = UserFactory()
    MembershipFactory(user=coordinator, trial=trial)
    applicant = ApplicationFactory(trial=trial)

    closed = copy.deepcopy(PAGE_1)
    closed["studies"][0]["protocolSection"]["statusModule"]["overallStatus"] = "COMPLETED"
    closed.pop("nextPageToken")
    run = registry_sync(
        query=StudyQuery(condition="obesity"), client=Registry(pages={None: closed}).client()
    )
    assert (run.updated, run.closed, run.unchanged) == (1, 1, 2)
    trial.refresh_from_db()
    assert not trial.takes_applicants
    page = client.get(reverse("screening:start", args=[nct_id]))
    assert "registry listing now says" in page.content.decode()
    applicant.refresh_from_db()
    assert applicant.status == Application.Status.NEW and applicant.trial_id == trial.pk
    assert Application.objects.filter(trial=trial).count() == 1


def test_the_registry_unreachable_after_the_retries_stops_the_run_with_its_reason():
    registry = Registry(fail=[503, 502, 429])
    run = registry_sync(query=StudyQuery(condition="x"), client=registry.client(attempts=3))
    assert run.status == RegistrySyncRun.Status.FAILED
    assert run.error == "/studies: HTTP 429, after 3 attempts"
    assert registry.sleeps == [2.0, 4.0]
    assert not Trial.objects.exists()


@pytest.mark.parametrize("status", [400, 403, 404])
def test_a_lasting_http_error_is_not_retried(status):
    registry = Registry(fail=[status])
    with pytest.raises(RegistryError, match=f"HTTP {status}"):
        list(registry.client().pages(StudyQuery(condition="x")))
    assert registry.sleeps == []


def test_a_timeout_is_retried_and_retry_after_is_honoured():
    calls = []

    def handle(request):
        calls.append(request)
        if len(calls) == 1:
            raise httpx.ReadTimeout("timed out", request=request)
        if len(calls) == 2:
            return httpx.Response(429, headers={"Retry-After": "7"})
        return httpx.Response(200, json={"studies": []})

    sleeps = []
    client = RegistryClient(transport=httpx.MockTransport(handle), sleep=sleeps.append)
    assert [p.studies for p in client.pages(StudyQuery(condition="x"))] == [[]]
    assert sleeps == [2.0, 7.0]


def test_the_daily_job_runs_each_enabled_saved_query_incrementally(monkeypatch):
    from trials import tasks

    registry = Registry()
    monkeypatch.setattr(tasks, "RegistryClient", registry.client)
    saved = RegistrySyncQuery.objects.create(name="Obesity", condition="obesity", statuses=[])
    RegistrySyncQuery.objects.create(name="Off", condition="asthma", enabled=False)

    assert tasks.registry_sync_daily.apply().get() == 1
    run = RegistrySyncRun.objects.get()
    assert run.query == saved and run.failed == 1
    saved.refresh_from_db()
    # A run with a failure does not move the cursor: the failed study is asked again.
    assert saved.synced_through is None
    assert "filter.advanced" not in registry.requests[0].url.params

    saved.synced_through = date(2026, 3, 10)
    saved.save()
    assert sync_query_for(saved=saved).updated_since == date(2026, 3, 9)
    registry.pages = {None: {"studies": PAGE_1["studies"]}}
    registry.requests.clear()
    tasks.registry_sync_query.apply(args=[saved.pk]).get()
    assert registry.requests[0].url.params["filter.advanced"] == (
        "AREA[LastUpdatePostDate]RANGE[2026-03-09,MAX]"
    )
    saved.refresh_from_db()
    latest = RegistrySyncRun.objects.first()
    assert latest.status == RegistrySyncRun.Status.SUCCEEDED and latest.unchanged == 3
    assert saved.synced_through == latest.started_at.date()


def run_command(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("import_trials", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), exc
    return out.getvalue(), err.getvalue(), None


def test_import_trials_fetch_with_a_query_follows_every_page(monkeypatch):
    from trials.management.commands import import_trials

    registry = Registry()
    monkeypatch.setattr(import_trials, "RegistryClient", registry.client)
    out, err, error = run_command(
        "--fetch",
        "--condition",
        "obesity",
        "--status",
        "RECRUITING",
        "--updated-since",
        "2024-01-31",
    )
    assert out.strip() == "created 6, updated 0, failed 1"
    assert f"failed: page 2 studies[2]: {BAD}: protocolSection.statusModule.overallStatus" in err
    assert str(error) == "1 record(s) failed; the others were imported."
    assert RegistrySyncRun.objects.get().parameters == {
        "condition": "obesity",
        "statuses": ["RECRUITING"],
        "country": "",
        "updated_since": "2024-01-31",
    }
    out, _err, error = run_command("--fetch", studies(PAGE_1)[0], "NCT00000000")
    assert out.strip() == "created 0, updated 0, failed 1 (1 unchanged)"
    assert [r.url.path for r in registry.requests[-2:]] == [
        f"/api/v2/studies/{studies(PAGE_1)[0]}",
        "/api/v2/studies/NCT00000000",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fetch"], "--fetch needs NCT ids or a query"),
        (["--condition", "x"], "need --fetch"),
        (["--fetch", "NCT04356287", "--country", "France"], "not both"),
        (["--sync", "nothing"], 'No saved registry sync query is named "nothing"'),
    ],
)
def test_import_trials_refuses_an_incomplete_request(args, message):
    _out, _err, error = run_command(*args)
    assert error is not None and message in str(error)


def test_staff_see_each_run_with_its_counts_and_reasons(admin_client):
    saved = RegistrySyncQuery.objects.create(name="Obesity", condition="obesity")
    run = registry_sync(
        query=sync_query_for(saved=saved), client=Registry(fail=[503]).client(), saved=saved
    )
    listing = admin_client.get(reverse("admin:trials_registrysyncrun_changelist"))
    assert listing.status_code == 200
    assert "Some studies failed" in listing.content.decode()
    page = admin_client.get(reverse("admin:trials_registrysyncrun_change", args=[run.pk]))
    text = page.content.decode()
    assert BAD in text and "unknown status" in text
    query_page = admin_client.get(reverse("admin:trials_registrysyncquery_change", args=[saved.pk]))
    assert query_page.status_code == 200 and "Some studies failed" in query_page.content.decode()


def test_a_saved_query_needs_something_to_narrow_the_registry(admin_client):
    url = reverse("admin:trials_registrysyncquery_add")
    inline = {"runs-TOTAL_FORMS": "0", "runs-INITIAL_FORMS": "0"}
    response = admin_client.post(url, {"name": "All", "enabled": "on"} | inline)
    assert response.status_code == 200
    assert "Give a condition, a status or a country" in response.content.decode()
    response = admin_client.post(
        url,
        {"name": "Recruiting SSc", "condition": "scleroderma", "statuses": ["RECRUITING"]}
        | {"country": "France", "enabled": "on"}
        | inline,
    )
    assert response.status_code == 302
    saved = RegistrySyncQuery.objects.get()
    assert saved.statuses == ["RECRUITING"] and not saved.incremental
