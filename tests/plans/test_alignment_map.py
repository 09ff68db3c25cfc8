"""The alignment map: plans per RB change area × BerAKHLAK value and per agency × area,
empty cells named, every cell a link to the plan list, its data as a table; a fixed
number of queries; for the Biro Organisasi and leadership only."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from agents.enums import Role
from plans.models import ChangeArea, CoreValue
from plans.selectors.alignment import alignment_map
from reports.rendering.cycle_summary import summary_context
from tests.factories import AgencyFactory, AgentFactory, PlanFactory, user_with_role


@pytest.fixture
def refs(db):
    areas = [
        ChangeArea.objects.create(code=code, name=name, order=i)
        for i, (code, name) in enumerate(
            [("MP", "Manajemen Perubahan"), ("TL", "Penataan Tata Laksana"), ("PP", "Pelayanan")]
        )
    ]
    values = [
        CoreValue.objects.create(code=code, name=name, order=i)
        for i, (code, name) in enumerate([("B", "Berorientasi Pelayanan"), ("A", "Akuntabel")])
    ]
    return areas, values


def _plan(cycle, agency, areas, values):
    plan = PlanFactory(cycle=cycle, owner=AgentFactory(user__agency=agency), agency=agency)
    plan.change_areas.set(areas)
    plan.core_values.set(values)
    return plan


@pytest.fixture
def world(cycle, refs):
    (mp, _tl, pp), (b, a) = refs
    dinkes = AgencyFactory(name="Dinas Kesehatan", abbreviation="Dinkes")
    bappeda = AgencyFactory(name="Badan Perencanaan", abbreviation="Bappeda")
    _plan(cycle, dinkes, [mp, pp], [b])
    _plan(cycle, dinkes, [pp], [b, a])
    _plan(cycle, bappeda, [mp], [a])
    return cycle, dinkes, bappeda


def test_counts_per_area_and_value_and_the_empty_cells_named(world):
    cycle, dinkes, bappeda = world
    result = alignment_map(cycle)
    heat = result.area_value
    assert heat.columns == [("B", "Berorientasi Pelayanan"), ("A", "Akuntabel")]
    assert [(row.label, [c.count for c in row.cells]) for row in heat.rows] == [
        ("Manajemen Perubahan", [1, 1]),
        ("Penataan Tata Laksana", [0, 0]),
        ("Pelayanan", [2, 1]),
    ]
    assert heat.empty_rows == ["Penataan Tata Laksana"]
    assert heat.rows[2].cells[0].query == f"cycle={cycle.code}&area=PP&value=B"
    # Shading: the share of the row's largest count.
    assert [c.share for c in heat.rows[2].cells] == [100, 50]
    agencies = result.agency_area
    assert [(row.label, [c.count for c in row.cells]) for row in agencies.rows] == [
        ("Bappeda", [1, 0, 0]),
        ("Dinkes", [1, 0, 2]),
    ]
    assert agencies.rows[1].cells[2].query == f"cycle={cycle.code}&agency={dinkes.pk}&area=PP"
    assert result.agencies_without == {"Penataan Tata Laksana": 2, "Pelayanan": 1}


def test_the_fragment_links_every_cell_and_names_the_gaps(client, world):
    cycle, _dinkes, _bappeda = world
    client.force_login(user_with_role(Role.LEADERSHIP))
    response = client.get(reverse("reports:alignment_map"), {"cycle": cycle.code})
    html = response.content.decode()
    assert response.status_code == 200
    list_url = reverse("plans:list")
    assert f'<a href="{list_url}?cycle={cycle.code}&amp;area=PP&amp;value=B">2</a>' in html
    assert "Area Penataan Tata Laksana: tidak ada rencana dari 2 dari 2 OPD" in html
    assert '<caption class="visually-hidden">' in html
    # The cell's link leads to the plans it counts.
    listed = client.get(f"{list_url}?cycle={cycle.code}&area=PP&value=B")
    assert listed.context["page"].paginator.count == 2


def test_the_map_reads_four_queries_whatever_the_number_of_plans(
    world, refs, django_assert_num_queries
):
    cycle, dinkes, _bappeda = world
    with django_assert_num_queries(4):
        alignment_map(cycle)
    (mp, tl, _pp), (b, _a) = refs
    for _i in range(5):
        _plan(cycle, AgencyFactory(), [tl], [b])
    with django_assert_num_queries(4):
        result = alignment_map(cycle)
    assert result.area_value.empty_rows == []
    assert result.agencies == 7


@pytest.mark.parametrize(("role", "status"), [(Role.COORDINATOR, 200), (Role.AGENCY_HEAD, 403)])
def test_who_sees_it(client, world, role, status):
    cycle, dinkes, _bappeda = world
    kwargs = {"agency": dinkes} if role == Role.AGENCY_HEAD else {}
    client.force_login(user_with_role(role, **kwargs))
    assert client.get(reverse("reports:alignment_map"), {"cycle": cycle.code}).status_code == status
    assert client.get(reverse("reports:alignment_map"), {"cycle": "nope"}).status_code in (403, 404)


def test_the_summary_pdf_carries_the_same_map(world):
    cycle, _dinkes, _bappeda = world
    context = summary_context(cycle, code="ABCDEFGHJKLMNPQR")
    html = render_to_string("pdf/cycle_summary.html", context)
    section = html.split("9. Peta keselarasan")[1]
    assert "Area tanpa rencana: Penataan Tata Laksana" in section
    assert "Area Pelayanan: tidak ada rencana dari 1 dari 2 OPD" in section
    assert '<th scope="row">Dinkes</th>' in section
