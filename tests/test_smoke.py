import pytest

from trials.models import Trial

pytestmark = pytest.mark.django_db


def test_unknown_trial_gives_the_site_404_page(client):
    response = client.get("/trials/NCT99999999/")
    assert response.status_code == 404
    assert b"We could not find that page" in response.content


def test_trial_list_shows_a_trial(client):
    Trial.objects.create(
        nct_id="NCT00000001", brief_title="A study of tea", overall_status="RECRUITING"
    )
    response = client.get("/trials/")
    assert response.status_code == 200
    assert b"A study of tea" in response.content


def test_the_500_page_needs_no_inline_style_or_script():
    # The content security policy forbids inline styles and scripts on every page.
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong" in html
    assert "style=" not in html and "<script" not in html
