"""Unit conversion for measurements, through pint (no hand-written factor tables).

Pure Python, no Django. `convert(value, unit, key) -> float | None` gives `value`,
written in `unit`, in the unit of the question-bank `key`, or None when the unit is not
one this module knows for that key (the caller then proposes nothing).

Substance-specific conversions use molar masses, so pint's "substance" context does the
arithmetic:
* creatinine 113.12 g/mol: 88.4 µmol/L = 1 mg/dL;
* bilirubin 584.66 g/mol: 17.1 µmol/L = 1 mg/dL;
* glucose 180.16 g/mol: 1 mmol/L = 18.0 mg/dL;
* haemoglobin (monomer) 16,114.5 g/mol: 1 mmol/L = 1.611 g/dL (the factor Chia's
  gold uses).
HbA1c IFCC (mmol/mol) to NGSP (%) is not a unit change but a calibration line, the
IFCC-NGSP master equation: NGSP % = 0.09148 × IFCC + 2.152 (Hoelzel W. et al., Clin
Chem 2004;50:166-174; NGSP, "IFCC Standardization of HbA1c").
Cell counts: 1 cell/µL = 10⁻³ × 10⁹/L; "G/L", "K/µL" and "10³/µL" are 10⁹/L.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import pint

_MOLAR_MASS_G_PER_MOL = {
    "creatinine_mg_dl": 113.12,
    "bilirubin_mg_dl": 584.66,
    "glucose_mg_dl": 180.16,
    "hemoglobin_g_dl": 16114.5,
}

# Each key's unit, as pint reads it, and the written units accepted for it.
KEY_UNITS: dict[str, str] = {
    "age": "year",
    "height_cm": "centimeter",
    "weight_kg": "kilogram",
    "bmi": "kilogram / meter ** 2",
    "hemoglobin_g_dl": "gram / deciliter",
    "albumin_g_dl": "gram / deciliter",
    "creatinine_mg_dl": "milligram / deciliter",
    "bilirubin_mg_dl": "milligram / deciliter",
    "glucose_mg_dl": "milligram / deciliter",
    "potassium_mmol_l": "millimole / liter",
    "platelets_10e9_l": "gigacount / liter",
    "neutrophils_10e9_l": "gigacount / liter",
    "wbc_10e9_l": "gigacount / liter",
    "cd4_10e6_l": "megacount / liter",
    "gfr_ml_min": "milliliter / minute",
    "creatinine_clearance_ml_min": "milliliter / minute",
    "spap_mmhg": "mmHg",
    "mpap_mmhg": "mmHg",
    "systolic_bp_mmhg": "mmHg",
    "diastolic_bp_mmhg": "mmHg",
    "heart_rate_bpm": "1 / minute",
    "qtc_ms": "millisecond",
}

# Written unit (lower-cased, spaces removed, µ/μ/mc as u) -> pint expression.
_WRITTEN: dict[str, str] = {
    "years": "year",
    "year": "year",
    "yrs": "year",
    "yr": "year",
    "y": "year",
    "months": "month",
    "month": "month",
    "cm": "centimeter",
    "m": "meter",
    "in": "inch",
    "inches": "inch",
    "kg": "kilogram",
    "lb": "pound",
    "lbs": "pound",
    "pounds": "pound",
    "g": "gram",
    "kg/m2": "kilogram / meter ** 2",
    "kg/m^2": "kilogram / meter ** 2",
    "kg/m²": "kilogram / meter ** 2",
    "g/dl": "gram / deciliter",
    "gm/dl": "gram / deciliter",
    "gr/dl": "gram / deciliter",
    "g/l": "gram / liter",
    "mg/dl": "milligram / deciliter",
    "mg/l": "milligram / liter",
    "umol/l": "micromole / liter",
    "mmol/l": "millimole / liter",
    "meq/l": "millimole / liter",
    "10^9/l": "gigacount / liter",
    "x10^9/l": "gigacount / liter",
    "g/l(cells)": "gigacount / liter",
    "10^3/ul": "kilocount / microliter",
    "x10^3/ul": "kilocount / microliter",
    "10^3/mm3": "kilocount / millimeter ** 3",
    "k/ul": "kilocount / microliter",
    "/ul": "count / microliter",
    "cells/ul": "count / microliter",
    "/mm3": "count / millimeter ** 3",
    "cells/mm3": "count / millimeter ** 3",
    "10^6/l": "megacount / liter",
    "ml/min": "milliliter / minute",
    "ml/min/1.73m2": "milliliter / minute",
    "ml/min/1.73m^2": "milliliter / minute",
    "ml/min/1.73": "milliliter / minute",
    "ml/min/1,73m2": "milliliter / minute",
    "mmhg": "mmHg",
    "bpm": "1 / minute",
    "beats/min": "1 / minute",
    "/min": "1 / minute",
    "ms": "millisecond",
    "msec": "millisecond",
}


@lru_cache(maxsize=1)
def _registry() -> Any:
    registry: Any = pint.UnitRegistry(cache_folder=None)
    return registry


def unit_name(written: str) -> str:
    """A written unit in the form `_WRITTEN` is keyed by ("µmol/L" -> "umol/l")."""
    name = written.lower().replace(" ", "").replace("µ", "u").replace("μ", "u")
    name = name.replace("mcl", "ul").replace("mcmol", "umol").replace("×", "x")
    name = name.replace("³", "3").replace("²", "2").replace("⁹", "^9").replace("⁶", "^6")
    name = re.sub(r"^x?10\*?\^?e?(\d)", r"10^\1", name)
    return name


@lru_cache(maxsize=8192)
def convert(value: float, written_unit: str, key: str) -> float | None:
    """`value` in `written_unit` as a number in `key`'s unit, or None if not convertible.

    >>> convert(1.5, "mg/dL", "creatinine_mg_dl")
    1.5
    >>> round(convert(120, "g/L", "hemoglobin_g_dl"), 3)
    12.0
    """
    target = KEY_UNITS.get(key)
    name = unit_name(written_unit)
    if key == "hba1c_pct":
        if name in ("%", "percent"):
            return value
        if name == "mmol/mol":
            return hba1c_ngsp_from_ifcc(value)
        return None
    if target is None or name not in _WRITTEN:
        return None
    registry = _registry()
    try:
        quantity = registry.Quantity(value, _WRITTEN[name])
        target_unit = registry.parse_units(target)
        if quantity.dimensionality != target_unit.dimensionality:
            mass = _MOLAR_MASS_G_PER_MOL.get(key)
            if mass is None:
                return None
            molar_mass = registry.Quantity(mass, "gram / mole")
            if quantity.check("[substance] / [length] ** 3"):
                quantity = quantity * molar_mass
            elif quantity.check("[mass] / [length] ** 3"):
                quantity = quantity / molar_mass
            else:
                return None
        result = quantity.to(target_unit).magnitude
    except (pint.errors.PintError, ValueError, TypeError, ZeroDivisionError):
        return None
    return float(result)


def hba1c_ngsp_from_ifcc(mmol_per_mol: float) -> float:
    """HbA1c in % (NGSP/DCCT) from mmol/mol (IFCC), by the IFCC-NGSP master equation.

    NGSP = 0.09148 × IFCC + 2.152 (Hoelzel et al., Clin Chem 2004;50:166-174); 53 mmol/mol
    is 7.0 %.
    """
    return 0.09148 * mmol_per_mol + 2.152


def hba1c_ifcc_from_ngsp(percent: float) -> float:
    """HbA1c in mmol/mol (IFCC) from % (NGSP): the master equation solved for IFCC."""
    return (percent - 2.152) / 0.09148
