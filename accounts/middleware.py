"""Guards for the staff side of the portal."""

import contextlib
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from .access import user_has_two_factor, user_needs_two_factor

SESSION_REFRESHED_KEY = "_idle_refreshed_at"
# How stale a session's expiry may grow before a request writes it again: the idle
# sign-out then comes between SESSION_COOKIE_AGE minus this and SESSION_COOKIE_AGE after
# the last request, and a busy page is spared a session UPDATE on nearly every request.
SESSION_REFRESH_SECONDS = 60


class IdleSessionMiddleware(SessionMiddleware):
    """Django's session middleware, writing an unchanged session at most once a minute.

    The session ends SESSION_COOKIE_AGE after its last write; SESSION_SAVE_EVERY_REQUEST
    would rewrite it on every request. Instead a session with data is stamped (and so
    saved) whenever its stamp is older than SESSION_REFRESH_SECONDS or it changed anyway.
    """

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        session = getattr(request, "session", None)
        # is_empty() first: a request without a session cookie loads nothing.
        if session is not None and not session.is_empty() and session.keys():
            now = int(timezone.now().timestamp())
            stamp = session.get(SESSION_REFRESHED_KEY, 0)
            if session.modified or not 0 <= now - stamp < SESSION_REFRESH_SECONDS:
                session[SESSION_REFRESHED_KEY] = now
        return super().process_response(request, response)


class NoStoreMiddleware:
    """Pages that may show health data are never kept by a browser or a shared cache."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.prefixes = tuple(settings.NO_STORE_PATH_PREFIXES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(self.prefixes):
            add_never_cache_headers(response)
        return response


# Set on a session once its user is known to have TOTP: the check then costs no query on
# the session's later requests. Cleared when the user removes an authenticator
# (accounts.signals); a new sign-in starts a new session, so it never outlives the user.
TWO_FACTOR_SESSION_KEY = "_two_factor_confirmed"


class TwoFactorRequiredMiddleware:
    """A team member or staff user without TOTP is sent to set it up before going on.

    The check runs before any view under the guarded prefixes, so no dashboard or admin
    page can render for a password-only session. Having TOTP is remembered on the session
    (TWO_FACTOR_SESSION_KEY); needing it is not, so a user added to a team later is
    asked at once.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.prefixes = tuple(settings.TWO_FACTOR_REQUIRED_PATH_PREFIXES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(self.prefixes) and request.user.is_authenticated:
            if request.session.get(TWO_FACTOR_SESSION_KEY) == request.user.pk:
                pass
            elif user_has_two_factor(user=request.user):
                request.session[TWO_FACTOR_SESSION_KEY] = request.user.pk
            elif user_needs_two_factor(user=request.user):
                return redirect("mfa_activate_totp")
        return self.get_response(request)


class UserTimeZoneMiddleware:
    """Show times in the signed-in user's own time zone (User.time_zone)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = getattr(request.user, "time_zone", "") if request.user.is_authenticated else ""
        timezone.deactivate()
        if name:
            # A mistyped zone in the admin falls back to the site's zone, never a 500.
            with contextlib.suppress(zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.activate(zoneinfo.ZoneInfo(name))
        return self.get_response(request)
