"""The team's self-assessment (penilaian mandiri): scored on the cycle's rubric while the
plan may be edited, one per version, what pulls its total down linked to the editor's
sections, and blind: the team's alone until the decision, never a reviewer's, the
coordinator's beside the reviewers' mean once decided (`assessment.view_self_assessment`,
`assessment.compare_self_assessment`)."""

from decimal import Decimal

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agents.enums import Role
from agents.models import ActivityLog
from assessment.enums import DecisionOutcome
from assessment.models import Criterion, SelfAssessment
from assessment.selectors import self_assessed_plans, self_calibration_rows
from assessment.services import (
    PlanError,
    assign_reviewers,
    decide_plan,
    save_review,
    save_rubric,
    save_self_assessment,
    submit_review,
)
from assessment.services.cycle import copy_rubric
from plans.enums import PlanState
from plans.models import ActionPlan
from plans.services.workflow import submit_plan
from tests.factories import (
    AgencyFactory,
    AgentFactory,
    CycleFactory,
    PlanFactory,
    UserFactory,
    complete_plan_content,
    user_with_role,
)
from tests.reports.scenario import LEVELS_A, LEVELS_B

# 15·0 + 20·¼ + 20·½ + 15·0 + 15·¼ + 15·0 = 18,75: a total no review of these tests has.
OWN = {"K1": 1, "K2": 2, "K3": 3, "K4": 1, "K5": 2, "K6": 1}
OWN_TOTAL = "18,75"
SECTIONS = {"K1": "problem", "K2": "change", "K3": "targets", "K4": "alignment"}


@pytest.fixture(autouse=True)
def _sections(cycle):
    for code, key in SECTIONS.items():
        Criterion.objects.filter(rubric__cycle=cycle, code=code).update(section=key)


def _url(plan):
    return reverse("assessment:self_assessment", args=[plan.pk])


# --- The service ----------------------------------------------------------------------------


def test_the_team_scores_the_version_it_prepares(complete_plan, agent):
    saved = save_self_assessment(complete_plan, levels=OWN, by=agent.user)
    assert (saved.version_number, saved.levels, saved.total) == (1, OWN, Decimal("18.75"))
    again = save_self_assessment(complete_plan, levels={**OWN, "K1": 5}, by=agent.user)
    assert again.pk == saved.pk
    assert (again.levels["K1"], again.total) == (5, Decimal("33.75"))
    assert SelfAssessment.objects.count() == 1
    # Audited as done, never with what it says.
    entries = ActivityLog.objects.filter(action="plan.self_assessment", object_id=complete_plan.pk)
    assert [(e.actor, e.note, e.data) for e in entries] == [(agent.user, "", {})] * 2


def test_a_co_agent_may_and_a_colleague_may_not(complete_plan, agent):
    colleague = AgentFactory(user__agency=agent.agency)
    with pytest.raises(PlanError) as refused:
        save_self_assessment(complete_plan, levels=OWN, by=colleague.user)
    assert refused.value.code == "permission_denied"
    complete_plan.co_agents.add(colleague)
    assert save_self_assessment(complete_plan, levels=OWN, by=colleague.user).version_number == 1


@pytest.mark.parametrize(
    ("levels", "code"),
    [
        ({k: v for k, v in OWN.items() if k != "K6"}, "incomplete"),
        ({**OWN, "K1": 6}, "level"),
        ({**OWN, "K1": 0}, "level"),
        ({**OWN, "X9": 3}, "unknown"),
    ],
)
def test_incomplete_or_wrong_levels_are_refused(complete_plan, agent, levels, code):
    with pytest.raises(PlanError) as refused:
        save_self_assessment(complete_plan, levels=levels, by=agent.user)
    assert refused.value.code == code
    assert not SelfAssessment.objects.exists()


def test_only_while_the_plan_may_be_edited(complete_plan, agent):
    submit_plan(complete_plan, by=agent.user)
    with pytest.raises(PlanError) as refused:
        save_self_assessment(complete_plan, levels=OWN, by=agent.user)
    assert refused.value.code == "invalid_transition"


def test_a_revision_is_assessed_as_the_next_version(complete_plan, agent, coordinator, reviewers):
    save_self_assessment(complete_plan, levels=OWN, by=agent.user)
    submit_plan(complete_plan, by=agent.user)
    _reviewed(complete_plan, reviewers, coordinator)
    decide_plan(complete_plan, outcome=DecisionOutcome.REVISE, feedback="Perbaiki.", by=coordinator)
    complete_plan.refresh_from_db()
    second = save_self_assessment(complete_plan, levels={**OWN, "K2": 5}, by=agent.user)
    assert second.version_number == 2
    assert list(complete_plan.self_assessments.values_list("version_number", "total")) == [
        (2, Decimal("33.75")),
        (1, Decimal("18.75")),
    ]


# --- The page ---------------------------------------------------------------------------------


def test_the_page_lists_what_pulls_the_total_down_with_links_to_the_editor(
    client, complete_plan, agent
):
    client.force_login(agent.user)
    response = client.post(_url(complete_plan), {f"level_{k}": v for k, v in OWN.items()})
    assert response.status_code == 302
    html = client.get(_url(complete_plan)).content.decode()
    assert f'<strong id="self-total">{OWN_TOTAL}</strong>' in html
    edit = reverse("plans:edit", args=[complete_plan.pk])
    pulling = html.split('id="pulling-down"')[1].split("</ul>")[0]
    # Lost points: K1 15·1 = 15, K2 20·¾ = 15, K4 15, K6 15 (no section), K5 11,25,
    # K3 10; ties in the rubric's order.
    order = [pulling.index(f"K{n} —") for n in (1, 2, 4, 6, 5, 3)]
    assert order == sorted(order)
    assert f'href="{edit}#section-problem"' in pulling
    assert f'href="{edit}#section-targets"' in pulling
    assert "kurang 11,25 poin" in pulling


def test_a_missing_level_is_named_on_its_criterion(client, complete_plan, agent):
    client.force_login(agent.user)
    data = {f"level_{k}": v for k, v in OWN.items() if k != "K3"}
    response = client.post(_url(complete_plan), data)
    assert response.status_code == 400
    assert "Pilih tingkat untuk kriteria ini." in response.content.decode()
    assert not SelfAssessment.objects.exists()


def test_a_plan_in_review_shows_the_page_read_only(client, complete_plan, agent):
    save_self_assessment(complete_plan, levels=OWN, by=agent.user)
    submit_plan(complete_plan, by=agent.user)
    client.force_login(agent.user)
    html = client.get(_url(complete_plan)).content.decode()
    assert 'id="self-assessment-form"' not in html
    assert OWN_TOTAL in html
    response = client.post(_url(complete_plan), {f"level_{k}": 5 for k in OWN})
    assert response.status_code == 302
    assert SelfAssessment.objects.get().total == Decimal("18.75")


# --- Blind: every chair ------------------------------------------------------------------------


def _reviewed(plan, reviewers, coordinator, *, submit=(True, True)):
    assign_reviewers(plan, reviewers=reviewers, by=coordinator)
    for reviewer, levels, done in zip(reviewers, (LEVELS_A, LEVELS_B), submit, strict=True):
        review = save_review(
            plan.assignments.get(reviewer=reviewer),
            levels={code: (level, "") for code, level in levels.items()},
            overall_feedback="Masukan.",
            by=reviewer,
        )
        if done:
            submit_review(review, by=reviewer)
    plan.refresh_from_db()


@pytest.fixture
def world(cycle, agent, coordinator, leader, reviewers):
    """The agent's plan, self-assessed as a draft, in review: the first reviewer has
    submitted, the second has not."""
    plan = complete_plan_content(PlanFactory(cycle=cycle, owner=agent, agency=agent.agency))
    save_self_assessment(plan, levels=OWN, by=agent.user)
    submit_plan(plan, by=agent.user)
    _reviewed(plan, reviewers, coordinator, submit=(True, False))
    other = AgencyFactory()
    people = {
        "owner": agent.user,
        "colleague": AgentFactory(user__agency=agent.agency).user,
        "agent_other_agency": AgentFactory(user__agency=other).user,
        "head_own_agency": user_with_role(Role.AGENCY_HEAD, agency=agent.agency),
        "head_other_agency": user_with_role(Role.AGENCY_HEAD, agency=other),
        "reviewer_submitted": reviewers[0],
        "reviewer_pending": reviewers[1],
        "reviewer_unassigned": user_with_role(Role.REVIEWER),
        "coordinator": coordinator,
        "sekda": leader,
        "admin_role": user_with_role(Role.ADMIN),
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }
    return plan, people


def _sees(client, user, plan) -> dict:
    """What the user gets of the self-assessment: its page's answer, and whether its total
    shows on any page the user may open about the plan."""
    client.force_login(user)
    page = client.get(_url(plan))
    shown = page.status_code == 200 and OWN_TOTAL in page.content.decode()
    for name in ("plans:detail", "assessment:feedback", "assessment:review", "assessment:plan"):
        response = client.get(reverse(name, args=[plan.pk]))
        if response.status_code == 200 and OWN_TOTAL in response.content.decode():
            shown = True
    calibration = client.get(reverse("assessment:calibration"), {"cycle": plan.cycle.code})
    if calibration.status_code == 200 and OWN_TOTAL in calibration.content.decode():
        shown = True
    return {"page": page.status_code, "shown": shown}


BEFORE_DECISION = {
    "owner": {"page": 200, "shown": True},
    "colleague": {"page": 404, "shown": False},
    "agent_other_agency": {"page": 404, "shown": False},
    "head_own_agency": {"page": 403, "shown": False},
    "head_other_agency": {"page": 404, "shown": False},
    "reviewer_submitted": {"page": 403, "shown": False},
    "reviewer_pending": {"page": 403, "shown": False},
    "reviewer_unassigned": {"page": 404, "shown": False},
    "coordinator": {"page": 403, "shown": False},
    "sekda": {"page": 403, "shown": False},
    "admin_role": {"page": 404, "shown": False},
    "superuser": {"page": 404, "shown": False},
}
# After the decision: the coordinator too; a reviewer never, their own review sent or not.
AFTER_DECISION = BEFORE_DECISION | {"coordinator": {"page": 200, "shown": True}}


@pytest.mark.parametrize("chair", list(BEFORE_DECISION))
def test_before_the_decision_only_the_team_sees_it(client, world, chair):
    plan, people = world
    assert _sees(client, people[chair], plan) == BEFORE_DECISION[chair]


@pytest.mark.parametrize("chair", list(AFTER_DECISION))
def test_after_the_decision_the_coordinator_too_and_never_a_reviewer(
    client, world, chair, coordinator, reviewers
):
    plan, people = world
    second = plan.assignments.get(reviewer=reviewers[1]).reviews.get()
    submit_review(second, by=reviewers[1])
    decide_plan(plan, outcome=DecisionOutcome.APPROVE, feedback="Layak.", by=coordinator)
    plan.refresh_from_db()
    assert plan.state == PlanState.APPROVED
    assert _sees(client, people[chair], plan) == AFTER_DECISION[chair]


def test_after_the_decision_the_team_reads_it_beside_the_reviewers_mean(
    client, world, coordinator, reviewers
):
    plan, people = world
    submit_review(plan.assignments.get(reviewer=reviewers[1]).reviews.get(), by=reviewers[1])
    decide_plan(plan, outcome=DecisionOutcome.APPROVE, feedback="Layak.", by=coordinator)
    client.force_login(people["owner"])
    html = client.get(_url(plan)).content.decode()
    table = html.split('id="comparison-title"')[1].split("</table>")[0]
    # Own 18,75 against the reviewers' 66,25: under-estimates by 47,5 points.
    assert "Nilai reviewer: <strong>66,25</strong>" in " ".join(table.split())
    assert "menilai lebih rendah" in table
    # K2: own 2, reviewers (5 + 4) / 2 = 4,50.
    k2 = table.split("K2 —")[1].split("</tr>")[0]
    assert [cell.split(">")[-1].strip() for cell in k2.split("</td>")[:3]] == ["2", "4,50", "-2,50"]


def test_the_calibration_page_compares_decided_plans_only(client, world, coordinator, reviewers):
    plan, _people = world
    cycle = plan.cycle
    assert list(self_assessed_plans(cycle)) == []
    submit_review(plan.assignments.get(reviewer=reviewers[1]).reviews.get(), by=reviewers[1])
    decide_plan(plan, outcome=DecisionOutcome.APPROVE, feedback="Layak.", by=coordinator)
    criteria, rows = self_calibration_rows(cycle, self_assessed_plans(cycle))
    assert [(r.plan, r.own_total, r.score, r.signal) for r in rows] == [
        (plan, Decimal("18.75"), Decimal("66.25"), "under")
    ]
    assert [(c.criterion.code, c.own, c.mean) for c in rows[0].criteria][:2] == [
        ("K1", 1, Decimal("3.50")),
        ("K2", 2, Decimal("4.50")),
    ]
    assert [c.code for c in criteria] == ["K1", "K2", "K3", "K4", "K5", "K6"]


def test_the_calibration_compares_the_decided_version_not_the_one_in_preparation(
    world, coordinator, reviewers
):
    """A plan sent back for revision is decided on version 1; the team's scores of the
    version 2 it prepares are not compared, and without scores of version 1 the plan is
    not listed."""
    plan, people = world
    submit_review(plan.assignments.get(reviewer=reviewers[1]).reviews.get(), by=reviewers[1])
    decide_plan(plan, outcome=DecisionOutcome.REVISE, feedback="Perbaiki.", by=coordinator)
    kinder = {**OWN, "K1": 5}
    assert save_self_assessment(plan, levels=kinder, by=people["owner"]).version_number == 2
    _criteria, rows = self_calibration_rows(plan.cycle, self_assessed_plans(plan.cycle))
    assert [(r.plan, r.own_total) for r in rows] == [(plan, Decimal("18.75"))]
    SelfAssessment.objects.filter(plan=plan, version_number=1).delete()
    assert list(self_assessed_plans(plan.cycle)) == []


def test_a_plan_decided_again_is_compared_on_its_new_version(world, coordinator, reviewers):
    """Sent back on version 1, handed in again and decided on version 2: the team's scores
    of version 2 are compared, those of version 1 no longer."""
    plan, people = world
    submit_review(plan.assignments.get(reviewer=reviewers[1]).reviews.get(), by=reviewers[1])
    decide_plan(plan, outcome=DecisionOutcome.REVISE, feedback="Perbaiki.", by=coordinator)
    save_self_assessment(plan, levels={**OWN, "K1": 5}, by=people["owner"])
    submit_plan(plan, by=people["owner"])
    plan.refresh_from_db()
    assert plan.state == PlanState.IN_REVIEW
    _reviewed_again(plan, reviewers)
    decide_plan(plan, outcome=DecisionOutcome.APPROVE, feedback="Layak.", by=coordinator)
    _criteria, rows = self_calibration_rows(plan.cycle, self_assessed_plans(plan.cycle))
    assert [(r.plan, r.own_total) for r in rows] == [(plan, Decimal("33.75"))]
    assert rows[0].plan.decided_version_id == plan.versions.get(number=2).pk
    SelfAssessment.objects.filter(plan=plan, version_number=2).delete()
    assert list(self_assessed_plans(plan.cycle)) == []


def _reviewed_again(plan, reviewers):
    for reviewer, levels in zip(reviewers, (LEVELS_A, LEVELS_B), strict=True):
        review = save_review(
            plan.assignments.get(reviewer=reviewer),
            levels={code: (level, "") for code, level in levels.items()},
            by=reviewer,
        )
        submit_review(review, by=reviewer)
    plan.refresh_from_db()


def test_the_calibration_pages_the_plans_by_agency_then_title(cycle, coordinator, reviewers):
    _decided_plans(cycle, coordinator, reviewers, 3)
    plans = sorted(
        ActionPlan.objects.filter(cycle=cycle), key=lambda p: (p.agency.name, p.title, p.pk)
    )
    paged = Paginator(self_assessed_plans(cycle), 2)
    assert paged.count == 3
    shown = [plan for number in paged.page_range for plan in paged.page(number).object_list]
    assert shown == plans
    assert [p.own_total for p in shown] == [Decimal("18.75")] * 3
    assert self_assessed_plans(cycle)[2] == plans[2]


def test_the_calibration_counts_the_plans_without_reading_their_figures(
    cycle, coordinator, reviewers
):
    _decided_plans(cycle, coordinator, reviewers, 2)
    with CaptureQueriesContext(connection) as counted:
        assert Paginator(self_assessed_plans(cycle), 1).count == 2
    [query] = counted.captured_queries
    assert "assessment_decision" not in query["sql"]


def _decided_plans(cycle, coordinator, reviewers, count):
    for _i in range(count):
        owner = AgentFactory()
        plan = complete_plan_content(PlanFactory(cycle=cycle, owner=owner))
        save_self_assessment(plan, levels=OWN, by=owner.user)
        submit_plan(plan, by=owner.user)
        _reviewed(plan, reviewers, coordinator)
        decide_plan(plan, outcome=DecisionOutcome.APPROVE, feedback="Layak.", by=coordinator)


def test_the_calibration_page_reads_the_same_number_of_queries_for_more_plans(
    client, cycle, coordinator, reviewers, django_assert_num_queries
):
    client.force_login(coordinator)
    url = reverse("assessment:calibration")
    _decided_plans(cycle, coordinator, reviewers, 1)
    client.get(url)  # warm the session and the user's roles
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _decided_plans(cycle, coordinator, reviewers, 3)
    with django_assert_num_queries(len(small.captured_queries)):
        html = client.get(url).content.decode()
    assert html.count(OWN_TOTAL) == 4


# --- Where a criterion sends the agent -------------------------------------------------------


def _criterion(code, weight, section):
    return {
        "code": code,
        "name": f"Kriteria {code}",
        "weight": weight,
        "section": section,
        "levels": {level: f"Tingkat {level}" for level in range(1, 6)},
    }


def test_the_rubric_names_the_section_each_criterion_judges(cycle, coordinator):
    rubric = save_rubric(
        cycle,
        criteria=[_criterion("A", 60, "targets"), _criterion("B", 40, "")],
        by=coordinator,
    )
    assert list(rubric.criteria.values_list("code", "section")) == [("A", "targets"), ("B", "")]
    later = CycleFactory()
    copy = copy_rubric(rubric, later)
    assert list(copy.criteria.values_list("code", "section")) == [("A", "targets"), ("B", "")]


def test_an_unknown_section_is_refused(cycle, coordinator):
    with pytest.raises(PlanError) as refused:
        save_rubric(cycle, criteria=[_criterion("A", 100, "nowhere")], by=coordinator)
    assert refused.value.code == "section"
