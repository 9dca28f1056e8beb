"""Split a trial's published eligibility text into inclusion and exclusion items.

Pure Python, no Django. ClinicalTrials.gov stores the criteria as lightly marked-down
text: headings ("Inclusion Criteria:", "Key Exclusion Criteria:"), numbered ("1.") or
bulleted ("*", "-") items, indented sub-items, unmarked sub-lines, group labels ("For
parent participants:") and markdown escapes (`\\>` for ">"). The words are shown as
published; only the layout is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_HEADING = re.compile(
    r"^(?:key\s+|main\s+)?(?P<kind>inclusion|exclusion|eligibility)\s+criteria\b[^:]*:?\s*$",
    re.IGNORECASE,
)
_NUMBERED = re.compile(r"^(?P<number>\d{1,3})[.)]\s+(?P<text>.*)$")
_BULLET = re.compile(r"^[*\-•]\s+(?P<text>.*)$")
# Markdown escapes a backslash before punctuation: "\>" is ">", "\\" is "\".
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|~=])")


@dataclass
class Item:
    """One criterion as published: its number ("" for a bullet), text and sub-lines."""

    number: str
    text: str
    children: list[Item] = field(default_factory=list)
    # The label of the group the item sits under ("For parent participants:"), if any.
    group: str = ""
    indent: int = 0


@dataclass
class Section:
    items: list[Item] = field(default_factory=list)
    # Paragraphs that belong to no item (e.g. "not all criteria are listed").
    notes: list[str] = field(default_factory=list)


@dataclass
class Criteria:
    inclusion: Section = field(default_factory=Section)
    exclusion: Section = field(default_factory=Section)
    # Text before any heading: items of a record that never says which kind they are.
    unlabelled: Section = field(default_factory=Section)


def unescape(text: str) -> str:
    return _ESCAPE.sub(r"\1", text)


def parse_criteria(text: str) -> Criteria:
    criteria = Criteria()
    section = criteria.unlabelled
    group = ""
    stack: list[Item] = []  # the open item at each depth, outermost first
    after_blank = False

    for raw_line in (text or "").splitlines():
        if not raw_line.strip():
            after_blank = True
            continue
        indent = len(raw_line) - len(raw_line.lstrip())
        line = unescape(raw_line.strip())
        blank_before, after_blank = after_blank, False

        heading = _HEADING.match(line)
        if heading and indent == 0:
            kind = heading.group("kind").lower()
            section = criteria.exclusion if kind == "exclusion" else criteria.inclusion
            group, stack = "", []
            continue

        marker = _NUMBERED.match(line) or _BULLET.match(line)
        if marker:
            text_ = marker.group("text").strip()
            number = marker.groupdict().get("number") or ""
            if not text_:
                continue  # a stray marker with nothing after it
            item = Item(number=number, text=text_, group=group, indent=indent)
            while stack and stack[-1].indent >= indent:
                stack.pop()
            if stack:
                stack[-1].children.append(item)
            else:
                section.items.append(item)
            stack.append(item)
            continue

        if line in {"-", "*", "•"}:
            continue
        if indent == 0 and blank_before and line.endswith(":"):
            # "For adolescent participants:" heads the items that follow.
            group, stack = line, []
            continue
        if indent == 0 and (blank_before or not stack):
            section.notes.append(line)
            stack = []
            continue
        # An unmarked line inside an item ("i) disease duration of ...", a definition):
        # a sub-line of the innermost open item.
        stack[-1].children.append(Item(number="", text=line, indent=indent + 1))

    return criteria
