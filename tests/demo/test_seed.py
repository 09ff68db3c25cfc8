"""The demo data generators: the demo province and the national-scale cycle.

The demo is seeded once per module (about 20 s on SQLite) inside a transaction that is
rolled back at the end; each test runs in a savepoint within it. The tests that must see
a database without the demo come first in the file.
"""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from agents.enums import Role
from agents.models import ActivityLog, Agent, RoleGrant, User
from agents.validators import validate_nip
from assessment import scoring
from assessment.enums import ReviewState
from assessment.models import (
    Criterion,
    CriterionLevel,
    CriterionScore,
    Decision,
    Review,
    ReviewAssignment,
    Rubric,
    SelfAssessment,
)
from gallery.models import Publication
from gallery.selectors import shown_plans
from monitoring.enums import ReportState
from monitoring.models import ClosingReport, ProgressReport, TargetRealisation, TargetValue
from monitoring.selectors import monitoring_board
from plans.enums import CyclePhase, PlanState
from plans.models import (
    ActionPlan,
    Activity,
    ChangeArea,
    Comment,
    CommentThread,
    CoreValue,
    Cycle,
    GovernorMission,
    PlanVersion,
    Target,
)
from plans.realisation import capped, target_realisation
from reports.models import AgencyTally, CycleTally
from reports.services import agency_tallies
from reports.services.tally_totals import sum_figures
from tests.factories import CycleFactory

DEMO_PASSWORD = "agenplan-demo"
DEMO_LOGINS = ["admin", "sekda", "koordinator", "kepala", "agen"] + [
    f"reviewer{n}" for n in range(1, 11)
]
COUNTED = [
    Agency,
    User,
    Agent,
    RoleGrant,
    ActivityLog,
    ChangeArea,
    CoreValue,
    GovernorMission,
    Cycle,
    ActionPlan,
    Activity,
    Target,
    ProgressReport,
    TargetRealisation,
    PlanVersion,
    CommentThread,
    Comment,
    Rubric,
    Criterion,
    CriterionLevel,
    ReviewAssignment,
    Review,
    CriterionScore,
    Decision,
    Publication,
]

MEASURED_STATES = (PlanState.IMPLEMENTING, PlanState.COMPLETED)

pytestmark = pytest.mark.slow


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in COUNTED}


def run(*args, **options) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


# --- seed_demo --logins-only ----------------------------------------------------------


@pytest.mark.django_db
def test_seed_demo_logins_only_prints_the_logins_without_seeding():
    before = row_counts()

    output = run("seed_demo", logins_only=True)

    assert row_counts() == before
    for username in DEMO_LOGINS:
        assert f" {username} " in output
    assert output.count(DEMO_PASSWORD) == len(DEMO_LOGINS) + 2 + 1


# --- seed_scale -----------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_scale_creates_the_plans_targets_and_consistent_reviews():
    run("seed_scale", plans=300, cycle_code="nasional-uji", seed=7)

    cycle = Cycle.objects.get(code="nasional-uji")
    plans = ActionPlan.objects.filter(cycle=cycle)
    assert plans.count() == 300
    assert Target.objects.filter(plan__cycle=cycle).count() == 1500
    assert set(plans.values_list("state", flat=True)) == set(PlanState.values)
    assert User.objects.filter(username__startswith="nasional-uji.").count() == 300 + 10 + 1
    assert Agency.objects.filter(code__startswith="NAS-").count() == 48
    submitted_once = plans.filter(state__in=PlanState.SUBMITTED_ONCE)
    assert PlanVersion.objects.filter(plan__cycle=cycle).count() == submitted_once.count()
    decided = plans.filter(state__in=PlanState.DECIDED).count()  # revisions asked for too
    assert Decision.objects.filter(plan__cycle=cycle).count() == decided
    for plan in plans.filter(state__in=PlanState.DECIDED)[:20]:
        totals = list(
            Review.objects.filter(assignment__plan=plan, state=ReviewState.SUBMITTED).values_list(
                "total", flat=True
            )
        )
        assert len(totals) == 2
        assert plan.score == scoring.plan_score(totals)
    # About a third of the teams whose plan was handed in scored it themselves, on the
    # version handed in, by the rubric's arithmetic; no draft has one.
    own = SelfAssessment.objects.filter(plan__cycle=cycle)
    assert 0.2 * submitted_once.count() < own.count() < 0.45 * submitted_once.count()
    assert not own.exclude(plan__state__in=PlanState.SUBMITTED_ONCE).exists()
    weights = {c.code: c.weight for c in cycle.rubric.criteria.all()}
    for entry in own[:20]:
        assert entry.version_number == 1
        assert set(entry.levels) == set(weights)
        assert entry.total == scoring.review_total(weights, entry.levels)
    for nip in User.objects.filter(username__startswith="nasional-uji.").values_list(
        "nip", flat=True
    ):
        validate_nip(nip)


@pytest.mark.django_db
def test_seed_scale_writes_the_implementation_of_the_plans_in_it():
    """Last year's cycle: every reporting period has ended."""
    year = timezone.localdate().year - 1
    run("seed_scale", plans=300, cycle_code="nasional-uji", seed=7, year=year)

    cycle = Cycle.objects.get(code="nasional-uji")
    measured = ActionPlan.objects.filter(cycle=cycle, state__in=MEASURED_STATES)
    reports = ProgressReport.objects.filter(plan__cycle=cycle)
    assert set(reports.values_list("plan__state", flat=True)) == set(MEASURED_STATES)
    assert set(reports.values_list("state", flat=True)) == set(ReportState.values)
    completed = measured.filter(state=PlanState.COMPLETED)
    assert ClosingReport.objects.filter(plan__cycle=cycle).count() == completed.count()
    # A completed plan reported and had accepted every period (nine, April to December).
    for plan in completed[:10]:
        states = list(plan.progress.values_list("state", flat=True))
        assert states == [ReportState.ACCEPTED] * 9
    # One value per target and one status per activity in every report.
    for report in reports.order_by("pk")[:30]:
        assert report.values.count() == report.plan.targets.count()
        assert report.activities.count() == report.plan.activities.count()
    # Each verified realisation is the accepted report of the latest period, computed by
    # the application's arithmetic.
    realisations = TargetRealisation.objects.filter(cycle=cycle).select_related("target")
    assert realisations.count() > 0
    for row in realisations[:200]:
        latest = (
            TargetValue.objects.filter(target=row.target, report__state=ReportState.ACCEPTED)
            .order_by("-report__period")
            .first()
        )
        assert row.report_id == latest.report_id
        assert row.value == latest.value
        t = row.target
        shown = target_realisation(
            direction=t.direction, baseline=t.baseline, target=t.target_value, value=row.value
        )
        assert (row.realisation, row.counted) == (shown, capped(shown))
    no_accepted = Target.objects.filter(plan__in=measured).exclude(
        reported_values__report__state=ReportState.ACCEPTED
    )
    assert not TargetRealisation.objects.filter(target__in=no_accepted).exists()


@pytest.mark.django_db
def test_seed_scale_recounts_the_agents_of_the_other_cycles():
    """Its agents count in a cycle whose deadline is still ahead: that cycle's dashboard
    rows are recomputed too, with its totals, and equal a fresh computation."""
    other = CycleFactory(code="berjalan")
    agency_tallies.rebuild(other)
    before = CycleTally.objects.get(cycle=other).agents
    run("seed_scale", plans=300, cycle_code="nasional-uji", seed=7)
    kept = CycleTally.objects.get(cycle=other)
    assert kept.agents >= before + 300
    fresh = sum_figures(
        f for f in agency_tallies.compute(other).values() if f["plans"] or f["agents"]
    )
    assert (kept.agents, kept.plans, kept.agencies) == (
        fresh["agents"],
        fresh["plans"],
        fresh["agencies"],
    )
    rows = AgencyTally.objects.filter(cycle=other)
    assert sum(rows.values_list("agents", flat=True)) == fresh["agents"]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="ANALYZE is PostgreSQL's")
def test_seed_scale_analyses_the_tables_it_wrote_before_computing_the_tallies():
    """Without statistics of the rows written in its transaction, PostgreSQL plans the
    tallies' grouped queries for the tables as they were (nearly empty) and a national
    data set's calibration runs for many minutes instead of seconds."""
    with CaptureQueriesContext(connection) as queries:
        run("seed_scale", plans=60, cycle_code="nasional-uji", seed=7)
    sql = [query["sql"] for query in queries.captured_queries]
    analysed = [i for i, text in enumerate(sql) if text.startswith("ANALYZE")]
    calibration = next(i for i, text in enumerate(sql) if "WITH mine AS" in text)
    review_table = connection.ops.quote_name(Review._meta.db_table)
    assert any(sql[i] == f"ANALYZE {review_table}" for i in analysed)
    assert analysed and max(analysed) < calibration


@pytest.mark.django_db
def test_seed_scale_refuses_an_existing_cycle_and_replaces_it_on_request():
    run("seed_scale", plans=300, cycle_code="nasional-uji")
    before = row_counts()

    with pytest.raises(CommandError, match="nasional-uji sudah ada"):
        run("seed_scale", plans=300, cycle_code="nasional-uji")
    assert row_counts() == before

    run("seed_scale", plans=300, cycle_code="nasional-uji", replace=True)
    assert row_counts() == before
    cycle = Cycle.objects.get(code="nasional-uji")
    assert ActionPlan.objects.filter(cycle=cycle).count() == 300
    assert Target.objects.filter(plan__cycle=cycle).count() == 1500


# --- seed_demo ------------------------------------------------------------------------


# What the fixture's seed_demo printed.
FIRST_RUN: dict[str, str] = {}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, seeded once for the tests below and rolled back after them."""
    with django_db_blocker.unblock(), transaction.atomic():
        FIRST_RUN["output"] = run("seed_demo")
        yield Cycle.objects.get(code="assessment-2023")
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_seed_demo_gives_155_agents_one_plan_each_in_2023(demo):
    plans = ActionPlan.objects.filter(cycle=demo)

    assert Agent.objects.count() == 155
    assert plans.count() == 155
    assert plans.values("owner").distinct().count() == 155


@pytest.mark.django_db
def test_seed_demo_2023_has_plans_in_all_nine_states(demo):
    states = Counter(ActionPlan.objects.filter(cycle=demo).values_list("state", flat=True))

    assert set(states) == set(PlanState.values)
    assert states[PlanState.COMPLETED] + states[PlanState.IMPLEMENTING] == 92


@pytest.mark.django_db
def test_seed_demo_every_nip_is_valid_and_unique(demo):
    nips = list(User.objects.exclude(nip=None).values_list("nip", flat=True))

    assert len(nips) == 214
    assert len(set(nips)) == len(nips)
    for nip in nips:
        validate_nip(nip)


@pytest.mark.django_db
def test_seed_demo_every_agency_has_at_least_two_agents_and_a_head(demo):
    agents = dict(Agent.objects.values_list("agency__code").annotate(n=Count("id")))
    heads = RoleGrant.objects.filter(role=Role.AGENCY_HEAD)

    assert len(agents) == 48
    assert min(agents.values()) == 2
    assert heads.values("agency").distinct().count() == 48


@pytest.mark.django_db
def test_seed_demo_logins_exist_with_the_demo_password_and_roles(demo):
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_LOGINS)}

    assert sorted(users) == sorted(DEMO_LOGINS)
    for user in users.values():
        assert user.check_password(DEMO_PASSWORD)
    assert users["admin"].is_superuser
    assert users["admin"].is_staff
    assert users["agen"].agent_profile.agency.code == "DINKES"
    assert RoleGrant.objects.get(user=users["kepala"], role=Role.AGENCY_HEAD).agency.code == (
        "DINKES"
    )
    assert RoleGrant.objects.filter(user=users["koordinator"], role=Role.COORDINATOR).exists()
    assert RoleGrant.objects.filter(user=users["sekda"], role=Role.LEADERSHIP).exists()
    reviewers = RoleGrant.objects.filter(role=Role.REVIEWER)
    assert reviewers.count() == 10
    assert users["reviewer1"].agency.code == "BIRO-ORGANISASI"
    assert users["reviewer2"].agency.code == "BIRO-ORGANISASI"
    assert users["reviewer10"].agency is None
    assert User.objects.filter(username__startswith="agen.").count() == 154
    assert User.objects.filter(username__startswith="kepala.").count() == 47


@pytest.mark.django_db
def test_seed_demo_transitions_went_through_the_services(demo):
    plans = ActionPlan.objects.filter(cycle=demo)
    submitted_once = plans.filter(state__in=PlanState.SUBMITTED_ONCE)
    submits = ActivityLog.objects.filter(action="plan.submit", object_id__in=plans.values("pk"))
    agen_plan = plans.get(owner__user__username="agen")

    assert PlanVersion.objects.filter(plan__in=submitted_once).values(
        "plan"
    ).distinct().count() == (submitted_once.count())
    assert submits.count() == PlanVersion.objects.filter(plan__cycle=demo).count()
    assert agen_plan.state == PlanState.COMPLETED
    assert agen_plan.versions.count() == 2
    assert list(agen_plan.decisions.order_by("id").values_list("outcome", flat=True)) == [
        "revise",
        "approve",
    ]
    for plan in plans.filter(state__in=PlanState.DECIDED):
        assert plan.assignments.filter(is_active=True).count() == 2
        assert plan.score is not None


@pytest.mark.django_db
def test_seed_demo_2023_implementation_has_reports_in_every_state(demo):
    plans = ActionPlan.objects.filter(cycle__code="assessment-2023")
    reports = ProgressReport.objects.filter(plan__in=plans)
    assert set(reports.values_list("state", flat=True)) == set(ReportState.values)
    # Every 2023 period has ended: a plan in implementation missing one is overdue.
    board = monitoring_board(Cycle.objects.get(code="assessment-2023"))
    assert board.overdue_total > 0
    assert board.returned
    for plan in plans.filter(state=PlanState.COMPLETED):
        assert plan.closing.continues in (True, False)
        assert reports.filter(plan=plan, state=ReportState.ACCEPTED).count() == 3
    assert TargetRealisation.objects.filter(plan__in=plans).exists()
    assert not plans.filter(state=PlanState.IMPLEMENTING, closing__isnull=False).exists()


@pytest.mark.django_db
def test_seed_demo_current_cycle_is_open_for_drafting(demo):
    today = timezone.localdate()
    current = Cycle.objects.get(code=f"assessment-{today.year}")
    states = set(current.plans.values_list("state", flat=True))

    assert current.phase == CyclePhase.DRAFTING
    assert (current.name, current.year) == (f"Assessment Agen Perubahan {today.year}", today.year)
    assert states == {PlanState.DRAFT, PlanState.SUBMITTED}
    assert current.plans.filter(owner__user__username="agen", state=PlanState.DRAFT).exists()
    assert current.rubric.criteria.count() == 6


@pytest.mark.django_db
def test_seed_demo_second_run_changes_nothing(demo):
    before = row_counts()

    output = run("seed_demo")

    assert row_counts() == before
    assert "agenplan-demo" in output


@pytest.mark.django_db
def test_seed_demo_shows_its_progress_while_it_works(demo):
    lines = FIRST_RUN["output"].splitlines()
    past = f"  {demo.name}: plans, reviews and decisions"
    current = Cycle.objects.exclude(pk=demo.pk).get().name
    expected = [
        "Seeding the demo: reference data",
        "Seeding the demo: people",
        *(f"{past}: {n}/155 agents" for n in (25, 50, 75, 100, 125, 150, 155)),
        *(f"  {current}: drafts: {n}/155 agents" for n in (25, 50, 75, 100, 125, 150, 155)),
    ]
    assert [line for line in lines if line in expected] == expected
    # The summary comes after the progress.
    assert lines.index(expected[-1]) < lines.index("  plans created (2023): 155")


@pytest.mark.django_db
def test_seed_demo_publishes_several_plans_in_the_gallery(demo, client):
    shown = shown_plans()
    assert shown.count() >= 5
    assert set(shown.values_list("state", flat=True)) <= set(PlanState.APPROVED_ONCE)
    assert shown.filter(owner__user__username="agen").exists()
    # Published with their team's consent, some evidence public; two wait for publication.
    assert Publication.objects.filter(consent=True, published=False).count() == 2
    assert Publication.public_evidence.through.objects.exists()
    html = client.get(reverse("gallery:list")).content.decode()
    assert html.count('class="card h-100 ap-gallery-card"') == min(shown.count(), 12)
