"""Writes about accounts. Today: the demonstration team that `make run` signs in with."""

from dataclasses import dataclass
from urllib.parse import quote

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.db import transaction

from trials.models import Trial

from .models import TrialMembership, User

REFERENCE_TRIAL = "NCT04356287"
OTHER_TRIAL = "NCT06388018"
# Public on purpose: these accounts exist so that a person can try the dashboard locally.
DEMO_PASSWORD = "demo-portal-2fa-pass"  # noqa: S105
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    totp_secret: str
    description: str
    trial: str | None

    @property
    def otpauth_uri(self) -> str:
        issuer = quote(settings.MFA_TOTP_ISSUER)
        return (
            f"otpauth://totp/{issuer}:{quote(self.email)}?secret={self.totp_secret}&issuer={issuer}"
        )


def _demo_user(*, email: str, first_name: str, is_admin: bool = False) -> User:
    user, created = User.objects.get_or_create(
        email=email,
        defaults={"first_name": first_name, "is_staff": is_admin, "is_superuser": is_admin},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)
    return user


@transaction.atomic
def demo_team_create() -> list[DemoLogin]:
    """Create (once) the demo coordinators and a demo staff administrator, each with the
    known password and TOTP secret above. Coordinator A joins the reference trial and
    coordinator B another trial, when those trials have been imported. Idempotent."""
    other = (
        Trial.objects.filter(nct_id=OTHER_TRIAL).first()
        or Trial.objects.exclude(nct_id=REFERENCE_TRIAL).order_by("nct_id").first()
    )
    plan = [
        (
            "coordinator.a@demo.example",
            "Alice",
            Trial.objects.filter(nct_id=REFERENCE_TRIAL).first(),
        ),
        ("coordinator.b@demo.example", "Bob", other),
    ]
    logins = []
    for email, name, trial in plan:
        user = _demo_user(email=email, first_name=name)
        if trial is not None:
            TrialMembership.objects.get_or_create(
                user=user, trial=trial, defaults={"role": TrialMembership.Role.COORDINATOR}
            )
        logins.append(
            DemoLogin(
                email=email,
                password=DEMO_PASSWORD,
                totp_secret=DEMO_TOTP_SECRET,
                description=f"coordinator of {trial.nct_id}"
                if trial
                else "coordinator, no trial yet",
                trial=trial.nct_id if trial else None,
            )
        )
    _demo_user(email="admin@demo.example", first_name="Ada", is_admin=True)
    logins.append(
        DemoLogin(
            email="admin@demo.example",
            password=DEMO_PASSWORD,
            totp_secret=DEMO_TOTP_SECRET,
            description="staff administrator (manages teams at /admin/)",
            trial=None,
        )
    )
    return logins
