"""The leadership's provincial dashboard: every figure exact, every figure a link."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from agents.enums import Role
from plans.enums import PlanState
from plans.models import ChangeArea, CoreValue
from tests.factories import AgencyFactory, AgentFactory, CycleFactory, PlanFactory, wita

DASHBOARD = reverse("reports:dashboard")


@pytest.fixture
def province(cycle):
    """Three agencies: A with 4 agents and 3 plans, B with 2 agents and 1 plan, C with an
    agent and no plan; scores across the five bins; areas and values on some plans."""
    a = AgencyFactory(name="Badan A", abbreviation="BA")
    b = AgencyFactory(name="Dinas B", abbreviation="DB")
    c = AgencyFactory(name="Inspektorat C", abbreviation="IC")
    AgencyFactory(name="Tanpa agen")  # neither agents nor plans: not listed
    area_tl = ChangeArea.objects.create(code="TL", name="Penataan Tatalaksana", order=1)
    ChangeArea.objects.create(code="SDM", name="Penataan SDM Aparatur", order=2)
    value_b = CoreValue.objects.create(code="B", name="Berorientasi Pelayanan", order=1)
    CoreValue.objects.create(code="A", name="Akuntabel", order=2)
    agents_a = [AgentFactory(user__agency=a) for _ in range(4)]
    agents_b = [AgentFactory(user__agency=b) for _ in range(2)]
    AgentFactory(user__agency=c)
    AgentFactory(user__agency=c, is_active=False)
    plans = [
        PlanFactory(cycle=cycle, owner=agents_a[0], state=PlanState.DRAFT),
        PlanFactory(
            cycle=cycle,
            owner=agents_a[1],
            state=PlanState.APPROVED,
            score=Decimal("85.00"),
            title="Terbaik",
        ),
        PlanFactory(
            cycle=cycle,
            owner=agents_a[2],
            state=PlanState.REVIEWED,
            score=Decimal("40.00"),
            review_flagged=True,
            title="Tengah",
        ),
        PlanFactory(
            cycle=cycle,
            owner=agents_b[0],
            state=PlanState.IMPLEMENTING,
            score=Decimal("60.50"),
            title="Kedua",
        ),
    ]
    plans[1].change_areas.add(area_tl)
    plans[3].change_areas.add(area_tl)
    plans[3].core_values.add(value_b)
    # A past cycle's plans count nowhere on this cycle's dashboard.
    past = CycleFactory(
        year=2023,
        drafting_opens=wita(2023, 1, 2, 8, 0),
        submission_deadline=wita(2023, 2, 28, 23, 59),
        review_starts=dt.date(2023, 3, 1),
        review_ends=dt.date(2023, 3, 31),
        decision_date=dt.date(2023, 4, 10),
        implementation_start=dt.date(2023, 5, 1),
        implementation_end=dt.date(2023, 12, 31),
    )
    old = PlanFactory(cycle=past, owner=agents_b[1], state=PlanState.COMPLETED, score=99)
    old.change_areas.add(area_tl)
    return {"a": a, "b": b, "c": c, "plans": plans, "past": past}


def test_dashboard_headline_figures(client, leader, cycle, province):
    client.force_login(leader)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    o = response.context["overview"]
    assert (o.agencies, o.agents, o.drafted, o.submitted, o.approved) == (2, 7, 4, 3, 2)
    assert (o.mean_score, o.scored, o.flagged) == (Decimal("61.83"), 3, 1)
    html = response.content.decode()
    assert '<span class="ap-kpi-value">61,83</span>' in html
    assert f"?cycle={cycle.code}&amp;group=submitted_once" in html
    assert f"?cycle={cycle.code}&amp;flagged=1" in html
    assert f"?cycle={cycle.code}&amp;agency={province['a'].pk}&amp;group=submitted_once" in html


def test_dashboard_participation_per_agency(client, leader, cycle, province):
    client.force_login(leader)
    rows = client.get(DASHBOARD).context["overview"].per_agency
    assert [
        (r.name, r.agent_count, r.plan_count, r.submitted_count, r.approved_count, r.mean_score)
        for r in rows
    ] == [
        ("Badan A", 4, 3, 2, 1, Decimal("62.5")),
        ("Dinas B", 2, 1, 1, 1, Decimal("60.5")),
        ("Inspektorat C", 1, 0, 0, 0, None),
    ]


def test_dashboard_score_bins_coverage_and_top_plans(client, leader, cycle, province):
    client.force_login(leader)
    response = client.get(DASHBOARD)
    o = response.context["overview"]
    assert [(b.param, b.count) for b in o.score_bins] == [
        ("0-20", 0),
        ("20-40", 0),
        ("40-60", 1),
        ("60-80", 1),
        ("80-100", 1),
    ]
    assert [(a.code, a.plan_count) for a in o.change_areas] == [("TL", 2), ("SDM", 0)]
    assert [(v.code, v.plan_count) for v in o.core_values] == [("B", 1), ("A", 0)]
    assert [p.title for p in o.top_plans] == ["Terbaik", "Kedua", "Tengah"]
    html = response.content.decode()
    assert f"?cycle={cycle.code}&amp;score=80-100" in html
    assert f"?cycle={cycle.code}&amp;area=TL" in html
    assert f"?cycle={cycle.code}&amp;value=B" in html


def test_dashboard_figures_drill_down_to_the_same_plans(client, leader, cycle, province):
    client.force_login(leader)
    listed = client.get(
        reverse("plans:list"), {"cycle": cycle.code, "group": "submitted_once"}
    ).context["page"]
    assert listed.paginator.count == client.get(DASHBOARD).context["overview"].submitted


def test_dashboard_of_a_past_cycle(client, leader, cycle, province):
    client.force_login(leader)
    o = client.get(DASHBOARD, {"cycle": province["past"].code}).context["overview"]
    assert (o.cycle, o.drafted, o.mean_score) == (province["past"], 1, Decimal("99.00"))


@pytest.mark.parametrize("size", [1, 5])
def test_dashboard_query_count_does_not_grow(
    client, leader, cycle, size, django_assert_num_queries
):
    area = ChangeArea.objects.create(code="TL", name="Penataan Tatalaksana")
    value = CoreValue.objects.create(code="B", name="Berorientasi Pelayanan")
    for i in range(size):
        agency = AgencyFactory()
        for _ in range(3):
            plan = PlanFactory(
                cycle=cycle,
                owner=AgentFactory(user__agency=agency),
                state=PlanState.APPROVED,
                score=Decimal(10 + i * 15),
            )
            plan.change_areas.add(area)
            plan.core_values.add(value)
    client.force_login(leader)
    with django_assert_num_queries(13):
        response = client.get(DASHBOARD)
    assert response.context["overview"].drafted == size * 3


def test_dashboard_is_for_leaders_coordinators_and_heads(client, cycle, agent):
    from tests.factories import user_with_role

    for role, status in [
        (Role.LEADERSHIP, 200),
        (Role.COORDINATOR, 200),
        (Role.AGENCY_HEAD, 200),
        (Role.REVIEWER, 403),
    ]:
        client.force_login(user_with_role(role))
        assert client.get(DASHBOARD).status_code == status
    client.force_login(agent.user)
    assert client.get(DASHBOARD).status_code == 403
