"""Sign-in events that change other state: a completed password reset lifts the lockout."""

from typing import Any

from allauth.account.signals import password_reset
from axes.utils import reset as axes_reset
from django.dispatch import receiver


@receiver(password_reset)
def lift_lockout_after_password_reset(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """The lockout page tells a locked-out user to reset their password: once they have
    (proving they own the email), their failed attempts are forgotten, so the new password
    signs in at once instead of meeting the lockout's remaining hour."""
    axes_reset(username=user.email.strip().lower())
