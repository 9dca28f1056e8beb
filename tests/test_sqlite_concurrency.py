"""`make run`'s SQLite under concurrent writers: 8 patients applying while 2 coordinators
change statuses, each in its own thread with its own connection to one database file
(WAL, a busy timeout and immediate transactions: config/settings.py). No error page, no
lost row, no doubled row. On PostgreSQL the same test runs against the test database."""

import threading
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from screening.models import Application, StatusChange
from tests.factories import ApplicationFactory, MembershipFactory, UserFactory
from tests.patient_journey import AGNES_ANSWERS, reference_trial, walk

PATIENTS = 8
ROUNDS = 6  # status changes per coordinator per application


@pytest.fixture
def file_database(transactional_db, tmp_path: Path):
    """On SQLite: the test database copied to a file, used by every thread's connection."""
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    in_memory = connection.connection
    path = tmp_path / "concurrent.sqlite3"
    import sqlite3

    target = sqlite3.connect(path)
    in_memory.backup(target)
    target.close()
    saved_name = connection.settings_dict["NAME"]
    # Leave the in-memory database open (closing it would destroy it) but unused.
    connection.connection = None
    connection.settings_dict["NAME"] = str(path)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = saved_name
        connection.connection = in_memory


def run_threads(targets) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(len(targets))

    def runner(target):
        try:
            start.wait()
            target()
        except BaseException as exc:  # noqa: BLE001 - collected and reported
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_eight_patients_and_two_coordinators_at_once(file_database, settings):
    settings.RATELIMIT_ENABLE = False
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    trial = reference_trial()
    coordinators = [UserFactory(email=f"coordinator{i}@example.org") for i in range(2)]
    for user in coordinators:
        MembershipFactory(user=user, trial=trial)
    existing = [ApplicationFactory(trial=trial, status="in_review") for _ in range(4)]
    statuses: Counter[int] = Counter()

    def patient(n: int):
        def apply():
            client = Client(raise_request_exception=True, REMOTE_ADDR=f"192.0.2.{n + 1}")
            walk(client, trial, AGNES_ANSWERS)
            response = client.post(
                reverse("screening:apply", args=[trial.nct_id]),
                {
                    "full_name": f"Patient {n}",
                    "email": f"patient{n}@example.org",
                    "phone": "",
                    "contact_method": "email",
                    "contact_time": "morning",
                    "consent_contact": "on",
                    "consent_share": "on",
                },
            )
            assert response.status_code == 302, response.status_code

        return apply

    def coordinator(n: int):
        def work():
            client = Client(raise_request_exception=True)
            client.force_login(coordinators[n])
            mine = existing[n::2]
            for round_ in range(ROUNDS):
                to_status = "not_eligible" if round_ % 2 == 0 else "in_review"
                for application in mine:
                    response = client.post(
                        reverse("dashboard:applicant_status", args=[application.reference]),
                        # A closing status carries its coded reason (issue 16).
                        {
                            "to_status": to_status,
                            "note": "",
                            "reason": f"{to_status}:inclusion_not_met"
                            if to_status == "not_eligible"
                            else "",
                        },
                    )
                    assert response.status_code == 302, response.status_code
                    statuses[n] += 1

        return work

    errors = run_threads([patient(n) for n in range(PATIENTS)] + [coordinator(0), coordinator(1)])
    assert errors == [], [repr(e) for e in errors]

    emails = list(
        Application.objects.exclude(pk__in=[a.pk for a in existing]).values_list("email", flat=True)
    )
    assert sorted(emails) == sorted(f"patient{n}@example.org" for n in range(PATIENTS))
    assert StatusChange.objects.filter(application__in=existing).count() == 2 * 2 * ROUNDS
    assert sum(statuses.values()) == 2 * 2 * ROUNDS
    # ROUNDS is even: each application went back and forth and ends where it began.
    assert set(
        Application.objects.filter(pk__in=[a.pk for a in existing]).values_list("status", flat=True)
    ) == {"in_review"}
