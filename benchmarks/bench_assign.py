"""Time the automatic reviewer assignment (`assessment.services.auto_assign`).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/agenplan_bench \
        python -m benchmarks.run assign

Builds, inside one transaction that is rolled back at the end (nothing is left behind),
a cycle with BENCH_ASSIGN_PLANS submitted plans (default 155) in BENCH_ASSIGN_AGENCIES
agencies (default 50) and BENCH_ASSIGN_REVIEWERS reviewers (default 10, with a few
declared conflicts; `--smoke`: 20 plans, 5 agencies, 4 reviewers), then runs auto_assign
once and prints the time, the number of SQL statements (all of them, counted by an execute
wrapper: Django's query log keeps only the last 9,000) and the spread of the reviewers'
loads. A cycle this big would be assigned by the background run
(assessment.tasks.run_auto_assign), which does exactly this call.
"""

import datetime as dt
import os

from benchmarks.common import database_label, peak_rss_mb, setup_django, smoke_mode, stopwatch


class _Rollback(Exception):
    pass


def main(argv: list[str]) -> int:
    setup_django()
    from django.db import connection, transaction
    from django.utils import timezone

    from agencies.models import Agency
    from agents.enums import Role
    from agents.models import Agent, RoleGrant, User
    from assessment.models import ConflictOfInterest, ReviewAssignment
    from assessment.services import auto_assign
    from plans.enums import PlanState
    from plans.models import ActionPlan, Cycle

    smoke = smoke_mode(argv)
    n_plans = int(os.environ.get("BENCH_ASSIGN_PLANS", "20" if smoke else "155"))
    n_agencies = int(os.environ.get("BENCH_ASSIGN_AGENCIES", "5" if smoke else "50"))
    n_reviewers = int(os.environ.get("BENCH_ASSIGN_REVIEWERS", "4" if smoke else "10"))
    figures = {}
    try:
        with transaction.atomic():
            now = timezone.now()
            today = timezone.localdate()
            cycle = Cycle.objects.create(
                name=f"Bench assign {n_plans}",
                code=f"bench-assign-{n_plans}-{now.timestamp():.0f}",
                year=today.year,
                drafting_opens=now - dt.timedelta(days=60),
                submission_deadline=now - dt.timedelta(days=1),
                review_starts=today,
                review_ends=today + dt.timedelta(days=20),
                decision_date=today + dt.timedelta(days=30),
                implementation_start=today.replace(day=1) + dt.timedelta(days=62),
                implementation_end=today.replace(day=1) + dt.timedelta(days=300),
                reviewers_per_plan=2,
            )
            tag = cycle.code
            agencies = Agency.objects.bulk_create(
                Agency(code=f"{tag}-{i}", name=f"{tag} OPD {i}", kind="dinas")
                for i in range(n_agencies)
            )
            bureau = Agency.objects.create(code=f"{tag}-biro", name=f"{tag} Biro", kind="biro")
            users = User.objects.bulk_create(
                User(username=f"{tag}-a{i}", name=f"Agen {i}", agency=agencies[i % n_agencies])
                for i in range(n_plans)
            )
            agents = Agent.objects.bulk_create(Agent(user=u, agency=u.agency) for u in users)
            ActionPlan.objects.bulk_create(
                ActionPlan(
                    cycle=cycle,
                    agency=a.agency,
                    owner=a,
                    title=f"Rencana {i}",
                    state=PlanState.SUBMITTED,
                    submitted_at=now,
                )
                for i, a in enumerate(agents)
            )
            reviewers = User.objects.bulk_create(
                User(username=f"{tag}-r{i}", name=f"Reviewer {i}", agency=bureau)
                for i in range(n_reviewers)
            )
            RoleGrant.objects.bulk_create(RoleGrant(user=r, role=Role.REVIEWER) for r in reviewers)
            coordinator = User.objects.create(username=f"{tag}-k", name="Koordinator")
            RoleGrant.objects.create(user=coordinator, role=Role.COORDINATOR)
            ConflictOfInterest.objects.bulk_create(
                ConflictOfInterest(reviewer=reviewers[i % n_reviewers], agency=agencies[i])
                for i in range(min(5, n_agencies))
            )
            # Count every statement (Django's query log keeps only the last 9,000).
            statements = []

            def count(execute, sql, params, many, context):
                statements.append(1)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(count), stopwatch() as elapsed:
                result = auto_assign(cycle, by=coordinator)
            loads = [
                ReviewAssignment.objects.filter(reviewer=r, is_active=True).count()
                for r in reviewers
            ]
            figures = {
                "seconds": elapsed["seconds"],
                "queries": len(statements),
                "assignments": len(result.created),
                "short": len(result.short),
                "min": min(loads),
                "max": max(loads),
            }
            raise _Rollback
    except _Rollback:
        pass
    print(
        f"auto_assign {n_plans} plans × 2 over {n_reviewers} reviewers: "
        f"{figures['seconds']} s, {figures['queries']} queries, "
        f"{figures['assignments']} assignments, {figures['short']} plans short, "
        f"load {figures['min']}–{figures['max']} per reviewer; peak RSS {peak_rss_mb()} MB, "
        f"{os.cpu_count()} cores, {database_label()}"
    )
    return 0
