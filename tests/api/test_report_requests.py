"""Asking for a report through the API: the same services and rules as "Laporan saya"
(a plan's document for those who see the plan, the full packet and the cycle's reports
for the Biro Organisasi and leadership), the job returned with its state, then read and
its file fetched once done; refusals write no job."""

import pytest

from reports.enums import JobStatus, ReportKind
from reports.models import ReportJob
from tests.factories import AgentFactory
from tests.reports.scenario import reviewed_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario(private_media):
    return reviewed_plan(anonymous=True)


def test_an_agent_asks_for_the_plan_document_follows_the_job_and_fetches_the_file(
    api, scenario, django_capture_on_commit_callbacks
):
    me = api(scenario.agent)
    with django_capture_on_commit_callbacks(execute=True):
        asked = me.post("/api/v1/report-jobs/", {"kind": "plan_document", "plan": scenario.plan.pk})
    assert asked.status_code == 201, asked.content
    job = asked.json()
    assert (job["kind"], job["params"]) == ("plan_document", {"plan_id": scenario.plan.pk})
    # The task ran after the commit (the test's worker): the job is done with its file.
    read = me.get(f"/api/v1/report-jobs/{job['id']}/").json()
    assert (read["status"], read["has_file"]) == (JobStatus.DONE, True)
    download = me.get(f"/api/v1/report-jobs/{job['id']}/file/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    listed = me.get("/api/v1/report-jobs/").json()["results"]
    assert [row["id"] for row in listed] == [job["id"]]
    # The same request again reuses the finished job (200, no new row).
    again = me.post("/api/v1/report-jobs/", {"kind": "plan_document", "plan": scenario.plan.pk})
    assert (again.status_code, again.json()["id"]) == (200, job["id"])
    assert ReportJob.objects.count() == 1


def test_the_cycle_reports_are_for_the_biro_and_leadership(api, scenario):
    coordinator = api(scenario.coordinator)
    asked = coordinator.post(
        "/api/v1/report-jobs/", {"kind": "cycle_summary", "cycle": scenario.cycle.code}
    )
    assert asked.status_code == 201 and asked.json()["status"] == JobStatus.QUEUED
    for user in (scenario.agent, scenario.head, scenario.reviewers[0]):
        refused = api(user).post(
            "/api/v1/report-jobs/", {"kind": "scores_xlsx", "cycle": scenario.cycle.code}
        )
        assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
        packet = api(user).post(
            "/api/v1/report-jobs/", {"kind": "review_packet", "plan": scenario.plan.pk}
        )
        assert packet.status_code == 403
    assert list(ReportJob.objects.values_list("kind", flat=True)) == [ReportKind.CYCLE_SUMMARY]


def test_bad_requests_are_named_on_their_field_and_plans_not_yours_are_404(api, scenario):
    me = api(scenario.agent)
    for data, field in [
        ({"kind": "no_such_kind", "plan": scenario.plan.pk}, "kind"),
        ({"kind": "plan_document"}, "plan"),
        ({"kind": "cycle_summary"}, "cycle"),
        ({"kind": "plan_document", "plan": "x"}, "plan"),
    ]:
        answer = me.post("/api/v1/report-jobs/", data)
        assert answer.status_code == 400 and field in answer.json()["fields"], data
    stranger = api(AgentFactory().user)
    answer = stranger.post(
        "/api/v1/report-jobs/", {"kind": "plan_document", "plan": scenario.plan.pk}
    )
    assert answer.status_code == 404
    missing = api(scenario.coordinator).post(
        "/api/v1/report-jobs/", {"kind": "cycle_summary", "cycle": "no-such-cycle"}
    )
    assert missing.status_code == 404
    assert not ReportJob.objects.exists()


def test_a_read_only_token_lists_jobs_but_cannot_ask_for_one(api, scenario):
    reader = api(scenario.agent, {"reports": "read"})
    assert reader.get("/api/v1/report-jobs/").status_code == 200
    answer = reader.post(
        "/api/v1/report-jobs/", {"kind": "plan_document", "plan": scenario.plan.pk}
    )
    assert answer.status_code == 403 and answer.json()["code"] == "insufficient_scope"
    assert not ReportJob.objects.exists()
