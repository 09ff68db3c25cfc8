"""A real Celery worker runs a bulk decision (DecisionRun) end to end: the coordinator's
request queues a run, the worker decides every chosen plan through the one write path
(state, decision, audit, the agent's notice) and the run ends done with its counts."""

import pytest

from agents.enums import Role
from agents.models import ActivityLog, Notification
from assessment.enums import DecisionOutcome, RunStatus
from assessment.models import Decision
from assessment.services import assign_reviewers, request_bulk_decision, save_review, submit_review
from plans.enums import PlanState
from plans.models import ActionPlan
from plans.services.workflow import submit_plan
from tests.factories import (
    AgencyFactory,
    AgentFactory,
    PlanFactory,
    complete_plan_content,
    user_with_role,
)

from .conftest import wait_for

pytestmark = pytest.mark.integration


def _reviewed_plans(cycle, coordinator, n):
    bureau = AgencyFactory(name="Biro Organisasi")
    reviewers = [user_with_role(Role.REVIEWER, agency=bureau) for _ in range(2)]
    levels = {f"K{i}": (3, f"Komentar K{i}") for i in range(1, 7)}
    plans = []
    for _ in range(n):
        owner = AgentFactory()
        plan = complete_plan_content(PlanFactory(cycle=cycle, owner=owner))
        submit_plan(plan, by=owner.user)
        assign_reviewers(plan, reviewers=reviewers, by=coordinator)
        for reviewer in reviewers:
            review = save_review(
                plan.assignments.get(reviewer=reviewer),
                levels=levels,
                overall_feedback="Masukan reviewer.",
                by=reviewer,
            )
            submit_review(review, by=reviewer)
        plans.append(plan)
    return plans


def test_worker_decides_the_chosen_plans_in_the_background(
    celery_worker_process, cycle, coordinator
):
    plans = _reviewed_plans(cycle, coordinator, 4)
    chosen, left = plans[:3], plans[3]
    assert set(ActionPlan.objects.values_list("state", flat=True)) == {PlanState.REVIEWED}

    run = request_bulk_decision(
        cycle, plans=chosen, outcome=DecisionOutcome.APPROVE, by=coordinator
    )
    assert (run.status, run.total) == (RunStatus.QUEUED, 3)

    def finished():
        run.refresh_from_db()
        return run.status in (RunStatus.DONE, RunStatus.FAILED)

    wait_for(finished, timeout=90, worker=celery_worker_process)
    assert run.status == RunStatus.DONE, run.error
    assert (run.done, run.decided, run.skipped, run.progress) == (3, 3, 0, 100)
    states = dict(ActionPlan.objects.values_list("pk", "state"))
    assert {states[plan.pk] for plan in chosen} == {PlanState.APPROVED}
    assert states[left.pk] == PlanState.REVIEWED  # not chosen: untouched
    assert Decision.objects.filter(plan__in=chosen, outcome=DecisionOutcome.APPROVE).count() == 3
    assert not Decision.objects.filter(plan=left).exists()
    # Every decided plan's agent hears of it, and the audit names the coordinator per plan.
    for plan in chosen:
        assert Notification.objects.filter(recipient=plan.owner.user).exists()
    audited = ActivityLog.objects.filter(actor=coordinator, to_state=PlanState.APPROVED)
    assert sorted(audited.values_list("object_id", flat=True)) == sorted(p.pk for p in chosen)
