"""The leadership's dashboard as pages: every headline figure computed again here from
the fixture's own rows and compared, exactly, with what the page shows; every figure a
link to the plans behind it; the agency head's dashboard restricted to their agency."""

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from agents.enums import Role
from agents.models import Agent
from assessment.models import Decision
from plans.enums import PlanState
from plans.models import ChangeArea, CoreValue, PlanVersion
from plans.services.workflow import transition_many
from reports.services import agency_tallies, criteria
from tests.factories import (
    AgencyFactory,
    AgentFactory,
    CycleFactory,
    PlanFactory,
    TargetFactory,
    scored_review,
    user_with_role,
    wita,
)

DASHBOARD = reverse("reports:dashboard")

pytestmark = pytest.mark.usefixtures("empty_cache")


def kpi(html: str, name: str) -> str:
    """The text of a headline figure on the page (`<span ... id="kpi-NAME">TEXT</span>`)."""
    match = re.search(rf'id="kpi-{name}">([^<]*)<', html)
    assert match, f"no figure {name}"
    return match.group(1).strip()


def indonesian(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


@pytest.fixture
def province(cycle):
    """Three agencies: A with 4 agents and 3 plans, B with 2 agents and 1 plan, C with an
    active and an inactive agent and no plan; a past cycle with one plan."""
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
    return {"a": a, "b": b, "c": c, "plans": plans, "past": past, "old": old}


def expected_headline(plans, agents) -> dict:
    """The headline figures computed from the rows themselves, not from SQL. Only decided
    plans have a score that counts (a plan still in review has a partial set)."""
    scores = [p.score for p in plans if p.score is not None and p.state in PlanState.DECIDED]
    mean = (sum(scores) / len(scores)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return {
        "agencies": str(len({p.agency_id for p in plans})),
        "agents": str(sum(1 for agent in agents if agent.is_active)),
        "plans": str(len(plans)),
        "submitted": str(sum(1 for p in plans if p.state in PlanState.SUBMITTED_ONCE)),
        "approved": str(sum(1 for p in plans if p.state in PlanState.APPROVED_ONCE)),
        "mean": indonesian(mean),
        "flagged": str(sum(1 for p in plans if p.review_flagged)),
    }


def test_every_headline_figure_equals_a_count_of_the_fixture(client, leader, cycle, province):
    client.force_login(leader)
    html = client.get(DASHBOARD).content.decode()
    expected = expected_headline(province["plans"], Agent.objects.all())
    shown = {name: kpi(html, name) for name in expected}
    assert shown == expected
    assert shown == {
        "agencies": "2",
        "agents": "7",
        "plans": "4",
        "submitted": "3",
        "approved": "2",
        "mean": "72,75",
        "flagged": "1",
    }


def test_headline_figures_link_to_the_plans_behind_them(client, leader, cycle, province):
    client.force_login(leader)
    html = client.get(DASHBOARD).content.decode()
    for query in (
        f"?cycle={cycle.code}&amp;group=submitted_once",
        f"?cycle={cycle.code}&amp;group=approved_once",
        f"?cycle={cycle.code}&amp;flagged=1",
        f"?cycle={cycle.code}&amp;sort=-score",
        f"?cycle={cycle.code}&amp;state=reviewed",
        f"?cycle={cycle.code}&amp;score=80-100",
        f"?cycle={cycle.code}&amp;area=TL",
        f"?cycle={cycle.code}&amp;value=B",
        f"?cycle={cycle.code}&amp;agency={province['a'].pk}&amp;group=submitted_once",
    ):
        assert reverse("plans:list") + query in html, query


@pytest.mark.parametrize(
    ("params", "figure"),
    [
        ({"group": "submitted_once"}, "submitted"),
        ({"group": "approved_once"}, "approved"),
        ({"flagged": "1"}, "flagged"),
        ({}, "plans"),
    ],
)
def test_each_figure_drills_down_to_as_many_plans(client, leader, cycle, province, params, figure):
    client.force_login(leader)
    shown = int(kpi(client.get(DASHBOARD).content.decode(), figure))
    listed = client.get(reverse("plans:list"), {"cycle": cycle.code, **params}).context["page"]
    assert listed.paginator.count == shown


def test_chart_tables_show_states_bins_and_coverage(client, leader, cycle, province):
    client.force_login(leader)
    response = client.get(DASHBOARD)
    o = response.context["overview"]
    assert {t.key: t.count for t in o.states} == {
        "draft": 1,
        "submitted": 0,
        "in_review": 0,
        "reviewed": 1,
        "revision_requested": 0,
        "approved": 1,
        "rejected": 0,
        "implementing": 1,
        "completed": 0,
    }
    assert [(t.key, t.count) for t in o.funnel] == [
        ("", 4),
        ("submitted_once", 3),
        ("decided", 2),
        ("approved_once", 2),
    ]
    assert [(b.key, b.count) for b in o.score_bins] == [
        ("0-20", 0),
        ("20-40", 0),
        ("40-60", 0),  # "Tengah" (40) waits for its decision
        ("60-80", 1),
        ("80-100", 1),
    ]
    assert [(a.key, a.count, a.share) for a in o.change_areas] == [
        ("TL", 2, Decimal("50.0")),
        ("SDM", 0, Decimal("0.0")),
    ]
    assert [(v.key, v.count) for v in o.core_values] == [("B", 1), ("A", 0)]
    assert [p.title for p in o.top_plans] == ["Terbaik", "Kedua"]  # decided plans only
    html = response.content.decode()
    # The data table beneath the chart carries the numbers the chart draws.
    assert '<td class="ap-num" data-value="1">' in html
    assert 'data-chart-source="states-table"' in html


def test_agency_rows_of_the_table(client, leader, cycle, province):
    client.force_login(leader)
    rows = list(client.get(DASHBOARD).context["table"])
    assert [
        (r.name, r.agents, r.plans, r.submitted, r.approved, r.mean_score, r.submitted_pct)
        for r in rows
    ] == [
        ("Badan A", 4, 3, 2, 1, Decimal("85.00"), Decimal("66.7")),  # "Tengah" undecided
        ("Dinas B", 2, 1, 1, 1, Decimal("60.50"), Decimal("100.0")),
        ("Inspektorat C", 1, 0, 0, 0, None, None),
    ]
    days = (timezone.localdate(cycle.submission_deadline) - timezone.localdate()).days
    assert [r.days_left for r in rows] == [days, days, days]


def test_comparison_with_the_previous_cycle(client, leader, cycle, province):
    client.force_login(leader)
    response = client.get(DASHBOARD)
    rows = {
        r.key: (r.current, r.previous, r.change) for r in response.context["overview"].comparison
    }
    assert rows == {
        "agencies": (2, 1, 1),
        "plans": (4, 1, 3),
        "submitted": (3, 1, 2),
        "approved": (2, 1, 1),
        "mean_score": (Decimal("72.75"), Decimal("99.00"), Decimal("-26.25")),
        "flagged": (1, 0, 1),
    }
    html = response.content.decode()
    assert f"?cycle={province['past'].code}&amp;group=submitted_once" in html


def test_dashboard_of_a_past_cycle_has_no_earlier_cycle(client, leader, cycle, province):
    client.force_login(leader)
    response = client.get(DASHBOARD, {"cycle": province["past"].code})
    o = response.context["overview"]
    assert (o.cycle, o.headline.plans, o.headline.mean_score, o.previous) == (
        province["past"],
        1,
        Decimal("99.00"),
        None,
    )
    assert "Belum ada siklus sebelumnya untuk dibandingkan." in response.content.decode()


def test_unknown_cycle_is_404(client, leader, cycle):
    client.force_login(leader)
    assert client.get(DASHBOARD, {"cycle": "tidak-ada"}).status_code == 404


def test_lagging_agencies_near_the_deadline(client, leader, cycle, province):
    low = AgencyFactory(name="Dinas Rendah")
    PlanFactory(
        cycle=cycle,
        owner=AgentFactory(user__agency=low),
        state=PlanState.REJECTED,
        score=Decimal("30.00"),
    )
    client.force_login(leader)
    response = client.get(DASHBOARD)
    lagging = response.context["lagging"]
    assert lagging.watch is True  # the factory's deadline is 14 days away
    assert [r.name for r in lagging.no_submission] == ["Inspektorat C"]
    assert [(r.name, r.mean_score) for r in lagging.low_score] == [
        ("Dinas Rendah", Decimal("30.00"))
    ]


def test_submissions_per_week(client, leader, cycle, province):
    submitted = province["plans"][1:]
    first_week = wita(2026, 2, 2, 10, 0)  # a Monday
    # Each plan past its draft was handed in once (the factory froze its version 1).
    PlanVersion.objects.filter(plan__in=submitted).update(created_at=first_week)
    PlanVersion.objects.create(
        plan=submitted[0],
        number=2,
        snapshot={},
        created_by=leader,
        created_at=first_week + dt.timedelta(days=8),
    )
    # Dates written around the application (queryset.update): the dashboard's rows per
    # agency are rebuilt, as `rebuild_tallies` does after such a write.
    agency_tallies.rebuild(cycle)
    client.force_login(leader)
    weeks = client.get(DASHBOARD).context["overview"].weeks
    assert [(w.start, w.first, w.again, w.cumulative) for w in weeks] == [
        (dt.date(2026, 2, 2), 3, 0, 3),
        (dt.date(2026, 2, 9), 0, 1, 3),
    ]


def test_agency_table_searches_sorts_and_filters(client, leader, cycle, province):
    client.force_login(leader)
    names = lambda params: [  # noqa: E731
        r.name for r in client.get(DASHBOARD, params).context["table"].object_list
    ]
    assert names({"q": "dinas"}) == ["Dinas B"]
    assert names({"q": "IC"}) == ["Inspektorat C"]
    assert names({"sort": "-score"}) == ["Badan A", "Dinas B", "Inspektorat C"]
    assert names({"sort": "score"}) == ["Dinas B", "Badan A", "Inspektorat C"]
    assert names({"sort": "-agents"}) == ["Badan A", "Dinas B", "Inspektorat C"]
    assert names({"show": "no_submission"}) == ["Inspektorat C"]
    assert names({"kind": "dinas"}) == ["Badan A", "Dinas B", "Inspektorat C"]


def test_agency_table_rejects_a_bad_parameter_on_its_field(client, leader, cycle, province):
    client.force_login(leader)
    response = client.get(DASHBOARD, {"show": "semua", "q": "x" * 101})
    form = response.context["form"]
    assert set(form.errors) == {"show", "q"}
    assert response.context["table"].paginator.count == 3


def test_agency_table_paginates_and_swaps_with_htmx(client, leader, cycle):
    for i in range(30):
        AgentFactory(user__agency=AgencyFactory(name=f"Perangkat {i:02d}"))
    client.force_login(leader)
    page2 = client.get(
        DASHBOARD, {"page": "2"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="agency-table"
    )
    assert page2.templates[0].name == "reports/partials/agency_table.html"
    assert [r.name for r in page2.context["table"].object_list] == [
        f"Perangkat {i:02d}" for i in range(25, 30)
    ]


def test_agency_head_sees_only_their_agency(client, cycle, province):
    head = user_with_role(Role.AGENCY_HEAD, agency=province["b"])
    client.force_login(head)
    response = client.get(DASHBOARD)
    html = response.content.decode()
    assert response.context["scope"] == province["b"]
    assert {n: kpi(html, n) for n in ("agencies", "agents", "plans", "submitted")} == {
        "agencies": "1",
        "agents": "2",
        "plans": "1",
        "submitted": "1",
    }
    # Before the decision the head sees no score: no mean, no distribution, no ranking.
    assert response.context["show_scores"] is False
    for figure in ('id="kpi-mean"', 'id="kpi-flagged"', 'id="scores-table"', "60,50"):
        assert figure not in html
    assert [r.name for r in response.context["table"]] == ["Dinas B"]
    assert f"agency={province['b'].pk}&amp;group=submitted_once" in html
    assert client.get(DASHBOARD, {"opd": province["a"].pk}).status_code == 404


def test_pdf_button_for_the_province_not_for_an_agency_head(client, leader, cycle, province):
    client.force_login(leader)
    html = client.get(DASHBOARD).content.decode()
    assert html.count('<form method="post" action="/laporan/minta/"') == 1
    assert html.count('value="cycle_summary"') == 1
    client.force_login(user_with_role(Role.AGENCY_HEAD, agency=province["b"]))
    html = client.get(DASHBOARD).content.decode()
    assert 'value="cycle_summary"' not in html


# --- The agency page ------------------------------------------------------------------


@pytest.fixture
def scored(cycle, province, coordinator):
    """Reviews of agency A's plan 'Terbaik' and agency B's 'Kedua'; an old version of
    'Terbaik' was scored low and must not count."""
    reviewer = user_with_role(Role.REVIEWER)
    best, second = province["plans"][1], province["plans"][3]
    v1, w1 = best.versions.get(number=1), second.versions.get(number=1)
    v2 = PlanVersion.objects.create(plan=best, number=2, snapshot={}, created_by=coordinator)
    low = dict.fromkeys(("K1", "K2", "K3", "K4", "K5", "K6"), 1)
    old = scored_review(best, v1, reviewer, coordinator, low)
    old.assignment.is_active = False
    old.assignment.released_at = timezone.now()
    old.assignment.save()
    scored_review(
        best, v2, reviewer, coordinator, {"K1": 5, "K2": 4, "K3": 2, "K4": 3, "K5": 3, "K6": 3}
    )
    scored_review(
        second, w1, reviewer, coordinator, {"K1": 3, "K2": 4, "K3": 4, "K4": 3, "K5": 3, "K6": 3}
    )
    TargetFactory(plan=best, indicator="Waktu layanan izin")
    Decision.objects.create(
        plan=best, version=v2, outcome="approve", decided_by=coordinator, score=Decimal("85")
    )
    # The rows above were written around the services (the plans were decided before
    # their scores existed): the agency page's sums are computed again, as after a load.
    criteria.rebuild(cycle)
    return province


def test_agency_page_shows_strong_and_weak_criteria(client, leader, cycle, scored):
    client.force_login(leader)
    response = client.get(reverse("reports:agency", args=[scored["a"].pk]))
    assert response.status_code == 200
    page = response.context["page"]
    assert [(c.code, c.agency_mean, c.cycle_mean, c.verdict) for c in page.criteria] == [
        ("K1", Decimal("5.00"), Decimal("4.00"), "strong"),
        ("K2", Decimal("4.00"), Decimal("4.00"), "even"),
        ("K3", Decimal("2.00"), Decimal("3.00"), "weak"),
        ("K4", Decimal("3.00"), Decimal("3.00"), "even"),
        ("K5", Decimal("3.00"), Decimal("3.00"), "even"),
        ("K6", Decimal("3.00"), Decimal("3.00"), "even"),
    ]
    own = [p for p in scored["plans"] if p.agency_id == scored["a"].pk]
    assert [p.pk for p in page.plans] == [
        p.pk for p in sorted(own, key=lambda p: (p.owner.user.name, p.pk))
    ]
    assert [p.target_count for p in page.plans if p.title == "Terbaik"] == [1]
    assert [t.indicator for t in page.targets] == ["Waktu layanan izin"]
    assert len(page.agents) == 4
    html = response.content.decode()
    assert 'id="verdict-K1"' in html and "Kuat" in html and "Lemah" in html


def test_agency_page_is_404_for_the_head_of_another_agency(client, cycle, province):
    head = user_with_role(Role.AGENCY_HEAD, agency=province["b"])
    client.force_login(head)
    assert client.get(reverse("reports:agency", args=[province["b"].pk])).status_code == 200
    assert client.get(reverse("reports:agency", args=[province["a"].pk])).status_code == 404
    assert client.get(reverse("reports:agency", args=[999999])).status_code == 404


def test_dashboard_is_for_leaders_coordinators_and_heads(client, cycle, agent):
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


def test_page_shows_new_figures_after_a_plan_changes(
    client, leader, cycle, province, django_capture_on_commit_callbacks
):
    client.force_login(leader)
    assert kpi(client.get(DASHBOARD).content.decode(), "submitted") == "3"
    draft = province["plans"][0]
    with django_capture_on_commit_callbacks(execute=True):
        transition_many(
            [draft], source=PlanState.DRAFT, to=PlanState.SUBMITTED, by=None, action="plan.submit"
        )
    html = client.get(DASHBOARD).content.decode()
    assert (kpi(html, "submitted"), kpi(html, "approved")) == ("4", "2")
