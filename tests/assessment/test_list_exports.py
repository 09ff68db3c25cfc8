"""Every list of the coordinator downloads whole as a spreadsheet, with the page's filters:
no cap, NIP as text, formula-safe, titled."""

import pytest
from django.urls import reverse

from agenplan.spreadsheets import CREATOR
from assessment.views import coordinator as coordinator_views
from plans.enums import PlanState
from tests.factories import AgencyFactory, AgentFactory, PlanFactory, user_with_role
from tests.workbooks import open_workbook, sheet_rows


@pytest.fixture
def many(cycle):
    """More plans than a page holds (page sizes are made small), in two agencies."""
    first, second = AgencyFactory(name="Badan Satu"), AgencyFactory(name="Dinas Dua")
    plans = []
    for n in range(7):
        owner = AgentFactory(user__agency=first if n % 2 else second)
        plans.append(
            PlanFactory(cycle=cycle, owner=owner, state=PlanState.SUBMITTED, title=f"Rencana {n}")
        )
    plans[0].title = '=HYPERLINK("https://contoh.invalid", "Klik")'
    plans[0].save(update_fields=["title"])
    return plans


def test_plan_list_downloads_every_filtered_row_with_nip_as_text(client, coordinator, many):
    client.force_login(coordinator)
    response = client.get(reverse("plans:list"), {"state": "submitted", "unduh": "xlsx"})
    workbook = open_workbook(response)
    assert (workbook.properties.title, workbook.properties.creator) == ("Daftar rencana", CREATOR)
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("ID", "Judul", "Perangkat daerah", "Agen", "NIP")
    assert len(rows) == 1 + 7  # more than the page shows when paginated by 50? every row
    by_id = {row[0]: row for row in rows[1:]}
    plan = many[3]
    assert by_id[plan.pk][4] == plan.owner.user.nip
    nip_cell = next(c for c in sheet["E"][1:] if c.value == plan.owner.user.nip)
    assert (nip_cell.data_type, nip_cell.number_format) == ("s", "@")
    risky = next(c for c in sheet["B"][1:] if str(c.value).startswith("="))
    assert (risky.data_type, risky.quotePrefix) == ("s", True)


def test_plan_list_download_is_not_cut_at_the_page_size(client, coordinator, many, monkeypatch):
    monkeypatch.setattr("plans.views.PLANS_PER_PAGE", 2)
    client.force_login(coordinator)
    page = client.get(reverse("plans:list"))
    assert (len(page.context["page"].object_list), page.context["page"].paginator.count) == (2, 7)
    assert len(sheet_rows(client.get(reverse("plans:list"), {"unduh": "xlsx"}))) == 8


def test_assignments_download_the_plans_and_the_reviewers_load(
    client, coordinator, many, monkeypatch
):
    monkeypatch.setattr(coordinator_views, "ASSIGNMENT_PAGE_SIZE", 2)
    user_with_role("reviewer", name="Rina Penilai")
    client.force_login(coordinator)
    url = reverse("assessment:assignments")
    cycle = many[0].cycle.code
    assert len(client.get(url, {"cycle": cycle}).context["page"].object_list) == 2
    rows = sheet_rows(client.get(url, {"cycle": cycle, "unduh": "rencana"}))
    assert len(rows) == 8
    assert rows[0][7:] == ("Reviewer aktif", "Penilaian masuk", "Nilai")
    searched = sheet_rows(client.get(url, {"cycle": cycle, "q": "Rencana 4", "unduh": "rencana"}))
    assert [row[1] for row in searched[1:]] == ["Rencana 4"]
    load = sheet_rows(client.get(url, {"cycle": cycle, "unduh": "beban"}))
    assert load[0] == ("Reviewer", "NIP", "Aktif", "Dikirim", "Belum dikirim")
    assert ("Rina Penilai", None, 0, 0, 0) in load


def test_decision_board_downloads_its_filtered_plans(client, coordinator, many):
    client.force_login(coordinator)
    cycle = many[0].cycle.code
    rows = sheet_rows(
        client.get(reverse("assessment:decisions"), {"cycle": cycle, "unduh": "xlsx"})
    )
    assert len(rows) == 8
    assert rows[0][-1] == "Nilai"
    agency = many[1].agency
    rows = sheet_rows(
        client.get(
            reverse("assessment:decisions"),
            {"cycle": cycle, "agency": agency.pk, "unduh": "xlsx"},
        )
    )
    assert {row[2] for row in rows[1:]} == {agency.name}


def test_board_downloads_the_whole_agency_table(client, coordinator, many, monkeypatch):
    monkeypatch.setattr(coordinator_views, "AGENCY_PAGE_SIZE", 1)
    client.force_login(coordinator)
    url = reverse("assessment:board")
    cycle = many[0].cycle.code
    assert len(client.get(url, {"cycle": cycle}).context["agencies"].object_list) == 1
    rows = sheet_rows(client.get(url, {"cycle": cycle, "unduh": "opd"}))
    assert [row[0] for row in rows[1:]] == ["Badan Satu", "Dinas Dua"]
    assert rows[1][-1] == 3 and rows[2][-1] == 4


def test_downloads_answer_only_those_who_see_the_page(client, many):
    client.force_login(user_with_role("reviewer"))
    cycle = many[0].cycle.code
    for name, what in (
        ("assessment:assignments", "rencana"),
        ("assessment:decisions", "xlsx"),
        ("assessment:calibration", "xlsx"),
        ("assessment:board", "opd"),
    ):
        response = client.get(reverse(name), {"cycle": cycle, "unduh": what})
        assert response.status_code == 403, name
