"""Similar innovations across agencies: the lookup (PostgreSQL's full-text search and
trigrams; the token overlap elsewhere), the labelled pairs' quality, what the lists show
and to whom, and the coordinator's links (kolaborasi, replikasi) on both plans."""

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse

from agents.enums import Role
from demo.seeding.similar import labelled_pairs, quality, sides
from plans.enums import LinkKind, PlanState
from plans.models import PlanLink
from plans.selectors import similar as similar_module
from plans.selectors.similar import plan_links, similar_plans, similar_to_plan
from plans.services.common import PlanError
from plans.services.links import link_plans, unlink_plans
from plans.similarity import overlap, search_config, words
from reports.rendering.cycle_summary import summary_context
from tests.factories import AgencyFactory, AgentFactory, CycleFactory, PlanFactory, user_with_role

ON_POSTGRESQL = connection.vendor == "postgresql"


def _plan(side, *, state=PlanState.SUBMITTED, cycle=None, agency=None):
    owner = AgentFactory(user__agency=agency or AgencyFactory())
    return PlanFactory(
        owner=owner,
        cycle=cycle or CycleFactory(),
        state=state,
        title=side.title,
        strategic_issue=side.issue,
        innovation=side.innovation,
    )


@pytest.fixture
def labelled(db):
    """Every side of the labelled pairs as a plan handed in, each in its own agency."""
    return {side: _plan(side) for side in sides()}


def _lookups():
    yield "database", lambda plan: [item.plan for item in similar_to_plan(plan)]
    yield "fallback", lambda plan: _fallback_plans(plan)


def _fallback_plans(plan):
    found = similar_module._fallback(plan.title, plan.strategic_issue, plan.innovation, plan.pk, 5)
    by_id = {p.pk: p for p in type(plan).objects.filter(pk__in=[pk for pk, _s in found])}
    return [by_id[pk] for pk, _score in found]


@pytest.mark.parametrize("path", ["database", "fallback"])
def test_the_labelled_pairs_are_found_and_the_unrelated_ones_are_not(labelled, path):
    lookup = dict(_lookups())[path]
    measured = quality(labelled, lookup)
    assert measured.similar == sum(1 for *_sides, similar in labelled_pairs() if similar)
    assert measured.recall == 1.0
    assert measured.found_not_similar == 0
    assert measured.precision == 1.0


@pytest.mark.parametrize("path", ["database", "fallback"])
def test_the_reworded_plan_comes_first(labelled, path):
    lookup = dict(_lookups())[path]
    for a, b, similar in labelled_pairs():
        if similar:
            assert lookup(labelled[a])[0] == labelled[b], a.title


def test_drafts_and_the_plan_itself_are_left_out(db):
    first, second, _similar = labelled_pairs()[0]
    plan = _plan(first)
    draft = _plan(second, state=PlanState.DRAFT)
    assert similar_to_plan(plan) == []
    draft.state = PlanState.SUBMITTED
    draft.save(update_fields=["state"])
    assert [item.plan for item in similar_to_plan(plan)] == [draft]


def test_what_the_agent_types_is_compared_before_it_is_saved(db):
    first, second, _similar = labelled_pairs()[0]
    other = _plan(second)
    empty = _plan(type(first)(title="Rencana baru", issue="", innovation=""))
    assert similar_to_plan(empty) == []
    found = similar_to_plan(empty, innovation=first.innovation, problem=first.issue)
    assert [item.plan for item in found] == [other]


def test_an_empty_text_finds_nothing(db):
    assert similar_plans(title="", problem="", innovation="   ") == []


@pytest.mark.skipif(not ON_POSTGRESQL, reason="PostgreSQL's text search configurations")
def test_the_indonesian_configuration_is_used_where_the_server_has_it(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_ts_config WHERE cfgname = 'indonesian'")
        has_it = cursor.fetchone()[0] == 1
    assert search_config(connection) == ("indonesian" if has_it else "simple")


def test_significant_words_and_their_overlap():
    assert words("Layanan antrean DARING di Dinas dan 24 jam") == {"antrean", "daring", "dinas"}
    assert overlap({"a", "b"}, {"a", "b"}) == 1.0
    assert overlap({"a", "b", "c", "d"}, {"a"}) == 0.5
    assert overlap(set(), {"a"}) == 0.0


# --- Who sees the list -------------------------------------------------------------------------


@pytest.fixture
def pair(db):
    first, second, _similar = labelled_pairs()[0]
    cycle = CycleFactory()
    return _plan(first, cycle=cycle), _plan(second, cycle=cycle)


def test_the_team_sees_similar_plans_of_other_agencies_without_their_content(client, pair):
    mine, theirs = pair
    client.force_login(mine.owner.user)
    response = client.get(reverse("plans:similar", args=[mine.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert theirs.title in html and theirs.agency.name in html
    # Title, agency, cycle and state; never the other team's text or people.
    assert theirs.innovation not in html
    assert theirs.owner.user.name not in html
    assert reverse("plans:detail", args=[theirs.pk]) not in html
    assert 'name="kind"' not in html


def test_the_editor_sends_what_is_typed(client, pair):
    mine, theirs = pair
    client.force_login(mine.owner.user)
    response = client.get(
        reverse("plans:similar", args=[mine.pk]),
        {"innovation": "", "strategic_issue": "", "title": ""},
    )
    assert theirs.title not in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("colleague", 404), ("reviewer", 404), ("head", 403), ("leader", 403), ("coordinator", 200)],
)
def test_who_may_ask_for_the_list(client, pair, who, status):
    mine, _theirs = pair
    people = {
        "colleague": lambda: AgentFactory(user__agency=mine.agency).user,
        "reviewer": lambda: user_with_role(Role.REVIEWER),
        "head": lambda: user_with_role(Role.AGENCY_HEAD, agency=mine.agency),
        "leader": lambda: user_with_role(Role.LEADERSHIP),
        "coordinator": lambda: user_with_role(Role.COORDINATOR),
    }
    client.force_login(people[who]())
    assert client.get(reverse("plans:similar", args=[mine.pk])).status_code == status


def test_the_coordinator_searches_by_free_text_on_the_board(client, pair):
    mine, theirs = pair
    client.force_login(user_with_role(Role.COORDINATOR))
    first, _second, _similar = labelled_pairs()[0]
    html = client.get(reverse("plans:similar_search"), {"q": first.innovation}).content.decode()
    assert mine.title in html and theirs.title in html
    assert reverse("plans:detail", args=[theirs.pk]) in html
    client.force_login(mine.owner.user)
    assert client.get(reverse("plans:similar_search"), {"q": "tanda tangan"}).status_code == 403


# --- Links -------------------------------------------------------------------------------------


def test_the_coordinator_links_two_plans_and_both_show_it(client, pair):
    mine, theirs = pair
    coordinator = user_with_role(Role.COORDINATOR)
    client.force_login(coordinator)
    response = client.post(
        reverse("plans:link", args=[theirs.pk]),
        {"other": mine.pk, "kind": LinkKind.COLLABORATION},
    )
    assert response.status_code == 302
    link = PlanLink.objects.get()
    # A collaboration is stored once, the smaller id first.
    assert (link.plan, link.other, link.kind) == (mine, theirs, LinkKind.COLLABORATION)
    for plan, other in ((mine, theirs), (theirs, mine)):
        client.force_login(plan.owner.user)
        html = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
        assert f"Kolaborasi: <strong>{other.title}</strong>" in html
    with pytest.raises(PlanError) as again:
        link_plans(theirs, mine, kind=LinkKind.REPLICATION, by=coordinator)
    assert again.value.code == "duplicate"


def test_a_replication_reads_both_ways(pair):
    original, copy = pair
    coordinator = user_with_role(Role.COORDINATOR)
    link_plans(copy, original, kind=LinkKind.REPLICATION, by=coordinator)
    assert [(i.label, i.plan) for i in plan_links(copy)] == [("Replikasi dari", original)]
    assert [(i.label, i.plan) for i in plan_links(original)] == [("Direplikasi oleh", copy)]
    unlink_plans(PlanLink.objects.get(), by=coordinator)
    assert plan_links(copy) == []


def test_only_the_coordinator_links_and_never_a_plan_to_itself(pair):
    mine, theirs = pair
    with pytest.raises(PlanError) as refused:
        link_plans(mine, theirs, kind=LinkKind.COLLABORATION, by=mine.owner.user)
    assert refused.value.code == "permission_denied"
    coordinator = user_with_role(Role.COORDINATOR)
    with pytest.raises(PlanError) as itself:
        link_plans(mine, mine, kind=LinkKind.COLLABORATION, by=coordinator)
    assert itself.value.code == "invalid"
    with pytest.raises(PlanError) as kind:
        link_plans(mine, theirs, kind="teman", by=coordinator)
    assert kind.value.code == "invalid"
    assert not PlanLink.objects.exists()


def test_the_provincial_summary_lists_the_links_of_its_cycle(pair):
    mine, theirs = pair
    link_plans(theirs, mine, kind=LinkKind.REPLICATION, by=user_with_role(Role.COORDINATOR))
    context = summary_context(mine.cycle, code="ABCDEFGHJKLMNPQR")
    assert [(link.plan, link.other) for link in context["links"]] == [(theirs, mine)]
    html = render_to_string("pdf/cycle_summary.html", context)
    section = html.split("Kolaborasi dan replikasi antar-perangkat daerah")[1]
    assert f"{theirs.title} ({theirs.agency.name})" in section
    assert "Replikasi dari" in section
    assert f"{mine.title} ({mine.agency.name})" in section
