"""Helpers for browser tests: accessibility scans and step screenshots."""

import re
from functools import lru_cache
from pathlib import Path

import polib
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from config.translations import catalogue_path

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


# --- Language: which portal strings exist in which language (from the catalogue). ---

_ENGLISH_WORDS = re.compile(r"\b(the|your|you|with|this|that|and|of|is|are|not|will)\b", re.I)


def _normal(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


@lru_cache(maxsize=1)
def _catalogue() -> tuple[frozenset[str], frozenset[str]]:
    """(English msgids, French msgstrs) of every entry whose two languages differ."""
    po = polib.pofile(str(catalogue_path("fr")))
    english, french = set(), set()
    for entry in po.translated_entries():
        pairs = (
            [(entry.msgid, entry.msgstr)]
            if not entry.msgid_plural
            else [
                (entry.msgid, entry.msgstr_plural[0]),
                (entry.msgid_plural, entry.msgstr_plural[1]),
            ]
        )
        for source, target in pairs:
            source, target = _normal(source), _normal(target)
            if source != target and "%" not in source:
                english.add(source)
                french.add(target)
    return frozenset(english), frozenset(french)


_TEXT_NODES = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const out = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest('script, style, noscript, template')) continue;
    const text = node.textContent.replace(/\\s+/g, ' ').trim();
    if (text.length < 2) continue;
    const marked = parent.closest('[lang]');
    out.push({text: text, lang: marked ? marked.getAttribute('lang') : ''});
  }
  return out;
}"""


def assert_one_language(page: Page, language: str) -> None:
    """No page mixes languages: every text node outside registry text (marked lang="en")
    is in `language`. In French, no node is a portal string left in English, or reads
    like English; in English, no node is one of the French translations."""
    english, french = _catalogue()
    assert page.locator("html").get_attribute("lang") == language
    mixed = []
    for node in page.evaluate(_TEXT_NODES):
        text, lang = _normal(node["text"]), node["lang"]
        if language == "fr":
            if lang.startswith("en"):
                if text in french:
                    mixed.append(("portal French marked as English", text))
                continue
            if text in english or _ENGLISH_WORDS.search(text):
                mixed.append(("English in a French page", text))
        elif lang.startswith("en") and text in french and text not in english:
            mixed.append(("French in an English page", text))
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
