"""The leadership dashboard at national scale: latency with a cold and a warm cache, and a
load run of concurrent users against a real server.

Latency (in-process, read-only: no session, no write; the view, its selectors and the
template, through Django's RequestFactory as a coordinator, who sees the whole province):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/agenplan_scale \
        python -m benchmarks.run dashboard

    BENCH_CYCLE       cycle code (default: the current cycle)
    BENCH_COLD_RUNS   requests with an emptied cache (default 30)
    BENCH_WARM_RUNS   requests with a filled cache (default 200)
    --smoke           2 cold and 3 warm requests

Load run (when BENCH_LOAD_URL is set): BENCH_USERS virtual users (default 50) each sign in
through the login form, then make BENCH_REQUESTS requests (default 20) over the
dashboard, its agency table (sorted, searched, paged, htmx partial) and agency pages;
BENCH_LOAD_SECONDS (default 120) bounds the requests (the sign-ins come first). Signing
in writes sessions, so point the server at a copy of the database, not the shared one:

    BENCH_LOAD_URL=http://127.0.0.1:8607 BENCH_LOAD_USER=nasional-2026.koordinator \
        BENCH_LOAD_PASSWORD=agenplan-demo python -m benchmarks.run dashboard
"""

import os
import random
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie

from benchmarks.common import (
    database_label,
    percentiles,
    run_in_threads,
    setup_django,
    smoke_mode,
)


def _latency(cycle_code: str, cold_runs: int, warm_runs: int) -> None:
    from django.core.cache import cache
    from django.test import RequestFactory
    from django_htmx.middleware import HtmxDetails

    from agents.enums import Role
    from agents.models import User
    from monitoring.models import ProgressReport, TargetRealisation
    from plans.models import Cycle
    from plans.selectors import current_cycle
    from reports import views

    cycle = Cycle.objects.get(code=cycle_code) if cycle_code else current_cycle()
    user = (
        User.objects.filter(role_grants__role__in=[Role.LEADERSHIP, Role.COORDINATOR])
        .order_by("pk")
        .first()
    )
    factory = RequestFactory()

    def once(path: str, view=views.dashboard) -> float:
        request = factory.get(path)
        request.user = user
        request.htmx = HtmxDetails(request)
        start = time.perf_counter()
        response = view(request)
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, response.status_code
        return elapsed

    path = f"/pimpinan/?cycle={cycle.code}"
    once(path)  # imports, template compilation, PostgreSQL's buffers
    cold = []
    for _ in range(cold_runs):
        cache.clear()
        cold.append(once(path))
    warm = [once(path) for _ in range(warm_runs)]
    pages = [f"{path}&sort=-score&page={random.randint(1, 40)}" for _ in range(min(warm_runs, 50))]
    table = [once(p) for p in pages]
    agency_ids = list(
        cycle.plans.order_by("agency_id").values_list("agency_id", flat=True).distinct()[:200]
    )

    def agency_once(pk: int) -> float:
        request = factory.get(f"/pimpinan/opd/{pk}/?cycle={cycle.code}")
        request.user = user
        request.htmx = HtmxDetails(request)
        start = time.perf_counter()
        response = views.agency_detail(request, pk)
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, response.status_code
        return elapsed

    agencies = [agency_once(pk) for pk in random.sample(agency_ids, min(20, len(agency_ids)))]
    # The drill-down to the late targets (first page), with the figures computed anew
    # and cached, and an agency's list (from the agency table's realisation).
    late = f"/pimpinan/target-tertinggal/?cycle={cycle.code}"
    late_cold = []
    for _ in range(max(2, cold_runs // 2)):
        cache.clear()
        late_cold.append(once(late, views.late_targets))
    late_warm = [once(late, views.late_targets) for _ in range(min(warm_runs, 50))]
    late_agency = [
        once(f"{late}&opd={pk}", views.late_targets)
        for pk in random.sample(agency_ids, min(20, len(agency_ids)))
    ]
    measured = TargetRealisation.objects.filter(cycle=cycle).count()
    reports = ProgressReport.objects.filter(plan__cycle=cycle).count()
    plans = cycle.plans.count()
    print(f"dashboard of {cycle.code} ({plans} plans), {database_label()}, {os.cpu_count()} cores")
    print(f"  cold cache: {percentiles(cold)} ms")
    print(f"  warm cache: {percentiles(warm)} ms")
    print(f"  warm cache, agency table sorted by score, random page: {percentiles(table)} ms")
    print(f"  agency page, random agency (cycle means cached): {percentiles(agencies)} ms")
    print(f"  monitoring data: {reports} progress reports, {measured} verified realisations")
    print(f"  late targets, cold cache: {percentiles(late_cold)} ms")
    print(f"  late targets, warm figures: {percentiles(late_warm)} ms")
    print(f"  late targets of a random agency: {percentiles(late_agency)} ms")


# --- Load run -------------------------------------------------------------------------------


class Browser:
    """A minimal client: keeps cookies by hand (production cookies are Secure-only, and
    this runs over plain HTTP on loopback)."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.cookies: dict[str, str] = {}
        self.timeout = 30.0

    def _remember(self, response) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for key, morsel in jar.items():
                self.cookies[key] = morsel.value

    def request(self, path: str, data: dict | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        # The base URL comes from BENCH_LOAD_URL (http on loopback), never from data.
        request = urllib.request.Request(  # noqa: S310
            self.base + path, data=body, headers=headers or {}
        )
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if body is not None:
            request.add_header("Referer", self.base + path)
        opener = urllib.request.build_opener(NoRedirect)
        try:
            response = opener.open(request, timeout=self.timeout)
        except urllib.error.HTTPError as error:  # 3xx and errors alike
            response = error
        self._remember(response)
        return response.status, response.read()

    def login(self, username: str, password: str) -> None:
        _status, page = self.request("/masuk/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        status, _ = self.request(
            "/masuk/",
            {"username": username, "password": password, "csrfmiddlewaretoken": token},
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login failed ({status})")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _load(base: str, username: str, password: str, users: int, per_user: int, limit: float):
    probe = Browser(base)
    probe.login(username, password)
    _status, page = probe.request("/pimpinan/")
    agency_links = sorted(set(re.findall(rb'href="(/pimpinan/opd/\d+/)', page)))[:20]
    paths = [
        ("/pimpinan/", {}),
        ("/pimpinan/?sort=-score&page=3", {}),
        ("/pimpinan/?q=dinas", {}),
        ("/pimpinan/?show=lagging&page=2", {"HX-Request": "true", "HX-Target": "agency-table"}),
        *((link.decode(), {}) for link in agency_links[:3]),
    ]
    latencies: list[float] = []
    by_kind: dict[str, list[float]] = {}
    errors: list[str] = []
    lock = threading.Lock()
    start_gate = threading.Barrier(users)

    # Every user signs in first (password hashing is deliberately slow, and is not what
    # this run measures), then all start together.
    browsers = []
    for _ in range(users):
        browser = Browser(base)
        browser.timeout = 120.0
        browser.login(username, password)
        browser.timeout = 30.0
        browsers.append(browser)

    def user(index: int) -> None:
        rng = random.Random(index)
        browser = browsers[index]
        try:
            start_gate.wait(timeout=limit)
        except threading.BrokenBarrierError:
            pass
        for _ in range(per_user):
            if time.monotonic() > deadline:
                with lock:
                    errors.append("time limit reached")
                return
            path, headers = rng.choice(paths)
            began = time.perf_counter()
            try:
                status, _body = browser.request(path, headers=headers)
            except Exception as exc:  # noqa: BLE001
                status, _body = f"{type(exc).__name__}", b""
            elapsed = (time.perf_counter() - began) * 1000
            kind = (
                "agency page"
                if "/opd/" in path
                else "dashboard"
                if path == "/pimpinan/"
                else ("agency table (htmx)" if headers else "dashboard with table parameters")
            )
            with lock:
                latencies.append(elapsed)
                by_kind.setdefault(kind, []).append(elapsed)
                if status != 200:
                    errors.append(f"{path}: {status}")

    deadline = time.monotonic() + limit
    seconds = run_in_threads(user, users)
    print(
        f"load run against {base}: {users} users × {per_user} requests, "
        f"{len(latencies)} requests in {seconds:.1f} s (after the sign-ins), "
        f"{len(latencies) / seconds:.1f} req/s, errors: {len(errors)}"
    )
    print(f"  latency seen by the users: {percentiles(latencies)} ms")
    for kind, samples in sorted(by_kind.items()):
        print(f"    {kind}: {percentiles(samples)} ms")
    for error in errors[:10]:
        print(f"  error: {error}")
    return 1 if errors else 0


def main(argv: list[str]) -> int:
    base = os.environ.get("BENCH_LOAD_URL", "")
    if base:
        return _load(
            base,
            os.environ.get("BENCH_LOAD_USER", "nasional-2026.koordinator"),
            os.environ.get("BENCH_LOAD_PASSWORD", "agenplan-demo"),
            int(os.environ.get("BENCH_USERS", "50")),
            int(os.environ.get("BENCH_REQUESTS", "20")),
            float(os.environ.get("BENCH_LOAD_SECONDS", "120")),
        )
    os.environ.setdefault("DJANGO_DEBUG", "false")
    setup_django()
    smoke = smoke_mode(argv)
    _latency(
        os.environ.get("BENCH_CYCLE", ""),
        int(os.environ.get("BENCH_COLD_RUNS", "2" if smoke else "30")),
        int(os.environ.get("BENCH_WARM_RUNS", "3" if smoke else "200")),
    )
    return 0
