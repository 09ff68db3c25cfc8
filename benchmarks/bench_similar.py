"""Time the similar-innovations lookup and measure its quality on the labelled pairs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/agenplan_scale_similar \
        python -m benchmarks.run similar

Latency: the lookup the editor and the coordinator's plan page make
(`plans.selectors.similar.similar_to_plan`), for BENCH_SIMILAR_LOOKUPS plans (default 200;
`--smoke` 10) spread over the database's plans with content; prints p50/p95/max in ms and
the number of plans searched. Quality: inside a transaction that is rolled back, every
side of the labelled pairs (demo/seeding/similar_pairs.yaml) becomes a plan handed in, in
an agency of its own, among all the others; prints the recall in the top 5 (similar pairs
whose other side is listed) and the precision (of the labelled pairs listed, the share
labelled similar). On SQLite both measure the token-overlap fallback; on PostgreSQL the
fallback's time over the same rows is printed too.
"""

import os
import time

from benchmarks.common import database_label, percentiles, setup_django, smoke_mode


class _Rollback(Exception):
    pass


def main(argv: list[str]) -> int:
    setup_django()
    from django.db import transaction

    from demo.seeding.similar import quality, sides
    from plans.enums import PlanState
    from plans.models import ActionPlan
    from plans.selectors import similar as similar_module
    from plans.selectors.similar import similar_to_plan
    from tests.factories import AgencyFactory, AgentFactory, CycleFactory, PlanFactory

    smoke = smoke_mode(argv)
    lookups = int(os.environ.get("BENCH_SIMILAR_LOOKUPS", "10" if smoke else "200"))
    with_content = ActionPlan.objects.exclude(innovation="")
    total = with_content.count()
    ids = list(with_content.order_by("id").values_list("id", flat=True))
    step = max(1, len(ids) // max(1, lookups))
    chosen = ActionPlan.objects.in_bulk(ids[::step][:lookups])
    samples = []
    for plan in chosen.values():
        started = time.perf_counter()
        similar_to_plan(plan)
        samples.append((time.perf_counter() - started) * 1000)
    print(f"database: {database_label()}, {os.cpu_count()} cores")
    print(f"similar lookup over {total} plans: {percentiles(samples)}", flush=True)
    # The token-overlap fallback (SQLite's path) over the same rows, for comparison.
    fallback = []
    for plan in list(chosen.values())[:20]:
        started = time.perf_counter()
        similar_module._fallback(plan.title, plan.strategic_issue, plan.innovation, plan.pk, 5)
        fallback.append((time.perf_counter() - started) * 1000)
    print(f"token-overlap fallback, same rows: {percentiles(fallback)}", flush=True)

    measured = {}
    try:
        with transaction.atomic():
            cycle = CycleFactory()
            plan_of = {}
            for side in sides():
                owner = AgentFactory(user__agency=AgencyFactory())
                plan_of[side] = PlanFactory(
                    cycle=cycle,
                    owner=owner,
                    state=PlanState.SUBMITTED,
                    title=side.title,
                    strategic_issue=side.issue,
                    innovation=side.innovation,
                )
            measured["quality"] = quality(
                plan_of, lambda plan: [item.plan for item in similar_to_plan(plan)]
            )
            raise _Rollback
    except _Rollback:
        pass
    q = measured["quality"]
    print(
        f"labelled pairs: recall@5 {q.recall:.2f} ({q.found_similar}/{q.similar} similar pairs "
        f"listed), precision {q.precision:.2f} ({q.found_not_similar} unrelated pairs listed)"
    )
    return 0
