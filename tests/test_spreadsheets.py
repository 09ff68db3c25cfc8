"""Cells of exported spreadsheets never run as formulas (agenplan.spreadsheets)."""

import csv
import io

import pytest
from openpyxl import Workbook

from agenplan.spreadsheets import append_row, csv_cell, csv_row, is_formula_like


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", True),
        ("+1", True),
        ("-1", True),
        ("@A1", True),
        ("\tx", True),
        ("\rx", True),
        ("Rencana =1", False),
        ("", False),
        (-5, False),
        (3.5, False),
        (None, False),
    ],
)
def test_is_formula_like(value, expected):
    assert is_formula_like(value) is expected


def test_csv_cells_that_look_like_formulas_get_an_apostrophe_and_numbers_do_not():
    assert csv_row(["=HYPERLINK(1)", "-2", -2, 1.5, "Biasa", None]) == [
        "'=HYPERLINK(1)",
        "'-2",
        -2,
        1.5,
        "Biasa",
        None,
    ]
    out = io.StringIO()
    csv.writer(out).writerow(csv_row(["@cmd", 7]))
    assert out.getvalue() == "'@cmd,7\r\n"
    assert csv_cell("\r=1") == "'\r=1"


def test_append_row_types_formula_like_text_as_text():
    wb = Workbook()
    ws = wb.active
    append_row(ws, ["Judul", 1])
    append_row(ws, ["=1+1", -4, "ok", "+x"])
    assert [(c.value, c.data_type, c.quotePrefix) for c in ws[2]] == [
        ("=1+1", "s", True),
        (-4, "n", False),
        ("ok", "s", False),
        ("+x", "s", True),
    ]
