"""Reading a number a patient typed: the one parser of every patient number field.

Pure Python, no Django. `number_read()` turns the text of one field into a `Decimal`, or
says why it cannot, or gives the two numbers it could mean so that the patient chooses.

What is read (the page's language decides only between two readings of one text):

* digits with one decimal mark, "." or ",": "12.5", "12,5", ".5";
* thousands grouped by "," or "." in threes, before a decimal mark of the other kind:
  "1,150.5" and "1.150,5"; or alone, several times: "1,150,000";
* thousands grouped by a space, a no-break space (U+00A0), a narrow no-break space
  (U+202F) or a thin space (U+2009), as ISO 80000-1 and French typography write them
  ("1 150", "1 150,5"), or by an apostrophe as in Switzerland ("1'150");
* a leading "+" or "-" (or the minus sign U+2212).

Refused: digits split by spaces that are not groups of three ("5 4", "11 50"), letters,
exponents, several decimal marks, a group of two or four digits ("1,15,0").

One text, two readings: "1,150" and "1.150" are 1150 with a thousands separator or
1.15 with a decimal mark. Readings that the question's range or whole-number type rule
out are dropped; if both still fit, the page's language decides where its usage is
settled (English: "," groups thousands, "." is the decimal mark; French: "," is the
decimal mark, per the Imprimerie nationale's Lexique des règles typographiques); else
(French "1.150", or any other language) the patient is asked which they meant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

# Problems, as codes: the form turns them into sentences that name the question.
EMPTY = "empty"
NOT_A_NUMBER = "not_a_number"
SPACED_DIGITS = "spaced_digits"
NOT_WHOLE = "not_whole"
OUT_OF_RANGE = "out_of_range"

SPACES = " \u00a0\u202f\u2009"
APOSTROPHES = "'\u2019"
_MINUS = "-\u2212"
_BODY = re.compile(rf"^[0-9.,{SPACES}{APOSTROPHES}]+$")
_GROUPED = re.compile(r"^[1-9][0-9]{0,2}(?:X[0-9]{3})+$")  # X stands for the separator


@dataclass(frozen=True)
class Reading:
    """One way of reading a text: its value, and the decimal mark / separator it took."""

    value: Decimal
    mark: str = ""  # the one mark ("," or ".") whose meaning was chosen, if any
    thousands: bool = False  # True when `mark` was read as a thousands separator


@dataclass(frozen=True)
class NumberRead:
    """The outcome of reading one field.

    Exactly one of: `value` (read), `choices` (two values both fit: ask the patient),
    `problem` (a code above). `nearest` is the value read before the range check, for
    messages and unit hints when the problem is OUT_OF_RANGE or NOT_WHOLE.
    """

    value: Decimal | None = None
    choices: tuple[Decimal, ...] = ()
    problem: str = ""
    nearest: Decimal | None = None
    readings: tuple[Reading, ...] = field(default=(), repr=False)


def number_readings(text: str) -> tuple[tuple[Reading, ...], str]:
    """Every value `text` can stand for, and a problem code when it stands for none."""
    body = text.strip()
    if not body:
        return (), EMPTY
    sign = 1
    if body[0] in _MINUS or body[0] == "+":
        sign = -1 if body[0] in _MINUS else 1
        body = body[1:].lstrip(SPACES)
    if not body or not _BODY.match(body) or not any(c.isdigit() for c in body):
        return (), NOT_A_NUMBER

    readings = _readings(body)
    if isinstance(readings, str):
        return (), readings
    return tuple(Reading(sign * r.value, r.mark, r.thousands) for r in readings), ""


def _readings(body: str) -> tuple[Reading, ...] | str:
    group_marks = [c for c in SPACES + APOSTROPHES if c in body]
    if group_marks:
        # Spaces and apostrophes only ever group thousands; a "," or "." after the last
        # group is then the decimal mark.
        if any(c in SPACES for c in group_marks) and any(c in APOSTROPHES for c in group_marks):
            return NOT_A_NUMBER
        integer, decimal = _split_decimal(body)
        if integer is None or any(c in integer for c in ".,"):
            return NOT_A_NUMBER
        pattern = re.sub(f"[{re.escape(SPACES + APOSTROPHES)}]", "X", integer)
        if not _GROUPED.match(pattern):
            return SPACED_DIGITS if group_marks[0] in SPACES else NOT_A_NUMBER
        return (_reading(pattern.replace("X", ""), decimal),)

    commas, points = body.count(","), body.count(".")
    if commas and points:
        # Both marks: the last one is the decimal mark, used once; the other groups.
        decimal_mark = "," if body.rfind(",") > body.rfind(".") else "."
        group_mark = "." if decimal_mark == "," else ","
        if body.count(decimal_mark) != 1:
            return NOT_A_NUMBER
        integer, decimal = body.split(decimal_mark)
        if not _GROUPED.match(integer.replace(group_mark, "X")) or not decimal.isdigit():
            return NOT_A_NUMBER
        return (_reading(integer.replace(group_mark, ""), decimal),)
    if commas + points == 0:
        return (_reading(body, ""),)
    mark = "," if commas else "."
    if commas + points > 1:
        # One mark, several times: it can only group thousands.
        if not _GROUPED.match(body.replace(mark, "X")):
            return NOT_A_NUMBER
        return (Reading(Decimal(body.replace(mark, "")), mark, True),)
    integer, decimal = body.split(mark)
    if not (integer or decimal) or not (integer + decimal).isdigit():
        return NOT_A_NUMBER
    as_decimal = Reading(_value(integer or "0", decimal), mark, False)
    if len(decimal) == 3 and _GROUPED.match(f"{integer}X{decimal}"):
        return (as_decimal, Reading(Decimal(integer + decimal), mark, True))
    return (as_decimal,)


def _split_decimal(body: str) -> tuple[str | None, str]:
    """Split "1 150,5" into ("1 150", "5"); a mark must be followed by digits."""
    for mark in ",.":
        if mark in body:
            integer, _, decimal = body.rpartition(mark)
            if not decimal.isdigit():
                return None, ""
            return integer, decimal
    return body, ""


def _reading(integer: str, decimal: str) -> Reading:
    return Reading(_value(integer, decimal))


def _value(integer: str, decimal: str) -> Decimal:
    try:
        return Decimal(f"{integer or '0'}.{decimal}" if decimal else integer)
    except InvalidOperation:  # pragma: no cover - the patterns above admit digits only
        raise ValueError(integer + "." + decimal) from None


def number_read(
    text: str,
    *,
    language: str = "en",
    minimum: float | None = None,
    maximum: float | None = None,
    whole: bool = False,
) -> NumberRead:
    """Read `text` as typed for a question with this range, on a page in `language`.

    Never guesses: a text with two readings that both fit the range (and, with `whole`,
    are whole numbers) is settled by the language's usage where it is settled, else
    returned as `choices` for the patient.
    """
    readings, problem = number_readings(text)
    if problem:
        return NumberRead(problem=problem)

    def fits(value: Decimal) -> bool:
        if whole and value != value.to_integral_value():
            return False
        if minimum is not None and value < Decimal(str(minimum)):
            return False
        return maximum is None or value <= Decimal(str(maximum))

    fitting = [r for r in readings if fits(r.value)]
    preferred = _preferred(readings, language)
    if not fitting:
        nearest = (preferred or readings[0]).value
        if whole and all(r.value != r.value.to_integral_value() for r in readings):
            return NumberRead(problem=NOT_WHOLE, nearest=nearest, readings=readings)
        return NumberRead(problem=OUT_OF_RANGE, nearest=nearest, readings=readings)
    if len(fitting) == 1:
        return NumberRead(value=_normal(fitting[0].value), readings=readings)
    if preferred is not None:
        return NumberRead(value=_normal(preferred.value), readings=readings)
    return NumberRead(choices=tuple(_normal(r.value) for r in fitting), readings=readings)


def _preferred(readings: tuple[Reading, ...], language: str) -> Reading | None:
    """The reading the page's language settles on, among two readings of one mark."""
    if len(readings) < 2:
        return readings[0] if readings else None
    mark = readings[0].mark
    base = (language or "").lower().split("-")[0].split("_")[0]
    thousands = {("en", ","): True, ("en", "."): False, ("fr", ","): False}.get((base, mark))
    if thousands is None:
        return None
    return next(r for r in readings if r.thousands is thousands)


def _normal(value: Decimal) -> Decimal:
    """12.50 → 12.5, 1150.0 → 1150 (a value, not a way of writing it)."""
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal


def number_format(value: Decimal, *, language: str = "en") -> str:
    """A value written plainly for a page: no thousands separator (so never ambiguous),
    the language's decimal mark ("1150", "1.15"; in French "1,15")."""
    text = format(_normal(value), "f")
    base = (language or "").lower().split("-")[0]
    return text.replace(".", ",") if base == "fr" else text


@dataclass(frozen=True)
class UnitHint:
    """A common other unit the value fits: "if your report says `unit`, `op` by `by`"."""

    unit: str
    operation: str  # "divide" or "multiply"
    by: Decimal
    converted: Decimal


# Other units a value is often reported in, by the unit suffix of the question key (the
# bank names keys by unit: hemoglobin_g_dl, platelets_10e9_l, height_cm...). Factors:
# 1 g/dL = 10 g/L; 1 ×10⁹/L = 1000 per µL (mm³); 1 m = 100 cm; 1 kg = 2.20462 lb.
_OTHER_UNITS: tuple[tuple[str, str, str, Decimal], ...] = (
    ("_g_dl", "g/L", "divide", Decimal(10)),
    ("_g_dl", "mg/dL", "divide", Decimal(1000)),
    ("_10e9_l", "/µL (/mm³)", "divide", Decimal(1000)),
    ("_10e6_l", "×10⁹/L", "multiply", Decimal(1000)),
    ("_cm", "m", "multiply", Decimal(100)),
    ("_kg", "lb", "divide", Decimal("2.20462")),
)


def unit_hint(
    key: str, value: Decimal, *, minimum: float | None, maximum: float | None
) -> UnitHint | None:
    """A hint when `value` is outside the question's range but fits it once converted
    from a common other unit: haemoglobin 115 → g/L, divide by 10 → 11.5 g/dL."""

    def inside(number: Decimal) -> bool:
        return (minimum is None or number >= Decimal(str(minimum))) and (
            maximum is None or number <= Decimal(str(maximum))
        )

    if inside(value):
        return None
    for suffix, unit, operation, by in _OTHER_UNITS:
        if not key.endswith(suffix):
            continue
        converted = value / by if operation == "divide" else value * by
        if inside(converted) and converted > 0:
            return UnitHint(unit, operation, by, _normal(converted.quantize(Decimal("0.01"))))
    return None
