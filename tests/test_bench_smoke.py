"""`make bench` in miniature, so that the benchmark cannot rot: tiny data, one short round.

Runs the real `python -m bench` (seed, gunicorn, wrk, in-process counts) in a subprocess
on a database of its own beside the suite's: a file next to the test's temporary files
on SQLite, a `<name>_bench_smoke` database on the suite's PostgreSQL server. Nothing here
asserts a timing; only that every page answered as it should under load.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import environ
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    shutil.which("wrk") is None, reason="wrk is not installed (CI installs it)"
)


def smoke_database_url(tmp_path: Path) -> tuple[str, str | None]:
    """A database URL for the smoke run, and the PostgreSQL database name to drop after."""
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("postgresql"):
        name = f"{database['NAME']}_bench_smoke"
        suite_url = os.environ["DATABASE_URL"]
        config = environ.Env.db_url_config(suite_url)
        auth = config["USER"] + (f":{config['PASSWORD']}" if config.get("PASSWORD") else "")
        host = f"{config['HOST'] or '127.0.0.1'}:{config.get('PORT') or 5432}"
        return f"postgres://{auth}@{host}/{name}", name
    return f"sqlite:///{tmp_path / 'bench.sqlite3'}", None


def drop_database(name: str) -> None:
    import psycopg
    from psycopg import sql

    config = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    with psycopg.connect(
        dbname="postgres",
        autocommit=True,
        host=config["HOST"] or "127.0.0.1",
        port=config.get("PORT") or 5432,
        user=config["USER"],
        password=config.get("PASSWORD") or None,
    ) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def test_a_tiny_bench_run_loads_every_page_without_an_error(tmp_path):
    url, pg_name = smoke_database_url(tmp_path)
    out = tmp_path / "smoke.json"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "REDIS_URL"}
    }
    env["DATABASE_URL"] = url
    command = [
        sys.executable,
        "-m",
        "bench",
        "--trials=50",
        "--applications=200",
        "--queue-applications=60",
        "--rounds=1",
        "--seconds=1",
        "--connections=2",
        # SQLite takes one writer at a time: concurrent submits would meet "database is
        # locked" from more than one worker process.
        f"--workers={1 if pg_name is None else 2}",
        f"--out={out}",
    ]
    try:
        run = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
        )
    finally:
        if pg_name:
            drop_database(pg_name)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    results = json.loads(out.read_text())
    pages = {row["name"]: row for row in results["pages"]}
    assert set(pages) == {
        "hello",
        "hello (signed in)",
        "trials list",
        "search",
        "trial page",
        "trials list (uncached)",
        "search (uncached)",
        "trial page (uncached)",
        "coordinator queue",
        "questionnaire step",
        "application submit",
        "find questions",
        "find matches",
    }
    for row in pages.values():
        assert row["requests"] > 0, row
        assert row["status_errors"] == row["socket_errors"] == row["unexpected"] == 0, (
            row,
            run.stderr[-3000:],
        )
    for name, row in pages.items():
        if name != "hello":
            assert row["queries"] > 0 and row["ratio"] is not None, row
    assert results["seed"]["counts"]["trials"] == 50
    assert results["seed"]["counts"]["applications"] == 200
    assert results["in_process"]["screen_all_trials"] == 50
    assert "hello" in run.stdout and "application submit" in run.stdout
    assert pages["coordinator queue"]["baseline"] == "hello (signed in)"
    assert len(results["load_average"]) == 1


def test_the_scaling_mode_seeds_each_size_once_and_prints_growth(tmp_path):
    url, pg_name = smoke_database_url(tmp_path)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "REDIS_URL"}
    }
    env["DATABASE_URL"] = url
    out = tmp_path / "scale.json"
    command = [sys.executable, "-m", "bench", "scale", "--sizes=20,40", "--requests=2"]
    try:
        run = subprocess.run(
            [*command, f"--out={out}"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        if pg_name:
            for size in (20, 40):
                drop_database(f"{pg_name}_{size}")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    results = json.loads(out.read_text())
    assert results["sizes"] == [20, 40]
    times = results["times"]
    assert {"trials list (uncached)", "trial page (uncached)", "coordinator queue"} <= set(times)
    assert all(len(ms) == 2 and min(ms) > 0 for ms in times.values())
    assert "growth" in run.stdout and "trials list (uncached)" in run.stdout
