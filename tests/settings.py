"""Test settings: the real settings, with a throwaway secret and fast password hashing."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests render templates without running collectstatic first.
STORAGES["staticfiles"]["BACKEND"] = (  # noqa: F405
    "django.contrib.staticfiles.storage.StaticFilesStorage"
)
