"""The plan document prints the verified realisation of each target and the closing report."""

import io
import re

from pypdf import PdfReader

from monitoring.services import complete_with_closing, submit_closing_report
from reports.enums import JobStatus, ReportKind
from reports.services import request_plan_report

from .test_dashboard_figures import report_values


def test_plan_pdf_prints_realisation_and_closing_report(
    running_plan, agent, plan_reviewer, coordinator, private_media,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    report_values(running_plan, agent, plan_reviewer, ["80", "50"])
    submit_closing_report(
        running_plan,
        by=agent.user,
        data={
            "results": "Izin terbit tepat waktu naik menjadi 80 persen.",
            "internal_impact": "Antrean di loket berkurang.",
            "external_impact": "Pelaku usaha mengurus izin dari rumah.",
            "lessons": "Libatkan operator sejak awal.",
            "continues": True,
            "institutionalised_by": "SK Kepala Dinas Nomor 12 Tahun 2027",
        },
    )
    complete_with_closing(running_plan, by=coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        job = request_plan_report(kind=ReportKind.PLAN_DOCUMENT, plan=running_plan, by=agent.user)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    with job.file.open("rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    for expected in (
        "Pelaksanaan dan laporan akhir",
        "100,00%",
        "50,00%",
        "Izin terbit tepat waktu naik menjadi 80 persen.",
        "Pelaku usaha mengurus izin dari rumah.",
        "SK Kepala Dinas Nomor 12 Tahun 2027",
    ):
        assert expected in text, expected
