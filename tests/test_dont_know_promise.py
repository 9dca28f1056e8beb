"""A page tells the patient to choose "I don't know" only when one of its questions
offers it: the about-you questions (pregnancy, height...) do not."""

import re

import pytest
from django.urls import reverse

from screening.patient.forms import QuestionsForm
from screening.questions import QUESTIONS
from tests.test_matching_flow import catalogue, start  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

PROMISE = "If you are not sure of an answer"


@pytest.mark.parametrize(
    ("keys", "offers"),
    [
        (["pregnant", "healthy_volunteer", "willing_contraception"], False),
        (["height_cm", "weight_kg"], False),
        (["height_cm", "weight_kg", "gfr_ml_min"], True),
        (["ssc_diagnosis"], True),
        (["hemoglobin_g_dl"], True),
    ],
)
def test_a_step_offers_i_dont_know_when_one_of_its_questions_does(keys, offers):
    form = QuestionsForm(questions=[QUESTIONS[k] for k in keys])
    assert form.offers_unknown is offers
    html = "".join(str(item.unknown or "") + str(item.field) for item in form)
    assert ('value="unknown"' in html or "__unknown" in html) is offers


def test_the_find_questions_pages_promise_i_dont_know_only_where_it_is_offered(
    client,
    catalogue,  # noqa: F811
):
    start(client)
    url = reverse("matching:questions")
    seen = set()
    for _page in range(8):
        response = client.get(url)
        if response.status_code != 200:
            break
        html = response.content.decode()
        offered = 'value="unknown"' in html or "__unknown" in html
        assert (PROMISE in html) is offered
        seen.add(offered)
        # Answer the page: "I don't know" where offered, else an answer that keeps trials.
        data = {"action": "next"}
        for name in dict.fromkeys(re.findall(r'name="([a-z_0-9]+)"', html)):
            if name in ("csrfmiddlewaretoken", "action") or name.endswith("__meant"):
                continue
            if name.endswith("__unknown"):
                data[name] = "on"
            elif f'name="{name}__unknown"' in html:
                continue
            elif values := re.findall(rf'name="{name}" id="id_{name}_\d+" value="([^"]+)"', html):
                yes = name in ("willing_contraception", "can_give_consent", "ssc_diagnosis")
                data[name] = "unknown" if "unknown" in values else "true" if yes else "false"
            else:
                data[name] = "170" if "height" in name else "70"
        posted = client.post(url, data)
        assert posted.status_code == 302, (data, posted.content.decode()[-3000:])
    assert seen == {True, False}
