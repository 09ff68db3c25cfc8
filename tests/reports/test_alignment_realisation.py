"""The alignment map's realisation shading: each cell's verified realisation (the mean of
its plans' targets' capped verified figures, a target without one counting 0) and its
traffic light where monitoring has data, with a legend; the same figures on the page, in
its fragment and in the provincial summary PDF, and the dashboard's per-agency figures;
two more queries once the implementation window is open, none before; the map's chairs."""

import datetime as dt
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from agents.enums import Role
from monitoring.services import enter_due_implementations
from plans.models import ChangeArea, CoreValue
from reports.rendering.cycle_summary import summary_context
from reports.selectors.alignment import shaded_alignment_map
from reports.selectors.realisation import cycle_realisation
from tests.factories import AgencyFactory, AgentFactory, UserFactory, user_with_role
from tests.monitoring.conftest import approved_plan, running_cycle  # noqa: F401 - fixture
from tests.monitoring.test_dashboard_figures import report_values


@pytest.fixture
def world(running_cycle):  # noqa: F811 - the fixture imported above
    """Two agencies' plans in implementation on area TL × value B (complete_plan_content):
    Dinkes's targets verified at 100 % and 10 % (mean 55, red), Bappeda's at 100 % and
    100 % (green); together 77.5 % (yellow). Area MP has no plan."""
    reviewer = user_with_role(Role.REVIEWER)
    ChangeArea.objects.get_or_create(code="TL", defaults={"name": "Penataan Tatalaksana"})
    CoreValue.objects.get_or_create(code="B", defaults={"name": "Berorientasi Pelayanan"})
    ChangeArea.objects.get_or_create(code="MP", defaults={"name": "Manajemen Perubahan"})
    plans = {}
    for name, values in (("Dinkes", ["80", "26"]), ("Bappeda", ["80", "80"])):
        agency = AgencyFactory(name=f"Dinas {name}", abbreviation=name)
        agent = AgentFactory(user__agency=agency, agency=agency)
        plans[name] = (approved_plan(running_cycle, agent=agent, reviewer=reviewer), values)
    enter_due_implementations()
    for plan, values in plans.values():
        plan.refresh_from_db()
        report_values(plan, plan.owner, reviewer, values)
    return running_cycle, {name: plan for name, (plan, _v) in plans.items()}


def _cell(result, area_code="TL", value_code="B"):
    row = next(r for r in result.area_value.rows if r.code == area_code)
    index = [code for code, _name in result.area_value.columns].index(value_code)
    return row.cells[index]


def _agency_cell(result, agency, area_code="TL"):
    row = next(r for r in result.agency_area.rows if r.code == str(agency.pk))
    index = [code for code, _name in result.agency_area.columns].index(area_code)
    return row.cells[index]


def test_each_cell_carries_its_verified_realisation_and_light(world):
    cycle, plans = world
    result = shaded_alignment_map(cycle)
    cell = _cell(result)
    assert (cell.count, cell.targets, cell.realisation, cell.light) == (
        2,
        4,
        Decimal("77.50"),
        "yellow",
    )
    dinkes = _agency_cell(result, plans["Dinkes"].agency)
    bappeda = _agency_cell(result, plans["Bappeda"].agency)
    assert (dinkes.realisation, dinkes.light) == (Decimal("55.00"), "red")
    assert (bappeda.realisation, bappeda.light) == (Decimal("100.00"), "green")
    # A cell without plans in implementation carries no figure.
    empty = next(c for r in result.area_value.rows for c in r.cells if not c.count)
    assert (empty.targets, empty.realisation, empty.light) == (0, None, "")
    assert result.monitored and result.shaded


def test_the_agency_figures_equal_the_dashboards(world):
    cycle, plans = world
    result = shaded_alignment_map(cycle)
    per_agency = cycle_realisation(cycle).per_agency
    for plan in plans.values():
        assert _agency_cell(result, plan.agency).realisation == per_agency[plan.agency_id]


def test_the_page_the_fragment_and_the_summary_pdf_show_the_same_figures(client, world):
    cycle, _plans = world
    client.force_login(user_with_role(Role.LEADERSHIP))
    url = reverse("reports:alignment_map")
    page = client.get(url, {"cycle": cycle.code})
    fragment = client.get(url, {"cycle": cycle.code}, HTTP_HX_REQUEST="true")
    printed = summary_context(cycle, code="ABCDEFGHJKLMNPQR")["alignment"]

    def figures(result):
        return [
            (row.label, [(c.count, c.realisation, c.light) for c in row.cells])
            for heat in (result.area_value, result.agency_area)
            for row in heat.rows
        ]

    assert figures(page.context["alignment"]) == figures(printed)
    assert figures(fragment.context["alignment"]) == figures(printed)
    assert "<html" in page.content.decode() and "<html" not in fragment.content.decode()
    html = page.content.decode()
    assert 'id="alignment-legend"' in html
    assert '78%<span class="visually-hidden"> realisasi terverifikasi, kuning</span>' in html
    assert '55%<span class="visually-hidden"> realisasi terverifikasi, merah</span>' in html
    pdf = render_to_string("pdf/cycle_summary.html", summary_context(cycle, code="ABCD"))
    section = pdf.split("9. Peta keselarasan")[1]
    assert '<span class="light light-yellow">78%</span>' in section
    assert '<span class="light light-red">55%</span>' in section
    assert '<span class="light light-green">100%</span>' in section


def test_no_shading_and_no_query_before_the_implementation_window(world, django_assert_num_queries):
    cycle, _plans = world
    before = cycle.implementation_start - dt.timedelta(days=1)
    with django_assert_num_queries(4):
        result = shaded_alignment_map(cycle, today=before)
    assert not result.monitored and not result.shaded
    with django_assert_num_queries(6):
        shaded_alignment_map(cycle, today=timezone.localdate())


@pytest.mark.parametrize(
    ("chair", "status"),
    [
        ("coordinator", 200),
        ("leader", 200),
        ("agent", 403),
        ("head", 403),
        ("reviewer", 403),
        ("superuser", 403),
    ],
)
def test_who_sees_the_shaded_map(client, world, chair, status):
    cycle, plans = world
    agency = plans["Dinkes"].agency
    people = {
        "coordinator": lambda: user_with_role(Role.COORDINATOR),
        "leader": lambda: user_with_role(Role.LEADERSHIP),
        "agent": lambda: plans["Dinkes"].owner.user,
        "head": lambda: user_with_role(Role.AGENCY_HEAD, agency=agency),
        "reviewer": lambda: user_with_role(Role.REVIEWER),
        "superuser": lambda: UserFactory(is_superuser=True, is_staff=True),
    }
    client.force_login(people[chair]())
    response = client.get(reverse("reports:alignment_map"), {"cycle": cycle.code})
    assert response.status_code == status


def test_anonymous_is_sent_to_sign_in(client, world):
    cycle, _plans = world
    response = client.get(reverse("reports:alignment_map"), {"cycle": cycle.code})
    assert response["Location"].startswith(reverse("login"))
