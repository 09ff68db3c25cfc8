"""Capacity: a submission week under locust against the deployment on loopback.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/agenplan_scale_copy \
    CACHE_URL=redis://127.0.0.1:6379/1 CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
        python -m benchmarks.run load            # `make loadtest` makes the copy first

WRITES TO THE DATABASE (accounts of the test, their password, autosaved text, draft
scores): run it on a copy; with LOADTEST_TEMPLATE=<database> it makes one itself and
drops it afterwards (benchmarks/loadtest/database.py). benchmarks/loadtest/cast.py
picks the accounts, benchmarks/loadtest/servers.py starts gunicorn (gunicorn.conf.py,
production settings) and a Celery worker, benchmarks/loadtest/locustfile.py is what the
people do. Phases, each a headless locust run against the same server:

1. `mix`: LOADTEST_USERS people (default 200: 60 % agents editing with autosave, 30 %
   reviewers, 10 % coordinators and Sekda) with 5-15 s think time, arriving at
   LOADTEST_SPAWN_RATE a second (default 2), then LOADTEST_SECONDS (default 600) counted
   from when the last of them has signed in: per page the requests, errors, p50 and p95
   against the 300 ms goal; the sign-ins while people arrive are printed apart.
2. `saturation`: the same mix without think time, LOADTEST_SATURATION_USERS people
   (default 24) for LOADTEST_SATURATION_SECONDS (default 180); figures counted from when
   the last of them has signed in: requests per second.
3. `healthz`: as many clients asking /healthz without pause (for at most 60 s): requests
   per second, the baseline; the mix's throughput is printed as a ratio to it.

LOADTEST_PHASES="saturation,healthz" runs only those (the worker comparison). Each
phase prints the machine's load average before and after it and the CPU seconds locust
itself used (the load generator shares the machine with the server). `--smoke`: 6 people
for 20 s, then 3 for 5 s without think time, then /healthz for 5 s.
"""

import csv
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import database_label, setup_django, smoke_mode

ROOT = Path(__file__).resolve().parents[1]
LOCUSTFILE = ROOT / "benchmarks" / "loadtest" / "locustfile.py"
MIX = ["AgentUser", "ReviewerUser", "LeaderUser"]
GOAL_P95_MS = 300.0
SIGN_IN = ("/masuk/", "/akun/verifikasi/")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def _locust(
    port: int, folder: Path, name: str, classes, users, seconds, think, spawn, reset
) -> tuple[list[dict], float]:
    """One headless locust run; its per-request rows (locust's stats CSV) and CPU seconds."""
    command = [
        str(Path(sys.executable).with_name("locust")),
        "-f", str(LOCUSTFILE), "--headless", "--only-summary",
        "--host", f"http://127.0.0.1:{port}",
        "-u", str(users), "-r", str(spawn), "-t", f"{seconds}s", "--stop-timeout", "30",
        "--csv", str(folder / name), "--loglevel", "WARNING",
        *classes,
    ]  # fmt: skip
    env = {
        **os.environ,
        "LOADTEST_CAST": str(folder / "cast.json"),
        "LOADTEST_THINK": think,
        "LOADTEST_RESET_AFTER_SIGN_IN": "1" if reset else "0",
        "LOADTEST_SIGN_IN_FIGURES": str(folder / f"{name}_sign_in.json"),
    }
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with (folder / f"{name}.log").open("wb") as log:
        result = subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    with (folder / f"{name}_stats.csv").open(encoding="utf-8") as stats:
        rows = list(csv.DictReader(stats))
    if result.returncode not in (0, 1):  # 1: some requests failed (reported below)
        tail = (folder / f"{name}.log").read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"locust {name} exited with {result.returncode}:\n{tail}")
    return rows, cpu


def _failures(folder: Path, name: str) -> list[str]:
    path = folder / f"{name}_failures.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as failures:
        return [
            f"{r['Occurrences']}× {r['Name']}: {r['Error'][:160]}" for r in csv.DictReader(failures)
        ]


def _pages(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["Name"] != "Aggregated"]


def _throughput(rows: list[dict]) -> float:
    """Requests per second of the phase, sign-in excluded."""
    return sum(
        float(r["Requests/s"])
        for r in _pages(rows)
        if not r["Name"].startswith(tuple(f"{m} {p}" for m in ("GET", "POST") for p in SIGN_IN))
    )


def _print_pages(rows: list[dict]) -> int:
    missed = 0
    print(
        f"  {'request':<58} {'n':>6} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7}  goal p95 ≤ 300 ms"
    )
    for row in sorted(_pages(rows), key=lambda r: r["Name"]):
        if row["95%"] == "N/A":  # no request of this kind after the figures were cleared
            continue
        p95 = float(row["95%"])
        signing_in = any(p in row["Name"] for p in SIGN_IN)
        verdict = "(sign-in)" if signing_in else ("met" if p95 <= GOAL_P95_MS else "MISSED")
        missed += verdict == "MISSED"
        print(
            f"  {row['Name']:<58} {row['Request Count']:>6} {row['Failure Count']:>6} "
            f"{float(row['50%']):>7.0f} {p95:>7.0f}  {verdict}"
        )
    total = next(r for r in rows if r["Name"] == "Aggregated")
    print(
        f"  all requests: {total['Request Count']}, errors {total['Failure Count']}, "
        f"p50 {total['50%']} ms, p95 {total['95%']} ms, {float(total['Requests/s']):.1f}/s"
    )
    return missed


def _print_sign_ins(path: Path) -> int:
    """The sign-ins while people arrive; the errors of any request until the last arrived."""
    if not path.exists():
        print("  not every person signed in: the figures below include the arrivals")
        return 0
    arrival = json.loads(path.read_text(encoding="utf-8"))
    for name, fig in sorted(arrival["sign_ins"].items()):
        print(
            f"  while arriving: {name:<42} {fig['n']:>6} {fig['errors']:>6} "
            f"{fig['p50']:>7.0f} {fig['p95']:>7.0f}"
        )
    print(f"  errors of any request while arriving: {arrival['errors']}")
    return arrival["errors"]


def _settings(smoke: bool) -> dict:
    def number(name, full, small):
        return int(os.environ.get(name, small if smoke else full))

    return {
        "users": number("LOADTEST_USERS", 200, 6),
        "seconds": number("LOADTEST_SECONDS", 600, 20),
        "spawn": float(os.environ.get("LOADTEST_SPAWN_RATE", "6" if smoke else "2")),
        "saturation_users": number("LOADTEST_SATURATION_USERS", 24, 3),
        "saturation_seconds": number("LOADTEST_SATURATION_SECONDS", 180, 10),
        "phases": os.environ.get("LOADTEST_PHASES", "mix,saturation,healthz").split(","),
    }


def _run_phases(port: int, folder: Path, s: dict) -> dict:
    figures: dict = {}
    if "mix" in s["phases"]:
        # The figures count the steady state: the given seconds from when the last person
        # has signed in (the arrivals take users / spawn rate seconds); the sign-ins' own
        # figures, up to then, are printed apart.
        ramp = int(s["users"] / s["spawn"]) + 1
        print(
            f"mix: {s['users']} people arriving over {ramp} s, think time 5-15 s, then "
            f"{s['seconds']} s counted; {_load()}"
        )
        rows, cpu = _locust(
            port, folder, "mix", MIX, s["users"], ramp + s["seconds"], "5-15", s["spawn"], True
        )
        arriving = _print_sign_ins(folder / "mix_sign_in.json")
        figures["missed"] = _print_pages(rows)
        aggregated = next(r for r in rows if r["Name"] == "Aggregated")
        figures["errors"] = arriving + int(aggregated["Failure Count"])
        for line in _failures(folder, "mix")[:10]:
            print(f"    error: {line}")
        print(f"  after: {_load()}; locust used {cpu:.0f} CPU s")
    n, seconds = s["saturation_users"], s["saturation_seconds"]
    for phase, classes in (("saturation", MIX), ("healthz", ["HealthUser"])):
        if phase not in s["phases"]:
            continue
        if phase == "healthz":
            seconds = min(seconds, 60)  # nothing to warm up: a minute is steady enough
        print(f"{phase}: {n} clients without think time, {seconds} s; {_load()}")
        rows, cpu = _locust(port, folder, phase, classes, n, seconds, "0", max(n, 1), True)
        figures[phase] = _throughput(rows)
        errors = int(next(r for r in rows if r["Name"] == "Aggregated")["Failure Count"])
        arrival = folder / f"{phase}_sign_in.json"
        if arrival.exists():  # the errors before the figures were cleared count too
            errors += json.loads(arrival.read_text(encoding="utf-8"))["errors"]
        figures["errors"] = figures.get("errors", 0) + errors
        for line in _failures(folder, phase)[:5]:
            print(f"    error: {line}")
        print(
            f"  {phase}: {figures[phase]:.1f} requests/s, errors {errors}; "
            f"after: {_load()}; locust used {cpu:.0f} CPU s"
        )
        if phase == "saturation":
            _print_pages(rows)
    if figures.get("healthz") and "saturation" in figures:
        print(f"saturation throughput / healthz: {figures['saturation'] / figures['healthz']:.2f}")
    return figures


def main(argv: list[str]) -> int:
    from benchmarks.loadtest.database import copy_of_template

    with copy_of_template():
        return _measure(argv)


def _measure(argv: list[str]) -> int:
    setup_django()
    from django.core.management import call_command

    from benchmarks.loadtest import servers
    from benchmarks.loadtest.cast import prepare_cast

    smoke = smoke_mode(argv)
    s = _settings(smoke)
    call_command("migrate", verbosity=0)
    cast = prepare_cast(max(s["users"], s["saturation_users"]))
    with tempfile.TemporaryDirectory(prefix="agenplan-load-") as tmp:
        folder = Path(tmp)
        (folder / "cast.json").write_text(json.dumps(cast), encoding="utf-8")
        env = servers.production_env(folder / "var")
        servers.collect_static(env)
        port = _free_port()
        worker = web = None
        try:
            worker = servers.start_worker(env, folder / "worker.log")
            web = servers.start_web(env, port, folder / "web.log")
            print(
                f"database: {database_label()}; cores: {os.cpu_count()}; "
                f"{servers.server_config(env)}; production settings; {len(cast['agents'])} "
                f"agents, {len(cast['reviewers'])} reviewers, {len(cast['leaders'])} leaders"
            )
            figures = _run_phases(port, folder, s)
        finally:
            servers.stop(web)
            servers.stop(worker)
        if os.environ.get("LOADTEST_KEEP_LOGS"):
            for log in folder.glob("*.log"):
                (Path(os.environ["LOADTEST_KEEP_LOGS"]) / log.name).write_bytes(log.read_bytes())
    # Errors fail every run (the smoke run proves that each journey still works); a
    # missed goal fails the full run only.
    if figures.get("errors"):
        return 1
    return 1 if figures.get("missed") and not smoke else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
