"""The drafter's evaluation on the Chia DEV split (`make draft-eval`).

    python scripts/draft_eval.py [--min-precision P] [--min-recall R]

Drafts every trial of data/chia/criteria.jsonl with `manage.py draft_criteria --facts`,
scores the facts with data/chia/score.py (the scoring rule of data/chia/README.md),
prints the per-key table, the drafting speed and the coverage of the demo catalogue
(data/ctgov: the share of criteria with a draft, and of trials with at least one), and
exits 1 when overall precision or recall is below the minimum given (CI keeps the
figures from going down).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHIA = ROOT / "data" / "chia"


def demo_coverage() -> str:
    """Drafts on the demo catalogue's published criteria, in one line."""
    sys.path.insert(0, str(ROOT))
    from screening.engine.criteria_items import criteria_items
    from screening.engine.drafter import draft_criterion

    items = drafted = trials = trials_drafted = 0
    for path in sorted((ROOT / "data" / "ctgov").glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        module = record.get("protocolSection", {}).get("eligibilityModule", {})
        found = [
            draft_criterion(item.text, item.kind, item.lead)
            for item in criteria_items(module.get("eligibilityCriteria", ""))
        ]
        trials += 1
        items += len(found)
        drafted += sum(draft is not None for draft in found)
        trials_drafted += any(draft is not None for draft in found)
    return (
        f"Demo catalogue (data/ctgov): {drafted} of {items} criteria drafted "
        f"({drafted / max(items, 1):.0%}); {trials_drafted} of {trials} trials have a draft"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-precision", type=float, default=0.0)
    parser.add_argument("--min-recall", type=float, default=0.0)
    args = parser.parse_args()
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "1")}
    with tempfile.TemporaryDirectory() as folder:
        predictions = Path(folder) / "predictions.jsonl"
        with predictions.open("w", encoding="utf-8") as out:
            drafted = subprocess.run(  # noqa: S603 - a fixed command line
                [
                    sys.executable,
                    "manage.py",
                    "draft_criteria",
                    str(CHIA / "criteria.jsonl"),
                    "--facts",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.PIPE,
                text=True,
                check=False,
            )
        if drafted.returncode != 0:
            sys.stderr.write(drafted.stderr)
            return drafted.returncode
        score = [sys.executable, str(CHIA / "score.py"), str(predictions), "--gold", str(CHIA)]
        subprocess.run(score, check=True)  # noqa: S603 - a fixed command line
        figures = json.loads(
            subprocess.run(  # noqa: S603 - a fixed command line
                [*score, "--json"], check=True, capture_output=True, text=True
            ).stdout
        )
    speed = [line for line in drafted.stderr.splitlines() if "trials/s" in line]
    print("\n".join(speed))
    print(demo_coverage())
    overall = figures["overall"]
    precision, recall = overall["precision"], overall["recall"]
    print(
        f"DEV overall: precision {precision:.4f} (minimum {args.min_precision}), "
        f"recall {recall:.4f} (minimum {args.min_recall})"
    )
    if precision < args.min_precision or recall < args.min_recall:
        print("The drafter's figures dropped below the minimum.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
