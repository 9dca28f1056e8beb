"""The staff admin: rules written as text, refused with the reason, listed questions."""

import pytest

from screening.models import Criterion
from tests.factories import TrialFactory

pytestmark = pytest.mark.django_db


def post_criterion(admin_client, trial, rule_text):
    return admin_client.post(
        "/admin/screening/criterion/add/",
        {
            "trial": trial.pk,
            "kind": "inclusion",
            "number": "2",
            "position": 1,
            "text": "Severe disease",
            "rule": rule_text,
            "verify_note": "",
        },
    )


def test_a_rule_written_as_text_is_stored_as_json(admin_client):
    response = post_criterion(
        admin_client, TrialFactory(), "mrss > 20 and (esr_mm_h > 25 or hemoglobin_g_dl < 11)"
    )
    assert response.status_code == 302
    assert Criterion.objects.get().rule == {
        "all": [
            {"q": "mrss", "op": "gt", "value": 20},
            {
                "any": [
                    {"q": "esr_mm_h", "op": "gt", "value": 25},
                    {"q": "hemoglobin_g_dl", "op": "lt", "value": 11},
                ]
            },
        ]
    }


def test_an_empty_rule_is_stored_as_none_for_the_team_to_check(admin_client):
    assert post_criterion(admin_client, TrialFactory(), "  ").status_code == 302
    assert Criterion.objects.get().rule is None


def test_a_syntax_error_is_refused_with_where_and_why(admin_client):
    response = post_criterion(admin_client, TrialFactory(), "mrss > and age > 1")
    assert response.status_code == 200
    assert "Expected a value" in response.content.decode()
    assert "at character 8" in response.content.decode()
    assert not Criterion.objects.exists()


def test_an_unknown_key_is_refused_with_close_keys(admin_client):
    response = post_criterion(admin_client, TrialFactory(), "mrs > 20")
    content = response.content.decode()
    assert "is not a question or a derived value" in content
    assert "Close keys: mrss" in content
    assert not Criterion.objects.exists()


def test_a_value_of_the_wrong_type_is_refused(admin_client):
    response = post_criterion(admin_client, TrialFactory(), "pregnant = 3")
    assert "must be true or false" in response.content.decode()
    assert not Criterion.objects.exists()


def test_the_change_page_shows_the_rule_as_text_and_the_bank(admin_client, reference_trial):
    criterion = reference_trial.criteria.get(kind="exclusion", number="1")
    content = admin_client.get(f"/admin/screening/criterion/{criterion.pk}/change/").content
    content = content.decode()
    assert "age &lt; 18</textarea>" in content
    assert "Questions this trial uses" in content
    assert "Every question of the bank" in content
    assert "How old are you?" in content


def test_the_trial_admin_edits_its_criteria_inline(admin_client, reference_trial):
    page = admin_client.get(f"/admin/trials/trial/{reference_trial.pk}/change/").content.decode()
    assert 'name="criteria-TOTAL_FORMS"' in page
    assert "ssc_diagnosis = yes" in page
    assert "Questions this trial uses" in page
