"""`manage.py check --deploy` is clean for the documented production environment
(.env.example) and for docker-compose.yml's defaults, and no production setting lacks
its variable."""

import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def env_example() -> dict[str, str]:
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if re.match(r"^[A-Z_]+=", line):
            name, value = line.split("=", 1)
            values[name] = value
    return values


def compose_defaults() -> dict[str, str]:
    """The web service's environment with every ${VAR:-default} at its default."""
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    resolved = {}
    for name, value in services["web"]["environment"].items():
        value = re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(value))
        value = re.sub(r"\$\{[A-Z_]+:\?[^}]*\}", "", value)
        resolved[name] = value
    return resolved


def check_deploy(environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        **{k: v for k, v in environment.items() if v != ""},
        # The one value no example may hold: a strong random key (check W009).
        "SECRET_KEY": secrets.token_urlsafe(50),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    "source", [env_example, compose_defaults], ids=[".env.example", "docker-compose"]
)
def test_check_deploy_is_clean(source):
    result = check_deploy(source())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr


def test_the_check_would_catch_a_weakened_environment():
    weakened = {**env_example(), "SECURE_HSTS_PRELOAD": "0", "SECURE_SSL_REDIRECT": "0"}
    result = check_deploy(weakened)
    assert result.returncode != 0
    assert "security.W008" in result.stderr + result.stdout
    assert "security.W021" in result.stderr + result.stdout


def test_every_security_setting_has_its_variable():
    source = (ROOT / "config" / "settings.py").read_text()
    for setting in (
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "TRUSTED_PROXY_COUNT",
        "EMAIL_TIMEOUT",
    ):
        assert re.search(rf'{setting} = env\.\w+\("{setting}"', source), setting
