"""A short-lived cache of the public catalogue pages, for visitors with no state at all.

Only anonymous GETs without a session or messages cookie are served from, or stored in,
the cache, and only a plain 200 that sets no cookie and asked for no CSRF token: such a
page is the same for every stateless visitor in one language. Nothing a patient or a
coordinator entered can be in it (those pages are never wrapped with this).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

View = Callable[..., HttpResponse]


def _stateless(request: HttpRequest) -> bool:
    cookies = request.COOKIES
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in cookies
        and getattr(settings, "MESSAGE_COOKIE_NAME", "messages") not in cookies
    )


def _key(request: HttpRequest) -> str:
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"public-page:{get_language()}:{digest}"


def public_page_cache(view: View) -> View:
    """Serve the page from the cache for stateless visitors (PUBLIC_PAGE_CACHE_SECONDS)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        seconds = settings.PUBLIC_PAGE_CACHE_SECONDS
        if seconds <= 0 or not _stateless(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        response = cache.get(key)
        if response is None:
            response = view(request, *args, **kwargs)
            if (
                response.status_code == 200
                and not response.cookies
                and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
                and not getattr(response, "streaming", False)
            ):
                cache.set(key, response, seconds)
        # Whoever has a session gets the page made for them, never this copy.
        patch_vary_headers(response, ["Cookie", "Accept-Language"])
        return response

    return wrapped
