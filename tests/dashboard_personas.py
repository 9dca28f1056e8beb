"""Named personas for the dashboard tests, imported as fixtures by the test modules.

alice coordinates trial A; bob coordinates trial B; ivy is trial A's investigator
(read-only); sam is a staff administrator with no team; nobody has an account with no team.
"""

from dataclasses import dataclass

import pytest

from accounts.models import TrialMembership
from tests.factories import ApplicationFactory, MembershipFactory, TrialFactory, UserFactory


@dataclass
class World:
    trial_a: object
    trial_b: object
    alice: object
    bob: object
    ivy: object
    sam: object
    nobody: object
    app_a: object
    app_b: object


@pytest.fixture
def world(db) -> World:
    trial_a = TrialFactory(nct_id="NCT04356287", brief_title="Stromal cells in systemic sclerosis")
    trial_b = TrialFactory(nct_id="NCT06388018", brief_title="Another study")
    alice = UserFactory(email="alice@example.org", first_name="Alice")
    bob = UserFactory(email="bob@example.org", first_name="Bob")
    ivy = UserFactory(email="ivy@example.org", first_name="Ivy")
    sam = UserFactory(email="sam@example.org", first_name="Sam", is_staff=True)
    nobody = UserFactory(email="nobody@example.org", first_name="Nobody", totp=False)
    MembershipFactory(user=alice, trial=trial_a)
    MembershipFactory(user=bob, trial=trial_b)
    MembershipFactory(user=ivy, trial=trial_a, role=TrialMembership.Role.INVESTIGATOR)
    return World(
        trial_a=trial_a,
        trial_b=trial_b,
        alice=alice,
        bob=bob,
        ivy=ivy,
        sam=sam,
        nobody=nobody,
        app_a=ApplicationFactory(trial=trial_a, reference="AAAA1111"),
        app_b=ApplicationFactory(trial=trial_b, reference="BBBB2222"),
    )


@pytest.fixture
def carol(world: World) -> object:
    """A second coordinator of trial A, for assignment between colleagues."""
    user = UserFactory(email="carol@example.org", first_name="Carol")
    MembershipFactory(user=user, trial=world.trial_a)
    return user
