"""Signal receivers of the accounts app, connected in AccountsConfig.ready()."""

from typing import Any

from allauth.account.signals import password_reset
from allauth.mfa.signals import authenticator_removed
from axes.utils import reset as axes_reset
from django.dispatch import receiver

from .middleware import TWO_FACTOR_SESSION_KEY


@receiver(authenticator_removed)
def two_factor_forget(sender: Any, request: Any = None, **kwargs: Any) -> None:
    """A session whose user removed an authenticator proves its TOTP again."""
    session = getattr(request, "session", None)
    if session is not None:
        session.pop(TWO_FACTOR_SESSION_KEY, None)


@receiver(password_reset)
def lift_lockout_after_password_reset(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """The lockout page tells a locked-out user to reset their password: once they have
    (proving they own the email), their failed attempts are forgotten, so the new password
    signs in at once instead of meeting the lockout's remaining hour."""
    axes_reset(username=user.email.strip().lower())
