"""The outbox with its real parts: PostgreSQL, Redis and `celery -A config worker`.

Each test starts its own redis-server on a free port (the shared one on 6379 is left
alone) and workers that share the test database, and collects emails as files.
Run locally with:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_notify \\
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python -m pytest tests/test_worker.py
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.db import connection, transaction
from django.utils import timezone

from config.celery import app as celery_app
from resilience.services import Process
from screening.models import Notification
from screening.services import notify
from screening.services.outbox import notification_queue
from screening.tasks import notification_send, notifications_sweep
from tests.factories import ApplicationFactory, MembershipFactory, TrialFactory, UserFactory

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"),
        reason="needs REDIS_URL (Redis and a real Celery worker); CI's second run sets it",
    ),
]

BASE_DIR = Path(__file__).resolve().parent.parent
WAIT_SECONDS = 60
# Short limits so that a claim left by a killed worker expires within the test.
TIME_LIMIT, SOFT_TIME_LIMIT, CLAIM_SECONDS = 5, 4, 6


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A private redis-server, stopped and started at will."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("REDIS_URL is set but redis-server is not installed")
        self.process = subprocess.Popen(  # noqa: S603 - a fixed command line
            [binary, "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        wait_for(lambda: _pings(client), "the private redis-server to answer")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


def wait_for(predicate: Callable[[], bool], what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    tail = log.read_text()[-4000:] if log and log.exists() else ""
    pytest.fail(f"Timed out waiting for {what}.\n{tail}")


class Worker(Process):
    """A real Celery worker (one process, its own group: a kill reaches the pool too)."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        super().__init__(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO"]
            + ["--concurrency=1", "--without-heartbeat", "--without-gossip"]
            + ["--without-mingle", "-n", f"notify-test-{uuid.uuid4().hex[:8]}@%h"],
            env,
            log,
        )


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker(redis_server: RedisServer) -> Iterator[RedisServer]:
    """Point this process's Celery app at the private Redis, for real (not eager)."""
    saved = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)

    def reset_pools() -> None:
        # Producers and connections are pooled per broker: drop them with the URL.
        celery_app._after_fork()

    celery_app.conf.broker_url = redis_server.url
    celery_app.conf.task_always_eager = False
    reset_pools()
    yield redis_server
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved
    reset_pools()


@pytest.fixture
def mail_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "mail"
    directory.mkdir()
    return directory


def emails(mail_dir: Path) -> list[str]:
    return [path.read_text() for path in sorted(mail_dir.glob("*.eml"))]


@pytest.fixture
def start_worker(transactional_db, broker, mail_dir, tmp_path) -> Iterator[Callable[..., Worker]]:
    if connection.vendor != "postgresql":
        pytest.skip("the worker must share the test database: set DATABASE_URL to PostgreSQL")
    db = connection.settings_dict
    database_url = (
        f"postgres://{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}"
        f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'])}"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "tests-only-not-a-secret",
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": "0",
        "REDIS_URL": broker.url,
        "EMAIL_BACKEND": "tests.mail_backend.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "CELERY_TASK_TIME_LIMIT": str(TIME_LIMIT),
        "CELERY_TASK_SOFT_TIME_LIMIT": str(SOFT_TIME_LIMIT),
        "NOTIFICATION_CLAIM_SECONDS": str(CLAIM_SECONDS),
        "NOTIFICATION_SWEEP_GRACE_SECONDS": "0",
    }
    workers: list[Worker] = []

    def start(**extra_env: str) -> Worker:
        worker = Worker({**env, **extra_env}, tmp_path / f"worker-{len(workers)}.log")
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def queue_sentinel() -> Notification:
    """A last email: with one worker taking one message at a time, once it arrives,
    every message queued before it has been handled."""
    trial = TrialFactory()
    application = ApplicationFactory(trial=trial, email="sentinel@example.net")
    notification = notify.notify_application_received(application=application)
    assert notification is not None
    return notification


def test_submitting_an_application_sends_one_confirmation_and_one_alert(start_worker, mail_dir):
    trial = TrialFactory(nct_id="NCT04356287", brief_title="Tea for tired hearts")
    MembershipFactory(trial=trial, user=UserFactory(email="casey@example.org"))
    worker = start_worker()

    with transaction.atomic():
        application = ApplicationFactory(trial=trial, email="pat@example.net")
        notify.notify_application_received(application=application)
        notify.notify_coordinators_new_applicant(application=application)

    wait_for(lambda: len(emails(mail_dir)) == 2, "two emails", worker.log)
    sent = emails(mail_dir)
    assert sum("To: pat@example.net" in m for m in sent) == 1
    assert sum("To: casey@example.org" in m for m in sent) == 1
    wait_for(
        lambda: not Notification.objects.exclude(state=Notification.State.SENT).exists(),
        "both rows marked sent",
        worker.log,
    )
    rows = Notification.objects.all()
    assert {(n.state, n.attempts) for n in rows} == {(Notification.State.SENT, 1)}


def test_a_worker_killed_mid_send_still_delivers_exactly_one_email(
    start_worker, mail_dir, tmp_path, settings
):
    settings.NOTIFICATION_SWEEP_GRACE_SECONDS = 0
    block = tmp_path / "block-sending"
    block.touch()
    first = start_worker(MAIL_BLOCK_FILE=str(block))
    with transaction.atomic():
        application = ApplicationFactory(email="pat@example.net")
        notification = notify.notify_application_received(application=application)

    wait_for(lambda: any(mail_dir.glob("sending-*")), "the send to start", first.log)
    first.kill()
    notification.refresh_from_db()
    assert notification.state == Notification.State.SENDING
    assert emails(mail_dir) == []

    block.unlink()
    second = start_worker()
    # The dead worker's claim must run out before anyone may send again.
    wait_for(
        lambda: Notification.objects.get(pk=notification.pk).next_attempt_at < timezone.now(),
        "the dead worker's claim to expire",
    )
    assert notifications_sweep() == 1
    wait_for(lambda: len(emails(mail_dir)) == 1, "the email", second.log)

    # The killed worker's message, redelivered late, must not send it again.
    notification_send.delay(notification.pk)
    queue_sentinel()
    wait_for(lambda: len(emails(mail_dir)) == 2, "the sentinel email", second.log)
    assert sum("To: pat@example.net" in m for m in emails(mail_dir)) == 1
    notification.refresh_from_db()
    assert notification.state == Notification.State.SENT
    assert notification.attempts == 2


def test_redis_down_at_commit_the_sweeper_sends_the_email_later(start_worker, broker, mail_dir):
    broker.stop()
    with transaction.atomic():
        application = ApplicationFactory(email="pat@example.net")
        notification = notify.notify_application_received(application=application)
    # The commit stood; only the message is missing.
    notification.refresh_from_db()
    assert notification.state == Notification.State.QUEUED

    broker.start()
    worker = start_worker()
    notifications_sweep.delay()
    wait_for(lambda: len(emails(mail_dir)) == 1, "the swept email", worker.log)
    assert "To: pat@example.net" in emails(mail_dir)[0]
    # "sent" is committed just after the message is written: wait for it, not race it.
    wait_for(
        lambda: Notification.objects.get(pk=notification.pk).state == Notification.State.SENT,
        "the row marked sent",
        worker.log,
    )


def test_a_rolled_back_transaction_sends_nothing(start_worker, mail_dir):
    class Abandoned(Exception):
        pass

    worker = start_worker()
    with pytest.raises(Abandoned), transaction.atomic():
        application = ApplicationFactory(email="pat@example.net")
        notification_queue(
            key=f"application-received:{application.pk}",
            template="application-received",
            to_email=application.email,
            context={"trial_nct_id": application.trial.nct_id, "patient": True},
        )
        raise Abandoned

    queue_sentinel()
    wait_for(lambda: len(emails(mail_dir)) == 1, "the sentinel email", worker.log)
    assert "To: sentinel@example.net" in emails(mail_dir)[0]
    assert Notification.objects.count() == 1
