"""Each agency's scores per criterion (`CriterionTally`) follow the plans into and out of
the decided states, equal a fresh computation, and are rebuilt by `rebuild_tallies`."""

import io

from django.core.management import call_command
from django.db import transaction

from agents.enums import Role
from assessment.models import Criterion
from plans.enums import PlanState
from plans.models import PlanVersion
from plans.services.workflow import transition
from reports.models import CriterionTally
from reports.services.criteria import compute
from tests.factories import PlanFactory, scored_review, user_with_role


def stored(cycle) -> dict[tuple, tuple]:
    return {
        (row.agency_id, row.criterion_id): (row.level_sum, row.scores)
        for row in CriterionTally.objects.filter(cycle=cycle)
        if row.scores
    }


def reviewed_plan(cycle, coordinator, level: int):
    """A plan whose review (every criterion at `level`) is in: state "reviewed"."""
    plan = PlanFactory(cycle=cycle, state=PlanState.REVIEWED)
    version, _created = PlanVersion.objects.get_or_create(
        plan=plan, number=1, defaults={"snapshot": {}, "created_by": plan.owner.user}
    )
    codes = Criterion.objects.filter(rubric__cycle=cycle).values_list("code", flat=True)
    scored_review(
        plan, version, user_with_role(Role.REVIEWER), coordinator, dict.fromkeys(codes, level)
    )
    return plan


def move(plan, to, by):
    with transaction.atomic():
        transition(plan, to=to, by=by, action="test.move")


def test_decided_plans_count_and_plans_leaving_the_decided_states_do_not(cycle, coordinator):
    approved = reviewed_plan(cycle, coordinator, level=4)
    returned = reviewed_plan(cycle, coordinator, level=2)
    criteria = Criterion.objects.filter(rubric__cycle=cycle).count()
    assert stored(cycle) == {}  # reviewed, not decided: nothing counts yet

    move(approved, PlanState.APPROVED, coordinator)
    move(returned, PlanState.REVISION_REQUESTED, coordinator)
    assert stored(cycle) == compute(cycle.pk)
    assert {key[0] for key in stored(cycle)} == {approved.agency_id, returned.agency_id}
    assert sum(n for _sum, n in stored(cycle).values()) == 2 * criteria

    # The revision handed in again: the plan leaves the decided states.
    move(returned, PlanState.SUBMITTED, returned.owner.user)
    assert stored(cycle) == compute(cycle.pk)
    assert {key[0] for key in stored(cycle)} == {approved.agency_id}
    assert {value for value in stored(cycle).values()} == {(4, 1)}


def test_the_command_rebuilds_the_sums(cycle, coordinator):
    plan = reviewed_plan(cycle, coordinator, level=3)
    move(plan, PlanState.APPROVED, coordinator)
    expected = stored(cycle)
    CriterionTally.objects.filter(cycle=cycle).update(level_sum=0, scores=0)

    call_command("rebuild_tallies", "--cycle", cycle.code, stdout=io.StringIO())

    assert stored(cycle) == expected != {}
