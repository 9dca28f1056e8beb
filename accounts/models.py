from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in: a coordinator, an investigator or a staff administrator.

    Email is the login. Patients apply without an account; they reach their application
    through its private status link.
    """

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    # The language of the portal's emails to this person (alerts, daily digest). Set by
    # the EN | FR switch while signed in, and on the email settings page.
    language = models.CharField(
        _("language of emails"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    last_dashboard_visit = models.DateTimeField(null=True, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()  # type: ignore[misc]

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class TrialMembership(models.Model):
    """A user's place on a trial's team. No membership, no access: deny by default."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator")
        INVESTIGATOR = "investigator", _("Investigator (read-only)")

    class Notify(models.TextChoices):
        INSTANT = "instant", _("Each new applicant")
        DIGEST = "digest", _("Daily digest")
        OFF = "off", _("Off")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    trial = models.ForeignKey("trials.Trial", on_delete=models.CASCADE, related_name="team")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.COORDINATOR)
    notify = models.CharField(
        _("email alerts"), max_length=10, choices=Notify.choices, default=Notify.INSTANT
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "trial"], name="unique_membership"),
        ]
        verbose_name = _("team membership")

    def __str__(self) -> str:
        return f"{self.user} · {self.trial_id} · {self.get_role_display()}"

    @property
    def can_edit(self) -> bool:
        return self.role == self.Role.COORDINATOR


class AuditEvent(models.Model):
    """One look at, or change to, health data. Append-only: never updated or deleted.

    `detail` holds identifiers and status words only, never answer values or contact details.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=40, db_index=True)
    target_type = models.CharField(max_length=40)
    target_id = models.CharField(max_length=64, blank=True)
    trial_id = models.CharField(max_length=11, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        verbose_name = _("audit event")

    def __str__(self) -> str:
        target = f"{self.target_type}:{self.target_id}"
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.action} {target}"

    def save(self, *args: object, **kwargs: object) -> None:
        # Append-only is a property of the row, not of a caller's good manners.
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("Audit events are append-only.")
