"""`make resilience` / `python -m resilience`: the portal under faults, measured.

Starts its own PostgreSQL cluster (initdb, as user postgres), redis-server, SMTP server
(aiosmtpd), the portal under gunicorn and a Celery worker, on ports 8100-8109 (override
with RESILIENCE_PORT_BASE), and a sweeper thread that does beat's job every second.
Patients apply over HTTP through the whole questionnaire while each scenario breaks
something; then the run waits for the outbox to settle and counts.

    python -m resilience                       every scenario
    python -m resilience redis-stopped smtp-slow   some of them

It prints one row per scenario: applications saved, emails expected, emails sent (each
accepted by the SMTP server at least once), duplicates (accepted more than once) and
5xx answers. A scenario passes when every application is saved, every expected email is
accepted exactly once, every permanently refused email is marked failed after one
attempt, and there was no 5xx except while the database itself was down. Exit status 1
if any scenario fails. Only the processes it started are ever stopped or killed.
"""

from __future__ import annotations

import os
import re
import secrets
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

from resilience import services
from resilience.smtp import SmtpServer

BASE = int(os.environ.get("RESILIENCE_PORT_BASE", "8100"))
WEB_PORT, REDIS_PORT, PG_PORT, SMTP_PORT = BASE, BASE + 1, BASE + 2, BASE + 6
PER_PHASE = 3  # applications submitted in each phase of a scenario
SETTLE_SECONDS = 120
# Short limits, in the same proportions as production's: EMAIL_TIMEOUT below the soft
# limit, the soft limit below the hard one, the claim above the hard one.
LIMITS = {
    "EMAIL_TIMEOUT": "2",
    "CELERY_TASK_SOFT_TIME_LIMIT": "6",
    "CELERY_TASK_TIME_LIMIT": "8",
    "NOTIFICATION_CLAIM_SECONDS": "10",
    "NOTIFICATION_SWEEP_GRACE_SECONDS": "0",
    "NOTIFICATION_RETRY_BASE_SECONDS": "1",
    "NOTIFICATION_MAX_ATTEMPTS": "12",
}
CONTACT = {
    "phone": "",
    "contact_method": "email",
    "contact_time": "morning",
    "consent_contact": "on",
    "consent_share": "on",
}


class LiveResponse:
    """A requests response shaped like Django's test response (what walk() reads)."""

    def __init__(self, response: requests.Response) -> None:
        self.status_code = response.status_code
        self.content = response.content
        self.url = response.headers.get("Location", "")


class LiveClient:
    """One patient's browser: cookies, the CSRF header, no redirects followed."""

    def __init__(self, base: str, statuses: list[int]) -> None:
        self.base = base
        self.session = requests.Session()
        self.statuses = statuses

    def _record(self, response: requests.Response) -> LiveResponse:
        self.statuses.append(response.status_code)
        return LiveResponse(response)

    def get(self, path: str) -> LiveResponse:
        return self._record(self.session.get(self.base + path, allow_redirects=False, timeout=60))

    def post(self, path: str, data: dict[str, Any]) -> LiveResponse:
        token = self.session.cookies.get("csrftoken", "")
        return self._record(
            self.session.post(
                self.base + path,
                data=data,
                headers={"X-CSRFToken": token, "Referer": self.base + path},
                allow_redirects=False,
                timeout=60,
            )
        )


@dataclass
class Result:
    scenario: str
    submitted: int = 0
    saved: int = 0
    expected: int = 0
    sent: int = 0
    duplicates: int = 0
    refused_failed: int = 0
    refused_expected: int = 0
    errors_5xx: int = 0
    errors_5xx_allowed: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return (
            self.saved == self.submitted
            and self.sent == self.expected
            and self.duplicates == 0
            and self.refused_failed == self.refused_expected
            and self.errors_5xx == 0
        )


class Run:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.pg = services.Postgres(PG_PORT, Path(f"/tmp/resilience-pg-{PG_PORT}"))  # noqa: S108
        self.redis = services.Redis(REDIS_PORT)
        self.smtp = SmtpServer(SMTP_PORT)
        self.base = f"http://127.0.0.1:{WEB_PORT}"
        self.env: dict[str, str] = {}
        self.web: services.Process | None = None
        self.worker: services.Process | None = None
        self.sweeping = threading.Event()
        self.sweeper: threading.Thread | None = None
        self.statuses: list[int] = []
        self.counter = 0
        self.trial: Any = None

    # --- set-up and tear-down -----------------------------------------------------------
    def start(self) -> None:
        self.pg.init()
        self.pg.start()
        self.redis.start()
        self.smtp.start()
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "resilience.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": self.pg.url,
            "CONN_MAX_AGE": "60",
            "REDIS_URL": self.redis.url,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": self.base,
            "SECURE_SSL": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(SMTP_PORT),
            "EMAIL_USE_TLS": "0",
            "PUBLIC_PAGE_CACHE_SECONDS": "60",
            # The limiter stays on (its cache calls are part of the fault), but every
            # patient comes from 127.0.0.1.
            "SCREENING_RATE_APPLY": "1000/h",
            "LOG_LEVEL": "WARNING",
            **LIMITS,
        }
        os.environ.update(self.env)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        self.seed()
        self.web = services.web(self.env, WEB_PORT, self.workdir / "web.log")
        self.start_worker()
        self.sweeper = threading.Thread(target=self.sweep_forever, daemon=True)
        self.sweeping.set()
        self.sweeper.start()

    def seed(self) -> None:
        from accounts.models import TrialMembership
        from tests.factories import MembershipFactory, UserFactory
        from tests.patient_journey import reference_trial

        self.trial = reference_trial()
        coordinator = UserFactory(email="coordinator@example.org")
        MembershipFactory(user=coordinator, trial=self.trial, notify=TrialMembership.Notify.INSTANT)

    def start_worker(self) -> None:
        self.worker = services.worker(self.env, self.workdir / "worker.log")

    def stop(self) -> None:
        self.sweeping.clear()
        if self.sweeper is not None:
            self.sweeper.join(timeout=10)
        for process in (self.worker, self.web):
            if process is not None:
                process.stop()
        from django.db import connections

        connections.close_all()
        self.smtp.stop()
        self.redis.stop()
        self.pg.destroy()

    def sweep_forever(self) -> None:
        """Beat's job, every second: hand rows whose message went missing to the worker."""
        from django.db import close_old_connections, connection

        from screening.tasks import notifications_sweep

        while self.sweeping.is_set():
            try:
                notifications_sweep()
            except Exception:  # noqa: BLE001 - the database may be restarting
                connection.close()
            close_old_connections()
            time.sleep(1)

    # --- what patients do ----------------------------------------------------------------
    def apply(self, tag: str) -> tuple[bool, str]:
        """One patient through the questionnaire and the application form, over HTTP."""
        from django.urls import reverse

        from tests.patient_journey import AGNES_ANSWERS, walk

        self.counter += 1
        email = f"{tag}-{self.counter}@example.net"
        client = LiveClient(self.base, self.statuses)
        nct_id = self.trial.nct_id
        client.get(reverse("screening:start", args=[nct_id]))  # sets the CSRF cookie
        walk(client, self.trial, AGNES_ANSWERS)  # type: ignore[arg-type]
        response = client.post(
            reverse("screening:apply", args=[nct_id]),
            {**CONTACT, "full_name": f"Patient {self.counter}", "email": email},
        )
        return response.status_code == 302, email

    def apply_many(self, tag: str, n: int, emails: list[str]) -> None:
        for _ in range(n):
            try:
                ok, email = self.apply(tag)
            except (AssertionError, requests.RequestException) as exc:
                self.statuses.append(599)
                print(f"    an application failed: {exc!r}"[:300], file=sys.stderr)
                continue
            if ok:
                emails.append(email)

    # --- counting ------------------------------------------------------------------------
    def settle(self, since: datetime) -> None:
        from screening.models import Notification

        def settled() -> bool:
            try:
                return not Notification.objects.filter(
                    created_at__gte=since, state__in=["queued", "sending"]
                ).exists()
            except Exception:  # noqa: BLE001
                from django.db import connection

                connection.close()
                return False

        services.wait_for(settled, "the outbox to settle", SETTLE_SECONDS)
        time.sleep(1)  # a late duplicate would arrive now

    def count(self, result: Result, since: datetime, patients: list[str]) -> None:
        from screening.models import Application, Notification

        result.saved = Application.objects.filter(email__in=patients).count()
        rows = list(Notification.objects.filter(created_at__gte=since))
        refused = {a.lower() for a, code in self.smtp.refuse.items() if code >= 500}
        expected = [n for n in rows if n.to_email.lower() not in refused]
        result.expected = len(expected)
        accepted = Counter(
            int(m.group(1))
            for message in self.smtp.messages
            if (m := re.match(r"<notification-(\d+)-", str(message.get("Message-ID", ""))))
        )
        ids = {n.pk for n in expected}
        result.sent = sum(1 for pk in ids if accepted[pk] >= 1)
        result.duplicates = sum(accepted[pk] - 1 for pk in ids if accepted[pk] > 1)
        refused_rows = [n for n in rows if n.to_email.lower() in refused]
        result.refused_expected = len(refused_rows)
        result.refused_failed = sum(
            1
            for n in refused_rows
            if n.state == "failed" and n.attempts == 1 and not accepted[n.pk]
        )
        with self.smtp.lock:
            tries = sum(self.smtp.attempts.values())
        cut = tries - len(self.smtp.messages)
        if cut:
            result.notes.append(f"{cut} SMTP conversations cut before the server's 250")
        unsent = [n for n in expected if n.state != "sent"]
        if unsent:
            result.notes.append(f"{len(unsent)} rows not marked sent")

    def scenario(self, name: str, body: Callable[[Result, list[str]], None]) -> Result:
        from django.db import connection
        from django.utils import timezone

        from screening.models import Notification

        print(f"==> {name}", file=sys.stderr, flush=True)
        self.smtp.messages.clear()
        self.smtp.attempts.clear()
        self.smtp.refuse = {}
        self.smtp.slow_seconds = 0
        connection.close()
        since = timezone.now()
        result = Result(name)
        patients: list[str] = []
        self.statuses = []
        try:
            body(result, patients)
            self.settle(since)
        except Exception as exc:  # noqa: BLE001 - a scenario that breaks is a failed row
            result.notes.append(f"error: {exc!r}"[:120])
            connection.close()
        result.submitted = result.submitted or 0
        result.errors_5xx = sum(1 for s in self.statuses if s >= 500) - result.errors_5xx_allowed
        try:
            self.count(result, since, patients)
        except Exception as exc:  # noqa: BLE001
            result.notes.append(f"count error: {exc!r}"[:120])
        # Leave nothing for the next scenario.
        Notification.objects.filter(created_at__gte=since, state__in=["queued", "sending"]).update(
            state="failed"
        )
        return result

    # --- the scenarios -------------------------------------------------------------------
    def all_up(self, result: Result, patients: list[str]) -> None:
        self.apply_many("up", PER_PHASE, patients)
        result.submitted = PER_PHASE

    def redis_stopped(self, result: Result, patients: list[str]) -> None:
        self.apply_many("redis-a", PER_PHASE, patients)
        self.redis.stop()  # its queue goes with it: no persistence
        self.apply_many("redis-b", PER_PHASE, patients)
        health = requests.get(self.base + "/healthz", timeout=10)
        result.notes.append(
            f"/healthz while Redis was down: {health.status_code} {health.json().get('status')}"
        )
        self.statuses.append(health.status_code)
        time.sleep(2)
        self.redis.start()
        self.apply_many("redis-c", PER_PHASE, patients)
        result.submitted = 3 * PER_PHASE

    def worker_killed(self, result: Result, patients: list[str]) -> None:
        # The server takes its time over each message's first delivery, so the worker is
        # caught in the middle of a send: killed before the server said "accepted".
        self.smtp.slow_seconds = 1.5
        self.apply_many("killed", PER_PHASE, patients)
        services.wait_for(lambda: len(self.smtp.attempts) >= 1, "a send to begin", 60)
        assert self.worker is not None
        self.worker.kill()
        result.notes.append("worker SIGKILLed mid-send")
        self.smtp.slow_seconds = 0
        time.sleep(1)
        self.start_worker()
        result.submitted = PER_PHASE

    def smtp_slow(self, result: Result, patients: list[str]) -> None:
        # Each message's first answer comes after 3 s, past EMAIL_TIMEOUT (2 s) and
        # before the soft limit (6 s): the client hangs up, the retry is the one copy.
        self.smtp.slow_seconds = 3
        self.apply_many("slow", PER_PHASE, patients)
        result.submitted = PER_PHASE

    def smtp_refusing(self, result: Result, patients: list[str]) -> None:
        # Two patients' addresses refused for good (550); the coordinator's refused for a
        # while (451: try later), then accepted.
        self.counter += 0
        first = self.counter + 1
        self.smtp.refuse = {
            f"refused-{first}@example.net": 550,
            f"refused-{first + 1}@example.net": 550,
            "coordinator@example.org": 451,
        }
        self.apply_many("refused", 2, patients)
        self.apply_many("accepted", PER_PHASE - 1, patients)
        time.sleep(4)
        self.smtp.refuse = {a: c for a, c in self.smtp.refuse.items() if c >= 500}
        result.submitted = PER_PHASE + 1

    def smtp_down(self, result: Result, patients: list[str]) -> None:
        self.smtp.stop()
        self.apply_many("smtp-down", PER_PHASE, patients)
        time.sleep(4)
        self.smtp.start()
        result.submitted = PER_PHASE

    def postgres_restart(self, result: Result, patients: list[str]) -> None:
        # Every gunicorn thread and the worker hold a connection (CONN_MAX_AGE=60).
        self.apply_many("pg-a", PER_PHASE, patients)
        self.pg.stop()
        health = requests.get(self.base + "/healthz", timeout=30)
        result.errors_5xx_allowed += 1 if health.status_code >= 500 else 0
        self.statuses.append(health.status_code)
        result.notes.append(
            f"/healthz while PostgreSQL was down: {health.status_code} "
            f"{health.json().get('status')}"
        )
        self.pg.start()
        from django.db import connection

        connection.close()
        self.apply_many("pg-b", PER_PHASE, patients)
        result.submitted = 2 * PER_PHASE


SCENARIOS = {
    "all-up": Run.all_up,
    "redis-stopped": Run.redis_stopped,
    "worker-killed": Run.worker_killed,
    "smtp-slow": Run.smtp_slow,
    "smtp-refusing": Run.smtp_refusing,
    "smtp-down": Run.smtp_down,
    "postgres-restart": Run.postgres_restart,
}


def table(results: list[Result]) -> str:
    header = (
        "scenario",
        "applications saved",
        "emails expected",
        "emails sent",
        "duplicates",
        "refused→failed",
        "5xx",
        "result",
    )
    rows = [
        (
            r.scenario,
            f"{r.saved}/{r.submitted}",
            str(r.expected),
            str(r.sent),
            str(r.duplicates),
            f"{r.refused_failed}/{r.refused_expected}",
            str(r.errors_5xx)
            + (f" (+{r.errors_5xx_allowed} DB down)" if r.errors_5xx_allowed else ""),
            "ok" if r.passed else "FAIL",
        )
        for r in results
    ]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    lines = [
        "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |",
        "|" + "|".join("-" * (w + 2) for w in widths) + "|",
    ]
    lines += [
        "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
        for row in rows
    ]
    notes = [f"  {r.scenario}: {'; '.join(r.notes)}" for r in results if r.notes]
    return "\n".join(lines + (["", "Notes:", *notes] if notes else []))


def main(argv: list[str]) -> int:
    names = argv or list(SCENARIOS)
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        print(f"unknown scenarios: {unknown}; known: {list(SCENARIOS)}", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="resilience-"))
    run = Run(workdir)
    results: list[Result] = []
    try:
        run.start()
        for name in names:
            results.append(run.scenario(name, lambda r, p, f=SCENARIOS[name]: f(run, r, p)))
    finally:
        run.stop()
    print(table(results))
    print(f"\nLogs: {workdir}")
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
