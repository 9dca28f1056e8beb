"""The private services of a resilience run: a PostgreSQL cluster, a redis-server, the
portal under gunicorn and a Celery worker, each on its own port and each stopped, killed
or restarted only by this run. The shared PostgreSQL (5432) and Redis (6379) are never
touched."""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def wait_for(predicate: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise TimeoutError(f"timed out waiting for {what}")


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _as_postgres(*args: str) -> list[str]:
    # The server refuses to run as root; as another user it needs nothing more.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return list(args)


class Postgres:
    """A throwaway cluster (initdb) on 127.0.0.1:`port`, trust authentication."""

    def __init__(self, port: int, directory: Path) -> None:
        self.port = port
        self.directory = directory
        self.data = directory / "data"
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[4]))
        if not bins:
            raise RuntimeError("PostgreSQL is not installed (/usr/lib/postgresql/*/bin)")
        self.bin = Path(bins[-1])
        self.url = f"postgres://postgres@127.0.0.1:{port}/resilience"

    def init(self) -> None:
        if self.directory.exists():
            shutil.rmtree(self.directory)
        self.directory.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        subprocess.run(  # noqa: S603 - fixed arguments
            _as_postgres(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust")
            + ["-U", "postgres", "--no-sync"],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def _ctl(self, *args: str) -> None:
        subprocess.run(  # noqa: S603 - fixed arguments
            _as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), *args),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off"
            f" -c unix_socket_directories={self.directory}"
        )
        self._ctl("-l", str(self.directory / "server.log"), "-o", options, "-w", "start")
        subprocess.run(  # noqa: S603 - fixed arguments
            [str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port)]
            + ["-U", "postgres", "resilience"],
            check=False,
            stderr=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        self._ctl("-m", "fast", "-w", "stop")

    def restart(self) -> None:
        self._ctl("-m", "fast", "-w", "restart")

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._ctl("-m", "immediate", "-w", "stop")
        shutil.rmtree(self.directory, ignore_errors=True)


class Redis:
    """A redis-server on 127.0.0.1:`port`, no persistence: a stop loses its queue."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed")
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        wait_for(lambda: port_open(self.port), "redis-server")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


class Process:
    """A child process in its own process group, so a kill reaches its children too."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
                args,
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        """SIGKILL, no warm shutdown: what a crash or the OOM killer does."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()


def web(env: dict[str, str], port: int, log: Path) -> Process:
    server = Process(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind"]
        + [f"127.0.0.1:{port}", "--workers", "2", "--threads", "4", "--timeout", "60"],
        env,
        log,
    )
    wait_for(lambda: port_open(port), "gunicorn")
    return server


def worker(env: dict[str, str], log: Path) -> Process:
    return Process(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO"]
        + ["--concurrency=1", "--without-heartbeat", "--without-gossip", "--without-mingle"]
        + ["-n", f"resilience-{time.monotonic_ns()}@%h"],
        env,
        log,
    )
