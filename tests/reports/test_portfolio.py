"""The agent's portfolio: their plans across cycles with versions, decisions, scores per
criterion (after the decision, for those who may see them), mentoring, verified
realisation, the change-agent roles the plans name and the head's endorsement; the page
and its PDF (a report job) for the agent, their head, the Biro Organisasi and leadership,
404 for everyone else; a fixed number of queries whatever the number of plans and cycles."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from agents.enums import Role
from assessment.enums import DecisionOutcome
from assessment.models import Decision
from monitoring.services import enter_due_implementations
from plans.enums import PlanState
from plans.models import ChangeAgentRole
from reports import services
from reports.enums import JobStatus, ReportKind
from reports.models import ReportJob
from reports.selectors.portfolio import agent_portfolio
from tests.factories import (
    AgencyFactory,
    AgentFactory,
    CycleFactory,
    PlanFactory,
    UserFactory,
    add_rubric,
    scored_review,
    thread_with_comments,
    user_with_role,
)
from tests.monitoring.conftest import approved_plan
from tests.monitoring.test_dashboard_figures import report_values

from .scenario import reviewed_plan


def _running_cycle():
    today = timezone.localdate()
    start = (today.replace(day=1) - dt.timedelta(days=80)).replace(day=1)
    cycle = CycleFactory(
        name="Assessment Agen Perubahan 2025",
        drafting_opens=timezone.now() - dt.timedelta(days=250),
        submission_deadline=timezone.now() - dt.timedelta(days=200),
        review_starts=start - dt.timedelta(days=60),
        review_ends=start - dt.timedelta(days=40),
        decision_date=start - dt.timedelta(days=30),
        implementation_start=start,
        implementation_end=start + dt.timedelta(days=240),
    )
    add_rubric(cycle)
    return cycle


@pytest.fixture
def world(db):
    """The agent's decided plan (scored by two reviewers, endorsed by the head, naming two
    roles, mentored), and their plan of an earlier cycle in implementation with verified
    values; a colleague, another agency's agent and head, an unassigned reviewer."""
    scenario = reviewed_plan()
    plan = scenario.plan
    agent = plan.owner
    plan.agent_roles.set(ChangeAgentRole.objects.filter(code__in=["katalisator", "penggerak"]))
    plan.endorsed_by = scenario.head
    plan.endorsed_at = timezone.now()
    plan.save(update_fields=["endorsed_by", "endorsed_at"])
    thread_with_comments(
        plan,
        [scenario.reviewers[0], agent.user, scenario.reviewers[0]],
        resolved_by=scenario.reviewers[0],
    )
    running = _running_cycle()
    reviewer = user_with_role(Role.REVIEWER, name="Verifikator")
    earlier = approved_plan(running, agent=agent, reviewer=reviewer)
    earlier.agent_roles.set(ChangeAgentRole.objects.filter(code="katalisator"))
    enter_due_implementations()
    earlier.refresh_from_db()
    report_values(earlier, agent, reviewer, ["80", "26"])
    colleague = AgentFactory(user__agency=agent.agency, agency=agent.agency)
    other = AgencyFactory()
    return {
        "scenario": scenario,
        "agent": agent,
        "plan": plan,
        "earlier": earlier,
        "people": {
            "agent": agent.user,
            "head": scenario.head,
            "coordinator": scenario.coordinator,
            "leader": user_with_role(Role.LEADERSHIP),
            "colleague": colleague.user,
            "agent_other_agency": AgentFactory(user__agency=other, agency=other).user,
            "head_other_agency": user_with_role(Role.AGENCY_HEAD, agency=other),
            "reviewer_of_the_plan": scenario.reviewers[0],
            "reviewer_unassigned": user_with_role(Role.REVIEWER),
            "superuser_without_role": UserFactory(is_superuser=True, is_staff=True),
        },
    }


SEES = ("agent", "head", "coordinator", "leader")
NOT_YOURS = (
    "colleague",
    "agent_other_agency",
    "head_other_agency",
    "reviewer_of_the_plan",
    "reviewer_unassigned",
    "superuser_without_role",
)


@pytest.mark.parametrize("chair", SEES + NOT_YOURS)
def test_who_sees_the_portfolio(client, world, chair):
    client.force_login(world["people"][chair])
    response = client.get(reverse("reports:portfolio", args=[world["agent"].pk]))
    assert response.status_code == (200 if chair in SEES else 404)


@pytest.mark.parametrize("chair", SEES + NOT_YOURS)
def test_who_may_ask_for_the_portfolio_pdf(
    client, world, chair, django_capture_on_commit_callbacks, private_media
):
    """The PDF is a report job, asked for from the page and rendered by a worker, as the
    requester sees the portfolio; everyone else is answered 404 and no job is made."""
    client.force_login(world["people"][chair])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("report_jobs:request"),
            {"kind": ReportKind.AGENT_PORTFOLIO, "agent": world["agent"].pk},
        )
    jobs = ReportJob.objects.filter(kind=ReportKind.AGENT_PORTFOLIO)
    if chair not in SEES:
        assert response.status_code == 404
        assert not jobs.exists()
        return
    job = jobs.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("report_jobs:detail", args=[job.pk])
    assert (job.status, job.requested_by) == (JobStatus.DONE, world["people"][chair])
    assert job.title == f"Portofolio {world['agent'].user.name}"
    assert job.agency_name == world["agent"].agency.name
    assert job.verification_code is None  # what it shows depends on who asked
    with job.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    page = client.get(reverse("report_jobs:detail", args=[job.pk])).content.decode()
    assert world["agent"].user.name in page
    # Asked again with nothing changed: the same file.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("report_jobs:request"),
            {"kind": ReportKind.AGENT_PORTFOLIO, "agent": world["agent"].pk},
        )
    assert jobs.count() == 1


def test_the_portfolio_pdf_follows_the_portfolio_and_the_rule(
    world, django_capture_on_commit_callbacks, private_media
):
    """A new mentoring reply makes a new file; a head who has left the agency by the time
    the worker renders gets a refusal, not the file."""
    head = world["people"]["head"]
    with django_capture_on_commit_callbacks(execute=True):
        first = services.request_portfolio(agent=world["agent"], by=head)
    thread_with_comments(world["plan"], [world["scenario"].reviewers[0]])
    with django_capture_on_commit_callbacks(execute=True):
        second = services.request_portfolio(agent=world["agent"], by=head)
    assert second.pk != first.pk and second.fingerprint != first.fingerprint
    with django_capture_on_commit_callbacks() as callbacks:
        third = services.request_portfolio(agent=world["agent"], by=world["people"]["leader"])
    head.role_grants.all().delete()
    world["people"]["leader"].role_grants.all().delete()
    for callback in callbacks:
        callback()
    third.refresh_from_db()
    assert third.status == JobStatus.FAILED and not third.file


def test_anonymous_is_sent_to_sign_in_and_an_unknown_agent_is_404(client, world):
    url = reverse("reports:portfolio", args=[world["agent"].pk])
    assert client.get(url)["Location"].startswith(reverse("login"))
    client.force_login(world["scenario"].coordinator)
    assert client.get(reverse("reports:portfolio", args=[10**9])).status_code == 404


def test_the_portfolio_gathers_the_plans_across_cycles(world):
    portfolio = agent_portfolio(world["agent"], world["people"]["agent"])
    decided, earlier = portfolio.entries
    assert (decided.plan, earlier.plan) == (world["plan"], world["earlier"])
    assert portfolio.cycles == 2
    # The decided plan: one version, approved, its score and feedback, endorsed, mentored.
    assert [v.number for v in decided.versions] == [1]
    assert [(d.outcome, d.version, d.score) for d in decided.decisions] == [
        ("Disetujui", 1, Decimal("66.25"))
    ]
    assert decided.decisions[0].feedback == "Rencana layak dilaksanakan dengan penguatan target."
    assert decided.plan.endorsed_by == world["scenario"].head
    assert (decided.mentoring.threads, decided.mentoring.resolved) == (1, 1)
    assert (decided.mentoring.received, decided.mentoring.answered) == (2, 1)
    # Scores per criterion: the mean level of the two reviews (LEVELS_A, LEVELS_B).
    assert [(c.code, c.level) for c in decided.scored_versions[0].criteria] == [
        ("K1", Decimal("3.50")),
        ("K2", Decimal("4.50")),
        ("K3", Decimal("4.00")),
        ("K4", Decimal("3.00")),
        ("K5", Decimal("3.50")),
        ("K6", Decimal("3.00")),
    ]
    assert portfolio.score_columns[0].score == Decimal("66.25")
    assert portfolio.score_rows[0].levels == [Decimal("3.50")]
    # The earlier plan: in implementation, 80 of 20 → 80 is 100 %, 26 is 10 %: 55 %, red.
    assert earlier.measured and earlier.realisation == Decimal("55.00")
    assert earlier.light == "red"
    assert earlier.verified_targets == 2
    assert decided.light is None  # approved, not yet in implementation: nothing measured
    # The roles: katalisator in both plans, penggerak in one, the others in none.
    assert {t.role.code: t.plans for t in portfolio.roles} == {
        "panutan": 0,
        "katalisator": 2,
        "pemberi_solusi": 0,
        "penghubung": 0,
        "penggerak": 1,
    }


def test_the_page_shows_what_the_selector_gathers(client, world):
    client.force_login(world["people"]["head"])
    html = client.get(reverse("reports:portfolio", args=[world["agent"].pk])).content.decode()
    assert world["plan"].title in html
    assert "Dr. H. Ahmad Fauzi, S.E., M.Si." in html  # the head's endorsement
    assert "66,25" in html
    assert "55,00%" in html
    assert "Katalisator" in html
    assert "1 utas (1 selesai); 2 komentar diterima, 1 dijawab agen" in html


def test_scores_are_not_shown_to_the_team_or_head_before_the_decision(client, db):
    scenario = reviewed_plan(decide=False)
    agent = scenario.plan.owner
    for viewer in (scenario.agent, scenario.head):
        portfolio = agent_portfolio(agent, viewer)
        assert not portfolio.entries[0].scores_shown
        assert portfolio.score_columns == []
        client.force_login(viewer)
        html = client.get(reverse("reports:portfolio", args=[agent.pk])).content.decode()
        assert "Belum ada nilai yang dapat ditampilkan" in html
    # The Biro Organisasi sees every plan's scores; no decision yet, so no decided column.
    assert agent_portfolio(agent, scenario.coordinator).entries[0].scores_shown


def test_a_head_sees_only_the_plans_of_their_agency(db):
    """An agent who moved agencies: the new head sees the portfolio without the plans of
    the former agency, which they may not open."""
    first, second = AgencyFactory(), AgencyFactory()
    agent = AgentFactory(user__agency=second, agency=second)
    cycle_a, cycle_b = CycleFactory(), CycleFactory()
    PlanFactory(cycle=cycle_a, owner=agent, agency=first)
    kept = PlanFactory(cycle=cycle_b, owner=agent, agency=second)
    head = user_with_role(Role.AGENCY_HEAD, agency=second)
    assert [e.plan for e in agent_portfolio(agent, head).entries] == [kept]


def _plans_in_cycles(agent, coordinator, reviewers, count):
    for i in range(count):
        cycle = CycleFactory()
        add_rubric(cycle)
        plan = PlanFactory(
            cycle=cycle, owner=agent, agency=agent.agency, state=PlanState.IMPLEMENTING
        )
        plan.agent_roles.set(ChangeAgentRole.objects.filter(code="panutan"))
        version = plan.versions.get()
        for reviewer in reviewers:
            scored_review(plan, version, reviewer, coordinator, {"K1": 3, "K2": 4})
        Decision.objects.create(
            plan=plan,
            version=version,
            outcome=DecisionOutcome.APPROVE,
            score=Decimal("60"),
            decided_by=coordinator,
        )
        thread_with_comments(plan, [reviewers[0], agent.user], body=f"Komentar {i}")
        co_plan = PlanFactory(cycle=cycle, agency=agent.agency)
        co_plan.co_agents.add(agent)


@pytest.mark.parametrize("chair", ["agent", "coordinator", "head"])
def test_the_query_count_does_not_grow_with_plans_and_cycles(
    client, db, chair, django_assert_num_queries
):
    agency = AgencyFactory()
    agent = AgentFactory(user__agency=agency, agency=agency)
    coordinator = user_with_role(Role.COORDINATOR)
    head = user_with_role(Role.AGENCY_HEAD, agency=agency)
    reviewers = [user_with_role(Role.REVIEWER) for _ in range(2)]
    viewer = {"agent": agent.user, "coordinator": coordinator, "head": head}[chair]
    client.force_login(viewer)
    url = reverse("reports:portfolio", args=[agent.pk])
    counts = []
    for extra in (1, 3):
        _plans_in_cycles(agent, coordinator, reviewers, extra)
        client.get(url)
        with django_assert_num_queries(PORTFOLIO_QUERIES[chair]) as context:
            response = client.get(url)
        counts.append(len(context.captured_queries))
        assert response.status_code == 200
    assert len(response.context["portfolio"].entries) == 8  # 4 cycles, owner and co-agent
    assert counts[0] == counts[1]


# The session, the user and their agent profile, the viewer's roles (and a head's
# agencies), the agent, the plans and their co-agents, roles, versions and decisions, the
# mentoring counts, the per-criterion means, the targets, the roles' list, and the page's
# frame (the current cycle, the viewer's agency).
PORTFOLIO_QUERIES = {"agent": 13, "coordinator": 13, "head": 13}
