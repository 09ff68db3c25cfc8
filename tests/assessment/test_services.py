"""Assigning, reviewing and deciding through the assessment services."""

from decimal import Decimal

import pytest

from agents.enums import Role
from agents.models import ActivityLog
from assessment.enums import DecisionOutcome, ReviewState
from assessment.models import ConflictOfInterest, Decision
from assessment.services import (
    assign_reviewers,
    decide_plan,
    release_assignment,
    reopen_review,
    save_review,
    submit_review,
)
from plans.enums import PlanState
from plans.models import Cycle
from plans.services.common import PlanError
from plans.services.workflow import submit_plan
from tests.factories import user_with_role

LEVELS_HIGH = {f"K{i}": (5, "sangat baik") for i in range(1, 7)}
LEVELS_LOW = {f"K{i}": (2, "kurang") for i in range(1, 7)}
LEVELS_MID = {f"K{i}": (4, "baik") for i in range(1, 7)}
# One level above LEVELS_MID on three criteria: 88.75, close enough not to be flagged.
LEVELS_CLOSE = {**LEVELS_MID, "K1": (5, ""), "K2": (5, ""), "K3": (5, "")}


@pytest.fixture
def submitted(complete_plan, agent):
    submit_plan(complete_plan, by=agent.user)
    return complete_plan


@pytest.fixture
def in_review(submitted, coordinator, reviewers):
    assign_reviewers(submitted, reviewers=reviewers, by=coordinator)
    return submitted


def review(plan, reviewer, levels, *, submit=True):
    assignment = plan.assignments.get(reviewer=reviewer, is_active=True)
    result = save_review(assignment, levels=levels, overall_feedback="Masukan", by=reviewer)
    if submit:
        submit_review(result, by=reviewer)
    plan.refresh_from_db()
    return result


def test_assign_reviewers_starts_review(submitted, coordinator, reviewers):
    created = assign_reviewers(submitted, reviewers=reviewers, by=coordinator)
    assert len(created) == 2
    assert submitted.state == PlanState.IN_REVIEW
    assert submitted.assignments.filter(is_active=True).count() == 2
    assert ActivityLog.objects.filter(action="assignment.create").count() == 2


def test_assign_reviewers_is_idempotent_per_reviewer(in_review, coordinator, reviewers):
    assert assign_reviewers(in_review, reviewers=reviewers, by=coordinator) == []
    assert in_review.assignments.count() == 2


def test_assign_refuses_reviewer_from_the_plans_own_agency(submitted, coordinator):
    same = user_with_role(Role.REVIEWER, agency=submitted.agency)
    with pytest.raises(PlanError) as exc:
        assign_reviewers(submitted, reviewers=[same], by=coordinator)
    assert exc.value.code == "conflict"
    submitted.refresh_from_db()
    assert submitted.state == PlanState.SUBMITTED
    assert submitted.assignments.count() == 0


def test_assign_refuses_declared_conflict_with_agency_and_rolls_back(
    submitted, coordinator, reviewers
):
    # The first reviewer is assigned before the second is found in conflict: the whole
    # call rolls back, with no assignment, audit entry or notification left behind.
    ConflictOfInterest.objects.create(reviewer=reviewers[1], agency=submitted.agency)
    with pytest.raises(PlanError) as exc:
        assign_reviewers(submitted, reviewers=reviewers, by=coordinator)
    assert (exc.value.code, exc.value.field, str(exc.value)) == (
        "conflict",
        "reviewers",
        f"{reviewers[1]} tidak dapat ditugaskan: reviewer menyatakan konflik kepentingan.",
    )
    submitted.refresh_from_db()
    assert submitted.state == PlanState.SUBMITTED
    assert submitted.assignments.count() == 0
    assert not ActivityLog.objects.filter(action__startswith="assignment.").exists()
    assert not reviewers[0].notifications.exists()


def test_assign_refuses_declared_conflict_with_agent(submitted, coordinator, reviewers):
    ConflictOfInterest.objects.create(reviewer=reviewers[1], agent=submitted.owner)
    with pytest.raises(PlanError) as exc:
        assign_reviewers(submitted, reviewers=[reviewers[1]], by=coordinator)
    assert exc.value.code == "conflict"
    assert submitted.assignments.count() == 0


def test_coordinator_override_is_recorded(submitted, coordinator):
    same = user_with_role(Role.REVIEWER, agency=submitted.agency)
    (assignment,) = assign_reviewers(
        submitted, reviewers=[same], by=coordinator, override_reason="Satu-satunya ahli TI"
    )
    assert assignment.override_reason == "Satu-satunya ahli TI"


def test_assign_refuses_user_without_reviewer_role(submitted, coordinator, leader):
    with pytest.raises(PlanError) as exc:
        assign_reviewers(submitted, reviewers=[leader], by=coordinator)
    assert (exc.value.code, str(exc.value)) == ("invalid", f"{leader} bukan reviewer.")


def test_assign_refused_to_non_coordinator(submitted, reviewers):
    with pytest.raises(PlanError) as exc:
        assign_reviewers(submitted, reviewers=reviewers, by=reviewers[0])
    assert exc.value.code == "permission_denied"


def test_assign_refused_on_draft(complete_plan, coordinator, reviewers):
    with pytest.raises(PlanError) as exc:
        assign_reviewers(complete_plan, reviewers=reviewers, by=coordinator)
    assert exc.value.code == "invalid_transition"


def test_draft_review_keeps_running_total_only_when_complete(in_review, reviewers):
    partial = review(in_review, reviewers[0], {"K1": (3, "")}, submit=False)
    assert partial.total is None
    complete = review(in_review, reviewers[0], LEVELS_MID, submit=False)
    assert complete.total == Decimal("75.00")
    assert complete.state == ReviewState.DRAFT


def test_submit_review_refuses_incomplete_review(in_review, reviewers):
    partial = review(in_review, reviewers[0], {"K1": (3, "")}, submit=False)
    with pytest.raises(PlanError) as exc:
        submit_review(partial, by=reviewers[0])
    assert exc.value.code == "incomplete"


def test_submitted_review_is_locked(in_review, reviewers):
    review(in_review, reviewers[0], LEVELS_MID)
    assignment = in_review.assignments.get(reviewer=reviewers[0])
    with pytest.raises(PlanError) as exc:
        save_review(assignment, levels=LEVELS_LOW, by=reviewers[0])
    assert exc.value.code == "locked"


def test_other_reviewer_cannot_write_my_review(in_review, reviewers):
    assignment = in_review.assignments.get(reviewer=reviewers[0])
    with pytest.raises(PlanError) as exc:
        save_review(assignment, levels=LEVELS_LOW, by=reviewers[1])
    assert (exc.value.code, str(exc.value)) == (
        "permission_denied",
        "Penugasan ini bukan milik Anda.",
    )


def test_save_review_refuses_unknown_criterion_and_level(in_review, reviewers):
    assignment = in_review.assignments.get(reviewer=reviewers[0])
    with pytest.raises(PlanError) as exc:
        save_review(assignment, levels={"NOPE": (3, "")}, by=reviewers[0])
    assert exc.value.field == "NOPE"
    with pytest.raises(PlanError) as exc:
        save_review(assignment, levels={"K1": (6, "")}, by=reviewers[0])
    assert exc.value.field == "K1"


def test_last_review_completes_the_plan_with_mean_score(in_review, reviewers):
    review(in_review, reviewers[0], LEVELS_MID)
    assert in_review.state == PlanState.IN_REVIEW
    assert in_review.score == Decimal("75.00")
    review(in_review, reviewers[1], LEVELS_CLOSE)
    assert in_review.state == PlanState.REVIEWED
    assert in_review.score == Decimal("81.88")  # (75 + 88.75) / 2, rounded half up
    assert in_review.review_flagged is False


def test_median_cycle_uses_median(in_review, reviewers, coordinator):
    cycle = in_review.cycle
    cycle.score_method = "median"
    cycle.save()
    third = user_with_role(Role.REVIEWER)
    assign_reviewers(in_review, reviewers=[third], by=coordinator)
    review(in_review, reviewers[0], LEVELS_MID)  # 75
    review(in_review, reviewers[1], LEVELS_HIGH)  # 100
    review(in_review, third, {f"K{i}": (4, "") for i in range(1, 7)})  # 75
    assert in_review.score == Decimal("75.00")


def test_disagreement_flags_the_plan(in_review, reviewers):
    review(in_review, reviewers[0], LEVELS_HIGH)
    review(in_review, reviewers[1], LEVELS_LOW)
    assert in_review.review_flagged is True


def test_wider_cycle_thresholds_leave_far_apart_reviews_unflagged(in_review, reviewers):
    # 100 and 25 points, three levels apart on every criterion.
    Cycle.objects.filter(pk=in_review.cycle_id).update(
        disagreement_levels=4, disagreement_points=80
    )
    review(in_review, reviewers[0], LEVELS_HIGH)
    review(in_review, reviewers[1], LEVELS_LOW)
    assert in_review.review_flagged is False


def test_narrower_cycle_thresholds_flag_close_reviews(in_review, reviewers):
    # 75 and 88.75 points, one level apart on three criteria: not flagged at 2 and 20.
    Cycle.objects.filter(pk=in_review.cycle_id).update(disagreement_points=10)
    review(in_review, reviewers[0], LEVELS_MID)
    review(in_review, reviewers[1], LEVELS_CLOSE)
    assert in_review.review_flagged is True


def test_reopen_review_returns_plan_to_review(in_review, reviewers, coordinator):
    review(in_review, reviewers[0], LEVELS_MID)
    last = review(in_review, reviewers[1], LEVELS_MID)
    assert in_review.state == PlanState.REVIEWED
    reopen_review(last, by=coordinator, note="Periksa ulang target")
    in_review.refresh_from_db()
    last.refresh_from_db()
    assert in_review.state == PlanState.IN_REVIEW
    assert last.state == ReviewState.DRAFT
    assert in_review.score == Decimal("75.00")


def test_reopen_review_refused_to_reviewer(in_review, reviewers):
    mine = review(in_review, reviewers[0], LEVELS_MID)
    with pytest.raises(PlanError) as exc:
        reopen_review(mine, by=reviewers[0])
    assert (exc.value.code, str(exc.value)) == (
        "permission_denied",
        "Hanya koordinator yang dapat membuka.",
    )


def test_released_reviewer_no_longer_counts(in_review, reviewers, coordinator):
    review(in_review, reviewers[0], LEVELS_MID)
    dropped = in_review.assignments.get(reviewer=reviewers[1])
    release_assignment(dropped, by=coordinator, reason="Sakit")
    in_review.refresh_from_db()
    dropped.refresh_from_db()
    assert dropped.is_active is False
    assert in_review.state == PlanState.REVIEWED


def test_release_requires_reason(in_review, coordinator):
    with pytest.raises(PlanError) as exc:
        release_assignment(in_review.assignments.first(), by=coordinator, reason="")
    assert exc.value.field == "reason"


@pytest.mark.parametrize(
    ("outcome", "state"),
    [
        (DecisionOutcome.APPROVE, PlanState.APPROVED),
        (DecisionOutcome.REVISE, PlanState.REVISION_REQUESTED),
        (DecisionOutcome.REJECT, PlanState.REJECTED),
    ],
)
def test_decide_plan(in_review, reviewers, coordinator, outcome, state):
    review(in_review, reviewers[0], LEVELS_MID)
    review(in_review, reviewers[1], LEVELS_HIGH)
    decision = decide_plan(in_review, outcome=outcome, feedback="Gabungan", by=coordinator)
    assert in_review.state == state
    assert decision.score == Decimal("87.50")
    assert decision.version == in_review.versions.get(number=1)
    assert Decision.objects.count() == 1


def test_decide_refuses_unknown_outcome(in_review, reviewers, coordinator):
    review(in_review, reviewers[0], LEVELS_MID)
    review(in_review, reviewers[1], LEVELS_MID)
    with pytest.raises(PlanError) as exc:
        decide_plan(in_review, outcome="maybe", feedback="x", by=coordinator)
    assert exc.value.field == "outcome"


def test_revision_is_reviewed_again_on_the_new_version(in_review, reviewers, coordinator, agent):
    review(in_review, reviewers[0], LEVELS_LOW)
    review(in_review, reviewers[1], LEVELS_LOW)
    decide_plan(in_review, outcome=DecisionOutcome.REVISE, feedback="Perbaiki", by=coordinator)
    submit_plan(in_review, by=agent.user)
    assign_reviewers(in_review, reviewers=reviewers, by=coordinator)  # same reviewers again
    assert in_review.state == PlanState.IN_REVIEW
    assert in_review.score is None  # the new version has no submitted review yet
    review(in_review, reviewers[0], LEVELS_HIGH)
    review(in_review, reviewers[1], LEVELS_HIGH)
    assert in_review.state == PlanState.REVIEWED
    assert in_review.score == Decimal("100.00")
    versions = sorted(r.version.number for r in in_review.assignments.get(
        reviewer=reviewers[0]).reviews.all())  # fmt: skip
    assert versions == [1, 2]
