"""The dashboard's realisation figures come from the agencies' kept rows (`AgencyTally`):
after every accepted report, a plan entering implementation and a plan completed, the
kept rows equal a fresh computation, and the figures equal the realisation arithmetic
applied target by target (docs/domain.md, "Realisation"); the figures cost the same
number of queries whatever the number of plans."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from monitoring.models import TargetRealisation
from monitoring.services import enter_due_implementations
from plans.enums import PlanState
from plans.models import ChangeArea, Target
from plans.realisation import elapsed_share, light_counts, rollup
from plans.services.workflow import complete_plan
from reports.models import AgencyTally
from reports.selectors.realisation import LATE_SHOWN, cycle_realisation
from reports.services.agency_tallies import MEASURED_FIGURES, compute, rebuild
from tests.factories import AgentFactory

from .conftest import approved_plan
from .test_dashboard_figures import report_values


def kept_equal_fresh(cycle) -> None:
    fresh = compute(cycle)
    for row in AgencyTally.objects.filter(cycle=cycle):
        expected = fresh.get(row.agency_id)
        for name in MEASURED_FIGURES:
            kept = getattr(row, name)
            want = expected[name] if expected else (0 if name != "realised_areas" else {})
            if name == "realised_areas":
                kept = {k: [n, Decimal(s)] for k, (n, s) in kept.items()}
                want = {k: [n, Decimal(s)] for k, (n, s) in want.items()}
            assert kept == want, (row.agency_id, name)


def by_arithmetic(cycle, agency=None):
    """The figures computed target by target, without the kept rows."""
    today = timezone.localdate()
    elapsed = elapsed_share(cycle.implementation_start, cycle.implementation_end, today)
    targets = Target.objects.filter(plan__cycle=cycle, plan__state__in=PlanState.MEASURED)
    if agency is not None:
        targets = targets.filter(plan__agency=agency)
    verified = dict(TargetRealisation.objects.values_list("target_id", "counted"))
    rows = [
        (verified.get(t.pk), t.pk, t.plan_id, t.plan.agency_id, t.plan.area_ids)
        for t in targets.select_related("plan")
    ]
    counted = [r[0] for r in rows]
    per_agency = {}
    for agency_id in {r[3] for r in rows}:
        per_agency[agency_id] = rollup(r[0] for r in rows if r[3] == agency_id)
    per_area = []
    for pk, name in (
        ChangeArea.objects.filter(is_active=True)
        .order_by("order", "name")
        .values_list("pk", "name")
    ):
        serving = [r[0] for r in rows if pk in (r[4] or [])]
        per_area.append((name, len(serving), rollup(serving)))
    late = sorted(
        ((r[0] or Decimal(0), r[2], r[1]) for r in rows if (r[0] or 0) < elapsed),
    )[:LATE_SHOWN]
    return {
        "targets": len(rows),
        "on_track": sum((c or 0) >= elapsed for c in counted),
        "realisation": rollup(counted),
        "lights": light_counts(counted),
        "per_agency": per_agency,
        "per_area": per_area,
        "late": [pk for _c, _plan, pk in late],
    }


def figures_of(cycle, agency=None):
    figures = cycle_realisation(cycle, agency=agency, refresh=True)
    return {
        "targets": figures.targets,
        "on_track": figures.on_track,
        "realisation": figures.realisation,
        "lights": figures.lights,
        "per_agency": figures.per_agency,
        "per_area": figures.per_area,
        "late": [row["pk"] for row in figures.late],
    }


def test_kept_figures_follow_every_step(running_cycle, coordinator, plan_reviewer):
    agents = [AgentFactory() for _ in range(3)]
    agents.append(AgentFactory(agency=agents[0].agency))  # a colleague: two plans, one agency
    plans = [
        approved_plan(running_cycle, agent=a, reviewer=plan_reviewer, coordinator=coordinator)
        for a in agents
    ]
    kept_equal_fresh(running_cycle)
    assert figures_of(running_cycle)["targets"] == 0  # approved, not yet in implementation
    enter_due_implementations()
    kept_equal_fresh(running_cycle)
    assert figures_of(running_cycle) == by_arithmetic(running_cycle)
    # Reports accepted one by one (26 of 20 → 80 is 10 %, 71 is 85 %, 74 is 90 %); the
    # third plan never reports: its targets stay unverified, 0 % and late.
    for plan, agent, values in (
        (plans[0], agents[0], ["80", "26"]),
        (plans[1], agents[1], ["71", "30"]),
        (plans[3], agents[3], ["74", "95"]),
    ):
        plan.refresh_from_db()
        report_values(plan, agent, plan_reviewer, values)
        kept_equal_fresh(running_cycle)
        assert figures_of(running_cycle) == by_arithmetic(running_cycle)
    agency = plans[0].agency
    assert figures_of(running_cycle, agency) == by_arithmetic(running_cycle, agency)
    whole = figures_of(running_cycle)
    assert whole["targets"] == 8 and whole["late"][:2] == [
        t.pk for t in plans[2].targets.order_by("pk")
    ]
    # A completed plan stays measured; a rebuild gives the same rows.
    plans[1].refresh_from_db()
    complete_plan(plans[1], by=coordinator)
    kept_equal_fresh(running_cycle)
    assert figures_of(running_cycle) == by_arithmetic(running_cycle)
    AgencyTally.objects.filter(cycle=running_cycle).update(measured=0, realised=0)
    rebuild(running_cycle)
    kept_equal_fresh(running_cycle)
    assert figures_of(running_cycle) == whole


def test_the_areas_summed_in_python_where_the_database_cannot(
    running_cycle, coordinator, plan_reviewer, monkeypatch
):
    """SQLite's path (the JSON column read and summed here) gives PostgreSQL's figures."""
    for values in (["80", "26"], ["71", "30"]):
        agent = AgentFactory()
        plan = approved_plan(
            running_cycle, agent=agent, reviewer=plan_reviewer, coordinator=coordinator
        )
        enter_due_implementations()
        plan.refresh_from_db()
        report_values(plan, agent, plan_reviewer, values)
    native = figures_of(running_cycle)
    monkeypatch.setattr(connection, "vendor", "sqlite")
    assert figures_of(running_cycle) == native == by_arithmetic(running_cycle)


def test_figures_cost_the_same_queries_whatever_the_size(running_cycle, coordinator, plan_reviewer):
    def cold_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            cycle_realisation(running_cycle, refresh=True)
        return len(queries)

    def add_plans(n: int) -> None:
        for _ in range(n):
            agent = AgentFactory()
            plan = approved_plan(
                running_cycle, agent=agent, reviewer=plan_reviewer, coordinator=coordinator
            )
            enter_due_implementations()
            plan.refresh_from_db()
            report_values(plan, agent, plan_reviewer, ["50", "30"])

    add_plans(1)
    small = cold_queries()
    add_plans(4)
    AgentFactory()  # an agency without plans: no row read
    assert cold_queries() == small
