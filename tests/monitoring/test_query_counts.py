"""The implementation pages make the same number of queries whatever the number of
targets, activities, reports or plans (two data sizes each)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from monitoring.enums import ReportState
from monitoring.models import ProgressReport
from monitoring.services import enter_due_implementations, open_report, request_change
from tests.factories import ActivityFactory, TargetFactory

from .conftest import approved_plan


def grow(plan, size):
    for _ in range(size):
        TargetFactory(plan=plan)
        ActivityFactory(plan=plan)


@pytest.mark.parametrize("size", [1, 6])
def test_plan_tab(client, running_plan, agent, size, django_assert_num_queries):
    grow(running_plan, size)
    for period in (1, 2, 3):
        report = open_report(running_plan, period=period, by=agent.user)
        ProgressReport.objects.filter(pk=report.pk).update(state=ReportState.ACCEPTED)
    client.force_login(agent.user)
    with django_assert_num_queries(QUERIES["plan"]):
        response = client.get(reverse("monitoring:plan", args=[running_plan.pk]))
    assert response.status_code == 200
    assert len(response.context["progress"].targets) == 2 + size


@pytest.mark.parametrize("size", [1, 6])
def test_report_form(client, running_plan, agent, size, django_assert_num_queries):
    grow(running_plan, size)
    open_report(running_plan, period=1, by=agent.user)
    client.force_login(agent.user)
    with django_assert_num_queries(QUERIES["report"]):
        response = client.get(reverse("monitoring:report", args=[running_plan.pk, 1]))
    assert response.status_code == 200
    assert len(response.context["values"]) == 2 + size


@pytest.mark.parametrize("size", [1, 6])
def test_verification_page(
    client, running_plan, agent, plan_reviewer, size, django_assert_num_queries
):
    grow(running_plan, size)
    report = open_report(running_plan, period=1, by=agent.user)
    ProgressReport.objects.filter(pk=report.pk).update(state=ReportState.SUBMITTED)
    client.force_login(plan_reviewer)
    with django_assert_num_queries(QUERIES["verify"]):
        response = client.get(reverse("monitoring:report", args=[running_plan.pk, 1]))
    assert response.status_code == 200
    assert response.context["verify_form"] is not None
    assert len(response.context["values"]) == 2 + size


@pytest.mark.parametrize("size", [1, 6])
def test_plan_tab_with_change_requests(
    client, running_plan, agent, coordinator, size, django_assert_num_queries
):
    """Each request lists its values, old beside new, read from the rows the tab has."""
    grow(running_plan, size)
    for target in running_plan.targets.all():
        request_change(
            running_plan,
            what="Naik",
            why="Anggaran",
            by=agent.user,
            targets={target.pk: {"target_value": Decimal("99")}},
        )
    client.force_login(coordinator)
    with django_assert_num_queries(QUERIES["plan_changes"]):
        response = client.get(reverse("monitoring:plan", args=[running_plan.pk]))
    assert response.status_code == 200
    assert len(response.context["progress"].changes) == 2 + size
    assert response.content.decode().count("Nilai lama") == 2 + size


@pytest.mark.parametrize("size", [1, 5])
def test_board(client, running_cycle, coordinator, size, django_assert_num_queries):
    for _ in range(size):
        approved_plan(running_cycle)
    enter_due_implementations()
    client.force_login(coordinator)
    with django_assert_num_queries(QUERIES["board"]):
        response = client.get(reverse("monitoring:board"))
    assert response.status_code == 200
    assert response.context["board"].overdue_total == 2 * size
    assert response.context["board"].off_track_total == size


# Each page's queries, the same at both sizes: the session, the user and their roles, the
# plan (or the cycle), then per page a fixed set (the tab: reports, accepted values,
# targets, activities, the latest statuses, change requests, the closing report; the form:
# the report, its values, activities and evidence; the verification page: the same and
# the reviewer's assignment; the board: the handed-in periods, the plans, the returned
# reports, the plans' realisation, change requests), and the sidebar. The coordinator's
# tab with change requests reads them in one query, their values from the tab's rows.
# The reviewer's way to the plan is asked of the database after the plan is read (the
# owner's and the coordinator's are answered by the plan's row).
# The drill-down of the dashboard is counted in test_drilldown.py.
QUERIES = {"plan": 11, "report": 9, "board": 10, "verify": 12, "plan_changes": 10}
