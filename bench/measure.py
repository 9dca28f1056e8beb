"""The measurements: queries per request and in-process timings, then the timed load.

Queries are counted in-process (django.test.Client against the same database), apart
from the timed load, so that counting never slows what is timed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import timeit
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from bench import load
from bench.engine import ANSWERS, engine_timings
from bench.pages import (
    Page,
    coordinator_pages,
    hello_page,
    matching_pages,
    patient_pages,
    public_pages,
)

P95_LIMIT_MS = 250.0
SCREEN_ALL_LIMIT_MS = 200.0
# Issue 14's targets, each a share of its page's baseline (Page.baseline): the public
# pages of hello; the queue of a signed-in hello; submit (with a broker) and a step of hello.
RATIO_TARGETS = {"public": 0.30, "coordinator": 0.50, "submit": 0.10, "step": 0.20}


def all_pages() -> list[Page]:
    return public_pages() + coordinator_pages() + patient_pages() + matching_pages()


def queries_per_request(page: Page) -> int:
    """Queries of one request to `page` as rendered (the public pages' cache off), after
    one warm-up request."""
    client = Client(HTTP_HOST="127.0.0.1")
    counts = []
    with override_settings(PUBLIC_PAGE_CACHE_SECONDS=0):
        for _ in range(2):
            args = page.prepare(1, 1)
            with CaptureQueriesContext(connection) as captured:
                if page.client_request is not None:
                    response = page.client_request(client, args)
                else:
                    cookie = args[0] if args else ""
                    response = client.get(page.path, HTTP_COOKIE=cookie)
            expected = 302 if page.method == "POST" else 200
            if response.status_code != expected:
                raise RuntimeError(f"{page.name}: {page.path} answered {response.status_code}")
            counts.append(len(captured))
    return counts[-1]


def screen_all_ms(repeat: int = 5) -> tuple[float, int]:
    """Best-of milliseconds to screen one patient against every trial, and how many came back."""
    from screening.selectors import trials_screen_all

    answers = {**ANSWERS, "sex": "female"}
    found = len(trials_screen_all(answers=answers))
    seconds = min(
        timeit.repeat(lambda: trials_screen_all(answers=answers), number=1, repeat=repeat)
    )
    return seconds * 1e3, found


def in_process() -> dict[str, Any]:
    from trials.models import Trial

    engine = engine_timings(number=500, repeat=3)
    screen_ms, found = screen_all_ms()
    trials = Trial.objects.count()
    verdict = "ok" if screen_ms <= SCREEN_ALL_LIMIT_MS else f"MISS (> {SCREEN_ALL_LIMIT_MS:.0f})"
    lines = [
        f"engine, one answer set vs NCT04356287: {name} {us:.1f} µs" for name, us in engine.items()
    ]
    lines.append(
        f"one patient vs all {trials} trials (trials_screen_all, {found} after the "
        f"pre-filter): {screen_ms:.0f} ms  {verdict}"
    )
    from bench import matching
    from bench.importing import import_rates

    find = matching.timings()
    simulation = matching.simulate(patients=30)
    lines += matching.lines(find, simulation)
    importing = import_rates()
    lines += importing["lines"]
    return {
        "matching": find,
        "matching_simulation": simulation,
        "engine_us": engine,
        "import": {k: v for k, v in importing.items() if k != "lines"},
        "screen_all_ms": screen_ms,
        "screen_all_trials": trials,
        "screen_all_after_prefilter": found,
        "lines": lines,
    }


def leftovers_delete() -> None:
    """Remove what the measuring added, so that every run meets the seeded data as it was:
    submitted applications (their addresses start with "bench-"), drafts, sessions and
    outbox rows (the seed writes none of those)."""
    from django.contrib.sessions.models import Session

    from screening.models import Application, Draft, Notification

    Application.objects.filter(email__startswith="bench-").delete()
    Draft.objects.all().delete()
    Notification.objects.all().delete()
    Session.objects.all().delete()
    if os.environ.get("REDIS_URL"):
        # The bench's own Redis database: the published, never consumed email tasks and
        # the page cache.
        import redis

        redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()


def run(*, args: argparse.Namespace, env: dict[str, str], seed_report: Any) -> dict[str, Any]:
    leftovers_delete()
    try:
        return _run(args=args, env=env, seed_report=seed_report)
    finally:
        leftovers_delete()


def _run(*, args: argparse.Namespace, env: dict[str, str], seed_report: Any) -> dict[str, Any]:
    call_command("collectstatic", interactive=False, verbosity=0)
    pages = all_pages()
    hello = hello_page()
    queries = {page.name: queries_per_request(page) for page in pages}
    print(f"bench: queries per request {queries}")
    inproc = in_process()
    for line in inproc["lines"]:
        print(f"bench: {line}")

    if not load.wrk_available():
        raise SystemExit("bench: wrk is not installed (apt-get install wrk)")
    rounds: list[dict[str, load.WrkResult]] = []
    loads: list[tuple[float, float, float]] = []
    per_run = max(1, round(args.seconds))
    with (
        tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp,
        load.gunicorn(env=env, workers=args.workers, ready_path=hello.path) as base,
    ):
        workdir = Path(tmp)
        for number in range(args.rounds):
            results = {}
            for page in [hello, *pages]:
                load.settle(base + hello.path, workers=args.workers)
                threads = min(args.threads, args.connections)
                budget = page.budget_per_second * per_run
                result = load.wrk(
                    base + page.path,
                    script=page.script,
                    args=page.prepare(budget, threads),
                    seconds=per_run,
                    connections=args.connections,
                    threads=args.threads,
                    workdir=workdir,
                )
                results[page.name] = result
            rounds.append(results)
            loads.append(os.getloadavg())
            summary = ", ".join(f"{name} {r.rps:.0f}/s" for name, r in results.items())
            print(f"bench: round {number + 1}/{args.rounds}: {summary}")

    rows = [summarize(hello, rounds, None)]
    rows += [summarize(page, rounds, queries[page.name]) for page in pages]
    return {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "config": {
            "rounds": args.rounds,
            "seconds": per_run,
            "connections": args.connections,
            "threads": args.threads,
            "workers": args.workers,
            "cpus": os.cpu_count(),
            "database": connection.vendor,
            "broker": "redis" if os.environ.get("REDIS_URL") else "none (tasks run in the request)",
        },
        "seed": {
            "seeded_now": seed_report.seeded,
            "seconds": round(seed_report.seconds, 1),
            "counts": seed_report.counts,
            "summary": (
                f"{seed_report.seconds:.0f} s"
                if seed_report.seeded
                else f"skipped (marker matches; checked in {seed_report.seconds:.1f} s)"
            ),
        },
        "pages": rows,
        # The machine's 1, 5 and 15-minute load averages at the end of each round, so that
        # a noisy run can be recognised.
        "load_average": loads,
        "in_process": inproc,
    }


def summarize(page: Page, rounds: list[dict[str, load.WrkResult]], queries: int | None) -> dict:
    runs = [r[page.name] for r in rounds]
    ratios = [r[page.name].rps / r[page.baseline].rps for r in rounds if r[page.baseline].rps]
    median = statistics.median
    row = {
        "name": page.name,
        "path": page.path.split("?")[0],
        "rps": median(r.rps for r in runs),
        "p50_ms": median(r.p50_ms for r in runs),
        "p95_ms": median(r.p95_ms for r in runs),
        "p99_ms": median(r.p99_ms for r in runs),
        "worst_p95_ms": max(r.p95_ms for r in runs),
        "requests": sum(r.requests for r in runs),
        "status_errors": sum(r.status_errors for r in runs),
        "socket_errors": sum(r.socket_errors for r in runs),
        "unexpected": sum(r.unexpected for r in runs),
        "ratio": median(ratios) if page.name != page.baseline and ratios else None,
        "baseline": page.baseline,
        "ratio_target": RATIO_TARGETS.get(page.target or ""),
        "queries": queries,
    }
    problems = []
    if row["ratio_target"] is not None and row["ratio"] < row["ratio_target"]:
        problems.append("ratio")
    if row["p95_ms"] > P95_LIMIT_MS:
        problems.append(f"p95 > {P95_LIMIT_MS:.0f} ms")
    errors = row["status_errors"] + row["socket_errors"] + row["unexpected"]
    if errors:
        problems.append(f"{errors} errors")
    row["verdict"] = "MISS: " + ", ".join(problems) if problems else "ok"
    return row
