"""Fixtures shared by the whole suite: a cycle with its rubric, people in each role."""

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import translation

from agents.enums import Role
from plans.signals import plan_state_changed
from tests.factories import (
    AgencyFactory,
    AgentFactory,
    CycleFactory,
    PlanFactory,
    add_rubric,
    complete_plan_content,
    user_with_role,
)

# Every table's ids start here in the test database, so that every test runs with ids of
# five digits and more, as a province has after its first year: an id printed with the
# Indonesian thousands separator ("1.557") in a form field or a link breaks the page,
# and small ids would hide that.
FIRST_TEST_ID = 100_000


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _start_ids_at(FIRST_TEST_ID)


def _start_ids_at(first: int) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT schemaname, sequencename FROM pg_sequences")
            for schema, name in cursor.fetchall():
                cursor.execute("SELECT setval(%s, %s, false)", [f'"{schema}"."{name}"', first])
        elif connection.vendor == "sqlite":
            tables = set(connection.introspection.table_names(cursor))
            for model in apps.get_models(include_auto_created=True):
                table = model._meta.db_table
                if table in tables and model._meta.pk.get_internal_type() in (
                    "AutoField",
                    "BigAutoField",
                ):
                    cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
                    cursor.execute(
                        "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                        [table, first - 1],
                    )


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts and ends in the default language: a request served in English
    (the language switch) leaves English active in the thread, and the next test would
    format numbers and dates the English way."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def private_media(settings, tmp_path):
    """The files a test stores (attachments, reports, import uploads) go to its own
    folder, served under /private-media/; the fixture's value is that folder."""
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media), "base_url": "/private-media/"},
        },
    }
    return media


@pytest.fixture
def cycle(db):
    cycle = CycleFactory()
    add_rubric(cycle)
    return cycle


@pytest.fixture
def agency(db):
    return AgencyFactory()


@pytest.fixture
def agent(agency):
    return AgentFactory(user__agency=agency)


@pytest.fixture
def coordinator(db):
    return user_with_role(Role.COORDINATOR)


@pytest.fixture
def leader(db):
    return user_with_role(Role.LEADERSHIP)


@pytest.fixture
def head(agency):
    return user_with_role(Role.AGENCY_HEAD, agency=agency)


@pytest.fixture
def reviewers(db):
    return [user_with_role(Role.REVIEWER) for _ in range(2)]


@pytest.fixture
def draft_plan(cycle, agent):
    return PlanFactory(cycle=cycle, owner=agent, agency=agent.agency)


@pytest.fixture
def complete_plan(draft_plan):
    return complete_plan_content(draft_plan)


@pytest.fixture
def heard():
    """What plan_state_changed announced: (plan ids, from, to, actor, action) per send."""
    calls = []

    def receiver(sender, plans, from_state, to_state, by, action, **kwargs):
        calls.append(([p.pk for p in plans], from_state, to_state, by, action))

    plan_state_changed.connect(receiver, dispatch_uid="tests.heard")
    yield calls
    plan_state_changed.disconnect(dispatch_uid="tests.heard")
