"""Spreadsheets the participants import hands out: the example file to fill in, and the
refused rows of an import with the reason of each, ready to be corrected and uploaded
again (the import reads its own columns and leaves out `baris` and `alasan`).

Cells are written through `agenplan.spreadsheets`, so that no text from an uploaded file
runs as a formula in the coordinator's spreadsheet program; the NIP column is formatted
as text, so that an NIP typed into it keeps its 18 digits.
"""

import datetime as dt
import io

from django.utils.translation import gettext as _

from agenplan.spreadsheets import append_row, is_formula_like, write_only_row
from agents.validators import generate_nip

from .import_files import AGENCY_COLUMNS, COLUMNS, HEADERS, REQUIRED

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT_FORMAT = "@"
LINE_COLUMN = "baris"
REASON_COLUMN = "alasan"


def column_help() -> list[tuple[str, str, str]]:
    """(column, whether required, other header names accepted) for each column."""
    agency = _("salah satu dari %(columns)s wajib") % {"columns": ", ".join(AGENCY_COLUMNS)}
    return [
        (
            column,
            _("wajib")
            if column in REQUIRED
            else (agency if column in AGENCY_COLUMNS else _("boleh kosong")),
            ", ".join(HEADERS.get(column, ())),
        )
        for column in COLUMNS
    ]


def _example_nip(born: dt.date, appointed: dt.date, gender: str, sequence: int) -> str:
    return generate_nip(
        birth_date=born, appointment_month=appointed, gender=gender, sequence=sequence
    )


def example_workbook() -> bytes:
    """The participants file to fill in: the columns, two example rows, the NIP column
    formatted as text, and a sheet that explains each column."""
    from openpyxl import Workbook  # noqa: PLC0415 - openpyxl only when writing

    book = Workbook()
    sheet = book.active
    sheet.title = _("Peserta")
    append_row(sheet, COLUMNS)
    examples = [
        (
            _example_nip(dt.date(1985, 4, 12), dt.date(2010, 3, 1), "L", 1),
            "Budi Santoso, S.Kom.",
            "budi.santoso@kaltimprov.go.id",
            "Pranata Komputer Ahli Muda",
            "III/c",
            "DISKOMINFO",
            "",
            "",
            "",
            "800/123/BKD-2026",
            "2026-02-21",
        ),
        (
            _example_nip(dt.date(1990, 9, 3), dt.date(2014, 1, 1), "P", 2),
            "dr. Siti Rahmawati",
            "siti.rahmawati@kaltimprov.go.id",
            "Dokter Ahli Madya",
            "IV/a",
            "",
            "Dinas Kesehatan",
            "Dinkes",
            "",
            "800/123/BKD-2026",
            "2026-02-21",
        ),
    ]
    for row in examples:
        append_row(sheet, row)
    for cells in sheet.iter_cols(min_col=1, max_col=1, min_row=2, max_row=1000):
        for cell in cells:
            cell.number_format = TEXT_FORMAT
    for letter, width in zip(
        "ABCDEFGHIJK", (22, 28, 30, 28, 10, 14, 34, 14, 12, 20, 12), strict=True
    ):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    guide = book.create_sheet(_("Petunjuk"))
    append_row(guide, (_("Kolom"), _("Isian"), _("Nama judul kolom lain yang dikenali")))
    for row in column_help():
        append_row(guide, row)
    append_row(guide, ())
    append_row(
        guide,
        (
            _(
                "NIP: format kolomnya sebagai Teks sebelum mengetik atau menempel, karena "
                "Excel hanya menyimpan 15 digit angka."
            ),
        ),
    )
    append_row(
        guide,
        (
            _(
                "Perangkat daerah: tulis kodenya, nama resminya, singkatannya atau nama "
                "lain yang lazim (Diskominfo, BPKAD, Dinkes)."
            ),
        ),
    )
    guide.column_dimensions["A"].width = 20
    guide.column_dimensions["B"].width = 40
    guide.column_dimensions["C"].width = 70
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def refused_workbook(refused) -> bytes:
    """The refused rows, each as the file had it, with its line and its reasons.

    `refused`: (line, {column: text}, [reason, ...]) for each row."""
    from openpyxl import Workbook  # noqa: PLC0415 - openpyxl only when writing
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415 - as above

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Ditolak"))
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["L"].width = 8
    sheet.column_dimensions["M"].width = 80
    write_only_row(sheet, (*COLUMNS, LINE_COLUMN, REASON_COLUMN))
    for line, values, reasons in refused:
        cells = [values.get(column, "") for column in COLUMNS]
        row = []
        for index, value in enumerate([*cells, line, "; ".join(reasons)]):
            if index == 0:  # the NIP: text, however it is edited later
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                cell.number_format = TEXT_FORMAT
                cell.quotePrefix = is_formula_like(value)
                row.append(cell)
            else:
                row.append(value)
        write_only_row(sheet, row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
