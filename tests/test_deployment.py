"""The deployment files name things that exist: services, modules, queues, commands.

Nothing here touches the database. docker-compose.yml is read with PyYAML (no Docker
engine is needed); the Makefile is read through `make -n` so that its variables are
expanded exactly as make expands them.
"""

import importlib
import json
import os
import re
import shlex
import stat
import subprocess
import sys
from importlib.metadata import requires, version
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from celery.app.utils import find_app
from django.conf import settings
from django.core.management import get_commands, load_command_class
from django.urls import resolve

from agenplan.serving import DEFAULT_WEB_THREADS, DEFAULT_WEB_TIMEOUT, DEFAULT_WEB_WORKERS

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
CI_RUN = ROOT / ".ci" / "run"
RUN_DEV = ROOT / "scripts" / "run_dev.sh"
INSTALL_SYSTEM_DEPS = ROOT / "scripts" / "install_system_deps.sh"
BACKUP = ROOT / "scripts" / "backup.sh"
RESTORE = ROOT / "scripts" / "restore.sh"
RUNTIME_CHECK = "scripts/check_runtime_requirements.sh"

APP_SERVICES = ("migrate", "web", "worker", "beat")  # built from this repository
WSGI_TARGET = "agenplan.wsgi:application"
MEDIA_MOUNT = "media:/app/var/media"
# Address, workers and timeout come from gunicorn.conf.py (BIND, PORT, WEB_CONCURRENCY,
# GUNICORN_TIMEOUT), the same for the image's CMD and the compose service.
GUNICORN_ARGV = ["gunicorn", WSGI_TARGET]


# --- helpers ---------------------------------------------------------------------------
def argv(command):
    """A compose `command`/`test` (list or string) as the list of words it runs."""
    if isinstance(command, str):
        return shlex.split(command)
    return [str(word) for word in command]


def option_value(words, *names):
    """The value of the first of `names` in `words` (`-Q x` or `-Q=x`)."""
    for index, word in enumerate(words):
        for name in names:
            if word == name:
                return words[index + 1]
            if word.startswith(name + "="):
                return word.split("=", 1)[1]
    raise AssertionError(f"none of {names} in {words}")


def routed_queues():
    """Every queue the Celery configuration sends tasks to."""
    routes = settings.CELERY_TASK_ROUTES
    assert isinstance(routes, dict), "CELERY_TASK_ROUTES is expected to be a glob -> route dict"
    return {settings.CELERY_TASK_DEFAULT_QUEUE} | {route["queue"] for route in routes.values()}


def make_dry_run(target, *assignments):
    """The commands `make TARGET [NAME=value ...]` would run, one per line, variables
    expanded."""
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    result = subprocess.run(
        ["make", "--dry-run", "--no-print-directory", target, *assignments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return [line.strip() for line in result.stdout.splitlines() if line.strip()]


def manage_py_commands(text):
    """The management command names a text runs through `manage.py`."""
    return set(re.findall(r"manage\.py\s+([a-z][a-z0-9_]*)", text))


def dockerfile_instructions(name):
    """The arguments of each Dockerfile instruction NAME, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    return [
        line.split(None, 1)[1]
        for line in joined.splitlines()
        if line.split(None, 1)[:1] == [name] and len(line.split(None, 1)) == 2
    ]


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


# --- docker-compose.yml: services, health, volumes, environment ---------------------------
def test_compose_has_exactly_the_production_services(services):
    assert set(services) == {
        "postgres",
        "redis",
        "migrate",
        "web",
        "worker",
        "beat",
        "backup",
        "proxy",
    }
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    for name in APP_SERVICES:
        assert services[name]["build"] == "."
        assert services[name]["image"] == "agenplan:latest"


def test_long_running_services_have_healthchecks(services):
    assert services["postgres"]["healthcheck"]["test"] == [
        "CMD-SHELL",
        "pg_isready -U agenplan -d agenplan",
    ]
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    worker_check = argv(services["worker"]["healthcheck"]["test"][1])
    assert services["worker"]["healthcheck"]["test"][0] == "CMD-SHELL"
    assert worker_check[:5] == ["celery", "-A", "agenplan", "inspect", "ping"]
    # $$ is compose's escape for a literal $: the shell sees $HOSTNAME, the container's name,
    # which is also the worker's default node name celery@<hostname>.
    assert option_value(worker_check, "--destination", "-d") == "celery@$$HOSTNAME"

    web_check = services["web"]["healthcheck"]["test"]
    assert web_check[:3] == ["CMD", "python", "-c"]
    assert "'http://127.0.0.1:8000/healthz'" in web_check[3]
    compile(web_check[3], "web healthcheck", "exec")  # valid Python once YAML folded it
    assert dockerfile_env()["PORT"] == "8000"

    for name in ("postgres", "redis", "web", "worker"):
        assert not services[name]["healthcheck"].get("disable", False), name
    # migrate runs once and exits: compose waits for it with service_completed_successfully.
    # beat has no remote-control channel to ask; if it dies the container exits and restarts.
    assert "healthcheck" not in services["migrate"]
    assert "healthcheck" not in services["beat"]


def test_health_url_is_routed():
    assert resolve("/healthz").view_name == "healthz"


def test_services_start_in_order(services):
    healthy = {"condition": "service_healthy"}
    migrated = {"condition": "service_completed_successfully"}
    assert services["migrate"]["depends_on"] == {"postgres": healthy}
    for name in ("web", "worker"):
        assert services[name]["depends_on"] == {
            "postgres": healthy,
            "redis": healthy,
            "migrate": migrated,
        }, name
    assert services["beat"]["depends_on"] == {"redis": healthy, "migrate": migrated}
    assert services["migrate"]["restart"] == "no"
    for name in ("postgres", "redis", "web", "worker", "beat"):
        assert services[name]["restart"] == "unless-stopped", name


def test_web_and_worker_share_the_media_volume(compose, services):
    # The web server stores attachments and serves reports; the worker renders reports
    # into the same folder. beat only enqueues tasks and migrate only touches the
    # database: neither needs the files.
    assert set(compose["volumes"]) == {"pgdata", "redisdata", "media", "caddy_data", "caddy_config"}
    for name in ("web", "worker"):
        assert services[name]["volumes"] == [MEDIA_MOUNT], name
        assert services[name]["environment"]["AGENPLAN_MEDIA_ROOT"] == "/app/var/media", name
    for name in ("migrate", "beat"):
        assert "volumes" not in services[name], name
    assert services["postgres"]["volumes"] == ["pgdata:/var/lib/postgresql/data"]
    assert services["redis"]["volumes"] == ["redisdata:/data"]


def test_app_services_point_at_the_compose_database_and_broker(services):
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert services[name]["env_file"] == ".env", name
        assert environment["DJANGO_SETTINGS_MODULE"] == "agenplan.settings.production", name
        # The password is compose's interpolation of .env, required to be set.
        password = "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}"
        assert f"agenplan:{password}@" in environment["DATABASE_URL"], name
        assert services["postgres"]["environment"]["POSTGRES_PASSWORD"] == password
        database = urlsplit(environment["DATABASE_URL"].replace(password, "password"))
        assert (database.scheme, database.hostname, database.port, database.path) == (
            "postgres",
            "postgres",
            5432,
            "/agenplan",
        ), name
        assert database.username == services["postgres"]["environment"]["POSTGRES_USER"]
        assert environment["CELERY_BROKER_URL"] == "redis://redis:6379/0", name


# --- every command names something real ----------------------------------------------------
def test_web_runs_gunicorn_on_the_wsgi_application(services):
    assert argv(services["web"]["command"]) == GUNICORN_ARGV
    module_name, attribute = WSGI_TARGET.split(":")
    module = importlib.import_module(module_name)
    assert callable(getattr(module, attribute))
    assert settings.WSGI_APPLICATION == "agenplan.wsgi.application"


def dockerfile_env():
    """The image's ENV variables (NAME=value pairs of every ENV instruction)."""
    pairs = {}
    for instruction in dockerfile_instructions("ENV"):
        for word in shlex.split(instruction):
            name, _, value = word.partition("=")
            pairs[name] = value
    return pairs


def gunicorn_settings(environ):
    """The settings gunicorn takes from gunicorn.conf.py under `environ`."""
    script = """
import json
from gunicorn.app.base import Application
class App(Application):
    def init(self, *args): pass
    def load(self): pass
app = App(usage=None, prog=None)
app.load_config_from_file("gunicorn.conf.py")
names = ("bind", "workers", "threads", "worker_class", "timeout", "graceful_timeout", "accesslog")
values = {name: app.cfg.settings[name].get() for name in names}
import os
print(json.dumps(values | {"settings": os.environ.get("DJANGO_SETTINGS_MODULE")}))
"""
    ignore = {"BIND", "PORT", "WEB_CONCURRENCY", "WEB_THREADS", "DJANGO_SETTINGS_MODULE"}
    keep = {k: v for k, v in os.environ.items() if k not in ignore}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**keep, **environ},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(result.stdout)


def test_gunicorn_listens_where_it_is_told_with_the_measured_defaults():
    image = gunicorn_settings({"BIND": dockerfile_env()["BIND"], "PORT": dockerfile_env()["PORT"]})
    assert image["bind"] == ["0.0.0.0:8000"]
    # Without Docker the default is this host only.
    host = gunicorn_settings({})
    assert host["bind"] == ["127.0.0.1:8000"]
    assert (host["workers"], host["timeout"]) == (DEFAULT_WEB_WORKERS, DEFAULT_WEB_TIMEOUT)
    assert host["threads"] == DEFAULT_WEB_THREADS
    assert host["worker_class"] == ("gthread" if DEFAULT_WEB_THREADS > 1 else "sync")
    assert host["graceful_timeout"] == DEFAULT_WEB_TIMEOUT
    assert host["accesslog"] == "-"
    # Reading the configuration chooses no settings: agenplan/wsgi.py's default
    # (production) stands when DJANGO_SETTINGS_MODULE is not given.
    assert host["settings"] is None
    tuned = gunicorn_settings({"WEB_CONCURRENCY": "5", "GUNICORN_TIMEOUT": "90", "PORT": "9001"})
    assert (tuned["workers"], tuned["timeout"], tuned["bind"]) == (5, 90, ["127.0.0.1:9001"])
    threaded = gunicorn_settings({"WEB_THREADS": "4"})
    assert (threaded["threads"], threaded["worker_class"]) == (4, "gthread")
    single = gunicorn_settings({"WEB_THREADS": "1"})
    assert (single["threads"], single["worker_class"]) == (1, "sync")


def test_web_is_published_on_the_loopback_address_only(services):
    (published,) = services["web"]["ports"]
    assert published == "${AGENPLAN_HTTP_ADDRESS:-127.0.0.1}:${AGENPLAN_HTTP_PORT:-8000}:8000"
    # No other service of the application publishes a port; the proxy is the way in.
    for name, service in services.items():
        if name not in ("web", "proxy"):
            assert "ports" not in service, name


def test_every_app_service_shares_the_redis_cache(services):
    for name in APP_SERVICES:
        assert services[name]["environment"]["CACHE_URL"] == "redis://redis:6379/1", name
    assert services["web"]["environment"]["CELERY_BROKER_URL"].endswith("/0")  # another db


def test_proxy_profile_terminates_tls_in_front_of_web(services, compose):
    proxy = services["proxy"]
    assert proxy["image"] == "caddy:2"
    assert proxy["profiles"] == ["proxy"]
    assert proxy["restart"] == "unless-stopped"
    assert set(proxy["ports"]) == {"80:80", "443:443", "443:443/udp"}
    assert proxy["depends_on"] == {"web": {"condition": "service_healthy"}}
    assert proxy["healthcheck"]["test"][:2] == ["CMD", "wget"]
    mount = "./proxy/Caddyfile:/etc/caddy/Caddyfile:ro"
    assert mount in proxy["volumes"]
    caddyfile = (ROOT / "proxy" / "Caddyfile").read_text()
    assert "{$AGENPLAN_DOMAIN} {" in caddyfile
    assert "reverse_proxy web:8000" in caddyfile
    assert proxy["environment"]["AGENPLAN_DOMAIN"] == "${AGENPLAN_DOMAIN:-}"
    # Without the domain the proxy stops with a message, before Caddy starts.
    assert proxy["command"][:2] == ["sh", "-c"]
    script = proxy["command"][2].replace("$$", "$")
    assert script.startswith('test -n "$AGENPLAN_DOMAIN" || {')
    assert script.endswith("exec caddy run --config /etc/caddy/Caddyfile --adapter caddyfile")
    no_domain = subprocess.run(
        ["sh", "-c", script], env={"PATH": os.environ["PATH"]}, capture_output=True, text=True
    )
    assert no_domain.returncode == 1
    assert "set AGENPLAN_DOMAIN" in no_domain.stderr
    # A request the proxy lets through is never cut by gunicorn's timeout first.
    read_timeout = int(re.search(r"read_timeout (\d+)s", caddyfile).group(1))
    assert read_timeout > DEFAULT_WEB_TIMEOUT


def test_dockerfile_runs_the_same_wsgi_application(services):
    assert dockerfile_instructions("FROM") == ["python:3.11-slim-bookworm"]
    (cmd,) = dockerfile_instructions("CMD")
    assert json.loads(cmd) == GUNICORN_ARGV == argv(services["web"]["command"])
    assert dockerfile_instructions("USER") == ["agenplan"]
    assert dockerfile_instructions("EXPOSE") == ["8000"]


def test_celery_commands_name_the_project_app(services):
    app = find_app("agenplan")  # exactly what `celery -A agenplan` loads
    agenplan_celery = importlib.import_module("agenplan.celery")
    assert app is agenplan_celery.app
    assert app.main == "agenplan"
    for name in ("worker", "beat"):
        assert argv(services[name]["command"])[:4] == ["celery", "-A", "agenplan", name], name


def test_workers_consume_every_routed_queue(services):
    assert routed_queues() == {"default", "reports", "mail"}
    compose_queues = option_value(argv(services["worker"]["command"]), "-Q", "--queues")
    assert set(compose_queues.split(",")) == routed_queues()

    run_dev_queues = re.findall(r"-A agenplan worker -Q (\S+)", RUN_DEV.read_text())
    assert run_dev_queues == ["default,reports,mail"]
    assert set(run_dev_queues[0].split(",")) == routed_queues()


def test_migrate_service_runs_the_first_start_command(services):
    words = argv(services["migrate"]["command"])
    assert words == ["python", "manage.py", "bootstrap"]
    assert get_commands()[words[2]] == "reference"


def test_every_manage_py_command_in_the_tooling_exists():
    texts = {
        "Makefile": "\n".join(make_dry_run("run") + make_dry_run("test") + make_dry_run("lint")),
        "scripts/run_dev.sh": RUN_DEV.read_text(),
        RUNTIME_CHECK: (ROOT / RUNTIME_CHECK).read_text(),
        "Dockerfile": DOCKERFILE.read_text(),
        "docker-compose.yml": "\n".join(
            shlex.join(argv(service["command"]))
            for service in yaml.safe_load(COMPOSE.read_text())["services"].values()
            if "command" in service
        ),
    }
    used = {name: manage_py_commands(text) for name, text in texts.items()}
    assert used["Makefile"] == {
        "compilemessages",
        "migrate",
        "seed_demo",
        "makemigrations",
        "check",
    }
    assert used["scripts/run_dev.sh"] == {"runserver", "seed_demo"}
    assert used["Dockerfile"] == {"collectstatic", "compilemessages"}
    assert used["docker-compose.yml"] == {"bootstrap"}
    assert used[RUNTIME_CHECK] == {"bootstrap"}
    available = get_commands()
    for name, commands in used.items():
        assert commands <= set(available), (name, commands - set(available))


def test_seed_demo_accepts_logins_only():
    app_name = get_commands()["seed_demo"]
    command = load_command_class(app_name, "seed_demo")
    options = command.create_parser("manage.py", "seed_demo").parse_args(["--logins-only"])
    assert options.logins_only is True


# --- Makefile, CI and scripts ---------------------------------------------------------------
def test_make_run_installs_only_what_running_needs():
    # --always-make: every step, as on a fresh machine, whatever this one has installed.
    lines = make_dry_run("--always-make", "run")
    installs = [line for line in lines if " -m pip install " in line]
    assert installs == [
        ".venv/bin/python -m pip install --disable-pip-version-check -r requirements.txt"
    ]
    assert not any("requirements-dev.txt" in line for line in lines)
    test_installs = [
        line for line in make_dry_run("--always-make", "test") if " -m pip install " in line
    ]
    assert any(line.endswith("-r requirements-dev.txt") for line in test_installs)


def test_make_run_prepares_then_seeds_then_serves():
    lines = make_dry_run("--always-make", "run")
    expected = [
        "scripts/install_system_deps.sh runtime",
        ".venv/bin/python -m pip install --disable-pip-version-check -r requirements.txt",
        ".venv/bin/python manage.py compilemessages"
        " --ignore=.venv --ignore=var --ignore=node_modules",
        ".venv/bin/python manage.py migrate --noinput",
        ".venv/bin/python manage.py seed_demo",
        "scripts/run_dev.sh",
    ]
    assert [line for line in lines if line in expected] == expected


def test_make_test_runs_unit_tests_in_parallel_then_the_rest():
    lines = make_dry_run("test")
    assert lines[0] == "scripts/install_system_deps.sh test"
    pytest_lines = [line for line in lines if ".venv/bin/pytest" in line]
    assert len(pytest_lines) == 3
    assert '.venv/bin/pytest -n 2 -m "not integration and not browser"' in pytest_lines[0]
    assert '.venv/bin/pytest -m "integration and not browser"' in pytest_lines[1]
    assert '.venv/bin/pytest -n 2 -m "browser and not integration"' in pytest_lines[2]
    for line in pytest_lines:  # exit code 5 (nothing collected) is success, others are not
        assert '[ "$rc" -eq 5 ]' in line
        assert line.endswith('exit "$rc"')


def test_make_lint_runs_every_check():
    lines = make_dry_run("lint")
    for expected in (
        ".venv/bin/ruff check .",
        ".venv/bin/ruff format --check .",
        ".venv/bin/python manage.py makemigrations --check --dry-run",
    ):
        assert expected in lines
    (djlint,) = [line for line in lines if line.startswith(".venv/bin/djlint ")]
    assert "templates" in djlint.split() and djlint.endswith(" --lint")
    (deploy,) = [line for line in lines if "check --deploy" in line]
    words = shlex.split(deploy)
    assert "DJANGO_SETTINGS_MODULE=agenplan.settings.production" in words
    assert words[-6:] == [
        ".venv/bin/python",
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    ]
    secret = next(word for word in words if word.startswith("DJANGO_SECRET_KEY="))
    assert len(secret.split("=", 1)[1]) >= 50  # Django's security.W009 wants 50+ characters


def test_make_lint_runs_bandit_and_pip_audit():
    lines = make_dry_run("lint")
    assert ".venv/bin/bandit -c pyproject.toml -q -r ." in lines
    assert ".venv/bin/pip-audit --progress-spinner off" in lines


def test_make_fuzz_runs_ten_thousand_examples_of_the_fuzz_tests():
    (fuzz,) = [line for line in make_dry_run("fuzz") if "tests/test_fuzz.py" in line]
    assert fuzz.startswith("AGENPLAN_FUZZ_TOTAL=10000 .venv/bin/pytest tests/test_fuzz.py -s ")


def test_ci_runs_lint_then_test():
    assert CI_RUN.stat().st_mode & stat.S_IXUSR
    lines = [line.strip() for line in CI_RUN.read_text().splitlines()]
    assert lines[0] == "#!/usr/bin/env bash"
    assert "set -euo pipefail" in lines
    assert lines.index("make lint") < lines.index("make test")
    # The runtime-only virtualenv is checked before the long test run.
    assert lines.index("make lint") < lines.index(RUNTIME_CHECK) < lines.index("make test")
    assert "export DATABASE_URL=postgres://postgres@127.0.0.1:5432/agenplan_ci" in lines
    assert "export CELERY_BROKER_URL=redis://127.0.0.1:6379/15" in lines


def test_backup_service_archives_the_compose_database_and_media(services):
    backup = services["backup"]
    # Run on demand by a timer (`docker compose --profile backup run --rm backup`), never
    # by `docker compose up`; pg_dump from the server's own image.
    assert (backup["image"], backup["profiles"], backup["restart"]) == (
        "postgres:15",
        ["backup"],
        "no",
    )
    assert backup["entrypoint"] == ["scripts/backup.sh"]
    assert (ROOT / backup["entrypoint"][0]).is_file()
    assert backup["working_dir"] == "/app"
    assert backup["volumes"] == [MEDIA_MOUNT, "./scripts:/app/scripts:ro", "./backups:/backups"]
    environment = backup["environment"]
    assert environment["DATABASE_URL"] == services["web"]["environment"]["DATABASE_URL"]
    assert environment["AGENPLAN_MEDIA_ROOT"] == "/app/var/media"
    assert environment["BACKUP_DIR"] == "/backups"
    assert backup["depends_on"] == {"postgres": {"condition": "service_healthy"}}


def test_make_backup_and_restore_run_the_scripts():
    assert make_dry_run("backup") == ["scripts/backup.sh"]
    assert make_dry_run("restore", "ARCHIVE=var/backups/a.tar")[-1] == (
        'scripts/restore.sh "var/backups/a.tar"'
    )


def test_scripts_are_executable_bash():
    for script in (RUN_DEV, INSTALL_SYSTEM_DEPS, BACKUP, RESTORE, ROOT / RUNTIME_CHECK):
        assert script.stat().st_mode & stat.S_IXUSR, script
        assert script.read_text().splitlines()[0] == "#!/usr/bin/env bash", script
        subprocess.run(["bash", "-n", str(script)], check=True, timeout=30)


# --- requirements -------------------------------------------------------------------------
@pytest.mark.parametrize("filename", ["requirements.txt", "requirements-dev.txt"])
def test_requirements_are_pinned_and_installed(filename):
    lines = [
        line.strip()
        for line in (ROOT / filename).read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if filename == "requirements-dev.txt":
        assert lines[0] == "-r requirements.txt"
        lines = lines[1:]
    assert lines
    for line in lines:
        requirement, separator, pinned = line.partition("==")
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)(\[[a-z0-9,_-]+\])?", requirement)
        assert separator and match, line
        name = match.group(1)
        assert version(name) == pinned, f"{name}: pinned {pinned}, installed {version(name)}"


def test_the_broker_client_comes_with_the_runtime_requirements():
    """kombu's Redis transport imports redis and packaging; only the extra brings both."""
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    assert "celery[redis]==5.7.0" in lines
    assert "kombu[redis]==5.7.0" in lines
    extra = [r for r in requires("kombu") if 'extra == "redis"' in r]
    needed = {re.match(r"[A-Za-z0-9._-]+", r).group(0).lower() for r in extra}
    assert {"redis", "packaging"} <= needed


# --- system libraries ---------------------------------------------------------------------
def _runtime_packages():
    text = INSTALL_SYSTEM_DEPS.read_text()
    (line,) = re.findall(r"^runtime_packages=\((.*)\)$", text, flags=re.M)
    return set(line.split())


@pytest.mark.skipif(
    subprocess.run(["sh", "-c", "command -v dpkg-query"], capture_output=True).returncode,
    reason="needs Debian's dpkg to map libraries to packages",
)
def test_runtime_packages_bring_every_library_weasyprint_opens():
    """Each shared library WeasyPrint loads (its ffi module's Linux sonames) belongs to a
    package the runtime list installs, or to a direct dependency of one: the Dockerfile's
    slim image has nothing else. HarfBuzz's subsetter is optional to WeasyPrint (without
    it, whole fonts are embedded and it warns) but not to AgenPlan's PDFs; the vector
    library, also optional, is not in Debian 12."""
    ffi = Path(importlib.import_module("weasyprint.text.ffi").__file__).read_text()
    sonames = set()
    for call in re.findall(r"= _dlopen\((.*?)\)\n", ffi, flags=re.S):
        names = re.findall(r"'(lib[a-z0-9.-]+\.so\.\d+)'", call)
        if "allow_fail=True" not in call or "libharfbuzz-subset.so.0" in names:
            sonames.update(names)
    assert {"libpango-1.0.so.0", "libharfbuzz-subset.so.0", "libpangoft2-1.0.so.0"} <= sonames
    listed = _runtime_packages()
    depends = subprocess.run(
        ["dpkg-query", "-W", "-f=${Depends}\n", *sorted(listed)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    brought = listed | set(re.findall(r"(?:^|, |\| )([a-z0-9][a-z0-9.+-]+)", depends, re.M))
    for soname in sorted(sonames):
        owner = subprocess.run(
            ["dpkg", "-S", f"*/{soname}"], capture_output=True, text=True, check=True
        ).stdout
        packages = {line.split(":")[0] for line in owner.splitlines()}
        assert packages & brought, f"{soname} comes from {packages}, not installed by the list"


def test_a_plain_up_needs_no_variable_of_a_profile_it_does_not_start():
    """Compose interpolates every service, profiles off included: a `${VAR:?}` in a
    profile's service may only name what the services of a plain `up` require anyway."""
    compose = yaml.safe_load(COMPOSE.read_text())
    required = re.compile(r"\$\{([A-Z_]+):\?")
    always = set()
    for service in compose["services"].values():
        if "profiles" not in service:
            always |= set(required.findall(yaml.safe_dump(service)))
    assert "POSTGRES_PASSWORD" in always
    for name, service in compose["services"].items():
        if "profiles" in service:
            assert set(required.findall(yaml.safe_dump(service))) <= always, name
