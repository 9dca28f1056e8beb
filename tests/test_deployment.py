"""The production topology (docker-compose.yml) cannot run here: no Docker engine. These
tests hold it to the compose specification and keep it in step with the settings."""

import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"


def _settings_variables() -> set[str]:
    source = (ROOT / "config" / "settings.py").read_text()
    return set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', source))


def _documented_variables() -> set[str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return {line.split("=", 1)[0] for line in lines if re.match(r"^[A-Z_]+=", line)}


def test_compose_file_follows_the_compose_specification():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            str(COMPOSE),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_runs_the_whole_production_topology():
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    assert {"web", "worker", "beat", "postgres", "redis", "mail"} <= set(services)
    assert "gunicorn" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]


def test_every_variable_compose_sets_is_read_by_the_settings():
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    read = _settings_variables()
    for name in ("web", "worker", "beat"):
        unknown = set(services[name]["environment"]) - read
        assert not unknown, f"{name} sets variables the settings never read: {unknown}"
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"} <= set(services["web"]["environment"])


def test_every_variable_the_settings_read_is_documented():
    missing = _settings_variables() - _documented_variables()
    assert not missing, f"add these to .env.example: {sorted(missing)}"


def test_templates_are_compiled_once_per_process_by_the_cached_loader():
    from django.template import engines
    from django.template.loaders.cached import Loader as CachedLoader

    loaders = engines["django"].engine.template_loaders
    assert len(loaders) == 1 and isinstance(loaders[0], CachedLoader)
