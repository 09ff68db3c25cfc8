"""The REST API (/api/v1/) at a national size: its lists, details, dashboard and a
participants sync's dry run, asked with a coordinator's token.

    createdb -h 127.0.0.1 -U postgres -T agenplan_scale_bench agenplan_scale_api
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/agenplan_scale_api \
        python -m benchmarks.run api

The database is a copy of the scale database (`seed_scale --plans 50000`: the cycle
`nasional-2026`; BENCH_API_CYCLE names another): the run makes a token (a row), so it
never runs on the original. Each request goes in-process through the whole middleware
stack and the API's authentication, scope, rules and throttle (django.test.Client, DEBUG
off), with the cache emptied before every request ("cold"): BENCH_API_RUNS requests per
endpoint (default 20) after one unmeasured request. It prints, per endpoint, p50/p95, the
queries and the size of the answer. `--smoke` measures the smallest cycle there is, twice.
"""

import datetime as dt
import json
import os
import time

from benchmarks.common import database_label, percentiles, setup_django, smoke_mode

CYCLE = "nasional-2026"


def _endpoints(cycle, smoke: bool) -> list[tuple[str, str, str, dict | None]]:
    """(name, method, path, JSON body) of the endpoints measured."""
    from agencies.models import Agency
    from agents.validators import generate_nip
    from plans.models import ActionPlan

    plans = ActionPlan.objects.filter(cycle=cycle)
    decided = plans.filter(decided_at__isnull=False).order_by("pk").first() or plans.first()
    agency = plans.order_by("agency_id").values_list("agency_id", flat=True).first()
    code = Agency.objects.filter(pk=agency).values_list("code", flat=True).first()
    rows = 20 if smoke else 1000
    participants = [
        {
            "nip": generate_nip(
                birth_date=dt.date(1980, 1, 1) + dt.timedelta(days=n),
                appointment_month=dt.date(2005, 1, 1),
                gender="L",
                sequence=n % 999 + 1,
            ),
            "nama": f"Peserta {n}",
            "kode_opd": code,
        }
        for n in range(rows)
    ]
    return [
        ("plans, first page of 50", "get", f"/api/v1/plans/?cycle={cycle.code}", None),
        ("plans, page of 200", "get", f"/api/v1/plans/?cycle={cycle.code}&page_size=200", None),
        ("plans of one agency", "get", f"/api/v1/plans/?cycle={cycle.code}&agency={agency}", None),
        ("plan detail", "get", f"/api/v1/plans/{decided.pk}/", None),
        ("plan feedback", "get", f"/api/v1/plans/{decided.pk}/feedback/", None),
        ("decisions, first page", "get", f"/api/v1/decisions/?cycle={cycle.code}", None),
        ("dashboard (cold cache)", "get", f"/api/v1/cycles/{cycle.pk}/dashboard/", None),
        ("agencies", "get", "/api/v1/agencies/?page_size=200", None),
        (
            f"participants sync, dry run of {rows}",
            "post",
            "/api/v1/participants/sync/",
            {"participants": participants, "dry_run": True},
        ),
    ]


def _measure(client, headers, method, path, body, runs) -> dict:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def ask():
        if method == "get":
            return client.get(path, **headers)
        return client.post(path, json.dumps(body), content_type="application/json", **headers)

    response = ask()  # unmeasured: imports, buffers
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}: {response.content[:300]}")
    samples = []
    for _ in range(runs):
        cache.clear()
        start = time.perf_counter()
        ask()
        samples.append((time.perf_counter() - start) * 1000)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = ask()
    return {**percentiles(samples), "queries": len(queries), "kb": len(response.content) // 1024}


def _deep_page(client, headers, cycle, pages: int) -> dict:
    """Walking the cursor: the time of the page reached after `pages` pages of 200."""
    path = f"/api/v1/plans/?cycle={cycle.code}&page_size=200"
    for _ in range(pages):
        following = client.get(path, **headers).json()["next"]
        if not following:
            break
        path = following
    start = time.perf_counter()
    client.get(path, **headers)
    return {"pages": pages, "ms": round((time.perf_counter() - start) * 1000, 1)}


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_DEBUG", "false")
    setup_django()
    import logging

    from django.conf import settings
    from django.test import Client

    from agents.enums import ApiAccess, ApiArea, Role
    from agents.models import User
    from agents.tokens import create_token
    from plans.models import Cycle

    logging.getLogger("axes").setLevel(logging.WARNING)
    smoke = smoke_mode(argv)
    runs = int(os.environ.get("BENCH_API_RUNS", "2" if smoke else "20"))
    cycle = Cycle.objects.filter(code=os.environ.get("BENCH_API_CYCLE", CYCLE)).first()
    if cycle is None:
        with_plans = Cycle.objects.filter(plans__isnull=False).distinct()
        cycle = min(with_plans, key=lambda c: (c.plans.count(), c.pk), default=None)
    coordinator = User.objects.filter(role_grants__role=Role.COORDINATOR).order_by("pk").first()
    if cycle is None or coordinator is None or not cycle.plans.exists():
        print("api: no cycle with plans and no coordinator; run seed_demo and seed_scale first")
        return 1
    # The benchmark measures the API, not its rate limit.
    settings.AGENPLAN_API_RATE_LIMITS = {"api": "1000000/m", "api_write": "1000000/m"}
    scopes = dict.fromkeys(ApiArea.values, ApiAccess.WRITE)
    _token, secret = create_token(coordinator, name="benchmark", scopes=scopes, by=None)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    client = Client(HTTP_HOST="127.0.0.1")
    print(
        f"api, cold cache, {runs} requests each, cycle {cycle.code} ({cycle.plans.count()} "
        f"plans), {database_label()}, {os.cpu_count()} cores, load {os.getloadavg()}"
    )
    for name, method, path, body in _endpoints(cycle, smoke):
        fig = _measure(client, headers, method, path, body, runs)
        print(
            f"  {name:<38} p50 {fig['p50']:.0f} ms, p95 {fig['p95']:.0f} ms, "
            f"{fig['queries']} queries, {fig['kb']} KB"
        )
    deep = _deep_page(client, headers, cycle, 2 if smoke else 100)
    print(f"  plans, page reached after {deep['pages']} pages of 200: {deep['ms']} ms")
    return 0
