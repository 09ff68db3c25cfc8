"""Printed documents point to the site's public address and can be read by everyone: the
QR code and the printed link carry AGENPLAN_SITE_URL, the QR code still decodes from a
150-dpi scan of the page, and every PDF is tagged for assistive technology (PDF/UA) with
its own title, its language and its creation date."""

import datetime as dt
import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from reports.enums import JobStatus, ReportKind
from reports.services import request_cycle_report, request_plan_report

pytestmark = pytest.mark.usefixtures("private_media")

SITE = "https://agenplan.kaltimprov.go.id"


def _render(kind, scenario, capture):
    with capture(execute=True):
        if kind == ReportKind.CYCLE_SUMMARY:
            job = request_cycle_report(kind=kind, cycle=scenario.cycle, by=scenario.coordinator)
        else:
            job = request_plan_report(kind=kind, plan=scenario.plan, by=scenario.coordinator)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    with job.file.open("rb") as fh:
        return job, fh.read()


KINDS = [ReportKind.PLAN_DOCUMENT, ReportKind.REVIEW_PACKET, ReportKind.CYCLE_SUMMARY]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")
def test_the_qr_code_decodes_from_a_150_dpi_scan_to_the_sites_address(
    scenario, settings, tmp_path, django_capture_on_commit_callbacks
):
    zxingcpp = pytest.importorskip("zxingcpp")  # requirements-dev.txt
    from PIL import Image  # noqa: PLC0415 - Pillow is the decoder's companion, tests only

    settings.AGENPLAN_SITE_URL = SITE + "/"
    job, data = _render(ReportKind.PLAN_DOCUMENT, scenario, django_capture_on_commit_callbacks)
    url = f"{SITE}/verify/{job.verification_code}"
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(data)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-gray",
            "-r",
            "150",
            "-f",
            "1",
            "-l",
            "1",
            str(pdf),
            str(tmp_path / "scan"),
        ],
        check=True,
    )
    [scan] = tmp_path.glob("scan*.png")
    found = [code.text for code in zxingcpp.read_barcodes(Image.open(scan))]
    assert found == [url]
    text = " ".join(PdfReader(io.BytesIO(data)).pages[0].extract_text().split())
    assert url in text


@pytest.mark.parametrize("kind", KINDS)
def test_every_pdf_is_tagged_with_its_title_language_and_creation_date(
    kind, scenario, django_capture_on_commit_callbacks
):
    job, data = _render(kind, scenario, django_capture_on_commit_callbacks)
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    # Tagged: a structure tree that screen readers follow, marked as such.
    assert root["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "id"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    info = reader.metadata
    assert info.title and info.title.strip()
    assert info.creation_date is not None
    created = info.creation_date
    if created.tzinfo is None:
        created = created.replace(tzinfo=dt.UTC)
    assert abs((created - job.created_at).total_seconds()) < 600
    # PDF/UA identifies itself in the XMP metadata.
    assert b'pdfuaid:part="1"' in root["/Metadata"].get_object().get_data()
    subject = scenario.cycle.name if kind == ReportKind.CYCLE_SUMMARY else scenario.plan.title
    assert info.title.endswith(f" — {subject}")
