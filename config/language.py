"""The EN | FR switch: a plain link (or, on a questionnaire step, a save button) that
remembers the reader's language in a cookie, with no account and no JavaScript.

On a first visit Django's LocaleMiddleware follows the browser's Accept-Language; once
the reader picks a language, the cookie (settings.LANGUAGE_COOKIE_NAME) wins. The
cookie holds only a language code.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)


def remember_language(response: HttpResponse, code: str) -> HttpResponse:
    """Set the language cookie on `response`; raises Http404 for an unknown code."""
    if code not in LANGUAGE_CODES:
        raise Http404
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE or "Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )
    return response


@require_GET
def language_switch(request: HttpRequest, code: str) -> HttpResponse:
    """GET /language/<code>/?next=<path>: back to the same page, in that language.

    `next` must be a path on this site; anything else goes to the trial list. A signed-in
    team member's choice also becomes the language of their emails (`User.language`).
    """
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ) or not target.startswith("/"):
        target = "/trials/"
    response = remember_language(HttpResponseRedirect(target), code)
    user = request.user
    if user.is_authenticated and getattr(user, "language", code) != code:
        get_user_model()._default_manager.filter(pk=user.pk).update(language=code)
    return response
