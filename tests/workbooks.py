"""Reading the spreadsheets the application answers with."""

import io

from openpyxl import load_workbook

from agenplan.spreadsheets import XLSX_CONTENT_TYPE


def open_workbook(response):
    """The workbook of a download (checked to be one, sent as an attachment)."""
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].startswith('attachment; filename="')
    return load_workbook(io.BytesIO(response.content))


def sheet_rows(response) -> list[tuple]:
    """The values of the first sheet of a download, row by row."""
    return list(open_workbook(response).worksheets[0].iter_rows(values_only=True))
