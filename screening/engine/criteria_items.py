"""Published eligibility text as a flat list of inclusion and exclusion items.

Pure Python, no Django. ClinicalTrials.gov writes a record's ``eligibilityCriteria`` in
Markdown: headings ("Inclusion Criteria:", "KEY EXCLUSION CRITERIA", "Inclusion:",
"Criteria for inclusion", "* Inclusion Criteria:" as a bullet, "Inclusion Criteria:
adults aged 18 or more" with text on the same line, "Inclusion and Exclusion Criteria"),
bulleted or numbered items ("*", "-", "1.", "1)", "(a)", "ii."), nested items, and
Markdown escapes and HTML entities ("\\>", "&gt;"). Text with no heading at all is read
as inclusion items.

`parse_criteria(text) -> Criteria` keeps the published layout (sections, nested items,
group labels such as "For parent participants:", notes); the trial page shows it.
`criteria_items(text) -> list[CriteriaItem]` flattens it into the items a rule is drafted
for. `plain_text(markdown) -> str` is one line of Markdown as the characters it stands
for, resolved by markdown-it-py (CommonMark), not by a hand-written list of escapes.
None of them raises; text with no items gives none.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import nh3
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
    # The text of the items a nested item sits under, outermost first, and the label of
    # its group ("For parent participants:"): whether it stands alone, or is one of
    # "any of the following", or is negated by its parent, is read from it.
    lead: str = field(default="", compare=False)


_WORDS_BEFORE = (
    r"(?:(?:key|main|major|general|principal|other|additional|specific|study|subject|"
    r"patient|participant)s?\s+)*"
)
_HEADING = re.compile(
    r"^" + _WORDS_BEFORE + r"(?:"
    r"(?P<first>inclusion|exclusion|eligibility)"
    r"(?:\s*(?:and|&|/|or)\s*(?P<second>inclusion|exclusion))?"
    r"(?:\s+criteri(?:a|on|as)\b(?P<tail>[^:\d]{0,50})?(?:\([^()]{0,40}\))?)?"
    r"|criteri(?:a|on)\s+(?:for|of)\s+(?P<third>inclusion|exclusion|eligibility)"
    r")\s*(?:[:.\-–—]\s*(?P<rest>.*))?$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^(?:[*\-•+·◦▪●○–]|o(?=\s+[A-Z]))\s+(?P<text>\S.*)$")
_EMPHASIS_EDGES = re.compile(r"^[*_#\s]+|[*_\s]+$")


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
        tokens = _markdown().parseInline(_ESCAPED_ENTITY.sub("&", markdown))
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
    return "".join(parts).strip()


# "Primary Study Exclusion Criteria:", "Part 1 additional inclusion criteria:",
# "Substudy Inclusion Criteria:": a heading with words of its own before it.
_QUALIFIED_HEADING = re.compile(
    r"^(?P<qualifier>(?:[\w()&/,'.-]+\s+){1,5}?)(?P<kind>inclusion|exclusion)\s+criteri(?:a|on)\b"
    r"(?P<tail>[^:]{0,40}):?\s*$",
    re.IGNORECASE,
)
# Qualifiers that make a section a subgroup's: its items hold only for that subgroup.
_SUBGROUP_QUALIFIER = re.compile(
    r"\b(?:sub-?stud\w*|part|cohorts?|arms?|groups?|phase|stage|extension|expansion|"
    r"escalation|healthy|controls?|partners?|parents?|caregivers?|donors?|for)\b",
    re.IGNORECASE,
)


def _qualified_heading(line: str) -> tuple[Kind, str] | None:
    """(kind, qualifier) for a heading with words before it, or None."""
    bare = _EMPHASIS_EDGES.sub("", line)
    match = _QUALIFIED_HEADING.match(bare)
    if match is None:
        return None
    kind: Kind = "exclusion" if match.group("kind").lower() == "exclusion" else "inclusion"
    return kind, bare.rstrip(":").strip()


def _heading(line: str) -> tuple[Kind | None, str] | None:
    """(kind or None for a mixed or general heading, text after it) if `line` is one."""
    bare = _EMPHASIS_EDGES.sub("", line)
    bullet = _BULLET.match(bare)
    if bullet:
        bare = _EMPHASIS_EDGES.sub("", bullet.group("text"))
    match = _HEADING.match(bare)
    if match is None:
        qualified = _qualified_heading(bare)
        return (qualified[0], "") if qualified is not None else None
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
        # "Eligibility criteria:" heads the list of who may join: inclusion items, until
        # an exclusion heading says otherwise.
        kind = "inclusion"
    rest = _EMPHASIS_EDGES.sub("", rest)
    return kind, rest


_NUMBERED_ITEM = re.compile(r"^(?P<number>\d{1,3})[.)]\s+(?P<text>.*)$")
_BULLET_ITEM = re.compile(r"^[*\-•+·◦▪●○]\s+(?P<text>.*)$")


# Registry text often escapes the ampersand of an entity ("\\&gt;" for ">"): the entity
# is what the author meant, so it is read as one.
_ESCAPED_ENTITY = re.compile(r"\\&(?=#?[0-9A-Za-z]{2,31};)")
_ALLOWED_TAGS = {"em", "strong", "code", "sub", "sup", "br"}


@lru_cache(maxsize=8192)
def markdown_html(markdown: str) -> str:
    """One line of published Markdown as sanitised HTML (emphasis, code, sub/superscript).

    markdown-it-py renders it (raw HTML in the source stays text) and nh3 keeps only the
    tags above, with no attributes: safe to mark safe in a template. Kept by its text
    (registry text, the same for every reader): rendering was about a sixth of a trial
    page's time, one call per criterion (measured in-process).
    """
    if not markdown:
        return ""
    rendered = _markdown().renderInline(_ESCAPED_ENTITY.sub("&", markdown))
    return str(nh3.clean(rendered, tags=_ALLOWED_TAGS, attributes={}))


def unescape(text: str) -> str:
    """A line of published Markdown as plain text (see `plain_text`); spaces kept."""
    stripped = text.strip()
    if not stripped:
        return text
    return plain_text(stripped)


@dataclass
class Item:
    """One criterion as published: its number ("" for a bullet), text and sub-lines."""

    number: str
    text: str
    children: list[Item] = field(default_factory=list)
    # The item's text as published, Markdown and all (for `markdown_html`).
    markdown: str = ""
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
    # Text before any heading, or under a heading that names both sides ("Inclusion and
    # Exclusion Criteria"): items of a record that never says which kind they are.
    unlabelled: Section = field(default_factory=Section)


def parse_criteria(text: str) -> Criteria:
    """The published criteria with their layout: sections, nested items, groups, notes."""
    criteria = Criteria()
    section = criteria.unlabelled
    group = ""
    stack: list[Item] = []  # the open item at each depth, outermost first
    after_blank = False
    lines = (text or "").splitlines()
    # Kinds that have a heading at the margin: an indented copy of one of those is a
    # stray; an indented heading that is the only one of its kind is the heading.
    margin_kinds = {
        heading[0]
        for line in lines
        if line[:1].strip() and (heading := _heading(line.strip())) is not None
    }

    for raw_line in _split_trailing_headings(lines):
        if not raw_line.strip():
            after_blank = True
            continue
        indent = len(raw_line) - len(raw_line.lstrip())
        blank_before, after_blank = after_blank, False

        heading = _heading(raw_line.strip())
        if heading is not None and indent > 1 and heading[0] in margin_kinds:
            # A heading indented inside a list is a stray copy (one record has
            # "Exclusion Criteria:" inside an inclusion item): neither heading nor item.
            if not heading[1]:
                continue
            heading = None
        if heading is not None:
            kind, rest = heading
            section = {
                "inclusion": criteria.inclusion,
                "exclusion": criteria.exclusion,
                None: criteria.unlabelled,
            }[kind]
            group, stack = "", []
            qualified = _qualified_heading(raw_line.strip())
            if qualified is not None and _SUBGROUP_QUALIFIER.search(qualified[1]):
                # "Substudy Inclusion Criteria:": the items under it hold for a subgroup.
                group = qualified[1] + ":"
            if rest:
                item = Item(number="", text=plain_text(rest), indent=indent, markdown=rest)
                section.items.append(item)
                stack.append(item)
            continue
        line = unescape(raw_line.strip())

        marker = _NUMBERED_ITEM.match(line) or _BULLET_ITEM.match(line)
        if marker:
            text_ = marker.group("text").strip()
            number = marker.groupdict().get("number") or ""
            if not text_:
                continue  # a stray marker with nothing after it
            raw_marker = _NUMBERED_ITEM.match(raw_line.strip()) or _BULLET_ITEM.match(
                raw_line.strip()
            )
            markdown = raw_marker.group("text").strip() if raw_marker else text_
            item = Item(number=number, text=text_, group=group, indent=indent, markdown=markdown)
            while stack and stack[-1].indent >= indent:
                stack.pop()
            if stack:
                stack[-1].children.append(item)
            else:
                section.items.append(item)
            stack.append(item)
            continue

        if line in {"-", "*", "•"} or not line:
            continue
        if indent == 0 and blank_before and line.endswith(":"):
            # "For adolescent participants:" heads the items that follow.
            group, stack = line, []
            continue
        if not stack or (indent == 0 and blank_before):
            section.notes.append(line)
            stack = []
            continue
        # An unmarked line inside an item ("i) disease duration of ...", a definition):
        # a sub-line of the innermost open item.
        stack[-1].children.append(
            Item(number="", text=line, indent=indent + 1, markdown=raw_line.strip())
        )

    return criteria


# "* At least 4 weeks since prior therapy. Exclusion Criteria": a heading run onto the
# end of an item's line.
_TRAILING_HEADING = re.compile(
    r"^(?P<item>.*\S[.;])\s+(?P<heading>(?:key\s+)?(?:inclusion|exclusion)\s+criteria\s*:?)\s*$",
    re.IGNORECASE,
)


def _split_trailing_headings(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        match = _TRAILING_HEADING.match(line)
        if match is not None and _heading(match.group("heading")) is not None:
            out.extend((match.group("item"), "", match.group("heading")))
        else:
            out.append(line)
    return out


_SUB_MARKER = re.compile(r"^\(?(?P<number>[a-z]|[ivx]{1,5}|\d{1,2})[.)]\s+(?P<text>\S.*)$")


def criteria_items(eligibility_criteria: str) -> list[CriteriaItem]:
    """The published criteria as a flat list of items, in reading order.

    Items under no heading, or under one that names both sides, are inclusion items. A
    section with no marked items (plain lines, as some records and Chia have) gives one
    item a paragraph; otherwise its unmarked paragraphs are notes ("not all criteria are
    listed") and give none. Never raises.
    """
    criteria = parse_criteria(eligibility_criteria)
    items: list[CriteriaItem] = []
    sides: tuple[tuple[Kind, Section], ...] = (
        ("inclusion", criteria.unlabelled),
        ("inclusion", criteria.inclusion),
        ("exclusion", criteria.exclusion),
    )
    for kind, section in sides:
        if section.items:
            _flatten(kind, section.items, "", 0, items, "")
        else:
            for position, note in enumerate(section.notes, start=1):
                items.append(CriteriaItem(kind=kind, number=str(position), text=note))
    return items


def _flatten(
    kind: Kind,
    siblings: list[Item],
    prefix: str,
    level: int,
    out: list[CriteriaItem],
    lead: str,
) -> None:
    for position, item in enumerate(siblings, start=1):
        item_lead = " | ".join(part for part in (item.group, lead) if part)
        text = item.text
        number = item.number
        if not number:
            sub = _SUB_MARKER.match(text) if level else None
            if sub is not None:
                number, text = sub.group("number"), sub.group("text")
            else:
                number = str(position)
        full = f"{prefix}.{number}" if prefix else number
        if text.strip():
            out.append(
                CriteriaItem(kind=kind, number=full, text=text.strip(), level=level, lead=item_lead)
            )
        child_lead = " | ".join(part for part in (item_lead, text.strip()) if part)
        _flatten(kind, item.children, full, level + 1, out, child_lead)
