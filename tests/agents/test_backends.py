"""The password backend loads the signed-in user with their agency, agent profile and role
grants (no query of their own on a page), refuses an inactive user, and a session signed in
before it (with Django's own backend) keeps working."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agents import selectors
from agents.backends import AgencyModelBackend
from agents.enums import Role
from agents.models import User
from agents.services import grant_role, revoke_role
from tests.factories import AgencyFactory, AgentFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "kata-sandi-yang-cukup-panjang-1"


def test_the_user_comes_with_agency_and_agent_profile():
    agent = AgentFactory()
    with CaptureQueriesContext(connection) as queries:
        user = AgencyModelBackend().get_user(agent.user.pk)
        names = (user.agency.name, user.agent_profile.pk)
    assert names == (agent.user.agency.name, agent.pk)
    assert len(queries) == 1


def test_an_inactive_or_unknown_user_is_nobody():
    agent = AgentFactory()
    agent.user.is_active = False
    agent.user.save(update_fields=["is_active"])
    assert AgencyModelBackend().get_user(agent.user.pk) is None
    assert AgencyModelBackend().get_user(10**9) is None


def test_signing_in_records_this_backend_and_older_sessions_still_work(client):
    agent = AgentFactory()
    agent.user.set_password(PASSWORD)
    agent.user.save()
    response = client.post(
        reverse("login"), {"username": agent.user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == "agents.backends.AgencyModelBackend"
    other = AgentFactory()
    client.force_login(other.user, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(reverse("plans:my_plans")).status_code == 200


@pytest.mark.parametrize(
    "grants",
    [
        [],
        [(Role.COORDINATOR, False)],
        [(Role.REVIEWER, False), (Role.COORDINATOR, False), (Role.LEADERSHIP, False)],
        [(Role.AGENCY_HEAD, True)],
        [(Role.AGENCY_HEAD, True), (Role.AGENCY_HEAD, True), (Role.REVIEWER, False)],
    ],
)
def test_the_roles_read_with_the_user_are_those_read_on_their_own(grants):
    """Roles and headed agencies from the user's own query equal a fresh read of the
    grants, with no further query (on SQLite and PostgreSQL alike)."""
    user = UserFactory()
    for role, scoped in grants:
        grant_role(user, role=role, agency=AgencyFactory() if scoped else None, by=None)
    fresh = User.objects.get(pk=user.pk)  # no annotation: the grants read on their own
    expected = (selectors.roles_of(fresh), selectors.headed_agency_ids(fresh))
    loaded = AgencyModelBackend().get_user(user.pk)
    with CaptureQueriesContext(connection) as queries:
        got = (selectors.roles_of(loaded), selectors.headed_agency_ids(loaded))
    assert got == expected
    assert len(queries) == 0


def test_a_grant_changed_during_the_request_is_read_again():
    user = UserFactory()
    coordinator = UserFactory()
    grant_role(coordinator, role=Role.COORDINATOR, by=None)
    loaded = AgencyModelBackend().get_user(user.pk)
    assert Role.REVIEWER not in selectors.roles_of(loaded)
    grant = grant_role(loaded, role=Role.REVIEWER, by=coordinator)
    assert Role.REVIEWER in selectors.roles_of(loaded)
    revoke_role(grant, by=coordinator)
    assert Role.REVIEWER not in selectors.roles_of(loaded)
