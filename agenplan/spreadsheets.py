"""Cells of exported spreadsheets (XLSX and CSV) that a spreadsheet program never runs.

Excel and LibreOffice read a text that starts with `=`, `+`, `-`, `@`, a tab or a
carriage return as a formula: a plan title `=HYPERLINK("https://…", "Klik")` would become
a live link in a coordinator's export, and worse formulas can read other cells or start
programs (CSV/formula injection, OWASP). Every export writes text through these helpers:

- in XLSX such a text is typed as a string with the "quote prefix" style: shown exactly as
  typed, never evaluated, and still text when someone edits the cell;
- in CSV (which has no types) it gets a leading apostrophe, which spreadsheet programs
  hide and treat as "this is text".

Numbers, dates and booleans are written as they are: a negative number stays a number.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from io import BytesIO

from django.http import HttpResponse
from django.utils import timezone

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    """A text that a spreadsheet program would read as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def csv_cell(value):
    """The value as a CSV cell that opens as text, never as a formula."""
    return "'" + value if is_formula_like(value) else value


def csv_row(values: Iterable) -> list:
    return [csv_cell(value) for value in values]


def append_row(ws, values: Iterable) -> None:
    """`ws.append(values)` (an openpyxl worksheet), with every formula-like text written
    as a text cell."""
    values = list(values)
    ws.append(values)
    risky = [column for column, value in enumerate(values, start=1) if is_formula_like(value)]
    if risky:
        row = ws.max_row
        for column in risky:
            cell = ws.cell(row=row, column=column)
            cell.data_type = "s"
            cell.quotePrefix = True


def write_only_row(ws, values: Iterable) -> None:
    """`ws.append(values)` on a write-only worksheet (rows are streamed, not kept), with
    every formula-like text written as a text cell."""
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415 - openpyxl only when writing

    row = []
    for value in values:
        if is_formula_like(value):
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"
            cell.quotePrefix = True
            row.append(cell)
        else:
            row.append(value)
    ws.append(row)


# --- A page's list as a workbook --------------------------------------------------------

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Creator of every workbook the application writes.
CREATOR = "AgenPlan"
# The number format of a text column: an NIP of 18 digits stays 18 digits (as a number,
# a spreadsheet shows 1.98503E+17 and loses the last three).
TEXT = "@"


@dataclass(frozen=True)
class Column:
    """One column of an exported list: its header, width (characters) and number format
    (`TEXT` for identifiers written with digits, such as the NIP)."""

    header: str
    width: int
    number_format: str = ""


def list_workbook(title: str, columns: Sequence[Column], rows: Iterable[Sequence]) -> bytes:
    """Every row of a list as one sheet: a bold header, frozen, filterable, columns sized,
    the title and the application in the file's properties. Written in openpyxl's
    write-only mode, so the rows stream through (every row, no cap), formula-safe."""
    from openpyxl import Workbook  # noqa: PLC0415 - openpyxl only when writing
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415
    from openpyxl.styles import Font  # noqa: PLC0415
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    wb = Workbook(write_only=True)
    wb.properties.title = title
    wb.properties.creator = CREATOR
    ws = wb.create_sheet(title[:31])
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}1"
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    header = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=str(column.header))
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    formatted = [(i, c.number_format) for i, c in enumerate(columns) if c.number_format]
    for values in rows:
        values = list(values)
        for index, number_format in formatted:
            value = values[index]
            if value in (None, ""):
                continue
            cell = WriteOnlyCell(ws, value=str(value) if number_format == TEXT else values[index])
            cell.number_format = number_format
            if number_format == TEXT:
                cell.data_type = "s"
                cell.quotePrefix = is_formula_like(cell.value)
            values[index] = cell
        write_only_row(ws, values)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def xlsx_download(content: bytes, name: str):
    """The workbook as a download named `<name>-<WITA time>.xlsx`, never cached."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response
