"""Does a page mix languages? The portal's strings, from the French catalogue, decide.

`mixed_text` reads (text, lang) pairs: each visible text node with the `lang` of its
nearest marked ancestor. Registry text (titles, criteria, summaries) is marked
lang="en" and may stay English inside a French page; nothing else may.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from html.parser import HTMLParser

import polib

from config.translations import catalogue_path

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


def mixed_text(nodes: Iterable[tuple[str, str]], language: str) -> list[tuple[str, str]]:
    """The nodes in the wrong language. In French: a portal string left in English, or
    text that reads like English, outside lang="en"; portal French marked lang="en". In
    English: a French translation outside an element marked French."""
    english, french = _catalogue()
    mixed = []
    for raw, lang in nodes:
        text = _normal(raw)
        if len(text) < 2:
            continue
        if language == "fr":
            if lang.startswith("en"):
                if text in french:
                    mixed.append(("portal French marked as English", text))
                continue
            if text in english or _ENGLISH_WORDS.search(text):
                mixed.append(("English in a French page", text))
        elif lang.startswith("en") and text in french and text not in english:
            mixed.append(("French in an English page", text))
    return mixed


class _TextNodes(HTMLParser):
    # <code> holds identifiers (question keys, rules), in no language.
    _SKIP = {"script", "style", "noscript", "template", "title", "head", "code"}
    _VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "col", "area"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.nodes: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self._VOID:
            self.stack.append((tag, dict(attrs).get("lang")))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data: str) -> None:
        if any(tag in self._SKIP for tag, _ in self.stack):
            return
        lang = next((lang for _, lang in reversed(self.stack) if lang), "")
        self.nodes.append((data, lang))


def html_text_nodes(html: str) -> list[tuple[str, str]]:
    """(text, lang) of each text node of a rendered page, as the browser would see it."""
    parser = _TextNodes()
    parser.feed(html)
    return parser.nodes
