"""The implementation pages through the test client: the agent reports, the plan's reviewer
verifies, the coordinator follows the board; who gets 404."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from agents.enums import Role
from agents.models import Notification
from monitoring.enums import ReportState
from monitoring.models import ProgressReport, TargetRealisation
from monitoring.services import open_report
from monitoring.templatetags import monitoring_ui
from plans.enums import PlanState
from tests.factories import AgentFactory, user_with_role

PDF = b"%PDF-1.4\n%bukti\n"


def report_data(plan, report, value="50"):
    data = {"lock_version": report.lock_version, "done_text": "Aplikasi diluncurkan."}
    for t in plan.targets.all():
        data[f"value-{t.pk}"] = value
        data[f"date-{t.pk}"] = "2026-01-15"
    for a in plan.activities.all():
        data[f"status-{a.pk}"] = "running"
        data[f"start-{a.pk}"] = a.start_month.strftime("%Y-%m")
        data[f"end-{a.pk}"] = ""
    return data


def url(name, plan, *extra):
    return reverse(f"monitoring:{name}", args=[plan.pk, *extra])


def test_agent_reports_reviewer_returns_agent_resubmits_reviewer_accepts(
    client, running_plan, agent, plan_reviewer, private_media
):
    plan = running_plan
    client.force_login(agent.user)
    page = client.get(url("plan", plan))
    assert page.status_code == 200
    assert "Tulis laporan" in page.content.decode()
    assert client.post(url("report", plan, 1)).status_code == 302
    report = ProgressReport.objects.get(plan=plan, period=1)
    form = client.get(url("report", plan, 1))
    assert f'hx-post="{url("save", plan, 1)}"' in form.content.decode()
    # The autosave answers the status line with the next lock version.
    saved = client.post(url("save", plan, 1), report_data(plan, report), HTTP_HX_REQUEST="true")
    assert saved.status_code == 200
    assert 'value="1"' in saved.content.decode()
    # A second tab's save from the stale version is refused, on the status line.
    stale = client.post(url("save", plan, 1), report_data(plan, report), HTTP_HX_REQUEST="true")
    assert "diubah di tempat lain" in stale.content.decode()
    evidence = client.post(
        url("evidence_add", plan, 1), {"file": SimpleUploadedFile("bukti.pdf", PDF)}
    )
    assert evidence.status_code == 302
    item = report.evidence.get()
    assert client.post(url("submit", plan, 1)).status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED

    client.force_login(plan_reviewer)
    queue = client.get(reverse("assessment:queue"))
    assert url("report", plan, 1) in queue.content.decode()
    target = plan.targets.first()
    # Ids are printed as they are, never grouped by thousands ("100.000").
    page = client.get(url("report", plan, 1)).content.decode()
    assert f'name="comment-{target.pk}"' in page and target.pk >= 1000
    returned = client.post(
        url("verify", plan, 1), {"outcome": "return", f"comment-{target.pk}": "Bukti kurang."}
    )
    assert returned.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED

    client.force_login(agent.user)
    assert "Bukti kurang." in client.get(url("report", plan, 1)).content.decode()
    data = report_data(plan, report) | {"answer": "Bukti ditambah."}
    assert client.post(url("save", plan, 1), data).status_code == 302
    client.post(url("submit", plan, 1))

    client.force_login(plan_reviewer)
    client.post(url("verify", plan, 1), {"outcome": "accept"})
    report.refresh_from_db()
    assert report.state == ReportState.ACCEPTED
    assert TargetRealisation.objects.filter(plan=plan).count() == 2
    page = client.get(url("plan", plan)).content.decode()
    assert "50,00%" in page
    # Last: closing the file's response ends the request (and the test's connection).
    download = client.get(url("evidence", plan, 1), {"bukti": item.pk})
    assert (download.status_code, b"".join(download.streaming_content)) == (200, PDF)
    download.close()


def test_bad_numbers_get_a_message_on_the_field(client, running_plan, agent):
    report = open_report(running_plan, period=1, by=agent.user)
    client.force_login(agent.user)
    data = report_data(running_plan, report, value="12,3,4")
    answer = client.post(url("save", running_plan, 1), data)
    assert answer.status_code == 200
    assert "Angka ini tidak dapat dibaca" in answer.content.decode()


@pytest.mark.parametrize("who", ["colleague", "other_agency", "unassigned_reviewer", "head_b"])
def test_strangers_get_404(client, running_plan, agent, who):
    report = open_report(running_plan, period=1, by=agent.user)
    stranger = {
        "colleague": lambda: AgentFactory(user__agency=agent.agency).user,
        "other_agency": lambda: AgentFactory().user,
        "unassigned_reviewer": lambda: user_with_role(Role.REVIEWER),
        "head_b": lambda: user_with_role(Role.AGENCY_HEAD),
    }[who]()
    client.force_login(stranger)
    for name, method in [("report", "get"), ("verify", "post"), ("save", "post"),
                         ("submit", "post"), ("evidence", "get")]:  # fmt: skip
        assert getattr(client, method)(url(name, running_plan, report.period)).status_code == 404
    assert client.get(url("plan", running_plan)).status_code == 404
    assert client.get(url("closing", running_plan)).status_code == 404


def test_a_reviewer_verifies_only_plans_assigned_to_them(
    client, running_plan, running_cycle, agent, plan_reviewer, coordinator
):
    from .conftest import approved_plan  # noqa: PLC0415 - a helper of this folder

    other_reviewer = user_with_role(Role.REVIEWER)
    other = approved_plan(running_cycle, reviewer=other_reviewer, coordinator=coordinator)
    other.state = PlanState.IMPLEMENTING
    other.save(update_fields=["state"])
    report = open_report(other, period=1, by=other.owner.user)
    ProgressReport.objects.filter(pk=report.pk).update(state=ReportState.SUBMITTED)
    client.force_login(plan_reviewer)
    assert client.post(url("verify", other, 1), {"outcome": "accept"}).status_code == 404
    client.force_login(other_reviewer)
    assert client.post(url("verify", other, 1), {"outcome": "accept"}).status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.ACCEPTED


def test_agent_and_head_cannot_verify(client, running_plan, agent):
    report = open_report(running_plan, period=1, by=agent.user)
    ProgressReport.objects.filter(pk=report.pk).update(state=ReportState.SUBMITTED)
    head = user_with_role(Role.AGENCY_HEAD, agency=agent.agency)
    for user in (agent.user, head):
        client.force_login(user)
        assert client.post(url("verify", running_plan, 1), {"outcome": "accept"}).status_code == 403


def test_board_lists_overdue_and_sends_bulk_reminders_once_a_day(
    client, running_plan, coordinator, agent
):
    client.force_login(coordinator)
    page = client.get(reverse("monitoring:board"))
    assert page.status_code == 200
    body = page.content.decode()
    # Three months in, periods 1 and 2 are past their due dates with nothing handed in.
    assert "Laporan terlambat (2)" in body
    assert running_plan.title in body
    data = {"plan": [running_plan.pk], "cycle": running_plan.cycle.code}
    assert client.post(reverse("monitoring:remind"), data).status_code == 302
    client.post(reverse("monitoring:remind"), data)
    assert Notification.objects.filter(recipient=agent.user, kind="progress_reminder").count() == 1


def test_closing_report_and_completion_through_the_pages(client, running_plan, agent, coordinator):
    client.force_login(agent.user)
    answer = client.post(
        url("closing", running_plan),
        {"results": "Tercapai", "internal_impact": "Cepat", "external_impact": "Puas",
         "continues": "on", "institutionalised_by": "SK Kepala Dinas 12/2027"},
    )  # fmt: skip
    assert answer.status_code == 302
    assert client.post(url("complete", running_plan)).status_code == 403
    client.force_login(coordinator)
    assert client.post(url("complete", running_plan)).status_code == 302
    running_plan.refresh_from_db()
    assert running_plan.state == PlanState.COMPLETED
    assert "SK Kepala Dinas 12/2027" in client.get(url("closing", running_plan)).content.decode()


def test_change_request_through_the_pages(client, running_plan, agent, coordinator):
    client.force_login(agent.user)
    target = running_plan.targets.first()
    # Without a new value there is nothing to ask for.
    empty = client.post(url("change_request", running_plan), {"what": "Geser", "why": "Anggaran"})
    assert "Isi paling sedikit satu nilai baru" in empty.content.decode()
    client.post(
        url("change_request", running_plan),
        {"what": "Geser", "why": "Anggaran", f"target-{target.pk}-target_value": "90"},
    )
    change = running_plan.changes.get()
    client.force_login(coordinator)
    answer = client.post(
        url("change_decide", running_plan), {"change": change.pk, "approve": "0", "note": ""}
    )
    assert answer.status_code == 302
    change.refresh_from_db()
    assert change.state == "pending"  # a refusal needs a reason
    client.post(
        url("change_decide", running_plan), {"change": change.pk, "approve": "0", "note": "Tidak"}
    )
    change.refresh_from_db()
    assert change.state == "refused"
    target.refresh_from_db()
    assert target.target_value == Decimal("80")


def test_verified_value_only_counts(running_plan, agent):
    report = open_report(running_plan, period=1, by=agent.user)
    report.values.update(value=Decimal("80"))
    assert not TargetRealisation.objects.exists()


def test_reviewer_queue_pages_the_reports_to_verify_oldest_first_and_only_their_plans(
    client, running_plan, agent, plan_reviewer, monkeypatch
):
    monkeypatch.setattr(monitoring_ui, "REPORTS_PAGE_SIZE", 2)
    now = timezone.now()
    for period in (1, 2, 3):
        report = open_report(running_plan, period=period, by=agent.user)
        ProgressReport.objects.filter(pk=report.pk).update(
            state=ReportState.SUBMITTED, submitted_at=now - dt.timedelta(days=10 - period)
        )
    queue = reverse("assessment:queue")
    client.force_login(plan_reviewer)
    first = client.get(queue).content.decode()
    second = client.get(queue, {"laporan": 2}).content.decode()
    assert "3 laporan realisasi" in first
    assert url("report", running_plan, 1) in first and url("report", running_plan, 2) in first
    assert url("report", running_plan, 3) not in first
    assert "laporan=2" in first
    assert url("report", running_plan, 3) in second
    assert url("report", running_plan, 1) not in second
    assert client.get(queue, {"laporan": "x"}).status_code == 200

    # A reviewer without an assignment on the plan sees none of its reports.
    client.force_login(user_with_role(Role.REVIEWER))
    other = client.get(queue).content.decode()
    assert all(url("report", running_plan, period) not in other for period in (1, 2, 3))
    assert "Tidak ada laporan realisasi yang menunggu verifikasi Anda." in other
