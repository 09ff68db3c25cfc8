"""The assessment journey: the coordinator auto-assigns two reviewers to a submitted plan,
both review it in their own browser contexts, the coordinator sees the aggregate and the
disagreement flag and requests a revision; the agent reads the feedback (reviewer names
hidden: the cycle keeps reviewers anonymous)."""

import re

import pytest
from playwright.sync_api import expect

from agents.enums import Role
from plans.enums import PlanState
from plans.models import ActionPlan
from plans.services.workflow import submit_plan
from tests.factories import (
    AgencyFactory,
    AgentFactory,
    CycleFactory,
    PlanFactory,
    add_rubric,
    complete_plan_content,
    user_with_role,
)

from .conftest import axe_violations, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "rahasia-123"  # tests.factories.UserFactory


@pytest.fixture
def scene(transactional_db):
    cycle = CycleFactory(name="Assessment Agen Perubahan 2026", code="assessment-2026")
    add_rubric(cycle)
    bureau = AgencyFactory(name="Biro Organisasi", abbreviation="Biro Org")
    agent = AgentFactory(
        user__username="agen", user__name="Rahmat Hidayat, S.E.", user__email="agen@x.go.id"
    )
    plan = complete_plan_content(
        PlanFactory(cycle=cycle, owner=agent, title="Layanan perizinan daring satu pintu")
    )
    submit_plan(plan, by=agent.user)
    reviewers = [
        user_with_role(
            Role.REVIEWER, username=f"reviewer{i}", name=f"Dra. Penilai {i}, M.Si.", agency=bureau
        )
        for i in (1, 2)
    ]
    user_with_role(Role.COORDINATOR, username="koordinator", name="Koordinator Biro")
    return {"cycle": cycle, "plan": plan, "reviewers": reviewers}


def accept_dialogs(page):
    page.on("dialog", lambda dialog: dialog.accept())


def review_as(new_context, username, level, feedback, plan_title):
    page = new_context().new_page()
    accept_dialogs(page)
    login(page, username, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Antrean penilaian")
    page.get_by_role("link", name=plan_title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(plan_title)
    expect(page.get_by_text("Nilai reviewer lain tampil setelah")).to_be_visible()
    for code in range(1, 7):
        page.locator(f"#criterion-K{code} input[value='{level}']").check()
        page.locator(f"#criterion-K{code} textarea").fill(f"Catatan K{code} tingkat {level}")
    page.get_by_label("Masukan untuk agen").fill(feedback)
    page.get_by_label("Catatan rahasia untuk koordinator").fill("Hanya untuk koordinator.")
    expected = {5: "100,00", 2: "25,00"}[level]
    expect(page.locator("#running-total")).to_have_text(expected)
    screenshot(page, f"assessment-review-{username}")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Kirim penilaian").click()
    expect(page.get_by_text("Penilaian dikirim dan terkunci.")).to_be_visible()
    return page


def test_assign_review_decide_and_the_agent_reads_the_feedback(scene, new_context):
    plan, cycle = scene["plan"], scene["cycle"]
    coordinator = new_context().new_page()
    accept_dialogs(coordinator)
    login(coordinator, "koordinator", PASSWORD)
    coordinator.goto(f"/koordinator/penugasan/?cycle={cycle.code}")
    expect(coordinator.get_by_role("link", name=plan.title)).to_be_visible()
    coordinator.get_by_role("button", name="Tugaskan otomatis").click()
    expect(coordinator.get_by_text("2 penugasan dibuat untuk 1 rencana.")).to_be_visible()
    screenshot(coordinator, "assessment-assignments")

    review_as(new_context, "reviewer1", 5, "Gagasan kuat; target sudah terukur.", plan.title)
    second = review_as(new_context, "reviewer2", 2, "Akar masalah belum didukung data.", plan.title)
    # After sending, the second reviewer sees the first one's scores.
    expect(second.locator("#others-title")).to_be_visible()
    expect(second.get_by_text("Dra. Penilai 1, M.Si.")).to_be_visible()

    coordinator.goto(f"/koordinator/keputusan/?cycle={cycle.code}&group=reviews_complete")
    row = coordinator.get_by_role("row").filter(has_text=plan.title)
    expect(row).to_contain_text("berbeda jauh")
    expect(row).to_contain_text("62,50")
    screenshot(coordinator, "assessment-decisions")
    assert axe_violations(coordinator) == []
    row.get_by_role("link", name="Putuskan").click()
    expect(coordinator.get_by_text("Penilaian berbeda jauh").first).to_be_visible()
    feedback = coordinator.get_by_label("Masukan gabungan untuk agen")
    expect(feedback).to_have_value(
        "Gagasan kuat; target sudah terukur.\n\nAkar masalah belum didukung data."
    )
    coordinator.get_by_label("Perlu revisi").check()
    feedback.fill("Lengkapi data baseline dan akar masalah.")
    screenshot(coordinator, "assessment-decide")
    coordinator.get_by_role("button", name="Simpan keputusan").click()
    expect(coordinator.get_by_text("Keputusan disimpan dan agen diberi tahu.")).to_be_visible()
    assert ActionPlan.objects.get(pk=plan.pk).state == PlanState.REVISION_REQUESTED

    agent = new_context().new_page()
    login(agent, "agen", PASSWORD)
    expect(agent.locator("#ap-bell-count")).to_contain_text("1")
    agent.goto(f"/rencana/{plan.pk}/hasil-penilaian/")
    box = agent.locator(".ap-plan-feedback")
    expect(box).to_contain_text("Perlu revisi")
    expect(box).to_contain_text("62,50")
    expect(box).to_contain_text("Lengkapi data baseline dan akar masalah.")
    expect(box).to_contain_text("Reviewer 1")
    expect(box).not_to_contain_text("Penilai")
    expect(box).not_to_contain_text("Hanya untuk koordinator")
    agent.get_by_text(re.compile(r"^\s*Reviewer 2")).click()
    expect(box).to_contain_text("Catatan K1 tingkat 2")
    screenshot(agent, "assessment-agent-feedback")
    assert axe_violations(agent) == []


def test_coordinator_pages_dry_run_an_import_and_pass_axe(scene, new_context, tmp_path):
    page = new_context().new_page()
    accept_dialogs(page)
    login(page, "koordinator", PASSWORD)
    for path, heading, name in [
        ("/koordinator/siklus/", "Siklus assessment", "assessment-cycles"),
        (
            "/koordinator/instrumen/",
            "Instrumen penilaian: Assessment Agen Perubahan 2026",
            "assessment-rubric",
        ),
        (f"/koordinator/rencana/{scene['plan'].pk}/", scene["plan"].title, "assessment-plan"),
        ("/koordinator/kalibrasi/", "Kalibrasi reviewer", "assessment-calibration"),
    ]:
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        screenshot(page, name)
        assert axe_violations(page) == [], path
    # Weights that do not add up: the message says so, nothing is saved.
    page.goto("/koordinator/instrumen/")
    page.locator("input[name='criteria-0-weight']").fill("50")
    page.get_by_role("button", name="Simpan instrumen").click()
    expect(page.locator("#rubric-errors")).to_have_text(
        "Jumlah bobot semua kriteria harus 100; sekarang 135."
    )
    # The dry run of a participants file, row by row.
    csv = tmp_path / "peserta.csv"
    csv.write_text(
        "nip,nama,kode_opd\n123,Salah,XX\n"
        f'{scene["plan"].owner.user.nip},"{scene["plan"].owner.user.name}",'
        f"{scene['plan'].agency.code}\n",
        encoding="utf-8",
    )
    page.goto("/koordinator/peserta/")
    page.get_by_label("Berkas peserta (.csv atau .xlsx)").set_input_files(str(csv))
    page.get_by_role("button", name="Uji coba").click()
    expect(page.locator("#dry-run-summary")).to_contain_text("1 baris ditolak")
    expect(page.get_by_role("row").filter(has_text="Salah")).to_contain_text(
        "Perangkat daerah “XX” tidak dikenal."
    )
    screenshot(page, "assessment-participants-dry-run")
    assert axe_violations(page) == []
    # The valid rows are imported; the refused one can be downloaded with its reason.
    expect(page.locator("#refused-download")).to_be_visible()
    page.get_by_role("button", name="Impor baris yang valid").click()
    expect(page.locator("#import-done")).to_contain_text("Impor selesai")
    expect(page.locator("#dry-run-summary")).to_contain_text("1 baris ditolak")
    # Next year's cycle, cloned with its rubric.
    page.goto("/koordinator/siklus/")
    page.get_by_role("button", name=re.compile("ke tahun berikutnya")).click()
    expect(page.get_by_text("dibuat dari Assessment Agen Perubahan 2026")).to_be_visible()


def test_reviewer_declares_a_conflict(scene, new_context):
    page = new_context().new_page()
    login(page, "reviewer1", PASSWORD)
    page.goto("/penilaian/konflik/")
    # The agency is found by typing in the search box above the select (htmx fills it).
    agency = scene["plan"].agency.name
    page.get_by_label("Cari perangkat daerah").fill(agency)
    option = page.locator("#id_agency option", has_text=agency)
    expect(option).to_have_count(1)
    page.get_by_label("Perangkat daerah", exact=True).select_option(
        value=option.get_attribute("value")
    )
    page.get_by_label("Alasan").fill("Mantan unit kerja")
    page.get_by_role("button", name="Nyatakan").click()
    expect(page.get_by_text("Konflik kepentingan dicatat.")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text(scene["plan"].agency.name)
    screenshot(page, "assessment-conflicts")
    assert axe_violations(page) == []


def test_coordinator_finds_reviewers_by_search_and_keeps_the_ticked_ones(scene, new_context):
    """With a national pool, the plan page offers the least-loaded reviewers and a search;
    reviewers ticked before a search stay ticked, and a replacement is found the same way."""
    plan = scene["plan"]
    for i in range(30):
        user_with_role(Role.REVIEWER, username=f"pool{i}", name=f"Anggota Pool {i:02d}")
    user_with_role(Role.REVIEWER, username="wulan", name="Wulan Sari Dewi")
    page = new_context().new_page()
    login(page, "koordinator", PASSWORD)
    page.goto(f"/koordinator/rencana/{plan.pk}/")
    choices = page.locator("#reviewer-choices")
    expect(choices.locator("input[name=reviewers]")).to_have_count(20)
    expect(choices).to_contain_text("20 reviewer teringan ditampilkan")
    page.get_by_label("Anggota Pool 00").check()
    page.get_by_label("Cari reviewer", exact=True).fill("wulan")
    expect(choices.locator("input[name=reviewers]")).to_have_count(2)
    expect(page.get_by_label("Anggota Pool 00")).to_be_checked()
    page.get_by_label("Wulan Sari Dewi").check()
    page.get_by_label("Cari reviewer", exact=True).fill("tidak ada")
    expect(choices).to_contain_text("Tidak ada reviewer yang cocok dengan “tidak ada”.")
    expect(page.get_by_label("Wulan Sari Dewi")).to_be_checked()
    screenshot(page, "assessment-plan-reviewer-search")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Tugaskan", exact=True).click()
    expect(page.get_by_text("2 reviewer ditugaskan.")).to_be_visible()

    page.get_by_text("Ganti reviewer").first.click()
    page.get_by_label("Cari reviewer pengganti").first.fill("Dra. Penilai 1")
    replacement = page.locator("select[name=replacement]").first
    expect(replacement.locator("option")).to_have_count(2)
    expect(replacement.locator("option").nth(1)).to_contain_text("Dra. Penilai 1, M.Si. (0)")
    replacement.select_option(index=1)
    page.get_by_label("Alasan").first.fill("Berhalangan")
    page.get_by_role("button", name="Lepas dan ganti").first.click()
    expect(page.get_by_text("Reviewer pengganti: Dra. Penilai 1, M.Si.")).to_be_visible()
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot(page, "assessment-plan-reviewers-375")
