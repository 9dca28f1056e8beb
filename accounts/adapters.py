"""How allauth and axes fit this portal: accounts are made by staff, email is the login."""

import logging
import smtplib
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from accounts.client_ip import client_ip_for_ratelimit

logger = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Coordinators see health data: a staff administrator creates each account and
        # puts it on a trial's team. Nobody can sign themselves up.
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """allauth's own emails (password reset) go straight to SMTP, not through the
        outbox: their links hold a secret that must not rest in the database. A server
        that is down, slow (EMAIL_TIMEOUT) or refusing must not turn the page into a 500;
        the page says an email is on its way whatever happens (it never tells whether an
        account exists), the failure is logged without the address, and the user may ask
        again."""
        try:
            super().send_mail(template_prefix, email, context)
        except (smtplib.SMTPException, OSError) as exc:
            logger.warning("Account email %s not sent: %s", template_prefix, type(exc).__name__)

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
