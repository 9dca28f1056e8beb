"""The client's address, for everything that records or counts one: the audit trail,
django-axes, django-ratelimit and allauth's own rate limits.

One setting decides it: ``TRUSTED_PROXY_COUNT``, the number of reverse proxies in front
of the application server that each append the address they saw to ``X-Forwarded-For``.

- 0 (the default): ``REMOTE_ADDR``; ``X-Forwarded-For`` is ignored, since any client can
  send one.
- N > 0: the N-th address from the right of ``X-Forwarded-For``, the one the outermost
  trusted proxy saw. Addresses to its left were written by the client and are never
  believed. A request with fewer than N addresses did not come through all the proxies:
  its ``REMOTE_ADDR`` is used.

Source: MDN, "X-Forwarded-For: Selecting an IP address" (the rightmost-trusted rule).
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> str | None:
    address = address.strip()
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address as a string (IPv4 or IPv6), or None when the server saw none."""
    remote = _valid(request.META.get("REMOTE_ADDR") or "")
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part.strip() for part in forwarded if part.strip()]
    if len(forwarded) < count:
        return remote
    return _valid(forwarded[-count]) or remote


def client_ip_for_ratelimit(request: HttpRequest) -> str:
    """django-ratelimit's RATELIMIT_IP_META_KEY callable: never empty (it would raise)."""
    return client_ip(request) or "0.0.0.0"  # noqa: S104 - a key, not a bind address
