"""Test settings: the real settings, with a throwaway secret and fast password hashing."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests render templates without running collectstatic first.
STORAGES["staticfiles"]["BACKEND"] = (  # noqa: F405
    "django.contrib.staticfiles.storage.StaticFilesStorage"
)
# Unit tests run Celery tasks in-process even when REDIS_URL is set; the services tests
# (tests/test_worker*.py) start their own Redis and a real worker.
CELERY_TASK_ALWAYS_EAGER = True
# Tests change the catalogue between requests; tests/test_public_page_cache.py turns the
# cache of the public pages back on where it is the subject.
PUBLIC_PAGE_CACHE_SECONDS = 0
