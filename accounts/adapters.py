"""How allauth and axes fit this portal: accounts are made by staff, email is the login."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from accounts.client_ip import client_ip_for_ratelimit


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Coordinators see health data: a staff administrator creates each account and
        # puts it on a trial's team. Nobody can sign themselves up.
        return False

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's rate limits count per address by the portal's one rule.
        return client_ip_for_ratelimit(request)


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """The account an attempt is aimed at, as axes counts failures per account.

    allauth authenticates with ``email=``; Django's own forms with ``username=``. Both are
    lower-cased so that ``Alice@X`` and ``alice@x`` share one counter.
    """
    source: Any = credentials or getattr(request, "POST", {})
    value = source.get("email") or source.get("username") or source.get("login")
    return value.strip().lower() if isinstance(value, str) else None
