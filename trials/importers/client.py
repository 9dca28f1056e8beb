"""The ClinicalTrials.gov API v2 client: queries, pages and single studies, over httpx.

Only reads: what comes back is parsed JSON, mapped later by `ctgov.study_from_record`.
Every request has a timeout; a transient failure (a timeout, a dropped connection, HTTP
429 or 5xx) is retried with exponential backoff, honouring ``Retry-After``; anything
else fails at once with `RegistryError`.

API reference: https://clinicaltrials.gov/data-api/api (``GET /studies`` with
``query.cond``, ``query.locn``, ``filter.overallStatus``, ``filter.advanced``,
``pageSize``, ``pageToken``, ``countTotal``; ``GET /studies/{nctId}``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx

from trials.importers.ctgov import NCT_ID_RE, RecordError
from trials.models import OverallStatus

BASE_URL = "https://clinicaltrials.gov/api/v2"
# The API's largest page (its documented maximum is 1000); fewer, larger requests.
PAGE_SIZE = 1000
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class RegistryError(Exception):
    """The registry could not be read: after the retries, or at once for a lasting error
    (HTTP 4xx other than 429, a body that is not the JSON expected)."""


@dataclass(frozen=True)
class StudyQuery:
    """Which studies to ask the registry for; every field optional.

    `statuses` are overallStatus values; `updated_since` keeps studies whose last update
    was posted on or after that day (an incremental run).
    """

    condition: str = ""
    statuses: tuple[str, ...] = ()
    country: str = ""
    updated_since: date | None = None

    def __post_init__(self) -> None:
        unknown = [s for s in self.statuses if s not in OverallStatus.values]
        if unknown:
            raise ValueError(f"unknown overallStatus: {', '.join(unknown)}")

    def params(self) -> dict[str, str]:
        """The query as ``GET /studies`` parameters."""
        params = {"format": "json", "pageSize": str(PAGE_SIZE), "countTotal": "true"}
        if self.condition.strip():
            params["query.cond"] = self.condition.strip()
        if self.country.strip():
            params["query.locn"] = self.country.strip()
        if self.statuses:
            params["filter.overallStatus"] = ",".join(self.statuses)
        if self.updated_since:
            since = self.updated_since.isoformat()
            params["filter.advanced"] = f"AREA[LastUpdatePostDate]RANGE[{since},MAX]"
        return params

    def describe(self) -> dict[str, Any]:
        """The query as plain JSON, as a sync run records it."""
        return {
            "condition": self.condition,
            "statuses": list(self.statuses),
            "country": self.country,
            "updated_since": self.updated_since.isoformat() if self.updated_since else None,
        }


@dataclass(frozen=True)
class Page:
    studies: list[Any]
    next_page_token: str | None
    total_count: int | None


class RegistryClient:
    """Reads the registry. `transport` is httpx's (tests pass a `httpx.MockTransport`
    that replays recorded responses); `sleep` waits between retries."""

    def __init__(
        self,
        *,
        base_url: str = BASE_URL,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        attempts: int = 5,
        backoff: float = 2.0,
        max_wait: float = 120.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.attempts = attempts
        self.backoff = backoff
        self.max_wait = max_wait
        self.sleep = sleep
        self.http = httpx.Client(
            base_url=base_url,
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=10.0),
            headers={"Accept": "application/json", "User-Agent": "trialportal-registry-sync"},
            follow_redirects=True,
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def study(self, nct_id: str) -> Any:
        """One study's API v2 JSON (parsed, not yet mapped)."""
        nct_id = nct_id.strip().upper()
        if not NCT_ID_RE.match(nct_id):
            raise RecordError("nctId", f'"{nct_id}" is not an NCT number such as "NCT04356287"')
        return self._get_json(f"/studies/{nct_id}", {"format": "json"})

    def pages(self, query: StudyQuery) -> Iterator[Page]:
        """Every page of the query's results, following ``nextPageToken`` to the end."""
        params = query.params()
        seen: set[str] = set()
        while True:
            body = self._get_json("/studies", params)
            if not isinstance(body, dict) or not isinstance(body.get("studies"), list):
                raise RegistryError('the registry answered without a "studies" list')
            token = body.get("nextPageToken") or None
            total = body.get("totalCount")
            yield Page(
                studies=body["studies"],
                next_page_token=token,
                total_count=total if isinstance(total, int) else None,
            )
            if token is None:
                return
            if token in seen:
                raise RegistryError(f"the registry repeated page token {token!r}")
            seen.add(token)
            params = {**params, "pageToken": token}
            params.pop("countTotal", None)

    def _get_json(self, path: str, params: dict[str, str]) -> Any:
        response = self._get(path, params)
        try:
            return response.json()
        except ValueError as exc:
            raise RegistryError(f"{path}: invalid JSON from the registry: {exc}") from None

    def _get(self, path: str, params: dict[str, str]) -> httpx.Response:
        problem = ""
        retry_after: str | None = None
        for attempt in range(self.attempts):
            if attempt:
                self.sleep(self._wait(attempt, retry_after))
            retry_after = None
            try:
                response = self.http.get(path, params=params)
            except httpx.TransportError as exc:  # timeouts, refused or dropped connections
                problem = f"{type(exc).__name__}: {exc}"
                continue
            if response.status_code in RETRY_STATUSES:
                problem = f"HTTP {response.status_code}"
                retry_after = response.headers.get("Retry-After")
                continue
            if response.status_code == 404:
                raise RegistryError(f"{path}: not found in the registry (HTTP 404)")
            if response.is_error:
                raise RegistryError(f"{path}: HTTP {response.status_code}")
            return response
        raise RegistryError(f"{path}: {problem}, after {self.attempts} attempts")

    def _wait(self, attempt: int, retry_after: str | None) -> float:
        """Seconds before retry number `attempt`: the server's Retry-After when it gives
        seconds, else backoff × 2^(attempt-1); never more than `max_wait`."""
        if retry_after and retry_after.strip().isdigit():
            return min(float(retry_after), self.max_wait)
        return min(self.backoff * 2 ** (attempt - 1), self.max_wait)
