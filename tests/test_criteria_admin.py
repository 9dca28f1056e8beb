"""The criteria admin: a malformed rule is refused on save with the reason."""

import json

import pytest

from screening.models import Criterion
from tests.factories import TrialFactory

pytestmark = pytest.mark.django_db


def post_criterion(admin_client, trial, rule):
    return admin_client.post(
        "/admin/screening/criterion/add/",
        {
            "trial": trial.pk,
            "kind": "inclusion",
            "number": "1",
            "position": 0,
            "text": "Skin score above 20",
            "rule": json.dumps(rule),
            "verify_note": "",
        },
    )


def test_a_malformed_rule_is_refused_with_the_reason(admin_client):
    response = post_criterion(admin_client, TrialFactory(), {"q": "mrss", "op": "gt"})
    assert response.status_code == 200
    assert b"&#x27;value&#x27; is a required property" in response.content
    assert not Criterion.objects.exists()


def test_a_rule_on_an_unknown_question_is_refused(admin_client):
    response = post_criterion(admin_client, TrialFactory(), {"q": "skin", "op": "gt", "value": 1})
    assert b"is not a question or a derived value" in response.content
    assert not Criterion.objects.exists()


def test_a_valid_rule_is_saved_and_the_trial_questions_are_listed(admin_client):
    trial = TrialFactory()
    response = post_criterion(admin_client, trial, {"q": "mrss", "op": "gt", "value": 20})
    assert response.status_code == 302
    criterion = Criterion.objects.get()
    page = admin_client.get(f"/admin/screening/criterion/{criterion.pk}/change/")
    assert b"<code>mrss</code>" in page.content


def test_the_list_shows_criteria(admin_client, reference_trial, django_assert_max_num_queries):
    # Session, user, two-factor check, the admin's own queries: one list query, not one per row.
    with django_assert_max_num_queries(9):
        response = admin_client.get("/admin/screening/criterion/")
    assert response.status_code == 200
    assert b"NCT04356287" in response.content
