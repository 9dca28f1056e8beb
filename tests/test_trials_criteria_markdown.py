"""The trial page shows published criteria as the characters they stand for, with
their emphasis, and nothing a record could inject (markdown-it-py, then nh3)."""

import pytest

from tests.factories import TrialFactory

pytestmark = pytest.mark.django_db

CRITERIA = (
    "**Inclusion Criteria:**\n\n"
    "* Age \\>= 18 and ALT \\&gt; 3 x ULN is *not* allowed\n"
    "* HbA1c 7\\-10 % \\& stable\n\n"
    "Exclusion Criteria:\n\n"
    "* <script>alert(1)</script> pregnant\n"
    "* [a link](javascript:alert(1))\n"
)


def test_escapes_entities_and_emphasis_reach_the_patient(client):
    trial = TrialFactory(eligibility_criteria=CRITERIA)
    html = client.get(f"/trials/{trial.nct_id}/").content.decode()
    assert "Age &gt;= 18 and ALT &gt; 3 x ULN is <em>not</em> allowed" in html
    assert "HbA1c 7-10 % &amp; stable" in html
    assert "\\&amp;" not in html and "&amp;gt;" not in html


def test_a_record_cannot_inject_markup(client):
    trial = TrialFactory(eligibility_criteria=CRITERIA)
    html = client.get(f"/trials/{trial.nct_id}/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; pregnant" in html
    assert 'href="javascript:' not in html
