"""Unit conversion through pint (screening/engine/units.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.engine.units import convert, hba1c_ifcc_from_ngsp, hba1c_ngsp_from_ifcc


@pytest.mark.parametrize(
    "value, unit, key, expected",
    [
        (120, "g/L", "hemoglobin_g_dl", 12.0),
        (12, "g/dL", "hemoglobin_g_dl", 12.0),
        (35, "g/L", "albumin_g_dl", 3.5),
        (88.4, "µmol/L", "creatinine_mg_dl", 1.0),
        (88.4, "umol/l", "creatinine_mg_dl", 1.0),
        (1.5, "mg/dL", "creatinine_mg_dl", 1.5),
        (17.1, "µmol/L", "bilirubin_mg_dl", 1.0),
        (5.5, "mmol/L", "glucose_mg_dl", 99.1),
        (1500, "cells/µL", "neutrophils_10e9_l", 1.5),
        (100, "10^3/µL", "platelets_10e9_l", 100.0),
        (4.5, "mEq/L", "potassium_mmol_l", 4.5),
        (150, "lb", "weight_kg", 68.04),
        (5.5, "months", "age", 0.4583),
    ],
)
def test_conversions_into_the_questions_unit(
    value: float, unit: str, key: str, expected: float
) -> None:
    assert convert(value, unit, key) == pytest.approx(expected, rel=2e-3)


def test_hba1c_uses_the_ifcc_ngsp_master_equation() -> None:
    assert convert(53, "mmol/mol", "hba1c_pct") == pytest.approx(7.0, abs=0.01)
    assert convert(7, "%", "hba1c_pct") == 7
    assert hba1c_ifcc_from_ngsp(hba1c_ngsp_from_ifcc(64)) == pytest.approx(64)


@pytest.mark.parametrize(
    "value, unit, key",
    [
        (80, "U/L", "ast_alt_x_uln"),  # an absolute enzyme activity is not a multiple of ULN
        (1.5, "mmol/mol", "creatinine_mg_dl"),  # a ratio is not a concentration
        (3, "kg", "creatinine_mg_dl"),
        (3, "furlongs", "weight_kg"),
        (3, "mg/dL", "no_such_key"),
    ],
)
def test_units_that_do_not_fit_give_none(value: float, unit: str, key: str) -> None:
    assert convert(value, unit, key) is None


@given(st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12))
def test_any_value_and_unit_convert_or_give_none(value: float, unit: str) -> None:
    result = convert(value, unit, "creatinine_mg_dl")
    assert result is None or isinstance(result, float)
