"""Signal receivers of the accounts app, connected in AccountsConfig.ready()."""

from typing import Any

from allauth.mfa.signals import authenticator_removed
from django.dispatch import receiver

from .middleware import TWO_FACTOR_SESSION_KEY


@receiver(authenticator_removed)
def two_factor_forget(sender: Any, request: Any = None, **kwargs: Any) -> None:
    """A session whose user removed an authenticator proves its TOTP again."""
    session = getattr(request, "session", None)
    if session is not None:
        session.pop(TWO_FACTOR_SESSION_KEY, None)
