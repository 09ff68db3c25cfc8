"""The plan search of the coordinator's lists: title, text, agent, NIP and agency, on
PostgreSQL through the full-text and trigram indexes, on SQLite word for word."""

import pytest
from django.db import connection
from django.urls import reverse

from plans.enums import PlanState
from plans.models import ActionPlan
from plans.search import search_plans
from tests.factories import AgencyFactory, AgentFactory, PlanFactory

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search is PostgreSQL's"
)


@pytest.fixture
def searched(cycle):
    bapenda = AgencyFactory(name="Badan Pendapatan Daerah", abbreviation="Bapenda")
    rsud = AgencyFactory(name="Rumah Sakit Umum Daerah", abbreviation="RSUD AWS")
    owner = AgentFactory(user__agency=bapenda, user__name="Siti Rahmawati, S.E.")
    owner.user.nip = "198503302010012007"
    owner.user.save(update_fields=["nip"])
    tax = PlanFactory(
        cycle=cycle,
        owner=owner,
        title="Pembayaran pajak kendaraan tanpa antre",
        root_cause="Loket samsat hanya buka pada jam kerja.",
    )
    queue = PlanFactory(
        cycle=cycle,
        owner=AgentFactory(user__agency=rsud, user__name="Budi Santoso"),
        title="Antrean poliklinik daring",
        impact_external="Pasien menunggu di rumah, bukan di lorong rumah sakit.",
    )
    helper = AgentFactory(user__agency=rsud, user__name="Dewi Lestari")
    queue.co_agents.add(helper)
    return {"tax": tax, "queue": queue}


def found(query: str) -> set[str]:
    return set(search_plans(ActionPlan.objects.all(), query).values_list("title", flat=True))


TAX, QUEUE = "Pembayaran pajak kendaraan tanpa antre", "Antrean poliklinik daring"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {TAX, QUEUE}),
        ("kendaraan", {TAX}),  # a word of the title
        ("poliklin", {QUEUE}),  # part of a word of the title
        ("samsat", {TAX}),  # a word of the text
        ("lorong", {QUEUE}),
        ("rahmawati", {TAX}),  # the owner's name, any case
        ("dewi", {QUEUE}),  # a co-agent's name
        ("19850330", {TAX}),  # part of an NIP
        ("NIP. 19850330 201001", {TAX}),  # as typed from a letter
        ("bapenda", {TAX}),  # the agency's abbreviation
        ("rumah sakit umum", {QUEUE}),  # the agency's name
        ("antre", {TAX, QUEUE}),
        ("tidak ada yang cocok", set()),
    ],
)
def test_search_finds_plans_by_title_text_agent_nip_and_agency(searched, query, expected):
    assert found(query) == expected


def test_search_of_a_long_or_odd_query_never_fails(searched):
    assert found("a" * 5000) == set()
    assert found("' OR 1=1 -- & | ! :* (") == set()


@postgresql_only
def test_search_matches_words_by_their_stem_on_postgresql(searched):
    # Snowball's Indonesian stemmer: "pembayaran" and "dibayar" share the stem "bayar";
    # the title holds neither "dibayar" nor any part of it.
    assert found("dibayar") == {TAX}
    assert found("menunggu pasien") == {QUEUE}
    assert found("pasien -lorong") == set()  # websearch syntax: minus excludes


@postgresql_only
def test_search_reads_the_full_text_and_trigram_indexes_on_postgresql(searched):
    """Each branch of the search is answered from its index. A sequential scan, and a
    walk along the primary key filtering every row, are priced out, as they are on a
    table of 50,000 plans; on the test's few rows the planner would otherwise pick
    whichever is cheapest that day."""
    query = search_plans(ActionPlan.objects.all(), "samsat")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        sql, params = query.values("pk").query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # (On so small a table the title's part-of-a-word branch may take another index.)
    for index in ("plan_search_document", "agents_user_name_trgm"):
        assert index in plan, plan


def test_plan_list_searches_text_nip_and_agency(client, coordinator, searched):
    client.force_login(coordinator)
    url = reverse("plans:list")
    for query, expected in (("samsat", [TAX]), ("19850330", [TAX]), ("RSUD", [QUEUE])):
        response = client.get(url, {"q": query})
        assert [plan.title for plan in response.context["page"]] == expected


def test_decision_board_and_assignments_search_the_same_way(client, coordinator, searched):
    ActionPlan.objects.filter(pk=searched["tax"].pk).update(state=PlanState.SUBMITTED)
    ActionPlan.objects.filter(pk=searched["queue"].pk).update(state=PlanState.SUBMITTED)
    client.force_login(coordinator)
    cycle = searched["tax"].cycle.code
    for name in ("assessment:decisions", "assessment:assignments"):
        response = client.get(reverse(name), {"cycle": cycle, "q": "lorong"})
        assert [plan.title for plan in response.context["page"]] == [QUEUE], name
