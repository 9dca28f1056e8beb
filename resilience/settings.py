"""The production settings, as `make resilience` serves them: only static files differ
(served from the app directories, so no collectstatic is needed for a throwaway run).
This module is only ever named by `python -m resilience`."""

from config.settings import *  # noqa: F403

STORAGES["staticfiles"]["BACKEND"] = (  # noqa: F405
    "django.contrib.staticfiles.storage.StaticFilesStorage"
)
