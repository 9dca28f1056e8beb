"""Every page names the site's icon, and /favicon.ico (asked for by browsers on their
own) leads to it instead of a 404 in every visit's log."""

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/trials/", "/find/", "/accounts/login/"])
def test_pages_link_an_icon_that_exists(client, url):
    html = client.get(url, follow=True).content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert icon, url
    path = icon.group(1).removeprefix("/static/")
    assert finders.find(path), path


def test_favicon_ico_redirects_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.svg"
    assert client.post("/favicon.ico").status_code == 405


def test_the_error_page_names_the_icon_too():
    from pathlib import Path

    from django.conf import settings

    page = (Path(settings.BASE_DIR) / "templates" / "500.html").read_text(encoding="utf-8")
    assert '<link rel="icon" href="/static/favicon.svg"' in page


def test_favicon_answers_head_as_browsers_and_monitors_ask(client):
    assert client.head("/favicon.ico").status_code == 301
