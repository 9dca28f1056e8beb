"""Helpers for browser tests: accessibility scans and step screenshots."""

from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
_axe = Axe()


def assert_accessible(page: Page) -> None:
    """Scan the page with axe-core (WCAG 2.0/2.1 A and AA rules); fail on any violation."""
    results = _axe.run(
        page,
        options={
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
        },
    )
    violations = results.response["violations"]
    assert not violations, results.generate_report()


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as a test artifact (test-artifacts/<name>.png)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
