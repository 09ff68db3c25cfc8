"""The password backend loads the signed-in user with their agency and agent profile
(no query of their own on a page), refuses an inactive user, and a session signed in
before it (with Django's own backend) keeps working."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agents.backends import AgencyModelBackend
from tests.factories import AgentFactory

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
