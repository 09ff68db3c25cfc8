"""`createcoordinator` and `bootstrap`: the first coordinator and the reference data."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from agencies.models import Agency
from agents.enums import Role
from agents.models import ActivityLog, RoleGrant, User
from assessment.models import Rubric
from reference.first_start import coordinator_from_environment
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ENV = {
    "AGENPLAN_COORDINATOR_USERNAME": "koordinator.biro",
    "AGENPLAN_COORDINATOR_EMAIL": "biro.organisasi@example.go.id",
    "AGENPLAN_COORDINATOR_NAME": "Dra. Rina Kartika, M.Si.",
    "AGENPLAN_COORDINATOR_PASSWORD": "Bandar-Seri-7-Kartika",
}


@pytest.fixture
def coordinator_env(monkeypatch):
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def no_coordinator_env(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


def command(command_name, *args, **options):
    out = StringIO()
    call_command(command_name, *args, stdout=out, **options)
    return out.getvalue()


def test_createcoordinator_from_the_environment(coordinator_env):
    output = command("createcoordinator", interactive=False)
    assert "Coordinator koordinator.biro created." in output
    user = User.objects.get(username="koordinator.biro")
    assert (user.email, user.name) == (
        ENV["AGENPLAN_COORDINATOR_EMAIL"],
        "Dra. Rina Kartika, M.Si.",
    )
    assert user.check_password(ENV["AGENPLAN_COORDINATOR_PASSWORD"])
    # The coordinator role and nothing more: no admin site, no other role.
    assert list(user.role_grants.values_list("role", flat=True)) == [Role.COORDINATOR]
    assert not user.is_staff and not user.is_superuser
    grant = ActivityLog.objects.get(action="role.grant")
    assert grant.actor is None and grant.data["role"] == Role.COORDINATOR


def test_options_win_over_the_environment(coordinator_env):
    command("createcoordinator", username="rina", email="rina@example.go.id", name="Rina")
    assert User.objects.get().username == "rina"


def test_an_existing_account_is_given_the_role_and_keeps_its_password(coordinator_env):
    user = UserFactory(username="koordinator.biro", password="the-old-password-9")
    output = command("createcoordinator", interactive=False)
    assert "now holds the coordinator role" in output
    user.refresh_from_db()
    assert user.check_password("the-old-password-9")
    assert RoleGrant.objects.filter(user=user, role=Role.COORDINATOR).count() == 1
    output = command("createcoordinator", interactive=False)
    assert "already a coordinator; nothing changed" in output
    assert ActivityLog.objects.filter(action="role.grant").count() == 1


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("AGENPLAN_COORDINATOR_PASSWORD", "12345678", "The password is refused"),
        ("AGENPLAN_COORDINATOR_PASSWORD", "", "also give: AGENPLAN_COORDINATOR_PASSWORD"),
        ("AGENPLAN_COORDINATOR_EMAIL", "biro-organisasi", "is not an e-mail address"),
        ("AGENPLAN_COORDINATOR_NAME", "", "also give: AGENPLAN_COORDINATOR_NAME"),
    ],
)
def test_refused_without_creating_anything(monkeypatch, coordinator_env, variable, value, message):
    monkeypatch.setenv(variable, value)
    with pytest.raises(CommandError, match=message):
        command("createcoordinator", interactive=False)
    assert not User.objects.exists()
    assert not ActivityLog.objects.exists()


def test_without_a_username_the_command_says_what_to_give(no_coordinator_env):
    with pytest.raises(CommandError, match="Give --username"):
        command("createcoordinator", interactive=False)
    assert coordinator_from_environment() is None


def test_the_password_is_asked_twice_at_a_terminal(monkeypatch, no_coordinator_env):
    answers = iter(["Bandar-Seri-7-Kartika", "Bandar-Seri-7-Kartika"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    command("createcoordinator", username="rina", email="rina@example.go.id", name="Rina")
    assert User.objects.get(username="rina").check_password("Bandar-Seri-7-Kartika")

    answers = iter(["Bandar-Seri-7-Kartika", "something-else-8"])
    with pytest.raises(CommandError, match="The two passwords differ"):
        command("createcoordinator", username="budi", email="budi@example.go.id", name="Budi")
    assert not User.objects.filter(username="budi").exists()


def test_bootstrap_loads_reference_data_once_and_creates_the_coordinator(coordinator_env):
    output = command("bootstrap")
    assert "bootstrap: loading the reference data" in output
    assert "bootstrap: coordinator koordinator.biro: created" in output
    agencies = Agency.objects.count()
    assert agencies > 0 and Rubric.objects.filter(cycle__isnull=True).count() == 1
    assert list(User.objects.values_list("username", flat=True)) == ["koordinator.biro"]

    # An operator's later change to an agency survives the next start.
    agency = Agency.objects.order_by("code").first()
    agency.name = "Nama yang diubah di admin"
    agency.save()
    output = command("bootstrap")
    assert "bootstrap: reference data already loaded" in output
    assert "coordinator koordinator.biro: unchanged" in output
    agency.refresh_from_db()
    assert agency.name == "Nama yang diubah di admin"
    assert Agency.objects.count() == agencies

    # --reference-data applies the files again.
    command("bootstrap", reference_data=True)
    agency.refresh_from_db()
    assert agency.name != "Nama yang diubah di admin"


def test_bootstrap_without_a_coordinator_says_how_to_create_one(no_coordinator_env):
    output = command("bootstrap")
    assert "no coordinator yet" in output and "createcoordinator" in output
    assert not User.objects.exists()
