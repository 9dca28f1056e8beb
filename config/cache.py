"""A Redis cache that degrades instead of failing when Redis is unreachable.

Nothing in the portal needs the cache to be correct: the public page cache, the country
choices, django-ratelimit's counters and allauth's rate limits and used-TOTP memory are
all conveniences or defences in depth. So when Redis does not answer, every cache call
answers as Django's DummyCache would (a cache that keeps nothing): reads return their
default, writes and deletes do nothing, ``add`` says "added" (so allauth's rate-limit lock
is taken at once and django-ratelimit counts 1), ``incr`` raises ``ValueError`` as for a
missing key. The request goes on, and the application is saved.

The first failure logs one warning; later ones stay quiet until Redis answers again,
which logs one "back" line. After a failure Redis is not tried again for
``RETRY_SECONDS`` (an OPTIONS key, default 5), so a Redis that hangs costs a request at
most one connection timeout every few seconds, not one per cache call.

Limits: while Redis is down each process counts nothing (no rate limit) and caches
nothing, and TOTP codes used then could be replayed within their 30-second window.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

T = TypeVar("T")
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError, OSError)


class _Health:
    """Per process: is Redis believed down, and since when was it last tried."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.down_since: float | None = None
        self.last_try = 0.0


class DegradingRedisCache(RedisCache):
    """django.core.cache.backends.redis.RedisCache that turns "unreachable" into "miss"."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        self.retry_seconds = float(options.pop("RETRY_SECONDS", 5))
        super().__init__(server, {**params, "OPTIONS": options})
        self._health = _Health()

    @property
    def degraded(self) -> bool:
        """True while the last call found Redis unreachable."""
        return self._health.down_since is not None

    def _guard(self, call: Callable[[], T], fallback: Callable[[], T]) -> T:
        health = self._health
        if (
            health.down_since is not None
            and time.monotonic() - health.last_try < self.retry_seconds
        ):
            return fallback()
        try:
            result = call()
        except UNREACHABLE as exc:
            with health.lock:
                health.last_try = time.monotonic()
                first = health.down_since is None
                if first:
                    health.down_since = health.last_try
            if first:
                logger.warning(
                    "Cache unreachable (%s): serving without it until it answers again.",
                    type(exc).__name__,
                )
            return fallback()
        if health.down_since is not None:
            with health.lock:
                was_down, health.down_since = health.down_since, None
            if was_down is not None:
                logger.warning("Cache reachable again after %.0f s.", time.monotonic() - was_down)
        return result

    # Each public method, falling back to what a miss would give.
    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._guard(
            lambda: super(DegradingRedisCache, self).get(key, default, version), lambda: default
        )

    def set(self, key: Any, value: Any, timeout: Any = ..., version: int | None = None) -> None:
        kwargs = {} if timeout is ... else {"timeout": timeout}
        self._guard(
            lambda: super(DegradingRedisCache, self).set(key, value, version=version, **kwargs),
            lambda: None,
        )

    def add(self, key: Any, value: Any, timeout: Any = ..., version: int | None = None) -> bool:
        kwargs = {} if timeout is ... else {"timeout": timeout}
        return self._guard(
            lambda: super(DegradingRedisCache, self).add(key, value, version=version, **kwargs),
            lambda: True,
        )

    def touch(self, key: Any, timeout: Any = ..., version: int | None = None) -> bool:
        kwargs = {} if timeout is ... else {"timeout": timeout}
        return self._guard(
            lambda: super(DegradingRedisCache, self).touch(key, version=version, **kwargs),
            lambda: False,
        )

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._guard(
            lambda: super(DegradingRedisCache, self).delete(key, version), lambda: False
        )

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._guard(
            lambda: super(DegradingRedisCache, self).has_key(key, version), lambda: False
        )

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        def missing() -> int:
            raise ValueError(f"Key '{key}' not found (cache unreachable).")

        return self._guard(
            lambda: super(DegradingRedisCache, self).incr(key, delta, version), missing
        )

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return self._guard(lambda: super(DegradingRedisCache, self).get_many(keys, version), dict)

    def set_many(self, data: Any, timeout: Any = ..., version: int | None = None) -> list[Any]:
        kwargs = {} if timeout is ... else {"timeout": timeout}
        return self._guard(
            lambda: super(DegradingRedisCache, self).set_many(data, version=version, **kwargs),
            lambda: [],
        )

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._guard(
            lambda: super(DegradingRedisCache, self).delete_many(keys, version), lambda: None
        )

    def clear(self) -> bool:
        return self._guard(lambda: super(DegradingRedisCache, self).clear(), lambda: True)

    def ping(self) -> bool:
        """Ask Redis directly (for /healthz); raises when it does not answer."""
        client = self._cache.get_client(None, write=False)
        return bool(client.ping())


def redis_caches(url: str, *, timeout_seconds: float = 0.5) -> dict[str, dict[str, Any]]:
    """The CACHES setting for Redis at `url`: degrading, with short socket timeouts so a
    Redis that hangs (rather than refuses) costs half a second, not a request's life."""
    return {
        "default": {
            "BACKEND": "config.cache.DegradingRedisCache",
            "LOCATION": url,
            "OPTIONS": {
                "socket_connect_timeout": timeout_seconds,
                "socket_timeout": timeout_seconds,
                "RETRY_SECONDS": 5,
            },
        }
    }
