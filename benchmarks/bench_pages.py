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

Is the province's cycle unaffected by the size of other cycles? With
BENCH_ALONE_DATABASE_URL naming a database that holds the province alone (`seed_demo`,
of which the large database is a copy plus `seed_scale`), the same run then measures the
small cycle's pages in both databases, each in a fresh child process (one process serves
one database), alternating BENCH_ALONE_ROUNDS times (default 3) so that both sides see
the same machine, and prints the ratio of the p95 beside the national cycle to the p95
alone (goal ≤ 1.2). A smoke run compares its database with itself that way, so that the
path keeps working.
"""

import json
import os
import statistics
import subprocess
import sys
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
        "samples": samples,
    }


CHILD_MARK = "CHILD-FIGURES "


def _measure_in_child(url: str, code: str, runs: int, smoke: bool) -> dict[str, dict]:
    """The cycle's pages measured by a fresh process on the database at `url`."""
    env = {**os.environ, "DATABASE_URL": url, "BENCH_SMALL": code, "BENCH_LARGE": code}
    env["BENCH_PAGE_RUNS"] = str(runs)
    env.pop("BENCH_ALONE_DATABASE_URL", None)
    command = [sys.executable, "-m", "benchmarks.bench_pages", "--child"]
    result = subprocess.run(
        command + (["--smoke"] if smoke else []),
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in result.stdout.splitlines():
        if line.startswith(CHILD_MARK):
            return json.loads(line.removeprefix(CHILD_MARK))
    raise RuntimeError(f"the child printed no figures:\n{result.stdout}\n{result.stderr}")


def _alone_and_beside(alone_url: str, beside_url: str, code: str, runs: int, smoke: bool):
    """The small cycle's pages alone and beside the large cycle, in alternating rounds;
    per page the figures of all the rounds' samples on each side."""
    rounds = int(os.environ.get("BENCH_ALONE_ROUNDS", "1" if smoke else "3"))
    sides: dict[str, dict[str, dict]] = {"alone": {}, "beside": {}}
    for _ in range(rounds):
        for side, url in (("alone", alone_url), ("beside", beside_url)):
            for name, fig in _measure_in_child(url, code, runs, smoke).items():
                kept = sides[side].setdefault(name, {**fig, "samples": []})
                kept["samples"] += fig["samples"]
    for by_page in sides.values():
        for fig in by_page.values():
            fig.update(percentiles(fig["samples"]))
    return sides["alone"], sides["beside"]


def _ratio_cell(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _line(
    name: str,
    small: dict | None,
    large: dict | None,
    alone: dict | None = None,
    beside: dict | None = None,
) -> tuple[str, bool]:
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
        ratio = _ratio_cell(large["p95"] / max(small["p95"], 0.1))
    columns = f"{cell(small):<28} {cell(large):<30} {ratio:>7}"
    if alone is not None and beside is not None:
        value = beside["p95"] / max(alone["p95"], 0.1)
        met = value <= RATIO_GOAL
        ok &= met
        verdict.append(f"beside/alone ≤ {RATIO_GOAL}: {'met' if met else 'MISSED'}")
        columns += f"  {cell(alone):<28} {cell(beside):<28} {_ratio_cell(value):>7}"
    return f"  {name:<36} {columns}  {'; '.join(verdict)}", ok


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_DEBUG", "false")
    setup_django()
    import logging

    from plans.models import Cycle

    # Each page's sign-in is logged by django-axes; the figures are what this prints.
    logging.getLogger("axes").setLevel(logging.WARNING)

    smoke = smoke_mode(argv)
    runs = int(os.environ.get("BENCH_PAGE_RUNS", "2" if smoke else "15"))
    codes = list(
        dict.fromkeys([os.environ.get("BENCH_SMALL", SMALL), os.environ.get("BENCH_LARGE", LARGE)])
    )
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
    if "--child" in argv:
        print(CHILD_MARK + json.dumps({name: by[small] for name, by in figures.items()}))
        return 0
    from django.db import connection

    own_url = os.environ.get("DATABASE_URL")
    alone_url = os.environ.get("BENCH_ALONE_DATABASE_URL") or (
        # A smoke run compares its own database with itself: the path must not rot.
        own_url if smoke and connection.vendor == "postgresql" else None
    )
    alone, beside = (
        _alone_and_beside(alone_url, own_url, small, runs, smoke) if alone_url else ({}, {})
    )
    print(
        f"pages, cold cache, {runs} requests each, {database_label()}, {os.cpu_count()} cores, "
        f"load {os.getloadavg()}"
    )
    heading = (
        f"  {'page':<36} {f'{small} ({sizes[small]} plans)':<28} "
        f"{f'{large} ({sizes[large]} plans)':<30} {'ratio':>7}"
    )
    units = f"  {'':<36} {'p50/p95, queries, HTML':<28} {'p50/p95, queries, HTML':<30} {'':>7}"
    if alone:
        heading += f"  {f'{small} alone':<28} {f'{small} beside {large}':<28} {'beside':>7}"
        units += f"  {'p50/p95, queries, HTML':<28} {'p50/p95, queries, HTML':<28} {'/alone':>7}"
    print(heading)
    print(units)
    missed = 0
    for name, by_cycle in figures.items():
        line, ok = _line(
            name,
            by_cycle.get(small),
            by_cycle.get(large) if large != small else None,
            alone.get(name),
            beside.get(name),
        )
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
            f"max {max(ratios):.2f}"
        )
    beside_ratios = [
        beside[name]["p95"] / max(alone[name]["p95"], 0.1)
        for name in figures
        if name in alone and name in beside
    ]
    if beside_ratios:
        print(
            f"  ratio of p95s, {small} beside {large} / alone: median "
            f"{statistics.median(beside_ratios):.2f}, max {max(beside_ratios):.2f}"
        )
    print(f"  pages over their goals: {missed}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
