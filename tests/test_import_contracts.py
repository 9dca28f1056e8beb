"""The module boundaries of DESIGN.md, as import-linter contracts (`.importlinter`).

`make lint` runs `lint-imports` on the code; these tests also show that each contract
breaks on the kind of import it forbids, so that a contract can never pass vacuously.
Each case copies the portal's packages, adds one import, and runs `lint-imports` on the
copy, limited to the contract the import must break.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from screening.services.outbox import NOTIFICATION_SEND_TASK
from screening.tasks import notification_send

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("accounts", "config", "screening", "trials")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(cwd: Path, *contracts: str) -> subprocess.CompletedProcess[str]:
    args = [str(LINT_IMPORTS), "--no-cache", "--no-logo"]
    for contract in contracts:
        args += ["--contract", contract]
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_the_code_keeps_every_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


# (contract id, module file, the line added to it, the import named in the report)
BREAKS = [
    ("engine-pure", "screening/engine/drafter.py", "from django.db import models", "django"),
    ("engine-pure", "screening/engine/units.py", "import trials.models", "trials.models"),
    ("engine-pure", "screening/eligibility.py", "import screening.models", "screening.models"),
    # Indirect: rule_text -> questions -> django.
    ("engine-pure", "screening/rule_text.py", "import screening.questions", "django"),
    (
        "trials-knows-no-applicants",
        "trials/services.py",
        "from screening.services.drafts import trial_criteria_draft",
        "screening.services.drafts",
    ),
    (
        "trials-knows-no-applicants",
        "trials/views.py",
        "from screening.selectors import trial_applied_count",
        "screening.selectors",
    ),
    ("trials-knows-no-applicants", "trials/models.py", "import accounts.access", "accounts"),
    (
        "views-apart",
        "screening/patient/views.py",
        "from screening.dashboard import views",
        "screening.dashboard.views",
    ),
    ("views-apart", "trials/views.py", "import accounts.views", "accounts.views"),
    ("views-apart", "screening/dashboard/contacts.py", "import screening.tasks", "tasks"),
    ("views-apart", "screening/tasks.py", "import screening.patient.views", "patient.views"),
    # A lazy import inside a function counts too (the outbox's old circle).
    (
        "nothing-below-imports-up",
        "screening/services/outbox.py",
        "def _send():\n    from screening.tasks import notification_send",
        "screening.tasks",
    ),
    ("nothing-below-imports-up", "trials/selectors.py", "import trials.views", "trials.views"),
    (
        "screening-layers",
        "screening/selectors.py",
        "from screening.services import workflow",
        "screening.services.workflow",
    ),
    ("screening-layers", "screening/models/criteria.py", "import screening.selectors", "selectors"),
]


@pytest.mark.parametrize(("contract", "module", "line", "named"), BREAKS)
def test_a_forbidden_import_breaks_its_contract(tmp_path, contract, module, line, named):
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "migrations"),
        )
    shutil.copy(ROOT / ".importlinter", tmp_path)
    assert lint_imports(tmp_path, contract).returncode == 0  # the copy is sound

    with (tmp_path / module).open("a", encoding="utf-8") as file:
        file.write(f"\n\n{line}\n")
    result = lint_imports(tmp_path, contract)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 broken" in result.stdout
    assert named in result.stdout


def test_the_outbox_names_the_task_that_sends():
    """The outbox starts `notification_send` by name, not by import: the name must be
    the task's, registered with the Celery app in any process once Django is ready
    (a fresh one here, where nothing imported the tasks module first)."""
    assert notification_send.name == NOTIFICATION_SEND_TASK
    code = (
        "import django; django.setup()\n"
        "from celery import current_app\n"
        "from screening.services.outbox import NOTIFICATION_SEND_TASK\n"
        "print(NOTIFICATION_SEND_TASK in current_app.tasks)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip() == "True", result.stderr
