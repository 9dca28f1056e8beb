"""`make bench` / `python -m bench`: seed scale data, serve the portal, load it, report.

    python -m bench              seed if needed, then measure (table + JSON in bench/results/)
    python -m bench seed         only seed
    python -m bench --trials 50 --applications 200 --rounds 1 --seconds 1   a smoke run

DATABASE_URL defaults to the bench's own PostgreSQL database, created when missing:
postgres://postgres@127.0.0.1:5432/trialportal_bench. The bench owns that database: a
database seeded with another scale is flushed and seeded again.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/trialportal_bench"
# The broker and cache the bench's server uses when Redis answers there: submit then
# publishes its emails as production does (nobody consumes them; the bench empties this
# database, which it owns, after each run). Without Redis, tasks run in the request.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
RESULTS = Path(__file__).resolve().parent / "results"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument(
        "command",
        nargs="?",
        choices=["run", "seed", "scale", "service"],
        default="run",
        help="run: seed and load; seed: only seed; scale: service times at 2.5k, 10k and "
        "40k trials (bench.scaling); service: one size's service times as JSON",
    )
    parser.add_argument("--requests", type=int, default=30, help="scale: requests per page")
    parser.add_argument(
        "--sizes",
        type=lambda text: tuple(int(n) for n in text.split(",")),
        default=None,
        help="scale: catalogue sizes, e.g. 2500,10000,40000 (the default)",
    )
    parser.add_argument("--trials", type=int, default=10_000)
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--queue-applications", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (median)")
    parser.add_argument("--seconds", type=float, default=5, help="per page per round")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--out", type=Path, default=None, help="JSON file (default: results/)")
    return parser.parse_args(argv)


def redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def environment(static_root: str) -> dict[str, str]:
    """Production settings for this process and the server it starts."""
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    broker = {"REDIS_URL": redis_url} if redis_reachable(redis_url) else {}
    return {
        **broker,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "BENCH_STATIC_ROOT": static_root,
        "LOG_LEVEL": "WARNING",
        # Each submit comes from 127.0.0.1: an operator would raise the limit the same way.
        "SCREENING_RATE_APPLY": "1000000/m",
        "SCREENING_RATE_EMAIL_LINK": "1000000/m",
        # Without REDIS_URL, Celery runs tasks in the request: the outbox rows are still
        # written, but the emails go nowhere rather than to the console.
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }


def database_create(url: str) -> None:
    """Create the PostgreSQL database of `url` when it does not exist (SQLite needs none)."""
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import environ
    import psycopg
    from psycopg import sql

    config = environ.Env.db_url_config(url)
    params = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.command == "scale":
        from bench import scaling

        results = scaling.run(sizes=args.sizes or scaling.SIZES, requests=args.requests)
        scaling.print_table(results)
        out = args.out or RESULTS / f"scale-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=2))
        print(f"bench: results in {out}")
        return 0
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    env = environment(static_root)
    os.environ.update(env)
    database_create(env["DATABASE_URL"])

    import django

    django.setup()
    from bench.seed import Scale, seed

    scale = Scale(
        trials=args.trials,
        applications=args.applications,
        queue_applications=min(args.queue_applications, args.applications),
    )
    report = seed(scale)
    action = "seeded" if report.seeded else "already seeded (marker matches)"
    print(f"bench: {action} in {report.seconds:.1f} s: {report.counts}")
    if args.command == "seed":
        return 0
    if args.command == "service":
        from django.core.management import call_command

        from bench.measure import leftovers_delete
        from bench.scaling import service_times

        call_command("collectstatic", interactive=False, verbosity=0)
        leftovers_delete()
        try:
            times = service_times(requests=args.requests)
        finally:
            leftovers_delete()
        print(json.dumps(times))
        return 0

    from bench.measure import run

    results = run(args=args, env=env, seed_report=report)
    print_table(results)
    out = args.out or RESULTS / f"bench-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"bench: results in {out}")
    return 0


def print_table(results: dict[str, Any]) -> None:
    rows = results["pages"]
    print()
    print(
        f"{'page':<22}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'÷base':>8}{'target':>8}{'queries':>9}  verdict"
    )
    for row in rows:
        ratio = "" if row["ratio"] is None else f"{row['ratio']:.2f}"
        target = "" if row["ratio_target"] is None else f"≥{row['ratio_target']:.2f}"
        queries = "" if row["queries"] is None else str(row["queries"])
        print(
            f"{row['name']:<22}{row['rps']:>9.0f}{row['p50_ms']:>9.1f}{row['p95_ms']:>9.1f}"
            f"{row['p99_ms']:>9.1f}{ratio:>8}{target:>8}{queries:>9}  {row['verdict']}"
        )
    print("÷base: the page's requests per second over its baseline's in the same round:")
    print("hello, or for signed-in pages (the coordinator queue) hello (signed in).")
    loads = ", ".join(f"{one:.1f}" for one, _five, _fifteen in results["load_average"])
    print(f"load average (1 min) after each round: {loads}")
    print()
    for line in results["in_process"]["lines"]:
        print(line)
    print()
    conf = results["config"]
    print(
        f"{conf['rounds']} interleaved rounds × {conf['seconds']} s per page, "
        f"{conf['connections']} connections, {conf['workers']} gunicorn workers, "
        f"{conf['cpus']} CPUs; medians over rounds. Seeding: {results['seed']['summary']}"
    )
    print(f"Celery broker: {conf['broker']}")


if __name__ == "__main__":
    started = time.perf_counter()
    code = main(sys.argv[1:])
    print(f"bench: done in {time.perf_counter() - started:.0f} s")
    sys.exit(code)
