"""The cycle's spreadsheets name their title and AgenPlan as creator in the file's
properties, keep the NIP as text, and give every header the width it needs."""

import io

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from agenplan.spreadsheets import CREATOR
from reports import services
from reports.enums import JobStatus, ReportKind

from .scenario import reviewed_plan

pytestmark = pytest.mark.usefixtures("private_media")


@pytest.mark.parametrize(
    ("kind", "title"),
    [
        (ReportKind.PLANS_XLSX, "Rencana, kegiatan dan target"),
        (ReportKind.SCORES_XLSX, "Nilai per rencana dan kriteria"),
    ],
)
def test_a_cycle_spreadsheet_is_titled_sized_and_keeps_the_nip_as_text(
    db, django_capture_on_commit_callbacks, kind, title
):
    scenario = reviewed_plan()
    with django_capture_on_commit_callbacks(execute=True):
        job = services.request_cycle_report(
            kind=kind, cycle=scenario.cycle, by=scenario.coordinator
        )
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    with job.file.open("rb") as fh:
        wb = load_workbook(io.BytesIO(fh.read()))
    assert wb.properties.title == f"{title} — {scenario.cycle.name}"
    assert wb.properties.creator == CREATOR
    for ws in wb.worksheets:
        for cell in ws[1]:
            width = ws.column_dimensions[get_column_letter(cell.column)].width
            assert width >= min(len(str(cell.value)) + 2, 60), (ws.title, cell.value, width)
    if kind == ReportKind.PLANS_XLSX:
        sheet = wb["Rencana"]
        assert sheet["E1"].value == "NIP"
        nip = sheet["E2"]
        assert (nip.value, nip.number_format, nip.data_type) == (
            scenario.agent.nip,
            "@",
            "s",
        )
