"""A real Celery worker runs a big cycle's automatic assignment (AssignmentRun) end to end:
the request queues a run, the worker assigns every plan and the run ends done."""

import pytest

from agents.enums import Role
from agents.models import Notification
from assessment.enums import RunStatus
from assessment.models import ReviewAssignment
from assessment.services.runs import request_auto_assign
from plans.enums import PlanState
from plans.models import ActionPlan
from tests.factories import AgencyFactory, CycleFactory, PlanFactory, user_with_role

from .conftest import wait_for

pytestmark = pytest.mark.integration


def test_worker_assigns_a_big_cycle_in_the_background(celery_worker_process, settings):
    settings.AGENPLAN_AUTO_ASSIGN_SYNC_LIMIT = 2  # five plans make a "big" cycle here
    cycle = CycleFactory()
    plans = [PlanFactory(cycle=cycle, state=PlanState.SUBMITTED) for _ in range(5)]
    bureau = AgencyFactory(name="Biro Organisasi")
    reviewers = [user_with_role(Role.REVIEWER, agency=bureau) for _ in range(3)]
    coordinator = user_with_role(Role.COORDINATOR)

    run = request_auto_assign(cycle, by=coordinator)
    assert (run.status, run.total, run.requested_by) == (RunStatus.QUEUED, 5, coordinator)

    def finished():
        run.refresh_from_db()
        return run.status in (RunStatus.DONE, RunStatus.FAILED)

    wait_for(finished, timeout=90, worker=celery_worker_process)
    assert run.status == RunStatus.DONE, run.error
    per_plan = cycle.reviewers_per_plan
    assert ReviewAssignment.objects.filter(plan__in=plans, is_active=True).count() == 5 * per_plan
    assert set(ActionPlan.objects.filter(cycle=cycle).values_list("state", flat=True)) == {
        PlanState.IN_REVIEW
    }
    # One notice per reviewer, however many plans each was given.
    for reviewer in reviewers:
        assert Notification.objects.filter(recipient=reviewer).count() == 1
