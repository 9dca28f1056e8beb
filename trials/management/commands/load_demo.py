from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from trials.services import trial_import_paths


class Command(BaseCommand):
    help = "Load the demo data. Safe to run again: what is already there is left as it is."

    def handle(self, *args: object, **options: object) -> None:
        # One short step per kind of demo data, in order; each must be idempotent.
        steps = [
            ("trials from data/ctgov/", self.load_trials),
        ]
        for label, step in steps:
            self.stdout.write(f"{label}: {step()}")

    def load_trials(self) -> str:
        report = trial_import_paths(paths=[settings.BASE_DIR / "data" / "ctgov"])
        for failure in report.failures:
            self.stderr.write(f"failed: {failure}")
        if report.failed:
            raise CommandError(f"{report.failed} demo trial(s) failed to import.")
        return report.summary()
