"""Draft a rule for one published criterion, for the study team to confirm.

Pure Python, no Django. `draft_criterion(text, kind) -> DraftedRule | None` reads one
inclusion or exclusion item and proposes a rule in `screening.rules`' schema over the
question bank's keys, or None when it cannot read the item confidently: **precision
first**, since a wrong rule turns away a patient who could have joined.

What it reads:
* age bounds: "18-65 years", "aged 18 to 65", "18 years or older", "≥ 18 years",
  "Age = 18 years" (a sign lost in transcription: read as a lower bound in an inclusion
  item when the age is of adulthood), "Be 18 55 years of age" (a dropped dash);
* measurements of the bank's lab and body values, with their comparator, value and unit,
  converted into the question's unit (`screening.engine.units`); ranges become
  `between`; "1.5 x 109/L" is 1.5 × 10⁹/L; liver enzymes only as a multiple of ULN;
* pregnancy and breastfeeding, and HIV, hepatitis B and hepatitis C, as yes/no, with
  negation ("no history of HIV", "must not be pregnant", "patients without ...").

What it declines: values under a condition ("AST < 2.5 × ULN, or < 5 × ULN with liver
metastases"), units it cannot convert, values outside the question's range, ages in
months, plans ("planning to become pregnant"), history and kinds of pregnancy, and any
item where the same value is given two different bounds.

Negation and context are read by a rule set written for eligibility text, not by
medspaCy's ConText. medspaCy 1.3 installs from PyPI and runs offline, but it was
measured here and declined: about 280 MB of dependencies, 6.5 s to load, about 3 ms a
criterion (some 75 minutes for the 60,000 recruiting trials on one core, against the
hour the whole import may take), and its default rules read "HIV negative", "negative
pregnancy test" and "planning to become pregnant" as plain mentions, which this
drafter must not.

The facts (`DraftedRule.facts`) are the comparisons of the rule in the format of the
Chia gold set's scorer (README of the gold set, "How predictions are scored"):
{"key", "comparator" (< <= > >= = != between), "value"}, kept as written: an exclusion
"age < 18" is the fact age < 18 under kind exclusion, and the rule met means excluded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from screening.engine.units import convert

Kind = Literal["inclusion", "exclusion"]
Rule = dict[str, Any]


@dataclass(frozen=True)
class DraftedRule:
    """A proposed rule, the character spans of the item it was read from, and its facts."""

    rule: Rule
    spans: tuple[tuple[int, int], ...]
    facts: tuple[dict[str, Any], ...]


# Questions the drafter can propose, with their type and range (kept in step with the
# bank in screening/questions.py; a test checks they agree).
NUMERIC_RANGES: dict[str, tuple[float, float]] = {
    "age": (0, 120),
    "height_cm": (50, 250),
    "weight_kg": (20, 350),
    "bmi": (10, 80),
    "hemoglobin_g_dl": (2, 25),
    "neutrophils_10e9_l": (0, 100),
    "platelets_10e9_l": (0, 2000),
    "cd4_10e6_l": (0, 5000),
    "ast_alt_x_uln": (0, 100),
    "gfr_ml_min": (0, 200),
    "lvef_pct": (5, 90),
    "spap_mmhg": (0, 150),
    "mpap_mmhg": (0, 100),
    "creatinine_mg_dl": (0.1, 20),
    "creatinine_clearance_ml_min": (0, 200),
    "bilirubin_mg_dl": (0.1, 30),
    "hba1c_pct": (3, 20),
    "glucose_mg_dl": (20, 800),
    "potassium_mmol_l": (1.5, 9),
    "albumin_g_dl": (1, 7),
    "inr": (0.5, 10),
    "wbc_10e9_l": (0, 200),
    "systolic_bp_mmhg": (60, 260),
    "diastolic_bp_mmhg": (30, 160),
    "heart_rate_bpm": (20, 250),
    "oxygen_saturation_pct": (50, 100),
    "qtc_ms": (250, 700),
    "alkaline_phosphatase_x_uln": (0, 100),
    "ecog": (0, 4),
    "nyha_class": (1, 4),
}
_INFECTION_KEYS = frozenset({"hiv", "hepatitis_b_surface_antigen", "hepatitis_c"})
BOOLEAN_KEYS = ("pregnant", "breastfeeding", "hiv", "hepatitis_b_surface_antigen", "hepatitis_c")

_OPS = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge", "=": "eq", "!=": "ne"}


# --- text normalisation (same length, so offsets stay those of the item text) ---------

_SAME_LENGTH = str.maketrans(
    {
        "–": "-",
        "—": "-",
        "−": "-",
        "‐": "-",
        "‑": "-",
        "×": "x",
        "＜": "<",
        "＞": ">",
        "≧": "≥",
        "≦": "≤",
        "’": "'",
        "μ": "µ",
        "\u00a0": " ",
    }
)


def _normalise(text: str) -> str:
    lowered = text.lower()
    if len(lowered) != len(text):  # "İ" lowers to two characters: keep offsets
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return lowered.translate(_SAME_LENGTH)


# --- numbers, comparators, units -----------------------------------------------------

_WORD_NUMBERS = r"(?<![a-z])(?:one|two|three|four|five|six|seven|eight|nine|ten)(?![a-z])"
_WORD_VALUES = {
    word: float(index)
    for index, word in enumerate(
        ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
    )
}
_NUM = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?: \d{3})+(?![\d.])|\d+(?:\.\d+)?|\.\d+)"

_GE = (
    r"≥|>\s*=|=\s*>|>\s*/\s*=|=\s*/\s*>|>\s*or\s*=|≥\s*/\s*=|>_|"
    r"greater\s+than\s+or\s+equal(?:\s+to)?|greater\s+or\s+equal(?:\s+to)?|"
    r"more\s+than\s+or\s+equal(?:\s+to)?|equal\s+(?:to\s+)?or\s+(?:greater|more|higher)\s+than|"
    r"higher\s+than\s+or\s+equal(?:\s+to)?|equal\s+or\s+superior\s+to|"
    r"at\s+least|a\s+minimum\s+of|minimum(?:\s+of)?|not\s+less\s+than|no\s+less\s+than|"
    r"not\s+lower\s+than|not\s+below|not\s+under|not\s+younger\s+than|no\s+younger\s+than"
)
_GT = (
    r">|greater\s+than|more\s+than|higher\s+than|above|over|older\s+than|exceeding|"
    r"exceeds|in\s+excess\s+of|superior\s+to|elevated\s+above"
)
_LE = (
    r"≤|<\s*=|=\s*<|<\s*/\s*=|<\s*or\s*=|≤\s*/\s*=|<_|"
    r"less\s+than\s+or\s+equal(?:\s+to)?|lower\s+than\s+or\s+equal(?:\s+to)?|"
    r"less\s+or\s+equal(?:\s+to)?|equal\s+or\s+inferior\s+to|equal\s+(?:to\s+)?or\s+(?:less|lower)\s+than|"
    r"at\s+most|up\s+to|no\s+more\s+than|not\s+more\s+than|not\s+greater\s+than|"
    r"no\s+greater\s+than|not\s+exceeding|not\s+to\s+exceed|does\s+not\s+exceed|"
    r"not\s+higher\s+than|no\s+higher\s+than|not\s+above|"
    r"a\s+maximum\s+of|maximum(?:\s+of)?|not\s+older\s+than|no\s+older\s+than"
)
_LT = r"<|less\s+than|lower\s+than|below|under|younger\s+than|fewer\s+than|inferior\s+to"
_EQ = r"=|equal\s+to|equals"
_CMP_ANY = rf"(?:{_GE})|(?:{_LE})|(?:{_GT})|(?:{_LT})|(?:{_EQ})"

_PREFIX = re.compile(
    rf"(?P<ge>{_GE})|(?P<le>{_LE})|(?P<gt>{_GT})|(?P<lt>{_LT})|(?P<eq>{_EQ})", re.IGNORECASE
)
_POSTFIX_GE = re.compile(
    r"^\s*(?:\+|(?:years?\s+(?:of\s+age\s+)?|yrs?\s+)?(?:or|and|&)\s+(?:older|over|above|more|greater|higher|up|beyond)\b)"
)
_POSTFIX_LE = re.compile(
    r"^\s*(?:(?:years?\s+(?:of\s+age\s+)?)?(?:or|and)\s+(?:younger|under|below|less|lower|fewer)\b)"
)

# A unit just after a number: the longest first.
_UNIT = re.compile(
    r"\s*(?P<unit>"
    r"x\s*(?:the\s+)?(?:institutional\s+|institution's\s+|upper\s+)?(?:uln|upper\s+limits?\s+of\s+(?:the\s+)?normal(?:\s+range)?|upper\s+normal\s+limit|the\s+upper\s+limit\s+of\s+normal|normal\s+upper\s+limit)"
    r"|times\s+(?:the\s+)?(?:institutional\s+|institution's\s+)?(?:uln|upper\s+limits?\s+of\s+(?:the\s+)?normal(?:\s+range)?|upper\s+normal\s+limit|normal\s+upper\s+limit)"
    r"|(?:-?\s*fold\s+|x\s*)?uln\b|(?:x\s*|times\s+)(?:the\s+)?(?:normal|upper\s+normal)(?:\s+(?:values?|limits?|range))?\b"
    r"|(?<=\d)n\b"
    r"|x\s*10\s*(?:\^|\*|e)?\s*(?:9|⁹)\s*/\s*l|x\s*10\s*(?:\^|\*|e)?\s*(?:3|³)\s*/\s*(?:µl|ul|mcl|mm3|mm³)"
    r"|x\s*109\s*/\s*l|x\s*103\s*/\s*(?:µl|ul|mcl|mm3|mm³)"
    r"|10\s*(?:\^|\*|e)\s*(?:9|⁹)\s*/\s*l|10⁹\s*/\s*l|109\s*/\s*l|g/l(?=\W|$)(?P<gcells>)"
    r"|(?:cells\s*)?/\s*(?:µl|ul|mcl|mm\s*\^?\s*3|mm³|cmm|cu\.?\s*mm)|k\s*/\s*(?:µl|ul)"
    r"|ml\s*/\s*m(?:i?n)(?:ute)?(?:\s*(?:/|per)\s*1[.,]73\s*(?:m2|m²|m\^2|sq\.?\s*m|square\s+met(?:er|re)s?)?)?"
    r"|mg\s*/\s*dl|mg/l|g\s*/\s*dl|gm\s*/\s*dl|gr?/dl|g/l|(?:µ|u|mc)mol\s*/\s*l|mmol\s*/\s*mol|mmol\s*/\s*l|meq\s*/\s*l"
    r"|kg\s*/\s*m\s*(?:2|²|\^2)|kg\.?\s*m\s*-\s*2|kg/m|kilograms?\b|kg\b|lbs?\b|pounds\b|cm\b|inches\b"
    r"|in\b(?=\s*(?:tall|height))|m\b(?!\w)|cc\s*(?:/|per)\s*min(?:ute)?"
    r"|mm\s*hg|mmhg|bpm|beats?\s*(?:/|per)\s*min(?:ute)?|msec|ms\b"
    r"|%|per\s*cent\b"
    r"|years?\b|yrs?\b|y\b(?![-\w])|months?\b|weeks?\b|days?\b"
    r")",
    re.IGNORECASE,
)


def _number(text: str) -> float:
    if text in _WORD_VALUES:
        return _WORD_VALUES[text]
    return float(text.replace(",", "").replace(" ", ""))


def _canonical_unit(unit: str) -> str:
    """The unit as written, normalised to a name `units.convert` knows."""
    u = re.sub(r"\s+", "", unit.lower()).replace("µ", "u").replace("mcl", "ul")
    if "uln" in u or "upper" in u or "normal" in u or u == "n":
        return "xuln"
    if re.match(r"^x?10(\^|\*|e)?(9|⁹)/l$", u) or re.match(r"^x?109/l$", u) or u == "10⁹/l":
        return "10^9/l"
    if re.match(r"^x?10(\^|\*|e)?(3|³)/(ul|mm3|mm³)$", u) or re.match(r"^x?103/(ul|mm3|mm³)$", u):
        return "10^3/ul"
    if u in ("k/ul",):
        return "10^3/ul"
    if re.match(r"^(cells)?/(ul|mm\^?3|mm³|cmm|cu\.?mm)$", u):
        return "/ul"
    if (
        u.startswith("ml/min")
        or u.startswith("ml/mn")
        or u.startswith("cc/min")
        or u.startswith("ccpermin")
    ):
        return "ml/min"
    if u in ("gm/dl", "gr/dl"):
        return "g/dl"
    if u.startswith("kg/m") or u.startswith("kg.m") or u.startswith("kgm-"):
        return "kg/m2"
    if u in ("mmhg",):
        return "mmhg"
    if u.startswith("beat") or u == "bpm":
        return "bpm"
    if u == "percent":
        return "%"
    if u in ("year", "years", "yr", "yrs", "y"):
        return "years"
    if u.startswith("month"):
        return "months"
    if u.startswith("week"):
        return "weeks"
    if u.startswith("day"):
        return "days"
    if u in ("kilogram", "kilograms"):
        return "kg"
    if u in ("lb", "lbs", "pounds"):
        return "lb"
    if u == "inches":
        return "in"
    if u == "msec":
        return "ms"
    return u


@dataclass
class _Value:
    """A comparison read after a concept: op, number(s) and unit as written."""

    op: str  # lt le gt ge eq between
    low: float
    high: float | None
    unit: str
    start: int
    end: int
    uncertain: bool = False  # "=" where a sign was probably lost
    join: str = ""  # "and"/"or" when read as one of two bounds


_VALUE = re.compile(
    rf"(?P<prefix>(?:(?:{_GE})|(?:{_LE})|(?:{_GT})|(?:{_LT})|(?:{_EQ}))\s*(?:to\s+|of\s+|than\s+)?)?"
    rf"(?P<between>between\s+|from\s+)?"
    rf"(?P<n1>{_NUM}|{_WORD_NUMBERS})"
    rf"(?:\s*(?P<u1>%|mg/dl|g/dl|kg/m2|years|mmhg))?"
    rf"(?:\s*(?P<sep>-|to|and|through|until)\s*(?P<n2>{_NUM}))?",
    re.IGNORECASE,
)


def _read_value(s: str, start: int, limit: int) -> _Value | None:
    """The first comparison in s[start:limit], read with its unit."""
    m = _VALUE.search(s, start, limit)
    if m is None:
        return None
    prefix = (m.group("prefix") or "").strip()
    op: str | None = None
    uncertain = False
    if prefix:
        pm = _PREFIX.match(prefix)
        if pm is None or pm.lastgroup is None:
            return None
        op = pm.lastgroup
    n1 = _number(m.group("n1"))
    n2 = _number(m.group("n2")) if m.group("n2") else None
    end = m.end()
    unit = ""
    um = _UNIT.match(s, end, end + 70)
    if um is not None:
        unit = um.group("unit")
        end = um.end()
    elif m.group("u1"):
        unit = m.group("u1")
    if n2 is not None:
        if m.group("sep") == "and" and not m.group("between"):
            return None
        if op is not None or n2 < n1:
            return None
        return _Value("between", n1, n2, _canonical_unit(unit), m.start(), end)
    after = s[end : end + 40]
    if op is None:
        postfix = _POSTFIX_GE.match(after) or _POSTFIX_LE.match(after)
        if postfix is None:
            return None
        op = "ge" if postfix.re is _POSTFIX_GE else "le"
        end += postfix.end()
    if op == "eq":
        uncertain = True
    if not unit and m.group("n1").isalpha():
        return None  # "three" with no unit is a count of something else
    if not unit and (_UNKNOWN_UNIT.match(s, end) or _ULN_NEARBY.match(s, end)):
        unit = "?"  # a unit the drafter does not know ("3.5/ml"): never assumed
    return _Value(op, n1, None, _canonical_unit(unit), m.start(), end, uncertain)


# "< 1.3 x the laboratory ULN", "≤ 1.5 ⋅ ULN": a multiple of ULN written in a way the unit
# pattern does not know is never read as a plain number.
_ULN_NEARBY = re.compile(
    r"\s*(?:x|×|⋅|·|\*|times|-?\s*fold)?\s*(?:the\s+)?(?:[a-z'/]+\s+){0,2}"
    r"(?:uln|upper\s+(?:limit|normal|level)|normal\s+(?:limit|value|range|upper))"
)
_UNKNOWN_UNIT = re.compile(r"\s*(?:/\s*[a-zµ]|[a-zµ]{1,6}\s*/\s*[a-zµ\d]|x\s*10|\*\s*10)")

# A second bound right after the first: "BMI > 21 and < 35 kg/m2", "< 100 or > 600".
_SECOND_BOUND = re.compile(
    rf"^\s*,?\s*(?P<join>and/or|and|or|but|,)\s*(?=(?:{_CMP_ANY})\s*(?:{_NUM}|{_WORD_NUMBERS}))"
)


def _read_values(s: str, start: int, limit: int, second_limit: int) -> list[_Value]:
    """One comparison, or two joined by "and"/"or" ("> 21 and < 35 kg/m2").

    The first must start before `limit`; the second may run on to `second_limit`.
    """
    first = _read_value(s, start, limit)
    if first is None:
        return []
    second_limit = max(second_limit, first.end)
    join = _SECOND_BOUND.match(s[first.end : second_limit])
    if join is None or first.op == "between":
        return [first]
    second = _read_value(s, first.end + join.end(), second_limit)
    if second is None or second.op == "between" or second.start != first.end + join.end():
        return [first]
    if not first.unit and second.unit:
        first.unit = second.unit
    elif first.unit and not second.unit:
        second.unit = first.unit
    word = join.group("join")
    first.join = second.join = "or" if word in ("or", "and/or") else "and"
    # Lost signs in a range ("between >17 and =28"): the first bound is the lower.
    if first.op == "eq":
        first.op = "ge"
    if second.op == "eq":
        second.op = "le"
    return [first, second]


# --- conditions: a bound that holds only sometimes is not a plain bound ---------------

_CONDITION = re.compile(
    r"\b(?:if|unless|when|whereas|in\s+case|in\s+(?:the\s+)?(?:case|presence|absence)\s+of|"
    r"in\s+patients|for\s+patients|in\s+subjects|for\s+subjects|for\s+those|in\s+those|"
    r"for\s+participants|in\s+participants|with\s+(?:liver|hepatic|bone|known|documented|"
    r"gilbert|metasta)|due\s+to|attributable|except|excluding|depending|"
    r"for\s+(?:men|women|males|females|children)|in\s+(?:men|women|males|females|children)|"
    r"(?:men|women|males|females)\s*[:<>≤≥]|on\s+(?:two|2|three|3)\s+(?:occasions|measurements)|"
    r"or\s+(?:less|more|greater|higher|lower)\s+than\s+\d)"
)
_RESTATED = re.compile(
    rf"^\s*\(\s*(?:=|~|≈|approx\w*\.?|i\.e\.,?|or)?\s*(?:{_NUM})\s*[a-zµ/%\^0-9.,\s²³*-]{{0,20}}\)"
    r"|^\s*\(\s*(?:uln|upper\s+limit\s+of\s+normal|x\s*uln|bmi|egfr|ast|alt|sgot|sgpt|anc|"
    r"mdrd|ckd-epi|cockcroft[-\s]gault|calculated|measured|estimated)\s*\)"
)


# --- measurements ---------------------------------------------------------------------

# Concept -> key. Words the gold ignores (serum, blood, plasma, total, level, count) are
# optional; longer names are tried first.
_IGNORABLE = r"(?:(?:serum|blood|plasma|total|baseline|screening|absolute|fasting|whole)\s+)*"
_CONCEPTS: tuple[tuple[str, str], ...] = (
    (
        "hba1c_pct",
        r"hb\s?a1c|hemoglobin\s+a1c|haemoglobin\s+a1c|glycated\s+ha?emoglobin|glycosylated\s+ha?emoglobin|a1c|glycoh(?:a)?emoglobin",
    ),
    ("creatinine_clearance_ml_min", r"creatinine\s+clearance|cr\s?cl|clcr|ccr"),
    (
        "gfr_ml_min",
        r"(?:estimated\s+)?glomerular\s+filtration\s+rate|e?gfr(?:\s*\((?:mdrd|ckd-epi|cockcroft[-\s]gault)\))?|mdrd\s+e?gfr|ckd-epi\s+e?gfr",
    ),
    ("bmi", r"body\s+mass\s+index|bmi|quetelet\s+index"),
    ("hemoglobin_g_dl", r"ha?emoglobin(?!\s*a)|hgb|hb(?![a-z0-9])"),
    ("platelets_10e9_l", r"platelets?|plt|thrombocytes?"),
    (
        "neutrophils_10e9_l",
        r"absolute\s+neutrophil|neutrophils?|anc|granulocytes?|polymorphonuclear\s+(?:cells|leukocytes)|pmn",
    ),
    ("wbc_10e9_l", r"white\s+blood\s+cells?|wbc|leukocytes?|white\s+cells?|white\s+blood\s+cell"),
    (
        "cd4_10e6_l",
        r"cd4\+?(?:\s*(?:\+|positive))?(?:\s*t)?(?:[\s-]*(?:cells?|lymphocytes?|t-cells?))?",
    ),
    (
        "ast_alt_x_uln",
        r"(?:ast|alt|sgot|sgpt|asat|alat)(?:\s*(?:/|and|or|,|&)\s*(?:ast|alt|sgot|sgpt|asat|alat))*(?:\s*\((?:sgot|sgpt|ast|alt)\))?|(?:aspartate|alanine)\s+(?:amino)?trans(?:ferase|aminase)(?:\s*\((?:ast|alt|sgot|sgpt)\))?|(?:amino)?transaminases?|liver\s+transaminases?|hepatic\s+transaminases?",
    ),
    ("creatinine_mg_dl", r"creatinine(?!\s+clear)|creat(?!\w)|cr(?![a-z])"),
    ("bilirubin_mg_dl", r"bilirubin|t\.?\s?bili"),
    ("glucose_mg_dl", r"glucose|glycemia|glycaemia|fpg|fbg|fbs"),
    ("potassium_mmol_l", r"potassium|k\+"),
    ("albumin_g_dl", r"albumin(?!uria)"),
    ("inr", r"inr|international\s+normali[sz]ed\s+ratio"),
    ("lvef_pct", r"(?:left\s+ventricular\s+)?ejection\s+fraction|lvef|ef(?![a-z])"),
    ("spap_mmhg", r"systolic\s+pulmonary\s+arter(?:y|ial)\s+pressure|spap|pasp|rvsp"),
    ("mpap_mmhg", r"mean\s+pulmonary\s+arter(?:y|ial)\s+pressure|mpap"),
    ("systolic_bp_mmhg", r"systolic\s+blood\s+pressure|systolic\s+bp|sbp|systolic"),
    ("diastolic_bp_mmhg", r"diastolic\s+blood\s+pressure|diastolic\s+bp|dbp|diastolic"),
    ("heart_rate_bpm", r"heart\s+rate|pulse\s+rate|resting\s+heart\s+rate|hr(?![a-z])"),
    ("oxygen_saturation_pct", r"oxygen\s+saturation|o2\s+saturation|spo2|sao2|sp02"),
    ("qtc_ms", r"qtc[bf]?|corrected\s+qt(?:\s+interval)?|qt\s+interval\s+corrected|qtcf"),
    ("alkaline_phosphatase_x_uln", r"alkaline\s+phosphatases?|alk\.?\s+phos|alp|alkp"),
    # Concepts the bank has no question for: they share a list's value, give nothing.
    (
        "",
        r"(?:gamma|γ|alfa|alpha)[\s-]?(?:gt|glutamyl\s*transferase)|ggt|γgt|ldh|"
        r"lactate\s+dehydrogenase|ck|cpk|creatine\s+kinase|lipase|amylase|urea|bun|"
        r"pt|ptt|aptt|fibrinogen|lymphocytes?|magnesium|sodium|calcium|phosphorus|"
        r"triglycerides?|(?:ldl|hdl)(?:[\s-]?c(?:holesterol)?)?|cholesterol|tsh|psa|"
        r"uric\s+acid|ferritin|liver\s+enzymes|liver\s+function\s+tests?|lfts?",
    ),
    ("weight_kg", r"body\s+weight|weight|weighs?|weighing|weigh"),
    ("height_cm", r"body\s+height|height"),
)
_CONCEPT_RE = re.compile(
    r"(?<![\w-])"
    + _IGNORABLE
    + r"(?:"
    + "|".join(f"(?P<k{index}>{pattern})" for index, (_key, pattern) in enumerate(_CONCEPTS))
    + r")(?:\s+(?:levels?|counts?|concentrations?|values?|results?))?(?![\w])",
    re.IGNORECASE,
)
_CONCEPT_BY_GROUP = {f"k{index}": key for index, (key, _p) in enumerate(_CONCEPTS)}
_CONCEPT_BY_GROUP[""] = ""

# Words before a concept that make it something else than the patient's current value.
_NOT_A_VALUE = re.compile(
    r"(?:birth|loss\s+of|change\s+in|gain|ideal|predicted|percent(?:age)?\s+of|decrease\s+in|"
    r"increase\s+in|reduction\s+in|variation|fluctuation|stable|history\s+of|"
    r"loss|lost|target|goal|dose|per\s+kg|mg/kg|maintain|keep|achieve|prior|previous|past|"
    r"historical|historic|at\s+diagnosis|random|casual|post-?prandial|2-?h(?:our)?|two-hour|"
    r"ogtt|tolerance\s+test|challenge)\s*$"
)
_NOT_A_VALUE_AFTER = re.compile(
    r"^\s*(?:loss|gain|change|reduction|percentile|centile|z-score|for\s+age|-for-|mutation|"
    r"gene|receptor|inhibitor|tki|exon|antibod|variant|sensitizing|positive|negative|status|"
    r"therapy|%\s*of|of\s+ideal|ratio|decline|decrease|increase|velocity|within|variation)",
    re.IGNORECASE,
)

# Units each key accepts (canonical names); "" means no unit written.
_KEY_UNITS: dict[str, tuple[str, ...]] = {
    "bmi": ("kg/m2", ""),
    "weight_kg": ("kg", "lb", "g"),
    "height_cm": ("cm", "m", "in"),
    "hemoglobin_g_dl": ("g/dl", "g/l", "mmol/l", ""),
    "platelets_10e9_l": ("10^9/l", "10^3/ul", "/ul", "g/l", ""),
    "neutrophils_10e9_l": ("10^9/l", "10^3/ul", "/ul", "g/l", ""),
    "wbc_10e9_l": ("10^9/l", "10^3/ul", "/ul", "g/l", ""),
    "cd4_10e6_l": ("/ul", "10^9/l", ""),
    "ast_alt_x_uln": ("xuln",),
    "alkaline_phosphatase_x_uln": ("xuln",),
    "gfr_ml_min": ("ml/min", ""),
    "creatinine_clearance_ml_min": ("ml/min", ""),
    "lvef_pct": ("%",),
    "spap_mmhg": ("mmhg", ""),
    "mpap_mmhg": ("mmhg", ""),
    "creatinine_mg_dl": ("mg/dl", "umol/l"),
    "bilirubin_mg_dl": ("mg/dl", "umol/l"),
    "hba1c_pct": ("%", "mmol/mol"),
    "glucose_mg_dl": ("mg/dl", "mmol/l"),
    "potassium_mmol_l": ("mmol/l", "meq/l"),
    "albumin_g_dl": ("g/dl", "g/l"),
    "inr": ("",),
    "systolic_bp_mmhg": ("mmhg",),
    "diastolic_bp_mmhg": ("mmhg",),
    "heart_rate_bpm": ("bpm",),
    "oxygen_saturation_pct": ("%",),
    "qtc_ms": ("ms",),
}


def _to_key_unit(key: str, value: float, unit: str) -> float | None:
    if unit not in _KEY_UNITS.get(key, ()):
        return None
    if unit == "":
        if key in ("platelets_10e9_l", "neutrophils_10e9_l", "wbc_10e9_l"):
            # Chia's rule for counts written with no unit: a platelet count of 2,000
            # or more, or a neutrophil count of 100 or more, is per µL.
            threshold = 2000 if key == "platelets_10e9_l" else 100
            return convert(value, "/ul", key) if value >= threshold else value
        if key == "hemoglobin_g_dl" and value > 25:
            return convert(value, "g/l", key)  # "Hb > 100": grams per litre
        return value
    if unit in ("xuln", "%"):
        return value  # the question's own unit: a multiple of ULN, a percentage
    if key in ("platelets_10e9_l", "neutrophils_10e9_l", "wbc_10e9_l") and unit == "g/l":
        unit = "10^9/l"  # "G/L" (giga per litre) for cells, not grams per litre
    return convert(value, unit, key)


def _in_range(key: str, *values: float) -> bool:
    low, high = NUMERIC_RANGES[key]
    return all(low <= v <= high for v in values)


@dataclass
class _Found:
    key: str
    op: str
    value: Any
    span: tuple[int, int]
    uncertain: bool = False
    pair_join: str = ""  # "and"/"or": one of two bounds read together


# Where a concept's value must have started: a sentence break, or an "and"/"or" that
# joins another clause ("between 7 and 10" and "≥ or =" are not such joins).
_VALUE_STOP = re.compile(r"[;.](?:\s|$)|\band\b(?!\s+(?:≥|>|<|≤|equal))|\bor\b\s+(?!equal|=)")
_OPEN_RANGE = re.compile(rf"\b(?:between|from)\s+{_NUM}\s*[^\s\d,;]{{0,12}}\s*$")


# An aside in brackets with no number in it ("(BMI, weight in kg divided by height²)",
# "(i.e., segmented neutrophils + bands)") is blanked out, same length, so that the
# value after it is read as the concept's before it. A condition is never blanked.
_PLAIN_ASIDE = re.compile(r"\((?P<inside>[^()\d<>≤≥=]{3,120})\)")


_ASIDE_VALUE = re.compile(rf"(?:{_GE})|(?:{_LE})|(?:{_GT})|(?:{_LT})|{_WORD_NUMBERS}")


def _blank_aside(match: re.Match[str]) -> str:
    inside = match.group("inside")
    if (
        _CONDITION.search(inside)
        or re.search(r"\b(?:or|and/or|not|no|without)\b", inside)
        or _ASIDE_VALUE.search(inside)
    ):
        return match.group(0)  # a condition, or a value in words: not a plain aside
    if _CONCEPT_RE.fullmatch(inside.strip()):
        return match.group(0)  # "(AST)": the concept's own abbreviation
    return " " * len(match.group(0))


def _blank_run(s: str, start: int) -> int:
    """How many characters of blanked asides lie just after `start` (within 200)."""
    run = re.search(r" {4,}", s[start : start + 200])
    return len(run.group(0)) if run else 0


_ANY_NUMBER = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten)\b")


_BLOOD_PRESSURE = re.compile(
    r"\b(?:(?:arterial\s+|resting\s+|sitting\s+|seated\s+)?blood\s+pressure|bp)\b"
    r"(?:\s*\((?:bp|sbp/dbp)\))?[^\d;.<>≤≥=]{0,25}?"
    rf"(?P<op>{_CMP_ANY})\s*(?P<systolic>\d{{2,3}})\s*/\s*(?P<diastolic>\d{{2,3}})"
    r"\s*(?:mm\s*hg)?"
)


def _blood_pressures(s: str) -> tuple[list[_Found], bool]:
    """ "Blood pressure > 140/90 mmHg": a bound on each number of the reading.

    Above a reading ("> 140/90") is either number above; below it ("< 140/90") is both
    below. Under a condition, or with a second reading, nothing is drafted.
    """
    found: list[_Found] = []
    matches = list(_BLOOD_PRESSURE.finditer(s))
    if len(matches) != 1:
        return found, bool(matches)
    m = matches[0]
    op = _op_of(m.group("op"))
    systolic, diastolic = int(m.group("systolic")), int(m.group("diastolic"))
    after = s[m.end() : m.end() + 80]
    if (
        op not in ("gt", "ge", "lt", "le")
        or not _in_range("systolic_bp_mmhg", systolic)
        or not _in_range("diastolic_bp_mmhg", diastolic)
        or systolic <= diastolic
        or _CONDITION.search(after)
        or re.search(rf"(?:{_CMP_ANY})\s*\d", after)
    ):
        return found, True
    join = "or" if op in ("gt", "ge") else "and"
    span = (m.start(), m.end())
    found.append(_Found("systolic_bp_mmhg", op, systolic, span, pair_join=join))
    found.append(_Found("diastolic_bp_mmhg", op, diastolic, span, pair_join=join))
    return found, False


def _measurements(s: str) -> tuple[list[_Found], bool]:
    """Comparisons of bank measurements in `s`, and whether any was declined.

    A list of concepts shares the value after it ("AST, ALT and bilirubin < 2 x ULN"); a
    second bound joined by "and"/"or" is read with the first ("BMI > 21 and < 35").
    """
    found: list[_Found] = []
    declined = False
    # Keys with a reading declined (under a condition, negated, an example): any other
    # reading of them in the item is dropped too ("ALT < 3 x ULN; ALT < 5 x ULN with
    # liver metastases" must not become a plain "< 3 x ULN" nor "< 5 x ULN").
    declined_keys: set[str] = set()
    if not _ANY_NUMBER.search(s):
        return found, declined
    s = _PLAIN_ASIDE.sub(_blank_aside, s)
    example = _EXAMPLE_MARK.search(s)
    matches = list(_CONCEPT_RE.finditer(s))
    index = 0
    while index < len(matches):
        # The chain of concepts joined by commas, "and", "or" or "/".
        last = index
        while last + 1 < len(matches) and _CHAIN_GAP.match(
            s[matches[last].end() : matches[last + 1].start()]
        ):
            last += 1
        chain, index = matches[index : last + 1], last + 1
        keys: list[tuple[str, re.Match[str]]] = []
        for position, match in enumerate(chain):
            group = next((g for g, v in match.groupdict().items() if v is not None), None)
            key = _CONCEPT_BY_GROUP.get(group or "", "")
            before = s[max(0, match.start() - 30) : match.start()]
            if _NOT_A_VALUE.search(before) or (
                position + 1 < len(chain) and _NOT_A_VALUE_AFTER.match(s[match.end() :])
            ):
                # "ideal body weight (BMI 18-28)": that member is not measured; the
                # value still belongs to the others.
                keys.append(("", match))
                continue
            keys.append((key, match))
        tail_match = chain[-1]
        if not keys or _NOT_A_VALUE_AFTER.match(s[tail_match.end() :]):
            continue
        chain_keys = {key for key, _m in keys if key}
        clause_before = re.split(r"[;,.:(\[]", s[max(0, chain[0].start() - 50) : chain[0].start()])[
            -1
        ]
        if (example is not None and example.start() < chain[0].start()) or _NEGATED_CONCEPT.search(
            clause_before
        ):
            # "(e.g. platelets < 100)", "Absence of QTc prolongation (> 450 ms)".
            declined = True
            declined_keys |= chain_keys
            continue
        limit = matches[index].start() if index < len(matches) else len(s)
        # The value must follow the concept closely: a few words, no sentence break.
        window_end = min(limit, tail_match.end() + 60 + _blank_run(s, tail_match.end()))
        gap = s[tail_match.end() : window_end]
        stop = next(
            (
                candidate
                for candidate in _VALUE_STOP.finditer(gap)
                if not _OPEN_RANGE.search(gap[: candidate.start()])
            ),
            None,
        )
        value_limit = tail_match.end() + (stop.start() if stop else len(gap))
        values = _read_values(s, tail_match.end(), max(value_limit, tail_match.end()), limit)
        if not values:
            continue
        between_words = s[tail_match.end() : values[0].start]
        if re.search(r"\d", between_words) or len(re.sub(r"\s+", " ", between_words)) > 45:
            continue
        if re.search(r"\b(?:no|not|nor|without|never)\b", between_words):
            declined = True
            declined_keys |= chain_keys
            continue
        end = values[-1].end
        # A condition or another value in brackets right after: not a plain bound.
        after = s[end : min(len(s), max(limit, end + 1), end + 90)]
        after = re.split(r";", after)[0]
        bracket = re.match(r"^\s*[(\[]([^()\[\]]*)[)\]]", after)
        if (
            _CONDITION.search(after)
            or (
                bracket is not None
                and not _RESTATED.match(after)
                and (
                    re.search(r"\d|[<>≤≥=]", bracket.group(1))
                    or _CONDITION.search(bracket.group(1))
                )
            )
            or _RELATIVE_VALUE.match(after)
        ):
            declined = True
            declined_keys |= chain_keys
            continue
        if re.search(rf"(?:{_CMP_ANY})\s*\d", after):
            # Another bound before the next concept: a third one, or one under a
            # condition ("BMI ≥ 27 with a comorbidity or ≥ 30"): not a plain bound.
            declined = True
            declined_keys |= chain_keys
            continue
        pair = len(values) == 2
        seen: set[str] = set()
        for key, match in keys:
            if not key or key in seen:
                continue
            seen.add(key)
            converted = [_convert(key, value) for value in values]
            if any(c is None for c in converted):
                declined = True
                declined_keys.add(key)
                continue
            for value, result in zip(values, converted, strict=True):
                assert result is not None
                op, number = result
                found.append(
                    _Found(
                        key,
                        op,
                        number,
                        (match.start(), end),
                        value.uncertain,
                        pair_join=value.join if pair else "",
                    )
                )
    return [f for f in found if f.key not in declined_keys], declined


# Markers of an example or an illustration: what follows is not the criterion itself.
_EXAMPLE_MARK = re.compile(
    r"\b(?:such\s+as|e\.\s?g\.?|eg,|for\s+example|for\s+instance|i\.\s?e\.?|examples?\s*:)(?:\W|$)"
)
# A negation of the concept itself ("absence of QTc prolongation", "no known ...").
_NEGATED_CONCEPT = re.compile(
    r"\b(?:no|not|without|absence\s+of|absent|free\s+of|neither|nor|never|negative\s+for)\b"
)
# A value relative to another ("100 lbs over ideal body weight", "20 % above baseline").
_RELATIVE_VALUE = re.compile(
    r"^[^;,]{0,25}?\b(?:over|above|below|under|of|from|than)\s+(?:the\s+|their\s+|his\s+|her\s+)?"
    r"(?:ideal|predicted|normal\s+for|baseline|reference|previous|prior)\b"
)
_CHAIN_GAP = re.compile(r"^\s*(?:\)\s*)?(?:,\s*)?(?:/|and/or|and|or|&)?\s*(?:\(\s*)?$")


def _convert(key: str, value: _Value) -> tuple[str, Any] | None:
    if key == "age":
        return None
    low = _to_key_unit(key, value.low, value.unit)
    if low is None:
        return None
    if value.op == "between":
        assert value.high is not None
        high = _to_key_unit(key, value.high, value.unit)
        if high is None or not _in_range(key, low, high):
            return None
        return "between", [_tidy(low), _tidy(high)]
    if not _in_range(key, low):
        return None
    return value.op, _tidy(low)


def _tidy(number: float) -> float | int:
    rounded = round(number, 4)
    return int(rounded) if rounded == int(rounded) else rounded


# --- age ------------------------------------------------------------------------------

_CMP = rf"(?:{_GE})|(?:{_LE})|(?:{_GT})|(?:{_LT})|(?:{_EQ})"
_YEARS = r"(?:years?|yrs?|y(?![a-z])|ans)"
_AGE_VALUE = re.compile(
    rf"(?P<op1>(?:{_CMP})\s*(?:the\s+age\s+of\s+|age\s+)?)?"
    rf"(?P<rng>between\s+|from\s+)?"
    rf"(?<![\d.,])(?P<n1>\d{{1,3}})(?![\d]|[.,]\d|\s*%|\s*x\s*10)"
    rf"(?P<u1>\s*{_YEARS}(?:\s+of\s+age|\s+old)?|-years?(?:-old)?)?"
    rf"(?:\s*(?P<sep>-|to|and|through|until|or|\s)\s*"
    rf"(?P<op2>(?:{_LE})|(?:{_LT})|(?:{_GE})|(?:{_GT}))?\s*(?:the\s+age\s+of\s+)?"
    rf"(?P<n2>\d{{1,3}})(?![\d]|[.,]\d|\s*%))?"
    rf"(?P<unit>\s*(?:{_YEARS}|months?|weeks?|days?)(?![a-z])|-years?(?:-old)?)?",
    re.IGNORECASE,
)
_AGE_BEFORE = re.compile(
    r"(?<![a-z])(?:age[ds]?|ages)(?![a-z])"
    r"(?:\s|[:=(,\-]|\b(?:of|is|was|must|should|be|between|from|range|limit|group|at|"
    r"entry|screening|inclusion|enrol\w*|the|time|consent|visit|participant|patient|"
    r"subject|years?|in|men|women|both|sexes|male|female|and|all|any|equal|to)\b)*$"
)
_AGE_AFTER = re.compile(
    rf"^\s*(?:{_YEARS}\s*)?(?:\(?s\)?\s*)?(?:of\s+age|old|-old|of\s+older|"
    r"(?:or|and|&)\s+(?:older|over|above|younger|under|below)|\+)"
)
_SUBJECTS = re.compile(
    r"\b(?:patients?|subjects?|participants?|adults?|men|women|males?|females?|volunteers?|"
    r"persons?|people|individuals?|children|adolescents?|boys?|girls?|outpatients?|"
    r"inpatients?|healthy|sex|genders?|both)\b[^.;\d]{0,12}$"
)
_DURATION = re.compile(
    r"\b(?:for|since|duration|history|diagnos\w*|within|last|past|ago|during|after|before|"
    r"prior|previous\w*|treated|treatment|therapy|disease|diabetes|smok\w*|follow\w*|"
    r"survival|interval|expectancy|onset|period|experience|education|schooling|"
    r"menopaus\w*|postmenopaus\w*|amenorrh\w*|married|residen\w*|lived|living|employ\w*|"
    r"work\w*|pack|use|using|taking|exposure|stable|months?|weeks?)\b[^.;]{0,25}$"
)


# Someone else than the patient, whose age or status a criterion may give.
_SOMEONE_ELSE = re.compile(
    r"\b(?:donors?|partners?|spouses?|parents?|mothers?|fathers?|siblings?|relatives?|"
    r"caregivers?|carers?|guardians?|husbands?|wives|wife|offspring|family\s+members?)\b"
)
_OF_SOMEONE_ELSE = re.compile(
    r"^[^.;]{0,25}?\b(?:in|of|for|among)\s+(?:a\s+|the\s+|their\s+|his\s+|her\s+)?"
    r"(?:[\w-]+\s+){0,2}(?:relatives?|donors?|partners?|parents?|siblings?|family|spouses?|mothers?)\b"
)
# Every age the drafter reads has a number and a word for age or years.
_AGE_CUE = re.compile(r"age|year|yr|old|\dy|\sy\b|ans\b")


def _ages(s: str) -> tuple[list[_Found], bool]:
    """Age bounds in `s`, and whether an age was seen but not read confidently."""
    found: list[_Found] = []
    declined = False
    if not (_ANY_NUMBER.search(s) and _AGE_CUE.search(s)):
        return found, declined
    for m in _AGE_VALUE.finditer(s):
        n1 = int(m.group("n1"))
        n2 = int(m.group("n2")) if m.group("n2") else None
        u1 = (m.group("u1") or "").strip(" -")
        unit = (m.group("unit") or "").strip(" -")
        op1_raw = re.sub(r"\s*(?:the\s+age\s+of|age)\s*$", "", (m.group("op1") or "")).strip()
        op2_raw = (m.group("op2") or "").strip()
        sep = (m.group("sep") or "").strip()
        start, end = m.start(), m.end()
        before = s[max(0, start - 40) : start]
        after = s[end : end + 40]
        units = (u1 + " " + unit).strip()
        if unit and unit[0] in "mwd" or u1 and u1[0] in "mwd":
            if _AGE_BEFORE.search(before) or re.match(r"^\s*(?:of\s+age|old)", after):
                declined = True
            continue
        years = bool(re.search(r"(?<![a-z])(?:y|yr|yrs|year|years|ans)(?![a-z])", units))
        whole = not re.sub(
            r"[\W_]|\b(?:age[ds]?|years?|old|of|or|and|older|younger)\b", "", s[:start] + s[end:]
        )
        said_age = bool(
            _AGE_BEFORE.search(before)
            or re.search(r"(?:of\s+age|old)$", units)
            or re.search(r"the\s+age\s+of|(?:older|younger)\s+than", m.group("op1") or "")
            or (years and _AGE_AFTER.match(after))
            or re.match(r"^\s*(?:of\s+age|old|-old)", after)
        )
        subject = years and bool(_SUBJECTS.search(before)) and not _DURATION.search(before)
        if not (said_age or subject or (whole and years)):
            continue
        if n1 < 12 and not (
            _AGE_BEFORE.search(before)
            or re.match(r"^\s*(?:of\s+age|old|-old)", after)
            or re.search(r"(?:of\s+age|old)$", units)
        ):
            continue  # "Ulcers older than 1 year": young ages need the word "age" or "old"
        if _DURATION.search(before) and not _AGE_BEFORE.search(before[-25:]):
            declined = True
            continue
        if (
            _SOMEONE_ELSE.search(s[max(0, start - 80) : start])
            or _OF_SOMEONE_ELSE.match(after)
            or (
                # "Lansky (age < 16 years) or performance status >= 70": an age that
                # qualifies one of two alternatives.
                re.search(
                    r"\b(?:lansky|karnofsky|score|scale|status|ps|index)\s*\([^()]*$", s[:start]
                )
                and re.search(r"\bor\b", s)
            )
            or (
                # "ECOG > 2 (>= 18 years old)": an age in brackets after something else
                # than its subject qualifies that thing.
                re.search(r"\([^()]{0,12}$", s[:start])
                and not re.search(
                    r"(?:\b(?:adults?|patients?|participants?|subjects?|individuals?|people|"
                    r"persons?|age[ds]?|volunteers?|men|women|males?|females?|children|"
                    r"adolescents?|infants?|youth|boys?|girls?|population)|^)\s*\([^()]{0,12}$",
                    s[:start],
                )
            )
        ):
            declined = True  # "a related donor aged 18 to 50", "death under 40 in relatives"
            continue
        op1 = _op_of(op1_raw)
        op2 = _op_of(op2_raw)
        if (op1_raw and op1 is None) or (op2_raw and op2 is None):
            declined = True
            continue
        span = (start, end)
        if n2 is not None:
            if sep == "or":
                if op1 in ("lt", "le") and op2 in ("gt", "ge") and n1 <= n2:
                    found.append(_Found("age", op1, n1, span))
                    found.append(_Found("age", op2, n2, span))
                else:
                    declined = True
                continue
            if sep == "" and (op1 or op2 or not years or n1 < 12 or n2 - n1 < 5):
                continue  # "18 55 years": a dropped dash, only between plausible ages
            if op1 in ("lt", "le") or op2 in ("gt", "ge"):
                declined = True
                continue
            low = n1 + 1 if op1 == "gt" else n1
            high = n2 - 1 if op2 == "lt" else n2
            if not (0 <= low < high <= 120):
                declined = True
                continue
            found.append(_Found("age", "between", [low, high], span, op1 == "eq"))
            continue
        if op1 is None:
            postfix = _POSTFIX_GE.match(after) or _POSTFIX_LE.match(after)
            if postfix is None:
                continue
            op1 = "ge" if postfix.re is _POSTFIX_GE else "le"
            span = (start, end + postfix.end())
        if not 0 <= n1 <= 120:
            declined = True
            continue
        found.append(_Found("age", op1, n1, span, op1 == "eq"))
    return found, declined


def _op_of(words: str) -> str | None:
    if not words:
        return None
    match = _PREFIX.fullmatch(words.strip())
    return match.lastgroup if match is not None else None


# --- pregnancy, breastfeeding, infections ---------------------------------------------

_NEGATION_BEFORE = re.compile(
    r"(?:\bno\b|\bnot\b|\bnon-?|\bwithout\b|\babsence\s+of\b|\bfree\s+of\b|\bnever\b|\bneither\b|"
    r"\bnor\b|\bden(?:y|ies|ied)\b|\bnegative\s+(?:for|to)\b|\bexclud\w*|\bruled\s+out\b|\bcannot\s+be\b|"
    r"\bmay\s+not\b|\bmust\s+not\b|\bshould\s+not\b|\bisn't\b|\baren't\b)[^;,.()]{0,40}$"
)
_PLAN = re.compile(
    r"\b(?:become|becoming|became|get|getting|gets|got|plan\w*|intend\w*|wish\w*|desir\w*|try\w*|"
    r"attempt\w*|avoid\w*|prevent\w*|contracept\w*|possibility|possible|chance|"
    r"capable\s+of|likely|anticipat\w*|expect\w*|seek\w*|want\w*|future|subsequent|"
    r"lead\s+to|leads\s+to|result\s+in|achieve|achieving|conceive|prior\s+to|before|"
    r"previous\w*|prior|history\s+of|past|former|recent\w*|last|risk\s+of|confirm\w*|"
    r"rule\s+out|exclude|excluding|outcome\s+of|loss\s+of)\b[^;.,]{0,18}$"
)
_PLAN_AFTER = re.compile(
    r"^\s*(?:during\s+(?:the|a)\s+(?:study|trial|course|previous|prior)|"
    r"within\s+(?:the\s+)?(?:next|last|past|previous|preceding|\d)|"
    r"in\s+the\s+(?:last|past|previous|preceding)|"
    r"in\s+the\s+(?:next|following|future)|after\s+(?:the\s+)?(?:study|trial|treatment)|"
    r"while\s+(?:on|in|participating)|prevention|outcomes?|loss|losses|history|"
    r"complications?|induced|related|associated|-related|-associated|-induced|termination|"
    r"terminated|wastage|at\s+delivery|tests?\s+(?:will|must|should|is\s+required|are\s+required)|"
    r"rates?|intention|plans?|desire)\b"
)
_PREGNANCY_KIND = re.compile(
    r"\b(?:ectopic|multiple|molar|twin|triplet|high-risk|high\s+risk|complicated|intrauterine|"
    r"tubal|abdominal|hypertensive|unwanted|unintended|previous|prior|recurrent|failed|"
    r"planned|future|normal|successful|term|preterm|full-term|viable|clinical)\s+(?:\w+\s+)?$"
)
_OF_PREGNANCY = re.compile(
    r"\b(?!weeks?\b|months?\b|trimester\b|stage\b|time\b|case\b|state\b|women\b)"
    r"(?:\w+)\s+(?:of|in|during)\s+(?:the\s+|a\s+|her\s+)?$"
)
_TEST_MODIFIERS = (
    r"(?:(?:serum|urine|urinary|blood|beta[\s-]?hcg|β-?hcg|b-?hcg|hcg|highly\s+sensitive|"
    r"sensitive|or|and|/|a|documented|confirmed)\s*)*"
)
_NEGATIVE_TEST_BEFORE = re.compile(r"\bnegative\s+" + _TEST_MODIFIERS + r"$")
_POSITIVE_TEST_BEFORE = re.compile(r"\bpositive\s+" + _TEST_MODIFIERS + r"$")
_RESTATED_NEGATION = re.compile(
    r"\b(?:cannot|can\s*not|must\s+not|should\s+not|may\s+not|not\s+be|no)\s+(?:be\s+)?"
    r"(?:currently\s+)?$"
)

_PREGNANCY = re.compile(r"\b(?:pregnan\w*|gravid\w*)\b")
_BREASTFEEDING = re.compile(
    # "Breastfed" is said of the child ("exclusively breastfed infants"), not the mother.
    r"\b(?:breast[\s-]?feed\w*|lactating|lactation\w*|lactational|"
    r"nursing(?!\s+(?:home|facilit|staff|care|student|personnel|assessment))|"
    r"breast[\s-]?milk)\b"
)


def _yes_no(s: str, pattern: re.Pattern[str], kind: Kind, key: str) -> tuple[list[_Found], bool]:
    """Yes/no facts for pregnancy or breastfeeding mentions in `s`.

    A mention gives `True` (is pregnant), `False` (is not: "non-pregnant", "negative
    pregnancy test", "must not be pregnant") or nothing (plans, history, kinds of
    pregnancy, a partner's, or a required test). In an exclusion item a restated
    requirement ("Cannot be pregnant or nursing") still means the pregnant patient is
    excluded; other negated mentions there are declined.
    """
    found: list[_Found] = []
    declined = False
    for m in pattern.finditer(s):
        start, end = m.start(), m.end()
        before = s[max(0, start - 60) : start]
        after = s[end : end + 60]
        clause_before = re.split(
            r"[;:]|\.\s|\bbut\b|\bexcept\b|\bunless\b|\bother\s+than\b|\bwho\b|\bwith\b|\(", before
        )[-1]
        span = (start, end)
        is_test = key == "pregnant" and bool(re.match(r"^\s*(?:tests?|testing)\b", after))
        if is_test:
            if _POSITIVE_TEST_BEFORE.search(clause_before) or re.match(
                r"^\s*tests?\s+(?:results?\s+)?(?:is\s+|was\s+|that\s+is\s+)?positive", after
            ):
                found.append(_Found(key, "eq", True, span))
            elif _NEGATIVE_TEST_BEFORE.search(clause_before) or re.match(
                r"^\s*tests?\s+(?:results?\s+)?(?:is\s+|was\s+|must\s+be\s+|should\s+be\s+)?negative",
                after,
            ):
                found.append(_Found(key, "eq", False, span))
            continue  # a test merely required says nothing
        if re.search(r"\bnon-?\s*$", before):
            found.append(_Found(key, "eq", False, span))
            continue
        if _PLAN.search(clause_before) or _PLAN_AFTER.match(after):
            continue
        if key == "pregnant" and (
            (kind == "exclusion" and _PREGNANCY_KIND.search(before[-30:]))
            or _OF_PREGNANCY.search(before[-30:])
            or re.search(r"\b(?:previous|prior|recurrent|failed|past)\s+(?:\w+\s+)?$", before)
        ):
            continue
        if re.match(
            r"^(?:\s*(?:,|or|and|/)\s*[a-z-]+){0,3}\s+(?:female\s+)?(?:partners?|spouses?|wives|wife)\b",
            after,
        ):
            continue  # "men with pregnant or lactating partners"
        if re.search(
            r"\b(?:partner|spouse|wife|husband|mother|infant|child(?![\s-]*bearing)|baby|babies|"
            r"neonat\w*|newborn)s?\b[^;.]{0,80}$",
            s[max(0, start - 120) : start],
        ):
            continue
        negation = _NEGATION_BEFORE.search(clause_before)
        if negation is not None and re.match(
            r"^(?:no|not)\s+(?:more|less|only|fewer|greater)", negation.group(0)
        ):
            negation = None
        negative_after = re.match(
            r"^\s*(?:-\s*)?(?:status\s+)?(?:is\s+)?(?:negative|excluded)", after
        )
        if negation is not None or negative_after:
            if kind == "inclusion":
                found.append(_Found(key, "eq", False, span))
            elif _RESTATED_NEGATION.search(clause_before):
                found.append(_Found(key, "eq", True, span))
            else:
                declined = True
            continue
        found.append(_Found(key, "eq", True, span))
    values = {f.value for f in found}
    if len(values) > 1:
        if kind == "exclusion":
            # "Pregnancy (disproved by a negative pregnancy test)": the test is the proof.
            return [f for f in found if f.value is True][:1], declined
        return [], True
    return found[:1], declined


_INFECTIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "hiv",
        re.compile(
            r"\b(?:hiv(?:[\s-]?(?:1|2|1/2|1\s*(?:and|or|/)\s*2))?|human\s+immunodeficiency\s+virus)"
            r"(?:\s*\(hiv\))?"
            r"(?:[\s-]*(?:infection|infected|positive|positivity|seropositiv\w*|seropositive|disease|antibod\w*\s+positive))?\b"
        ),
    ),
    (
        "hepatitis_b_surface_antigen",
        re.compile(
            r"\b(?:hbsag|hbs\s*ag|hepatitis\s+b\s*s\s*ag|hepatitis\s+b\s+surface\s+(?:antigen|ag)|hbv|"
            r"hepatitis\s+b(?:\s+virus)?)"
            r"(?:[\s-]*(?:infection|infected|positive|positivity|carrier|seropositive))?\b"
        ),
    ),
    (
        "hepatitis_c",
        re.compile(
            r"\b(?:hcv|hepatitis\s+c(?:\s+virus)?)(?:\s+antibody|\s+ab)?"
            r"(?:[\s-]*(?:infection|infected|positive|positivity|seropositive))?\b"
        ),
    ),
)
_INFECTION_NOT_STATUS = re.compile(
    r"^[\s-]*(?:(?:plasma|serum|blood)\s+)?(?:viral\s+load|rna|dna|vaccin\w*|treatment|therap\w*|"
    r"medication|drugs?|prophyla\w*|-?associated|-?related|core|e\s*antigen|eag|genotype|"
    r"status|exposure|testing|test|tests|screening|serolog\w*|risk|prevention|coinfect\w*|"
    r"co-infect\w*|neuropath\w*|dementia|encephalopath\w*|nephropath\w*|wasting|lymphoma|"
    r"cure|clearance|reactivation|immuni[sz]ation|immunity|immune)"
)
# What may follow a mention of the infection itself: a list separator, the end, or a
# word of status. Anything else makes the mention a modifier ("HIV-infected partner").
_INFECTION_STATUS_AFTER = re.compile(
    r"^\s*(?:$|[,;.)(\]/:]|or\b|and\b|nor\b|(?:-\s*)?(?:infection|infected|positive|"
    r"positivity|seropositiv\w*|disease|antibod\w*|antigen|carrier|serostatus|negative|"
    r"seronegative|negativity|at\b|in\b|within\b|who\b|with\b|are\b|is\b|was\b))"
)
_INFECTION_NOT_OWN = re.compile(
    r"(?:risk|exposure|partners?|spouses?|donors?|donated|vaccin\w*|prevent\w*|treat\w*|test\w*|"
    r"screen\w*|mothers?|born\s+to|status|unknown|(?<!positive\s)(?<!seropositive\s)for|"
    r"against|of\s+the|suspect\w*|"
    r"suspicious|suspicion|possible|probable|symptoms?|signs?|due\s+to|caused\s+by|"
    r"secondary\s+to|related\s+to|associated\s+with|attributable\s+to|other\s+than|"
    r"except(?:\s+for)?|excluding|apart\s+from|besides|but\s+not)"
    r"\s+(?:(?:of|for|to|with|a|an|the|primary|acute|chronic|known|active)\s+)*$"
)
_OTHER_INFECTIONS = re.compile(
    r"^(?:\s*(?:,|and/or|and|or|/)\s*(?:hepatitis\s+[bc](?:\s+virus)?|hbv|hcv|hdv|hiv(?:-?[12])?|"
    r"hbsag|htlv(?:-?[12])?))+"
)


_QUALIFIED_INFECTION = {
    "hiv": re.compile(
        r"\b(?:uncontrolled|poorly\s+controlled|not\s+controlled|untreated|unstable|"
        r"progressive|detectable|cd4|viral\s+load|rna|copies|aids[\s-]defining)\b"
    ),
    "hepatitis_b_surface_antigen": re.compile(
        r"\b(?:dna|viral\s+load|copies|iu\s*/\s*ml|replicat\w*|hbcab|core\s+antibod\w*|"
        r"uncontrolled|untreated|reactivation)\b"
    ),
    "hepatitis_c": re.compile(r"\b(?:uncontrolled|untreated)\b"),
}
_EXAMPLE = re.compile(
    r"\b(?:such\s+as|e\.g\.?|eg,|for\s+example|for\s+instance|like|i\.e\.?|including)(?:\W|$)"
)


def _infections(s: str, kind: Kind) -> tuple[list[_Found], bool]:
    """HIV, hepatitis B surface antigen and hepatitis C as yes/no, with negation.

    Only the patient's own current status counts: a partner's, a donor's, a risk, a
    test merely required, a suspicion, a cause of something else ("dementia due to
    HIV") or an example of a broader condition give nothing. In an exclusion item a
    negated mention is declined (it would exclude the patients who are free of it).
    """
    found: list[_Found] = []
    declined = False
    for key, pattern in _INFECTIONS:
        hits: list[_Found] = []
        for m in pattern.finditer(s):
            start, end = m.start(), m.end()
            before = s[max(0, start - 60) : start]
            # "(HBsAg) test": the restated abbreviation is skipped.
            after = re.sub(r"^\s*(?:\([^()]{1,15}\)|\))", "", s[end : end + 60])[:40]
            after_list = _OTHER_INFECTIONS.sub("", after)
            clause_before = re.split(r"[;:]|\.\s|\bbut\b|\bexcept\b|\bunless\b", before)[-1]
            if re.search(r"\bnegative\s+(?:[a-z]+\s+){0,2}$", clause_before) and not re.search(
                r"\bnegative\s+(?:for|to)\b", clause_before
            ):
                # "Negative hepatitis B surface antigen (HBsAg) test": free of it.
                if kind == "inclusion" and re.match(
                    r"^\s*(?:tests?|serolog\w*|screen\w*|$|[,;.])", after
                ):
                    hits.append(_Found(key, "eq", False, (start, end)))
                else:
                    declined = True
                continue
            if (
                kind == "inclusion"
                and re.search(r"\bnegative\s+$", clause_before)
                and re.match(r"^\s*(?:antibody\s+)?(?:tests?|serolog\w*|screen\w*)\b", after_list)
            ):
                hits.append(_Found(key, "eq", False, (start, end)))  # "negative HIV test"
                continue
            if (
                _INFECTION_NOT_STATUS.match(after)
                or _INFECTION_NOT_STATUS.match(after_list)
                or not _INFECTION_STATUS_AFTER.match(after_list)
                or _INFECTION_NOT_OWN.search(before[-40:])
                or re.search(r"\b(?:partner|spouse|donor|mother)s?\b", clause_before)
            ):
                declined = True
                continue
            if _EXAMPLE.search(clause_before):
                declined = True  # an example of a broader condition, not the condition
                continue
            negative_after = re.match(
                r"^[\s-]*(?:status\s+)?(?:is\s+|must\s+be\s+)?(?:negative|seronegative|negativity)",
                after,
            )
            negated = bool(_NEGATION_BEFORE.search(clause_before)) or bool(negative_after)
            if negated and kind == "exclusion":
                declined = True
                continue
            sentence_before = re.split(r";|\.\s", s[:start])[-1]
            if not negated and re.search(
                r"\b(?:no|not|without|negative|free|absence|absent|never|any|nor)\b",
                sentence_before,
            ):
                # "No known positivity for hepatitis B or hepatitis C": a negation (or
                # "any ... status") whose reach the drafter cannot tell.
                declined = True
                continue
            if not negated and kind == "exclusion" and _QUALIFIED_INFECTION[key].search(s):
                # "Active hepatitis B (HBsAg positive and HBV DNA >= 500 IU/mL)",
                # "uncontrolled HIV infection": an HBsAg-positive patient with no DNA, or
                # one whose HIV is controlled, may join; the question cannot tell them.
                declined = True
                continue
            hits.append(_Found(key, "eq", not negated, (start, end)))
        if hits and len({h.value for h in hits}) > 1:
            declined = True
            continue
        found.extend(hits[:1])
    return found, declined


# --- scores: ECOG performance status, NYHA class ------------------------------------

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4, "0": 0}
_ECOG = re.compile(
    r"\b(?:(?:ecog|eastern\s+cooperative\s+oncology\s+group|zubrod)"
    r"(?:\s*\((?:ecog|ps|who)\))?(?:\s+performance)?(?:\s+status|\s+score|\s+ps)?"
    r"|who\s+(?:performance\s+status|ps)\b)"
    r"(?:\s*\((?:ecog|ps|who)\))?\s*(?:score\s+)?(?:of\s+|:\s*|is\s+|must\s+be\s+)?"
    rf"(?P<op>{_CMP_ANY})?\s*(?P<values>[0-5](?:\s*(?:-|to|,|or|and|/)\s*[0-5])*)(?!\d|\.\d|\s*%)"
    r"|\bperformance\s+status\s*\((?:ecog|who|zubrod)\)\s*(?:score\s+)?(?:of\s+|:\s*)?"
    rf"(?P<op2>{_CMP_ANY})?\s*(?P<values2>[0-5](?:\s*(?:-|to|,|or|and|/)\s*[0-5])*)(?!\d|\.\d|\s*%)"
)
_NYHA = re.compile(
    r"\b(?:nyha|new\s+york\s+heart\s+association)(?:\s*\(nyha\))?"
    r"(?:\s+functional)?(?:\s+class(?:es|ification)?|\s+stage)?\s*(?:of\s+|:\s*)?"
    rf"(?P<op>{_CMP_ANY})?\s*"
    r"(?P<values>(?:iv|iii|ii|i|[1-4])(?:\s*(?:-|to|,|or|and|/)\s*(?:iv|iii|ii|i|[1-4]))*)\b"
)


def _scores(s: str, kind: Kind) -> list[_Found]:
    """ECOG performance status and NYHA class, as written ("ECOG 0-2", "NYHA III or IV")."""
    found: list[_Found] = []
    for key, pattern in (("ecog", _ECOG), ("nyha_class", _NYHA)):
        for m in pattern.finditer(s):
            words = m.group("values") or (m.groupdict().get("values2") or "")
            op_words = (m.group("op") or m.groupdict().get("op2") or "").strip()
            numbers = [_ROMAN[v] for v in re.findall(r"iv|iii|ii|i|[0-5]", words) if v in _ROMAN]
            low_limit, high_limit = NUMERIC_RANGES[key]
            if not numbers or any(not low_limit <= n <= high_limit for n in numbers):
                continue
            span = (m.start(), m.end())
            condition = _CONDITION.search(s[m.end() : m.end() + 50])
            if condition is not None and re.search(
                r"[\d<>≤≥=]|\b(?:with|who\s+have|aged?|older|younger|years|unless|if|except\w*|due)\b",
                s[m.end() + condition.start() : m.end() + condition.end() + 40],
            ):
                continue  # "ECOG <= 2 for patients >= 16 years old": under a condition
            if op_words:
                op = _op_of(op_words)
                if op is None or len(numbers) != 1:
                    continue
                if op == "eq":  # a lost "≤" or "≥": the healthier side in an inclusion
                    op = "le" if kind == "inclusion" else "ge"
                found.append(_Found(key, op, numbers[0], span))
                continue
            if len(numbers) == 1:
                if key == "ecog" and numbers[0] == 0 or kind == "exclusion":
                    found.append(_Found(key, "between", [numbers[0], numbers[0]], span))
                continue  # "ECOG 1" in an inclusion item: probably "0-1" shortened
            low, high = min(numbers), max(numbers)
            dash = re.search(r"-|to", words) is not None
            if not dash and sorted(set(numbers)) != list(range(low, high + 1)):
                continue  # "II or IV": not a range
            if low == low_limit:
                found.append(_Found(key, "le", high, span))
            elif high == high_limit:
                found.append(_Found(key, "ge", low, span))
            else:
                found.append(_Found(key, "between", [low, high], span))
    return found


# --- the drafter ------------------------------------------------------------------------

# Phrases that make a whole item unreadable as a plain rule.
_WHOLE_ITEM_DECLINE = re.compile(
    # A condition on the whole item ("if adolescent, age 18+ ..."; "only at the Berlin
    # site: ..."), the investigator's judgement, inline sub-criteria ("i) ... or ii) ..."),
    # or an item that is one of several alternatives ("SpO2 ≤ 94 % on room air, OR").
    r"\b(?:unless|(?<!included\s)(?<!eligible\s)(?<!enrolled\s)(?<!qualify\s)"
    r"if(?!\s+(?:known|applicable|available|any|needed|necessary|required)\b)|"
    r"except\s+(?:for|if|when|in)|only\s+(?:at|in|for|if|when|during)|"
    r"either(?!\s+(?:sex|gender))|"
    r"in\s+the\s+opinion|at\s+the\s+discretion|"
    r"investigator'?s?\s+(?:opinion|judgement|judgment|discretion)|opinion|judge?ments?|discretion|"
    # An exception or allowance ("except subjects with Gilbert syndrome, who can have
    # ...", "low dose warfarin is allowed, with an INR <= 1.5"), a count of alternatives,
    # a cohort, or a rule for a subgroup ("Participants with HBV infection must ...").
    r"except\w*|as\s+long\s+as|provided|allowed|permitted|"
    r"(?:one|two|three|\d)\s+(?:or\s+more\s+)?of\s+the\s+following|at\s+least\s+(?:one|two|\d)\s+of|"
    r"cohorts?|part\s+(?:\d|[a-c]\b|[ivx]+\b)|arm\s+(?:\d|[a-c]\b)|dose[\s-]escalation)\b"
    r"|^\W*(?:for|in)\s+(?:patients|participants|subjects|those|women|men|children|individuals)\b"
    # "Standard risk 2: patients must be 11 to 24 years of age": a label naming a subgroup.
    r"|^[^:]{0,40}\b(?:risk|group|cohort|arm|part|stratum|strata|phase|stage)\b[^:]{0,12}:\s"
    r"|\bor\s+(?:who\s+)?(?:meet|meets|fulfil\w*|satisf\w*)\b"
    r"|(?:^|[\s;,(])(?:i|a|1)\)\s.*[\s;,(](?:ii|b|2)\)\s"
    r"|\b(?:or|and/or)\W*$"
)


# A parent or group label under which a sub-item is not a rule on its own: a count of
# alternatives, a negation of the whole list, examples, a scoring system, a condition, or
# someone else than the patient.
_NOT_ALONE = re.compile(
    r"\b(?:two|three|four|\d)\s+(?:or\s+more\s+)?(?:of|from)\b|\bat\s+least\s+(?:two|three|\d)\b"
    r"|(?:^|\|\s*)(?:no|not|without|absence|free|neither|none|history|prior|previous)\b"
    r"|\b(?:no|not|without|absence\s+of|free\s+of|none\s+of)\b[^|]*:\s*(?:\||$)"
    r"|\b(?:such\s+as|e\.g\.?|for\s+example|for\s+instance|diagnos\w*|score|"
    r"(?<!inclusion\s)(?<!exclusion\s)(?<!eligibility\s)criteria\s+for|"
    r"points?|partners?|parents?|caregivers?|donors?|mothers?|"
    r"infants?|siblings?|healthy\s+(?:volunteers?|controls?)|controls?)\b"
)
# A lead that is a condition on the patient ("For participants in Part 2:", "Patients with
# ALL (except B-ALL) who fulfil the following:"): the sub-items hold only under it, so
# only the usual pregnancy status (not pregnant to join, pregnant excluded), which holds
# for every patient, is kept.
_LEAD_CONDITION = re.compile(
    r"\b(?:if|unless|except\w*|when|where|whose|cohorts?|parts?|arms?|groups?|"
    r"dose[\s-]escalation|expansion|sub-?stud\w*)\b|^\s*(?:for|in)\s"
)
# Alternatives: in an inclusion item each sub-item is then not required on its own (in
# an exclusion, any one of them excludes, so each stands).
_ALTERNATIVES = re.compile(
    r"\b(?:any|one|either)\s+(?:or\s+more\s+)?(?:of|from)\b|\bat\s+least\s+(?:one|1)\b"
    r"|\beither\b|\bor\s*:\s*(?:\||$)|\bone\s+or\s+more\b"
)


# A sentence that sets a rule for a subgroup ("Participants with HBV infection must be
# treated ...", "Patients known to be HIV positive are eligible if ..."): what it says
# holds only for them, so nothing in it is drafted.
_SUBGROUP_SENTENCE = re.compile(
    r"(?:^|[.;]\s+)\W*(?:patients|participants|subjects|those|individuals|women|men)\s+"
    r"(?:with|who|whose|known|diagnosed|having)\b[^.;]{0,160}?"
    r"\b(?:must|should|are\s+eligible|is\s+eligible|may|can|will\s+be(?!\s+excluded)|need)\b[^;]*?(?:[.;](?:\s|$)|$)"
    r"|(?:^|[.;]\s+)\W*[^.;]{0,40}?\b(?:hiv|hbv|hcv|hepatitis\s+[bc]|hbsag)\b[^.;]{0,30}?"
    r"(?:infected|positive)\s+(?:patients|participants|subjects|individuals|women|men)\s+"
    r"\b(?:must|should|are\s+eligible|is\s+eligible|may|can|will\s+be(?!\s+excluded)|need)\b[^;]*?(?:[.;](?:\s|$)|$)"
)


# A lead that restates the section ("Participants are excluded if any of the following
# apply:", "For inclusion, patients must fulfil the following criteria:", "All cohorts:").
_RESTATES_SECTION = re.compile(
    r"\b(?:eligib\w*|includ\w*|inclusion|exclud\w*|exclusion|enrol\w*|participat\w*|criteria|"
    r"qualif\w*)\b[^|]*\bfollowing\b|^\W*(?:all|both)\s+(?:cohorts|parts|arms|groups|participants|"
    r"patients|subjects)\W*$|^\W*(?:study\s+)?(?:participants|patients|subjects)\W*$"
    r"|^\W*(?:the\s+)?(?:key\s+|main\s+|general\s+)?(?:inclusion|exclusion|eligibility)\s+criteria\b"
)


def _stands_alone(lead: str, kind: Kind) -> str:
    """How an item under `lead` (parents and group label, " | "-joined) stands: "alone",
    "conditional" (only the usual pregnancy status holds) or "not" (nothing is drafted)."""
    standing = "alone"
    for segment in _normalise(lead).split(" | "):
        if kind == "inclusion" and _ALTERNATIVES.search(segment):
            return "not"
        if _RESTATES_SECTION.search(segment) and not re.search(
            r"\b(?:two|three|four|\d)\s+(?:or\s+more\s+)?of\b|\bat\s+least\s+(?:two|three|\d)\b",
            segment,
        ):
            continue
        if _NOT_ALONE.search(segment):
            return "not"
        if _LEAD_CONDITION.search(segment):
            standing = "conditional"
    return standing


_SUBGROUP_ONLY = re.compile(
    r"\b(?:appl(?:y|ies)|applicable|relevant|restricted)\s+(?:only\s+)?(?:to|for)\b|"
    r"\bonly\s+(?:to|for|at|in)\s|\bsites?\s*:"
)
_NOT_EXCLUDED = re.compile(
    r"\b(?:not|never)\s+(?:be\s+)?excluded|\b(?:are|is|remain|be)\s+(?:still\s+)?eligible"
)
# An item that offers alternatives or examples of a class ("at least one additional risk
# factor", "risk factors include age > 65, ..."): no part of it is required alone.
_ALTERNATIVE_ITEM = re.compile(
    r"\bat\s+least\s+(?:one|two|three)\s+(?!years?|months?|weeks?|days?)|\bone\s+or\s+more\b|"
    r"\brisk\s+factors?\b|\bany\s+one\s+of\b|\b(?:one|two|three)\s+of\s+the\b"
)


# "greater than or equal to (≥) 15": the sign restated in brackets, blanked (same length).
_RESTATED_SIGN = re.compile(r"\(\s*(?:≥|≤|<|>|=|>=|<=|=>|=<)\s*\)")


def draft_criterion(text: str, kind: Kind, lead: str = "") -> DraftedRule | None:
    """A rule for one criterion `text` of `kind`, or None when none is read confidently.

    The rule is met when the criterion is: for an exclusion, met means the patient is
    excluded ("Pregnant or breastfeeding" -> any of pregnant = true, breastfeeding =
    true). `lead` is the text a nested item sits under (`CriteriaItem.lead`): under a
    parent that offers alternatives ("any of the following:"), negates its sub-items
    ("No significant cardiac disease, including:"), or a group label that is a
    condition ("For participants in Part 2:"), the item is not a rule on its own and
    nothing is drafted. Never raises.
    """
    try:
        standing = _stands_alone(lead, kind) if lead else "alone"
        if standing == "not":
            return None
        return _draft(text or "", kind, usual_pregnancy_only=standing == "conditional")
    except Exception:  # a drafter must never break an import: propose nothing
        return None


def _draft(text: str, kind: Kind, usual_pregnancy_only: bool = False) -> DraftedRule | None:
    if len(text) > 2000 or kind not in ("inclusion", "exclusion"):
        return None
    s = _RESTATED_SIGN.sub(lambda m: " " * len(m.group(0)), _normalise(text))
    ages, _age_declined = _ages(s)
    measurements, _measure_declined = _measurements(s)
    pregnancy, _p = _yes_no(s, _PREGNANCY, kind, "pregnant")
    breastfeeding, _b = _yes_no(s, _BREASTFEEDING, kind, "breastfeeding")
    infections, _i = _infections(s, kind)
    pressures, _bp = _blood_pressures(s)
    found = ages + measurements + pressures + pregnancy + breastfeeding + infections
    found += _scores(s, kind)
    for sentence in _SUBGROUP_SENTENCE.finditer(s):
        found = [f for f in found if not sentence.start() <= f.span[0] < sentence.end()]
    if not found:
        return None
    if _SUBGROUP_ONLY.search(s):
        # "This criterion applies only to patients who will receive chemotherapy".
        return None
    booleans = {f.value for f in found if f.key in BOOLEAN_KEYS}
    if kind == "inclusion" and len(booleans) > 1:
        # "Agree not to be pregnant, breastfeeding, or planning ...": one reading says
        # not pregnant, the other breastfeeding: the negation's reach is not plain.
        found = [f for f in found if f.key not in BOOLEAN_KEYS]
    if (
        usual_pregnancy_only
        or _WHOLE_ITEM_DECLINE.search(s)
        or _ALTERNATIVE_ITEM.search(s)
        # "Patients whose disease is controlled should not be excluded".
        or (kind == "exclusion" and _NOT_EXCLUDED.search(s))
    ):
        # Keep the yes/no status of pregnancy and breastfeeding (their rules and their
        # negations are read mention by mention) where it points the usual way (not
        # pregnant to join, pregnant excluded); bounds under a condition are dropped.
        usual = kind == "exclusion"
        found = [f for f in found if f.key in ("pregnant", "breastfeeding") and f.value is usual]
    example = _EXAMPLE_MARK.search(s)
    if example is not None:
        # "Risk factors include, e.g., age > 65": what follows an example marker is not
        # a requirement of its own.
        found = [
            f
            for f in found
            if f.key in ("pregnant", "breastfeeding") or f.span[0] < example.start()
        ]
    infection_values = {f.value for f in found if f.key in _INFECTION_KEYS}
    if len(infection_values) > 1:
        # "No known HCV infection or known history of hepatitis B": one reading says free
        # of one and the other says infected: the negation's reach is not plain.
        found = [f for f in found if f.key not in _INFECTION_KEYS]
    if (
        kind == "inclusion"
        and (_measure_declined or _age_declined)
        and re.search(r"\bor\b", s)
        and any(f.key in NUMERIC_RANGES for f in found)
    ):
        # "Creatinine <= 1.5 x ULN or GFR >= 60": one alternative unread; the other alone
        # would turn away the patients who meet the first.
        found = [f for f in found if f.key not in NUMERIC_RANGES]
    if (
        kind == "exclusion"
        and re.search(r"\band\b", s)
        and not re.search(r"\bor\b", s)
        and _unread_compared_concept(s, found)
    ):
        # "Coagulopathy defined by INR >= 1.2 and platelets <= 80,000": the unread
        # part would make a broader exclusion than the text's.
        found = [f for f in found if f.key not in NUMERIC_RANGES]
    if kind == "inclusion" and _ALTERNATIVE_OR.search(s) and _unread_compared_concept(s, found):
        # "Creatinine <= institutional ULN OR GFR >= 50": the unread alternative.
        found = [f for f in found if f.key not in NUMERIC_RANGES]
    found = [resolved for f in found if (resolved := _resolve_sign(f, kind, s)) is not None]
    by_key: dict[str, list[_Found]] = {}
    for f in found:
        by_key.setdefault(f.key, []).append(f)
    parts: list[tuple[int, Rule, list[_Found]]] = []
    for group in by_key.values():
        part = _key_part(group, kind)
        if part is not None:
            rule_part, used = part
            parts.append((min(f.span[0] for f in used), rule_part, used))
    if not parts:
        return None
    parts = _merge_reading(parts)
    parts.sort(key=lambda part: part[0])
    rules = [rule_part for _start, rule_part, _used in parts]
    used_all = [f for _start, _rule, used in parts for f in used]
    last_end = max(f.span[1] for f in used_all)
    if (
        kind == "inclusion"
        and len(rules) > 1
        and re.match(
            r"^[^;.]{0,6}\bor\b(?!\s+(?:more|less|greater|higher|lower|equal))", s[last_end:]
        )
        and not _joined_by_or(s, [used[0] for _s, _r, used in parts])
    ):
        # "HIV, HBV, HCV or TP infection": a list whose last alternative is unread.
        return None
    if (
        kind == "inclusion"
        and sum(f.value is True for f in used_all if f.key in _INFECTION_KEYS) > 1
    ):
        # Two conditions required at once in an inclusion ("HIV, HBV and HCV"): rarely
        # meant; more often a list of alternatives or an exclusion filed as inclusion.
        return None
    if len(rules) == 1:
        rule: Rule = rules[0]
    elif kind == "inclusion" and all(
        f.value is False and f.key in BOOLEAN_KEYS for _s, _r, used in parts for f in used
    ):
        # "Not pregnant or breastfeeding": the negation covers both; each must hold.
        rule = {"all": rules}
    elif (
        kind == "exclusion"
        and all(f.key in NUMERIC_RANGES for _s, _r, used in parts for f in used)
        and _joined_by_and(s, [used[0] for _s, _r, used in parts])
    ):
        # "Systolic BP ≥ 140 mmHg and BMI > 30": read literally, both must hold to
        # exclude; the reading that turns fewer patients away.
        rule = {"all": rules}
    elif kind == "exclusion" and _joined_by_relative(s, [used[0] for _s, _r, used in parts]):
        # "Younger than 70 years who have an ECOG status of 0 or 1": both must hold, and
        # what else the clause says is not read: declined.
        return None
    elif kind == "exclusion" or _joined_by_or(s, [used[0] for _s, _r, used in parts]):
        # Read literally: "bilirubin < 2 mg/dL or SGOT < 3 x ULN" is met by either. Of the
        # two readings it is the one that never turns away a patient the text admits.
        rule = {"any": rules}
    else:
        rule = {"all": rules}
    facts = tuple(_fact(f) for f in used_all)
    spans = tuple(sorted({f.span for f in used_all}))
    return DraftedRule(rule=rule, spans=spans, facts=facts)


def _merge_reading(
    parts: list[tuple[int, Rule, list[_Found]]],
) -> list[tuple[int, Rule, list[_Found]]]:
    """The two numbers of one blood pressure reading as one part ("> 140/90": either)."""
    reading = [
        part
        for part in parts
        if len(part[2]) == 1
        and part[2][0].key in ("systolic_bp_mmhg", "diastolic_bp_mmhg")
        and part[2][0].pair_join
    ]
    if len(reading) != 2 or reading[0][2][0].span != reading[1][2][0].span:
        return parts
    join = "any" if reading[0][2][0].pair_join == "or" else "all"
    merged = (
        min(reading[0][0], reading[1][0]),
        {join: [reading[0][1], reading[1][1]]},
        reading[0][2] + reading[1][2],
    )
    return [part for part in parts if part not in reading] + [merged]


def _key_part(group: list[_Found], kind: Kind) -> tuple[Rule, list[_Found]] | None:
    """The rule for one key's comparisons in an item, or None when they disagree.

    One comparison (or the same one repeated) stands as it is. A lower and an upper
    bound ("BMI > 21 and < 35", "< 100 or > 600") are a range: inside it when joined by
    "and" or in an inclusion item, outside it when joined by "or" or in an exclusion.
    Anything else ("< 2.5 × ULN, or < 5 × ULN with liver metastases") is a condition:
    declined.
    """
    distinct = {(f.op, repr(f.value)) for f in group}
    if len(distinct) == 1:
        f = group[0]
        return {"q": f.key, "op": f.op, "value": f.value}, [f]
    if len(group) != 2:
        return None
    lows = [f for f in group if f.op in ("ge", "gt")]
    highs = [f for f in group if f.op in ("le", "lt")]
    if len(lows) != 1 or len(highs) != 1:
        return None
    low, high = lows[0], highs[0]
    join = low.pair_join or high.pair_join
    outside = join == "or" or (not join and kind == "exclusion")
    if outside:
        if not high.value < low.value:
            return None
        return {
            "any": [
                {"q": high.key, "op": high.op, "value": high.value},
                {"q": low.key, "op": low.op, "value": low.value},
            ]
        }, [high, low]
    if not low.value < high.value:
        return None
    if low.key == "age":
        start = low.value + (1 if low.op == "gt" else 0)
        end = high.value - (1 if high.op == "lt" else 0)
        if start >= end:
            return None
        span = (min(low.span[0], high.span[0]), max(low.span[1], high.span[1]))
        merged = _Found("age", "between", [start, end], span)
        return {"q": "age", "op": "between", "value": [start, end]}, [merged]
    if low.op == "ge" and high.op == "le":
        merged = _Found(low.key, "between", [low.value, high.value], low.span)
        return {"q": low.key, "op": "between", "value": [low.value, high.value]}, [merged]
    return {
        "all": [
            {"q": low.key, "op": low.op, "value": low.value},
            {"q": high.key, "op": high.op, "value": high.value},
        ]
    }, [low, high]


def _joined_by_and(s: str, kept: list[_Found]) -> bool:
    """Whether every pair of neighbours is joined by a plain "and" (no "or", no list)."""
    for left, right in zip(kept, kept[1:], strict=False):
        between = s[left.span[1] : right.span[0]]
        if not re.fullmatch(r"[\s,]*\band\b(?!/)[^,;]*", between) or re.search(r"\bor\b", between):
            return False
    return len(kept) > 1


# An "or" that joins alternatives, not one of "18 years or older", "≥ or =".
_ALTERNATIVE_OR = re.compile(
    r"\bor\b(?!\s+(?:older|younger|over|under|above|below|more|less|greater|higher|lower|"
    r"equal|=|up\b|beyond))"
)


def _unread_compared_concept(s: str, found: list[_Found]) -> bool:
    """Whether a measured concept with a comparator after it gave no fact, or a comparison
    lies outside everything read ("Shortening fraction > 29 % and/or LVEF >= 50 %")."""
    for compared in re.finditer(r"[<>≤≥]\s*\d", s):
        if not any(f.span[0] <= compared.start() < f.span[1] + 1 for f in found):
            return True
    read = {f.key for f in found}
    for match in _CONCEPT_RE.finditer(s):
        group = next((g for g, v in match.groupdict().items() if v is not None), None)
        key = _CONCEPT_BY_GROUP.get(group or "", "")
        if key in read:
            continue
        if re.match(
            rf"^[^;.\d]{{0,25}}?(?:{_CMP_ANY})\s*(?:\d|(?:the\s+)?(?:institutional|upper|uln|normal|lln))",
            s[match.end() : match.end() + 60],
        ):
            return True
    return False


def _joined_by_relative(s: str, kept: list[_Found]) -> bool:
    """Whether a neighbour is joined by a relative clause ("who have", "with", "whose")."""
    for left, right in zip(kept, kept[1:], strict=False):
        between = s[left.span[1] : right.span[0]]
        if re.search(
            r"\b(?:who|whose|with|while|when|in|on|at|during|after|plus)\b", between
        ) and not re.search(r"\bor\b|[,;]", between):
            return True
    return False


def _joined_by_or(s: str, kept: list[_Found]) -> bool:
    for left, right in zip(kept, kept[1:], strict=False):
        if re.search(r"\bor\b", s[left.span[1] : right.span[0]]):
            return True
    return False


# An "=" lost from "≥"/"≤" before a lab value: in an inclusion item it usually keeps the
# patient within healthy limits (a lower bound for these, an upper bound for the others).
_HEALTHY_ABOVE = frozenset(
    {
        "hemoglobin_g_dl",
        "platelets_10e9_l",
        "neutrophils_10e9_l",
        "cd4_10e6_l",
        "gfr_ml_min",
        "creatinine_clearance_ml_min",
        "lvef_pct",
        "albumin_g_dl",
        "oxygen_saturation_pct",
    }
)
_HEALTHY_BELOW = frozenset(
    {
        "ast_alt_x_uln",
        "alkaline_phosphatase_x_uln",
        "creatinine_mg_dl",
        "bilirubin_mg_dl",
        "inr",
        "qtc_ms",
    }
)
# Words that say the item describes a disease state, where a lost sign may point the
# other way ("severe left ventricular dysfunction with an EF = 40%").
_DISEASE_WORDS = re.compile(
    r"\b(?:dysfunction|failure|impair\w*|reduced|insufficien\w*|severe|low|decreased|"
    r"abnormal\w*|elevated|high|deficien\w*|an(?:a)?emi\w*|thrombocytop\w*|neutropen\w*|"
    r"disease|damage|obes\w*|overweight|underweight|malnutrition|cachexi\w*|lean|normal)\b"
)


def _resolve_sign(f: _Found, kind: Kind, s: str) -> _Found | None:
    """A bound with its sign; None for an "=" whose lost sign cannot be told.

    Transcription often turns "≥" and "≤" (never "<" or ">") into "=" ("Age = 18
    years"); an "=" before a measurement is never a real requirement of equality. It is
    read only where the direction is plain:
    * of two bounds read together, the first is the lower, the second the upper;
    * an age alone in an inclusion item is a lower bound (upper bounds alone are rare
      there); in an exclusion an age of majority is an upper bound ("≤ 17"), an old age
      a lower one ("≥ 80");
    * a BMI of 25 or more is a lower bound (overweight and obesity);
    * a lab value in an item that names no disease state keeps the patient within
      healthy limits in an inclusion item, and outside them in an exclusion.
    Every other "=" is declined.
    """
    if f.op != "eq" or f.key not in NUMERIC_RANGES:
        return f

    def signed(op: str) -> _Found:
        return _Found(f.key, op, f.value, f.span, True, f.pair_join)

    if f.pair_join:
        return None  # a range's lost signs are read by position in _read_values
    if f.key == "age":
        if not isinstance(f.value, int):
            return None
        if kind == "inclusion" and 2 <= f.value <= 90:
            return signed("ge")
        if kind == "exclusion" and 12 <= f.value <= 21:
            return signed("le")
        if kind == "exclusion" and 50 <= f.value <= 100:
            return signed("ge")
        return None
    if f.key == "bmi":
        return signed("ge") if f.value >= 25 else None
    if _DISEASE_WORDS.search(s):
        return None
    if f.key in _HEALTHY_ABOVE:
        return signed("ge" if kind == "inclusion" else "le")
    if f.key in _HEALTHY_BELOW:
        return signed("le" if kind == "inclusion" else "ge")
    return None


def _fact(f: _Found) -> dict[str, Any]:
    comparator = {
        "lt": "<",
        "le": "<=",
        "gt": ">",
        "ge": ">=",
        "eq": "=",
        "ne": "!=",
        "between": "between",
    }[f.op]
    return {"key": f.key, "comparator": comparator, "value": f.value}
