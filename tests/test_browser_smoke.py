import pytest

from tests.browser import assert_accessible, screenshot
from trials.models import Trial

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_trial_list_is_accessible_on_a_phone(live_server, page):
    Trial.objects.create(
        nct_id="NCT00000001", brief_title="A study of tea", overall_status="RECRUITING"
    )
    page.goto(f"{live_server.url}/trials/")
    assert page.get_by_role("heading", level=1).is_visible()
    screenshot(page, "smoke-trial-list")
    assert_accessible(page)
