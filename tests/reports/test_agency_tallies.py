"""The dashboard's rows per agency (`AgencyTally`) follow every change made through the
application: after each step of random sequences of transitions, decisions, scores,
alignment and team changes, new and removed plans and agents, the kept rows equal a
fresh computation; `rebuild_tallies` restores them after a write around the application."""

import datetime as dt
import io
import random
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from agents.models import Agent
from plans.enums import TRANSITIONS, PlanState
from plans.models import ActionPlan, ChangeArea, CoreValue
from plans.services.workflow import transition, transition_many
from reports.models import AgencyTally, CycleTally
from reports.services.agency_tallies import FIGURES, TOTALS, compute
from reports.services.tally_totals import sum_figures
from tests.factories import AgencyFactory, AgentFactory, PlanFactory


def stored(cycle) -> dict[int, dict]:
    rows = AgencyTally.objects.filter(cycle=cycle).values("agency_id", *FIGURES)
    return {row.pop("agency_id"): row for row in rows if row["plans"] or row["agents"]}


def _exact(value):
    """Numbers kept as text (a realisation's sum) compared as decimals."""
    if isinstance(value, dict):
        return {key: _exact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_exact(item) for item in value]
    return Decimal(value) if isinstance(value, str) else value


def kept_totals(cycle) -> dict:
    return _exact(CycleTally.objects.filter(cycle=cycle).values(*TOTALS).get())


def summed_totals(cycle) -> dict:
    return _exact(sum_figures(fresh(cycle).values()))


def fresh(cycle) -> dict[int, dict]:
    return {
        agency: figures
        for agency, figures in compute(cycle).items()
        if figures["plans"] or figures["agents"]
    }


def _move(rng, plans, by):
    plan = rng.choice(plans)
    plan.refresh_from_db()
    edges = [to for (source, to) in TRANSITIONS if source == plan.state]
    if not edges:
        return
    to = rng.choice(edges)
    extra = {}
    if to in PlanState.DECIDED:  # a decision carries the plan's score
        extra = {"score": Decimal(rng.randint(0, 100))}
    with transaction.atomic():
        transition(plan, to=to, by=by, action="test.move", extra_fields=extra)


def _move_many(rng, plans, by):
    source = rng.choice([PlanState.DRAFT, PlanState.SUBMITTED, PlanState.REVIEWED])
    batch = list(ActionPlan.objects.filter(pk__in=[p.pk for p in plans], state=source))
    edges = [to for (s, to) in TRANSITIONS if s == source]
    if batch:
        with transaction.atomic():
            transition_many(batch, source=source, to=rng.choice(edges), by=by, action="test")


def _score(rng, plans, by):
    plan = rng.choice(plans)
    plan.score = Decimal(rng.randint(0, 100))
    plan.review_flagged = rng.random() < 0.5
    plan.save(update_fields=["score", "review_flagged"])


def _extend(rng, plans, by):
    plan = rng.choice(plans)
    plan.submission_extended_until = timezone.now() + dt.timedelta(days=rng.randint(-40, 40))
    plan.save(update_fields=["submission_extended_until"])


def _align(rng, plans, by):
    plan = rng.choice(plans)
    areas = list(ChangeArea.objects.all()[:3])
    values = list(CoreValue.objects.all()[:3])
    plan.change_areas.set(rng.sample(areas, rng.randint(0, len(areas))))
    plan.core_values.set(rng.sample(values, rng.randint(0, len(values))))


def _team(rng, plans, by):
    plan = rng.choice(plans)
    others = list(Agent.objects.exclude(pk=plan.owner_id)[:5])
    if rng.random() < 0.3:
        plan.co_agents.clear()
    else:
        plan.co_agents.set(rng.sample(others, rng.randint(0, len(others))))


def _new_plan(rng, plans, by):
    state = rng.choice(list(PlanState.values))
    plans.append(PlanFactory(cycle=plans[0].cycle, state=state))


def _drop_plan(rng, plans, by):
    if len(plans) > 2:
        plans.pop(rng.randrange(1, len(plans))).delete()


def _agent(rng, plans, by):
    agent = rng.choice(list(Agent.objects.all()))
    choice = rng.random()
    if choice < 0.4:
        agent.is_active = not agent.is_active
        agent.save()
    elif choice < 0.7:
        agent.agency = rng.choice([p.agency for p in plans])
        agent.save()
    else:
        AgentFactory(user__agency=rng.choice([p.agency for p in plans]))


STEPS = [_move, _move, _move, _move_many, _score, _extend, _align, _team, _new_plan]
STEPS += [_drop_plan, _agent]


@pytest.mark.parametrize("seed", range(4))
def test_rows_equal_a_fresh_computation_after_every_change(seed, cycle, coordinator):
    rng = random.Random(seed)
    for code, name in (("A1", "Area satu"), ("A2", "Area dua"), ("A3", "Area tiga")):
        ChangeArea.objects.get_or_create(code=code, defaults={"name": name})
    for code, name in (("V1", "Nilai satu"), ("V2", "Nilai dua")):
        CoreValue.objects.get_or_create(code=code, defaults={"name": name})
    agencies = [AgencyFactory() for _ in range(3)]
    plans = [
        PlanFactory(cycle=cycle, owner=AgentFactory(user__agency=agencies[i % 3])) for i in range(6)
    ]
    assert stored(cycle) == fresh(cycle)
    for _step in range(30):
        step = rng.choice(STEPS)
        step(rng, plans, coordinator)
        kept, want = stored(cycle), fresh(cycle)
        differ = {
            k: (kept.get(k), want.get(k)) for k in {*kept, *want} if kept.get(k) != want.get(k)
        }
        assert not differ, f"{step.__name__}: {differ}"
        # The cycle's kept totals moved with them: the sums of the fresh rows.
        assert kept_totals(cycle) == summed_totals(cycle), step.__name__
    assert sum(row["plans"] for row in stored(cycle).values()) == len(plans)


def test_a_new_cycle_counts_the_agents_at_once_and_the_command_rebuilds(cycle, agent):
    assert stored(cycle)[agent.agency_id]["agents"] == 1
    PlanFactory(cycle=cycle, owner=agent, state=PlanState.APPROVED, score=Decimal("72.5"))
    expected = stored(cycle)
    assert expected[agent.agency_id]["scored"] == 1
    # A write around the application: the rows stay as they were until rebuilt.
    AgencyTally.objects.filter(cycle=cycle).update(plans=0, scored=0, states={})
    CycleTally.objects.filter(cycle=cycle).update(plans=0, states={})
    call_command("rebuild_tallies", "--cycle", cycle.code, stdout=io.StringIO())
    assert stored(cycle) == expected == fresh(cycle)
    assert kept_totals(cycle) == summed_totals(cycle)
    assert kept_totals(cycle)["plans"] == 1
