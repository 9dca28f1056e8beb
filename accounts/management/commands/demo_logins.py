from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from accounts.services import demo_team_create


class Command(BaseCommand):
    help = (
        "Print the demo sign-ins for the study-team dashboard, creating the demo team first "
        "when DEBUG is on (never in production: the passwords are public)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--code", action="store_true", help="also print the current two-factor code"
        )

    def handle(self, *args: object, code: bool = False, **options: object) -> None:
        if not settings.DEBUG:
            self.stdout.write("Demo logins exist only in development (DEBUG=1).")
            return
        logins = demo_team_create()
        self.stdout.write(f"  Study-team dashboard: {settings.SITE_URL}/dashboard/")
        for login in logins:
            self.stdout.write(f"    {login.email} / {login.password}  ({login.description})")
        secret = logins[0].totp_secret
        self.stdout.write(f"  Two-factor (TOTP) secret for all of them: {secret}")
        self.stdout.write(f"    add it to an authenticator app, or use: {logins[0].otpauth_uri}")
        if code:
            counter = int(timezone.now().timestamp()) // 30
            self.stdout.write(f"    current code: {format_hotp_value(hotp_value(secret, counter))}")
        else:
            self.stdout.write("    or run `manage.py demo_logins --code` for the current code.")
