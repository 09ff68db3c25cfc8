"""Every route of the API answers in a number of queries that does not grow with the
data: each is asked at two sizes, the larger under django_assert_num_queries with the
smaller's count. And every route of the schema is in this module and in the permission
matrix."""

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils import timezone

from assessment.enums import DecisionOutcome
from assessment.models import Decision
from monitoring.enums import ReportState
from monitoring.models import ActivityProgress, ProgressReport, TargetValue
from monitoring.services import enter_due_implementations, open_report
from plans.enums import PlanState
from reports.enums import JobStatus, ReportKind
from reports.models import ReportJob
from tests.api.conftest import token_headers
from tests.api.test_participant_sync import participant
from tests.factories import (
    ActivityFactory,
    AgencyFactory,
    CycleFactory,
    PlanFactory,
    TargetFactory,
)
from tests.monitoring.conftest import approved_plan
from tests.reports.scenario import reviewed_plan
from tests.test_permission_matrix import MATRIX

pytestmark = pytest.mark.django_db


def _plans(scenario, n):
    for _ in range(n):
        plan = PlanFactory(cycle=scenario.cycle)
        ActivityFactory(plan=plan)
        TargetFactory(plan=plan)


def _rows(scenario, n):
    for _ in range(n):
        ActivityFactory(plan=scenario.plan)
        TargetFactory(plan=scenario.plan)


def _agencies(scenario, n):
    for _ in range(n):
        AgencyFactory()
        PlanFactory(cycle=scenario.cycle)


def _jobs(scenario, n):
    for _ in range(n):
        ReportJob.objects.create(
            requested_by=scenario.coordinator,
            kind=ReportKind.CYCLE_SUMMARY,
            params={"cycle_id": scenario.cycle.pk},
            status=JobStatus.QUEUED,
        )


def _decisions(scenario, n):
    for _ in range(n):
        plan = PlanFactory(cycle=scenario.cycle, state=PlanState.APPROVED)
        Decision.objects.create(
            plan=plan,
            version=plan.versions.get(),
            outcome=DecisionOutcome.APPROVE,
            feedback="Layak.",
            score=Decimal("70.00"),
            decided_by=scenario.coordinator,
        )


def _progress(scenario, n):
    """Targets and activities of the plan in implementation, each with its row in the
    period's report."""
    for _ in range(n):
        target = TargetFactory(plan=scenario.running)
        activity = ActivityFactory(plan=scenario.running)
        TargetValue.objects.create(report=scenario.report, target=target, value=Decimal("5"))
        ActivityProgress.objects.create(report=scenario.report, activity=activity)


# route → (what grows, the URL from the scenario, who asks: "coordinator" or "agent")
ROUTES = {
    "api:me": (_plans, lambda s: "/api/v1/me/", "coordinator"),
    "api:agencies": (_agencies, lambda s: "/api/v1/agencies/", "coordinator"),
    "api:agency": (_agencies, lambda s: f"/api/v1/agencies/{s.plan.agency_id}/", "coordinator"),
    "api:cycles": (
        lambda s, n: CycleFactory.create_batch(n),
        lambda s: "/api/v1/cycles/",
        "coordinator",
    ),
    "api:cycle": (_plans, lambda s: f"/api/v1/cycles/{s.cycle.pk}/", "coordinator"),
    "api:plans": (_plans, lambda s: "/api/v1/plans/", "coordinator"),
    "api:plan": (_rows, lambda s: f"/api/v1/plans/{s.plan.pk}/", "agent"),
    "api:plan_feedback": (_rows, lambda s: f"/api/v1/plans/{s.plan.pk}/feedback/", "agent"),
    "api:decisions": (_decisions, lambda s: "/api/v1/decisions/", "coordinator"),
    "api:dashboard": (
        _agencies,
        lambda s: f"/api/v1/cycles/{s.cycle.pk}/dashboard/",
        "coordinator",
    ),
    "api:plan_progress": (
        _progress,
        lambda s: f"/api/v1/plans/{s.running.pk}/progress/",
        "agent",
    ),
    "api:progress_report": (
        _progress,
        lambda s: f"/api/v1/plans/{s.running.pk}/progress/1/",
        "agent",
    ),
    "api:report_jobs": (_jobs, lambda s: "/api/v1/report-jobs/", "coordinator"),
    "api:report_job": (_jobs, lambda s: f"/api/v1/report-jobs/{s.job.pk}/", "coordinator"),
    "api:report_job_file": (
        _jobs,
        lambda s: f"/api/v1/report-jobs/{s.done.pk}/file/",
        "coordinator",
    ),
}
# Routes that only write, counted by their own test below.
WRITES = {"api:participant_sync", "api:progress_submit", "api:progress_evidence"}
# Routes that serve the schema itself.
NOT_DATA = {"api:schema", "api:docs"}


@pytest.fixture
def scenario(private_media, running_cycle):
    scenario = reviewed_plan(anonymous=True)
    scenario.running = approved_plan(running_cycle, agent=scenario.plan.owner)
    enter_due_implementations()
    scenario.running.refresh_from_db()
    scenario.report = open_report(scenario.running, period=1, by=scenario.agent)
    scenario.job = ReportJob.objects.create(
        requested_by=scenario.coordinator,
        kind=ReportKind.CYCLE_SUMMARY,
        params={"cycle_id": scenario.cycle.pk},
        status=JobStatus.FAILED,
    )
    scenario.done = ReportJob.objects.create(
        requested_by=scenario.coordinator,
        kind=ReportKind.CYCLE_SUMMARY,
        params={"cycle_id": scenario.cycle.pk},
        status=JobStatus.DONE,
        verification_code="QUERYCOUNT234567",
        finished_at=timezone.now(),
    )
    scenario.done.file.save("ringkasan.pdf", ContentFile(b"%PDF-1.4 q"), save=True)
    return scenario


def _count(client, url, headers) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": 200}, **headers)
        assert response.status_code == 200, (url, response.content[:300])
        if response.streaming:
            b"".join(response.streaming_content)
    return len(queries)


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_queries_do_not_grow_with_the_data(client, scenario, route, django_assert_num_queries):
    grow, url_of, who = ROUTES[route]
    user = scenario.coordinator if who == "coordinator" else scenario.agent
    headers = token_headers(user)
    url = url_of(scenario)
    assert resolve(url).view_name == route
    _count(client, url, headers)  # the first request warms what every request shares
    grow(scenario, 1)
    small = _count(client, url, headers)
    grow(scenario, 5)
    with django_assert_num_queries(small):
        _count(client, url, headers)


def _schema_routes(client) -> set[str]:
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    return {
        resolve(path.replace("{id}", "1").replace("{period}", "1")).view_name
        for path in schema["paths"]
    }


def test_every_route_of_the_schema_has_a_query_count_test_and_matrix_rows(client):
    routes = _schema_routes(client)
    assert routes == set(ROUTES) | WRITES
    in_matrix = {name for name, _variant in MATRIX}
    assert routes | NOT_DATA <= in_matrix
    # Each route is asked with a method it does not allow as well.
    for route in routes:
        methods = {MATRIX[key].method for key in MATRIX if key[0] == route}
        assert len(methods) >= 2 or route == "api:report_jobs", route


def test_a_sync_makes_the_same_queries_for_ten_and_for_forty_participants(
    client, scenario, django_assert_num_queries
):
    headers = token_headers(scenario.coordinator)
    agency = scenario.plan.agency

    def sync(first, count):
        rows = [participant(n, agency) for n in range(first, first + count)]
        response = client.post(
            "/api/v1/participants/sync/",
            {"participants": rows},
            content_type="application/json",
            **headers,
        )
        assert response.json()["created"] == count

    sync(500, 1)  # the first request warms what every request shares (the token's last use)
    with CaptureQueriesContext(connection) as small:
        sync(0, 10)
    with django_assert_num_queries(len(small)):
        sync(100, 40)


def test_a_progress_report_is_written_in_the_same_queries_for_three_and_for_nine_targets(
    client, scenario, django_assert_num_queries
):
    """The write of a report (PUT) whatever the number of its rows."""
    headers = token_headers(scenario.agent)
    address = f"/api/v1/plans/{scenario.running.pk}/progress/1/"

    def write():
        report = scenario.report
        report.refresh_from_db()
        body = {
            "lock_version": report.lock_version,
            "done_text": "Berjalan.",
            "values": [{"target": row.target_id, "value": "40"} for row in report.values.all()],
            "activities": [
                {"activity": row.activity_id, "status": "running"}
                for row in report.activities.all()
            ],
        }
        with CaptureQueriesContext(connection) as queries:
            response = client.put(address, body, content_type="application/json", **headers)
        assert response.status_code == 200, response.content
        return len(queries)

    write()  # the first request warms what every request shares
    _progress(scenario, 1)
    small = write()
    _progress(scenario, 6)
    assert write() == small


def test_handing_in_and_adding_a_link_make_the_same_queries_whatever_the_rows(client, scenario):
    headers = token_headers(scenario.agent)
    address = f"/api/v1/plans/{scenario.running.pk}/progress/1/"
    ProgressReport.objects.filter(pk=scenario.report.pk).update(done_text="Berjalan.")
    TargetValue.objects.filter(report=scenario.report).update(value=Decimal("10"))

    def hand_in_and_link() -> int:
        ProgressReport.objects.filter(pk=scenario.report.pk).update(state=ReportState.DRAFT)
        with CaptureQueriesContext(connection) as queries:
            submitted = client.post(
                f"{address}submit/", {}, content_type="application/json", **headers
            )
            ProgressReport.objects.filter(pk=scenario.report.pk).update(state=ReportState.DRAFT)
            linked = client.post(
                f"{address}evidence/",
                {"link": "https://bukti.id/x"},
                content_type="application/json",
                **headers,
            )
        assert (submitted.status_code, linked.status_code) == (200, 201), submitted.content
        return len(queries)

    hand_in_and_link()  # the first request warms what every request shares
    _progress(scenario, 1)
    small = hand_in_and_link()
    _progress(scenario, 6)
    assert hand_in_and_link() == small
