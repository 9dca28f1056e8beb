"""The result page at a glance: verdict, open points in the patient's words, the action;
then each criterion once, grouped (deciding, open, met folded)."""

from __future__ import annotations

from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation

from screening.patient.glance import result_glance
from screening.selectors import trial_evaluate
from tests.patient_journey import AGNES_ANSWERS, reference_trial, walk

pytestmark = pytest.mark.django_db


def result_html(client, answers):
    trial = reference_trial()
    response, _ = walk(client, trial, answers)
    assert response.url == reverse("screening:result", args=[trial.nct_id])
    return trial, unescape(client.get(response.url).content.decode())


def test_needs_review_names_each_open_point_before_the_one_action(client):
    trial, html = result_html(client, {**AGNES_ANSWERS, "mrss": None, "esr_mm_h": None})
    top = html.split("Point by point", 1)[0]
    points = top.split("What the study team will check", 1)[1]
    assert "Your skin score: you answered “I don't know”" in points
    assert "Your sedimentation rate (ESR): you answered “I don't know”" in points
    assert points.index("skin score") < points.index("Send my details to the study team")
    assert top.count('class="btn btn-primary') == 1  # one action
    # Said once: the open answer is not repeated in the rows below.
    assert html.count("skin score") == 1


def test_each_criterion_is_one_line_once_and_the_met_ones_are_folded(client):
    trial, html = result_html(client, AGNES_ANSWERS)
    evaluation = trial_evaluate(trial=trial, answers=AGNES_ANSWERS)
    assert "What the study team will check" not in html
    assert "You meet this" not in html and "This does not rule you out" not in html
    folded = html.split('<details class="criteria-met">', 1)[1].split("</details>", 1)[0]
    assert folded.count('<li class="criterion criterion-met">') == len(evaluation["criteria"])
    assert "(17 points)" in folded


def test_not_eligible_gives_the_reason_first_then_other_trials(client):
    trial, html = result_html(client, {**AGNES_ANSWERS, "age": 16})
    why = html.index('id="why"')
    others = html.index("Other trials that may fit you")
    assert why < others < html.index("Change an answer") < html.index("Point by point")
    reasons = html[why:others]
    assert "Your age, 16 years, is below 18 years" in reasons
    assert "Send my details to the study team" not in html


@pytest.mark.parametrize(
    ("answers", "groups"),
    [
        (AGNES_ANSWERS, (0, 0, 17)),
        ({**AGNES_ANSWERS, "mrss": None}, (0, 1, 16)),
        ({**AGNES_ANSWERS, "pregnant": True}, (1, 0, 16)),
    ],
)
def test_every_criterion_lands_in_exactly_one_group(answers, groups):
    trial = reference_trial()
    evaluation = trial_evaluate(trial=trial, answers=answers)
    glance = result_glance(trial=trial, answers=answers, criteria=evaluation["criteria"])
    counts = (len(glance.decided), len(glance.open), len(glance.met))
    assert sum(counts) == len(evaluation["criteria"])
    assert counts[:2] == groups[:2]


def test_an_outcome_from_an_automatic_reading_carries_its_mark():
    trial = reference_trial()
    evaluation = trial_evaluate(trial=trial, answers=AGNES_ANSWERS)
    criteria = [dict(c, unchecked=(i == 0)) for i, c in enumerate(evaluation["criteria"])]
    glance = result_glance(trial=trial, answers=AGNES_ANSWERS, criteria=criteria)
    rows = glance.decided + glance.open + glance.met
    assert [r.unchecked for r in rows].count(True) == 1


def test_the_french_result_reads_in_french_with_registry_text_marked(client):
    client.cookies["django_language"] = "fr"
    trial, html = result_html(client, {**AGNES_ANSWERS, "mrss": None})
    assert "Ce que l'équipe de recherche vérifiera" in html
    assert "Votre score cutané\u00a0: vous avez répondu «\u00a0Je ne sais pas\u00a0»" in html
    assert '<span class="criterion-text" lang="en">' in html
    with translation.override("fr"):
        assert "What the study team will check" not in html
