"""Each reviewer's figures per cycle (`ReviewerTally`) follow every change to assignments,
reviews and plan versions, equal what a fresh computation gives, and are rebuilt by
`rebuild_tallies`."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from assessment.enums import ReviewState
from assessment.models import ReviewerTally
from assessment.services import auto_assign, release_assignment, reopen_review
from assessment.services.tallies import FIGURES, compute
from plans.enums import PlanState
from plans.models import PlanVersion
from tests.factories import PlanFactory


def stored(cycle) -> dict[int, dict]:
    return {
        row["reviewer_id"]: {name: row[name] for name in FIGURES}
        for row in ReviewerTally.objects.filter(cycle=cycle).values("reviewer_id", *FIGURES)
    }


def fresh(cycle) -> dict[int, dict]:
    """What a computation from scratch gives, with the rows of reviewers left without
    assignments as zeros."""
    blank = {name: 0 if name in ("active", "sent", "reviews") else None for name in FIGURES}
    computed = compute(cycle.pk)
    return {pk: {**blank, **computed.get(pk, {})} for pk in stored(cycle)}


@pytest.fixture
def due():
    return timezone.localdate() + dt.timedelta(days=7)


def test_tallies_follow_assignments_reviews_and_versions(cycle, coordinator, pool, assign, due):
    first, second = pool(2)
    plan = PlanFactory(cycle=cycle, state=PlanState.IN_REVIEW)
    other = PlanFactory(cycle=cycle, state=PlanState.IN_REVIEW)
    mine = assign(plan, first, due=due, review=ReviewState.SUBMITTED, total=Decimal("60.00"))
    theirs = assign(plan, second, due=due, review=ReviewState.SUBMITTED, total=Decimal("80.00"))
    assign(other, first, due=due, review=ReviewState.DRAFT)

    assert stored(cycle) == fresh(cycle)
    assert stored(cycle)[first.pk] == {
        "active": 2,
        "sent": 1,
        "reviews": 1,
        "mean": Decimal("60.00"),
        "spread": Decimal("0.00"),
        "co_mean": Decimal("80.00"),
        "difference": Decimal("-20.00"),
    }
    assert stored(cycle)[second.pk]["difference"] == Decimal("20.00")

    # A newer version: the reviews are no longer those of the latest version.
    PlanVersion.objects.create(
        plan=plan, number=2, snapshot={"schema": 1}, created_by=plan.owner.user
    )
    assert (stored(cycle)[first.pk]["sent"], stored(cycle)[second.pk]["sent"]) == (0, 0)
    assert stored(cycle) == fresh(cycle)

    # A reviewer released: their review no longer counts, for them or for the co-reviewer.
    release_assignment(theirs, by=coordinator, reason="Cuti")
    assert stored(cycle)[second.pk]["active"] == 0
    assert stored(cycle)[second.pk]["reviews"] == 0
    assert stored(cycle)[first.pk]["co_mean"] is None
    assert stored(cycle) == fresh(cycle)

    # A review reopened by the coordinator is no longer submitted.
    reopen_review(mine.reviews.get(), by=coordinator, note="Periksa lagi")
    assert stored(cycle)[first.pk]["reviews"] == 0
    assert stored(cycle) == fresh(cycle)

    # An assignment deleted.
    other.assignments.get().delete()
    assert stored(cycle)[first.pk]["active"] == 1
    assert stored(cycle) == fresh(cycle)


def test_automatic_assignment_adds_to_the_counts(cycle, coordinator, pool, assign, due):
    reviewers = pool(3)
    reviewed = PlanFactory(cycle=cycle, state=PlanState.IN_REVIEW)
    assign(reviewed, reviewers[0], due=due, review=ReviewState.SUBMITTED)
    for _ in range(4):
        PlanFactory(cycle=cycle, state=PlanState.SUBMITTED)

    result = auto_assign(cycle, by=coordinator)

    # Two reviewers for each new plan, and the second one of the plan in review.
    assert len(result.created) == 9
    assert sum(row["active"] for row in stored(cycle).values()) == 10
    assert stored(cycle) == fresh(cycle)


def test_the_command_rebuilds_a_cycle(cycle, pool, assign, due):
    reviewer = pool(1)[0]
    plan = PlanFactory(cycle=cycle, state=PlanState.IN_REVIEW)
    assign(plan, reviewer, due=due, review=ReviewState.SUBMITTED, total=Decimal("70.00"))
    expected = stored(cycle)
    ReviewerTally.objects.filter(cycle=cycle).update(active=0, sent=0, reviews=0, mean=None)

    call_command("rebuild_tallies", "--cycle", cycle.code, stdout=io.StringIO())

    assert stored(cycle) == expected
    assert expected[reviewer.pk]["mean"] == Decimal("70.00")
