"""Real processes for the fault tests, each started and stopped by the test itself: a Redis
broker on a port of its own, a PostgreSQL cluster of its own (never the machine's shared
servers, which other runs use), gunicorn, a Celery worker, and a browser-like HTTP client.
"""

import contextlib
import glob
import html
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parents[2]


def running(fragment: str) -> list[int]:
    """The processes whose command line contains `fragment`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if fragment.encode() in argv:
            found.append(int(entry.name))
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, *, timeout: float, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"{what}: not met within {timeout}s")


class Process:
    """A child process whose output goes to a log file, in a process group of its own:
    stopping it stops what it started too (a Celery worker's embedded beat is a process of
    its own, which a SIGKILL of the worker alone would leave running)."""

    def __init__(self, argv: list[str], *, log: Path, env: dict | None = None, cwd=ROOT):
        self.argv, self.log_path, self.env, self.cwd = argv, log, env, cwd
        self.process: subprocess.Popen | None = None

    def start(self) -> "Process":
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.argv,
                cwd=self.cwd,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def _signal_group(self, sig) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)

    def stop(self, sig=signal.SIGTERM, timeout: float = 20) -> None:
        if self.process is None:
            return
        if self.alive():
            self._signal_group(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.process.wait(timeout=10)
        self._signal_group(signal.SIGKILL)  # whatever it started and left behind

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


# --- Redis ---------------------------------------------------------------------------------


class RedisServer:
    """A Redis of the test's own on a free port; queued messages survive a restart (AOF)."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: Process | None = None

    def start(self) -> None:
        self.process = Process(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--dir",
                str(self.folder),
            ],  # fmt: skip
            log=self.folder / "redis.log",
        ).start()
        wait_until(self.answers, timeout=15, what="redis-server up")

    def answers(self) -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 1):
            return True
        return False

    def stop(self) -> None:
        if self.process:
            self.process.stop()
        wait_until(lambda: not self.answers(), timeout=15, what="redis-server down")


# --- PostgreSQL -------------------------------------------------------------------------------


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class PostgresCluster:
    """A PostgreSQL cluster of the test's own (initdb, pg_ctl) on a free port, to be
    stopped and restarted under a running application. PostgreSQL refuses to run as root:
    as root, its commands run as the `postgres` system user."""

    def __init__(self):
        self.bin = postgres_bin()
        # Not under pytest's tmp_path: the postgres user could not reach it.
        self.folder = Path(tempfile.mkdtemp(prefix="agenplan-faults-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.user = "postgres"

    def _run(self, *argv, check=True, timeout=60) -> subprocess.CompletedProcess:
        command = [str(self.bin / argv[0]), *map(str, argv[1:])]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, check=check, cwd="/"
        )

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run("initdb", "-D", self.data, "-U", self.user, "--auth=trust", "-E", "UTF8")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run("pg_ctl", "-D", self.data, "-o", options, "-l", self.folder / "pg.log", "-w",
                  "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", self.data, "-m", mode, "-w", "stop", check=False)

    def url(self, database: str) -> str:
        return f"postgres://{self.user}@127.0.0.1:{self.port}/{database}"

    def clone(self, source_url: str, database: str) -> None:
        """A copy of another database (schema and rows) under `database` here."""
        self._run("createdb", "-h", "127.0.0.1", "-p", self.port, "-U", self.user, database)
        dump = subprocess.run(
            [str(self.bin / "pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
             f"--dbname={source_url}"],  # fmt: skip
            capture_output=True, check=True, timeout=120,
        )  # fmt: skip
        subprocess.run(
            [str(self.bin / "pg_restore"), "--no-owner", "--no-privileges",
             f"--dbname={self.url(database)}"],  # fmt: skip
            input=dump.stdout, capture_output=True, check=True, timeout=120,
        )  # fmt: skip

    def query(self, database: str, sql: str, params=()) -> list[tuple]:
        with contextlib.closing(psycopg2.connect(self.url(database))) as conn, conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


# --- The application ------------------------------------------------------------------------


def app_env(**overrides) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "agenplan.settings.test"}
    env.update({k: str(v) for k, v in overrides.items()})
    return env


class Gunicorn:
    """The production web server with one worker process, which keeps its database
    connection between requests (CONN_MAX_AGE), as in production."""

    def __init__(self, folder: Path, env: dict):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = Process(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "agenplan.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--threads",
                "4",
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
            ],  # fmt: skip
            log=folder / "gunicorn.log",
            env=env,
        )

    def start(self) -> None:
        self.process.start()

        def up():
            try:
                urllib.request.urlopen(f"{self.base}/healthz", timeout=2)  # noqa: S310
            except urllib.error.HTTPError:
                return True  # it answers (503: broker or database down)
            except OSError:
                return False
            return True

        wait_until(up, timeout=30, what="gunicorn up")

    def worker_pids(self) -> set[int]:
        """gunicorn's worker processes (a restarted worker would have a new pid)."""
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.process.pid)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        return {int(pid) for pid in out.stdout.split()}

    def stop(self) -> None:
        self.process.stop()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Visitor:
    """A browser's session: cookies, the CSRF token, no redirects followed."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect
        )

    def _csrf(self) -> str:
        return next((c.value for c in self.cookies if c.name == "csrftoken"), "")

    def request(self, method: str, path: str, data: dict | None = None, *, htmx=False):
        """(status, headers, body); a refused connection is status 0."""
        body = urllib.parse.urlencode(data or {}, doseq=True).encode() if method == "POST" else None
        request = urllib.request.Request(self.base + path, data=body, method=method)  # noqa: S310
        if method == "POST":
            request.add_header("X-CSRFToken", self._csrf())
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
        if htmx:
            request.add_header("HX-Request", "true")
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode(errors="replace")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return 0, {}, ""

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, data: dict, *, htmx=False):
        return self.request("POST", path, data, htmx=htmx)

    def login(self, username: str, password: str) -> None:
        status, _h, _b = self.get("/masuk/")
        assert status == 200, status
        status, headers, body = self.post(
            "/masuk/",
            {"username": username, "password": password, "csrfmiddlewaretoken": self._csrf()},
        )
        assert status == 302, (status, body[:2000])


def hidden_value(body: str, element_id: str) -> str:
    match = re.search(rf'id="{re.escape(element_id)}"\s+value="([^"]*)"', body)
    return html.unescape(match.group(1)) if match else ""


def celery_worker(folder: Path, env: dict, name: str, *, beat: bool = True) -> Process:
    """A Celery worker node `name@host` (solo pool) on every queue; with `beat`, Celery beat
    runs inside it (its schedule file in `folder`)."""
    embedded = ["-B", "--schedule", str(folder / f"beat-{name}")] if beat else []
    return Process(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "agenplan",
            "worker",
            *embedded,
            "-Q",
            "default,reports,mail",
            "--pool",
            "solo",
            "-n",
            f"{name}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "INFO",
        ],  # fmt: skip
        log=folder / f"{name}.log",
        env=env,
    )


def celery_beat(folder: Path, env: dict) -> Process:
    return Process(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "agenplan",
            "beat",
            "--schedule",
            str(folder / "beat-schedule"),
            "--loglevel",
            "INFO",
        ],  # fmt: skip
        log=folder / "beat.log",
        env=env,
    )


def sent_mails(folder: Path) -> list[str]:
    """Every message a filebased e-mail backend wrote into `folder`."""
    messages = []
    for path in sorted(folder.glob("*.log")):
        messages += [part for part in path.read_text().split("-" * 79) if part.strip()]
    return messages
