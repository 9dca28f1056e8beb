"""Guards on what a request may carry, so that no input can turn into a 500.

- `NulByteGuardMiddleware`: a NUL character (U+0000) in the path, a query or form value,
  or a cookie is answered 400 before any view, form or query sees it. PostgreSQL text
  cannot hold NUL and raises DataError on any query that carries one (a lookup by
  reference, a filter, a session key), and no field of the portal ever needs it. Forms
  already refuse NUL in their text fields (Django's ProhibitNullCharactersValidator);
  this covers the values that reach a query without a form: URL parameters, `?trial=`,
  `next`, cookies.
- `safe_next_url`: a `next` a page may send back to, or the default.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

NUL = "\x00"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _any_nul(values: Iterable[str]) -> bool:
    return any(NUL in value for value in values)


def request_has_nul(request: HttpRequest) -> bool:
    """Whether the path, the query, the form (urlencoded or multipart) or a cookie holds
    a NUL character, in a name or a value."""
    if NUL in request.path or NUL in request.path_info:
        return True
    for data in (request.GET, request.COOKIES):
        if _any_nul(data.keys()) or _any_nul(_values(data)):
            return True
    if request.method != "POST" or request.content_type not in _FORM_TYPES:
        return False
    return _any_nul(request.POST.keys()) or _any_nul(_values(request.POST))


def _values(data: object) -> list[str]:
    getlist = getattr(data, "lists", None)
    if getlist is not None:
        return [value for _key, values in getlist() for value in values]
    return [str(value) for value in getattr(data, "values", list)()]


class NulByteGuardMiddleware:
    """Answer 400 to a request carrying a NUL character anywhere a query could read it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request_has_nul(request):
            # The 400 page is rendered without the request: it must not touch the
            # session or the user, whose cookies may be the very values refused.
            body = loader.render_to_string(
                "400.html",
                {"reason": _("The address or the form held a character that is not allowed.")},
            )
            return HttpResponseBadRequest(body)
        return self.get_response(request)


def safe_next_url(request: HttpRequest, candidate: str | None, default: str) -> str:
    """`candidate` if it is a path on this site (so a redirect to it can neither leave the
    site nor fail to resolve), else `default`.

    A view name or a bare word ("queue") is refused: `redirect()` would try to reverse it.
    """
    if (
        candidate
        and candidate.startswith("/")
        and not candidate.startswith("//")
        and candidate.isprintable()
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return default
