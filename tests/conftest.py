import copy
import os
import uuid

import pytest

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls
# from such a thread unless told that this is deliberate (it is: tests only).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """Each test sees an empty cache: rate-limit counters, allauth's used TOTP codes and
    the public page cache never carry over from an earlier test (or an earlier run, when
    the cache is a shared Redis). A fresh key prefix per test rather than FLUSHDB, which
    would also empty the Celery broker's queues and bindings in the same Redis."""
    caches = copy.deepcopy(settings.CACHES)
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    for alias in caches.values():
        alias["KEY_PREFIX"] = prefix
    settings.CACHES = caches


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium: Playwright cannot download its own browser here. A missing
    # Chromium makes these tests fail, never skip.
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Patients are mostly on phones: every browser test runs at a phone's viewport.
    return {**browser_context_args, "viewport": {"width": 390, "height": 844}}


@pytest.fixture
def reference_trial(db):
    """NCT04356287 as recorded, with its criteria stored (as the admin would edit them)."""
    from screening.services.criteria import criteria_load_reference
    from tests.factories import trial_from_ctgov

    trial = trial_from_ctgov("NCT04356287")
    criteria_load_reference()
    return trial


@pytest.fixture
def admin_user(db):
    """pytest-django's admin, with the TOTP every staff user must have set up."""
    from tests.factories import UserFactory

    return UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
