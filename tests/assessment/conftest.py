"""Rows the assessment pages read, made directly: versions, assignments, reviews."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from agents.enums import Role
from assessment.enums import ReviewState
from assessment.models import Review, ReviewAssignment
from plans.models import PlanVersion
from plans.services.workflow import submit_plan
from tests.factories import (
    AgencyFactory,
    AgentFactory,
    PlanFactory,
    complete_plan_content,
    thread_with_comments,
    user_with_role,
)


@pytest.fixture
def assign(coordinator):
    """Assign a reviewer to a plan (version 1 frozen), optionally with their review."""

    def make(plan, reviewer, *, due, review=None, versions=1, total=Decimal("75.00")):
        for number in range(1, versions + 1):
            PlanVersion.objects.get_or_create(
                plan=plan,
                number=number,
                defaults={"snapshot": {"schema": 1}, "created_by": plan.owner.user},
            )
        assignment = ReviewAssignment.objects.create(
            plan=plan, reviewer=reviewer, assigned_by=coordinator, due_date=due
        )
        if review is not None:
            version = plan.versions.get(number=1)
            Review.objects.create(
                assignment=assignment,
                version=version,
                state=review,
                total=total if review == ReviewState.SUBMITTED else None,
                submitted_at=timezone.now() if review == ReviewState.SUBMITTED else None,
            )
        return assignment

    return make


@pytest.fixture
def thread_with():
    def make(plan, authors, *, resolved_by=None):
        return thread_with_comments(
            plan, authors, section="targets", body="Pertanyaan", resolved_by=resolved_by
        )

    return make


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def yesterday(today):
    return today - dt.timedelta(days=1)


@pytest.fixture
def submitted(cycle):
    """A complete plan of a new agent (of `agency`, or a new agency), handed in through
    the service: version 1 frozen, state "submitted"."""

    def make(agency=None, **kwargs):
        owner = AgentFactory(user__agency=agency) if agency else AgentFactory()
        plan = complete_plan_content(PlanFactory(cycle=cycle, owner=owner, **kwargs))
        submit_plan(plan, by=owner.user)
        return plan

    return make


@pytest.fixture
def pool(db):
    """Reviewers of the Biro Organisasi, each with an e-mail address."""

    bureau = AgencyFactory(name="Biro Organisasi Setda Prov. Kaltim", abbreviation="Biro Org")

    def make(n, agency=bureau):
        return [user_with_role(Role.REVIEWER, agency=agency) for _ in range(n)]

    return make


@pytest.fixture
def levels_all():
    """Every criterion of the test rubric (K1..K6) at one level, or per-code levels."""

    def make(level=3, comment="", **per_code):
        return {
            f"K{i}": (per_code.get(f"K{i}", level), comment or f"Komentar K{i}")
            for i in range(1, 7)
        }

    return make
