"""`python -m bench scale`: how each page's service time grows with the catalogue.

Each size (2,500, 10,000 and 40,000 trials by default) is seeded once into a database of
its own (`<DATABASE_URL>_<trials>`, so that no size flushes another), then measured in a
subprocess of its own by `python -m bench service`: every GET page of the bench, rendered
in-process as a visitor with a session gets it (no page cache), timed over `--requests`
requests after a warm-up, and one patient against all trials. The table gives the median
service time in milliseconds at each size and the ratio of the largest to the smallest.
Issue 14's target: the public pages' ratio 40k ÷ 2.5k within 1.5.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

SIZES = (2_500, 10_000, 40_000)
GROWTH_TARGET = 1.5
# Pages whose growth issue 14 bounds; the others are shown for information.
BOUNDED = ("trials list (uncached)", "search (uncached)", "trial page (uncached)")


def scale_for(trials: int) -> dict[str, int]:
    """The seeded amounts at one size: the catalogue grows; the applications stay put
    (20,000, 5,000 of them on the queue's trial; fewer for a tiny smoke size), so that
    what the table shows is the catalogue's share of each page's time."""
    applications = min(20_000, trials * 4)
    return {
        "trials": trials,
        "applications": applications,
        "queue_applications": min(5_000, applications // 4),
    }


def service_times(*, requests: int = 30) -> dict[str, float]:
    """Median milliseconds of each GET page of the bench (no page cache), in-process."""
    from django.test import Client, override_settings

    from bench.measure import screen_all_ms
    from bench.pages import coordinator_pages, patient_pages, public_pages

    pages = [p for p in public_pages() + coordinator_pages() + patient_pages() if p.method == "GET"]
    # A cached page only as rendered: its "(uncached)" row.
    names = {p.name for p in pages}
    pages = [p for p in pages if f"{p.name} (uncached)" not in names]
    times: dict[str, float] = {}
    with override_settings(PUBLIC_PAGE_CACHE_SECONDS=0):
        for page in pages:
            client = Client(HTTP_HOST="127.0.0.1")
            args = page.prepare(1, 1)
            cookie = args[0] if args else ""
            samples = []
            for n in range(requests + 3):
                started = time.perf_counter()
                response = client.get(page.path, HTTP_COOKIE=cookie)
                elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    raise RuntimeError(f"{page.name}: {page.path} answered {response.status_code}")
                if n >= 3:
                    samples.append(elapsed * 1e3)
            times[page.name] = statistics.median(samples)
    times["one patient vs all trials"], _found = screen_all_ms()
    return times


def run(*, sizes: tuple[int, ...] = SIZES, requests: int = 30) -> dict[str, Any]:
    """Seed and measure each size in a subprocess; returns {"sizes", "times": {page: [ms]}}."""
    from bench.__main__ import DEFAULT_DATABASE_URL

    base = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    per_size: list[dict[str, float]] = []
    for trials in sizes:
        scale = scale_for(trials)
        env = {**os.environ, "DATABASE_URL": f"{base}_{trials}"}
        command = [
            sys.executable,
            "-m",
            "bench",
            "service",
            "--trials",
            str(scale["trials"]),
            "--applications",
            str(scale["applications"]),
            "--queue-applications",
            str(scale["queue_applications"]),
            "--requests",
            str(requests),
        ]
        print(f"bench scale: {trials} trials …", flush=True)
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            raise SystemExit(f"bench scale: {trials} trials failed:\n{done.stderr[-3000:]}")
        line = [row for row in done.stdout.splitlines() if row.startswith("{")][-1]
        per_size.append(json.loads(line))
        print(f"bench scale: {trials} trials measured", flush=True)
    names = list(per_size[0])
    return {
        "sizes": list(sizes),
        "times": {name: [size[name] for size in per_size] for name in names},
        "load_average": os.getloadavg(),
    }


def print_table(results: dict[str, Any]) -> None:
    sizes = results["sizes"]
    head = "".join(f"{f'{n // 1000}k' if n % 1000 == 0 else f'{n / 1000:.1f}k':>10}" for n in sizes)
    print()
    print(f"{'page (service time, ms)':<30}{head}{'growth':>9}  verdict")
    for name, times in results["times"].items():
        growth = times[-1] / times[0] if times[0] else float("inf")
        verdict = ""
        if name in BOUNDED:
            verdict = "ok" if growth <= GROWTH_TARGET else f"MISS (> {GROWTH_TARGET}×)"
        cells = "".join(f"{t:>10.1f}" for t in times)
        print(f"{name:<30}{cells}{growth:>8.2f}×  {verdict}")
    print()
    print(
        f"growth: service time at {sizes[-1]:,} trials ÷ at {sizes[0]:,}; medians of in-process "
        "requests with a session (no page cache). "
        f"Load average at the end: {results['load_average'][0]:.1f}"
    )
