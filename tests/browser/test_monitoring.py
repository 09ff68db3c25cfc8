"""The implementation journey: an approved plan enters implementation when its window
opens; the agent reports two periods with evidence; the plan's reviewer returns one and
accepts the other; the agent answers and hands it in again and it is accepted; the Sekda's
"Target sesuai jadwal" and the agency's realisation follow; the agent writes the closing
report, the coordinator completes the plan and the plan document prints it."""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from agents.enums import Role
from monitoring.services import enter_due_implementations
from plans.enums import PlanState
from reports.enums import JobStatus, ReportKind
from reports.models import ReportJob
from reports.services import request_plan_report
from tests.factories import AgentFactory, user_with_role
from tests.monitoring.conftest import approved_plan, running_cycle  # noqa: F401 - fixture

from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "rahasia-123"  # tests.factories.UserFactory


@pytest.fixture
def scene(transactional_db, running_cycle):  # noqa: F811 - the fixture imported above
    agent = AgentFactory(user__username="agen", user__name="Rahmat Hidayat, S.E.")
    reviewer = user_with_role(Role.REVIEWER, username="reviewer1", name="Dra. Penilai, M.Si.")
    coordinator = user_with_role(Role.COORDINATOR, username="koordinator")
    user_with_role(Role.LEADERSHIP, username="sekda", name="Sekretaris Daerah")
    plan = approved_plan(running_cycle, agent=agent, reviewer=reviewer, coordinator=coordinator)
    return {"plan": plan, "agent": agent, "cycle": running_cycle}


def write_report(page, plan, period, value):
    page.goto(f"/rencana/{plan.pk}/pelaksanaan/")
    page.get_by_role("row", name=re.compile(rf"^{period}\. ")).get_by_role(
        "button", name="Tulis laporan"
    ).click()
    for target in plan.targets.all():
        page.locator(f"#id_value-{target.pk}").fill(value)
    page.locator("#id_done_text").fill(f"Periode {period}: aplikasi diuji coba di dua bidang.")
    expect(page.locator("#save-status")).to_contain_text("Tersimpan", timeout=15_000)
    page.locator("#id_link").fill(f"https://example.org/bukti-{period}")
    page.get_by_role("button", name="Tambah bukti").click()
    expect(page.locator("#evidence-list")).to_contain_text(f"bukti-{period}")
    page.get_by_role("button", name="Ajukan untuk diverifikasi").click()
    expect(page.locator("#report-state")).to_contain_text("Menunggu verifikasi")


def dashboard_figures(page, cycle):
    page.goto(f"/pimpinan/?cycle={cycle.code}")
    return page.locator("#on-track-figure").inner_text(), page.locator(
        "#agencies-table"
    ).inner_text()


def test_implementation_journey(new_context, scene, live_server, private_media):
    plan, cycle = scene["plan"], scene["cycle"]
    assert enter_due_implementations() == 1  # the nightly beat task's service
    plan.refresh_from_db()
    assert plan.state == PlanState.IMPLEMENTING

    sekda = new_context().new_page()
    login(sekda, "sekda", PASSWORD)
    on_track_before, agencies_before = dashboard_figures(sekda, cycle)
    assert on_track_before == "0,00%"

    agent = new_context().new_page()
    login(agent, "agen", PASSWORD)
    write_report(agent, plan, 1, "50")
    write_report(agent, plan, 2, "65")
    screenshot(agent, "monitoring-report-submitted")

    reviewer = new_context().new_page()
    login(reviewer, "reviewer1", PASSWORD)
    reviewer.goto("/penilaian/")
    links = reviewer.locator("#progress-queue a")
    expect(links).to_have_count(2)
    reviewer.goto(f"/rencana/{plan.pk}/pelaksanaan/1/")
    reviewer.get_by_label("Kembalikan untuk diperbaiki").check()
    first = plan.targets.first()
    screenshot(reviewer, "monitoring-verify")
    comment = reviewer.locator(f"#id_comment-{first.pk}")
    comment.fill("Lampirkan rekap SIMPEG bulan ini.")
    reviewer.get_by_role("button", name="Kirim verifikasi").click()
    expect(reviewer.locator("#report-state")).to_contain_text("Dikembalikan")
    reviewer.goto(f"/rencana/{plan.pk}/pelaksanaan/2/")
    reviewer.get_by_label("Terima").check()
    reviewer.get_by_role("button", name="Kirim verifikasi").click()
    expect(reviewer.locator("#report-state")).to_contain_text("Diterima")

    on_track_after, agencies_after = dashboard_figures(sekda, cycle)
    # 20 → 80 reached 65: 75 % of the way, ahead of the window's elapsed share.
    assert on_track_after == "100,00%"
    assert "75,00%" in agencies_after and "75,00%" not in agencies_before
    screenshot(sekda, "monitoring-dashboard")

    agent.goto(f"/rencana/{plan.pk}/pelaksanaan/1/")
    expect(agent.get_by_text("Lampirkan rekap SIMPEG bulan ini.")).to_be_visible()
    agent.locator("#id_answer").fill("Rekap SIMPEG sudah dilampirkan.")
    agent.locator("#id_link").fill("https://example.org/rekap-simpeg")
    agent.get_by_role("button", name="Tambah bukti").click()
    agent.get_by_role("button", name="Ajukan untuk diverifikasi").click()
    expect(agent.locator("#report-state")).to_contain_text("Menunggu verifikasi")
    reviewer.goto(f"/rencana/{plan.pk}/pelaksanaan/1/")
    expect(reviewer.get_by_text("Rekap SIMPEG sudah dilampirkan.")).to_be_visible()
    reviewer.get_by_label("Terima").check()
    reviewer.get_by_role("button", name="Kirim verifikasi").click()
    expect(reviewer.locator("#report-state")).to_contain_text("Diterima")

    agent.goto(f"/rencana/{plan.pk}/pelaksanaan/")
    expect(agent.locator("#plan-realisation")).to_contain_text("75,00%")
    screenshot(agent, "monitoring-plan-tab")
    agent.get_by_role("link", name="Tulis laporan akhir").click()
    agent.get_by_label("Hasil per target").fill("Izin terbit tepat waktu naik menjadi 65%.")
    agent.get_by_label("Dampak di dalam instansi").fill("Antrean di loket berkurang.")
    agent.get_by_label("Dampak bagi provinsi dan masyarakat").fill("Izin diurus dari rumah.")
    agent.get_by_label("Inovasi dilanjutkan").check()
    agent.get_by_role("button", name="Simpan laporan akhir").click()

    coordinator = new_context().new_page()
    login(coordinator, "koordinator", PASSWORD)
    coordinator.goto(f"/rencana/{plan.pk}/pelaksanaan/")
    coordinator.get_by_role("button", name="Tandai selesai").click()
    expect(coordinator.get_by_text("Rencana ditandai selesai.")).to_be_visible()
    plan.refresh_from_db()
    assert plan.state == PlanState.COMPLETED

    job = request_plan_report(kind=ReportKind.PLAN_DOCUMENT, plan=plan, by=scene["agent"].user)
    job = ReportJob.objects.get(pk=job.pk)
    assert job.status == JobStatus.DONE, job.error
    with job.file.open("rb") as fh:
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(fh.read())).pages)
    assert "Izin terbit tepat waktu naik menjadi 65%." in re.sub(r"\s+", " ", text)
