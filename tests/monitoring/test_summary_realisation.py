"""The provincial summary PDF and the plans spreadsheet carry the dashboard's realisation
figures ("Target sesuai jadwal" with its count, the mean, the traffic lights, per agency
and per RB area) and the closing report of every completed plan."""

import io
import re
import subprocess
from pathlib import Path

import pytest
from django.utils.formats import number_format
from django.utils.translation import override
from openpyxl import load_workbook
from pypdf import PdfReader

from monitoring.services import (
    complete_with_closing,
    enter_due_implementations,
    submit_closing_report,
)
from reports.enums import JobStatus, ReportKind
from reports.selectors.realisation import cycle_realisation
from reports.services import request_cycle_report
from tests.factories import AgentFactory

from .conftest import approved_plan
from .test_dashboard_figures import report_values

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "pdf"
CLOSING = {
    "results": "Antrean daring dipakai di semua loket.",
    "internal_impact": "Waktu layanan turun separuh.",
    "external_impact": "Warga tidak perlu datang dua kali.",
    "continues": True,
    "institutionalised_by": "SK Kepala Dinas 7/2027",
}

pytestmark = pytest.mark.usefixtures("private_media")


@pytest.fixture
def measured(running_plan, agent, plan_reviewer, coordinator):
    """The running plan at 100 % and 10 %; a second agency's plan at 85 % and 16.67 %,
    completed with its closing report."""
    report_values(running_plan, agent, plan_reviewer, ["80", "26"])
    other = AgentFactory()
    done = approved_plan(
        running_plan.cycle, agent=other, reviewer=plan_reviewer, coordinator=coordinator
    )
    enter_due_implementations()
    done.refresh_from_db()
    report_values(done, other, plan_reviewer, ["71", "30"])
    submit_closing_report(done, by=other.user, data=CLOSING)
    complete_with_closing(done, by=coordinator)
    return running_plan.cycle, done


def pct(value) -> str:
    with override("id"):
        return number_format(value, decimal_pos=2) + "%"


def job_file(job) -> bytes:
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    with job.file.open("rb") as fh:
        return fh.read()


def test_summary_pdf_prints_the_dashboards_realisation_and_closing_reports(
    measured, coordinator, running_plan, django_capture_on_commit_callbacks
):
    cycle, done = measured
    figures = cycle_realisation(cycle)  # what the dashboard shows
    assert (figures.targets, figures.on_track) == (4, 2)
    with django_capture_on_commit_callbacks(execute=True):
        job = request_cycle_report(kind=ReportKind.CYCLE_SUMMARY, cycle=cycle, by=coordinator)
    content = job_file(job)
    reader = PdfReader(io.BytesIO(content))
    text = re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in reader.pages))
    section = text[text.index("10. Realisasi target (terverifikasi)") :]
    for expected in (
        f"{pct(figures.on_track_pct)}Target sesuai jadwal: {figures.on_track} dari "
        f"{figures.targets} target; masa pelaksanaan telah berjalan "
        f"{number_format(figures.elapsed, decimal_pos=2)}%.",
        f"{pct(figures.realisation)}Realisasi rata-rata",
        f"Hijau (≥ 90%) {figures.lights['green']} Kuning (70–89%) "
        f"{figures.lights['yellow']} Merah (< 70%) {figures.lights['red']}",
        f"{running_plan.agency.name} {pct(figures.per_agency[running_plan.agency_id])}",
        f"{done.agency.name} {pct(figures.per_agency[done.agency_id])}",
        *(
            f"{name} {count} {pct(mean)}"
            for name, count, mean in figures.per_area
            if mean is not None
        ),
        f"{done.title} — {done.agency.name}",
        CLOSING["results"],
        "SK Kepala Dinas 7/2027",
    ):
        assert expected in section, expected
    assert running_plan.title not in section  # in implementation: no closing report yet
    # For a person to look at: the pages as images under test-artifacts/pdf/.
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf_path = ARTIFACTS / "cycle_summary_realisation.pdf"
    pdf_path.write_bytes(content)
    for old in ARTIFACTS.glob("cycle_summary_realisation-*.png"):
        old.unlink()
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "70",
            str(pdf_path),
            str(ARTIFACTS / "cycle_summary_realisation"),
        ],
        check=True,
        timeout=120,
    )
    assert len(list(ARTIFACTS.glob("cycle_summary_realisation-*.png"))) == len(reader.pages)


def test_plans_spreadsheet_carries_the_same_figures(
    measured, coordinator, running_plan, django_capture_on_commit_callbacks
):
    cycle, done = measured
    figures = cycle_realisation(cycle)
    with django_capture_on_commit_callbacks(execute=True):
        job = request_cycle_report(kind=ReportKind.PLANS_XLSX, cycle=cycle, by=coordinator)
    wb = load_workbook(io.BytesIO(job_file(job)))
    summary = {row[0]: row[1] for row in wb["Realisasi"].iter_rows(min_row=2, values_only=True)}
    assert summary == {
        "Target diukur": figures.targets,
        "Target sesuai jadwal": figures.on_track,
        "Target sesuai jadwal (%)": float(figures.on_track_pct),
        "Masa pelaksanaan yang telah berjalan (%)": float(figures.elapsed),
        "Realisasi rata-rata (%)": float(figures.realisation),
        "Lampu hijau (≥ 90%)": figures.lights["green"],
        "Lampu kuning (70–89%)": figures.lights["yellow"],
        "Lampu merah (< 70%)": figures.lights["red"],
    }
    agencies = dict(wb["Realisasi per OPD"].iter_rows(min_row=2, values_only=True))
    assert agencies == {
        running_plan.agency.name: float(figures.per_agency[running_plan.agency_id]),
        done.agency.name: float(figures.per_agency[done.agency_id]),
    }
    areas = list(wb["Realisasi per area RB"].iter_rows(min_row=2, values_only=True))
    assert areas == [
        (name, count, None if mean is None else float(mean))
        for name, count, mean in figures.per_area
    ]
    closings = list(wb["Laporan akhir"].iter_rows(min_row=2, values_only=True))
    assert closings == [
        (
            done.pk,
            done.title,
            done.agency.name,
            CLOSING["results"],
            CLOSING["internal_impact"],
            CLOSING["external_impact"],
            None,
            "Ya",
            CLOSING["institutionalised_by"],
        )
    ]
