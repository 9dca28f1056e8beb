"""Helpers for the patient-journey tests: the reference trial and form-shaped answers."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.urls import reverse

from screening.patient.forms import UNKNOWN, unknown_name
from screening.questions import BOOLEAN, INTEGER, NUMBER, QUESTIONS
from screening.services.criteria import criteria_load_reference
from tests.engine_personas import AGNES
from tests.factories import trial_from_ctgov
from trials.models import Trial

REFERENCE = "NCT04356287"

# Agnes (see engine_personas): every answer favourable, likely eligible.
AGNES_ANSWERS = dict(AGNES)


def reference_trial() -> Trial:
    trial = trial_from_ctgov(REFERENCE)
    trial.conditions = ["Systemic Sclerosis"]
    trial.keywords = ["Scleroderma, Systemic"]
    trial.save()
    criteria_load_reference()
    return trial


def form_value(key: str, value: Any) -> dict[str, str]:
    """One answer as the questionnaire form posts it."""
    question = QUESTIONS[key]
    if question.type in (INTEGER, NUMBER):
        if value is None:
            return {key: "", unknown_name(key): "on"}
        return {key: str(value)}
    if value is None:
        return {key: UNKNOWN}
    if question.type == BOOLEAN:
        return {key: "true" if value else "false"}
    return {key: str(value)}


def step_post(keys: list[str], answers: dict[str, Any], action: str = "next") -> dict[str, str]:
    data = {"action": action}
    for key in keys:
        data.update(form_value(key, answers.get(key)))
    return data


def step_keys(html: str) -> list[str]:
    """The question keys a rendered step asks (its field names)."""
    names = re.findall(r'name="([a-z0-9_]+)"', html)
    return list(dict.fromkeys(n for n in names if n in QUESTIONS))


def walk(client: Client, trial: Trial, answers: dict[str, Any]):  # type: ignore[no-untyped-def]
    """Start the questionnaire and answer every step until it leaves the steps."""
    response = client.post(reverse("screening:start", args=[trial.nct_id]), {"action": "start"})
    seen = []
    while "/check/step/" in response.url:
        seen.append(response.url)
        page = client.get(response.url)
        assert page.status_code == 200
        keys = step_keys(page.content.decode())
        response = client.post(response.url, step_post(keys, answers))
        assert response.status_code == 302, response.content.decode()[:2000]
        assert len(seen) < 20
    return response, seen


# The apply form as Agnes fills it in (tests that need another name or language override).
AGNES_CONTACT = {
    "full_name": "Agnes Tremblay",
    "email": "agnes@example.org",
    "phone": "",
    "contact_method": "email",
    "contact_time": "morning",
    "consent_contact": "on",
    "consent_share": "on",
}
