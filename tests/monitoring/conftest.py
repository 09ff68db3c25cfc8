"""A cycle whose implementation window is open (three months in, four to go) and an
approved plan of it with a reviewer, entered into implementation by the service."""

import datetime as dt

import pytest
from django.utils import timezone

from agents.enums import Role
from assessment.models import ReviewAssignment
from monitoring.services import enter_due_implementations
from plans.enums import PlanState
from tests.factories import (
    AgentFactory,
    CycleFactory,
    PlanFactory,
    add_rubric,
    complete_plan_content,
    user_with_role,
)


def _months_back(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


@pytest.fixture
def running_cycle(db):
    today = timezone.localdate()
    start = _months_back(today, 3)
    cycle = CycleFactory(
        drafting_opens=timezone.now() - dt.timedelta(days=250),
        submission_deadline=timezone.now() - dt.timedelta(days=200),
        review_starts=start - dt.timedelta(days=60),
        review_ends=start - dt.timedelta(days=40),
        decision_date=start - dt.timedelta(days=30),
        implementation_start=start,
        implementation_end=_months_back(today, -5) - dt.timedelta(days=1),
    )
    add_rubric(cycle)
    return cycle


@pytest.fixture
def plan_reviewer(db):
    return user_with_role(Role.REVIEWER)


def approved_plan(cycle, *, agent=None, reviewer=None, coordinator=None):
    agent = agent or AgentFactory()
    plan = PlanFactory(cycle=cycle, owner=agent, agency=agent.agency, state=PlanState.APPROVED)
    complete_plan_content(plan)
    if reviewer is not None:
        ReviewAssignment.objects.create(
            plan=plan,
            reviewer=reviewer,
            assigned_by=coordinator or reviewer,
            due_date=cycle.review_ends,
        )
    return plan


@pytest.fixture
def running_plan(running_cycle, agent, plan_reviewer, coordinator):
    plan = approved_plan(
        running_cycle, agent=agent, reviewer=plan_reviewer, coordinator=coordinator
    )
    enter_due_implementations()
    plan.refresh_from_db()
    return plan
