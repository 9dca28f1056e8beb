import pytest
from django.core.exceptions import PermissionDenied

from accounts.models import AuditEvent
from screening.models import Application, StatusChange
from screening.services.workflow import (
    TRANSITIONS,
    WorkflowError,
    application_assign,
    application_note_add,
    application_status_bulk_change,
    application_status_change,
    application_withdraw,
)
from tests.dashboard_personas import world  # noqa: F401
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db
S = Application.Status

HAPPY_PATH = [
    S.IN_REVIEW,
    S.CONTACTED_1,
    S.CONTACTED_2,
    S.CONTACTED_3,
    S.VISIT_SCHEDULED,
    S.ENROLLED,
]


def test_the_happy_path_goes_from_new_to_enrolled_and_records_each_step(world):  # noqa: F811
    app = world.app_a
    for status in HAPPY_PATH:
        application_status_change(application=app, to_status=status, by=world.alice, note="ok")
    app.refresh_from_db()
    assert app.status == S.ENROLLED
    steps = list(
        StatusChange.objects.filter(application=app).values_list("from_status", "to_status")
    )
    assert steps == list(zip([S.NEW, *HAPPY_PATH[:-1]], HAPPY_PATH, strict=True))
    assert all(c.by == world.alice and c.note == "ok" for c in app.status_changes.all())


@pytest.mark.parametrize(
    "from_status",
    [S.NEW, S.IN_REVIEW, S.CONTACTED_1, S.CONTACTED_2, S.CONTACTED_3, S.VISIT_SCHEDULED],
)
def test_every_open_status_can_be_closed_as_not_eligible(world, from_status):  # noqa: F811
    app = ApplicationFactory(trial=world.trial_a, status=from_status)
    application_status_change(application=app, to_status=S.NOT_ELIGIBLE, by=world.alice)
    assert app.status == S.NOT_ELIGIBLE


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [
        (S.NEW, S.ENROLLED),
        (S.NEW, S.CONTACTED_2),
        (S.IN_REVIEW, S.VISIT_SCHEDULED),
        (S.CONTACTED_3, S.CONTACTED_1),
        (S.ENROLLED, S.IN_REVIEW),
        (S.WITHDRAWN, S.IN_REVIEW),
        (S.WITHDRAWN, S.NOT_ELIGIBLE),
        (S.NEW, S.NEW),
    ],
)
def test_a_transition_outside_the_table_is_refused_and_nothing_moves(
    world,  # noqa: F811
    from_status,
    to_status,
):
    app = ApplicationFactory(trial=world.trial_a, status=from_status)
    with pytest.raises(WorkflowError, match="cannot move"):
        application_status_change(application=app, to_status=to_status, by=world.alice)
    app.refresh_from_db()
    assert app.status == from_status
    assert not StatusChange.objects.filter(application=app).exists()


def test_nobody_in_the_team_can_withdraw_for_the_patient(world):  # noqa: F811
    with pytest.raises(WorkflowError, match="Only the patient"):
        application_status_change(application=world.app_a, to_status=S.WITHDRAWN, by=world.alice)


def test_an_unknown_status_word_is_refused_with_a_message(world):  # noqa: F811
    with pytest.raises(WorkflowError, match="is not a status"):
        application_status_change(application=world.app_a, to_status="lost", by=world.alice)


@pytest.mark.parametrize("from_status", [s for s in TRANSITIONS if s not in {"enrolled"}])
def test_the_patient_can_withdraw_from_any_open_state(world, from_status):  # noqa: F811
    app = ApplicationFactory(trial=world.trial_a, status=from_status)
    if not app.is_open:
        with pytest.raises(WorkflowError):
            application_withdraw(application=app)
        return
    change = application_withdraw(application=app)
    assert change.by is None
    assert app.status == S.WITHDRAWN
    assert AuditEvent.objects.filter(action="application.withdraw", actor=None).count() == 1


def test_investigator_and_outsider_cannot_change_anything(world):  # noqa: F811
    for user in (world.ivy, world.bob, world.sam):
        with pytest.raises(PermissionDenied):
            application_status_change(application=world.app_a, to_status=S.IN_REVIEW, by=user)
        with pytest.raises(PermissionDenied):
            application_note_add(application=world.app_a, author=user, text="x")
        with pytest.raises(PermissionDenied):
            application_assign(application=world.app_a, assignee=None, by=user)


def test_assignment_is_limited_to_the_trials_team(world):  # noqa: F811
    application_assign(application=world.app_a, assignee=world.ivy, by=world.alice)
    assert world.app_a.assigned_to == world.ivy
    with pytest.raises(WorkflowError, match="member of this trial"):
        application_assign(application=world.app_a, assignee=world.bob, by=world.alice)
    world.app_a.refresh_from_db()
    assert world.app_a.assigned_to == world.ivy


def test_an_empty_note_is_refused(world):  # noqa: F811
    with pytest.raises(WorkflowError):
        application_note_add(application=world.app_a, author=world.alice, text="   ")


def test_bulk_change_is_all_or_nothing(world):  # noqa: F811
    fine = ApplicationFactory(trial=world.trial_a)
    closed = ApplicationFactory(trial=world.trial_a, status=S.ENROLLED)
    with pytest.raises(WorkflowError, match=closed.reference):
        application_status_bulk_change(
            applications=[fine, closed], to_status=S.IN_REVIEW, by=world.alice
        )
    fine.refresh_from_db()
    assert fine.status == S.NEW
    assert not StatusChange.objects.exists()
