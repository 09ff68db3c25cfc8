"""Headers every response carries, the request rate limits (sign-in, printed-code
checks), and what the production server tells about itself."""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from agenplan.ratelimit import parse_rate
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent
LOGIN = reverse("login")


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def policy(response) -> dict[str, str]:
    return dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )


def test_pages_forbid_inline_script_and_style(client, db):
    response = client.get(LOGIN)
    assert policy(response) == {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }


def test_pages_switch_off_unused_browser_features(client, db):
    response = client.get(LOGIN)
    assert response["Permissions-Policy"] == (
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
        "microphone=(), payment=(), usb=()"
    )


def test_templates_carry_no_style_attribute_script_block_or_event_handler():
    """The policy refuses them; a template that brings one back fails here first."""
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        if path.parts[-2] == "pdf" or "pdf" in path.relative_to(ROOT / "templates").parts:
            continue  # rendered to PDF by WeasyPrint, never served as a page
        text = path.read_text(encoding="utf-8")
        if re.search(r"\sstyle=|<style|\son[a-z]+=|hx-on|<script(?![^>]*\bsrc=)", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


@pytest.mark.parametrize(
    ("rate", "expected"),
    [("30/m", (30, 60)), ("5/h", (5, 3600)), ("10/5m", (10, 300)), ("2/s", (2, 1))],
)
def test_rates_are_read(rate, expected):
    assert parse_rate(rate) == expected


@pytest.mark.parametrize("rate", ["", "x/m", "5/w", "5/xm"])
def test_bad_rates_are_refused(rate):
    with pytest.raises(ValueError, match="is not 'N/s'"):
        parse_rate(rate)


@override_settings(
    AGENPLAN_RATE_LIMITS={"login": "3/m", "verify": "100/m", "password_reset": "5/h"}
)
def test_sign_in_attempts_per_address_are_limited(client, db):
    UserFactory(username="siti.rahma")
    for number in range(3):
        # Different names: the per-name lock does not apply, the address limit does.
        response = client.post(LOGIN, {"username": f"nama{number}", "password": "x"})
        assert response.status_code == 200
    response = client.post(LOGIN, {"username": "siti.rahma", "password": "rahasia-123"})
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "Terlalu banyak permintaan dari alamat Anda" in response.content.decode()
    # Another address is not limited, and reading the page is never limited.
    other = client.post(
        LOGIN, {"username": "siti.rahma", "password": "rahasia-123"}, REMOTE_ADDR="10.1.1.1"
    )
    assert other.status_code == 302
    assert client.get(LOGIN).status_code == 200


@override_settings(
    AGENPLAN_RATE_LIMITS={"login": "100/m", "verify": "2/m", "password_reset": "5/h"}
)
def test_code_checks_per_address_are_limited(client, db):
    url = reverse("report_jobs:verify", args=["TIDAKADA"])
    assert [client.get(url).status_code for _ in range(3)] == [404, 404, 429]
    assert client.get(url, REMOTE_ADDR="10.1.1.1").status_code == 404


@override_settings(
    AGENPLAN_RATE_LIMITS={"login": "100/m", "verify": "1/m", "password_reset": "5/h"}
)
def test_the_limit_opens_again_in_the_next_window(client, db, monkeypatch):
    url = reverse("report_jobs:verify", args=["TIDAKADA"])
    clock = [1_000_020.0]
    monkeypatch.setattr("agenplan.ratelimit.time.time", lambda: clock[0])
    assert [client.get(url).status_code for _ in range(2)] == [404, 429]
    clock[0] += 60
    assert client.get(url).status_code == 404


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_gunicorn_names_no_server_software(tmp_path):
    """gunicorn reads gunicorn.conf.py from the working directory (the image's /app)."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "agenplan.settings.test",
        "AGENPLAN_VAR_DIR": str(tmp_path),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "agenplan.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urlopen(f"http://127.0.0.1:{port}/masuk/", timeout=5) as response:
                    headers = response.headers
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert headers.get_all("Server") == ["AgenPlan"]
