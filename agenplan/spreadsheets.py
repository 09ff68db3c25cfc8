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

from collections.abc import Iterable

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
