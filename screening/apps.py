from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "screening"
    verbose_name = _("Screening")

    def ready(self) -> None:
        # `trials` imports nothing from screening: screening plugs into its signal and
        # its trial page here (screening/receivers.py).
        from screening import receivers
        from trials.page_context import trial_page_context_register
        from trials.signals import catalogue_imported, trial_written

        trial_written.connect(
            receivers.trial_written_draft_criteria,
            dispatch_uid="screening.trial_written_draft_criteria",
        )
        catalogue_imported.connect(
            receivers.catalogue_imported_alert,
            dispatch_uid="screening.catalogue_imported_alert",
        )
        trial_page_context_register(receivers.trial_page_applied)
        # Registers the Celery tasks with the app in every process, so that the outbox
        # can start `notification_send` by name without importing the tasks module.
        from screening import tasks  # noqa: F401
