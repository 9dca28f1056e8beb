"""The pages the benchmark loads, and what each needs before it can be loaded.

A page is a URL, a wrk script and its arguments (a session cookie, a POST body...).
Pages that need a signed-in coordinator or a patient's draft prepare their sessions in
the database here, exactly as the portal's own views would leave them.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.conf import settings
from django.contrib.sessions.backends.base import VALID_KEY_CHARS as SESSION_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.middleware.csrf import CSRF_SECRET_LENGTH
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string

from accounts.models import User
from bench.engine import ANSWERS
from bench.seed import (
    COORDINATOR_EMAIL,
    COORDINATOR_PASSWORD,
    COORDINATOR_TOTP_SECRET,
    REFERENCE_TRIAL,
)
from bench.urls import HELLO_PATH
from screening.models import Draft
from screening.patient.flow import Flow
from screening.patient.session_keys import SESSION_DRAFTS
from trials.models import Trial

SEARCH_QUERY = "sclerosis"
SIGNED_IN_HELLO = "hello (signed in)"


@dataclass
class Page:
    """One page under load. `prepare(n, threads)` readies `n` requests' worth of state
    (sessions, drafts) for a run of `threads` wrk threads, and returns the script's
    arguments."""

    name: str
    path: str
    script: str = "get.lua"
    method: str = "GET"
    # Whose target applies (bench.measure.RATIO_TARGETS), None: no target.
    target: str | None = None
    # The page its ratio is taken against: hello as a stateless visitor gets it, or
    # "hello (signed in)" for pages that need a signed-in session (the framework's floor
    # for a page that loads a session and a user).
    baseline: str = "hello"
    prepare: Callable[[int, int], list[str]] = field(default=lambda n, threads: [])
    # For the in-process query count: the request as django.test.Client makes it,
    # given the client and what `prepare(1, 1)` returned.
    client_request: Callable[[Client, list[str]], Any] | None = None
    # How many requests a second `prepare` must provide for (pages that use up state).
    budget_per_second: int = 0


def public_pages() -> list[Page]:
    """The catalogue as a stateless visitor gets it (cached for PUBLIC_PAGE_CACHE_SECONDS),
    and as rendered for a visitor with a session (never from the cache)."""
    paths = {
        "trials list": reverse("trials:list"),
        "search": f"{reverse('trials:list')}?q={SEARCH_QUERY}",
        "trial page": reverse("trials:detail", args=[REFERENCE_TRIAL]),
    }
    # Any session cookie, even one that names no session, skips the cache.
    stateful = session_cookie("bench-no-such-session")
    # Issue 14's target (0.3 of hello) is for the pages as rendered: the uncached rows.
    return [Page(name, path) for name, path in paths.items()] + [
        Page(f"{name} (uncached)", path, target="public", prepare=lambda n, t: [stateful])
        for name, path in paths.items()
    ]


def hello_page() -> Page:
    return Page("hello", HELLO_PATH)


def session_cookie(key: str) -> str:
    return f"{settings.SESSION_COOKIE_NAME}={key}"


def _session_create(data: dict[str, Any]) -> str:
    store = SessionStore()
    store.update(data)
    store.create()
    return str(store.session_key)


def _sessions_bulk(datas: list[dict[str, Any]]) -> list[str]:
    """Many sessions at once, stored as SessionStore would store them."""
    expire = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    rows = [
        Session(
            session_key=get_random_string(32, SESSION_KEY_CHARS),
            session_data=SessionStore().encode(d),
            expire_date=expire,
        )
        for d in datas
    ]
    Session.objects.bulk_create(rows, batch_size=1000)
    return [row.session_key for row in rows]


def coordinator_pages() -> list[Page]:
    """The coordinator's queue of the big trial, signed in through the real sign-in:
    allauth's password step, then the TOTP code, as a person would."""
    user = User.objects.get(email=COORDINATOR_EMAIL)
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, COORDINATOR_TOTP_SECRET)
    client = Client(HTTP_HOST="127.0.0.1")
    signed = client.post(
        reverse("account_login"), {"login": COORDINATOR_EMAIL, "password": COORDINATOR_PASSWORD}
    )
    code = format_hotp_value(hotp_value(COORDINATOR_TOTP_SECRET, int(time.time()) // 30))
    verified = client.post(reverse("mfa_authenticate"), {"code": code})
    if signed.status_code != 302 or verified.status_code != 302:
        raise RuntimeError("bench: the coordinator could not sign in with password and TOTP")
    cookie = session_cookie(client.cookies[settings.SESSION_COOKIE_NAME].value)
    path = reverse("dashboard:trial_queue", args=[REFERENCE_TRIAL])
    return [
        Page(SIGNED_IN_HELLO, HELLO_PATH, prepare=lambda n, t: [cookie]),
        Page(
            "coordinator queue",
            path,
            target="coordinator",
            baseline=SIGNED_IN_HELLO,
            prepare=lambda n, t: [cookie],
        ),
    ]


def patient_pages() -> list[Page]:
    trial = Trial.objects.get(nct_id=REFERENCE_TRIAL)
    flow = Flow.for_trial(trial)
    steps = [step.identifier for step in flow.steps]
    # The second step, with the first one answered: a patient halfway through.
    first = flow.steps[0]
    answers = {q.key: ANSWERS[q.key] for q in first.questions if q.key in ANSWERS}
    draft = Draft.objects.create(trial=trial, answers=answers, completed_steps=steps[:1])
    step_cookie = session_cookie(_session_create({SESSION_DRAFTS: {trial.nct_id: draft.token}}))
    step_path = reverse("screening:step", args=[trial.nct_id, steps[1]])

    asked = flow.keys()
    complete = {key: value for key, value in ANSWERS.items() if key in asked}
    secret = get_random_string(CSRF_SECRET_LENGTH)
    workdir = Path(tempfile.mkdtemp(prefix="bench-submit-"))
    runs = iter(range(1, 10**6))

    def prepare_submits(n: int, threads: int) -> list[str]:
        """`n` sessions, each holding a completed draft of its own."""
        drafts = Draft.objects.bulk_create(
            Draft(trial=trial, answers=complete, completed_steps=steps) for _ in range(n)
        )
        keys = _sessions_bulk([{SESSION_DRAFTS: {trial.nct_id: d.token}} for d in drafts])
        run = next(runs)
        path = workdir / f"sessions-{run}.txt"
        path.write_text("\n".join(keys) + "\n")
        tag = f"{int(time.time())}-{run}"
        return [
            str(path),
            secret,
            tag,
            str(threads),
            settings.SESSION_COOKIE_NAME,
            settings.CSRF_COOKIE_NAME,
        ]

    def submit_once(client: Client, args: list[str]) -> Any:
        key = Path(args[0]).read_text().split()[0]
        client.cookies[settings.SESSION_COOKIE_NAME] = key
        client.cookies[settings.CSRF_COOKIE_NAME] = secret
        return client.post(
            apply_path,
            {
                "csrfmiddlewaretoken": secret,
                "full_name": "Bench Patient",
                "email": f"bench-inprocess-{args[2]}@bench.example",
                "contact_method": "email",
                "contact_time": "any",
                "consent_contact": "on",
                "consent_share": "on",
            },
        )

    apply_path = reverse("screening:apply", args=[trial.nct_id])
    return [
        Page(
            "questionnaire step",
            step_path,
            target="step",
            prepare=lambda n, threads: [step_cookie],
        ),
        Page(
            "application submit",
            apply_path,
            script="submit.lua",
            method="POST",
            target="submit",
            prepare=prepare_submits,
            client_request=submit_once,
            budget_per_second=400,
        ),
    ]


def matching_pages() -> list[Page]:
    """Find trials for me, for a patient with systemic sclerosis near Montreal: the
    questions page and the matches page, each with the search held on the session."""
    from dataclasses import asdict

    from bench.matching import CONDITION, MONTREAL, PATIENT
    from screening.matching.state import SESSION_KEY, SearchState

    state = SearchState(
        condition=CONDITION,
        place_id="montreal",
        place_name="Montreal",
        latitude=MONTREAL[0],
        longitude=MONTREAL[1],
        max_km=500,
        answers=dict(PATIENT),
        located=True,
    )
    cookie = session_cookie(_session_create({SESSION_KEY: asdict(state)}))
    return [
        Page("find questions", reverse("matching:questions"), prepare=lambda n, t: [cookie]),
        Page("find matches", reverse("matching:matches"), prepare=lambda n, t: [cookie]),
    ]
