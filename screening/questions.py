"""The question bank: every question the portal can ask a patient, by key.

The keys, types, units and ranges of the reference trial's questions are a public
contract (`/work/shared/trials/NCT04356287.md`): the questionnaire's form fields, the
stored answers, the API and `manage.py screen` all use them.

Answers are plain JSON values keyed by question; missing or None means "I don't know".
`answers_validate` is the one gate every answer set passes before it is evaluated
or stored.

Design notes
* ``ask_if`` is a rule in the criteria's own language (see `screening.eligibility`).
  A question is asked unless its ``ask_if`` is *known* to be false, so an unanswered
  earlier question never hides a later one. Skip logic only hides a question when no
  criterion can depend on it then: ``willing_contraception`` is skipped for a patient
  who is pregnant, because "pregnant or not willing to use contraception" is already
  met; ``stopped_standard_therapy_adverse_events`` is skipped once the patient said
  standard treatment did not help enough, because either answer meets inclusion 3.
  ``pregnant`` is asked of everyone (the help says to answer No when pregnancy is
  impossible), since hiding it from men would leave that exclusion unknown.
* ``healthy_volunteer`` serves the basic rule of trials that do not accept healthy
  volunteers (ClinicalTrials.gov ``healthyVolunteers: false``): "Are you applying as a
  healthy volunteer, without the illness this study is about?" A Yes excludes.
* ``sex`` is the sex the study's listing restricts on (female / male), with "other"
  for patients to whom neither applies; see `screening.selectors` for how the basic
  rule treats it.
* ``bmi`` is derived from height and weight, never asked (`eligibility.DERIVED`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from screening.eligibility import DERIVED, Rule, answers_with_derived, rule_test
from screening.numbers import number_readings

BOOLEAN = "boolean"
INTEGER = "integer"
NUMBER = "number"
CHOICE = "choice"
MULTI = "multi"
DATE = "date"
TYPES = (BOOLEAN, INTEGER, NUMBER, CHOICE, MULTI, DATE)

# The form value of the "I don't know" choice (with ``from_form=True``), like "".
DONT_KNOW = "unknown"

# The questionnaire's steps, in the order a patient meets them.
STEPS: tuple[tuple[str, Promise], ...] = (
    ("about_you", _("About you")),
    ("diagnosis", _("Your diagnosis")),
    ("tests", _("Your test results")),
    ("organs", _("Your lungs, heart and kidneys")),
    ("treatments", _("Your treatments")),
    ("other_health", _("Other health matters")),
)
STEP_ORDER = {key: index for index, (key, _label) in enumerate(STEPS)}


# eq=False: questions are singletons of the bank, hashable by identity (ask_if is a dict).
@dataclass(frozen=True, eq=False)
class Question:
    """One question of the bank.

    `text` is the question as the patient reads it, `help` explains the term and where
    to find the value, `label` names the answer inside a sentence ("your skin score").
    `clinical` questions get an explicit "I don't know" choice in the form; every answer
    may be unknown all the same. `choices` are (value, label) pairs for choice/multi.
    """

    key: str
    type: str
    text: Promise
    help: Promise | str = ""
    unit: Promise | str = ""
    min: float | None = None
    max: float | None = None
    choices: tuple[tuple[str, Promise], ...] = ()
    ask_if: Rule | None = None
    step: str = "about_you"
    clinical: bool = False
    label: Promise | str = field(default="")

    def asked(self, answers: Mapping[str, Any]) -> bool:
        """Whether to ask, given answers so far: unless `ask_if` is known to be false."""
        if self.ask_if is None:
            return True
        truth, _facts = rule_test(self.ask_if, answers_with_derived(answers))
        return truth is not False


def _q(key: str, type_: str, step: str, text: Promise, **extra: Any) -> Question:
    return Question(key=key, type=type_, step=step, text=text, **extra)


YES_NO_HELP_NOT_APPLICABLE = _("If this does not apply to you, answer Yes.")

_BANK: tuple[Question, ...] = (
    # About you
    _q(
        "age",
        INTEGER,
        "about_you",
        _("How old are you?"),
        unit=_("years"),
        min=0,
        max=120,
        label=_("age"),
        help=_("Your age in full years."),
    ),
    _q(
        "sex",
        CHOICE,
        "about_you",
        _("What is your sex?"),
        label=_("sex"),
        choices=(("female", _("Female")), ("male", _("Male")), ("other", _("Other"))),
        help=_(
            "Some studies are open to one sex only, for medical reasons. The study "
            "team can talk this through with you."
        ),
    ),
    _q(
        "healthy_volunteer",
        BOOLEAN,
        "about_you",
        _("Are you applying as a healthy volunteer, without the illness this study is about?"),
        label=_("healthy volunteer"),
        help=_("Answer No if you have the illness the study is about."),
    ),
    _q(
        "height_cm",
        NUMBER,
        "about_you",
        _("How tall are you?"),
        unit=_("cm"),
        min=50,
        max=250,
        label=_("height"),
        help=_("In centimetres. 5 feet 6 inches is about 168 cm."),
    ),
    _q(
        "weight_kg",
        NUMBER,
        "about_you",
        _("How much do you weigh?"),
        unit=_("kg"),
        min=20,
        max=350,
        label=_("weight"),
        help=_("In kilograms. 150 pounds is about 68 kg."),
    ),
    _q(
        "pregnant",
        BOOLEAN,
        "about_you",
        _("Are you pregnant?"),
        label=_("pregnancy"),
        help=_("If you cannot become pregnant, answer No."),
    ),
    _q(
        "breastfeeding",
        BOOLEAN,
        "about_you",
        _("Are you breastfeeding?"),
        label=_("breastfeeding"),
        help=_("If you are not breastfeeding, or cannot be, answer No."),
    ),
    _q(
        "willing_contraception",
        BOOLEAN,
        "about_you",
        _("Would you be willing to use reliable birth control during the study?"),
        label=_("birth control"),
        ask_if={"q": "pregnant", "op": "ne", "value": True},
        help=YES_NO_HELP_NOT_APPLICABLE,
    ),
    # Diagnosis
    _q(
        "ssc_diagnosis",
        BOOLEAN,
        "diagnosis",
        _("Has a doctor told you that you have systemic sclerosis (scleroderma)?"),
        label=_("diagnosis"),
        clinical=True,
        help=_(
            "Systemic sclerosis, also called scleroderma, makes the skin and sometimes "
            "inner organs hard and thick. Your rheumatologist can confirm it."
        ),
    ),
    _q(
        "disease_duration_years",
        NUMBER,
        "diagnosis",
        _("How many years ago did your first symptom other than Raynaud's start?"),
        unit=_("years"),
        min=0,
        max=80,
        clinical=True,
        label=_("illness duration"),
        help=_(
            "Count from the first sign that was not Raynaud's (fingers turning white or "
            "blue in the cold), for example puffy fingers or skin thickening. "
            "Half a year is 0.5."
        ),
    ),
    _q(
        "mrss",
        INTEGER,
        "diagnosis",
        _("Your skin score (modified Rodnan skin score, 0–51)"),
        min=0,
        max=51,
        clinical=True,
        label=_("skin score"),
        help=_(
            "Your doctor measures how thick your skin is at 17 places on your body and "
            "adds it up, from 0 to 51. It is often written as “mRSS” in your clinic "
            "letters."
        ),
    ),
    # Test results
    _q(
        "esr_mm_h",
        NUMBER,
        "tests",
        _("Your sedimentation rate (ESR)"),
        unit=_("mm/h"),
        min=0,
        max=200,
        clinical=True,
        label=_("sedimentation rate (ESR)"),
        help=_("A blood test for inflammation, on your blood test report as “ESR” or “sed rate”."),
    ),
    _q(
        "hemoglobin_g_dl",
        NUMBER,
        "tests",
        _("Your haemoglobin"),
        unit=_("g/dL"),
        min=2,
        max=25,
        clinical=True,
        label=_("haemoglobin"),
        help=_(
            "On your blood count report as “Hb” or “HGB”. If it is given in g/L, divide "
            "by 10 (120 g/L is 12 g/dL)."
        ),
    ),
    _q(
        "neutrophils_10e9_l",
        NUMBER,
        "tests",
        _("Your neutrophil count"),
        unit=_("×10⁹/L"),
        min=0,
        max=100,
        clinical=True,
        label=_("neutrophil count"),
        help=_(
            "A type of white blood cell, on your blood count report as “neutrophils” or “NEUT”."
        ),
    ),
    _q(
        "platelets_10e9_l",
        NUMBER,
        "tests",
        _("Your platelet count"),
        unit=_("×10⁹/L"),
        min=0,
        max=2000,
        clinical=True,
        label=_("platelet count"),
        help=_("On your blood count report as “platelets” or “PLT”."),
    ),
    _q(
        "cd4_10e6_l",
        NUMBER,
        "tests",
        _("Your CD4 count"),
        unit=_("×10⁶/L"),
        min=0,
        max=5000,
        clinical=True,
        label=_("CD4 count"),
        help=_(
            "A special blood test of one kind of immune cell (CD4+ T cells). Most "
            "people have not had it: answer “I don't know”."
        ),
    ),
    _q(
        "ast_alt_x_uln",
        NUMBER,
        "tests",
        _("Your highest liver test (AST or ALT), as a multiple of the upper normal limit"),
        unit=_("× upper limit"),
        min=0,
        max=100,
        clinical=True,
        label=_("liver test"),
        help=_(
            "Take the higher of AST and ALT on your blood test report and divide it by "
            "the top of its normal range. A result of 90 with a normal range up to 45 "
            "is 2."
        ),
    ),
    _q(
        "gfr_ml_min",
        NUMBER,
        "tests",
        _("Your kidney filtration rate (GFR)"),
        unit=_("mL/min"),
        min=0,
        max=200,
        clinical=True,
        label=_("kidney filtration rate (GFR)"),
        help=_(
            "How well your kidneys clean the blood, on your blood test report as “eGFR” or “GFR”."
        ),
    ),
    # Test results added for drafted criteria (issue 12): values a patient can read on
    # a recent lab report, in the units most reports use; the drafter converts the
    # trial's unit into these (screening/engine/units.py).
    _q(
        "creatinine_mg_dl",
        NUMBER,
        "tests",
        _("Your creatinine"),
        unit=_("mg/dL"),
        min=0.1,
        max=20,
        clinical=True,
        label=_("creatinine"),
        help=_(
            "A kidney blood test, on your report as “creatinine” or “CREA”. If it is "
            "given in µmol/L, divide by 88.4 (88 µmol/L is about 1.0 mg/dL)."
        ),
    ),
    _q(
        "creatinine_clearance_ml_min",
        NUMBER,
        "tests",
        _("Your creatinine clearance"),
        unit=_("mL/min"),
        min=0,
        max=200,
        clinical=True,
        label=_("creatinine clearance"),
        help=_(
            "How fast your kidneys clear creatinine, worked out by your doctor or from a "
            "24-hour urine collection; on your report as “CrCl” or “creatinine clearance”. "
            "It is not the same as eGFR."
        ),
    ),
    _q(
        "bilirubin_mg_dl",
        NUMBER,
        "tests",
        _("Your bilirubin"),
        unit=_("mg/dL"),
        min=0.1,
        max=30,
        clinical=True,
        label=_("bilirubin"),
        help=_(
            "A liver blood test, on your report as “total bilirubin” or “BILI”. If it is "
            "given in µmol/L, divide by 17.1 (17 µmol/L is about 1.0 mg/dL)."
        ),
    ),
    _q(
        "albumin_g_dl",
        NUMBER,
        "tests",
        _("Your albumin"),
        unit=_("g/dL"),
        min=1,
        max=7,
        clinical=True,
        label=_("albumin"),
        help=_(
            "A blood protein, on your report as “albumin” or “ALB”. If it is given in "
            "g/L, divide by 10 (40 g/L is 4.0 g/dL)."
        ),
    ),
    _q(
        "alkaline_phosphatase_x_uln",
        NUMBER,
        "tests",
        _("Your alkaline phosphatase, as a multiple of the upper normal limit"),
        unit=_("× upper limit"),
        min=0,
        max=100,
        clinical=True,
        label=_("alkaline phosphatase"),
        help=_(
            "On your liver blood tests as “ALP” or “alkaline phosphatase”. Divide your "
            "result by the top of its normal range: 240 with a normal range up to 120 is 2."
        ),
    ),
    _q(
        "hba1c_pct",
        NUMBER,
        "tests",
        _("Your HbA1c (average blood sugar)"),
        unit=_("%"),
        min=3,
        max=20,
        clinical=True,
        label=_("HbA1c"),
        help=_(
            "A diabetes blood test, on your report as “HbA1c” or “A1c”. If it is given in "
            "mmol/mol, 53 mmol/mol is 7.0 %."
        ),
    ),
    _q(
        "glucose_mg_dl",
        NUMBER,
        "tests",
        _("Your fasting blood sugar (glucose)"),
        unit=_("mg/dL"),
        min=20,
        max=800,
        clinical=True,
        label=_("blood sugar"),
        help=_(
            "A blood test taken before eating, on your report as “glucose” or “GLU”. If "
            "it is given in mmol/L, multiply by 18 (5.5 mmol/L is 99 mg/dL)."
        ),
    ),
    _q(
        "potassium_mmol_l",
        NUMBER,
        "tests",
        _("Your potassium"),
        unit=_("mmol/L"),
        min=1.5,
        max=9,
        clinical=True,
        label=_("potassium"),
        help=_("A blood salt, on your report as “potassium” or “K”; mEq/L is the same number."),
    ),
    _q(
        "inr",
        NUMBER,
        "tests",
        _("Your INR (blood clotting test)"),
        min=0.5,
        max=10,
        clinical=True,
        label=_("INR"),
        help=_(
            "A clotting test, on your report as “INR”; people taking warfarin have it "
            "checked often. It has no unit."
        ),
    ),
    _q(
        "wbc_10e9_l",
        NUMBER,
        "tests",
        _("Your white blood cell count"),
        unit=_("×10⁹/L"),
        min=0,
        max=200,
        clinical=True,
        label=_("white blood cell count"),
        help=_(
            "On your blood count report as “WBC” or “leukocytes”. A count per µL is "
            "divided by 1,000 (6,500/µL is 6.5)."
        ),
    ),
    # Lungs, heart and kidneys
    _q(
        "fvc_pct_predicted",
        NUMBER,
        "organs",
        _("Your lung volume (FVC, % predicted)"),
        unit=_("%"),
        min=5,
        max=200,
        clinical=True,
        label=_("lung volume (FVC)"),
        help=_(
            "How much air you can blow out, compared with people like you. On your lung "
            "function test report as “FVC % predicted” or “FVC %pred”."
        ),
    ),
    _q(
        "dlco_pct_predicted",
        NUMBER,
        "organs",
        _("Your lung gas transfer (DLCO, % predicted)"),
        unit=_("%"),
        min=5,
        max=200,
        clinical=True,
        label=_("lung gas transfer (DLCO)"),
        help=_(
            "How well your lungs pass oxygen into the blood. On your lung function test "
            "report as “DLCO % predicted”; use the value corrected for haemoglobin if "
            "there is one."
        ),
    ),
    _q(
        "ild_on_imaging",
        BOOLEAN,
        "organs",
        _("Has a chest X-ray or CT scan shown lung scarring (interstitial lung disease)?"),
        label=_("lung scarring on a scan"),
        clinical=True,
        help=_(
            "Your doctor may call it “ILD”, “lung fibrosis” or “interstitial lung "
            "disease”. It is written on the report of your chest X-ray or "
            "high-resolution CT scan."
        ),
    ),
    _q(
        "past_renal_crisis",
        BOOLEAN,
        "organs",
        _("Have you ever had a scleroderma renal crisis?"),
        label=_("renal crisis"),
        clinical=True,
        help=_(
            "A sudden kidney problem of scleroderma, usually with very high blood "
            "pressure, often treated in hospital."
        ),
    ),
    _q(
        "cardiac_involvement",
        BOOLEAN,
        "organs",
        _("Has scleroderma affected your heart?"),
        label=_("heart involvement"),
        clinical=True,
        help=_(
            "For example heart failure that got better with treatment, repeated "
            "episodes of a fast or irregular heartbeat (atrial fibrillation or flutter), "
            "a heart block (2nd or 3rd degree), or a small to moderate amount of fluid "
            "around the heart. Your cardiologist's letters will say."
        ),
    ),
    _q(
        "lvef_pct",
        NUMBER,
        "organs",
        _("Your heart pumping strength (ejection fraction, LVEF)"),
        unit=_("%"),
        min=5,
        max=90,
        clinical=True,
        label=_("heart pumping strength (LVEF)"),
        help=_("On your heart ultrasound (echocardiogram) report as “EF” or “LVEF”."),
    ),
    _q(
        "spap_mmhg",
        NUMBER,
        "organs",
        _("Your lung artery pressure on a heart ultrasound (sPAP)"),
        unit=_("mmHg"),
        min=0,
        max=150,
        clinical=True,
        label=_("lung artery pressure on ultrasound (sPAP)"),
        help=_("On your echocardiogram report as “sPAP”, “PASP” or “RVSP”, measured at rest."),
    ),
    _q(
        "mpap_mmhg",
        NUMBER,
        "organs",
        _("Your mean lung artery pressure from a right heart catheter (mPAP)"),
        unit=_("mmHg"),
        min=0,
        max=100,
        clinical=True,
        label=_("mean lung artery pressure (mPAP)"),
        help=_(
            "Only if you have had a right heart catheterisation: the report gives “mPAP”. "
            "Otherwise answer “I don't know”."
        ),
    ),
    _q(
        "systolic_bp_mmhg",
        NUMBER,
        "organs",
        _("Your blood pressure: the top number (systolic)"),
        unit=_("mmHg"),
        min=60,
        max=260,
        clinical=True,
        label=_("systolic blood pressure"),
        help=_("The first, higher number of a reading such as 130/80, measured at rest."),
    ),
    _q(
        "diastolic_bp_mmhg",
        NUMBER,
        "organs",
        _("Your blood pressure: the bottom number (diastolic)"),
        unit=_("mmHg"),
        min=30,
        max=160,
        clinical=True,
        label=_("diastolic blood pressure"),
        help=_("The second, lower number of a reading such as 130/80, measured at rest."),
    ),
    _q(
        "heart_rate_bpm",
        NUMBER,
        "organs",
        _("Your resting heart rate (pulse)"),
        unit=_("beats per minute"),
        min=20,
        max=250,
        clinical=True,
        label=_("heart rate"),
        help=_(
            "Count your pulse for one minute while sitting quietly, or read it from a "
            "blood pressure monitor."
        ),
    ),
    _q(
        "qtc_ms",
        NUMBER,
        "organs",
        _("Your QTc interval on a heart tracing (ECG)"),
        unit=_("ms"),
        min=250,
        max=700,
        clinical=True,
        label=_("QTc interval"),
        help=_(
            "Printed at the top of an ECG (heart tracing) as “QTc”, in milliseconds. "
            "If you have not had an ECG, answer “I don't know”."
        ),
    ),
    _q(
        "oxygen_saturation_pct",
        NUMBER,
        "organs",
        _("Your oxygen level (oxygen saturation) at rest, breathing room air"),
        unit=_("%"),
        min=50,
        max=100,
        clinical=True,
        label=_("oxygen saturation"),
        help=_("The number a finger clip (pulse oximeter) shows as “SpO₂”, for example 97 %."),
    ),
    _q(
        "fev1_pct_predicted",
        NUMBER,
        "organs",
        _("Your breathing test result (FEV1, % predicted)"),
        unit=_("%"),
        min=5,
        max=200,
        clinical=True,
        label=_("FEV1"),
        help=_(
            "How much air you can blow out in one second, compared with people like you. "
            "On your lung function test report as “FEV1 % predicted”."
        ),
    ),
    _q(
        "nyha_class",
        INTEGER,
        "organs",
        _("If you have heart failure, which class has your heart doctor given it (NYHA)?"),
        min=1,
        max=4,
        clinical=True,
        label=_("heart failure class (NYHA)"),
        help=_(
            "From 1 (no limits on ordinary activity) to 4 (symptoms even at rest), often "
            "written I to IV in your cardiologist's letters. Without heart failure, "
            "answer “I don't know”."
        ),
    ),
    # Treatments
    _q(
        "inadequate_response_3_months",
        BOOLEAN,
        "treatments",
        _(
            "Have you taken methotrexate and/or mycophenolate for at least 3 months without "
            "enough improvement?"
        ),
        label=_("response to standard treatment"),
        clinical=True,
        help=_(
            "Mycophenolate is also sold as CellCept or Myfortic. You and your doctor "
            "judge whether it helped enough."
        ),
    ),
    _q(
        "stopped_standard_therapy_adverse_events",
        BOOLEAN,
        "treatments",
        _("Did you have to stop methotrexate or mycophenolate because of side effects?"),
        label=_("side effects of standard treatment"),
        clinical=True,
        ask_if={"q": "inadequate_response_3_months", "op": "ne", "value": True},
    ),
    _q(
        "hsct_ineligible_or_unwilling",
        BOOLEAN,
        "treatments",
        _(
            "Are you unable to have, or do you not want, a stem cell transplant using your "
            "own cells?"
        ),
        label=_("stem cell transplant"),
        clinical=True,
        help=_(
            "An autologous haematopoietic stem cell transplant uses your own blood stem "
            "cells after strong chemotherapy. Answer Yes if your doctors said you "
            "cannot have one, or if you do not want one."
        ),
    ),
    _q(
        "in_other_drug_trial",
        BOOLEAN,
        "treatments",
        _("Are you taking part in another study of a medicine that is not yet approved?"),
        label=_("another drug study"),
    ),
    _q(
        "poor_compliance_history",
        BOOLEAN,
        "treatments",
        _(
            "Have you often found it hard to take treatments as prescribed or keep medical "
            "appointments?"
        ),
        label=_("keeping to treatment"),
        help=_("Studies need regular visits. An honest answer helps the team support you."),
    ),
    # Other health matters
    _q(
        "cancer_or_myelodysplasia",
        BOOLEAN,
        "other_health",
        _("Do you currently have cancer or myelodysplasia?"),
        label=_("cancer"),
        clinical=True,
        help=_("Myelodysplasia is a disease of the bone marrow, where blood is made."),
    ),
    _q(
        "uncontrolled_hypertension",
        BOOLEAN,
        "other_health",
        _("Is your blood pressure high even with treatment (uncontrolled high blood pressure)?"),
        label=_("blood pressure"),
        clinical=True,
    ),
    _q(
        "uncontrolled_infection",
        BOOLEAN,
        "other_health",
        _(
            "Do you have an infection that is not under control, or HIV, HTLV-1/2, "
            "hepatitis B or hepatitis C?"
        ),
        label=_("infection"),
        clinical=True,
        help=_(
            "Hepatitis B counts if your blood test is positive for the surface antigen (HBsAg)."
        ),
    ),
    _q(
        "ecog",
        INTEGER,
        "other_health",
        _("Your performance status (ECOG), from 0 to 4"),
        min=0,
        max=4,
        clinical=True,
        label=_("performance status (ECOG)"),
        help=_(
            "How your illness limits daily life, as your doctor scores it: 0 fully "
            "active, 1 light work only, 2 up and about more than half the day, 3 in bed "
            "or a chair more than half the day, 4 in bed or a chair all day. Cancer "
            "clinic letters often give it."
        ),
    ),
    _q(
        "hiv",
        BOOLEAN,
        "other_health",
        _("Have you been told you have HIV?"),
        label=_("HIV"),
        clinical=True,
        help=_("Answer Yes if an HIV test has ever been positive. Your answer stays confidential."),
    ),
    _q(
        "hepatitis_b_surface_antigen",
        BOOLEAN,
        "other_health",
        _("Do you have hepatitis B now (a positive surface antigen test, HBsAg)?"),
        label=_("hepatitis B"),
        clinical=True,
        help=_(
            "The blood test is written “HBsAg” or “hepatitis B surface antigen”. Answer No "
            "if it was negative, even if you were vaccinated."
        ),
    ),
    _q(
        "hepatitis_c",
        BOOLEAN,
        "other_health",
        _("Do you have hepatitis C?"),
        label=_("hepatitis C"),
        clinical=True,
        help=_(
            "Answer Yes if a test showed hepatitis C virus in your blood (HCV RNA) or a "
            "doctor told you that you have it."
        ),
    ),
    _q(
        "severe_psychiatric_disorder",
        BOOLEAN,
        "other_health",
        _("Do you have a severe mental health condition?"),
        label=_("mental health"),
        clinical=True,
        help=_(
            "For example one that has needed a hospital stay recently. The study team "
            "will talk it through with you in confidence."
        ),
    ),
    _q(
        "can_give_consent",
        BOOLEAN,
        "other_health",
        _("Are you able to decide for yourself whether to take part, and sign the consent form?"),
        label=_("consent"),
        help=_("Answer No if someone else makes medical decisions for you."),
    ),
)

QUESTIONS: dict[str, Question] = {q.key: q for q in _BANK}

# Names of derived values in sentences; they are computed, never asked.
DERIVED_LABELS: dict[str, Promise] = {
    "bmi": _("body mass index (BMI)"),
    "exact_age_years": _("exact age"),
}


class AnswersInvalid(ValidationError):
    """An answer set was refused; `message_dict` maps every offending key to why."""


def _coerce(question: Question, value: Any, *, from_form: bool) -> Any:
    """The answer as stored, or raise ValueError with a patient-readable reason."""
    if question.type == BOOLEAN:
        if from_form and isinstance(value, str) and value in ("true", "false"):
            return value == "true"
        if isinstance(value, bool):
            return value
        raise ValueError(_("must be true or false (or null for “I don't know”)"))
    if question.type in (INTEGER, NUMBER):
        number = _number(value, from_form=from_form)
        if question.type == INTEGER:
            if number != int(number):
                raise ValueError(_("must be a whole number"))
            number = int(number)
        if (question.min is not None and number < question.min) or (
            question.max is not None and number > question.max
        ):
            raise ValueError(
                _("must be between %(min)s and %(max)s")
                % {"min": _plain(question.min), "max": _plain(question.max)}
            )
        return number
    if question.type == CHOICE:
        allowed = [choice for choice, _label in question.choices]
        if not isinstance(value, str) or value not in allowed:
            raise ValueError(_("must be one of: %(choices)s") % {"choices": ", ".join(allowed)})
        return value
    if question.type == MULTI:
        allowed = [choice for choice, _label in question.choices]
        if not isinstance(value, list | tuple) or any(v not in allowed for v in value):
            raise ValueError(_("must be a list of: %(choices)s") % {"choices": ", ".join(allowed)})
        return sorted(set(value), key=allowed.index)
    if question.type == DATE:
        try:
            return date.fromisoformat(value).isoformat()
        except (TypeError, ValueError):
            raise ValueError(_("must be a date written YYYY-MM-DD")) from None
    raise ValueError(f"question type {question.type!r} is not known")


def _number(value: Any, *, from_form: bool) -> float | int:
    if from_form and isinstance(value, str):
        # The one parser of typed numbers (`screening.numbers`); a text it reads two
        # ways is refused here: the questionnaire asks the patient which they meant.
        readings, problem = number_readings(value)
        if problem or len(readings) != 1:
            raise ValueError(_("must be a number"))
        value = readings[0].value
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(_("must be a number"))
    if isinstance(value, Decimal):
        value = int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(_("must be a number"))
    return value


def _plain(number: float | None) -> str:
    if number is None:
        return ""
    return str(int(number)) if number == int(number) else str(number)


def answers_validate(raw: Mapping[str, Any], *, from_form: bool = False) -> dict[str, Any]:
    """Check and coerce a raw answer set; raise `AnswersInvalid` naming every bad key.

    JSON values by default: booleans must be true/false, numbers must be numbers (a whole
    float such as 40.0 is fine for an integer), choices strings. With ``from_form=True``
    form strings are parsed too: "" and DONT_KNOW mean "I don't know", "true"/"false"
    are booleans, "12.5" a number. None or a missing key always means "I don't know" and is kept as
    None. Keys no question has (derived values such as "bmi" included) are refused.
    """
    if not isinstance(raw, Mapping):
        raise AnswersInvalid(_("The answers must be an object of question keys and values."))
    errors: dict[str, Any] = {}
    clean: dict[str, Any] = {}
    for key, value in raw.items():
        question = QUESTIONS.get(key)
        if question is None:
            if key in DERIVED:
                errors[key] = _("is computed from other answers; do not send it")
            else:
                errors[key] = _("is not a question of this portal")
            continue
        if value is None or (from_form and value in ("", DONT_KNOW)):
            clean[key] = None
            continue
        try:
            clean[key] = _coerce(question, value, from_form=from_form)
        except ValueError as error:
            errors[key] = _("%(reason)s, not %(value)s") % {
                "reason": error,
                "value": json.dumps(value, default=str),
            }
    if errors:
        raise AnswersInvalid({key: [reason] for key, reason in errors.items()})
    return clean


def question_label(key: str) -> str:
    """The answer's name inside a sentence, for questions and derived values alike."""
    if key in DERIVED_LABELS:
        return str(DERIVED_LABELS[key])
    question = QUESTIONS.get(key)
    return str(question.label or question.text) if question else key
