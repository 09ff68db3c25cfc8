"""A real Celery worker process against the configured broker and the test database."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from agenplan.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"  # noqa: E501


def _purge_queues() -> None:
    with celery_app.connection_for_write() as conn:
        for queue in ("default", "reports", "mail"):
            try:
                conn.default_channel.queue_purge(queue)
            except Exception:  # noqa: BLE001, S112 — the queue may not exist yet
                continue


class Worker:
    def __init__(self, log_path: Path):
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self._log_file = None

    def start(self) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "agenplan.settings.test",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "DATABASE_URL": _database_url(),
        }
        if "CELERY_BROKER_URL" in os.environ:
            env["CELERY_BROKER_URL"] = os.environ["CELERY_BROKER_URL"]
        self._log_file = log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "agenplan",
                "worker",
                "-Q",
                "default,reports,mail",
                "--pool",
                "solo",
                "--concurrency",
                "1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel",
                "INFO",
            ],  # fmt: skip
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def close(self) -> None:
        self.stop()
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path):
    """Start a real worker; tasks from this test process go through the real broker."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    _purge_queues()
    worker = Worker(tmp_path / "worker.log")
    worker.start()
    try:
        yield worker
    finally:
        worker.close()
        celery_app.conf.task_always_eager = previous


def wait_for(predicate, *, timeout: float = 60, interval: float = 0.25, worker=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    detail = f"\n--- worker log ---\n{worker.log()[-4000:]}" if worker else ""
    raise AssertionError(f"condition not met within {timeout}s{detail}")
