"""The draft cookie: how an unfinished questionnaire outlives the 30-minute session.

The session ends after 30 idle minutes (accounts.middleware.IdleSessionMiddleware), but
the questionnaire promises no time limit. So each draft a browser works on is also named
in this cookie: a signed JSON object ``{"NCT01234567": "<draft resume token>", ...}``,
HttpOnly, SameSite=Lax, Secure where the session cookie is, kept MAX_AGE after the last
save. It carries the same capability as the resume link the patient may ask for by
email, and nothing else: never an answer, never a contact detail.

On a shared computer the next person could continue the questionnaire for as long as the
cookie lives, as they could with the emailed link; "Start again" on the first page
replaces the draft, and applying or withdrawing forgets it.

Views call `draft_token_get` to find a draft when the session has none, and
`draft_token_set` / `draft_token_forget` when the session's drafts change; the
`keeps_draft_cookie` decorator writes the cookie on the response.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

COOKIE_NAME = "patient_draft_tokens"
SALT = "screening.patient.draft_cookie"
# As long as a patient may reasonably take to find a value in their records. The draft
# itself stays resumable by its emailed link for as long as it exists.
MAX_AGE = timedelta(days=30)
# A browser rarely works on more than a few trials; the oldest names drop off beyond this,
# so the cookie stays well under the 4 kB browsers allow.
MAX_DRAFTS = 20

_PENDING = "_draft_cookie_pending"


def _read(request: HttpRequest) -> dict[str, str]:
    pending = getattr(request, _PENDING, None)
    if pending is not None:
        return dict(pending)
    raw = request.get_signed_cookie(
        COOKIE_NAME, default=None, salt=SALT, max_age=MAX_AGE.total_seconds()
    )
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}


def draft_token_get(request: HttpRequest, nct_id: str) -> str | None:
    """The resume token of this browser's draft for the trial, if the cookie names one."""
    return _read(request).get(nct_id)


def draft_token_set(request: HttpRequest, nct_id: str, token: str) -> None:
    tokens = _read(request)
    tokens.pop(nct_id, None)
    tokens[nct_id] = token  # the newest last, so the oldest are dropped first
    setattr(request, _PENDING, dict(list(tokens.items())[-MAX_DRAFTS:]))


def draft_token_forget(request: HttpRequest, nct_id: str) -> None:
    tokens = _read(request)
    if nct_id in tokens:
        tokens.pop(nct_id)
        setattr(request, _PENDING, tokens)


def keeps_draft_cookie(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Write the draft cookie on the response when the view changed this browser's drafts."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        tokens = getattr(request, _PENDING, None)
        if tokens is None:
            return response
        if not tokens:
            response.delete_cookie(COOKIE_NAME, samesite="Lax")
            return response
        response.set_signed_cookie(
            COOKIE_NAME,
            json.dumps(tokens, separators=(",", ":")),
            salt=SALT,
            max_age=int(MAX_AGE.total_seconds()),
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        return response

    return wrapped
