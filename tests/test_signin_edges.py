"""Sign-in edges: a reset password lifts the lockout; every signed-in page asks for the
second factor; the sign-in pages keep the Content-Security-Policy; no email points to
the closed sign-up."""

import re
from pathlib import Path

import pytest
from django.core import mail
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.dashboard_personas import world  # noqa: F401
from tests.factories import MembershipFactory, TrialFactory, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
NEW_PASSWORD = "a brand new long password 7"


def reset_link(outbox) -> str:
    body = outbox[-1].body
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", body)
    assert match, body
    return match.group(1)


def test_a_completed_password_reset_lifts_the_lockout(client, world, settings):  # noqa: F811
    settings.ACCOUNT_RATE_LIMITS = False
    login = reverse("account_login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(login, {"login": "alice@example.org", "password": "nope"})
    locked = client.post(login, {"login": "alice@example.org", "password": "a long test password"})
    assert locked.status_code == 429
    assert reverse("account_reset_password") in locked.content.decode()

    client.post(reverse("account_reset_password"), {"email": "alice@example.org"})
    response = client.get(reset_link(mail.outbox), follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302

    response = client.post(login, {"login": "alice@example.org", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")


def test_the_old_password_stays_locked_out_without_a_reset(client, world, settings):  # noqa: F811
    settings.ACCOUNT_RATE_LIMITS = False
    login = reverse("account_login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(login, {"login": "alice@example.org", "password": "nope"})
    # Asking for a reset is not completing one: the lock holds.
    client.post(reverse("account_reset_password"), {"email": "alice@example.org"})
    locked = client.post(login, {"login": "alice@example.org", "password": "a long test password"})
    assert locked.status_code == 429


def _sample_paths(world) -> list[str]:  # noqa: F811
    """Every URL of the portal's own pages (not allauth's, not the admin's), with sample
    arguments: new pages are walked without being listed here."""
    values = {
        "reference": world.app_a.reference,
        "nct_id": world.trial_a.nct_id,
        "pk": "1",
        "token": "x",
        "step": "1",
    }
    paths: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if route.startswith(("accounts/", "admin/")):
                    continue
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                path = (
                    re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values.get(m.group(1), "x"), route)
                    .lstrip("^")
                    .rstrip("$")
                )
                if "(?P" not in path:
                    paths.append("/" + path)

    walk(get_resolver().url_patterns, "")
    return sorted(set(paths))


def test_every_signed_in_page_asks_a_team_member_for_the_second_factor(client, world):  # noqa: F811
    carol = UserFactory(email="carol@example.org", totp=False)
    MembershipFactory(user=carol, trial=world.trial_a)
    login_url = reverse("account_login")
    guarded = []
    for path in _sample_paths(world):
        response = client.get(path)
        if response.status_code == 302 and response.url.startswith(login_url):
            guarded.append(path)
    assert "/account/notifications/" in guarded
    assert "/dashboard/" in guarded
    client.force_login(carol)
    for path in guarded:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url == reverse("mfa_activate_totp"), path


INLINE = [
    (re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"<style[\s>]", re.I), "a <style> element"),
    (re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I), "an event-handler attribute"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]
SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>", re.I)


def inline_code(html: str) -> list[str]:
    found = [what for pattern, what in INLINE if pattern.search(html)]
    for match in SCRIPT.finditer(html):
        attrs = match.group("attrs")
        # A script from a file, or a data block that is never run, is allowed.
        if "src=" not in attrs and "application/json" not in attrs:
            found.append("an inline <script>")
    return found


def test_the_sign_in_and_password_pages_keep_the_content_security_policy(
    client,
    world,  # noqa: F811
    settings,
):
    settings.ACCOUNT_RATE_LIMITS = False
    pages = {
        "sign-in": client.get(reverse("account_login")),
        "sign-in, wrong password": client.post(
            reverse("account_login"), {"login": "alice@example.org", "password": "nope"}
        ),
        "password reset": client.get(reverse("account_reset_password")),
        "password reset, bad email": client.post(
            reverse("account_reset_password"), {"email": "not an email"}
        ),
        "password reset sent": client.get(reverse("account_reset_password_done")),
        "bad reset link": client.get("/accounts/password/reset/key/1-bad-key/", follow=True),
    }
    client.post(reverse("account_reset_password"), {"email": "alice@example.org"})
    response = client.get(reset_link(mail.outbox), follow=True)
    pages["set a new password"] = response
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        locked = client.post(
            reverse("account_login"), {"login": "bob@example.org", "password": "nope"}
        )
    pages["locked out"] = locked
    client.post(
        reverse("account_login"),
        {"login": "alice@example.org", "password": "a long test password"},
    )
    pages["second factor"] = client.get(reverse("mfa_authenticate"))
    for name, page in pages.items():
        assert page.status_code in (200, 400, 429), name
        assert "Content-Security-Policy" in page.headers, name
        assert inline_code(page.content.decode()) == [], name


def test_no_page_template_holds_inline_style_or_script():
    """Every page template, ours and allauth's elements we override (emails excepted:
    mail programs need inline styles, and no CSP applies to them)."""
    offenders = {}
    for template in (ROOT / "templates").rglob("*.html"):
        if "emails" in template.parts:
            continue
        found = inline_code(template.read_text())
        if found:
            offenders[str(template.relative_to(ROOT))] = found
    assert offenders == {}


def test_the_unknown_account_email_does_not_offer_the_closed_sign_up(client):
    TrialFactory()
    client.post(reverse("account_reset_password"), {"email": "stranger@example.org"})
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "stranger@example.org" in body
    assert reverse("account_signup") not in body
    assert "sign up" not in body.lower()
    assert "administrator" in body
