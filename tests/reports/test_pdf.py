"""The PDF documents: what they print (text extracted with pypdf), on what paper, with
which fonts, and how they look (every kind rendered to PNG under test-artifacts/pdf/)."""

import io
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import translation
from pypdf import PdfReader

from agents.enums import Role
from plans.enums import PlanState
from plans.models import PlanVersion
from reports.enums import JobStatus, ReportKind
from reports.rendering import ReportError
from reports.rendering.cycle_summary import summary_figures
from reports.rendering.pdf import LocalOnlyFetcher, verify_url
from reports.rendering.svg import Bar, bar_chart
from reports.selectors import cycle_overview
from reports.services import agency_tallies, request_cycle_report, request_plan_report
from tests.factories import (
    AgencyFactory,
    AgentFactory,
    CycleFactory,
    PlanFactory,
    user_with_role,
    wita,
)

from .scenario import PLAN_SCORE, TOTAL_A, TOTAL_B, detailed_plan, reviewed_plan

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "pdf"
A4_POINTS = (595.28, 841.89)

pytestmark = pytest.mark.usefixtures("private_media")


def _pdf(job) -> PdfReader:
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    with job.file.open("rb") as fh:
        return PdfReader(io.BytesIO(fh.read()))


def _text(reader: PdfReader) -> str:
    """The document's text with runs of whitespace folded, as a reader would search it."""
    return re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in reader.pages))


def _request(kind, *, by, plan=None, cycle=None, capture):
    with capture(execute=True):
        if plan is not None:
            return request_plan_report(kind=kind, plan=plan, by=by)
        return request_cycle_report(kind=kind, cycle=cycle, by=by)


def test_plan_document_prints_the_submitted_plan_and_signature_block(
    scenario, django_capture_on_commit_callbacks
):
    PlanVersion.objects.filter(plan=scenario.plan).update(created_at=wita(2023, 2, 21, 10, 0))
    job = _request(
        ReportKind.PLAN_DOCUMENT,
        by=scenario.agent,
        plan=scenario.plan,
        capture=django_capture_on_commit_callbacks,
    )
    reader = _pdf(job)
    text = _text(reader)

    assert [tuple(round(float(v), 2) for v in page.mediabox[2:]) for page in reader.pages] == [
        A4_POINTS
    ] * len(reader.pages)
    for expected in (
        "PEMERINTAH PROVINSI KALIMANTAN TIMUR",
        "SEKRETARIAT DAERAH",
        "BIRO ORGANISASI",
        "RENCANA TINDAK AGEN PERUBAHAN",
        "Layanan perizinan daring satu pintu",
        "Dinas Penanaman Modal dan PTSP",
        "Rina Marlina, S.Kom., M.M.",
        scenario.agent.nip,
        "Versi 1, diajukan 21 Februari 2023",
        "Waktu layanan perizinan rata-rata 14 hari.",
        "Tahap 10: penyusunan SOP layanan izin daring",
        "Persentase izin terbit tepat waktu 5",
        "Laporan bulanan SiCantik",
        "Penataan Tatalaksana",
        "Berorientasi Pelayanan",
        "137.500.000",  # the budget total, Indonesian grouping
        "40,5",  # a baseline, Indonesian decimal comma
        "Samarinda, 21 Februari 2023",
        "Mengetahui,",
        "Kepala Dinas Penanaman Modal dan PTSP,",
        "Dr. H. Ahmad Fauzi, S.E., M.Si.",
        "Pembina Utama Muda (IV/c)",
        "NIP. 197001011995031002",
    ):
        assert expected in text, expected
    assert "DRAF" not in text
    pages = len(reader.pages)
    assert pages >= 2
    for number, page in enumerate(reader.pages, start=1):
        page_text = _text_of(page)
        assert f"Halaman {number} dari {pages}" in page_text
        assert job.verification_code in page_text  # the running footer, on every page
    assert verify_url(job.verification_code).endswith(f"/verify/{job.verification_code}")


def _text_of(page) -> str:
    return re.sub(r"\s+", " ", page.extract_text())


def test_plan_document_of_a_never_submitted_plan_prints_the_draft_marked_draf(
    db, django_capture_on_commit_callbacks
):
    cycle = CycleFactory()
    plan = detailed_plan(cycle, title="Rencana yang masih draf", activities=3, targets=2)
    job = _request(
        ReportKind.PLAN_DOCUMENT,
        by=plan.owner.user,
        plan=plan,
        capture=django_capture_on_commit_callbacks,
    )
    text = _text(_pdf(job))
    assert "Rencana yang masih draf" in text
    assert "Draf, belum diajukan" in text
    assert "DRAF — rencana tindak ini belum diajukan." in text
    # No head of agency: the block leaves room to sign by hand.
    assert "(....................................)" in text


def test_review_packet_prints_every_score_the_aggregate_and_the_decision(
    scenario, django_capture_on_commit_callbacks
):
    job = _request(
        ReportKind.REVIEW_PACKET,
        by=scenario.coordinator,
        plan=scenario.plan,
        capture=django_capture_on_commit_callbacks,
    )
    text = _text(_pdf(job))
    for expected in (
        "PAKET PENILAIAN RENCANA TINDAK",
        "Layanan perizinan daring satu pintu",
        "Dinas Penanaman Modal dan PTSP",
        "Kejelasan masalah dan data dasar",
        "Reviewer 1",
        "Reviewer 2",
        "76,25",
        "56,25",
        "66,25",
        "rata-rata dari 2 penilaian",
        "Penilaian berbeda jauh Ya",
        "Disetujui",
        "Rencana layak dilaksanakan dengan penguatan target.",
        "Komentar K1 dari Budi Santoso, S.Sos.",  # comments are printed …
        "Masukan umum dari Citra Lestari, S.T.",
        "4,00",  # K3: both reviewers level 4, mean 4,00
    ):
        assert expected in text, expected
    assert (TOTAL_A, TOTAL_B, PLAN_SCORE) == (
        scenario.plan.assignments.get(reviewer=scenario.reviewers[0]).reviews.get().total,
        scenario.plan.assignments.get(reviewer=scenario.reviewers[1]).reviews.get().total,
        scenario.plan.score,
    )
    # … but reviewer names only inside their own comments (the test data), never as
    # headings, and never the confidential note to the coordinator.
    assert "Budi Santoso, S.Sos. —" not in text
    assert "RAHASIA-KOORDINATOR" not in text


def test_review_packet_names_reviewers_when_the_cycle_does_not_hide_them(
    db, django_capture_on_commit_callbacks
):
    scenario = reviewed_plan(anonymous=False, decide=False)
    job = _request(
        ReportKind.REVIEW_PACKET,
        by=scenario.coordinator,
        plan=scenario.plan,
        capture=django_capture_on_commit_callbacks,
    )
    text = _text(_pdf(job))
    assert "Budi Santoso, S.Sos. — dikirim" in text
    assert "Reviewer 1" not in text
    assert "Belum diputuskan." in text


def test_review_packet_of_a_plan_never_submitted_fails_with_a_message(
    db, django_capture_on_commit_callbacks
):
    plan = PlanFactory(state=PlanState.DRAFT)
    head = user_with_role(Role.COORDINATOR)
    job = _request(
        ReportKind.REVIEW_PACKET, by=head, plan=plan, capture=django_capture_on_commit_callbacks
    )
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "Rencana ini belum pernah diajukan, sehingga belum ada paket penilaian."
    assert not job.file


def test_cycle_summary_prints_the_figures_tables_and_charts(
    scenario, django_capture_on_commit_callbacks
):
    # Eleven agencies with agents and no plan (more than the dashboard's ten), and one
    # whose only plan scores below the limit: every one of them is printed.
    silent = [f"Badan Uji {i:02d}" for i in range(11, 0, -1)]
    for name in silent:
        AgentFactory(user__agency=AgencyFactory(name=name))
    low = AgentFactory(user__agency=AgencyFactory(name="Dinas Kesehatan", abbreviation="DINKES"))
    PlanFactory(
        cycle=scenario.cycle,
        owner=low,
        title="Antrean puskesmas daring",
        state=PlanState.APPROVED,
        score=Decimal("45.5"),
    )
    job = _request(
        ReportKind.CYCLE_SUMMARY,
        by=scenario.coordinator,
        cycle=scenario.cycle,
        capture=django_capture_on_commit_callbacks,
    )
    text = _text(_pdf(job))
    for expected in (
        "LAPORAN RINGKAS ASSESSMENT AGEN PERUBAHAN",
        "Assessment Agen Perubahan 2026",
        # The headline (pypdf runs each figure into its label).
        "1. Angka utama 2Perangkat daerah peserta 13Agen perubahan aktif 2Rencana disusun "
        "2Rencana diajukan (100,0%) 2Rencana disetujui (100,0%) 55,88Rata-rata nilai "
        "(2 rencana) 2Penilaian masuk dari 2 reviewer 1Penilaian berbeda jauh",
        # The charts: plans per state, score bins, RB areas and BerAKHLAK values.
        "Draf 0 Diajukan 0 Dalam penilaian 0 Selesai dinilai 0 Perlu revisi 0 Disetujui 2 "
        "Ditolak 0 Dilaksanakan 0 Selesai 0",
        "0–20 0 20–40 0 40–60 1 60–80 1 80–100 0",
        "Penataan Tatalaksana 1",
        "Berorientasi Pelayanan 1",
        # The agency table, by name, and the province's totals.
        "1 Badan Uji 01 1 0 0 — 0 — —",
        "12 Dinas Kesehatan 1 1 1 100,0 1 100,0 45,50",
        "13 Dinas Penanaman Modal dan PTSP 1 1 1 100,0 1 100,0 66,25",
        "Provinsi Kalimantan Timur 13 2 2 100,0 2 100,0 55,88",
        # The top plans, with their agency's short name, agent and state.
        "1 Layanan perizinan daring satu pintu DPMPTSP Rina Marlina, S.Kom., M.M. 66,25 "
        f"Disetujui 2 Antrean puskesmas daring DINKES {low.user.name} 45,50 Disetujui",
        "Rata-rata nilai di bawah 60 No. Perangkat daerah Rencana diajukan Rata-rata nilai "
        "1 Dinas Kesehatan 1 45,50",
    ):
        assert expected in text, expected
    # Every agency without a submission, in name order, across the page break.
    lagging = text[text.index("Belum mengajukan rencana tindak") :]
    positions = [lagging.index(f"{n} Badan Uji {n:02d} 1 0") for n in range(1, 12)]
    assert positions == sorted(positions)
    assert "Dinas Kesehatan" not in lagging[: lagging.index("Rata-rata nilai di bawah 60")]


def test_documents_print_the_region_and_place_of_the_settings(
    scenario, settings, django_capture_on_commit_callbacks
):
    settings.AGENPLAN_GOVERNMENT_NAME = "Pemerintah Kabupaten Kutai Kartanegara"
    settings.AGENPLAN_REGION_NAME = "Kabupaten Kutai Kartanegara"
    settings.AGENPLAN_DOCUMENT_PLACE = "Tenggarong"
    settings.AGENPLAN_ADDRESS = "Jalan Wolter Monginsidi No. 1, Tenggarong 75511"
    PlanVersion.objects.filter(plan=scenario.plan).update(created_at=wita(2023, 2, 21, 10, 0))

    plan_text = _text(
        _pdf(
            _request(
                ReportKind.PLAN_DOCUMENT,
                by=scenario.agent,
                plan=scenario.plan,
                capture=django_capture_on_commit_callbacks,
            )
        )
    )
    summary_text = _text(
        _pdf(
            _request(
                ReportKind.CYCLE_SUMMARY,
                by=scenario.coordinator,
                cycle=scenario.cycle,
                capture=django_capture_on_commit_callbacks,
            )
        )
    )

    assert "PEMERINTAH KABUPATEN KUTAI KARTANEGARA" in plan_text
    assert "Tenggarong, 21 Februari 2023" in plan_text
    # The totals row of the agency table is named after the region.
    assert "66,25 Kabupaten Kutai Kartanegara 1 1 1 100,0 1 100,0 66,25" in summary_text
    for text in (plan_text, summary_text):
        assert "Samarinda" not in text
        assert "Kalimantan Timur" not in text


def test_cycle_summary_is_in_bahasa_indonesia_after_the_dashboard_was_seen_in_english(
    scenario, django_capture_on_commit_callbacks
):
    with translation.override("en"):
        cycle_overview(scenario.cycle)  # the shared cache, filled by an English dashboard
        job = _request(
            ReportKind.CYCLE_SUMMARY,
            by=scenario.coordinator,
            cycle=scenario.cycle,
            capture=django_capture_on_commit_callbacks,
        )
    text = _text(_pdf(job))
    assert (
        "Draf 0 Diajukan 0 Dalam penilaian 0 Selesai dinilai 0 Perlu revisi 0 Disetujui 1 "
        "Ditolak 0 Dilaksanakan 0 Selesai 0"
    ) in text
    assert "Approved" not in text


def test_pdfs_embed_only_the_shipped_noto_sans_font(scenario, django_capture_on_commit_callbacks):
    job = _request(
        ReportKind.REVIEW_PACKET,
        by=scenario.coordinator,
        plan=scenario.plan,
        capture=django_capture_on_commit_callbacks,
    )
    fonts = set()
    for page in _pdf(job).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    assert {"Noto-Sans", "Noto-Sans-Bold"} <= fonts
    assert all(name.startswith("Noto-Sans") for name in fonts), fonts


def test_plan_text_is_printed_as_text_never_as_markup(db, django_capture_on_commit_callbacks):
    cycle = CycleFactory()
    plan = detailed_plan(cycle, title="Rencana <b>tebal</b>", activities=3, targets=2)
    plan.root_cause = '<img src="http://example.com/x.png"> akar & masalah'
    plan.save()
    job = _request(
        ReportKind.PLAN_DOCUMENT,
        by=plan.owner.user,
        plan=plan,
        capture=django_capture_on_commit_callbacks,
    )
    text = _text(_pdf(job))
    assert "Rencana <b>tebal</b>" in text
    assert '<img src="http://example.com/x.png"> akar & masalah' in text


def test_the_fetcher_reads_only_static_files_and_data_uris(tmp_path):
    static = ROOT / "static"
    fetcher = LocalOnlyFetcher([static])
    font = static / "fonts" / "noto-sans" / "NotoSans-Regular.woff2"
    response = fetcher.fetch(font.as_uri())
    try:
        assert response.read(4) == b"wOF2"
    finally:
        response.close()
    with pytest.raises(ValueError, match="outside the static folders"):
        fetcher.fetch(Path("/etc/hostname").as_uri())
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher.fetch("http://example.com/logo.png")


def test_bar_chart_labels_every_bar_and_escapes_labels():
    svg = str(bar_chart([Bar("A & <B>", 3), Bar("C", 1.5)], title="Judul"))
    assert "<title>Judul</title>" in svg
    assert "A &amp; &lt;B&gt;" in svg
    assert ">3</text>" in svg
    assert ">1,5</text>" in svg


def test_report_error_is_a_plan_error_with_a_message():
    error = ReportError("Pesan")
    assert str(error) == "Pesan"


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")
def test_every_pdf_kind_renders_to_png_artifacts(scenario, django_capture_on_commit_callbacks):
    """Renders every PDF kind and its pages to test-artifacts/pdf/*.png for a human to
    look at (letterhead, rule line, tidy tables); asserts each page became an image."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    draft = detailed_plan(scenario.cycle, title="Rencana draf untuk contoh", activities=4)
    jobs = {
        "plan_document": _request(
            ReportKind.PLAN_DOCUMENT,
            by=scenario.agent,
            plan=scenario.plan,
            capture=django_capture_on_commit_callbacks,
        ),
        "plan_document_draft": _request(
            ReportKind.PLAN_DOCUMENT,
            by=draft.owner.user,
            plan=draft,
            capture=django_capture_on_commit_callbacks,
        ),
        "review_packet": _request(
            ReportKind.REVIEW_PACKET,
            by=scenario.coordinator,
            plan=scenario.plan,
            capture=django_capture_on_commit_callbacks,
        ),
        "cycle_summary": _request(
            ReportKind.CYCLE_SUMMARY,
            by=scenario.coordinator,
            cycle=scenario.cycle,
            capture=django_capture_on_commit_callbacks,
        ),
    }
    for name, job in jobs.items():
        reader = _pdf(job)
        pdf_path = ARTIFACTS / f"{name}.pdf"
        with job.file.open("rb") as fh:
            pdf_path.write_bytes(fh.read())
        for old in ARTIFACTS.glob(f"{name}-*.png"):
            old.unlink()
        subprocess.run(
            ["pdftoppm", "-png", "-r", "70", str(pdf_path), str(ARTIFACTS / name)],
            check=True,
            timeout=120,
        )
        images = sorted(ARTIFACTS.glob(f"{name}-*.png"))
        assert len(images) == len(reader.pages)
        assert all(image.stat().st_size > 5000 for image in images)


@pytest.mark.parametrize("extra_plans", [0, 6])
def test_summary_figures_take_the_same_queries_whatever_the_number_of_plans(
    scenario, django_assert_num_queries, extra_plans
):
    for i in range(extra_plans):
        PlanFactory(cycle=scenario.cycle, title=f"Rencana tambahan {i}")
    cache.clear()
    # The dashboard's overview (reports.selectors.overview: eight queries, whatever the
    # number of plans: the cycle's kept totals, the reference lists, top plans, the
    # previous cycle, the agencies listed and the two lagging lists), the agencies' rows,
    # then the review totals.
    with django_assert_num_queries(10):
        figures = summary_figures(scenario.cycle)
    assert figures.overview.headline.plans == 1 + extra_plans
    assert figures.overview.headline.scored == 1
    assert (figures.reviews, figures.reviewers) == (2, 2)
    # Again, with the cache full: a document reads the database all the same.
    with django_assert_num_queries(10):
        again = summary_figures(scenario.cycle)
    assert again.overview.headline == figures.overview.headline


def test_summary_never_prints_what_a_stale_cache_holds(scenario):
    """A worker's per-process cache may miss the web process's invalidations: the
    document must read the database, and leave the renewed figures for the dashboard."""
    plans = scenario.cycle.plans.all()
    rejected = plans.filter(state=PlanState.REJECTED).count()
    assert rejected < plans.count()
    assert cycle_overview(scenario.cycle).headline.rejected == rejected  # fills the cache
    # A change the cache does not hear of, as a change made in another process looks to
    # a worker's own cache: the database (its plans and the rows kept per agency, which
    # that process's transaction rewrote) holds it, the cache does not.
    plans.update(state=PlanState.REJECTED)
    agency_tallies.rebuild(scenario.cycle)
    assert cycle_overview(scenario.cycle).headline.rejected == rejected  # stale, as expected
    assert summary_figures(scenario.cycle).overview.headline.rejected == plans.count()
    assert cycle_overview(scenario.cycle).headline.rejected == plans.count()
