"""A patient's search in progress, kept on the server-side session.

The answers are health data: they live in the session row (like a draft), never in a
URL, a log line or a cache. Only a city id may appear in an address; coordinates from
the browser arrive by POST and stay here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from django.http import HttpRequest

SESSION_KEY = "matching_search"


@dataclass
class SearchState:
    """What the patient told us so far.

    `place_name` is the city ("Montreal, Quebec, Canada") or "your location"; `max_km`
    None means anywhere. `pages` are the question pages answered, oldest first, so that
    Back can return to each; `current` is the page on screen.
    """

    condition: str = ""
    place_id: str = ""
    place_name: str = ""
    latitude: float | None = None
    longitude: float | None = None
    max_km: int | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    pages: list[list[str]] = field(default_factory=list)
    current: list[str] = field(default_factory=list)
    located: bool = False  # the "where" page was saved

    @property
    def has_place(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def state_get(request: HttpRequest) -> SearchState | None:
    raw = request.session.get(SESSION_KEY)
    if not isinstance(raw, dict):
        return None
    try:
        return SearchState(**raw)
    except TypeError:
        return None


def state_save(request: HttpRequest, state: SearchState) -> None:
    request.session[SESSION_KEY] = asdict(state)


def state_clear(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
