"""No input gives a 5xx, and refused input writes nothing: every URL, every form.

- Every URL pattern of the project (enumerated from the resolver, the admin's included) is
  requested with drawn path parameters and query strings, as each persona.
- Every form the portal renders (found by reading each page as each persona) is posted
  back with drawn values: the values the page offers, nearby junk, NUL characters, deep
  nesting, missing and extra fields.

Each run asserts no 5xx, and for a 4xx answer that no row of any table changed, apart from
the audit trail (refusals and looks are audited by design), the sessions and the sign-in
lockout's bookkeeping. CI runs this module on SQLite and on PostgreSQL (which refuses NUL
in text and out-of-range integers where SQLite does not). Example counts stay modest so
the suite stays fast; Hypothesis keeps the failures it finds for the next run.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

import pytest
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import TrialMembership
from screening.dashboard.filters import ApplicationFilter
from screening.models import Application, Criterion, Draft
from tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    NoteFactory,
    TrialFactory,
    UserFactory,
)
from tests.html_forms import page_forms
from trials.filters import TrialFilter

pytestmark = pytest.mark.django_db

# Written on purpose whatever the answer: the audit of looks and refusals, sessions,
# the lockout's counters, allauth's record of codes used.
BOOKKEEPING = {
    "accounts.AuditEvent",
    "sessions.Session",
    "axes.AccessAttempt",
    "axes.AccessLog",
    "axes.AccessFailureLog",
}

NASTY = [
    "\x00",
    "a\x00b",
    "%00",
    "",
    " ",
    "-1",
    "0",
    "99999999999999999999",
    "1e999",
    "NaN",
    "../",
    "é",
    "'; DROP TABLE x;--",
    "<script>",
    "x" * 300,
    "\u202e",
    "\ufeff",
    "{}",
    "[]",
    "null",
    "next",
    "queue",
    "//evil.example/",
    "https://evil.example/",
    "javascript:alert(1)",
    "/dashboard/",
]
text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40
)  # no lone surrogates: they cannot be sent at all
junk = st.one_of(st.sampled_from(NASTY), text, st.integers(-(10**20), 10**20).map(str))

DEEP_RULES = [
    "(" * 200 + "pregnant" + ")" * 200,
    "not " * 500 + "pregnant",
    '{"not":' * 300 + '{"q":"age","op":"gt","value":1}' + "}" * 300,
    '{"q":5,"op":"gt","value":1}',
    '{"q":"age","op":"gt","value":NaN}',
    '{"q":"age","op":"between","value":[1e999,1]}',
]


@dataclass
class World:
    valid: dict[str, list[str]]
    personas: dict[str, Client | None]
    users: dict[str, object]
    forms: list[tuple[str, str, dict[str, list[str]]]] = field(default_factory=list)


def _fingerprint() -> dict[str, str]:
    """A digest of every row of every table but the bookkeeping ones."""
    digests = {}
    for model in apps.get_models():
        label = model._meta.label
        if label in BOOKKEEPING or model._meta.proxy or not model._meta.managed:
            continue
        rows = model._base_manager.order_by("pk").values_list()
        digests[label] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return digests


def _changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(label for label in after if before.get(label) != after[label])


def url_patterns() -> list[tuple[str, list[object]]]:
    """Every URL pattern of the project: (name, [the pattern of each level])."""
    found: list[tuple[str, list[object]]] = []

    def walk(patterns, prefix):  # type: ignore[no-untyped-def]
        for entry in patterns:
            levels = [*prefix, entry.pattern]
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, levels)
            elif isinstance(entry, URLPattern):
                found.append((entry.name or "", levels))

    walk(get_resolver().url_patterns, [])
    return found


PATTERNS = url_patterns()
_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")
QUERY_KEYS = sorted(
    {*ApplicationFilter.base_filters, *TrialFilter.base_filters, "q", "page", "next", "sort"}
)


@st.composite
def urls(draw, world: World) -> str:  # type: ignore[no-untyped-def]
    """A path for one pattern, each parameter a known value or junk, and a query."""
    _name, levels = draw(st.sampled_from(PATTERNS))
    path = "/"
    for level in levels:
        if isinstance(level, RoutePattern):
            route = str(level)
            pieces = []
            last = 0
            for match in _PARAM.finditer(route):
                pieces.append(route[last : match.start()])
                known = world.valid.get(match["parameter"], []) + world.valid["any"]
                value = draw(st.one_of(st.sampled_from(known), junk))
                pieces.append(quote(value.replace("/", ""), safe=""))
                last = match.end()
            pieces.append(route[last:])
            path += "".join(pieces)
        else:
            regex = level.regex.pattern.lstrip("^").rstrip("$").replace("\\Z", "")
            if "(?P" in regex or "(" in regex:
                value = draw(
                    st.from_regex(
                        level.regex,
                        fullmatch=True,
                        alphabet=st.characters(codec="utf-8", blacklist_categories=("Cs", "Cc")),
                    )
                )
                path += quote(value.lstrip("/"), safe="/")
            else:
                path += regex
    query = draw(st.dictionaries(st.sampled_from(QUERY_KEYS), junk, max_size=3))
    return path + ("?" + urlencode(query) if query else "")


@pytest.fixture
def world(settings) -> World:
    settings.RATELIMIT_ENABLE = False
    settings.AXES_ENABLED = False
    trial = TrialFactory(nct_id="NCT04356287", minimum_age=18.0, maximum_age=70.0)
    other = TrialFactory(nct_id="NCT06388018")
    alice = UserFactory(email="alice@example.org")
    ivy = UserFactory(email="ivy@example.org")
    bob = UserFactory(email="bob@example.org")
    admin = UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    MembershipFactory(user=alice, trial=trial)
    MembershipFactory(user=ivy, trial=trial, role=TrialMembership.Role.INVESTIGATOR)
    MembershipFactory(user=bob, trial=other)
    applications = [ApplicationFactory(trial=trial) for _ in range(3)]
    NoteFactory(application=applications[0], author=alice)
    ApplicationFactory(trial=other)
    criterion = Criterion.objects.create(
        trial=trial, kind="inclusion", number="1", text="Adults", rule=None
    )
    patient = Client()
    patient.post(f"/trials/{trial.nct_id}/check/", {"action": "start"})
    draft = Draft.objects.get()
    valid = {
        "any": [trial.nct_id, applications[0].reference, str(criterion.pk), "about_you"],
        "nct_id": [trial.nct_id, other.nct_id],
        "reference": [a.reference for a in applications],
        "status_token": [applications[1].status_token, applications[2].status_token],
        "token": [draft.token],
        "step": ["about_you", "diagnosis"],
        "pk": [str(criterion.pk)],
        "object_id": [str(trial.pk), str(criterion.pk), str(alice.pk)],
    }
    users = {"alice": alice, "ivy": ivy, "bob": bob, "admin": admin}
    return World(
        valid=valid,
        personas={"anonymous": None, "patient": patient, **dict.fromkeys(users)},
        users=users,
    )


@pytest.fixture
def discovered(world) -> World:
    world.forms = _discover_forms(world)
    return world


def _client(world: World, persona: str) -> Client:
    kept = world.personas[persona]
    if kept is not None:
        return kept
    client = Client()
    if persona in world.users:
        client.force_login(world.users[persona])
    return client


def _valid_url(world: World, levels: list[object]) -> str | None:
    path = "/"
    for level in levels:
        if not isinstance(level, RoutePattern):
            return None
        route = str(level)
        for match in _PARAM.finditer(route):
            known = world.valid.get(match["parameter"])
            if not known:
                return None
            route = route.replace(match.group(), known[0], 1)
        path += route
    return path


# Where each persona's forms are: the patient's pages, the public and sign-in pages, the
# dashboard as a coordinator and as an investigator, the admin as staff.
DISCOVER = {
    "patient": ("/trials/", "/resume/", "/status/"),
    "anonymous": ("/trials/", "/accounts/", "/email/", "/status/"),
    "alice": ("/dashboard/", "/account/", "/accounts/"),
    "ivy": ("/dashboard/",),
    "admin": ("/admin/",),
}


def _discover_forms(world: World) -> list[tuple[str, str, dict[str, list[str]]]]:
    """Every POST form of every page the personas can open: (persona, action, fields)."""
    forms: dict[tuple[str, str, tuple[str, ...]], dict[str, list[str]]] = {}
    for persona, prefixes in DISCOVER.items():
        client = _client(world, persona)
        for _name, levels in PATTERNS:
            url = _valid_url(world, levels)
            if url is None or "logout" in url or not url.startswith(prefixes):
                continue
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            for form in page_forms(response.content.decode(), url):
                if form.method != "post":
                    continue
                names = [n for n in form.names() if n != "csrfmiddlewaretoken"]
                offered = {name: form.choices(name) for name in names}
                forms[(persona, form.action, tuple(names))] = offered
    return [(persona, action, fields) for (persona, action, _n), fields in forms.items()]


@st.composite
def form_posts(draw, world: World):  # type: ignore[no-untyped-def]
    persona, action, fields = draw(st.sampled_from(world.forms))
    data: dict[str, list[str]] = {}
    for name, offered in fields.items():
        how = draw(st.sampled_from(["offered", "offered", "junk", "omit", "deep"]))
        if how == "omit":
            continue
        if how == "offered" and offered:
            data[name] = draw(st.lists(st.sampled_from(offered), min_size=1, max_size=2))
        elif how == "deep":
            data[name] = [draw(st.sampled_from(DEEP_RULES))]
        else:
            data[name] = [draw(junk)]
    extra = draw(
        st.dictionaries(st.sampled_from(["next", "action", "x", "\x00"]), junk, max_size=2)
    )
    for key, value in extra.items():
        data.setdefault(key, [value])
    return persona, action, data


def _check(client: Client, method: str, url: str, data=None) -> None:  # type: ignore[no-untyped-def]
    before = _fingerprint()
    response = getattr(client, method)(url, data or {})
    assert response.status_code < 500, f"{method.upper()} {url!r} {data!r}"
    if 400 <= response.status_code < 500:
        changed = _changed(before, _fingerprint())
        assert changed == [], f"{method.upper()} {url!r} {data!r} answered {response.status_code}"


def _assert_every_form_found(world: World) -> None:
    actions = {action for _persona, action, _fields in world.forms}
    for expected in (
        "/trials/NCT04356287/check/",
        "/trials/NCT04356287/check/step/about_you/",
        f"/dashboard/applicants/{world.valid['reference'][0]}/notes/",
        "/dashboard/applicants/bulk-status/",
        "/dashboard/applicants/search/",
        "/dashboard/trials/NCT04356287/criteria/new/",
        "/admin/screening/criterion/add/",
        "/accounts/login/",
    ):
        assert any(action.split("?")[0] == expected for action in actions), expected


FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(data=st.data())
def test_no_url_parameter_or_query_gives_a_5xx(world, data):
    persona = data.draw(st.sampled_from(sorted(world.personas)))
    url = data.draw(urls(world))
    _check(_client(world, persona), "get", url)


@FUZZ
@given(data=st.data())
def test_no_form_input_gives_a_5xx_and_refused_input_writes_nothing(discovered, data):
    _assert_every_form_found(discovered)
    persona, action, fields = data.draw(form_posts(discovered))
    _check(_client(discovered, persona), "post", action, fields)


# The members of each kind the issue names, always tried, on both databases.
NAMED = [
    ("anonymous", "get", "/status/%00/", None, 400),
    ("anonymous", "get", "/status/%00/withdraw/", None, 400),
    ("anonymous", "get", "/resume/a%00b/", None, 400),
    ("anonymous", "get", "/trials/%00/", None, 400),
    ("anonymous", "get", "/trials/?q=%00", None, 400),
    ("alice", "get", "/dashboard/applicants/%00/", None, 400),
    ("alice", "get", "/dashboard/applicants/?trial=%00", None, 400),
    ("alice", "get", "/dashboard/trials/%00/criteria/", None, 400),
    ("alice", "post", "/dashboard/applicants/search/", {"q": "x", "next": "queue"}, 302),
    ("alice", "post", "/dashboard/applicants/search/", {"q": "x", "next": "a\x00"}, 400),
    ("alice", "post", "/dashboard/applicants/bulk-status/", {"next": "home"}, 302),
    ("alice", "post", "/dashboard/applicants/bulk-status/", {"next": "//evil.example/"}, 302),
    ("alice", "post", "/dashboard/applicants/REF/notes/", {"text": "a\x00b"}, 400),
    ("alice", "post", "/dashboard/applicants/bulk-assign/", {"next": "queue"}, 302),
    # Found by the fuzz: the admin's autocomplete re-rendering an id that is not one, and
    # allauth's admin letting an authenticator's raw data be edited into a broken row.
    ("admin", "post", "/admin/accounts/trialmembership/add/", {"user": "%00", "trial": ""}, 200),
    ("admin", "post", "/admin/mfa/authenticator/AUTH/change/", {"type": "webauthn"}, 403),
    # Django's changelist actions on ticked "ids" that are not ids, in every model admin.
    (
        "admin",
        "post",
        "/admin/screening/criterion/",
        {"action": "delete_selected", "_selected_action": "((x"},
        302,
    ),
    (
        "admin",
        "post",
        "/admin/accounts/user/",
        {"action": "delete_selected", "_selected_action": "99999999999999999999"},
        302,
    ),
    (
        "admin",
        "post",
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": "-"},
        302,
    ),
    # celery-beat's crontab validators accept a month Celery itself cannot read.
    (
        "admin",
        "post",
        "/admin/django_celery_beat/crontabschedule/add/",
        {
            "minute": "*",
            "hour": "*",
            "day_of_month": "*",
            "month_of_year": "-1",
            "day_of_week": "*",
            "timezone": "UTC",
        },
        200,
    ),
]


@pytest.mark.parametrize(("persona", "method", "url", "data", "status"), NAMED)
def test_the_named_inputs_are_refused_without_a_500(world, persona, method, url, data, status):
    url = url.replace("REF", world.valid["reference"][0])
    url = url.replace("AUTH", str(Authenticator.objects.filter(user=world.users["alice"]).get().pk))
    client = _client(world, persona)
    before = _fingerprint()
    response = getattr(client, method)(url, data or {})
    assert response.status_code == status
    if status == 302 and url.startswith("/dashboard/"):
        assert response.url == "/dashboard/applicants/"
    else:
        assert _changed(before, _fingerprint()) == []


@pytest.mark.parametrize("rule", DEEP_RULES)
@pytest.mark.parametrize("where", ["dashboard", "admin"])
def test_deep_or_malformed_rules_are_refused_with_a_reason(world, rule, where):
    client = _client(world, "admin" if where == "admin" else "alice")
    fields = {"kind": "exclusion", "number": "7", "position": "0", "text": "t", "rule": rule}
    if where == "admin":
        url = "/admin/screening/criterion/add/"
        fields["trial"] = str(Criterion.objects.get().trial_id)
        ok = 200
    else:
        url = "/dashboard/trials/NCT04356287/criteria/new/"
        ok = 400
    response = client.post(url, fields)
    assert response.status_code == ok
    assert Criterion.objects.count() == 1
    assert Application.objects.count() == 4


def _every_url(world: World, value: str) -> list[tuple[str, str]]:
    """(persona, url) for every pattern with a parameter, each parameter set to `value`;
    the admin's patterns as staff, the others as the coordinator."""
    found = []
    for _name, levels in PATTERNS:
        path, has_parameter = "/", False
        for level in levels:
            if not isinstance(level, RoutePattern):
                path = ""
                break
            route = str(level)
            has_parameter = has_parameter or bool(_PARAM.search(route))
            path += _PARAM.sub(quote(value, safe=""), route)
        if path and has_parameter:
            found.append(("admin" if path.startswith("/admin/") else "alice", path))
    return found


def test_every_url_parameter_refuses_a_nul_and_survives_junk(world):
    """Not left to chance: each parameter of each pattern, once with NUL (a 400 on every
    database) and once with each of a few values that broke lookups elsewhere."""
    checked = 0
    for value, expected in [("a\x00b", 400), ("99999999999999999999", None), ("-1", None)]:
        for persona, url in _every_url(world, value):
            response = _client(world, persona).get(url)
            if expected is None:
                assert response.status_code < 500, url
            else:
                assert response.status_code == expected, url
            checked += 1
    assert checked > 100
