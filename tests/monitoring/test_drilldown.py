"""The dashboard's drill-down to the targets behind schedule and their plans: the same
figures as the dashboard (late count, traffic lights, per agency), its visibility rules
(the province for leaders and coordinators, an agency head their own agency only, nobody
else), and as many queries whatever the number of targets."""

from decimal import Decimal

import pytest
from django.urls import reverse

from agents.enums import Role
from monitoring.models import TargetRealisation
from monitoring.services import enter_due_implementations
from plans.models import Target
from reports.selectors.realisation import cycle_realisation
from tests.factories import AgentFactory, TargetFactory, UserFactory, user_with_role

from .conftest import approved_plan
from .test_dashboard_figures import report_values

URL = reverse("reports:late_targets")


@pytest.fixture
def province(running_cycle, coordinator, plan_reviewer):
    """Two agencies with a plan in implementation each, about three months of eight
    passed: A's targets at 100 % and 10 % of the way from 20 to 80, B's at 85 % and
    16.67 % (one late target each; two green, two red)."""
    plans = {}
    for key in ("a", "b"):
        agent = AgentFactory()
        plan = approved_plan(
            running_cycle, agent=agent, reviewer=plan_reviewer, coordinator=coordinator
        )
        plans[key] = (plan, agent)
    enter_due_implementations()
    for key, values in (("a", ["80", "26"]), ("b", ["71", "30"])):
        plan, agent = plans[key]
        plan.refresh_from_db()
        report_values(plan, agent, plan_reviewer, values)
    return {key: plan for key, (plan, _agent) in plans.items()}


def listed(response):
    return [row["pk"] for row in response.context["page"].object_list]


def test_the_list_carries_the_dashboards_figures(client, leader, province):
    cycle = province["a"].cycle
    figures = cycle_realisation(cycle)
    client.force_login(leader)
    late = client.get(URL, {"cycle": cycle.code})
    assert late.status_code == 200
    assert late.context["page"].paginator.count == figures.targets - figures.on_track == 2
    assert listed(late) == [row["pk"] for row in figures.late]
    html = late.content.decode()
    assert province["a"].title in html and province["a"].agency.name in html
    assert reverse("monitoring:plan", args=[province["a"].pk]) in html
    for light in ("green", "yellow", "red"):
        answer = client.get(URL, {"cycle": cycle.code, "lampu": light})
        assert answer.context["page"].paginator.count == figures.lights[light]
    # One agency, from the agency's realisation on the dashboard.
    agency = province["b"].agency
    own = cycle_realisation(cycle, agency=agency)
    answer = client.get(URL, {"cycle": cycle.code, "opd": agency.pk})
    assert answer.context["page"].paginator.count == own.targets - own.on_track
    assert {r["plan_id"] for r in answer.context["page"].object_list} == {province["b"].pk}


def test_the_dashboard_links_to_the_list(client, leader, province):
    cycle = province["a"].cycle
    client.force_login(leader)
    html = client.get(reverse("reports:dashboard"), {"cycle": cycle.code}).content.decode()
    assert f"{URL}?cycle={cycle.code}" in html
    assert f"{URL}?cycle={cycle.code}&amp;lampu=red" in html
    table = client.get(
        reverse("reports:dashboard"),
        {"cycle": cycle.code},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="agency-table",
    ).content.decode()
    assert f"{URL}?cycle={cycle.code}&amp;opd={province['a'].agency_id}" in table


def test_an_agency_head_sees_their_agency_only(client, province):
    cycle = province["a"].cycle
    mine = province["b"].agency
    head = user_with_role(Role.AGENCY_HEAD, agency=mine)
    client.force_login(head)
    answer = client.get(URL, {"cycle": cycle.code})
    assert answer.status_code == 200
    assert answer.context["scope"] == mine
    assert {r["plan_id"] for r in answer.context["page"].object_list} == {province["b"].pk}
    assert province["a"].title not in answer.content.decode()
    assert client.get(URL, {"cycle": cycle.code, "opd": province["a"].agency_id}).status_code == 404


@pytest.mark.parametrize("chair", ["agent", "colleague", "reviewer", "superuser"])
def test_who_may_not_see_the_list(client, province, plan_reviewer, chair):
    plan = province["a"]
    people = {
        "agent": lambda: plan.owner.user,
        "colleague": lambda: AgentFactory(agency=plan.agency).user,
        "reviewer": lambda: plan_reviewer,
        "superuser": lambda: UserFactory(is_superuser=True, is_staff=True),
    }
    client.force_login(people[chair]())
    assert client.get(URL, {"cycle": plan.cycle.code}).status_code == 403


def test_bad_parameters_are_404_or_ignored(client, leader, province):
    cycle = province["a"].cycle
    client.force_login(leader)
    assert client.get(URL, {"cycle": cycle.code, "opd": "x"}).status_code == 404
    assert client.get(URL, {"cycle": cycle.code, "opd": "999999"}).status_code == 404
    assert client.get(URL, {"cycle": "tidak-ada"}).status_code == 404
    unknown_light = client.get(URL, {"cycle": cycle.code, "lampu": "biru", "page": "x"})
    assert unknown_light.status_code == 200
    assert unknown_light.context["light"] is None


def test_pages_follow_one_order_across_both_lists(client, leader, province, monkeypatch):
    """Page after page, the list is every target behind schedule exactly once: those
    without a verified value (0 %) first by plan, then the verified ones lowest first,
    the boundary between the two falling inside a page."""
    for plan in province.values():
        TargetFactory(plan=plan)  # no report yet: 0 %, unverified
    monkeypatch.setattr("reports.views.LATE_PER_PAGE", 3)
    cycle = province["a"].cycle
    elapsed = cycle_realisation(cycle).elapsed
    counted = dict(TargetRealisation.objects.values_list("target_id", "counted"))
    measured = Target.objects.filter(plan__cycle=cycle, plan__state__in=("implementing",))
    expected = sorted(
        (
            (counted.get(t.pk, Decimal(0)), t.pk in counted, t.plan_id, t.pk)
            for t in measured
            if counted.get(t.pk, Decimal(0)) < elapsed
        ),
    )
    assert [row[1] for row in expected] == [False, False, True, True]
    client.force_login(leader)
    seen = []
    for number in (1, 2):
        page = client.get(URL, {"cycle": cycle.code, "page": number}).context["page"]
        assert page.paginator.count == len(expected)
        seen += [(row["counted"], row["pk"]) for row in page.object_list]
    assert seen == [(row[0], row[3]) for row in expected]
    red = client.get(URL, {"cycle": cycle.code, "lampu": "red"}).context["page"]
    assert [row["pk"] for row in red.object_list][:2] == [row[3] for row in expected[:2]]
    green = client.get(URL, {"cycle": cycle.code, "lampu": "green"}).context["page"]
    assert all(row["pk"] in counted for row in green.object_list)


@pytest.mark.parametrize("size", [1, 8])
def test_queries_do_not_grow_with_the_targets(
    client, leader, province, size, django_assert_num_queries
):
    for plan in province.values():
        for _ in range(size):
            TargetFactory(plan=plan)
    client.force_login(leader)
    cycle = province["a"].cycle
    client.get(URL, {"cycle": cycle.code})  # the cycle's figures cached, as on the dashboard
    with django_assert_num_queries(QUERIES):
        answer = client.get(URL, {"cycle": cycle.code})
    assert answer.context["page"].paginator.count >= 2 * size


# The session, the user and roles, the cycle and the current cycle, the cycle picker,
# the cycle's elapsed share (the figures, cached), the counts of the unverified and the
# verified targets, the page of the unverified ones, the verified ones' keys then their
# rows (the first page holds both here), the sidebar.
QUERIES = 9
