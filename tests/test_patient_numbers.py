"""Numbers a patient types: one parser, never a silently different number.

Persona: a patient who copies values from a lab report, on the English or the French
page, with the report's separators, units and spaces.
"""

import math
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import assume, given
from hypothesis import strategies as st

from screening.models import Draft
from screening.numbers import (
    NOT_A_NUMBER,
    OUT_OF_RANGE,
    SPACED_DIGITS,
    number_format,
    number_read,
    unit_hint,
)
from screening.patient.forms import QuestionsForm, meant_name, unknown_name
from screening.questions import QUESTIONS
from tests.patient_journey import AGNES_ANSWERS, reference_trial, step_keys, step_post

NARROW_NBSP, NBSP, THIN = "\u202f", "\u00a0", "\u2009"


def read(text, key, language="en"):
    q = QUESTIONS[key]
    return number_read(
        text, language=language, minimum=q.min, maximum=q.max, whole=q.type == "integer"
    )


@pytest.mark.parametrize(
    ("text", "key", "language", "value"),
    [
        # The field's example: a CD4 count with a thousands comma, on the English page.
        ("1,150", "cd4_10e6_l", "en", "1150"),
        ("1,150", "cd4_10e6_l", "fr", "1.15"),  # French: the comma is the decimal mark
        (f"1{NARROW_NBSP}150", "cd4_10e6_l", "fr", "1150"),
        (f"1{NBSP}150", "cd4_10e6_l", "en", "1150"),
        (f"1{THIN}150,5", "cd4_10e6_l", "fr", "1150.5"),
        ("1 150", "cd4_10e6_l", "fr", "1150"),
        ("1'150", "cd4_10e6_l", "en", "1150"),
        ("1,150.5", "cd4_10e6_l", "fr", "1150.5"),
        ("1.150,5", "cd4_10e6_l", "en", "1150.5"),
        ("12,5", "hemoglobin_g_dl", "en", "12.5"),  # one reading only: 2 decimals
        ("12.5", "hemoglobin_g_dl", "fr", "12.5"),
        # The range decides: 2500 g/dL is impossible, 2.5 is not.
        ("2,500", "hemoglobin_g_dl", "en", "2.5"),
        ("1.150", "platelets_10e9_l", "en", "1.15"),
        ("1,500", "mrss", "fr", None),  # 1.5 is not whole, 1500 above 51: refused
        # 250000 ×10⁹/L is impossible: the comma can only be a decimal mark here.
        ("250,000", "platelets_10e9_l", "en", "250"),
        ("+40", "age", "en", "40"),
        (".5", "ast_alt_x_uln", "en", "0.5"),
    ],
)
def test_separators_and_locales_are_read_as_the_patient_wrote_them(text, key, language, value):
    result = read(text, key, language)
    assert result.value == (Decimal(value) if value else None)
    if value is None:
        assert result.problem == OUT_OF_RANGE


@pytest.mark.parametrize("text", ["5 4", "11 50", "1 15", "1 1500", "0 150", "12 5,5"])
def test_digits_split_by_spaces_are_refused(text):
    assert read(text, "cd4_10e6_l").problem == SPACED_DIGITS


@pytest.mark.parametrize(
    "text", ["1e3", "NaN", "inf", "12 g/dL", "1,15,0", "1.2.3", "1,5.3", "--4", "1'150 000", "٣"]
)
def test_what_is_not_a_usual_number_is_refused(text):
    assert read(text, "cd4_10e6_l").problem == NOT_A_NUMBER


@pytest.mark.parametrize(
    ("text", "key", "language"),
    [
        ("1.150", "cd4_10e6_l", "fr"),
        ("1.500", "platelets_10e9_l", "fr"),
        ("1,150", "cd4_10e6_l", "de"),
    ],
)
def test_two_readings_that_both_fit_are_asked_not_guessed(text, key, language):
    result = read(text, key, language)
    assert result.value is None and not result.problem
    assert len(result.choices) == 2


@pytest.mark.parametrize(
    ("key", "typed", "unit", "converted"),
    [
        ("hemoglobin_g_dl", "115", "g/L", "11.5"),
        ("platelets_10e9_l", "250000", "/µL (/mm³)", "250"),
        ("height_cm", "1.72", "m", "172"),
        ("weight_kg", "440", "lb", "199.58"),
    ],
)
def test_a_value_that_fits_a_common_other_unit_gets_a_hint(key, typed, unit, converted):
    q = QUESTIONS[key]
    hint = unit_hint(key, Decimal(typed), minimum=q.min, maximum=q.max)
    assert hint is not None and (hint.unit, hint.converted) == (unit, Decimal(converted))
    assert unit_hint(key, Decimal(converted), minimum=q.min, maximum=q.max) is None


# A value as a person writes it in each locale's usual form.
def english(value: Decimal, grouped: bool) -> str:
    return f"{value:,f}" if grouped else f"{value:f}"


def french(value: Decimal, grouped: bool, space: str) -> str:
    text = f"{value:,f}".replace(",", space) if grouped else f"{value:f}"
    return text.replace(".", ",")


NUMBER_KEYS = [k for k, q in QUESTIONS.items() if q.type in ("number", "integer")]


@st.composite
def typed_values(draw):
    key = draw(st.sampled_from(NUMBER_KEYS))
    q = QUESTIONS[key]
    places = 0 if q.type == "integer" else draw(st.integers(0, 3))
    step = Decimal(1).scaleb(-places)
    low = math.ceil(Decimal(str(q.min)) / step)
    high = math.floor(Decimal(str(q.max)) / step)
    assume(low <= high)
    value = (draw(st.integers(low, high)) * step).normalize()
    return key, value


@given(
    typed=typed_values(),
    language=st.sampled_from(["en", "fr"]),
    grouped=st.booleans(),
    space=st.sampled_from([" ", NBSP, NARROW_NBSP, THIN]),
)
def test_a_value_typed_in_a_locales_usual_form_is_read_as_that_value_or_refused(
    typed, language, grouped, space
):
    key, value = typed
    text = english(value, grouped) if language == "en" else french(value, grouped, space)
    result = read(text, key, language)
    if result.value is not None:
        assert result.value == value, (text, language)
    else:
        # Never a different number: asked (with the value among the choices) or refused.
        assert value in result.choices or result.problem, (text, result)
    # The plain form (no grouping, "." as on a phone's keypad) reads the same on any page.
    plain = read(f"{value:f}", key, language)
    assert plain.value == value or value in plain.choices


@given(
    value=st.decimals(min_value=0, max_value=10**6, places=2),
    language=st.sampled_from(["en", "fr"]),
)
def test_number_format_is_read_back_as_the_same_value(value, language):
    text = number_format(value, language=language)
    result = number_read(text, language=language)
    assert result.value == value or value in result.choices


# The questionnaire's form, on each language.


def form(data, keys, language="en", answers=None):
    return QuestionsForm(
        data, questions=[QUESTIONS[k] for k in keys], language=language, answers=answers
    )


def test_errors_name_the_question_and_give_the_unit_hint():
    f = form({"hemoglobin_g_dl": "115"}, ["hemoglobin_g_dl"])
    assert not f.is_valid()
    (message,) = f.errors["hemoglobin_g_dl"]
    assert "haemoglobin" in message and "from 2 to 25 g/dL" in message
    assert "If your report gives it in g/L, divide by 10: 11.5 g/dL." in message
    f = form({"cd4_10e6_l": "5 4"}, ["cd4_10e6_l"])
    assert not f.is_valid()
    assert "CD4 count without spaces between the digits" in f.errors["cd4_10e6_l"][0]
    f = form({"age": "forty"}, ["age"])
    assert not f.is_valid() and "Enter your age as a number, like 12." in f.errors["age"][0]
    f = form({"cd4_10e6_l": "x"}, ["cd4_10e6_l"], language="fr")
    assert not f.is_valid() and "like 12,5" in f.errors["cd4_10e6_l"][0]


def test_an_ambiguous_value_is_asked_and_the_choice_is_kept():
    f = form({"cd4_10e6_l": "1.150"}, ["cd4_10e6_l"], language="fr")
    assert not f.is_valid()
    item = next(iter(f))
    assert item.meant_choices == (("1.15", "1,15"), ("1150", "1150"))
    f = form({"cd4_10e6_l": "1.150", meant_name("cd4_10e6_l"): "1150"}, ["cd4_10e6_l"], "fr")
    assert f.is_valid(), f.errors
    assert f.answers() == {"cd4_10e6_l": 1150}
    # A choice that is not one of the readings is asked again.
    f = form({"cd4_10e6_l": "1.150", meant_name("cd4_10e6_l"): "115"}, ["cd4_10e6_l"], "fr")
    assert not f.is_valid()


def test_i_dont_know_is_a_choice_like_any_other_for_numbers():
    f = form({"cd4_10e6_l": "", unknown_name("cd4_10e6_l"): "on"}, ["cd4_10e6_l"])
    assert f.is_valid() and f.answers() == {"cd4_10e6_l": None}
    both = form({"cd4_10e6_l": "800", unknown_name("cd4_10e6_l"): "on"}, ["cd4_10e6_l"])
    assert not both.is_valid()
    item = next(iter(both))
    assert not item.unknown_selected  # shown unselected: saving again keeps the number
    neither = form({"cd4_10e6_l": ""}, ["cd4_10e6_l"])
    assert not neither.is_valid()
    assert "Enter your CD4 count, or choose “I don't know”." in neither.errors["cd4_10e6_l"]


def test_a_saved_number_is_shown_in_the_pages_style():
    f = form(None, ["hemoglobin_g_dl"], language="fr", answers={"hemoglobin_g_dl": 12.5})
    assert f.initial["hemoglobin_g_dl"] == "12,5"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "typed", "stored"),
    [("en", "1,150", 1150), ("fr", f"1{NARROW_NBSP}150", 1150), ("fr", "0,9", 0.9)],
)
def test_the_questionnaire_stores_the_value_the_patient_meant(client, language, typed, stored):
    trial = reference_trial()
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    client.post(reverse("screening:start", args=[trial.nct_id]), {"action": "start"}, **headers)
    url = reverse("screening:step", args=[trial.nct_id, "tests"])
    page = client.get(url, **headers).content.decode()
    assert 'class="form-check choice dont-know"' in page and 'type="radio"' in page
    data = step_post(step_keys(page), AGNES_ANSWERS)
    data["cd4_10e6_l"] = typed
    data.pop(unknown_name("cd4_10e6_l"), None)
    response = client.post(url, data, **headers)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Draft.objects.get().answers["cd4_10e6_l"] == stored


@pytest.mark.django_db
def test_a_refused_number_saves_nothing_and_says_which_question(client):
    trial = reference_trial()
    client.post(reverse("screening:start", args=[trial.nct_id]), {"action": "start"})
    url = reverse("screening:step", args=[trial.nct_id, "tests"])
    data = step_post(step_keys(client.get(url).content.decode()), AGNES_ANSWERS)
    data["hemoglobin_g_dl"] = "115"
    data.pop(unknown_name("hemoglobin_g_dl"), None)
    response = client.post(url, data)
    assert response.status_code == 400
    assert "divide by 10: 11.5 g/dL" in response.content.decode()
    assert Draft.objects.get().completed_steps == []
