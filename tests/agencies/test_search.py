"""The agency search behind the searchable agency filters, and the filters themselves:
a page carries the chosen agency only, never the whole list."""

import pytest
from django.urls import reverse

from agents.enums import Role
from tests.factories import AgencyFactory, user_with_role

SEARCH = reverse("agencies:search")


@pytest.fixture
def agencies(db):
    made = [
        AgencyFactory(name=f"Dinas Pembanding {i:02d}", abbreviation=f"DP{i:02d}")
        for i in range(25)
    ]
    made.append(AgencyFactory(name="Badan Kepegawaian Daerah", abbreviation="BKD"))
    made.append(AgencyFactory(name="Badan Lama", abbreviation="BL", is_active=False))
    return made


def options(response) -> list[str]:
    html = response.content.decode()
    return [part.split(">", 1)[1].split("<", 1)[0].strip() for part in html.split("<option")[1:]]


def test_search_finds_by_name_or_abbreviation_and_chooses_the_first(client, coordinator, agencies):
    client.force_login(coordinator)
    response = client.get(SEARCH, {"cari": "bkd", "kosong": "Semua"})
    assert response.status_code == 200
    assert options(response) == ["Semua", "Badan Kepegawaian Daerah (BKD)"]
    html = response.content.decode()
    assert f'value="{agencies[25].pk}" selected' in html
    by_name = client.get(SEARCH, {"cari": "kepegawaian"})
    assert options(by_name)[1:] == ["Badan Kepegawaian Daerah (BKD)"]


def test_search_is_bounded_and_says_when_there_is_more(client, coordinator, agencies):
    client.force_login(coordinator)
    found = options(client.get(SEARCH, {"cari": "pembanding"}))
    assert len(found) == 1 + 20 + 1
    assert found[-1] == "… ketik lebih banyak untuk mempersempit"


def test_search_can_leave_out_inactive_agencies(client, coordinator, agencies):
    client.force_login(coordinator)
    assert options(client.get(SEARCH, {"cari": "lama"}))[1:] == ["Badan Lama (BL)"]
    assert options(client.get(SEARCH, {"cari": "lama", "aktif": "1"}))[1:] == []


def test_search_needs_a_signed_in_user_and_only_answers_get(client, agencies):
    response = client.get(SEARCH, {"cari": "bkd"})
    assert response.status_code == 302
    assert "Badan Kepegawaian" not in response.content.decode()
    client.force_login(user_with_role(Role.REVIEWER))
    assert client.post(SEARCH, {"cari": "bkd"}).status_code == 405


@pytest.mark.parametrize(
    ("name", "role", "param"),
    [
        ("assessment:decisions", Role.COORDINATOR, "agency"),
        ("assessment:assignments", Role.COORDINATOR, "agency"),
        ("plans:list", Role.COORDINATOR, "agency"),
        ("assessment:conflicts", Role.REVIEWER, None),
    ],
)
def test_agency_filters_carry_the_chosen_agency_only(client, cycle, agencies, name, role, param):
    client.force_login(user_with_role(role))
    chosen = agencies[3]
    response = client.get(reverse(name), {param: chosen.pk} if param else {})
    assert response.status_code == 200
    html = response.content.decode()
    select = html.split('name="agency"', 1)[1].split("</select>", 1)[0]
    listed = select.count("<option")
    assert listed == (2 if param else 1)
    if param:
        assert f'value="{chosen.pk}" selected' in select
    assert f'hx-get="{SEARCH}"' in html
    # An unknown agency is ignored by the filter, never a 500.
    if param:
        assert client.get(reverse(name), {param: "999999999"}).status_code == 200
