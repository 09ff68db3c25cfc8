"""The figures behind gunicorn's defaults (agenplan/serving.py): how long the heaviest
pages take, how much memory a worker holds, and how throughput grows with workers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/agenplan_bench \
        python -m benchmarks.run web

Seeds the demo province if needed (`seed_demo` is idempotent), then starts gunicorn with
gunicorn.conf.py (sync workers, DEBUG off, a free loopback port) and:

1. one client at a time, signed in as the coordinator and as the Sekda, asks for the
   heaviest pages each BENCH_WEB_REPEAT times (default 10) after one warm-up: p50, p95
   and max per page (the longest synchronous request bounds GUNICORN_TIMEOUT);
2. reads each worker's resident memory after that (VmRSS), which bounds how many workers
   a host's memory holds;
3. for each worker count in BENCH_WEB_WORKERS (default "1,2,3,5"), BENCH_WEB_CLIENTS
   concurrent clients (default 8) ask for those pages for BENCH_WEB_SECONDS (default 15):
   requests per second and p95. Loopback only, bounded in time.

`--smoke`: no seed_demo (the first coordinator and leadership account of the database
stand in for the demo's), 1 request per page, 1 worker count (1), 2 clients for 2 s.
"""

import io
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from benchmarks.bench_editor import Client, _free_port
from benchmarks.common import (
    database_label,
    percentiles,
    run_in_threads,
    setup_django,
    smoke_mode,
)

ROOT = Path(__file__).resolve().parents[1]

# (who, path) of the heaviest pages a person opens; filled in with the demo's ids.
PAGES = [
    ("koordinator", "/koordinator/"),
    ("koordinator", "/koordinator/penugasan/"),
    ("koordinator", "/koordinator/peserta/"),
    ("sekda", "/pimpinan/"),
    ("sekda", "/pimpinan/opd/{agency}/"),
    ("koordinator", "/laporan/"),
]


def _start(workers: int, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        # The settings this process runs with (the seeded passwords' hasher).
        "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"],
        "DJANGO_DEBUG": "False",
        "WEB_CONCURRENCY": str(workers),
        "BIND": "127.0.0.1",
        "PORT": str(port),
    }
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "agenplan.wsgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = Client(f"http://127.0.0.1:{port}")
    for _ in range(300):
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited")
        try:
            client.get("/healthz")
            return server
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=30)


def _signed_in(port: int, usernames: set[str]) -> dict[str, Client]:
    clients = {}
    for username in usernames:
        client = Client(f"http://127.0.0.1:{port}")
        client.get("/masuk/")
        client.post("/masuk/", {"username": username, "password": "agenplan-demo"})
        clients[username] = client
    return clients


def _timed_get(client: Client, path: str) -> float:
    start = time.perf_counter()
    status, _body = client.get(path)
    if status != 200:
        raise RuntimeError(f"{path}: status {status}")
    return (time.perf_counter() - start) * 1000


def _worker_rss_mb(server: subprocess.Popen) -> list[float]:
    out = subprocess.run(
        ["ps", "-o", "rss=", "--ppid", str(server.pid)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return sorted(round(int(kb) / 1024, 1) for kb in out.split())


def _load(port: int, pages: list[tuple[str, str]], clients: int, seconds: float) -> dict:
    """`clients` threads sharing one signed-in session per person (signing in is
    rate-limited per address, and it is not what is measured here)."""
    samples: list[float] = []
    errors = []
    signed_in = _signed_in(port, {who for who, _path in pages})
    deadline = time.monotonic() + seconds
    lock = threading.Lock()

    def run(index: int) -> None:
        mine = {who: Client(client.base) for who, client in signed_in.items()}
        for who, client in mine.items():
            for cookie in signed_in[who].jar:
                client.jar.set_cookie(cookie)
        n = index
        while time.monotonic() < deadline:
            who, path = pages[n % len(pages)]
            n += 1
            try:
                elapsed = _timed_get(mine[who], path)
            except Exception as error:  # noqa: BLE001 — counted and reported
                with lock:
                    errors.append(repr(error))
                continue
            with lock:
                samples.append(elapsed)

    wall = run_in_threads(run, clients)
    if errors:
        print(f"    first error: {errors[0]}")
    return {
        "requests": len(samples),
        "errors": len(errors),
        "rps": round(len(samples) / wall, 1),
        **percentiles(samples),
    }


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_DEBUG", "False")
    setup_django()
    from django.core.management import call_command

    from agencies.models import Agency
    from agents.enums import Role
    from agents.models import User

    smoke = smoke_mode(argv)
    call_command("migrate", verbosity=0)
    people = {"koordinator": "koordinator", "sekda": "sekda"}
    if smoke:
        for name, role in (("koordinator", Role.COORDINATOR), ("sekda", Role.LEADERSHIP)):
            holder = User.objects.filter(role_grants__role=role).order_by("pk").first()
            people[name] = holder.username if holder else None
    else:
        call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    agency = Agency.objects.filter(code="dinkes").first() or Agency.objects.order_by("pk")[0]
    pages = [(people[who], path.format(agency=agency.pk)) for who, path in PAGES if people[who]]
    repeat = int(os.environ.get("BENCH_WEB_REPEAT", "1" if smoke else "10"))
    workers_default = "1" if smoke else "1,2,3,5"
    worker_counts = [
        int(n) for n in os.environ.get("BENCH_WEB_WORKERS", workers_default).split(",")
    ]
    clients = int(os.environ.get("BENCH_WEB_CLIENTS", "2" if smoke else "8"))
    seconds = float(os.environ.get("BENCH_WEB_SECONDS", "2" if smoke else "15"))
    print(f"database: {database_label()}; cores: {os.cpu_count()}; load: {os.getloadavg()}")

    port = _free_port()
    server = _start(3, port)
    try:
        signed_in = _signed_in(port, {who for who, _path in pages})
        print(f"one request at a time ({repeat} each after a warm-up), 3 workers:")
        slowest = 0.0
        for who, path in pages:
            _timed_get(signed_in[who], path)
            figures = percentiles([_timed_get(signed_in[who], path) for _ in range(repeat)])
            slowest = max(slowest, figures["max"])
            print(f"  {path:<28} {figures}")
        print(f"  slowest single request: {slowest:.0f} ms")
        print(f"worker resident memory after these pages (MB): {_worker_rss_mb(server)}")
    finally:
        _stop(server)

    print(f"{clients} concurrent clients for {seconds:.0f} s over the same pages:")
    for workers in worker_counts:
        port = _free_port()
        server = _start(workers, port)
        try:
            figures = _load(port, pages, clients, seconds)
            rss = _worker_rss_mb(server)
        finally:
            _stop(server)
        print(f"  {workers} workers: {figures}; worker RSS (MB): {rss}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
