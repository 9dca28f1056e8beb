"""Helpers for browser tests: accessibility scans and step screenshots."""

from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.language_check import mixed_text

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
_axe = Axe()


def assert_accessible(page: Page) -> None:
    """Scan the page with axe-core (WCAG 2.0/2.1 A and AA rules); fail on any violation.

    The page is scanned at rest: with reduced motion (Bootstrap then drops its colour
    transitions), so a button just clicked is judged in its final colours, not halfway
    through a 0.15 s fade, which axe would measure as a contrast of 3.4.
    """
    page.emulate_media(reduced_motion="reduce")
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


_TEXT_NODES = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const out = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest('script, style, noscript, template, code')) continue;
    const text = node.textContent.replace(/\\s+/g, ' ').trim();
    if (text.length < 2) continue;
    const marked = parent.closest('[lang]');
    out.push({text: text, lang: marked ? marked.getAttribute('lang') : ''});
  }
  return out;
}"""


def assert_one_language(page: Page, language: str) -> None:
    """No page mixes languages (see tests.language_check.mixed_text)."""
    assert page.locator("html").get_attribute("lang") == language
    mixed = mixed_text(
        [(node["text"], node["lang"]) for node in page.evaluate(_TEXT_NODES)], language
    )
    assert not mixed, mixed


_SMALL_TARGETS = """() => Array.from(document.querySelectorAll(
    'a[href], button, summary, input[type=submit], select, input[type=text], input[type=email]'))
  .filter(el => { const r = el.getBoundingClientRect(); return r.width > 1 && r.height > 1; })
  .filter(el => !el.closest('.visually-hidden-focusable'))
  .map(el => ({tag: el.tagName, text: (el.innerText || el.value || '').trim().slice(0, 60),
               height: el.getBoundingClientRect().height}))
  .filter(t => t.height < 43.5)"""


def assert_targets_big_enough(page: Page) -> None:
    """Every link, button and field is at least 44 px tall (WCAG 2.5.5 target size)."""
    small = page.evaluate(_SMALL_TARGETS)
    assert not small, small


def assert_no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"] if page.viewport_size else width
    assert width <= viewport, f"the page is {width} px wide in a {viewport} px window"
