"""Every allowed and every refused transition of the plan workflow (docs/domain.md)."""

import datetime as dt
import importlib

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from agents.enums import Role
from agents.models import ActivityLog
from assessment.enums import DecisionOutcome
from assessment.services import (
    assign_reviewers,
    decide_plan,
    release_assignment,
    save_review,
    submit_review,
)
from plans.checklist import missing_items
from plans.enums import TRANSITIONS, PlanState
from plans.models import ActionPlan, ImmutableRowError, PlanVersion
from plans.services import content, workflow
from plans.services.common import PlanError
from tests.factories import AgentFactory, PlanFactory, user_with_role

ALL_LEVELS_4 = {f"K{i}": (4, "baik") for i in range(1, 7)}


def review_all(plan, reviewers, levels=ALL_LEVELS_4):
    for reviewer in reviewers:
        assignment = plan.assignments.get(reviewer=reviewer, is_active=True)
        review = save_review(assignment, levels=levels, overall_feedback="Bagus", by=reviewer)
        submit_review(review, by=reviewer)
    plan.refresh_from_db()


def to_state(plan, state, *, agent_user, coordinator, reviewers):
    """Drive a complete plan through the services to a state."""
    path = {
        PlanState.DRAFT: [],
        PlanState.SUBMITTED: ["submit"],
        PlanState.IN_REVIEW: ["submit", "assign"],
        PlanState.REVIEWED: ["submit", "assign", "review"],
        PlanState.APPROVED: ["submit", "assign", "review", "approve"],
        PlanState.REJECTED: ["submit", "assign", "review", "reject"],
        PlanState.REVISION_REQUESTED: ["submit", "assign", "review", "revise"],
        PlanState.IMPLEMENTING: ["submit", "assign", "review", "approve", "implement"],
        PlanState.COMPLETED: ["submit", "assign", "review", "approve", "implement", "complete"],
    }[state]
    cycle = plan.cycle
    late = timezone.make_aware(
        dt.datetime.combine(cycle.implementation_start, dt.time(9, 0))
    ) + dt.timedelta(days=1)
    for step in path:
        if step == "submit":
            workflow.submit_plan(plan, by=agent_user)
        elif step == "assign":
            assign_reviewers(plan, reviewers=reviewers, by=coordinator)
        elif step == "review":
            review_all(plan, reviewers)
        elif step in ("approve", "reject", "revise"):
            decide_plan(plan, outcome=step, feedback="Masukan gabungan", by=coordinator)
        elif step == "implement":
            workflow.start_implementation(plan, by=agent_user, now=late)
        elif step == "complete":
            workflow.complete_plan(plan, by=coordinator)
    plan.refresh_from_db()
    assert plan.state == state
    return plan


@pytest.fixture
def actors(agent, coordinator, reviewers):
    return {"agent_user": agent.user, "coordinator": coordinator, "reviewers": reviewers}


def test_transition_table_matches_the_spec_diagram():
    assert set(TRANSITIONS) == {
        ("draft", "submitted"),
        ("revision_requested", "submitted"),
        ("submitted", "draft"),
        ("submitted", "revision_requested"),
        ("submitted", "in_review"),
        ("in_review", "reviewed"),
        ("reviewed", "in_review"),
        ("reviewed", "approved"),
        ("reviewed", "revision_requested"),
        ("reviewed", "rejected"),
        ("approved", "implementing"),
        ("implementing", "completed"),
    }


@pytest.mark.parametrize("edge", sorted(TRANSITIONS))
def test_each_edge_names_a_service_that_exists(edge):
    module, _dot, name = TRANSITIONS[edge].rpartition(".")
    service = getattr(importlib.import_module(module), name)
    assert (callable(service), service.__module__, service.__name__) == (True, module, name)


@pytest.mark.parametrize("state", PlanState.values)
def test_every_state_is_reachable_through_the_services(complete_plan, actors, state):
    plan = to_state(complete_plan, state, **actors)
    assert plan.state == state
    log = list(
        ActivityLog.objects.filter(object_id=plan.pk, to_state__gt="")
        .order_by("id")
        .values_list("from_state", "to_state")
    )
    # Every transition was recorded, in order, and chains.
    for (_, to), (frm, _) in zip(log, log[1:], strict=False):
        assert to == frm
    if log:
        assert log[-1][1] == state


def test_submit_plan_freezes_a_version_with_the_full_content(complete_plan, agent):
    version = workflow.submit_plan(complete_plan, by=agent.user)
    complete_plan.refresh_from_db()
    assert complete_plan.state == PlanState.SUBMITTED
    assert version.number == 1
    assert version.snapshot["title"] == complete_plan.title
    assert len(version.snapshot["activities"]) == 3
    assert len(version.snapshot["targets"]) == 2
    assert version.snapshot["change_areas"] == [{"code": "TL", "name": "Penataan Tatalaksana"}]
    entry = ActivityLog.objects.get(action="plan.submit")
    assert (entry.actor, entry.from_state, entry.to_state) == (agent.user, "draft", "submitted")


def test_plan_version_is_immutable(complete_plan, agent):
    version = workflow.submit_plan(complete_plan, by=agent.user)
    version.snapshot = {}
    with pytest.raises(ImmutableRowError):
        version.save()
    with pytest.raises(ImmutableRowError):
        version.delete()
    assert PlanVersion.objects.get(pk=version.pk).snapshot["title"] == complete_plan.title


def test_submit_plan_rejects_plan_without_targets(draft_plan, agent):
    with pytest.raises(PlanError) as exc:
        workflow.submit_plan(draft_plan, by=agent.user)
    assert exc.value.code == "incomplete"
    draft_plan.refresh_from_db()
    assert draft_plan.state == PlanState.DRAFT
    assert PlanVersion.objects.count() == 0


def test_submit_plan_refused_to_another_agent(complete_plan):
    stranger = AgentFactory(user__agency=complete_plan.agency).user
    with pytest.raises(PlanError) as exc:
        workflow.submit_plan(complete_plan, by=stranger)
    assert exc.value.code == "permission_denied"


def test_co_agent_may_submit_team_plan(complete_plan):
    co = AgentFactory(user__agency=complete_plan.agency)
    complete_plan.co_agents.add(co)
    workflow.submit_plan(complete_plan, by=co.user)
    complete_plan.refresh_from_db()
    assert complete_plan.state == PlanState.SUBMITTED


def test_submit_plan_refused_after_deadline(complete_plan, agent):
    after = complete_plan.cycle.submission_deadline + dt.timedelta(minutes=1)
    with pytest.raises(PlanError) as exc:
        workflow.submit_plan(complete_plan, by=agent.user, now=after)
    assert exc.value.code == "deadline"


def test_submit_plan_allowed_after_deadline_with_extension(complete_plan, agent, coordinator):
    deadline = complete_plan.cycle.submission_deadline
    workflow.grant_extension(complete_plan, until=deadline + dt.timedelta(days=3), by=coordinator)
    workflow.submit_plan(complete_plan, by=agent.user, now=deadline + dt.timedelta(days=2))
    complete_plan.refresh_from_db()
    assert complete_plan.state == PlanState.SUBMITTED


def test_grant_extension_refused_to_agent(complete_plan, agent):
    until = complete_plan.cycle.submission_deadline + dt.timedelta(days=3)
    with pytest.raises(PlanError) as exc:
        workflow.grant_extension(complete_plan, until=until, by=agent.user)
    assert (exc.value.code, str(exc.value)) == (
        "permission_denied",
        "Hanya koordinator yang dapat memberi perpanjangan.",
    )


def test_submit_plan_refused_before_drafting_opens(complete_plan, agent):
    before = complete_plan.cycle.drafting_opens - dt.timedelta(minutes=1)
    with pytest.raises(PlanError) as exc:
        workflow.submit_plan(complete_plan, by=agent.user, now=before)
    assert exc.value.code == "phase"


def test_submit_requires_head_endorsement_of_current_content(complete_plan, agent, head):
    cycle = complete_plan.cycle
    cycle.head_endorsement_required = True
    cycle.save()
    with pytest.raises(PlanError) as exc:
        workflow.submit_plan(complete_plan, by=agent.user)
    assert exc.value.code == "endorsement"
    workflow.endorse_plan(complete_plan, by=head)
    workflow.submit_plan(complete_plan, by=agent.user)
    complete_plan.refresh_from_db()
    assert complete_plan.state == PlanState.SUBMITTED
    assert complete_plan.endorsed_by == head


def test_endorse_refused_to_head_of_another_agency(complete_plan):
    other_head = user_with_role(Role.AGENCY_HEAD)
    with pytest.raises(PlanError) as exc:
        workflow.endorse_plan(complete_plan, by=other_head)
    assert (exc.value.code, str(exc.value)) == (
        "permission_denied",
        "Hanya kepala perangkat daerah rencana ini yang dapat mengetahuinya.",
    )


def test_withdraw_returns_submitted_plan_to_draft(complete_plan, agent):
    workflow.submit_plan(complete_plan, by=agent.user)
    workflow.withdraw_plan(complete_plan, by=agent.user)
    assert complete_plan.state == PlanState.DRAFT
    assert complete_plan.submitted_at is None


def test_withdraw_refused_once_review_started(complete_plan, actors):
    plan = to_state(complete_plan, PlanState.IN_REVIEW, **actors)
    with pytest.raises(PlanError) as exc:
        workflow.withdraw_plan(plan, by=actors["agent_user"])
    assert (exc.value.code, str(exc.value)) == (
        "invalid_transition",
        "Rencana hanya dapat ditarik sebelum penilaian dimulai.",
    )


def test_withdrawn_revision_returns_to_revision_requested(complete_plan, actors):
    plan = to_state(complete_plan, PlanState.REVISION_REQUESTED, **actors)
    # Its reviewers released, a revision handed in waits for the coordinator: withdrawable.
    for assignment in plan.assignments.filter(is_active=True):
        release_assignment(assignment, by=actors["coordinator"], reason="Cuti")
    workflow.submit_plan(plan, by=actors["agent_user"])
    assert plan.state == PlanState.SUBMITTED
    workflow.withdraw_plan(plan, by=actors["agent_user"])
    assert plan.state == PlanState.REVISION_REQUESTED


def test_revision_resubmission_makes_version_two(complete_plan, actors):
    plan = to_state(complete_plan, PlanState.REVISION_REQUESTED, **actors)
    plan.title = "Judul yang diperbaiki"
    plan.save()
    version = workflow.submit_plan(plan, by=actors["agent_user"])
    assert version.number == 2
    assert version.snapshot["title"] == "Judul yang diperbaiki"
    assert plan.versions.get(number=1).snapshot["title"] != "Judul yang diperbaiki"


def test_revision_may_be_resubmitted_after_the_first_deadline(complete_plan, actors):
    plan = to_state(complete_plan, PlanState.REVISION_REQUESTED, **actors)
    after_first = plan.cycle.submission_deadline + dt.timedelta(days=1)
    workflow.submit_plan(plan, by=actors["agent_user"], now=after_first)
    assert plan.state == PlanState.IN_REVIEW  # back to its reviewers at once


@pytest.mark.parametrize(
    "state",
    [
        PlanState.SUBMITTED,
        PlanState.IN_REVIEW,
        PlanState.REVIEWED,
        PlanState.APPROVED,
        PlanState.REJECTED,
        PlanState.IMPLEMENTING,
        PlanState.COMPLETED,
    ],
)
def test_submit_refused_outside_editable_states(complete_plan, actors, state):
    plan = to_state(complete_plan, state, **actors)
    with pytest.raises(PlanError) as exc:
        workflow.submit_plan(plan, by=actors["agent_user"])
    assert exc.value.code == "invalid_transition"


@pytest.mark.parametrize(
    "state",
    [PlanState.DRAFT, PlanState.SUBMITTED, PlanState.IN_REVIEW, PlanState.REJECTED],
)
def test_start_implementation_refused_unless_approved(complete_plan, actors, state):
    plan = to_state(complete_plan, state, **actors)
    late = plan.cycle.submission_deadline + dt.timedelta(days=300)
    with pytest.raises(PlanError) as exc:
        workflow.start_implementation(plan, by=actors["coordinator"], now=late)
    assert exc.value.code == "invalid_transition"


def test_start_implementation_refused_before_window(complete_plan, actors):
    plan = to_state(complete_plan, PlanState.APPROVED, **actors)
    with pytest.raises(PlanError) as exc:
        workflow.start_implementation(plan, by=actors["agent_user"])
    assert exc.value.code == "phase"


@pytest.mark.parametrize("state", [PlanState.APPROVED, PlanState.DRAFT, PlanState.REVIEWED])
def test_complete_plan_refused_unless_implementing(complete_plan, actors, state):
    plan = to_state(complete_plan, state, **actors)
    with pytest.raises(PlanError) as exc:
        workflow.complete_plan(plan, by=actors["coordinator"])
    assert exc.value.code == "invalid_transition"


def test_create_plan_one_per_agent_per_cycle(cycle, agent):
    content.create_plan(cycle=cycle, owner=agent, title="Rencana pertama", by=agent.user)
    with pytest.raises(PlanError) as exc:
        content.create_plan(cycle=cycle, owner=agent, title="Rencana kedua", by=agent.user)
    assert exc.value.code == "duplicate"


def test_create_plan_refused_to_non_agent(cycle, agent, coordinator):
    reviewer = user_with_role(Role.REVIEWER)
    with pytest.raises(PlanError) as exc:
        content.create_plan(cycle=cycle, owner=agent, title="Rencana", by=reviewer)
    assert (exc.value.code, str(exc.value)) == (
        "invalid",
        "Hanya agen perubahan yang dapat menyusun rencana tindak.",
    )


def test_create_plan_refused_after_drafting(agent):
    past = PlanFactory.build().cycle  # unsaved template for dates
    past.save()
    past.drafting_opens = timezone.now() - dt.timedelta(days=60)
    past.submission_deadline = timezone.now() - dt.timedelta(days=1)
    past.save()
    with pytest.raises(PlanError) as exc:
        content.create_plan(cycle=past, owner=agent, title="Terlambat", by=agent.user)
    assert exc.value.code == "phase"


def test_decide_refused_before_all_reviews_are_in(complete_plan, actors):
    plan = to_state(complete_plan, PlanState.IN_REVIEW, **actors)
    with pytest.raises(PlanError) as exc:
        decide_plan(plan, outcome=DecisionOutcome.APPROVE, feedback="", by=actors["coordinator"])
    assert exc.value.code == "invalid_transition"


def test_revise_decision_requires_feedback(complete_plan, actors):
    plan = to_state(complete_plan, PlanState.REVIEWED, **actors)
    with pytest.raises(PlanError) as exc:
        decide_plan(plan, outcome=DecisionOutcome.REVISE, feedback=" ", by=actors["coordinator"])
    assert exc.value.field == "feedback"


def test_decide_refused_to_reviewer(complete_plan, actors):
    plan = to_state(complete_plan, PlanState.REVIEWED, **actors)
    with pytest.raises(PlanError) as exc:
        decide_plan(plan, outcome=DecisionOutcome.APPROVE, feedback="", by=actors["reviewers"][0])
    assert exc.value.code == "permission_denied"


def test_complete_plan_content_factory_leaves_nothing_missing(complete_plan):
    assert (complete_plan.activities.count(), complete_plan.targets.count()) == (3, 2)
    assert missing_items(complete_plan) == []


def test_a_single_transition_announces_the_change_once(complete_plan, agent, heard):
    workflow.submit_plan(complete_plan, by=agent.user)
    assert heard == [([complete_plan.pk], "draft", "submitted", agent.user, "plan.submit")]


def test_transition_many_moves_audits_and_announces_all_plans_at_once(
    cycle, coordinator, heard, django_assert_num_queries
):
    plans = [PlanFactory(cycle=cycle, state=PlanState.SUBMITTED) for _ in range(3)]
    # The audit entries' content type is cached for the process; warm it so that the count
    # does not depend on which test ran first.
    ContentType.objects.get_for_model(ActionPlan)
    # One UPDATE, one INSERT of the audit entries; then the dashboard's row of the plans'
    # agency, recomputed once for the batch by the signal's receiver (reports: the cycle,
    # the row made and locked, the plans, versions, agents and measured targets read, the
    # row written; the cycle's totals locked and written).
    with django_assert_num_queries(12):
        workflow.transition_many(
            plans,
            source=PlanState.SUBMITTED,
            to=PlanState.IN_REVIEW,
            by=coordinator,
            action="plan.start_review",
        )
    ids = [p.pk for p in plans]
    assert sorted(
        ActivityLog.objects.filter(action="plan.start_review").values_list(
            "object_id", "from_state", "to_state", "actor"
        )
    ) == [(pk, "submitted", "in_review", coordinator.pk) for pk in sorted(ids)]
    assert (
        list(ActionPlan.objects.filter(pk__in=ids).values_list("state", flat=True))
        == ["in_review"] * 3
    )
    assert heard == [(ids, "submitted", "in_review", coordinator, "plan.start_review")]


@pytest.mark.parametrize("source,to", [("submitted", "completed"), ("draft", "in_review")])
def test_transition_many_refuses_an_edge_or_a_plan_outside_it_and_writes_nothing(
    cycle, coordinator, heard, source, to
):
    plans = [PlanFactory(cycle=cycle, state=PlanState.SUBMITTED) for _ in range(2)]
    with pytest.raises(PlanError) as exc:
        workflow.transition_many(plans, source=source, to=to, by=coordinator, action="x")
    assert exc.value.code == "invalid_transition"
    assert set(ActionPlan.objects.values_list("state", flat=True)) == {"submitted"}
    assert (ActivityLog.objects.filter(action="x").count(), heard) == (0, [])
