"""Every headline figure of a cycle agrees wherever it is shown: the leadership dashboard,
the coordinator's board and decisions page, the plan list its figures link to, the plans
export and the printed summary. "Decided" is one set of states everywhere; a plan with a
partial set of reviews adds no score to an average, a distribution or the lagging list
until it is decided; the weekly cumulative ends at the submitted count; a past cycle
counts its own participants; the reviewer's queue counts only what waits for them."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from agents.enums import Role
from agents.models import Agent
from assessment.enums import DecisionOutcome
from assessment.selectors import board_counts, cycle_board, reviewer_queue
from assessment.services import assign_reviewers, decide_plan, save_review, submit_review
from plans.enums import PlanState
from plans.models import ActionPlan
from plans.selectors import filter_plans
from plans.services.workflow import submit_plan, withdraw_plan
from reports.rendering.cycle_summary import summary_context
from reports.rendering.xlsx import plans_workbook
from reports.selectors import criterion_profile, cycle_overview
from tests.factories import (
    AgencyFactory,
    AgentFactory,
    CycleFactory,
    PlanFactory,
    add_rubric,
    complete_plan_content,
    user_with_role,
)

pytestmark = pytest.mark.django_db


def _levels(level: int) -> dict:
    return {f"K{i}": (level, "") for i in range(1, 7)}  # every criterion alike: 0/25/…/100


class Cycle:
    """A cycle with a plan in every stage (agency A, B and C), reviewed by two reviewers:

    P1 draft · P2 submitted then withdrawn (a draft with a version) · P3 submitted ·
    P4 in review, one review sent (0) · P5 reviewed, not decided (25, 25) ·
    P6 approved (100, 100) · P7 rejected (25, 25) · P8 revision requested (75, 75).
    """

    def __init__(self):
        self.cycle = CycleFactory()
        add_rubric(self.cycle)
        self.coordinator = user_with_role(Role.COORDINATOR)
        self.leader = user_with_role(Role.LEADERSHIP)
        self.reviewers = [user_with_role(Role.REVIEWER) for _ in range(2)]
        self.agencies = {name: AgencyFactory(name=f"Dinas {name}") for name in "ABC"}
        self.plans = {}
        for name, agency, stage in (
            ("P1", "A", "draft"),
            ("P2", "A", "withdrawn"),
            ("P3", "B", "submitted"),
            ("P4", "C", "partial"),
            ("P5", "C", "reviewed"),
            ("P6", "A", DecisionOutcome.APPROVE),
            ("P7", "B", DecisionOutcome.REJECT),
            ("P8", "A", DecisionOutcome.REVISE),
        ):
            self.plans[name] = self._plan(name, self.agencies[agency], stage)

    def _plan(self, name, agency, stage):
        agent = AgentFactory(user__agency=agency)
        plan = complete_plan_content(
            PlanFactory(cycle=self.cycle, owner=agent, agency=agency, title=f"Rencana {name}")
        )
        if stage == "draft":
            return plan
        submit_plan(plan, by=agent.user)
        if stage == "withdrawn":
            withdraw_plan(plan, by=agent.user)
            return plan
        if stage == "submitted":
            return plan
        assign_reviewers(plan, reviewers=self.reviewers, by=self.coordinator)
        level = {"partial": 1, "reviewed": 2, "approve": 5, "reject": 2, "revise": 4}[stage]
        for reviewer in self.reviewers[: 1 if stage == "partial" else 2]:
            review = save_review(
                plan.assignments.get(reviewer=reviewer), levels=_levels(level), by=reviewer
            )
            submit_review(review, by=reviewer)
        if stage not in ("partial", "reviewed"):
            decide_plan(plan, outcome=stage, feedback="Masukan gabungan", by=self.coordinator)
        plan.refresh_from_db()
        return plan


@pytest.fixture
def scene():
    return Cycle()


def _kpis(html: str) -> dict[str, str]:
    return dict(re.findall(r'id="kpi-(\w+)">([^<]+)<', html))


def _printed(html: str, label: str) -> str:
    match = re.search(rf'<span class="value">([^<]+)</span>\s*<span class="label">\s*{label}', html)
    assert match, label
    return match.group(1).strip()


def test_every_headline_figure_agrees_on_every_page_export_and_document(client, scene):
    cycle = scene.cycle
    plans = scene.plans
    decided = {plans[p].pk for p in ("P6", "P7", "P8")}
    assert {p.pk for p in ActionPlan.objects.filter(state__in=PlanState.DECIDED)} == decided
    scores = [plans[p].score for p in ("P6", "P7", "P8")]
    assert scores == [Decimal("100.00"), Decimal("25.00"), Decimal("75.00")]
    assert plans["P4"].score is not None  # provisional: the first review's total

    # The dashboard: the figures, the funnel, the distribution, the weeks, the lagging list.
    client.force_login(scene.leader)
    page = client.get(reverse("reports:dashboard"), {"cycle": cycle.code})
    overview = page.context["overview"]
    headline = overview.headline
    expected = {"plans": 8, "submitted": 6, "decided": 3, "approved": 1, "scored": 3}
    assert {key: getattr(headline, key) for key in expected} == expected
    assert headline.mean_score == Decimal("66.67")
    assert {t.label: t.count for t in overview.funnel} == {
        "drafted": 8,
        "submitted": 6,
        "decided": 3,
        "approved": 1,
    }
    assert sum(t.count for t in overview.score_bins) == headline.scored
    assert {t.key: t.count for t in overview.score_bins if t.count} == {
        "20-40": 1,
        "60-80": 1,
        "80-100": 1,
    }
    assert {p.pk for p in overview.top_plans} == decided
    assert overview.weeks[-1].cumulative == headline.submitted
    # Agency C has only a plan in review and one awaiting its decision: not lagging on
    # scores; agency B's decided plan scores 25.
    assert [r.name for r in overview.low_score] == ["Dinas B"]
    html = page.content.decode()
    kpis = _kpis(html)
    assert (kpis["plans"], kpis["submitted"], kpis["approved"], kpis["mean"]) == (
        "8",
        "6",
        "1",
        "66,67",
    )
    assert "6 sudah diajukan, 3 sudah diputuskan dan 1 disetujui" in html

    # The coordinator's board and decisions page, and the plan list the funnel links to.
    groups = board_counts(cycle)
    assert groups == {
        "awaiting_assignment": 1,
        "in_review": 1,
        "reviews_complete": 1,
        "decided": headline.decided,
    }
    assert sum(groups.values()) == headline.submitted
    board = cycle_board(cycle)
    assert board.total == headline.plans
    assert {t.key: t.count for t in overview.states} == {
        state: board.counts.get(state, 0) for state in PlanState.values
    }
    client.force_login(scene.coordinator)
    decisions = client.get(reverse("assessment:decisions"), {"cycle": cycle.code})
    assert decisions.status_code == 200
    for group in ("decided", "submitted_once", "approved_once"):
        listed = filter_plans(scene.leader, cycle=cycle, group=group).count()
        stage = {"decided": "decided", "submitted_once": "submitted", "approved_once": "approved"}
        assert listed == getattr(headline, stage[group]), group

    # The plans export: one row per plan, a score only for the decided ones.
    sheet = load_workbook(io.BytesIO(plans_workbook(cycle, ActionPlan.objects.filter(cycle=cycle))))
    rows = list(sheet["Rencana"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == headline.plans
    decided_labels = {str(PlanState(s).label) for s in PlanState.DECIDED}
    assert sum(1 for r in rows if r[5] in decided_labels) == headline.decided
    exported_scores = [r[6] for r in rows if r[6] is not None]
    assert len(exported_scores) == headline.scored
    assert round(Decimal(sum(exported_scores)) / len(exported_scores), 2) == headline.mean_score

    # The printed summary.
    context = summary_context(cycle, code="ABCD-1234")
    assert context["headline"] == headline
    assert [r.name for r in context["summary"].low_score] == ["Dinas B"]
    assert sum(r.submitted for r in context["summary"].agencies) == headline.submitted
    printed = render_to_string("pdf/cycle_summary.html", context)
    assert _printed(printed, "Rencana disusun") == "8"
    assert _printed(printed, "Rencana diajukan") == "6"
    assert _printed(printed, "Rencana disetujui") == "1"
    assert _printed(printed, "Rata-rata nilai") == "66,67"
    assert "Rata-rata nilai (3 rencana)" in printed


def test_the_queue_counts_only_what_waits_for_the_reviewer(client, scene):
    first, second = scene.reviewers  # the first sent P4's review, the second did not
    for reviewer, waiting in ((first, 0), (second, 1)):
        queue = reviewer_queue(reviewer)
        assert {a.plan.title for a in queue if a.is_waiting} == (
            {"Rencana P4"} if waiting else set()
        )
        client.force_login(reviewer)
        html = client.get(reverse("assessment:queue")).content.decode()
        assert f"{waiting} rencana menunggu penilaian Anda" in html
        assert len(queue) == 2  # P4 and P5 are still listed, with their state


def test_a_past_cycle_counts_its_own_participants(client):
    past = CycleFactory(
        code="2025",
        drafting_opens=timezone.now() - dt.timedelta(days=400),
        submission_deadline=timezone.now() - dt.timedelta(days=350),
    )
    current = CycleFactory(code="2026")
    agency = AgencyFactory()
    took_part = AgentFactory(user__agency=agency)  # on a plan of the past cycle, left since
    PlanFactory(cycle=past, owner=took_part, agency=agency)
    team_member = AgentFactory(user__agency=agency)
    PlanFactory(cycle=past, agency=agency).co_agents.add(team_member)
    there_then = AgentFactory(user__agency=agency)  # was an agent then, took no part
    Agent.objects.filter(pk__in=[took_part.pk, team_member.pk, there_then.pk]).update(
        created_at=past.submission_deadline - dt.timedelta(days=30)
    )
    Agent.objects.filter(pk=took_part.pk).update(is_active=False)
    for _ in range(2):
        AgentFactory(user__agency=agency)  # joined this year

    # The past cycle: both owners (the one who left too), the team member, and the agent
    # who was there then; not the agent who joined this year.
    assert cycle_overview(past, refresh=True).headline.agents == 4
    client.force_login(user_with_role(Role.LEADERSHIP))
    page = client.get(reverse("reports:dashboard"), {"cycle": current.code})
    overview = page.context["overview"]
    assert overview.previous.cycle_code == past.code
    assert overview.previous.headline.agents == cycle_overview(past, refresh=True).headline.agents
    # This cycle: today's active agents (the one who left is not counted).
    active = Agent.objects.filter(is_active=True).count()
    assert overview.headline.agents == active


def test_criterion_means_of_the_agency_page_count_decided_plans_only(scene):
    waiting = criterion_profile(scene.cycle, scene.agencies["C"])  # in review and reviewed
    assert {(c.agency_mean, c.agency_scores) for c in waiting} == {(None, 0)}
    [k1, *_rest] = criterion_profile(scene.cycle, scene.agencies["A"])
    # Agency A: P6 (5, 5) and P8 (4, 4); the cycle: those and P7 (2, 2).
    assert (k1.code, k1.agency_mean, k1.agency_scores) == ("K1", Decimal("4.50"), 4)
    assert k1.cycle_mean == Decimal("3.67")
