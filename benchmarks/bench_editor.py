"""Latency of the plan editor page and of autosave, through a real server on loopback.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/agenplan_bench \
        python -m benchmarks.run editor

Seeds the demo province if needed (`seed_demo` is idempotent), starts gunicorn (2 sync
workers, DEBUG off) on a free loopback port, signs in as the demo agent `agen`, and
times with a plain urllib client, one request at a time:

- GET  /rencana/<pk>/ubah/                the editor page of the agent's draft
- POST /rencana/<pk>/simpan/?bagian=problem   autosave of one text section: every request
                                          changes the text, so each one really writes
                                          (conditional UPDATE, audit row, new version)
- POST /rencana/<pk>/simpan/?bagian=activities autosave of the activities (all rows)

BENCH_REQUESTS (default 250) requests each, after 20 unmeasured warm-up requests. The
draft's text is restored afterwards. `--smoke`: no seed_demo (the draft of `agen`, else
the first draft of any seeded agent), 3 requests each after 1 warm-up, goals printed but
not enforced. Goals: editor p95 < 150 ms, autosave
p95 < 80 ms.
"""

import http.cookiejar
import io
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from benchmarks.common import database_label, percentiles, setup_django, smoke_mode

ROOT = Path(__file__).resolve().parents[1]
WARMUP = 20
GOALS = {"editor page": 150.0, "autosave (text section)": 80.0}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """A browser-like client: cookies, CSRF token, one connection per request."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def get(self, path: str) -> tuple[int, str]:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.status, response.read().decode()

    def post(self, path: str, data, headers=None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        request = urllib.request.Request(  # noqa: S310 (loopback http only)
            self.base + path,
            data=body,
            headers={"X-CSRFToken": self.csrf(), "Referer": self.base + path, **(headers or {})},
        )
        with self.opener.open(request, timeout=30) as response:
            return response.status, response.read().decode()


def _timed(call) -> tuple[float, str]:
    start = time.perf_counter()
    status, body = call()
    elapsed = (time.perf_counter() - start) * 1000
    if status != 200:
        raise RuntimeError(f"unexpected status {status}")
    return elapsed, body


def _version(html: str, current: int) -> int:
    match = re.search(r'id="id_lock_version"\s+value="(\d+)"', html)
    return int(match.group(1)) if match else current


def _wait_until_up(client: Client, server: subprocess.Popen) -> None:
    for _ in range(100):
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited; see its output above")
        try:
            client.get("/healthz")
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_DEBUG", "False")
    setup_django()
    from django.core.management import call_command

    from demo.seeding.people import DEMO_PASSWORD
    from plans.enums import PlanState
    from plans.models import ActionPlan

    smoke = smoke_mode(argv)
    requests = int(os.environ.get("BENCH_REQUESTS", "3" if smoke else "250"))
    warmup = 1 if smoke else WARMUP
    call_command("migrate", verbosity=0)
    if not smoke:
        call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    drafts = ActionPlan.objects.filter(state__in=PlanState.EDITABLE, owner__isnull=False)
    plan = drafts.filter(owner__user__username="agen").order_by("-cycle__drafting_opens").first()
    if plan is None and smoke:
        plan = drafts.filter(activities__isnull=False).order_by("pk").first()
    if plan is None:
        print("The demo agent `agen` has no draft to edit; run seed_demo on a fresh database.")
        return 1
    saved = {name: getattr(plan, name) for name in ("root_cause", "baseline_data")}
    activities = list(plan.activities.order_by("order", "id"))

    port = _free_port()
    # The server reads the settings this process does (the seeded passwords' hasher).
    env = {**os.environ}
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "agenplan.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    results = {}
    try:
        client = Client(f"http://127.0.0.1:{port}")
        _wait_until_up(client, server)
        client.get("/masuk/")
        client.post("/masuk/", {"username": plan.owner.user.username, "password": DEMO_PASSWORD})
        edit = f"/rencana/{plan.pk}/ubah/"
        status, html = client.get(edit)
        version = _version(html, plan.lock_version)

        samples = []
        for i in range(warmup + requests):
            elapsed, _body = _timed(lambda: client.get(edit))
            if i >= warmup:
                samples.append(elapsed)
        results["editor page"] = percentiles(samples)

        hx = {"HX-Request": "true"}
        samples = []
        for i in range(warmup + requests):
            data = {
                "lock_version": str(version),
                "strategic_issue": plan.strategic_issue,
                "baseline_data": saved["baseline_data"],
                "root_cause": f"{saved['root_cause']} (uji kinerja {i})",
            }
            path = f"/rencana/{plan.pk}/simpan/?bagian=problem"
            elapsed, body = _timed(lambda d=data, p=path: client.post(p, d, hx))
            version = _version(body, version)
            if "Tersimpan" not in body:
                raise RuntimeError("autosave did not save: " + body[:300])
            if i >= warmup:
                samples.append(elapsed)
        results["autosave (text section)"] = percentiles(samples)

        samples = []
        for i in range(warmup + requests):
            data = {
                "lock_version": str(version),
                "activities-TOTAL_FORMS": str(len(activities)),
                "activities-INITIAL_FORMS": "0",
            }
            for n, a in enumerate(activities):
                prefix = f"activities-{n}"
                data |= {
                    f"{prefix}-id": str(a.pk),
                    f"{prefix}-ORDER": str(n + 1),
                    f"{prefix}-title": a.title + ("" if n or i % 2 == 0 else " "),
                    f"{prefix}-output": a.output if n or i % 2 == 0 else a.output + ".",
                    f"{prefix}-start_month": a.start_month.strftime("%Y-%m"),
                    f"{prefix}-end_month": a.end_month.strftime("%Y-%m"),
                    f"{prefix}-responsible": a.responsible,
                    f"{prefix}-budget": "" if a.budget is None else str(a.budget),
                }
            path = f"/rencana/{plan.pk}/simpan/?bagian=activities"
            elapsed, body = _timed(lambda d=data, p=path: client.post(p, d, hx))
            version = _version(body, version)
            if i >= warmup:
                samples.append(elapsed)
        results[f"autosave (activities, {len(activities)} rows)"] = percentiles(samples)
    finally:
        server.terminate()
        server.wait(timeout=10)
        ActionPlan.objects.filter(pk=plan.pk).update(**saved)
        for a in activities:
            a.save(update_fields=["title", "output"])

    print(
        f"editor benchmark: plan {plan.pk} ({len(activities)} activities, "
        f"{plan.targets.count()} targets), gunicorn 2 sync workers on loopback, "
        f"{os.cpu_count()} cores, {database_label()}"
    )
    status = 0
    for name, figures in results.items():
        goal = GOALS.get(name)
        verdict = ""
        if goal is not None:
            verdict = f"  goal p95 < {goal:.0f} ms: {'met' if figures['p95'] < goal else 'MISSED'}"
            status |= 0 if figures["p95"] < goal or smoke else 1
        print(
            f"  {name:<34} n={figures['n']}  p50 {figures['p50']} ms  p95 {figures['p95']} ms  "
            f"max {figures['max']} ms{verdict}"
        )
    return status
