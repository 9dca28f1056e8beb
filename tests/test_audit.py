import pytest
from django.urls import reverse

from accounts.audit import AuditAction, audit_record
from accounts.models import AuditEvent
from tests.dashboard_personas import world  # noqa: F401

pytestmark = pytest.mark.django_db


def test_viewing_an_applicant_records_who_what_when_and_from_where(client, world):  # noqa: F811
    client.force_login(world.alice)
    client.get(reverse("dashboard:applicant", args=[world.app_a.reference]), REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.get(action=AuditAction.APPLICATION_VIEW)
    assert event.actor == world.alice
    assert (event.target_type, event.target_id) == ("application", world.app_a.reference)
    assert event.trial_id == world.trial_a.nct_id
    assert event.ip_address == "10.1.2.3"
    assert event.at is not None


def test_each_change_is_audited_without_health_data(client, world):  # noqa: F811
    client.force_login(world.alice)
    ref = world.app_a.reference
    client.post(reverse("dashboard:applicant_status", args=[ref]), {"to_status": "in_review"})
    client.post(reverse("dashboard:applicant_note", args=[ref]), {"text": "Has a rash on hands"})
    client.post(reverse("dashboard:applicant_assign", args=[ref]), {"assignee": world.alice.pk})
    client.get(reverse("dashboard:queue_export"))
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "application.status",
        "application.note",
        "application.assign",
        "queue.export",
    } <= actions
    dumped = str(list(AuditEvent.objects.values("detail", "target_id")))
    for secret in ("rash", world.app_a.full_name, world.app_a.email, world.app_a.phone):
        assert secret not in dumped


def test_a_refused_look_at_another_trials_applicant_is_audited(client, world):  # noqa: F811
    client.force_login(world.bob)
    client.get(reverse("dashboard:applicant", args=[world.app_a.reference]), REMOTE_ADDR="10.9.9.9")
    event = AuditEvent.objects.get(action=AuditAction.ACCESS_REFUSED)
    assert event.actor == world.bob
    assert event.target_id == world.app_a.reference
    assert event.ip_address == "10.9.9.9"
    assert event.detail == {"reason": "not_found_or_not_member"}


def test_audit_events_cannot_be_changed_or_deleted(world):  # noqa: F811
    event = audit_record(
        request_or_actor=world.alice, action="application.view", target=world.app_a
    )
    event.action = "something.else"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "application.view"


@pytest.mark.parametrize(
    "detail",
    [{"answers": {"age": 52}}, {"email": "x@y.z"}, {"text": "note"}, {"reason": object()}],
)
def test_audit_detail_refuses_anything_but_allowed_plain_keys(world, detail):  # noqa: F811
    with pytest.raises(ValueError):
        audit_record(request_or_actor=world.alice, action="x", target=world.app_a, detail=detail)
    assert not AuditEvent.objects.exists()


def test_audit_admin_is_read_only_for_staff(client, world):  # noqa: F811
    audit_record(request_or_actor=world.alice, action="application.view", target=world.app_a)
    world.sam.is_superuser = True
    world.sam.save()
    client.force_login(world.sam)
    assert client.get(reverse("admin:accounts_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_auditevent_add")).status_code == 403
    event = AuditEvent.objects.get()
    response = client.post(
        reverse("admin:accounts_auditevent_delete", args=[event.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
