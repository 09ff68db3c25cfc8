"""The reviewer pool at national size: the assignments page pages the reviewers' load in
the database, and a plan's page offers a bounded list of reviewers with a search, instead
of every reviewer of the deployment as checkboxes and options."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from agents.enums import Role
from agents.validators import generate_nip
from assessment import selectors
from assessment.models import ConflictOfInterest
from assessment.selectors.review import REVIEWER_CHOICES
from assessment.views.coordinator import LOAD_PAGE_SIZE
from plans.enums import PlanState
from tests.factories import (
    AgencyFactory,
    AgentFactory,
    PlanFactory,
    UserFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db


def _plan_in_review(cycle, agency=None):
    owner = AgentFactory(user__agency=agency) if agency else AgentFactory()
    return PlanFactory(cycle=cycle, owner=owner, state=PlanState.IN_REVIEW)


# --- The assignments page's load: paged in the database ----------------------------------


def test_the_load_page_reads_the_same_queries_for_a_larger_pool(client, coordinator, cycle):
    url = reverse("assessment:assignments")
    client.force_login(coordinator)
    for i in range(3):
        user_with_role(Role.REVIEWER, name=f"Awal {i}")
    with CaptureQueriesContext(connection) as small:
        assert client.get(url, {"cycle": cycle.code}).status_code == 200
    for i in range(LOAD_PAGE_SIZE * 3):
        user_with_role(Role.REVIEWER, name=f"Tambahan {i:03d}")
    with CaptureQueriesContext(connection) as large:
        response = client.get(url, {"cycle": cycle.code, "beban": 3})
    assert len(large) == len(small)
    assert response.context["reviewers_total"] == LOAD_PAGE_SIZE * 3 + 3
    # No query reads the whole pool: every query on the users is counted or limited.
    users = [q["sql"] for q in large.captured_queries if 'FROM "agents_user"' in q["sql"]]
    assert users and all("LIMIT" in sql or "COUNT(" in sql for sql in users)


def test_the_load_is_busiest_first_then_by_name_across_pages(
    client, coordinator, cycle, assign, today
):
    idle = [user_with_role(Role.REVIEWER, name=f"Idle {i:02d}") for i in range(LOAD_PAGE_SIZE)]
    busy = user_with_role(Role.REVIEWER, name="Zaenal Sibuk")
    sent_one = user_with_role(Role.REVIEWER, name="Yani Separuh")
    unroled = AgentFactory(user__name="Tanpa Peran").user
    for _ in range(3):
        assign(_plan_in_review(cycle), busy, due=today)
    assign(_plan_in_review(cycle), sent_one, due=today)
    assign(_plan_in_review(cycle), unroled, due=today)
    client.force_login(coordinator)
    url = reverse("assessment:assignments")
    first = client.get(url, {"cycle": cycle.code}).context["load"]
    assert [(r.name, r.active) for r in first][:3] == [
        ("Zaenal Sibuk", 3),
        ("Tanpa Peran", 1),
        ("Yani Separuh", 1),
    ]
    assert [r.name for r in first][3:] == [r.name for r in idle[: LOAD_PAGE_SIZE - 3]]
    second = client.get(url, {"cycle": cycle.code, "beban": 2}).context["load"]
    assert [r.name for r in second] == [r.name for r in idle[LOAD_PAGE_SIZE - 3 :]]
    assert all(r.pending == r.active - r.submitted for r in [*first, *second])
    # Another cycle's load does not count in this one.
    other = PlanFactory(cycle__code="lain", state=PlanState.IN_REVIEW)
    assign(other, idle[0], due=today)
    again = client.get(url, {"cycle": cycle.code}).context["load"]
    assert [r.name for r in again][:3] == ["Zaenal Sibuk", "Tanpa Peran", "Yani Separuh"]


def test_the_load_export_holds_every_reviewer(client, coordinator, cycle):
    for i in range(LOAD_PAGE_SIZE + 5):
        user_with_role(Role.REVIEWER, name=f"Reviewer {i:02d}")
    client.force_login(coordinator)
    response = client.get(
        reverse("assessment:assignments"), {"cycle": cycle.code, "unduh": "beban"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[0] for row in sheet.iter_rows(values_only=True) if row[0]]
    assert [f"Reviewer {i:02d}" for i in range(LOAD_PAGE_SIZE + 5)] == [
        name for name in names if str(name).startswith("Reviewer ")
    ]


# --- A plan's reviewer choices: bounded, searchable --------------------------------------


def test_without_a_search_the_plan_offers_the_lightest_reviewers_free_of_conflict(
    cycle, assign, today
):
    home = AgencyFactory(name="Dinas Asal", abbreviation="DA")
    plan = _plan_in_review(cycle, agency=home)
    others = [user_with_role(Role.REVIEWER, name=f"Bebas {i:02d}") for i in range(25)]
    user_with_role(Role.REVIEWER, name="Aaa Sekantor", agency=home)
    declared = user_with_role(Role.REVIEWER, name="Aaa Berkonflik")
    ConflictOfInterest.objects.create(reviewer=declared, agent=plan.owner)
    on_plan = others[24]
    assign(plan, on_plan, due=today)
    assign(_plan_in_review(cycle), others[0], due=today)
    choices = selectors.reviewer_options(plan)
    names = [r.name for r in choices.reviewers]
    # The reviewer already on the plan first (ticked, fixed), then the lightest loads.
    assert names[0] == "Bebas 24" and choices.reviewers[0].assigned
    assert names[1:] == [f"Bebas {i:02d}" for i in range(1, 21)]
    assert len(choices.reviewers) == 1 + REVIEWER_CHOICES and choices.more
    assert "Aaa Sekantor" not in names and "Aaa Berkonflik" not in names
    assert not any(r.conflict for r in choices.reviewers)


def test_a_search_finds_reviewers_by_name_nip_or_agency_and_marks_conflicts(cycle):
    home = AgencyFactory(name="Dinas Pariwisata", abbreviation="DISPAR")
    plan = _plan_in_review(cycle, agency=home)
    same = user_with_role(Role.REVIEWER, name="Rina Sekantor", agency=home)
    declared = user_with_role(Role.REVIEWER, name="Rina Berkonflik")
    ConflictOfInterest.objects.create(reviewer=declared, agency=home)
    nip = generate_nip(
        birth_date=dt.date(1985, 6, 2),
        appointment_month=dt.date(2010, 3, 1),
        gender="P",
        sequence=7,
    )
    free = user_with_role(Role.REVIEWER, name="Rina Bebas", nip=nip)
    user_with_role(Role.REVIEWER, name="Budi Lain")
    found = selectors.reviewer_options(plan, query="rina")
    assert [(r.name, str(r.conflict)) for r in found.reviewers] == [
        ("Rina Bebas", ""),
        ("Rina Berkonflik", "konflik kepentingan"),
        ("Rina Sekantor", "perangkat daerah yang sama"),
    ]
    assert not found.more
    assert [r.pk for r in selectors.reviewer_options(plan, query=nip[:10]).reviewers] == [free.pk]
    assert [r.pk for r in selectors.reviewer_options(plan, query="dispar").reviewers] == [same.pk]
    assert selectors.reviewer_options(plan, query="tidak ada siapa pun").reviewers == []
    # Someone without the reviewer role is never offered.
    AgentFactory(user__name="Rina Agen")
    assert "Rina Agen" not in [
        r.name for r in selectors.reviewer_options(plan, query="rina").reviewers
    ]


def test_ticked_reviewers_are_kept_across_a_search(cycle):
    plan = _plan_in_review(cycle)
    ticked = user_with_role(Role.REVIEWER, name="Dewi Terpilih")
    user_with_role(Role.REVIEWER, name="Eko Dicari")
    choices = selectors.reviewer_options(plan, query="eko", chosen=[ticked.pk])
    assert [(r.name, r.chosen) for r in choices.reviewers] == [
        ("Dewi Terpilih", True),
        ("Eko Dicari", False),
    ]


def test_the_plan_page_reads_the_same_queries_for_a_larger_pool(client, coordinator, cycle):
    plan = _plan_in_review(cycle)
    client.force_login(coordinator)
    url = reverse("assessment:plan", args=[plan.pk])
    for i in range(3):
        user_with_role(Role.REVIEWER, name=f"Awal {i}")
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for i in range(REVIEWER_CHOICES * 3):
        user_with_role(Role.REVIEWER, name=f"Tambahan {i:03d}")
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert len(large) == len(small)
    html = response.content.decode()
    assert html.count('name="reviewers"') == REVIEWER_CHOICES
    assert "cari nama, NIP, atau perangkat daerah untuk yang lain" in html


def test_the_plan_page_searches_without_javascript(client, coordinator, cycle):
    plan = _plan_in_review(cycle)
    wanted = user_with_role(Role.REVIEWER, name="Fajar Dicari")
    user_with_role(Role.REVIEWER, name="Gita Lain")
    client.force_login(coordinator)
    response = client.get(reverse("assessment:plan", args=[plan.pk]), {"cari": "fajar"})
    html = response.content.decode()
    assert f'value="{wanted.pk}"' in html and "Gita Lain" not in html
    assert 'value="fajar"' in html


def test_the_search_fragment_gives_checkboxes_or_options(client, coordinator, cycle, assign, today):
    plan = _plan_in_review(cycle)
    on_plan = user_with_role(Role.REVIEWER, name="Hadi Sudah")
    ticked = user_with_role(Role.REVIEWER, name="Indah Dicentang")
    user_with_role(Role.REVIEWER, name="Hana Dicari")
    assign(plan, on_plan, due=today)
    client.force_login(coordinator)
    url = reverse("assessment:reviewer_choices", args=[plan.pk])
    boxes = client.get(url, {"cari": "ha", "reviewers": [str(ticked.pk), "x"]}).content.decode()
    assert boxes.count('name="reviewers"') == 3
    assert f'value="{on_plan.pk}"' in boxes and "checked disabled" in boxes
    assert f'value="{ticked.pk}"' in boxes
    options = client.get(url, {"cari": "ha", "bentuk": "opsi"}).content.decode()
    assert "Hana Dicari" in options and "Hadi Sudah" not in options
    assert "Pilih otomatis" in options
    nothing = client.get(url, {"cari": "zzz"}).content.decode()
    assert "Tidak ada reviewer yang cocok dengan “zzz”." in nothing


@pytest.mark.parametrize("chair", [Role.AGENT, Role.REVIEWER, Role.LEADERSHIP, None])
def test_only_the_coordinator_searches_a_plans_reviewers(client, cycle, chair):
    plan = _plan_in_review(cycle)
    # None: a superuser holding no role.
    user = user_with_role(chair) if chair else UserFactory(is_superuser=True, is_staff=True)
    client.force_login(user)
    url = reverse("assessment:reviewer_choices", args=[plan.pk])
    assert client.get(url, {"cari": "a"}).status_code in (403, 404)


def test_the_search_of_a_missing_plan_is_404(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("assessment:reviewer_choices", args=[999999])).status_code == 404
