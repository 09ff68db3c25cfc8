"""A property-based test of the plan workflow: random sequences of every transition (and of
every transition tried where it is not allowed) drive one plan through the services, and a
model of the rules (plans.enums.TRANSITIONS and the withdraw rule) predicts, after every
step, the plan's state, the deadline its page shows and its history."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from hypothesis import HealthCheck, assume, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from agents.enums import Role
from agents.models import ActivityLog
from assessment.models import Review
from assessment.services import (
    assign_reviewers,
    decide_plan,
    reopen_review,
    save_review,
    submit_review,
)
from plans.enums import TRANSITIONS, PlanState
from plans.models import ActionPlan
from plans.services import workflow
from plans.services.common import PlanError
from tests.factories import (
    AgentFactory,
    CycleFactory,
    PlanFactory,
    add_rubric,
    complete_plan_content,
    user_with_role,
)

pytestmark = pytest.mark.django_db(transaction=False)

LEVELS = {f"K{i}": (4, "baik") for i in range(1, 7)}
DECISIONS = {
    "approve": PlanState.APPROVED,
    "revise": PlanState.REVISION_REQUESTED,
    "reject": PlanState.REJECTED,
}
STEPS = [
    "submit",
    "withdraw",
    "assign",
    "reopen",
    *DECISIONS,
    "implement",
    "complete",
]


class Rules:
    """The model: what each step does to the state, from the rules alone."""

    def __init__(self):
        self.state = PlanState.DRAFT
        # Where the latest submission came from: withdrawing returns there.
        self.submitted_from = PlanState.DRAFT
        self.history: list[tuple[str, str]] = []

    def move(self, to: str) -> None:
        assert (self.state, to) in TRANSITIONS, (self.state, to)
        self.history.append((self.state, to))
        self.state = to


class PlanWorkflow(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        # Every example runs in a savepoint that is rolled back at its end.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        cycle = CycleFactory()
        add_rubric(cycle)
        self.cycle = cycle
        agent = AgentFactory()
        self.agent = agent.user
        self.coordinator = user_with_role(Role.COORDINATOR)
        self.reviewers = [user_with_role(Role.REVIEWER) for _ in range(2)]
        self.plan = complete_plan_content(
            PlanFactory(cycle=cycle, owner=agent, agency=agent.agency)
        )
        self.model = Rules()
        self.late = timezone.make_aware(
            dt.datetime.combine(cycle.implementation_start, dt.time(9, 0))
        ) + dt.timedelta(days=1)
        self.client = Client()
        self.client.force_login(self.agent)

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # Each step: whether the rules allow it now, what it does, and the state it leads to.

    def allowed(self, name: str) -> bool:
        state = self.model.state
        return {
            "submit": state in PlanState.EDITABLE,
            "withdraw": state == PlanState.SUBMITTED,
            "assign": state in (PlanState.SUBMITTED, PlanState.IN_REVIEW),
            "reopen": state in (PlanState.IN_REVIEW, PlanState.REVIEWED)
            and self.current_review() is not None,
            "approve": state == PlanState.REVIEWED,
            "revise": state == PlanState.REVIEWED,
            "reject": state == PlanState.REVIEWED,
            "implement": state == PlanState.APPROVED,
            "complete": state == PlanState.IMPLEMENTING,
        }[name]

    def target(self, name: str) -> str | None:
        state = self.model.state
        return {
            "submit": PlanState.SUBMITTED,
            "withdraw": self.model.submitted_from,
            "assign": PlanState.IN_REVIEW if state == PlanState.SUBMITTED else None,
            "reopen": PlanState.IN_REVIEW if state == PlanState.REVIEWED else None,
            "implement": PlanState.IMPLEMENTING,
            "complete": PlanState.COMPLETED,
            **DECISIONS,
        }[name]

    def current_review(self):
        """A sent review of the plan's latest version, by a reviewer still assigned."""
        return Review.objects.filter(
            assignment__plan=self.plan,
            assignment__is_active=True,
            version=self.plan.versions.order_by("-number").first(),
            state="submitted",
        ).first()

    def perform(self, name: str) -> None:
        plan, agent, coordinator = self.plan, self.agent, self.coordinator
        if name == "submit":
            workflow.submit_plan(plan, by=agent)
        elif name == "withdraw":
            workflow.withdraw_plan(plan, by=agent)
        elif name == "assign":
            assign_reviewers(plan, reviewers=self.reviewers, by=coordinator)
        elif name == "reopen":
            reopen_review(self.current_review(), by=coordinator, note="Periksa lagi")
        elif name in DECISIONS:
            decide_plan(plan, outcome=name, feedback="Masukan", by=coordinator)
        elif name == "implement":
            workflow.start_implementation(plan, by=agent, now=self.late)
        elif name == "complete":
            workflow.complete_plan(plan, by=coordinator)

    def step(self, name: str) -> None:
        source, to = self.model.state, self.target(name)
        self.plan.refresh_from_db()
        back_to_reviewers = (
            name == "submit"
            and source == PlanState.REVISION_REQUESTED
            and self.plan.assignments.filter(is_active=True).exists()
        )
        self.perform(name)
        if name == "submit":
            self.model.submitted_from = source
        if to is not None:
            self.model.move(to)
        if back_to_reviewers:
            # A revision handed in again goes straight back to the reviewers not released.
            self.model.move(PlanState.IN_REVIEW)

    @rule(name=st.sampled_from(STEPS))
    def refused_where_not_allowed(self, name):
        """Any step the rules do not allow now is refused, and changes nothing."""
        assume(not self.allowed(name))
        assume(name != "reopen" or self.current_review() is not None)
        with pytest.raises(PlanError):
            self.perform(name)

    @precondition(lambda self: self.allowed("submit"))
    @rule()
    def submit(self):
        self.step("submit")

    @precondition(lambda self: self.allowed("withdraw"))
    @rule()
    def withdraw(self):
        self.step("withdraw")

    @precondition(lambda self: self.allowed("assign"))
    @rule()
    def assign(self):
        self.step("assign")

    @precondition(lambda self: self.model.state == PlanState.IN_REVIEW)
    @rule()
    def review_all(self):
        """Every assigned reviewer scores the plan and sends the review; the last one
        completes the review."""
        self.plan.refresh_from_db()
        latest = self.plan.versions.order_by("-number").first()
        sent = set(
            Review.objects.filter(version=latest, state="submitted").values_list(
                "assignment_id", flat=True
            )
        )
        for assignment in self.plan.assignments.filter(is_active=True).exclude(pk__in=sent):
            review = save_review(
                assignment, levels=LEVELS, overall_feedback="Bagus", by=assignment.reviewer
            )
            submit_review(review, by=assignment.reviewer)
        self.model.move(PlanState.REVIEWED)

    @precondition(lambda self: self.allowed("reopen"))
    @rule()
    def reopen(self):
        self.step("reopen")

    @precondition(lambda self: self.model.state == PlanState.REVIEWED)
    @rule(outcome=st.sampled_from(sorted(DECISIONS)))
    def decide(self, outcome):
        self.step(outcome)

    @precondition(lambda self: self.allowed("implement"))
    @rule()
    def start_implementation(self):
        self.step("implement")

    @precondition(lambda self: self.allowed("complete"))
    @rule()
    def complete(self):
        self.step("complete")

    # --- What the rules predict -----------------------------------------------------------

    @invariant()
    def state_matches(self):
        assert ActionPlan.objects.get(pk=self.plan.pk).state == self.model.state

    @invariant()
    def history_matches(self):
        entries = ActivityLog.objects.filter(
            content_type=ContentType.objects.get_for_model(ActionPlan),
            object_id=self.plan.pk,
        ).exclude(to_state="")
        assert [(e.from_state, e.to_state) for e in entries.order_by("id")] == self.model.history

    @invariant()
    def deadline_shown(self):
        plan = ActionPlan.objects.select_related("cycle").get(pk=self.plan.pk)
        page = self.client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
        if self.model.state == PlanState.REVISION_REQUESTED:
            expected = plan.cycle.effective_revision_deadline
        elif self.model.state == PlanState.DRAFT:
            expected = plan.cycle.submission_deadline
        else:
            assert "Batas pengajuan" not in page
            return
        assert workflow.submission_deadline_for(plan) == expected
        shown = date_format(timezone.localtime(expected), "DATETIME_FORMAT")
        assert f"Batas pengajuan: <strong>{shown}" in page


PlanWorkflow.TestCase.settings = settings(
    max_examples=20,
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def test_workflow_follows_the_rules(db):
    PlanWorkflow.TestCase().runTest()


def test_submit_withdraw_twice_returns_to_draft(db):
    """The first sequence people reported: the second withdrawal gave "Perlu revisi"."""
    machine = PlanWorkflow()
    try:
        for _ in range(2):
            machine.submit()
            machine.withdraw()
        machine.state_matches()
        machine.deadline_shown()
        machine.history_matches()
        assert machine.model.state == PlanState.DRAFT
    finally:
        machine.teardown()
