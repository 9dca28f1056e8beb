"""The pure part of "Find trials for me": distance, ranking, which question next."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.eligibility import EXCLUSION, INCLUSION, CriterionSpec
from screening.matching.engine import (
    QuestionDomain,
    Shape,
    answer_samples,
    choose_questions,
    rank_key,
)
from trials.geo import EARTH_RADIUS_KM, bounding_box, distance_km

DOMAINS = {
    "age": QuestionDomain("age", "integer", 0, 120, order=0),
    "sex": QuestionDomain("sex", "choice", choices=("female", "male", "other"), order=1),
    "pregnant": QuestionDomain("pregnant", "boolean", order=2),
    "smoker": QuestionDomain("smoker", "boolean", order=3),
    "fvc": QuestionDomain("fvc", "number", 0, 150, known=0.4, order=4),
    "height_cm": QuestionDomain("height_cm", "number", 50, 250, order=5),
    "weight_kg": QuestionDomain("weight_kg", "number", 20, 350, order=6),
}


def spec(kind, key, op, value, number="1"):
    return CriterionSpec(
        kind=kind, number=number, text="", rule={"q": key, "op": op, "value": value}
    )


def shape(*specs, count=1):
    return Shape(specs=tuple(specs), members=list(range(count)))


def test_distance_of_one_degree_along_the_equator_is_the_arc_by_hand():
    # 2 * pi * R / 360, R = 6371.0088 km: 111.195 km.
    assert distance_km(0, 0, 0, 1) == pytest.approx(2 * math.pi * EARTH_RADIUS_KM / 360, rel=1e-9)
    assert distance_km(0, 0, 0, 1) == pytest.approx(111.195, abs=0.001)


def test_distance_from_the_equator_to_the_pole_is_a_quarter_circle():
    assert distance_km(0, 0, 90, 0) == pytest.approx(math.pi * EARTH_RADIUS_KM / 2, rel=1e-9)


def test_distance_montreal_to_toronto_by_hand():
    # Montreal (45.50884, -73.58781) to Toronto (43.65107, -79.347015), computed by hand
    # with the haversine: Δφ = -1.85777°, Δλ = -5.759205°;
    # a = sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2) = 0.00026280 + 0.00128; a = 0.0015425;
    # d = 2 R asin(√a) = 500.6 km (road atlases give about 504 km between the centres).
    assert distance_km(45.50884, -73.58781, 43.65107, -79.347015) == pytest.approx(500.6, abs=0.1)


@given(
    st.floats(-89, 89),
    st.floats(-179, 179),
    st.floats(1, 2000),
    st.floats(0, 1),
    st.floats(0, 1),
)
def test_every_point_within_reach_lies_in_the_bounding_box(lat, lon, km, bearing, share):
    # A point at share*km in some direction is inside the box.
    low, high, west, east = bounding_box(lat, lon, km)
    d = share * km / EARTH_RADIUS_KM
    theta = bearing * 2 * math.pi
    phi1, lam1 = math.radians(lat), math.radians(lon)
    phi2 = math.asin(math.sin(phi1) * math.cos(d) + math.cos(phi1) * math.sin(d) * math.cos(theta))
    lam2 = lam1 + math.atan2(
        math.sin(theta) * math.sin(d) * math.cos(phi1),
        math.cos(d) - math.sin(phi1) * math.sin(phi2),
    )
    lat2, lon2 = math.degrees(phi2), (math.degrees(lam2) + 540) % 360 - 180
    assert distance_km(lat, lon, lat2, lon2) <= km + 1e-6
    assert low - 1e-9 <= lat2 <= high + 1e-9
    assert west - 1e-9 <= lon2 <= east + 1e-9


def test_matches_rank_by_verdict_then_score_then_distance():
    rows = [
        ("needs_review", 0.9, 5.0, "NCT3"),
        ("likely_eligible", 0.5, 900.0, "NCT1"),
        ("needs_review", 0.9, 2.0, "NCT2"),
        ("needs_review", 0.5, 1.0, "NCT4"),
        ("needs_review", 0.9, None, "NCT5"),
    ]
    ranked = sorted(rows, key=lambda r: rank_key(*r))
    assert [r[3] for r in ranked] == ["NCT1", "NCT2", "NCT3", "NCT5", "NCT4"]


def test_the_question_that_splits_the_most_trials_comes_first():
    # Three trials exclude smokers; one trial excludes pregnancy.
    catalogue = [
        shape(spec(EXCLUSION, "smoker", "eq", True), count=3),
        shape(spec(EXCLUSION, "pregnant", "eq", True), count=1),
    ]
    choice = choose_questions(catalogue, {"age": 40}, DOMAINS, page_size=1)
    assert choice.keys == ("smoker",)
    # Either answer settles each trial (not eligible, or likely eligible).
    assert choice.gains["smoker"] == pytest.approx(3.0)
    assert choice.gains["pregnant"] == pytest.approx(1.0)
    assert choice.possible == 4 and choice.settled == 0


def test_an_answer_few_patients_know_weighs_less():
    # Each trial also has an item only its team checks, so only a ruling-out answer
    # changes a verdict. FVC < 70 rules out two trials on 70/150 of the range, but few
    # patients know their FVC (0.4); half of the answers to "smoker" rule out one trial.
    team = CriterionSpec(kind=INCLUSION, number="published", text="", rule=None)
    catalogue = [
        shape(spec(INCLUSION, "fvc", "ge", 70), team, count=2),
        shape(spec(EXCLUSION, "smoker", "eq", True), team, count=1),
    ]
    choice = choose_questions(catalogue, {}, DOMAINS, page_size=1)
    assert choice.gains["fvc"] == pytest.approx(2 * (70 / 150) * 0.4)
    assert choice.gains["smoker"] == pytest.approx(0.5)
    assert choice.keys == ("smoker",)


def test_a_question_no_candidate_reads_is_never_asked_and_the_flow_stops_when_all_is_settled():
    catalogue = [shape(spec(EXCLUSION, "smoker", "eq", True), count=2)]
    assert choose_questions(catalogue, {}, DOMAINS).keys == ("smoker",)
    # Answered, even "I don't know": nothing left that could change a verdict.
    for answer in (True, False, None):
        done = choose_questions(catalogue, {"smoker": answer}, DOMAINS)
        assert done.keys == ()
    assert choose_questions(catalogue, {"smoker": False}, DOMAINS).settled == 2


def test_trials_already_ruled_out_do_not_draw_questions():
    catalogue = [
        shape(spec(INCLUSION, "age", "ge", 18), spec(EXCLUSION, "smoker", "eq", True), count=5),
        shape(spec(EXCLUSION, "pregnant", "eq", True), count=1),
    ]
    choice = choose_questions(catalogue, {"age": 12}, DOMAINS)
    assert choice.keys == ("pregnant",)
    assert choice.possible == 1


def test_a_derived_value_is_asked_through_its_inputs_together():
    catalogue = [shape(spec(INCLUSION, "bmi", "le", 30), count=2)]
    choice = choose_questions(catalogue, {}, DOMAINS)
    assert choice.keys == ("height_cm", "weight_kg")
    assert choose_questions(catalogue, {"height_cm": None}, DOMAINS).keys == ()


def test_the_askable_set_limits_the_questions():
    catalogue = [shape(spec(EXCLUSION, "smoker", "eq", True), count=3)]
    assert choose_questions(catalogue, {}, DOMAINS, askable={"pregnant"}).keys == ()


@given(st.lists(st.integers(0, 120), max_size=6))
def test_number_samples_weigh_one_in_all_and_cover_every_range(limits):
    samples = answer_samples(DOMAINS["age"], limits)
    assert sum(weight for _value, weight in samples) == pytest.approx(1.0, abs=0.02)
    for limit in set(limits):
        assert any(value == limit for value, _weight in samples)


def test_any_left_answers_whether_a_question_remains_without_ranking_them_all():
    catalogue = [
        shape(spec(EXCLUSION, "smoker", "eq", True), count=3),
        shape(spec(EXCLUSION, "pregnant", "eq", True), count=1),
    ]
    assert choose_questions(catalogue, {}, DOMAINS, any_left=True).keys
    done = {"smoker": False, "pregnant": None}
    assert choose_questions(catalogue, done, DOMAINS, any_left=True).keys == ()
