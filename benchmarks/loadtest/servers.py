"""The deployment the load test runs against, on loopback: gunicorn with gunicorn.conf.py
and the production settings, and a Celery worker, as docker-compose.yml starts them, on
the database, broker and cache of this environment (DATABASE_URL, CELERY_BROKER_URL,
CACHE_URL).

The production settings want what a deployment's .env gives them; the values here exist
for the run only (a fresh random secret key, the loopback host, console e-mail). The
static files are collected with production's storage into a temporary folder, as the
image's build does. Whatever the web server is told by WEB_CONCURRENCY, WEB_THREADS and
GUNICORN_TIMEOUT in the environment passes through (the worker comparison sets them).
"""

import os
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# docker-compose.yml's worker command, with a node name of its own for this run.
COMPOSE_WORKER = "celery -A agenplan worker -Q default,reports,mail --loglevel WARNING --hostname"


def production_env(var_dir: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "AGENPLAN_", "CELERY_TASK_"))
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "agenplan.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "AGENPLAN_SITE_URL": "https://agenplan.loadtest.invalid",
        "EMAIL_URL": "consolemail://",
        "DEFAULT_FROM_EMAIL": "AgenPlan <agenplan@loadtest.invalid>",
        "AGENPLAN_VAR_DIR": str(var_dir),
        "AGENPLAN_MEDIA_ROOT": str(var_dir / "media"),
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    if not env.get("CACHE_URL"):
        # Production refuses several processes without a shared cache: one, and say so.
        env["WEB_CONCURRENCY"] = "1"
    return env


def collect_static(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def _wait_for_health(port: int, process: subprocess.Popen) -> None:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz")  # noqa: S310
    for _ in range(600):
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited; see its log")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("gunicorn did not answer /healthz")


def start_web(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        server = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "agenplan.wsgi:application"],
            cwd=ROOT,
            env={**env, "BIND": "127.0.0.1", "PORT": str(port)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    _wait_for_health(port, server)
    return server


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    """The worker of docker-compose.yml (its queues; prefork, one process per core)."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", *COMPOSE_WORKER.split(), f"loadtest-{os.getpid()}@%h"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def stop(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def server_config(env: dict[str, str]) -> str:
    """What gunicorn.conf.py makes of this environment: worker class, processes, threads."""
    code = (
        "import runpy; c = runpy.run_path('gunicorn.conf.py'); "
        "print(c.get('worker_class', 'sync'), c['workers'], c.get('threads', 1))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    kind, workers, threads = out[0], int(out[1]), int(out[2])
    if kind == "sync" and threads > 1:
        kind = "gthread"  # what gunicorn itself does with threads on sync workers
    return f"gunicorn {kind}, {workers} processes × {threads} threads"
