"""`make run`'s last step, scripts/run_dev.sh: where it listens and what its screen says.

Runs the script for real (web server, Celery worker and beat) on a free port with its own
var folder, SQLite and the filesystem broker, reads its screen, then stops it with the
signal Ctrl-C sends to the foreground job.
"""

import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from tests.integration.faults import free_port, wait_until

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def listening_addresses(port: int) -> set[str]:
    """The local addresses with a socket listening on `port` (from `ss`)."""
    out = subprocess.run(
        ["ss", "-Hltn", f"sport = :{port}"], capture_output=True, text=True, check=True
    ).stdout
    return {line.split()[3].rsplit(":", 1)[0] for line in out.splitlines() if line.strip()}


def _interruptible() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.skipif(shutil.which("ss") is None, reason="needs iproute2's ss")
def test_run_dev_listens_on_loopback_and_names_its_database_and_broker(tmp_path):
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "BIND", "AGENPLAN_SITE_URL"}
    }
    env.update(PORT=str(port), AGENPLAN_VAR_DIR=str(tmp_path))
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the script's own default: the local settings
    log = tmp_path / "screen.log"
    with log.open("w") as screen:
        process = subprocess.Popen(
            ["scripts/run_dev.sh"],
            cwd=ROOT,
            env=env,
            stdout=screen,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            # Ctrl-C as a terminal sends it, whatever the test runner's own disposition: a
            # runner started in the background of a script ignores SIGINT, and a shell
            # started with SIGINT ignored cannot trap it.
            preexec_fn=_interruptible,
        )
    try:

        def banner_shown():
            assert process.poll() is None, log.read_text()
            return "Press Ctrl-C to stop" in log.read_text()

        wait_until(banner_shown, timeout=120, interval=0.5, what="the run_dev banner")
        text = log.read_text()
        addresses = listening_addresses(port)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    assert addresses == {"127.0.0.1"}
    assert f"AgenPlan is running: http://127.0.0.1:{port}/ (listening on 127.0.0.1 only)" in text
    database = f"  Database: SQLite, {tmp_path / 'agenplan.sqlite3'} (embedded;"
    assert database in text
    assert f"  Broker:   kombu filesystem transport under {tmp_path / 'broker'}" in text
    assert "run_dev: settings agenplan.settings.local" in text
    assert "run_dev: stopped." in log.read_text()
