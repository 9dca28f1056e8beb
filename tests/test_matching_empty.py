"""The matches page with nothing to show does not speak of an order ("Best fit first")."""

import pytest
from django.urls import reverse

from tests.test_matching_flow import catalogue, start  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

ORDER = "Best fit first, then the nearest."


@pytest.mark.parametrize("condition", ["lupus nephritis", "Sjögren's syndrome", "diabète"])
def test_no_match_says_so_without_an_order(client, catalogue, condition):  # noqa: F811
    start(client, condition=condition, as_typed=True)
    html = client.get(reverse("matching:matches")).content.decode()
    assert "No open trial fits all you told us." in html
    assert ORDER not in html


def test_matches_state_their_order(client, catalogue):  # noqa: F811
    start(client)
    html = client.get(reverse("matching:matches")).content.decode()
    assert ORDER in html
