"""Every applicant URL × every persona. A new applicant URL must be added to URLS."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from screening.services.criteria import criteria_load_encoded
from tests.dashboard_personas import world  # noqa: F401

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Url:
    name: str
    method: str
    build: Callable[[str, str], str]
    data: Callable[[object], dict] = lambda w: {}
    writes: bool = False

    def __str__(self) -> str:
        return self.name


URLS = [
    Url("applicant", "get", lambda ref, nct: reverse("dashboard:applicant", args=[ref])),
    Url(
        "status",
        "post",
        lambda ref, nct: reverse("dashboard:applicant_status", args=[ref]),
        lambda w: {"to_status": "in_review"},
        writes=True,
    ),
    Url(
        "note",
        "post",
        lambda ref, nct: reverse("dashboard:applicant_note", args=[ref]),
        lambda w: {"text": "Called twice."},
        writes=True,
    ),
    Url(
        "assign",
        "post",
        lambda ref, nct: reverse("dashboard:applicant_assign", args=[ref]),
        lambda w: {"assignee": w.alice.pk},
        writes=True,
    ),
    Url(
        "bulk_status",
        "post",
        lambda ref, nct: reverse("dashboard:queue_bulk_status"),
        lambda w: {"references": [w.app_a.reference], "to_status": "in_review"},
        writes=True,
    ),
    Url("trial_queue", "get", lambda ref, nct: reverse("dashboard:trial_queue", args=[nct])),
    Url("queue_of_trial", "get", lambda ref, nct: reverse("dashboard:queue") + f"?trial={nct}"),
    Url(
        "export_of_trial",
        "get",
        lambda ref, nct: reverse("dashboard:queue_export") + f"?trial={nct}",
    ),
    Url("trial_settings", "get", lambda ref, nct: reverse("dashboard:trial_settings", args=[nct])),
    Url(
        "trial_settings_save",
        "post",
        lambda ref, nct: reverse("dashboard:trial_settings", args=[nct]),
        lambda w: {"screening": "1", "screening_open": ""},
        writes=True,
    ),
]


def _criterion(nct: str) -> int:
    """A stored criterion of the trial (its reference encoding, stored on first use)."""
    from trials.models import Trial

    trial = Trial.objects.get(nct_id=nct)
    return (trial.criteria.first() or criteria_load_encoded(trial=trial)[0]).pk


def _criterion_form(w) -> dict:
    return {
        "kind": "inclusion",
        "number": "9",
        "position": 9,
        "text": "Adults",
        "rule": "age >= 18",
        "verify_note": "",
    }


CRITERIA_URLS = [
    Url("criteria", "get", lambda ref, nct: reverse("dashboard:criteria", args=[nct])),
    Url(
        "criteria_store",
        "post",
        lambda ref, nct: reverse("dashboard:criteria", args=[nct]),
        writes=True,
    ),
    Url(
        "criterion_new",
        "get",
        lambda ref, nct: reverse("dashboard:criterion_new", args=[nct]),
        writes=True,
    ),
    Url(
        "criterion_new_save",
        "post",
        lambda ref, nct: reverse("dashboard:criterion_new", args=[nct]),
        _criterion_form,
        writes=True,
    ),
    Url(
        "criterion_edit",
        "get",
        lambda ref, nct: reverse("dashboard:criterion_edit", args=[nct, _criterion(nct)]),
        writes=True,
    ),
    Url(
        "criterion_edit_preview",
        "post",
        lambda ref, nct: reverse("dashboard:criterion_edit", args=[nct, _criterion(nct)]),
        lambda w: _criterion_form(w) | {"preview": "1", "answer-age": "40"},
        writes=True,
    ),
    Url(
        "criterion_edit_save",
        "post",
        lambda ref, nct: reverse("dashboard:criterion_edit", args=[nct, _criterion(nct)]),
        _criterion_form,
        writes=True,
    ),
    Url(
        "criterion_delete",
        "get",
        lambda ref, nct: reverse("dashboard:criterion_delete", args=[nct, _criterion(nct)]),
        writes=True,
    ),
    Url(
        "criterion_delete_confirm",
        "post",
        lambda ref, nct: reverse("dashboard:criterion_delete", args=[nct, _criterion(nct)]),
        writes=True,
    ),
]
URLS += CRITERIA_URLS


def _call(client, url: Url, w) -> object:
    target = url.build(w.app_a.reference, w.trial_a.nct_id)
    return getattr(client, url.method)(target, url.data(w))


@pytest.mark.parametrize("url", URLS, ids=str)
def test_anonymous_visitor_is_sent_to_sign_in(client, world, url):  # noqa: F811
    response = _call(client, url, world)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("url", URLS, ids=str)
@pytest.mark.parametrize("persona", ["bob", "sam", "nobody"])
def test_outsider_of_the_trial_gets_404_and_the_refusal_is_audited(
    client,
    world,  # noqa: F811
    url,
    persona,
):
    client.force_login(getattr(world, persona))
    response = _call(client, url, world)
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="access.refused", actor=getattr(world, persona))
    world.app_a.refresh_from_db()
    assert world.app_a.status == "new"
    assert world.app_a.notes.count() == 0
    assert world.app_a.assigned_to is None


@pytest.mark.parametrize("url", URLS, ids=str)
def test_coordinator_of_the_trial_is_allowed(client, world, url):  # noqa: F811
    client.force_login(world.alice)
    response = _call(client, url, world)
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert not response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("url", URLS, ids=str)
def test_investigator_reads_but_cannot_write(client, world, url):  # noqa: F811
    client.force_login(world.ivy)
    response = _call(client, url, world)
    assert response.status_code == (403 if url.writes else 200)
    world.app_a.refresh_from_db()
    assert world.app_a.status == "new"
    assert world.app_a.notes.count() == 0


def test_other_trial_applicant_is_indistinguishable_from_a_missing_one(client, world):  # noqa: F811
    client.force_login(world.bob)
    other = client.get(reverse("dashboard:applicant", args=[world.app_a.reference]))
    missing = client.get(reverse("dashboard:applicant", args=["ZZZZ9999"]))
    assert other.status_code == missing.status_code == 404
    assert other.content == missing.content


def test_queue_shows_only_the_users_own_trials(client, world):  # noqa: F811
    client.force_login(world.bob)
    response = client.get(reverse("dashboard:queue"))
    assert world.app_b.reference.encode() in response.content
    assert world.app_a.reference.encode() not in response.content


def test_staff_without_a_team_sees_no_applicant(client, world):  # noqa: F811
    client.force_login(world.sam)
    response = client.get(reverse("dashboard:queue"))
    assert response.status_code == 200
    assert world.app_a.reference.encode() not in response.content
    assert world.app_b.reference.encode() not in response.content
