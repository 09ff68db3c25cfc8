"""What the production settings refuse to start without, and how mail is configured.

Each case imports `agenplan.settings.production` in a fresh interpreter with the
variables below and none of this machine's that the settings read.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.faults import free_port

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "agenplan.settings.production",
    "DJANGO_SECRET_KEY": "production-settings-test-0123456789abcdefghijklmnopqrstuvwxyz",
    "DJANGO_ALLOWED_HOSTS": "agenplan.example.go.id",
    "DATABASE_URL": "sqlite:////tmp/agenplan-production-settings-test.sqlite3",
    "AGENPLAN_SITE_URL": "https://agenplan.example.go.id",
    "EMAIL_URL": "smtp+tls://agenplan%40example.go.id:s%3Acret@smtp.example.go.id:587",
    "DEFAULT_FROM_EMAIL": "AgenPlan <agenplan@example.go.id>",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
}
# Variables of this machine that the production settings read; none may leak in.
READ = {*PRODUCTION, "REDIS_URL", "WEB_CONCURRENCY", "CELERY_BROKER_URL"}

SHOW = """
import json
from django.conf import settings
names = ["AGENPLAN_SITE_URL", "EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS",
         "EMAIL_USE_SSL", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "DEFAULT_FROM_EMAIL",
         "SERVER_EMAIL", "WEB_CONCURRENCY"]
print(json.dumps({name: getattr(settings, name) for name in names}
                 | {"CACHE": settings.CACHES["default"]["BACKEND"]}))
"""


def load(tmp_path, **changes):
    """The production settings' values under PRODUCTION + changes (None removes one)."""
    env = {k: v for k, v in os.environ.items() if k not in READ and not k.startswith("DJANGO_")}
    env.update(PRODUCTION, AGENPLAN_VAR_DIR=str(tmp_path))
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + SHOW],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_starts_with_everything_set(tmp_path):
    result = load(tmp_path)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["AGENPLAN_SITE_URL"] == "https://agenplan.example.go.id"
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (values["EMAIL_HOST"], values["EMAIL_PORT"]) == ("smtp.example.go.id", 587)
    assert (values["EMAIL_USE_TLS"], values["EMAIL_USE_SSL"]) == (True, False)
    # The user name and password are percent-decoded from the URL.
    assert values["EMAIL_HOST_USER"] == "agenplan@example.go.id"
    assert values["EMAIL_HOST_PASSWORD"] == "s:cret"
    assert values["DEFAULT_FROM_EMAIL"] == "AgenPlan <agenplan@example.go.id>"
    assert values["SERVER_EMAIL"] == values["DEFAULT_FROM_EMAIL"]
    assert values["CACHE"] == "django.core.cache.backends.redis.RedisCache"
    assert values["WEB_CONCURRENCY"] == 3  # gunicorn.conf.py's default


def test_smtp_over_ssl_defaults_to_port_465(tmp_path):
    result = load(tmp_path, EMAIL_URL="smtp+ssl://mailer:secret@smtp.example.go.id")
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert (values["EMAIL_USE_SSL"], values["EMAIL_USE_TLS"]) == (True, False)
    assert values["EMAIL_PORT"] == 465


@pytest.mark.parametrize("name", ["AGENPLAN_SITE_URL", "EMAIL_URL", "DEFAULT_FROM_EMAIL"])
def test_production_refuses_to_start_without(tmp_path, name):
    result = load(tmp_path, **{name: None})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{name} must be set in production" in result.stderr


@pytest.mark.parametrize(
    "value", ["agenplan.example.go.id", "https://agenplan.example.go.id/app", "ftp://x.id"]
)
def test_site_url_must_be_scheme_and_host(tmp_path, value):
    result = load(tmp_path, AGENPLAN_SITE_URL=value)
    assert result.returncode != 0
    assert "must be an address such as https://" in result.stderr


def test_site_url_loses_its_trailing_slash(tmp_path):
    result = load(tmp_path, AGENPLAN_SITE_URL="https://agenplan.example.go.id/")
    assert json.loads(result.stdout)["AGENPLAN_SITE_URL"] == "https://agenplan.example.go.id"


def test_several_web_workers_need_a_shared_cache(tmp_path):
    refused = load(tmp_path, CACHE_URL=None)  # three workers by default
    assert refused.returncode != 0
    assert "CACHE_URL must be set in production when more than one process serves" in (
        refused.stderr
    )
    assert "WEB_CONCURRENCY=3" in refused.stderr
    assert load(tmp_path, CACHE_URL=None, WEB_CONCURRENCY="2").returncode != 0

    alone = load(tmp_path, CACHE_URL=None, WEB_CONCURRENCY="1")
    assert alone.returncode == 0, alone.stderr
    assert json.loads(alone.stdout)["CACHE"].endswith("LocMemCache")

    redis_url = load(tmp_path, CACHE_URL=None, REDIS_URL="redis://127.0.0.1:6379/1")
    assert redis_url.returncode == 0, redis_url.stderr


def test_gunicorn_tells_the_settings_its_real_worker_count(tmp_path):
    """`--workers 2` on the command line counts even when WEB_CONCURRENCY says 1: the
    workers refuse to boot without a shared cache, and gunicorn exits."""
    env = {k: v for k, v in os.environ.items() if k not in READ and not k.startswith("DJANGO_")}
    env.update(PRODUCTION, AGENPLAN_VAR_DIR=str(tmp_path), WEB_CONCURRENCY="1")
    env.pop("CACHE_URL")
    port = str(free_port())
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "agenplan.wsgi:application", "--workers", "2"],
        cwd=ROOT,
        env={**env, "BIND": "127.0.0.1", "PORT": port},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "CACHE_URL must be set in production" in result.stderr
    assert "(WEB_CONCURRENCY=2)" in result.stderr
