"""The public catalogue pages are cached for stateless visitors only, never for a session."""

import pytest
from django.urls import reverse

from tests.factories import TrialFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60


def test_a_stateless_visitor_gets_the_cached_list(client, django_assert_num_queries):
    TrialFactory(brief_title="Asthma study one")
    first = client.get(reverse("trials:list"))
    TrialFactory(brief_title="Asthma study two")

    with django_assert_num_queries(0):
        second = client.get(reverse("trials:list"))

    assert second.content == first.content
    assert "Asthma study two" not in second.content.decode()
    assert "Cookie" in second["Vary"]


def test_each_search_and_language_is_its_own_page(client):
    TrialFactory(brief_title="Asthma study", conditions=["Asthma"])
    TrialFactory(brief_title="Gout study", conditions=["Gout"])

    asthma = client.get(reverse("trials:list"), {"q": "asthma"}).content.decode()
    gout = client.get(reverse("trials:list"), {"q": "gout"}).content.decode()
    french = client.get(reverse("trials:list"), {"q": "gout"}, HTTP_ACCEPT_LANGUAGE="fr")

    assert "Asthma study" in asthma and "Gout study" not in asthma
    assert "Gout study" in gout and "Asthma study" not in gout
    assert french.content.decode() != gout or french["Content-Language"] == "fr"


def test_a_visitor_with_a_session_always_gets_a_fresh_page(client, django_user_model):
    trial = TrialFactory(brief_title="Original title")
    client.get(trial.get_absolute_url())
    trial.brief_title = "Changed title"
    trial.save()
    client.force_login(django_user_model.objects.create_user("someone@example.org"))

    assert "Changed title" in client.get(trial.get_absolute_url()).content.decode()


def test_a_missing_trial_is_never_cached(client):
    assert client.get(reverse("trials:detail", args=["NCT99999999"])).status_code == 404
    TrialFactory(nct_id="NCT99999999")

    assert client.get(reverse("trials:detail", args=["NCT99999999"])).status_code == 200


def test_the_cache_can_be_turned_off(client, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    TrialFactory(brief_title="First trial")
    client.get(reverse("trials:list"))
    TrialFactory(brief_title="Second trial")

    assert "Second trial" in client.get(reverse("trials:list")).content.decode()
