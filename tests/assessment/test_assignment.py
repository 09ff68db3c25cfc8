"""Assigning reviewers: conflicts, balance, overrides, replacement."""

import pytest
from django.db.models import Count
from hypothesis import given
from hypothesis import strategies as st

from assessment.models import ConflictOfInterest, ReviewAssignment
from assessment.services import (
    PlanError,
    assign_reviewers,
    auto_assign,
    balance,
    decide_plan,
    declare_conflict,
    replace_reviewer,
    save_review,
    submit_review,
)
from plans.enums import PlanState
from plans.models import ActionPlan
from plans.services.workflow import submit_plan
from tests.factories import AgencyFactory, AgentFactory, PlanFactory


def test_auto_assign_balances_155_plans_over_10_reviewers_two_each(cycle, coordinator, pool):
    reviewers = pool(10)
    agencies = [AgencyFactory() for _ in range(20)]
    plans = [
        PlanFactory(
            cycle=cycle,
            owner=AgentFactory(user__agency=agencies[i % 20]),
            state=PlanState.SUBMITTED,
        )
        for i in range(155)
    ]
    # Two reviewers declare conflicts; one plan is from the reviewers' own bureau.
    declare_conflict(by=reviewers[0], agency=agencies[0], reason="Mantan unit kerja")
    declare_conflict(by=reviewers[1], agent=plans[5].owner, reason="Keluarga")
    own = PlanFactory(
        cycle=cycle,
        owner=AgentFactory(user__agency=reviewers[2].agency),
        state=PlanState.SUBMITTED,
    )

    result = auto_assign(cycle, by=coordinator)

    # The bureau's own plan has no eligible reviewer: it waits for a manual override.
    assert len(result.created) == 310
    assert result.plans == 155
    assert result.short == {own.pk: 2}
    assert not own.assignments.exists()
    per_reviewer = [r.review_assignments.filter(is_active=True).count() for r in reviewers]
    assert per_reviewer == [31] * 10
    # Never a conflict.
    assert not ReviewAssignment.objects.filter(
        reviewer=reviewers[0], plan__agency=agencies[0]
    ).exists()
    assert not ReviewAssignment.objects.filter(reviewer=reviewers[1], plan=plans[5]).exists()
    states = dict(
        ActionPlan.objects.filter(cycle=cycle)
        .values_list("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    assert states == {PlanState.IN_REVIEW: 155, PlanState.SUBMITTED: 1}
    pairs = list(
        ReviewAssignment.objects.filter(plan__in=plans)
        .values_list("plan_id")
        .annotate(n=Count("pk"), distinct=Count("reviewer", distinct=True))
        .order_by()
    )
    assert {(n, d) for _p, n, d in pairs} == {(2, 2)}
    assert len(pairs) == 155


def test_auto_assign_with_exactly_155_plans_gives_every_reviewer_31(cycle, coordinator, pool):
    reviewers = pool(10)
    for _ in range(155):
        PlanFactory(cycle=cycle, state=PlanState.SUBMITTED)
    auto_assign(cycle, by=coordinator)
    counts = [r.review_assignments.filter(is_active=True).count() for r in reviewers]
    assert counts == [31] * 10


def test_auto_assign_is_idempotent_and_fills_only_missing_places(cycle, coordinator, pool):
    reviewers = pool(3)
    plan = PlanFactory(cycle=cycle, state=PlanState.SUBMITTED)
    assign_reviewers(plan, reviewers=[reviewers[0]], by=coordinator)
    first = auto_assign(cycle, by=coordinator)
    second = auto_assign(cycle, by=coordinator)
    assert [a.reviewer for a in first.created] == [reviewers[1]]
    assert second.created == []
    assert plan.assignments.filter(is_active=True).count() == 2


def test_auto_assign_reports_plans_without_enough_eligible_reviewers(cycle, coordinator, pool):
    (reviewer,) = pool(1)
    plan = PlanFactory(cycle=cycle, state=PlanState.SUBMITTED)
    result = auto_assign(cycle, by=coordinator)
    assert result.short == {plan.pk: 1}
    assert [a.reviewer for a in result.created] == [reviewer]


def test_auto_assign_refuses_non_coordinators(cycle, pool):
    (reviewer,) = pool(1)
    with pytest.raises(PlanError) as error:
        auto_assign(cycle, by=reviewer)
    assert error.value.code == "permission_denied"


def test_manual_assignment_of_a_conflicted_reviewer_needs_a_reason_which_is_recorded(
    cycle, coordinator, pool
):
    (reviewer,) = pool(1)
    plan = PlanFactory(cycle=cycle, state=PlanState.SUBMITTED)
    declare_conflict(by=reviewer, agency=plan.agency)
    with pytest.raises(PlanError) as error:
        assign_reviewers(plan, reviewers=[reviewer], by=coordinator)
    assert error.value.code == "conflict"
    assert error.value.field == "reviewers"
    (created,) = assign_reviewers(
        plan, reviewers=[reviewer], by=coordinator, override_reason="Satu-satunya ahli TI"
    )
    assert created.override_reason == "Satu-satunya ahli TI"


def test_replace_reviewer_releases_and_picks_the_lightest_eligible_one(cycle, coordinator, pool):
    cycle.reviewers_per_plan = 1
    cycle.save(update_fields=["reviewers_per_plan"])
    a, b, c = pool(3)
    busy = PlanFactory(cycle=cycle, state=PlanState.SUBMITTED)
    assign_reviewers(busy, reviewers=[b], by=coordinator)
    plan = PlanFactory(cycle=cycle, state=PlanState.SUBMITTED)
    (assignment,) = assign_reviewers(plan, reviewers=[a], by=coordinator)
    new = replace_reviewer(assignment, by=coordinator, reason="Sakit")
    assert new.reviewer == c
    assignment.refresh_from_db()
    assert (assignment.is_active, assignment.released_reason) == (False, "Sakit")
    # The one who dropped out is never chosen again for this plan.
    again = replace_reviewer(new, by=coordinator, reason="Cuti")
    assert again.reviewer == b


def test_replace_reviewer_with_the_same_person_is_refused(cycle, coordinator, pool):
    (a,) = pool(1)
    plan = PlanFactory(cycle=cycle, state=PlanState.SUBMITTED)
    (assignment,) = assign_reviewers(plan, reviewers=[a], by=coordinator)
    with pytest.raises(PlanError) as error:
        replace_reviewer(assignment, by=coordinator, reason="x", replacement=a)
    assert error.value.code == "same"
    assignment.refresh_from_db()
    assert assignment.is_active is True  # all or nothing


def test_declare_conflict_needs_exactly_one_party_and_no_duplicate(pool, agency):
    (reviewer,) = pool(1)
    with pytest.raises(PlanError) as exc:
        declare_conflict(by=reviewer)
    assert (exc.value.code, str(exc.value)) == (
        "party",
        "Pilih satu: perangkat daerah atau agen perubahan.",
    )
    declare_conflict(by=reviewer, agency=agency)
    with pytest.raises(PlanError) as error:
        declare_conflict(by=reviewer, agency=agency)
    assert error.value.code == "duplicate"
    assert ConflictOfInterest.objects.filter(reviewer=reviewer).count() == 1


@given(
    eligible=st.lists(
        st.frozensets(st.integers(min_value=1, max_value=8), min_size=2, max_size=8),
        min_size=1,
        max_size=60,
    )
)
def test_balance_never_picks_ineligible_or_twice_and_keeps_loads_within_one(eligible):
    slots = [(i, reviewers, 2) for i, reviewers in enumerate(eligible)]
    load = dict.fromkeys(range(1, 9), 0)
    chosen = balance(slots, load)
    for key, reviewers, _n in slots:
        assert len(chosen[key]) == 2
        assert len(set(chosen[key])) == 2
        assert set(chosen[key]) <= reviewers
    if all(len(r) == 8 for r in eligible):
        counts = [sum(r in picks for picks in chosen.values()) for r in range(1, 9)]
        assert max(counts) - min(counts) <= 1


def _balance_by_sorting(slots, load):
    """The rule `balance` implements, written the plain way: each plan in turn (fewest
    eligible first) sorts its eligible reviewers by (load, id) and takes the first ones."""
    load = dict(load)
    chosen = {}
    for key, eligible, needed in sorted(slots, key=lambda s: (len(s[1]), s[0])):
        picks = sorted(eligible, key=lambda r: (load[r], r))[: max(needed, 0)]
        for reviewer in picks:
            load[reviewer] += 1
        chosen[key] = picks
    return chosen


@given(
    slots=st.lists(
        st.tuples(
            st.frozensets(st.integers(min_value=1, max_value=12), max_size=12),
            st.integers(min_value=0, max_value=4),
        ),
        max_size=60,
    ),
    start=st.lists(st.integers(min_value=0, max_value=5), min_size=12, max_size=12),
)
def test_balance_chooses_exactly_what_sorting_each_plans_reviewers_would(slots, start):
    slots = [(i, eligible, needed) for i, (eligible, needed) in enumerate(slots)]
    load = {reviewer: start[reviewer - 1] for reviewer in range(1, 13)}
    assert balance(slots, load) == _balance_by_sorting(slots, load)


def test_a_resubmitted_revision_goes_back_to_its_reviewers(
    cycle, coordinator, pool, submitted, levels_all
):

    plan = submitted()
    reviewers = pool(2)
    assign_reviewers(plan, reviewers=reviewers, by=coordinator)
    for reviewer in reviewers:
        review = save_review(
            plan.assignments.get(reviewer=reviewer), levels=levels_all(3), by=reviewer
        )
        submit_review(review, by=reviewer)
    decide_plan(plan, outcome="revise", feedback="Perbaiki.", by=coordinator)
    submit_plan(plan, by=plan.owner.user)
    plan.refresh_from_db()
    # The resubmission itself goes back to the reviewers; automatic assignment finds
    # nothing left to do for it and assigns nobody else.
    assert plan.state == PlanState.IN_REVIEW
    result = auto_assign(cycle, by=coordinator)
    assert (result.created, result.plans) == ([], 0)
    assert plan.assignments.filter(is_active=True).count() == 2
    revision = [r.notifications.filter(kind="revision").count() for r in reviewers]
    assert revision == [1, 1]
