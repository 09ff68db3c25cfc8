"""A new installation, from an empty PostgreSQL database to a coordinator signed in.

Only what docs/operations.md tells an operator to give: the production settings, the
variables of `.env`, the static files collected as the image build does, and the
first-start command `manage.py bootstrap` (what the compose `migrate` service runs). Each
step runs in its own process, as on a server.
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest
import yaml

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
HOST = "agenplan.example.go.id"
COORDINATOR = {
    "AGENPLAN_COORDINATOR_USERNAME": "koordinator.biro",
    "AGENPLAN_COORDINATOR_EMAIL": "biro.organisasi@example.go.id",
    "AGENPLAN_COORDINATOR_NAME": "Dra. Rina Kartika, M.Si.",
    "AGENPLAN_COORDINATOR_PASSWORD": "Bandar-Seri-7-Kartika",
}

# Run by the checking process: what is in the database, and a sign-in through the
# application's login page with Django's test client (no server needed).
CHECK = """
import json, sys
import django
django.setup()
from django.conf import settings
from django.test import Client
from agencies.models import Agency
from agents.models import ActivityLog, RoleGrant, User
from assessment.models import Rubric
from plans.models import ChangeArea, CoreValue

host, username, password = sys.argv[1:4]
wrong = Client(HTTP_HOST=host)
refused = wrong.post("/masuk/", {"username": username, "password": password + "x"}, secure=True)
client = Client(HTTP_HOST=host)
signed_in = client.post("/masuk/", {"username": username, "password": password}, secure=True)
home = client.get("/", secure=True)
print(json.dumps({
    "settings": settings.SETTINGS_MODULE,
    "vendor": django.db.connection.vendor,
    "agencies": Agency.objects.count(),
    "change_areas": ChangeArea.objects.count(),
    "core_values": CoreValue.objects.count(),
    "template_rubrics": Rubric.objects.filter(cycle__isnull=True).count(),
    "users": sorted(User.objects.values_list("username", flat=True)),
    "roles": sorted(RoleGrant.objects.values_list("user__username", "role")),
    "grant_audited": ActivityLog.objects.filter(action="role.grant").count(),
    "refused_status": refused.status_code,
    "refused_session": "_auth_user_id" in wrong.session,
    "status": signed_in.status_code,
    "session_user": client.session.get("_auth_user_id"),
    "home_status": home.status_code,
    "home_location": home.get("Location", ""),
}))
"""


@pytest.fixture
def empty_database():
    """A new, empty database on the PostgreSQL server of DATABASE_URL."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("needs DATABASE_URL of a PostgreSQL server")
    parts = urlsplit(url)
    name = f"agenplan_first_start_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def production_env(database_url: str, var_dir: Path) -> dict:
    """A server's environment: the production settings and the variables of .env."""
    return {
        "PATH": os.environ["PATH"],
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "agenplan.settings.production",
        "DJANGO_SECRET_KEY": "first-start-test-key-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFG",
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DATABASE_URL": database_url,
        "AGENPLAN_SITE_URL": f"https://{HOST}",
        "EMAIL_URL": "memorymail://",
        "DEFAULT_FROM_EMAIL": f"AgenPlan <agenplan@{HOST}>",
        # One web process: no shared cache is needed (production refuses more without).
        "WEB_CONCURRENCY": "1",
        "AGENPLAN_VAR_DIR": str(var_dir),
        **COORDINATOR,
    }


def run(args, env, timeout=300):
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_the_documented_first_start_command_is_what_compose_runs():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert compose["services"]["migrate"]["command"] == ["python", "manage.py", "bootstrap"]
    operations = (ROOT / "docs" / "operations.md").read_text()
    assert "python manage.py bootstrap" in operations
    for variable in COORDINATOR:
        assert variable in operations


def test_first_start_from_an_empty_database_to_a_coordinator_signed_in(empty_database, tmp_path):
    env = production_env(empty_database, tmp_path)
    # What the image build (or the non-Docker install, once per release) does before.
    run(["manage.py", "collectstatic", "--noinput", "-v", "0"], env)

    first = run(["manage.py", "bootstrap"], env)
    assert "bootstrap: loading the reference data" in first
    assert "bootstrap: coordinator koordinator.biro: created" in first

    username, password = (
        COORDINATOR["AGENPLAN_COORDINATOR_USERNAME"],
        COORDINATOR["AGENPLAN_COORDINATOR_PASSWORD"],
    )
    state = json.loads(run(["-c", CHECK, HOST, username, password], env).splitlines()[-1])
    assert state["settings"] == "agenplan.settings.production"
    assert state["vendor"] == "postgresql"
    # The region's reference data (reference/data/kaltim), and no demo people.
    data = ROOT / "reference" / "data" / "kaltim"
    frameworks = [row["model"] for row in json.loads((data / "frameworks.json").read_text())]
    assert state["agencies"] == len(json.loads((data / "agencies.json").read_text()))
    assert state["change_areas"] == frameworks.count("plans.changearea") > 0
    assert state["core_values"] == frameworks.count("plans.corevalue") > 0
    assert state["template_rubrics"] == 1
    assert state["users"] == [username]
    assert state["roles"] == [[username, "coordinator"]]
    assert state["grant_audited"] == 1
    # A wrong password is refused; the right one signs in.
    assert (state["refused_status"], state["refused_session"]) == (200, False)
    assert state["status"] == 302
    assert state["session_user"] is not None
    # Production asks a coordinator to turn on two-factor sign-in before anything else.
    assert state["home_status"] == 302
    assert state["home_location"].startswith("/akun/keamanan/aktifkan/")

    # Every later start (compose runs it on each `up`) changes nothing.
    again = run(["manage.py", "bootstrap"], env)
    assert "bootstrap: reference data already loaded" in again
    assert "bootstrap: coordinator koordinator.biro: unchanged" in again
    later = json.loads(run(["-c", CHECK, HOST, username, password], env).splitlines()[-1])
    for key in ("agencies", "change_areas", "core_values", "template_rubrics", "users"):
        assert later[key] == state[key], key
    assert later["grant_audited"] == 1
