"""Find trials for me at scale: in-process timings and a simulation of patients.

    DATABASE_URL=postgres://... python -m bench.matching [--patients 60]

Needs the bench catalogue (`python -m bench seed`). Measures, never asserts:

* one answer set against all trials: the whole search (database pre-filter on status,
  condition and distance, then every candidate screened, each distinct criteria content
  once) and `trials_screen_all` with the condition, median of 15;
* the next-question choice for a 500-trial candidate set, median of 15;
* a simulation: synthetic patients, answers drawn from each question's range (and "I
  don't know" as often as `known_likelihood` says), asked page after page until the
  flow stops by itself. Reports the median number of questions, and the share of
  candidate trials settled (verdict final) and filtered (ruled out) after 10 and 20
  questions, beside DQueST's published "60-80 % filtered after 50 questions".
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

PATIENT: dict[str, Any] = {"age": 54, "sex": "female"}
CONDITION = "systemic sclerosis"
MONTREAL = (45.5017, -73.5673)
TARGET_SCREEN_MS = 50.0
TARGET_CHOICE_MS = 100.0


def _median_ms(work: Callable[[], Any], repeat: int = 15) -> float:
    work()  # warm: the parsed criteria cache, the query plans
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1e3)
    return statistics.median(times)


def _candidates_500() -> list[Any]:
    """Shapes of 500 open trials (every condition), for the next-question timing."""
    from screening.matching.engine import Shape
    from screening.matching.selectors import search_run

    search = search_run(condition="")
    pairs = [(shape, member) for shape in search.shapes for member in shape.members]
    # Every k-th open trial: 500 that keep the catalogue's mix of criteria sets.
    step = max(len(pairs) // 500, 1)
    picked: dict[int, Shape] = {}
    for shape, member in pairs[::step][:500]:
        picked.setdefault(id(shape), Shape(specs=shape.specs)).members.append(member)
    return list(picked.values())


def timings() -> dict[str, Any]:
    from screening.matching.engine import choose_questions
    from screening.matching.selectors import matches_rank, question_domains, search_run
    from screening.selectors import trials_screen_all
    from trials.models import Trial

    def one_answer_set() -> Any:
        search = search_run(
            condition=CONDITION, latitude=MONTREAL[0], longitude=MONTREAL[1], max_km=500
        )
        return matches_rank(search=search, answers=PATIENT)

    domains = question_domains()
    shapes = _candidates_500()
    found = one_answer_set()
    return {
        "trials": Trial.objects.count(),
        "search_ms": _median_ms(one_answer_set),
        "search_shown": len(found.shown),
        "screen_all_condition_ms": _median_ms(
            lambda: trials_screen_all(answers=PATIENT, condition=CONDITION)
        ),
        "screen_all_ms": _median_ms(lambda: trials_screen_all(answers=PATIENT), repeat=5),
        "choice_ms": _median_ms(lambda: choose_questions(shapes, PATIENT, domains)),
        "choice_trials": sum(s.count for s in shapes),
        "choice_shapes": len(shapes),
    }


def _draw(domain: Any, rng: random.Random) -> Any:
    if rng.random() > domain.known:
        return None
    if domain.type == "boolean":
        return rng.random() < 0.5
    if domain.type in ("choice",):
        return rng.choice(domain.choices)
    if domain.type == "multi":
        return [c for c in domain.choices if rng.random() < 0.2]
    if domain.type == "date":
        return f"{rng.randint(2000, 2026)}-{rng.randint(1, 12):02d}-01"
    low, high = domain.min or 0, domain.max if domain.max is not None else 100
    value = rng.uniform(low, high)
    return round(value) if domain.type == "integer" else round(value, 1)


def simulate(patients: int = 60, seed: int = 15) -> dict[str, Any]:
    """Synthetic patients through the adaptive flow over the bench catalogue."""
    from bench.seed import CONDITIONS
    from screening.matching.engine import choose_questions
    from screening.matching.selectors import question_domains, search_run

    rng = random.Random(seed)  # noqa: S311 - synthetic patients, not secrets
    domains = question_domains()
    asked_counts, settled10, settled20, filtered10, filtered20 = [], [], [], [], []
    for _ in range(patients):
        truth = {key: _draw(domain, rng) for key, domain in domains.items()}
        truth["age"] = rng.randint(18, 85)
        truth["sex"] = rng.choice(("female", "male"))
        search = search_run(condition=rng.choice(CONDITIONS).lower())
        total = sum(s.count for s in search.shapes)
        if not total:
            continue
        answers = {"age": truth["age"], "sex": truth["sex"]}
        asked = 0
        marks: dict[int, tuple[float, float]] = {}
        while True:
            choice = choose_questions(search.shapes, answers, domains)
            for mark in (10, 20):
                if mark not in marks and asked >= mark:
                    marks[mark] = (choice.settled / total, 1 - choice.possible / total)
            if not choice.keys:
                break
            for key in choice.keys:
                answers[key] = truth.get(key)
                asked += 1
        final = (choice.settled / total, 1 - choice.possible / total)
        asked_counts.append(asked)
        settled10.append(marks.get(10, final)[0])
        settled20.append(marks.get(20, final)[0])
        filtered10.append(marks.get(10, final)[1])
        filtered20.append(marks.get(20, final)[1])
    if not asked_counts:
        # A catalogue too small for any synthetic patient's condition (a smoke run).
        asked_counts = settled10 = settled20 = filtered10 = filtered20 = [0]
    return {
        "patients": len(asked_counts),
        "questions_median": statistics.median(asked_counts),
        "questions_max": max(asked_counts),
        "settled_after_10": statistics.median(settled10),
        "settled_after_20": statistics.median(settled20),
        "filtered_after_10": statistics.median(filtered10),
        "filtered_after_20": statistics.median(filtered20),
    }


def lines(figures: dict[str, Any], simulation: dict[str, Any] | None) -> list[str]:
    def verdict(ms: float, target: float) -> str:
        return "ok" if ms <= target else f"MISS (> {target:.0f})"

    out = [
        f"find trials, one answer set vs all {figures['trials']} trials "
        f"(condition + 500 km of Montreal, {figures['search_shown']} shown): "
        f"{figures['search_ms']:.1f} ms  {verdict(figures['search_ms'], TARGET_SCREEN_MS)}",
        f"trials_screen_all with the condition: {figures['screen_all_condition_ms']:.1f} ms  "
        f"{verdict(figures['screen_all_condition_ms'], TARGET_SCREEN_MS)}; "
        f"without (every open trial): {figures['screen_all_ms']:.1f} ms",
        f"next-question choice, {figures['choice_trials']} candidates in "
        f"{figures['choice_shapes']} shapes: {figures['choice_ms']:.1f} ms  "
        f"{verdict(figures['choice_ms'], TARGET_CHOICE_MS)}",
    ]
    if simulation:
        out.append(
            f"simulation, {simulation['patients']} synthetic patients: median "
            f"{simulation['questions_median']} questions until the flow stops (max "
            f"{simulation['questions_max']}); settled after 10 / 20 questions: "
            f"{simulation['settled_after_10']:.0%} / {simulation['settled_after_20']:.0%}; "
            f"filtered (ruled out) {simulation['filtered_after_10']:.0%} / "
            f"{simulation['filtered_after_20']:.0%} (DQueST: 60-80 % filtered after 50)"
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.matching")
    parser.add_argument("--patients", type=int, default=60)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    import django

    django.setup()
    for line in lines(timings(), simulate(args.patients)):
        print(line)


if __name__ == "__main__":
    main()
