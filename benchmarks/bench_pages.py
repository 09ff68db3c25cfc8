"""Every main page at two sizes in one run: a province's cycle and a national one.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/agenplan_scale_bench \
        python -m benchmarks.run pages

The database holds the demo province (`seed_demo`: the 155-plan cycle `assessment-2023`)
and the national data set (`seed_scale --plans 50000`: `nasional-2026`); BENCH_SMALL and
BENCH_LARGE name other cycles. Each page is requested in-process through the whole
middleware stack (django.test.Client, DEBUG off, signed in as the page's user), with the
cache emptied before every request ("cold"): BENCH_PAGE_RUNS requests per page and cycle
(default 15) after one unmeasured request. For each page it prints the p50/p95 at both
sizes, the ratio of the large cycle's p95 to the small one's, the queries and the size of
the HTML, and marks the p95 against the page's goal (docs/performance.md).

The page's user is the demo coordinator, the leadership (Sekda), the busiest reviewer of
the cycle and the owner of a plan still being drafted. Signing in writes a session row.
"""

import os
import statistics
import time
from dataclasses import dataclass

from benchmarks.common import database_label, percentiles, setup_django, smoke_mode

SMALL, LARGE = "assessment-2023", "nasional-2026"
# Cold p95 goals (ms) of the pages with their own; every other page: DEFAULT_GOAL.
DEFAULT_GOAL = 300.0
GOALS = {"plan list, one agency (drill-down)": 150.0, "Sekda's dashboard": 150.0}
RATIO_GOAL = 1.2


@dataclass
class Page:
    name: str
    user: object
    path: str


def _pages(cycle) -> list[Page]:
    """The pages of one cycle, each with the user who opens it; a page whose user or plan
    the cycle lacks is left out (and the run says so)."""
    from django.db.models import Count

    from agents.enums import Role
    from agents.models import User
    from assessment.models import ReviewAssignment
    from assessment.selectors import QUEUE_STATES
    from plans.enums import PlanState
    from plans.models import ActionPlan

    def holder(role):
        return User.objects.filter(role_grants__role=role).order_by("pk").first()

    coordinator, leader = holder(Role.COORDINATOR), holder(Role.LEADERSHIP)
    q = f"?cycle={cycle.code}"
    plans = ActionPlan.objects.filter(cycle=cycle)
    reviewed = plans.filter(state=PlanState.REVIEWED).order_by("pk").first()
    draft = (
        plans.filter(state__in=PlanState.EDITABLE, owner__isnull=False)
        .select_related("owner__user")
        .order_by("pk")
        .first()
    )
    busiest = (
        ReviewAssignment.objects.filter(
            is_active=True, plan__cycle=cycle, plan__state__in=QUEUE_STATES
        )
        .values("reviewer_id")
        .order_by()
        .annotate(n=Count("pk"))
        .order_by("-n", "reviewer_id")
        .first()
    )
    assignment = (
        ReviewAssignment.objects.filter(
            is_active=True, plan__cycle=cycle, reviewer_id=busiest["reviewer_id"]
        )
        .order_by("pk")
        .first()
        if busiest
        else None
    )
    agency_id = plans.order_by("agency_id").values_list("agency_id", flat=True).first()
    pages = [
        Page("coordinator's board", coordinator, f"/koordinator/{q}"),
        Page("assignments", coordinator, f"/koordinator/penugasan/{q}"),
        Page("decision board", coordinator, f"/koordinator/keputusan/{q}"),
        Page("calibration", coordinator, f"/koordinator/kalibrasi/{q}"),
        Page("plan list", coordinator, f"/rencana/daftar/?cycle={cycle.code}"),
        Page(
            "plan list, one agency (drill-down)",
            coordinator,
            f"/rencana/daftar/?cycle={cycle.code}&agency={agency_id}",
        ),
        Page("Sekda's dashboard", leader, f"/pimpinan/{q}"),
        Page("agency drill-down", leader, f"/pimpinan/opd/{agency_id}/{q}"),
    ]
    if reviewed is not None:
        pages += [
            Page("coordinator's plan page", coordinator, f"/koordinator/rencana/{reviewed.pk}/"),
            Page("decision page", coordinator, f"/koordinator/rencana/{reviewed.pk}/keputusan/"),
        ]
    if assignment is not None:
        reviewer = User.objects.get(pk=busiest["reviewer_id"])
        pages += [
            Page("reviewer's queue", reviewer, "/penilaian/"),
            Page("review page", reviewer, f"/penilaian/rencana/{assignment.plan_id}/"),
        ]
    if draft is not None:
        pages += [
            Page("plan editor", draft.owner.user, f"/rencana/{draft.pk}/ubah/"),
            Page("plan page (agent)", draft.owner.user, f"/rencana/{draft.pk}/"),
        ]
    return [page for page in pages if page.user is not None]


def _measure(page: Page, runs: int) -> dict:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(page.user)
    response = client.get(page.path)  # unmeasured: imports, templates, buffers
    if response.status_code != 200:
        raise RuntimeError(f"{page.name}: {page.path} answered {response.status_code}")
    samples = []
    for _ in range(runs):
        cache.clear()
        start = time.perf_counter()
        response = client.get(page.path)
        samples.append((time.perf_counter() - start) * 1000)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page.path)
    return {
        **percentiles(samples),
        "queries": len(queries),
        "kb": round(len(response.content) / 1024),
    }


def _line(name: str, small: dict | None, large: dict | None) -> tuple[str, bool]:
    goal = GOALS.get(name, DEFAULT_GOAL)

    def cell(fig):
        if fig is None:
            return "–"
        return f"{fig['p50']:.0f}/{fig['p95']:.0f} ms {fig['queries']}q {fig['kb']} KB"

    ok = True
    verdict = []
    if large is not None:
        met = large["p95"] <= goal
        ok &= met
        verdict.append(f"p95 ≤ {goal:.0f} ms at the large size: {'met' if met else 'MISSED'}")
    ratio = ""
    if small is not None and large is not None:
        value = large["p95"] / max(small["p95"], 0.1)
        ratio = f"{value:.2f}"
    return (
        f"  {name:<36} {cell(small):<28} {cell(large):<30} {ratio:>7}  {'; '.join(verdict)}",
        ok,
    )


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_DEBUG", "false")
    setup_django()
    import logging

    from plans.models import Cycle

    # Each page's sign-in is logged by django-axes; the figures are what this prints.
    logging.getLogger("axes").setLevel(logging.WARNING)

    smoke = smoke_mode(argv)
    runs = int(os.environ.get("BENCH_PAGE_RUNS", "2" if smoke else "15"))
    codes = [os.environ.get("BENCH_SMALL", SMALL), os.environ.get("BENCH_LARGE", LARGE)]
    cycles = {code: Cycle.objects.filter(code=code).first() for code in codes}
    present = [code for code in codes if cycles[code] is not None]
    if not present:
        # A smoke run measures whatever cycles the database holds (the smallest first).
        by_size = sorted(Cycle.objects.all(), key=lambda c: (c.plans.count(), c.pk))
        present = [c.code for c in by_size[:1] + by_size[-1:]][: 2 if len(by_size) > 1 else 1]
        cycles = {c.code: c for c in by_size}
    if not present:
        print("pages: no cycle in the database; run seed_demo and seed_scale first")
        return 1
    figures: dict[str, dict[str, dict]] = {}
    sizes = {}
    for code in present:
        cycle = cycles[code]
        sizes[code] = cycle.plans.count()
        for page in _pages(cycle):
            figures.setdefault(page.name, {})[code] = _measure(page, runs)
    small, large = present[0], present[-1]
    print(
        f"pages, cold cache, {runs} requests each, {database_label()}, {os.cpu_count()} cores, "
        f"load {os.getloadavg()}"
    )
    print(
        f"  {'page':<36} {f'{small} ({sizes[small]} plans)':<28} "
        f"{f'{large} ({sizes[large]} plans)':<30} {'ratio':>7}"
    )
    print(f"  {'':<36} {'p50/p95, queries, HTML':<28} {'p50/p95, queries, HTML':<30}")
    missed = 0
    for name, by_cycle in figures.items():
        line, ok = _line(name, by_cycle.get(small), by_cycle.get(large) if large != small else None)
        missed += not ok
        print(line)
    ratios = [
        by_cycle[large]["p95"] / max(by_cycle[small]["p95"], 0.1)
        for by_cycle in figures.values()
        if small in by_cycle and large in by_cycle and large != small
    ]
    if ratios:
        print(
            f"  ratio of p95s, large / small: median {statistics.median(ratios):.2f}, "
            f"max {max(ratios):.2f}; pages over their goal: {missed}"
        )
    return 0
