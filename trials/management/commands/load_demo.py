from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.services import demo_team_create
from screening.services.criteria import criteria_load_reference
from screening.services.demo import demo_applications_create, demo_catalogue_load
from screening.services.drafts import trials_criteria_draft_missing
from trials.services import trial_import_paths


class Command(BaseCommand):
    help = "Load the demo data. Safe to run again: what is already there is left as it is."

    def handle(self, *args: object, **options: object) -> None:
        # One short step per kind of demo data, in order; each must be idempotent.
        steps = [
            ("trials from data/ctgov/", self.load_trials),
            ("demo catalogue from data/ctgov-catalogue/", self.load_catalogue),
            ("encoded criteria", self.load_criteria),
            ("drafted criteria", self.draft_criteria),
            ("demo study team and applicants", self.load_people),
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

    def load_catalogue(self) -> str:
        report = demo_catalogue_load()
        for failure in report.failures:
            self.stderr.write(f"failed: {failure}")
        return report.summary()

    def load_criteria(self) -> str:
        stored = criteria_load_reference()
        trials = len({criterion.trial_id for criterion in stored})
        return f"{len(stored)} criteria on {trials} trial(s)"

    def draft_criteria(self) -> str:
        # The importer drafts what it writes; this catches trials imported before drafting.
        reports = trials_criteria_draft_missing()
        drafted = sum(report.drafted for report in reports)
        return f"{drafted} drafted rules on {len(reports)} trial(s) not drafted before"

    def load_people(self) -> str:
        # The demo team's passwords are public: they exist only on a developer's machine.
        if not settings.DEBUG:
            return "skipped (DEBUG is off)"
        logins = demo_team_create()
        created = demo_applications_create()
        return f"{len(logins)} demo sign-ins, {created} new demo applicants"
