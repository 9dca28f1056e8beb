"""Serve the portal with gunicorn on 127.0.0.1 and load it with wrk.

Traffic never leaves the machine: the server binds 127.0.0.1 on a free port, and every
wrk run is bounded by its duration.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

LUA = Path(__file__).resolve().parent / "lua"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(*, env: Mapping[str, str], workers: int, ready_path: str) -> Iterator[str]:
    """A gunicorn serving the portal on 127.0.0.1; yields its base URL, stops it on exit."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        # wrk keeps its connections open; a sync worker closes each after one response,
        # so a short backlog wait is the only queue. No access log: it would be the bench.
        "--backlog",
        "512",
        "--log-level",
        "warning",
        "--timeout",
        "60",
    ]
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(command, env={**os.environ, **env}, start_new_session=True)  # noqa: S603
    try:
        _wait_ready(base + ready_path, process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - 127.0.0.1
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {url} within {timeout:.0f} s")


def settle(url: str, *, workers: int, timeout: float = 120) -> None:
    """Wait until every worker is free: when wrk stops, requests it had sent are still
    queued and served, and would otherwise slow the next page's run down.

    One request per worker at once, twice: all answer only once the queue is empty.
    """
    from concurrent.futures import ThreadPoolExecutor

    def fetch(_: int) -> None:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - 127.0.0.1
            response.read()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for _ in range(2):
            list(pool.map(fetch, range(workers)))


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    status_errors: int
    socket_errors: int
    # Responses a checking script (submit.lua) did not expect, e.g. no redirect.
    unexpected: int = 0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def wrk(
    url: str,
    *,
    script: str,
    args: list[str],
    seconds: float,
    connections: int,
    threads: int,
    workdir: Path,
) -> WrkResult:
    """One bounded wrk run of `script` (a file in bench/lua, the report appended)."""
    source = (LUA / script).read_text() + "\n" + (LUA / "report.lua").read_text()
    path = workdir / f"run-{script}"
    path.write_text(source)
    command = [
        "wrk",
        f"--threads={min(threads, connections)}",
        f"--connections={connections}",
        f"--duration={max(1, round(seconds))}s",
        "--timeout=10s",
        "--latency",
        f"--script={path}",
        url,
        "--",
        *args,
    ]
    run = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    for line in run.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            data = json.loads(line.removeprefix("BENCH_RESULT "))
            return WrkResult(
                requests=data["requests"],
                seconds=data["duration_us"] / 1e6,
                p50_ms=data["p50_us"] / 1e3,
                p95_ms=data["p95_us"] / 1e3,
                p99_ms=data["p99_us"] / 1e3,
                max_ms=data["max_us"] / 1e3,
                status_errors=data["status_errors"],
                socket_errors=data["socket_errors"],
                unexpected=data["unexpected"],
            )
    raise RuntimeError(f"wrk gave no result (exit {run.returncode}): {run.stderr.strip()}")
