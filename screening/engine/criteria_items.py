"""Published eligibility text as a flat list of inclusion and exclusion items.

Pure Python, no Django. ClinicalTrials.gov writes a record's ``eligibilityCriteria`` in
Markdown: headings ("Inclusion Criteria:", "KEY EXCLUSION CRITERIA", "Inclusion:",
"Criteria for inclusion", "* Inclusion Criteria:" as a bullet, "Inclusion Criteria:
adults aged 18 or more" with text on the same line, "Inclusion and Exclusion Criteria"),
bulleted or numbered items ("*", "-", "1.", "1)", "(a)", "ii."), nested items, and
Markdown escapes and HTML entities ("\\>", "&gt;"). Text with no heading at all is read
as inclusion items.

`criteria_items(text) -> list[CriteriaItem]` never raises; text with no items gives [].
`plain_text(markdown) -> str` is one line of Markdown as the characters it stands for,
resolved by markdown-it-py (CommonMark), not by a hand-written list of escapes.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from markdown_it import MarkdownIt

Kind = Literal["inclusion", "exclusion"]


@dataclass(frozen=True)
class CriteriaItem:
    """One published criterion.

    `number` is the published number or letter ("1", "2", "a", "iv"), or the item's
    position among its siblings when it has none; a nested item's number is prefixed by
    its parent's ("3.a", "3.1"). `text` is plain text with escapes and entities resolved.
    `level` is the nesting depth, 0 for a top-level item.
    """

    kind: Kind
    number: str
    text: str
    level: int = 0


_WORDS_BEFORE = (
    r"(?:(?:key|main|major|general|principal|other|additional|specific|study|subject|"
    r"patient|participant)s?\s+)*"
)
_HEADING = re.compile(
    r"^" + _WORDS_BEFORE + r"(?:"
    r"(?P<first>inclusion|exclusion|eligibility)"
    r"(?:\s*(?:and|&|/|or)\s*(?P<second>inclusion|exclusion))?"
    r"(?:\s+criteri(?:a|on|as)\b(?P<tail>[^:\d]{0,50})?)?"
    r"|criteri(?:a|on)\s+(?:for|of)\s+(?P<third>inclusion|exclusion|eligibility)"
    r")\s*(?:[:.\-–—]\s*(?P<rest>.*))?$",
    re.IGNORECASE,
)
_NUMBERED = re.compile(
    r"^(?:\((?P<paren>\d{1,3}|[a-zA-Z]|[ivxIVX]{1,5})\)"
    r"|(?P<plain>\d{1,3}|[a-zA-Z]|[ivxIVX]{1,5})[.)]"
    r"|(?P<dotted>\d{1,2}(?:\.\d{1,2})+)\.?(?=\s+[A-Z]))\s+(?P<text>\S.*)$"
)
_BULLET = re.compile(r"^(?:[*\-•+·◦▪●○–]|o(?=\s+[A-Z]))\s+(?P<text>\S.*)$")
_BARE_MARKER = re.compile(r"^(?:[*\-•+·◦▪●○–]|\d{1,3}[.)])$")
_EMPHASIS_EDGES = re.compile(r"^[*_#\s]+|[*_\s]+$")
_SENTENCE_END = re.compile(r"[.:;!?)]$")


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # Raw HTML is text here: "<5 years" must stay "<5 years", never become a tag.
    return MarkdownIt("commonmark", {"html": False})


def plain_text(markdown: str) -> str:
    """One line of Markdown as plain text: "\\>" is ">", "&gt;" is ">", "\\&gt;" is ">".

    Emphasis marks are dropped, code spans and links keep their text, line breaks become
    spaces. Never raises.
    """
    if not markdown:
        return ""
    try:
        tokens = _markdown().parseInline(markdown)
    except Exception:  # pragma: no cover - markdown-it accepts any text
        return html.unescape(markdown)
    parts: list[str] = []
    for token in tokens:
        for child in token.children or ():
            if child.type in ("text", "text_special", "code_inline", "html_inline"):
                parts.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                parts.append(" ")
            elif child.type == "image":
                parts.append(child.content)
    # An escaped ampersand ("\\&gt;") reaches us as a literal entity: resolve it too.
    return html.unescape("".join(parts)).strip()


def _heading(line: str) -> tuple[Kind | None, str] | None:
    """(kind or None for a mixed or general heading, text after it) if `line` is one."""
    bare = _EMPHASIS_EDGES.sub("", line)
    bullet = _BULLET.match(bare)
    if bullet:
        bare = _EMPHASIS_EDGES.sub("", bullet.group("text"))
    match = _HEADING.match(bare)
    if match is None:
        return None
    first = (match.group("first") or match.group("third") or "").lower()
    second = (match.group("second") or "").lower()
    rest = (match.group("rest") or "").strip()
    has_criteria_word = "criteri" in bare.lower()
    ends_heading = bool(re.search(r"[:]\s*$", bare)) or rest != "" or bare == match.group(0)
    if not has_criteria_word and not re.search(r":", bare) and len(bare.split()) > 1:
        return None  # "Inclusion in another study" is a sentence, not a heading
    if not ends_heading:
        return None
    if rest and not re.search(r":", bare) and not has_criteria_word:
        return None
    kind: Kind | None
    if second and second != first:
        kind = None
    elif first == "exclusion":
        kind = "exclusion"
    elif first == "inclusion":
        kind = "inclusion"
    else:
        kind = None  # "Eligibility criteria:" says nothing about the side
    rest = _EMPHASIS_EDGES.sub("", rest)
    return kind, rest


@dataclass
class _Open:
    indent: int
    number: str
    children: int = 0


def criteria_items(eligibility_criteria: str) -> list[CriteriaItem]:
    """Split ClinicalTrials.gov eligibility text into inclusion and exclusion items.

    Items before any heading, or under a mixed heading ("Inclusion and Exclusion
    Criteria"), are inclusion items. An unmarked line that continues an unfinished
    sentence is joined to the item before it; any other unmarked line is an item of its
    own. Never raises.
    """
    items: list[CriteriaItem] = []
    kind: Kind = "inclusion"
    stack: list[_Open] = []
    top_count = 0
    texts: list[str] = []  # raw text of each item, for continuation lines
    previous_blank = True

    def add(text: str, marker: str, indent: int) -> None:
        nonlocal top_count
        while stack and stack[-1].indent >= indent:
            stack.pop()
        if stack:
            parent = stack[-1]
            parent.children += 1
            number = f"{parent.number}.{marker or parent.children}"
        else:
            top_count += 1
            number = marker or str(top_count)
        level = len(stack)
        stack.append(_Open(indent=indent, number=number))
        texts.append(text)
        items.append(CriteriaItem(kind=kind, number=number, text=plain_text(text), level=level))

    for raw in (eligibility_criteria or "").splitlines():
        line = raw.rstrip()
        if not line.strip():
            previous_blank = True
            continue
        indent = len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())
        stripped = line.strip()
        was_blank, previous_blank = previous_blank, False

        heading = _heading(stripped)
        if heading is not None:
            new_kind, rest = heading
            kind = new_kind or "inclusion"
            stack.clear()
            top_count = 0
            if rest:
                add(rest, "", 0)
            continue
        if _BARE_MARKER.match(stripped):
            continue

        bullet = _BULLET.match(stripped)
        numbered = None if bullet else _NUMBERED.match(stripped)
        if bullet:
            add(bullet.group("text"), "", indent)
            continue
        if numbered:
            marker = numbered.group("paren") or numbered.group("plain") or numbered.group("dotted")
            add(numbered.group("text"), marker or "", indent)
            continue

        # An unmarked line: the rest of an unfinished sentence, or an item of its own.
        if (
            items
            and not was_blank
            and not _SENTENCE_END.search(texts[-1])
            and (stripped[0].islower() or indent > stack[-1].indent if stack else False)
        ):
            texts[-1] = f"{texts[-1]} {stripped}"
            last = items[-1]
            items[-1] = CriteriaItem(
                kind=last.kind, number=last.number, text=plain_text(texts[-1]), level=last.level
            )
            continue
        add(stripped, "", indent if stack and indent > stack[-1].indent else 0)

    return [item for item in items if item.text]
