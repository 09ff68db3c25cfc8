"""The spreadsheets: scores per plan and criterion, plans with activities and targets."""

import io
import zipfile

import pytest
from openpyxl import load_workbook

from reports import services
from reports.enums import JobStatus, ReportKind

from .scenario import reviewed_plan

pytestmark = pytest.mark.usefixtures("private_media")


def _workbook(scenario, kind, capture):
    with capture(execute=True):
        job = services.request_cycle_report(
            kind=kind, cycle=scenario.cycle, by=scenario.coordinator
        )
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    with job.file.open("rb") as fh:
        return job, load_workbook(io.BytesIO(fh.read()))


@pytest.mark.parametrize("anonymous", [True, False])
def test_scores_sheet_has_a_row_per_review_with_every_criterion_level(
    db, django_capture_on_commit_callbacks, anonymous
):
    scenario = reviewed_plan(anonymous=anonymous)
    job, wb = _workbook(scenario, ReportKind.SCORES_XLSX, django_capture_on_commit_callbacks)
    assert job.file.name.endswith(f"nilai-{scenario.cycle.code}.xlsx")
    assert wb.sheetnames == ["Nilai", "Kriteria"]
    ws = wb["Nilai"]
    header = [c.value for c in ws[1]]
    assert header == [
        "ID rencana",
        "Judul",
        "Perangkat daerah",
        "Versi",
        "Reviewer",
        "K1 Kejelasan masalah dan data dasar (15)",
        "K2 Kriteria 2 (20)",
        "K3 Kriteria 3 (20)",
        "K4 Kriteria 4 (15)",
        "K5 Kriteria 5 (15)",
        "K6 Kriteria 6 (15)",
        "Nilai total penilaian",
        "Nilai rencana",
        "Berbeda jauh",
        "Keputusan",
    ]
    rows = [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]
    names = (
        ["Reviewer 1", "Reviewer 2"]
        if anonymous
        else ["Budi Santoso, S.Sos.", "Citra Lestari, S.T."]
    )
    common = [
        scenario.plan.pk,
        "Layanan perizinan daring satu pintu",
        "Dinas Penanaman Modal dan PTSP",
        1,
    ]
    assert rows == [
        [*common, names[0], 4, 5, 4, 3, 4, 4, 76.25, 66.25, "Ya", "Disetujui"],
        [*common, names[1], 3, 4, 4, 3, 3, 2, 56.25, 66.25, "Ya", "Disetujui"],
    ]
    assert ws.freeze_panes == "C2"
    assert ws["A1"].font.bold is True
    assert ws["F2"].number_format == "0"
    assert ws["L2"].number_format == "0.00"
    assert ws["M2"].number_format == "0.00"
    criteria = [list(r) for r in wb["Kriteria"].iter_rows(min_row=2, values_only=True)]
    assert criteria[0] == ["K1", "Kejelasan masalah dan data dasar", 15]
    assert sum(r[2] for r in criteria) == 100


def test_plans_sheet_lists_plans_with_alignment_and_counts(db, django_capture_on_commit_callbacks):
    scenario = reviewed_plan()
    job, wb = _workbook(scenario, ReportKind.PLANS_XLSX, django_capture_on_commit_callbacks)
    assert wb.sheetnames == [
        "Rencana",
        "Kegiatan",
        "Target",
        "Realisasi",
        "Realisasi per OPD",
        "Realisasi per area RB",
        "Laporan akhir",
    ]
    plans = wb["Rencana"]
    header = [c.value for c in plans[1]]
    assert header[:8] == [
        "ID",
        "Judul",
        "Perangkat daerah",
        "Agen",
        "NIP",
        "Status",
        "Nilai",
        "Diajukan",
    ]
    assert header[8:] == [
        "Jenis perubahan",
        "Peran agen perubahan yang dijalankan",
        "Area perubahan RB",
        "Nilai BerAKHLAK",
        "Anggota tim",
        "Jumlah kegiatan",
        "Jumlah target",
    ]
    row = [c.value for c in plans[2]]
    assert row[1] == "Layanan perizinan daring satu pintu"
    assert row[5] == "Disetujui"
    assert row[6] == 66.25
    assert row[8:] == [
        "Digitalisasi",
        None,
        "Penataan Tatalaksana",
        "Berorientasi Pelayanan",
        None,
        10,
        5,
    ]
    assert plans.freeze_panes == "C2"
    assert plans["G2"].number_format == "0.00"
    activities = list(wb["Kegiatan"].iter_rows(min_row=2, values_only=True))
    assert len(activities) == 10
    assert activities[0][7] == 2500000
    assert wb["Kegiatan"]["H2"].number_format == "#,##0"
    targets = list(wb["Target"].iter_rows(min_row=2, values_only=True))
    assert [(t[2], t[4], t[5]) for t in targets][0] == (
        "Persentase izin terbit tepat waktu 1",
        40.5,
        90,
    )
    assert job.title == f"Rencana, kegiatan dan target — {scenario.cycle.name}"


FORMULAS = [
    '=HYPERLINK("https://contoh.invalid/x","Klik")',
    "+62 811 000",
    "-1+1",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


def test_text_that_looks_like_a_formula_is_written_as_text_and_numbers_stay_numbers(
    db, django_capture_on_commit_callbacks
):
    scenario = reviewed_plan()
    plan = scenario.plan
    plan.title = FORMULAS[0]
    plan.save(update_fields=["title"])
    activities = list(plan.activities.order_by("order", "id"))
    for activity, text in zip(activities, FORMULAS[1:], strict=False):
        activity.title = text
        activity.save(update_fields=["title"])
    _job, wb = _workbook(scenario, ReportKind.PLANS_XLSX, django_capture_on_commit_callbacks)
    title = wb["Rencana"]["B2"]
    assert (title.value, title.data_type, title.quotePrefix) == (FORMULAS[0], "s", True)
    assert wb["Rencana"]["G2"].value == 66.25
    assert wb["Rencana"]["G2"].data_type == "n"
    cells = [wb["Kegiatan"].cell(row=row, column=3) for row in range(2, 7)]
    # XML reads a stored carriage return back as a line feed.
    assert [(c.value, c.data_type, c.quotePrefix) for c in cells] == [
        (text.replace("\r", "\n"), "s", True) for text in FORMULAS[1:]
    ]
    # An ordinary title keeps the ordinary style.
    assert wb["Kegiatan"].cell(row=7, column=3).quotePrefix is False

    _job, scores = _workbook(scenario, ReportKind.SCORES_XLSX, django_capture_on_commit_callbacks)
    cell = scores["Nilai"]["B2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (FORMULAS[0], "s", True)
    assert scores["Nilai"]["L2"].value == 76.25


def test_a_formula_in_the_raw_xlsx_never_appears_as_a_formula_element(
    db, django_capture_on_commit_callbacks
):
    """What Excel reads: no <f> element anywhere in the sheet XML."""
    scenario = reviewed_plan()
    scenario.plan.title = FORMULAS[0]
    scenario.plan.save(update_fields=["title"])
    with django_capture_on_commit_callbacks(execute=True):
        job = services.request_cycle_report(
            kind=ReportKind.PLANS_XLSX, cycle=scenario.cycle, by=scenario.coordinator
        )
    job.refresh_from_db()
    with job.file.open("rb") as fh:
        archive = zipfile.ZipFile(io.BytesIO(fh.read()))
    sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
    assert len(sheets) == 7  # plans, activities, targets and the four of realisation
    for name in sheets:
        assert b"<f>" not in archive.read(name)
