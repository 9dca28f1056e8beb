"""The pages the benchmark loads, and what each needs before it can be loaded.

A page is a URL, a wrk script and its arguments (a session cookie, a POST body...).
Pages that need a signed-in coordinator or a patient's draft prepare their sessions in
the database here, exactly as the portal's own views would leave them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.urls import reverse

from bench.seed import REFERENCE_TRIAL
from bench.urls import HELLO_PATH

SEARCH_QUERY = "sclerosis"


@dataclass
class Page:
    """One page under load. `prepare(n)` readies `n` requests' worth of state (sessions,
    drafts) before each timed run and returns the wrk script arguments."""

    name: str
    path: str
    script: str = "get.lua"
    method: str = "GET"
    # Whose target applies: "public" ≥ 0.3 of hello, "coordinator" ≥ 0.25, None: no ratio.
    target: str | None = None
    prepare: Callable[[int], list[str]] = field(default=lambda n: [])
    # For the in-process query count: the request as django.test.Client makes it.
    client_request: Callable[[Any], Any] | None = None


def public_pages() -> list[Page]:
    return [
        Page("trials list", reverse("trials:list"), target="public"),
        Page("search", f"{reverse('trials:list')}?q={SEARCH_QUERY}", target="public"),
        Page("trial page", reverse("trials:detail", args=[REFERENCE_TRIAL]), target="public"),
    ]


def hello_page() -> Page:
    return Page("hello", HELLO_PATH)


def session_cookie(key: str) -> str:
    return f"{settings.SESSION_COOKIE_NAME}={key}"
