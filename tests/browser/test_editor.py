"""The agent's side of the plan editor in a real browser: drafting a whole plan from an empty
account, the conflict screen with two sessions, and the checklist blocking submission.

Screenshots of the editor, the schedule, the conflict screen and the diff are kept under
test-artifacts/screenshots/.
"""

import re

import pytest
from playwright.sync_api import expect

from agents.enums import Role
from assessment.models import Criterion
from assessment.services import assign_reviewers, decide_plan, save_review, submit_review
from plans.enums import PlanState
from plans.models import ActionPlan, ChangeArea, CoreValue, GovernorMission
from tests.factories import AgentFactory, CycleFactory, PlanFactory, add_rubric, user_with_role

from .conftest import ARTIFACTS, axe_violations, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "rahasia-123"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def province(transactional_db):
    cycle = CycleFactory(name="Assessment Agen Perubahan 2026", min_activities=3, min_targets=2)
    add_rubric(cycle)
    for i, (code, name) in enumerate([("TL", "Penataan Tatalaksana"), ("PP", "Pelayanan Publik")]):
        ChangeArea.objects.create(code=code, name=name, order=i)
    for i, (code, name) in enumerate([("B", "Berorientasi Pelayanan"), ("A", "Akuntabel")]):
        CoreValue.objects.create(code=code, name=name, order=i)
    GovernorMission.objects.create(
        period="RPJMD 2024–2026", number=1, text="Mewujudkan birokrasi yang melayani"
    )
    agent = AgentFactory(user__username="agen.uji", user__name="Rina Kartika, S.E.")
    return {
        "cycle": cycle,
        "agent": agent,
        "coordinator": user_with_role(Role.COORDINATOR, username="koord.uji"),
        "reviewer": user_with_role(Role.REVIEWER, username="reviewer.uji"),
    }


def wait_saved(page):
    """Autosave runs 2 s after typing stops (at once on leaving a field): wait until no
    section has unsaved typing or a save in flight, and the page says it is saved."""
    page.wait_for_function(
        "() => !document.querySelector("
        "'.ap-editor-section[data-ap-dirty], .ap-editor-section[data-ap-pending]')",
        timeout=20_000,
    )
    expect(page.locator("#save-status")).to_contain_text(re.compile(r"Tersimpan \d\d\.\d\d"))


def fill_row(page, prefix, values):
    for name, value in values.items():
        page.locator(f'[name="{prefix}-{name}"]').fill(value)


def test_agent_drafts_submits_revises_and_resubmits(province, new_context):
    cycle, agent = province["cycle"], province["agent"]
    page = new_context().new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, "agen.uji", PASSWORD)

    # An empty account starts its plan from "Rencana saya".
    page.get_by_label("Judul rencana tindak").fill("Layanan izin praktik tenaga kesehatan daring")
    page.get_by_role("button", name="Mulai rencana tindak").click()
    expect(page).to_have_url(re.compile(r"/rencana/\d+/ubah/$"))
    plan = ActionPlan.objects.get(owner=agent)

    # Typing: each section saves itself.
    page.get_by_label("Isu strategis / masalah layanan").fill(
        "Izin praktik tenaga kesehatan diproses manual selama 14 hari kerja."
    )
    page.get_by_label("Data kondisi awal (baseline)").fill("1.240 berkas pada 2025 (SIMPEL).")
    page.get_by_label("Akar masalah").fill("Berkas kertas berpindah meja; tidak ada pelacakan.")
    wait_saved(page)
    page.get_by_label("Gagasan perubahan / inovasi").fill("Pengajuan dan verifikasi daring.")
    page.get_by_label("Jenis perubahan").select_option(label="Digitalisasi")
    page.get_by_label("Mengapa baru bagi unit kerja").fill("Belum ada layanan izin daring.")
    page.get_by_label("Penataan Tatalaksana").check()
    page.get_by_label("Berorientasi Pelayanan").check()
    page.get_by_label("Penjelasan keselarasan").fill("Mendukung misi birokrasi melayani.")
    page.get_by_label("Dampak internal").fill("Waktu proses turun menjadi 3 hari.")
    page.get_by_label("Dampak eksternal (Pemprov dan masyarakat)").fill(
        "Tenaga kesehatan terlayani."
    )
    page.get_by_label("Pemangku kepentingan", exact=True).fill(
        "Dinkes, DPMPTSP, organisasi profesi."
    )
    page.get_by_label("Risiko", exact=True).fill("Jaringan internet tidak stabil.")
    page.get_by_label("Mitigasi").fill("Loket bantuan dan mode luring.")
    page.get_by_label("Mitigasi").blur()
    wait_saved(page)

    # Activities: one blank row is there; two more are added with htmx, then reordered.
    start = cycle.implementation_start
    months = [f"{start.year}-{start.month:02d}", f"{start.year}-{start.month + 1:02d}"]
    fill_row(
        page,
        "activities-0",
        {
            "title": "Rancang alur daring",
            "start_month": months[0],
            "end_month": months[0],
            "budget": "2.500.000",
        },
    )
    page.get_by_role("button", name="Tambah kegiatan").click()
    expect(page.locator('[name="activities-1-title"]')).to_be_focused()
    fill_row(
        page,
        "activities-1",
        {"title": "Bangun formulir", "start_month": months[0], "end_month": months[1]},
    )
    page.get_by_role("button", name="Tambah kegiatan").click()
    fill_row(
        page,
        "activities-2",
        {"title": "Sosialisasi", "start_month": months[1], "end_month": months[1]},
    )
    wait_saved(page)
    page.locator("#row-activities-2").get_by_role("button", name="Naikkan").click()
    wait_saved(page)
    assert list(plan.activities.values_list("title", flat=True)) == [
        "Rancang alur daring",
        "Sosialisasi",
        "Bangun formulir",
    ]
    # The schedule follows the rows.
    expect(page.locator("#schedule tbody tr")).to_have_count(3)
    expect(page.locator("#schedule tbody tr").nth(1)).to_contain_text("Sosialisasi")

    # Targets.
    due = cycle.implementation_end.isoformat()
    fill_row(
        page,
        "targets-0",
        {
            "indicator": "Waktu proses izin",
            "unit": "hari",
            "baseline": "14",
            "target_value": "3",
            "due_date": due,
            "verification": "Laporan SIMPEL",
        },
    )
    page.get_by_role("button", name="Tambah target").click()
    fill_row(
        page,
        "targets-1",
        {
            "indicator": "Izin diajukan daring",
            "unit": "%",
            "baseline": "0",
            "target_value": "80,5",
            "due_date": due,
            "verification": "Rekap aplikasi",
        },
    )
    page.locator("#row-targets-1").get_by_role("button", name="Naikkan").click()
    wait_saved(page)
    assert list(plan.targets.values_list("indicator", "target_value")) == [
        ("Izin diajukan daring", 80.5),
        ("Waktu proses izin", 3),
    ]
    expect(page.locator("#checklist-panel")).to_contain_text("Semua bagian lengkap")

    # An attachment.
    page.get_by_label("Berkas").set_input_files(
        {"name": "sk-tim.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Unggah lampiran").click()
    expect(page.get_by_role("link", name="sk-tim.pdf")).to_be_visible()

    # It all survives a reload.
    page.reload()
    expect(page.get_by_label("Akar masalah")).to_have_value(
        "Berkas kertas berpindah meja; tidak ada pelacakan."
    )
    expect(page.locator('[name="activities-1-title"]')).to_have_value("Sosialisasi")
    screenshot(page, "editor")
    page.locator("#section-activities").screenshot(path=str(screenshot_path("editor-schedule")))
    assert axe_violations(page) == []

    # Submit.
    page.get_by_role("button", name="Ajukan rencana").click()
    expect(page.locator(".alert")).to_contain_text("Rencana sudah diajukan")
    plan.refresh_from_db()
    assert plan.state == PlanState.SUBMITTED

    # The bureau asks for a revision.
    request_revision(plan, province, "Pertajam indikator kedua dan jelaskan anggarannya.")

    page.goto(f"/rencana/{plan.pk}/ubah/")
    expect(page.locator("#feedback-title")).to_be_visible()
    expect(page.get_by_text("Pertajam indikator kedua dan jelaskan anggarannya.")).to_be_visible()
    page.get_by_label("Gagasan perubahan / inovasi").fill(
        "Pengajuan, verifikasi dan penerbitan izin sepenuhnya daring "
        "dengan tanda tangan elektronik."
    )
    wait_saved(page)
    screenshot(page, "editor-revision")
    page.get_by_role("link", name="Lihat perubahan sejak versi yang dinilai").click()
    expect(page.get_by_role("heading", name="Bandingkan versi")).to_be_visible()
    expect(page.locator("#diff-change")).to_be_visible()
    added = page.locator("section:has(#diff-change) ins.ap-added")
    expect(added.filter(has_text="penerbitan")).to_be_visible()
    expect(page.locator("section:has(#diff-change) del.ap-removed").first).to_be_visible()
    screenshot(page, "diff")

    page.goto(f"/rencana/{plan.pk}/ubah/")
    page.get_by_role("button", name="Ajukan rencana").click()
    expect(page.locator(".alert")).to_contain_text("Rencana sudah diajukan")
    plan.refresh_from_db()
    # The revision goes straight back to the reviewer who scored the first version.
    assert (plan.state, plan.versions.count()) == (PlanState.IN_REVIEW, 2)
    assert plan.assignments.filter(is_active=True, reviewer=province["reviewer"]).exists()


def screenshot_path(name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{name}.png"


def request_revision(plan, province, feedback):

    reviewer, coordinator = province["reviewer"], province["coordinator"]
    [assignment] = assign_reviewers(plan, reviewers=[reviewer], by=coordinator)
    codes = Criterion.objects.filter(rubric__cycle=plan.cycle).values_list("code", flat=True)
    review = save_review(
        assignment,
        levels={code: (3, "Cukup") for code in codes},
        overall_feedback="Cukup",
        by=reviewer,
    )
    submit_review(review, by=reviewer)
    decide_plan(plan, outcome="revise", feedback=feedback, by=coordinator)


@pytest.fixture
def two_sessions(province, new_context):
    """The agent and a team member, each with the same plan's editor open."""
    agent = province["agent"]
    member = AgentFactory(user__agency=agent.agency, user__username="rekan.uji")
    plan = PlanFactory(cycle=province["cycle"], owner=agent, title="Antrean daring puskesmas")
    plan.co_agents.add(member)
    first = new_context().new_page()
    second = new_context().new_page()
    login(first, "agen.uji", PASSWORD)
    login(second, "rekan.uji", PASSWORD)
    first.goto(f"/rencana/{plan.pk}/ubah/")
    second.goto(f"/rencana/{plan.pk}/ubah/")
    return plan, first, second


def test_two_sessions_editing_the_same_section_get_the_conflict_screen(two_sessions):
    plan, first, second = two_sessions

    first.get_by_label("Akar masalah").fill("Pendaftaran hanya di loket pagi hari.")
    first.get_by_label("Akar masalah").blur()
    wait_saved(first)

    second.get_by_label("Akar masalah").fill("Tidak ada sistem nomor antrean.")
    second.get_by_label("Akar masalah").blur()
    expect(second.get_by_role("heading", name="Rencana ini diubah orang lain")).to_be_visible()
    conflict = second.locator("#conflict")
    expect(conflict.locator(".ap-mine").first).to_contain_text("Tidak ada sistem nomor antrean.")
    expect(conflict.locator(".ap-stored").first).to_contain_text(
        "Pendaftaran hanya di loket pagi hari."
    )
    screenshot(second, "conflict")
    # Nothing is chosen for the user.
    expect(conflict.locator("input[type=radio]:checked")).to_have_count(0)
    # Nothing was overwritten.
    plan.refresh_from_db()
    assert plan.root_cause == "Pendaftaran hanya di loket pagi hari."

    second.get_by_text("Gabungkan", exact=True).click()
    second.get_by_label(re.compile("Gabungan untuk Akar masalah")).fill(
        "Pendaftaran hanya di loket pagi hari dan tidak ada sistem nomor antrean."
    )
    second.get_by_role("button", name="Simpan pilihan").click()
    expect(second.locator(".alert")).to_contain_text("Perbedaan sudah diselesaikan")
    plan.refresh_from_db()
    assert plan.root_cause == (
        "Pendaftaran hanya di loket pagi hari dan tidak ada sistem nomor antrean."
    )
    expect(second.get_by_label("Akar masalah")).to_have_value(plan.root_cause)


def test_two_sessions_editing_different_sections_save_without_a_conflict(two_sessions):
    plan, first, second = two_sessions
    risks = second.get_by_role("textbox", name="Risiko", exact=True)

    # In turn, twice each: every save lands on a plan the other one has just changed.
    for n in (1, 2):
        first.get_by_label("Akar masalah").fill(f"Pendaftaran hanya di loket pagi ({n}).")
        first.get_by_label("Akar masalah").blur()
        wait_saved(first)
        risks.fill(f"Warga belum terbiasa mendaftar daring ({n}).")
        risks.blur()
        wait_saved(second)
    for page in (first, second):
        expect(page.get_by_role("heading", name="Rencana ini diubah orang lain")).to_have_count(0)
    plan.refresh_from_db()
    assert plan.root_cause == "Pendaftaran hanya di loket pagi (2)."
    assert plan.risks == "Warga belum terbiasa mendaftar daring (2)."


def test_checklist_blocks_submission_and_links_to_the_missing_field(province, new_context):
    agent = province["agent"]
    plan = PlanFactory(cycle=province["cycle"], owner=agent, title="Arsip digital kepegawaian")
    page = new_context().new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, "agen.uji", PASSWORD)
    page.goto(f"/rencana/{plan.pk}/ubah/")
    panel = page.locator("#checklist-panel")
    expect(panel).to_contain_text("2 dari 17 lengkap")
    # Submitting waits for the checklist, and says so.
    submit = page.get_by_role("button", name="Ajukan rencana")
    expect(submit).to_be_disabled()
    expect(submit).to_have_accessible_description(
        "Belum dapat diajukan: 15 hal di daftar kelengkapan belum dipenuhi."
    )
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT

    page.locator("#checklist-panel").get_by_role("link", name="Akar masalah wajib diisi.").click()
    expect(page.get_by_label("Akar masalah")).to_be_focused()
    page.get_by_label("Akar masalah").fill("Arsip kertas tersebar di tiap bidang.")
    wait_saved(page)
    expect(panel).to_contain_text("Akar masalah sudah diisi.")
    expect(panel).to_contain_text("3 dari 17 lengkap")
    screenshot(page, "editor-checklist")


def test_an_autosave_that_gets_no_answer_says_so_and_is_retried(province, new_context):
    """A 503 (the database restarting) and then a lost connection: the status never keeps
    the old "Tersimpan" label, and the save is retried until it arrives."""
    agent = province["agent"]
    plan = PlanFactory(cycle=province["cycle"], owner=agent, agency=agent.agency)
    page = new_context().new_page()
    login(page, "agen.uji", PASSWORD)
    page.goto(f"/rencana/{plan.pk}/ubah/")
    page.get_by_label("Akar masalah").fill("Berkas kertas berpindah meja.")
    wait_saved(page)

    failures = ["503", "abort"]

    def outage(route):
        if not failures:
            route.continue_()
        elif failures.pop(0) == "503":
            route.fulfill(status=503, body="database down", headers={"Retry-After": "30"})
        else:
            route.abort("connectionreset")

    page.route("**/simpan/?bagian=*", outage)
    page.get_by_label("Akar masalah").fill("Berkas kertas berpindah meja; tidak ada pelacakan.")
    status = page.locator("#save-status")
    expect(status).to_have_text("Belum tersimpan — akan dicoba lagi", timeout=10_000)
    expect(status).not_to_contain_text("Tersimpan ")
    # The second attempt is cut off too; the third arrives.
    wait_saved(page)
    assert failures == []
    plan.refresh_from_db()
    assert plan.root_cause == "Berkas kertas berpindah meja; tidak ada pelacakan."
