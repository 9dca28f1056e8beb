"""Rules as text a coordinator can read and write, and back again.

A rule (see `screening.eligibility`) is JSON; an editor would rather write::

    mrss > 20 and (esr_mm_h > 25 or hemoglobin_g_dl < 11)
    not pregnant
    gfr_ml_min between 30 and 89
    sex in (female, other)

The language, loosest binding first: ``or``, ``and``, ``not``, then one comparison::

    key = value    key != value    key < value   <=   >   >=
    key between low and high       key in (value, value, ...)
    key                            (the same as ``key = yes``)

Values are numbers (``18``, ``2.5``, ``-1``), ``yes``/``no``/``true``/``false``, words
(``female``: a choice) and quoted strings (``"2020-01-31"``). Keywords are not case
sensitive; keys are.

Pure Python, like the engine: no Django, so messages are plain English for the editor
(the form around it adds the translated frame). Whether a key names a question and a
value suits it is `screening.rules.rule_validate`'s job, after parsing.

`rule_from_text(rule_to_text(rule))` gives back `rule` up to `rule_normalize`, which only
unwraps an ``all``/``any`` of one part (text cannot tell it from the part itself).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

_TEXT_OPS = {"=": "eq", "==": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}
_OP_TEXT = {"eq": "=", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
_BOOLEANS = {"yes": True, "true": True, "no": False, "false": False}
KEYWORDS = frozenset({"and", "or", "not", "between", "in", *_BOOLEANS})

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?)
  | (?P<string>"(?:[^"\\\n]|\\.)*"|'[^'\n]*')
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op><=|>=|!=|==|=|<|>)
  | (?P<punct>[(),])
    """,
    re.VERBOSE,
)


class RuleSyntaxError(ValueError):
    """The text is not a rule; `position` is the 0-based offset where reading stopped."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at character {position + 1})")
        self.message = message
        self.position = position


@dataclass(frozen=True)
class _Token:
    kind: str  # number | string | word | keyword | op | punct | end
    text: str
    position: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise RuleSyntaxError(f"Unexpected character {text[position]!r}", position)
        kind = match.lastgroup or ""
        if kind != "space":
            word = match.group()
            if kind == "word" and word.lower() in KEYWORDS:
                kind = "keyword"
            tokens.append(_Token(kind, word, position))
        position = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


def _describe(token: _Token) -> str:
    return "the end of the rule" if token.kind == "end" else repr(token.text)


# How deeply `not` and parentheses may nest: the parser is recursive, and no criterion
# needs more (screening.rules.RULE_MAX_DEPTH bounds stored rules the same way).
MAX_NESTING = 32


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.index = 0
        self.depth = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.index]

    def _advance(self) -> _Token:
        token = self.token
        self.index += 1
        return token

    def _keyword(self, word: str) -> bool:
        if self.token.kind == "keyword" and self.token.text.lower() == word:
            self.index += 1
            return True
        return False

    def _punct(self, mark: str) -> bool:
        if self.token.kind == "punct" and self.token.text == mark:
            self.index += 1
            return True
        return False

    def _fail(self, expected: str) -> RuleSyntaxError:
        return RuleSyntaxError(
            f"Expected {expected}, found {_describe(self.token)}", self.token.position
        )

    def parse(self) -> dict[str, Any]:
        if self.token.kind == "end":
            raise RuleSyntaxError("The rule is empty", 0)
        rule = self._or()
        if self.token.kind != "end":
            raise self._fail("'and', 'or' or the end of the rule")
        return rule

    def _or(self) -> dict[str, Any]:
        parts = [self._and()]
        while self._keyword("or"):
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else {"any": parts}

    def _and(self) -> dict[str, Any]:
        parts = [self._not()]
        while self._keyword("and"):
            parts.append(self._not())
        return parts[0] if len(parts) == 1 else {"all": parts}

    def _not(self) -> dict[str, Any]:
        token = self.token
        if self._keyword("not"):
            with self._nested(token):
                return {"not": self._not()}
        if self._punct("("):
            with self._nested(token):
                rule = self._or()
            if not self._punct(")"):
                raise self._fail("')' to close the '('")
            return rule
        return self._comparison()

    @contextmanager
    def _nested(self, token: _Token) -> Iterator[None]:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise RuleSyntaxError(
                f"The rule nests 'not' and parentheses more than {MAX_NESTING} deep",
                token.position,
            )
        try:
            yield
        finally:
            self.depth -= 1

    def _comparison(self) -> dict[str, Any]:
        if self.token.kind != "word":
            raise self._fail("a question key such as mrss")
        key = self._advance().text
        if self.token.kind == "op":
            op = _TEXT_OPS[self._advance().text]
            return {"q": key, "op": op, "value": self._value()}
        if self._keyword("between"):
            low = self._value()
            if not self._keyword("and"):
                raise self._fail("'and' between the two bounds")
            return {"q": key, "op": "between", "value": [low, self._value()]}
        if self._keyword("in"):
            if not self._punct("("):
                raise self._fail("'(' to open the list of values")
            values = []
            if not self._punct(")"):
                values.append(self._value())
                while self._punct(","):
                    values.append(self._value())
                if not self._punct(")"):
                    raise self._fail("',' or ')' in the list of values")
            return {"q": key, "op": "in", "value": values}
        # A key on its own is a yes/no question asked to be "yes": `not pregnant`.
        return {"q": key, "op": "eq", "value": True}

    def _value(self) -> Any:
        token = self.token
        if token.kind == "number":
            self.index += 1
            if re.fullmatch(r"-?\d+", token.text):
                if len(token.text) > 18:
                    raise RuleSyntaxError(
                        f"{token.text[:20]}… is too large a number", token.position
                    )
                return int(token.text)
            number = float(token.text)
            if not math.isfinite(number):
                raise RuleSyntaxError(f"{token.text} is too large a number", token.position)
            return number
        if token.kind == "string":
            self.index += 1
            if token.text.startswith("'"):
                return token.text[1:-1]
            try:
                return json.loads(token.text)
            except ValueError as error:
                raise RuleSyntaxError("This quoted text is not well formed", token.position) from (
                    error
                )
        if token.kind == "keyword" and token.text.lower() in _BOOLEANS:
            self.index += 1
            return _BOOLEANS[token.text.lower()]
        if token.kind == "word":
            self.index += 1
            return token.text
        raise self._fail("a value (a number, yes, no, a word or a quoted text)")


def rule_from_text(text: str) -> dict[str, Any]:
    """Parse a rule written as text; raise `RuleSyntaxError` with the position and why."""
    return _Parser(text).parse()


def rule_normalize(rule: Any) -> Any:
    """The rule with every ``all``/``any`` of a single part replaced by that part."""
    if not isinstance(rule, dict):
        return rule
    for group in ("all", "any"):
        if group in rule and isinstance(rule[group], list):
            parts = [rule_normalize(part) for part in rule[group]]
            return parts[0] if len(parts) == 1 else {group: parts}
    if "not" in rule:
        return {"not": rule_normalize(rule["not"])}
    return rule


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} cannot be written in a rule")
        return repr(value)
    if isinstance(value, str):
        if _IDENTIFIER.fullmatch(value) and value.lower() not in KEYWORDS:
            return value
        return json.dumps(value, ensure_ascii=False)
    raise ValueError(f"{value!r} cannot be written as a value in a rule")


def _text(rule: Any, *, nested: bool) -> str:
    if not isinstance(rule, dict):
        raise ValueError(f"{rule!r} is not a rule")
    for group, joiner in (("all", " and "), ("any", " or ")):
        if group in rule:
            parts = rule[group]
            if not isinstance(parts, list) or not parts:
                raise ValueError(f"{group!r} needs a non-empty list of rules")
            if len(parts) == 1:
                return _text(parts[0], nested=nested)
            text = joiner.join(_text(part, nested=True) for part in parts)
            return f"({text})" if nested else text
    if "not" in rule:
        return "not " + _text(rule["not"], nested=True)
    key, op, value = rule.get("q"), rule.get("op"), rule.get("value")
    if not isinstance(key, str) or not _IDENTIFIER.fullmatch(key) or key.lower() in KEYWORDS:
        raise ValueError(f"{key!r} cannot be written as a question key")
    if op in _OP_TEXT:
        return f"{key} {_OP_TEXT[op]} {_value_text(value)}"
    if op == "between":
        if not (isinstance(value, list) and len(value) == 2):
            raise ValueError("'between' needs [low, high]")
        return f"{key} between {_value_text(value[0])} and {_value_text(value[1])}"
    if op == "in":
        if not isinstance(value, list):
            raise ValueError("'in' needs a list of values")
        return f"{key} in ({', '.join(_value_text(item) for item in value)})"
    raise ValueError(f"unknown operator {op!r}")


def rule_to_text(rule: Any) -> str:
    """Write a rule as text; raise ValueError for one that text cannot express
    (a key that is not a plain word, a value that is a list or null, an empty group)."""
    return _text(rule, nested=False)
