"""The dashboard's cost and its cache: the same number of queries for 155 plans as for
2,000, none for the figures on a warm cache, and fresh figures after every change of a
plan, review, assignment or decision of the cycle."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from agencies.models import Agency
from agenplan import cycle_cache as dashboard_cache
from agents.enums import Role
from agents.models import Agent, User
from assessment.enums import ReviewState
from assessment.models import Decision, Review, ReviewAssignment
from plans.enums import PlanState
from plans.models import ActionPlan, ChangeArea, CoreValue, PlanVersion
from plans.services.alignment import refresh_alignment
from plans.services.workflow import transition_many
from reports.models import AgencyTally
from reports.selectors import agency_rows, agency_table, cycle_overview, review_totals
from reports.selectors import overview as overview_selectors
from reports.selectors.tally_sums import json_sums
from reports.services import agency_tallies
from tests.factories import AgencyFactory, AgentFactory, CycleFactory, PlanFactory, user_with_role

DASHBOARD = reverse("reports:dashboard")
SCORED = PlanState.DECIDED | {PlanState.REVIEWED, PlanState.REVISION_REQUESTED}

pytestmark = pytest.mark.usefixtures("empty_cache")


def bulk_province(cycle, *, plans: int, agencies: int, author: User) -> list[Agency]:
    """`plans` agents, each with one plan, spread over `agencies` agencies; every state,
    scores on reviewed plans, alignment rows and a submitted version per submitted plan.
    Written with bulk_create (no signals: the tests clear the cache themselves, and the
    dashboard's rows per agency are rebuilt at the end, as `seed_scale` does)."""
    tag = f"{cycle.pk}-{plans}"
    agency_rows = Agency.objects.bulk_create(
        Agency(code=f"M-{tag}-{i}", name=f"Perangkat Massal {tag} {i:04d}", kind="dinas")
        for i in range(agencies)
    )
    users = User.objects.bulk_create(
        User(username=f"massal-{tag}-{i}", name=f"Agen Massal {i}", password="!")
        for i in range(plans)
    )
    agents = Agent.objects.bulk_create(
        Agent(user=user, agency=agency_rows[i % agencies]) for i, user in enumerate(users)
    )
    states = PlanState.values
    rows = ActionPlan.objects.bulk_create(
        ActionPlan(
            cycle=cycle,
            agency_id=agent.agency_id,
            owner=agent,
            title=f"Rencana massal {i}",
            state=states[i % len(states)],
            score=Decimal(i % 101) if states[i % len(states)] in SCORED else None,
            review_flagged=i % 7 == 0,
        )
        for i, agent in enumerate(agents)
    )
    area, _ = ChangeArea.objects.get_or_create(code="TL", defaults={"name": "Tatalaksana"})
    value, _ = CoreValue.objects.get_or_create(code="B", defaults={"name": "Berorientasi"})
    ActionPlan.change_areas.through.objects.bulk_create(
        ActionPlan.change_areas.through(actionplan_id=p.pk, changearea_id=area.pk) for p in rows
    )
    ActionPlan.core_values.through.objects.bulk_create(
        ActionPlan.core_values.through(actionplan_id=p.pk, corevalue_id=value.pk) for p in rows[::2]
    )
    refresh_alignment(p.pk for p in rows)  # bulk-inserted links send no m2m signal
    start = timezone.now() - dt.timedelta(days=60)
    PlanVersion.objects.bulk_create(
        PlanVersion(
            plan=p,
            cycle=cycle,
            number=1,
            snapshot={},
            created_by=author,
            created_at=start + dt.timedelta(days=i % 50),
        )
        for i, p in enumerate(rows)
        if p.state in PlanState.SUBMITTED_ONCE
    )
    agency_tallies.rebuild(cycle)
    return agency_rows


# Queries of one dashboard request. Warm (figures cached): session, user (with agency,
# agent profile and role grants), current cycle, the cycle picker. Cold adds the figures:
# the cycle's kept totals (CycleTally), the areas' and values' names, top plans, the
# previous cycle and its totals; the agencies listed, counted, and each lagging list (its
# first rows with how many in all); the table's page and its count, from the agencies'
# kept rows (AgencyTally, sorted and paged by the database). Before the rows were kept:
# 16, the totals, per-agency aggregate, agents per agency, agencies and weeks each a pass
# over the cycle.
SEKDA_COLD = 14
SEKDA_WARM = 4
# Another page or order of the agency table, on a warm cache: its page and its count.
TABLE_PAGE = 2


def test_the_counts_per_key_summed_in_python_where_the_database_cannot(leader, cycle, monkeypatch):
    """SQLite's path (the rows' JSON read and summed here) gives PostgreSQL's figures:
    states, score bins, coverage and weeks."""
    bulk_province(cycle, plans=60, agencies=7, author=leader)
    tallies = AgencyTally.objects.filter(cycle=cycle)
    native = json_sums(tallies, overview_selectors.JSON_TOTALS)
    monkeypatch.setattr(connection, "vendor", "sqlite")
    assert json_sums(tallies, overview_selectors.JSON_TOTALS) == native
    assert native["weeks"] and sum(native["states"].values()) == 60


@pytest.mark.parametrize(("plans", "agencies"), [(155, 50), (2000, 400)])
def test_dashboard_costs_the_same_queries_whatever_the_size(
    client, leader, cycle, plans, agencies, django_assert_num_queries
):
    bulk_province(cycle, plans=plans, agencies=agencies, author=leader)
    client.force_login(leader)
    with django_assert_num_queries(SEKDA_COLD):
        cold = client.get(DASHBOARD)
    with django_assert_num_queries(SEKDA_WARM):
        client.get(DASHBOARD)
    with django_assert_num_queries(SEKDA_WARM + TABLE_PAGE):
        warm = client.get(DASHBOARD, {"sort": "-score", "page": "2"})
    assert cold.context["overview"].headline.plans == plans
    assert warm.context["table"].paginator.count == agencies


@pytest.mark.parametrize(("plans", "agencies"), [(155, 50), (2000, 400)])
def test_head_dashboard_and_agency_page_cost_the_same_whatever_the_size(
    client, cycle, plans, agencies, django_assert_num_queries
):
    author = user_with_role(Role.COORDINATOR)
    agency = bulk_province(cycle, plans=plans, agencies=agencies, author=author)[0]
    head = user_with_role(Role.AGENCY_HEAD, agency=agency)
    client.force_login(head)
    # The agencies they head, and their agency; its totals are its row's, summed (two
    # reads where the province reads its one kept row).
    with django_assert_num_queries(SEKDA_COLD + 3):
        response = client.get(DASHBOARD)
    assert response.context["overview"].headline.plans == plans // agencies + (plans % agencies > 0)
    # The criterion means, the agency's and the cycle's, are one query over the sums kept
    # per agency (CriterionTally), not a pass over every score of the cycle; the agency's
    # figures are its one kept row.
    with django_assert_num_queries(11):
        page = client.get(reverse("reports:agency", args=[agency.pk]))
    assert len(page.context["page"].plans) == response.context["overview"].headline.plans


def test_overview_is_cached_until_a_plan_of_the_cycle_changes(
    client, leader, cycle, agency, django_capture_on_commit_callbacks
):
    plan = PlanFactory(cycle=cycle, owner=AgentFactory(user__agency=agency))
    first = cycle_overview(cycle)
    assert first.headline.submitted == 0
    # A write that sends no signal is not seen: the figures come from the cache.
    ActionPlan.objects.filter(pk=plan.pk).update(state=PlanState.SUBMITTED)
    assert cycle_overview(cycle).headline.submitted == 0
    # A state saved without the domain signal is not heard either: the cache hears state
    # changes from plan_state_changed, which every transition sends, single or bulk.
    plan.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        plan.save(update_fields=["state"])
    assert cycle_overview(cycle).headline.submitted == 0
    with django_capture_on_commit_callbacks(execute=True):
        transition_many(
            [plan], source=PlanState.SUBMITTED, to=PlanState.IN_REVIEW, by=None, action="x"
        )
    assert cycle_overview(cycle).headline.submitted == 1
    # A save of the plan's content invalidates the cycle's figures too.
    before = dashboard_cache.versions(cycle.pk)
    with django_capture_on_commit_callbacks(execute=True):
        plan.save(update_fields=["title"])
    assert dashboard_cache.versions(cycle.pk)[1] != before[1]


def test_a_request_reads_each_cached_figure_once(cycle, monkeypatch):
    """Within a request a value is read from the cache once (the dashboard reads the
    agency figures from several places); a bump is still seen at once; outside a request
    every call goes to the cache."""
    from django.core.signals import request_finished, request_started  # noqa: PLC0415

    built, gets = [], []
    real_get = dashboard_cache.cache.get

    def counting_get(key, *args, **kwargs):
        if "memo-test" in key:
            gets.append(key)
        return real_get(key, *args, **kwargs)

    monkeypatch.setattr(dashboard_cache.cache, "get", counting_get)

    def build():
        built.append(1)
        return ["figures", len(built)]

    request_started.send(sender=None)
    try:
        first = dashboard_cache.cached(cycle.pk, "memo-test", build)
        assert dashboard_cache.cached(cycle.pk, "memo-test", build) is first
        assert (len(built), len(gets)) == (1, 1)
        dashboard_cache.bump_cycle(cycle.pk)
        assert dashboard_cache.cached(cycle.pk, "memo-test", build) == ["figures", 2]
        # Official documents read the database whatever the request has seen.
        assert dashboard_cache.cached(cycle.pk, "memo-test", build, refresh=True)[1] == 3
    finally:
        request_finished.send(sender=None)
    gets.clear()
    dashboard_cache.cached(cycle.pk, "memo-test", build)
    dashboard_cache.cached(cycle.pk, "memo-test", build)
    assert len(gets) == 2


def test_other_cycles_keep_their_cached_figures(cycle, agency):
    other = CycleFactory()
    PlanFactory(cycle=other, owner=AgentFactory(user__agency=agency))
    before = dashboard_cache.versions(other.pk)
    PlanFactory(cycle=cycle, owner=AgentFactory(user__agency=agency))
    # Adding an agent bumps the global version; a plan only its own cycle's.
    after_agent = dashboard_cache.versions(other.pk)
    assert after_agent[1] == before[1]
    plan = ActionPlan.objects.filter(cycle=cycle).first()
    plan.save()
    assert dashboard_cache.versions(other.pk) == after_agent


def test_review_assignment_and_decision_invalidate_their_cycle(
    cycle, agency, coordinator, django_capture_on_commit_callbacks
):
    plan = PlanFactory(
        cycle=cycle, owner=AgentFactory(user__agency=agency), state=PlanState.IN_REVIEW
    )
    version = plan.versions.get()
    reviewer = user_with_role(Role.REVIEWER)
    assert review_totals(cycle) == {"reviews": 0, "reviewers": 0}

    def changed(action) -> bool:
        before = dashboard_cache.versions(cycle.pk)[1]
        with django_capture_on_commit_callbacks(execute=True):
            result = action()
        return dashboard_cache.versions(cycle.pk)[1] != before, result

    bumped, assignment = changed(
        lambda: ReviewAssignment.objects.create(
            plan_id=plan.pk,
            reviewer=reviewer,
            assigned_by=coordinator,
            due_date=timezone.localdate(),
        )
    )
    assert bumped
    # A review whose assignment is not loaded: its cycle is looked up at commit.
    bumped, _review = changed(
        lambda: Review.objects.create(
            assignment_id=assignment.pk,
            version=version,
            state=ReviewState.SUBMITTED,
            total=Decimal("70"),
            submitted_at=timezone.now(),
        )
    )
    assert bumped
    assert review_totals(cycle) == {"reviews": 1, "reviewers": 1}
    bumped, _decision = changed(
        lambda: Decision.objects.create(
            plan_id=plan.pk, version=version, outcome="approve", decided_by=coordinator
        )
    )
    assert bumped
    bumped, _ = changed(
        lambda: plan.change_areas.add(ChangeArea.objects.create(code="X", name="X"))
    )
    assert bumped


def test_agency_table_sorts_empty_values_last_both_ways(cycle):
    a = AgencyFactory(name="A")
    b = AgencyFactory(name="B")
    c = AgencyFactory(name="C")
    for agency, score in ((a, "50.00"), (b, None), (c, "70.00")):
        PlanFactory(
            cycle=cycle,
            owner=AgentFactory(user__agency=agency),
            state=PlanState.APPROVED,  # a decided plan's score counts
            score=Decimal(score) if score else None,
        )
    assert [r.name for r in agency_table(cycle, sort="score")] == ["A", "C", "B"]
    assert [r.name for r in agency_table(cycle, sort="-score")] == ["C", "A", "B"]
    assert [r.name for r in agency_table(cycle, sort="-name")] == ["C", "B", "A"]


def test_agency_table_pages_sorts_and_filters_as_the_rows_say(leader, cycle):
    """The database's order, filters and paging agree with the rows' own figures: every
    sort both ways (empty values last, ties by name), every lag filter, every page."""
    bulk_province(cycle, plans=160, agencies=37, author=leader)
    rows = agency_rows(cycle)
    assert [r.name.casefold() for r in rows] == sorted(r.name.casefold() for r in rows)
    figure = {
        "agents": lambda r: r.agents,
        "plans": lambda r: r.plans,
        "submitted": lambda r: r.submitted_pct,
        "approved": lambda r: r.approved_pct,
        "score": lambda r: r.mean_score,
        "deadline": lambda r: r.deadline,
    }
    for key, value in figure.items():
        for sign in ("", "-"):
            shown = [r for n in (1, 2) for r in agency_table(cycle, sort=sign + key, page=n)]
            assert len(shown) == len(rows) and len({r.agency_id for r in shown}) == len(rows)
            values = [value(r) for r in shown]
            present = [v for v in values if v is not None]
            assert present == sorted(present, reverse=sign == "-"), (sign, key)
            assert values[len(present) :] == [None] * (len(values) - len(present))
    for show, lagging in (
        ("no_submission", lambda r: r.no_submission),
        ("low_score", lambda r: r.low_score),
        ("lagging", lambda r: r.no_submission or r.low_score),
    ):
        table = agency_table(cycle, show=show, per_page=100)
        assert [r.agency_id for r in table] == [r.agency_id for r in rows if lagging(r)]


def test_low_score_follows_the_mean_as_shown(cycle):
    """An agency is lagging on score when the mean it shows (two places, half up) is below
    60: 59.995 shows 60.00 and is not; 59.99 is."""
    shown, low = AgencyFactory(name="Dinas Enam Puluh"), AgencyFactory(name="Dinas Rendah")
    for agency, scores in ((shown, ("59.99", "60.00")), (low, ("59.98", "60.00"))):
        for score in scores:
            PlanFactory(
                cycle=cycle,
                owner=AgentFactory(user__agency=agency),
                state=PlanState.APPROVED,
                score=Decimal(score),
            )
    by_name = {r.name: r for r in agency_rows(cycle)}
    assert by_name["Dinas Enam Puluh"].mean_score == Decimal("60.00")
    assert by_name["Dinas Rendah"].mean_score == Decimal("59.99")
    assert [r.name for r in agency_table(cycle, show="low_score")] == ["Dinas Rendah"]
    overview = cycle_overview(cycle)
    assert [r.name for r in overview.low_score] == ["Dinas Rendah"]
    assert overview.low_score_total == 1


def test_lagging_lists_show_the_first_and_count_all(leader, cycle):
    """Without a submission, most agents first; low scores, lowest first; the totals are
    every lagging agency, not only those listed."""
    bulk_province(cycle, plans=160, agencies=37, author=leader)
    silent = [AgencyFactory(name=f"Badan Diam {n:02d}") for n in range(12)]
    for n, agency in enumerate(silent):
        for _ in range(1 + n % 3):
            AgentFactory(user__agency=agency)
    rows = agency_rows(cycle)
    overview = cycle_overview(cycle)
    expected = sorted(
        (r for r in rows if r.no_submission), key=lambda r: (-r.agents, r.name.casefold())
    )
    assert overview.no_submission_total == len(expected) >= 12
    assert [r.agency_id for r in overview.no_submission] == [
        r.agency_id for r in expected[: len(overview.no_submission)]
    ]
    assert len(overview.no_submission) == min(len(expected), 10)
    low = sorted((r for r in rows if r.low_score), key=lambda r: (r.mean_score, r.name.casefold()))
    assert overview.low_score_total == len(low)
    assert [r.mean_score for r in overview.low_score] == [r.mean_score for r in low[:10]]
    assert overview.agencies_listed == len(rows)


def test_overview_for_one_agency_counts_only_it(cycle):
    a, b = AgencyFactory(), AgencyFactory()
    PlanFactory(cycle=cycle, owner=AgentFactory(user__agency=a), state=PlanState.SUBMITTED)
    PlanFactory(cycle=cycle, owner=AgentFactory(user__agency=b), state=PlanState.DRAFT)
    AgentFactory(user__agency=b)
    scoped = cycle_overview(cycle, agency=b).headline
    province = cycle_overview(cycle).headline
    assert (scoped.plans, scoped.submitted, scoped.agents, scoped.agencies) == (1, 0, 2, 1)
    assert (province.plans, province.submitted, province.agents, province.agencies) == (2, 1, 3, 2)


def test_cached_figures_serve_each_language_its_own_state_labels(client, leader, cycle):
    """The figures are cached once for every language: a dashboard first computed for an
    English reader must not show English state names to the next, Indonesian one."""
    PlanFactory(cycle=cycle, state=PlanState.DRAFT)
    with translation.override("en"):
        assert str(cycle_overview(cycle).largest_state.label) == "Draft"
    client.force_login(leader)
    html = client.get(DASHBOARD).content.decode()
    assert "Status terbanyak: Draf (1 dari 1 rencana)." in html
    assert 'data-label="Draf"' in html
