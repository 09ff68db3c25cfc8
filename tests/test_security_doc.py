"""docs/security.md names, for every promise, the tests that hold it: each row names at
least one, never says it is untested, and every test file and test it names exists (a
renamed or deleted test makes this fail instead of leaving the page promising a proof
that is gone)."""

import ast
import re
from pathlib import Path

import pytest

from tests.test_permission_matrix import CHAIRS

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "security.md"

# `tests/x/test_y.py::test_z` or `tests/x/test_y.py` (a whole file), and `::test_z`, which
# names another test of the file named last in the same cell.
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)?((?:::[\w\[\]-]+)?)`")


def _rows() -> list[tuple[str, str]]:
    """(number, "Tested by" cell) of each promise of the table."""
    rows = []
    for line in DOC.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 4 and cells[0].isdigit():
            rows.append((cells[0], cells[3]))
    return rows


def _nodes(cell: str) -> list[tuple[str, str | None]]:
    """The (file, test name or None) pairs a cell names."""
    nodes, last_file = [], None
    for match in REFERENCE.finditer(cell):
        path, name = match.group(1), match.group(2).removeprefix("::") or None
        if path is None and name is None:
            continue
        if path is None:
            assert last_file, f"`::{name}` without a file before it in: {cell}"
            path = last_file
        last_file = path
        nodes.append((path, name.split("[")[0] if name else None))
    return nodes


def _test_names(path: Path) -> set[str]:
    """The tests pytest collects from a module: test functions, and `Class::test_method`
    spelled as the method's name."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
            "test"
        ):
            names.add(node.name)
    return names


ROWS = _rows()


def test_the_table_has_a_row_for_each_promise_of_the_issue_list():
    assert [number for number, _ in ROWS] == [str(n) for n in range(1, len(ROWS) + 1)]
    assert len(ROWS) >= 14


@pytest.mark.parametrize(("number", "cell"), ROWS, ids=[number for number, _ in ROWS])
def test_every_row_names_tests_that_exist(number, cell):
    assert not re.search(r"not (yet )?tested|untested|todo|tbd", cell, re.IGNORECASE), cell
    nodes = _nodes(cell)
    assert nodes, f"row {number} names no test"
    for path, name in nodes:
        module = ROOT / path
        assert module.is_file(), f"row {number}: {path} does not exist"
        if name is not None:
            assert name in _test_names(module), f"row {number}: {path}::{name} does not exist"


def test_the_matrix_chairs_the_table_names_exist():
    text = DOC.read_text()
    named = {
        chair.replace(" ", "_")
        for chair in re.findall(r"the matrix's \"([^\"]+)\"(?: and \"([^\"]+)\")? chairs?", text)
        for chair in chair
        if chair
    }
    assert named, "the table names no chair of the matrix"
    assert named <= set(CHAIRS), named - set(CHAIRS)


def test_a_missing_test_is_found():
    cell = "`tests/test_spreadsheets.py::test_no_such_test`, `::test_another`"
    assert _nodes(cell) == [
        ("tests/test_spreadsheets.py", "test_no_such_test"),
        ("tests/test_spreadsheets.py", "test_another"),
    ]
    assert "test_no_such_test" not in _test_names(ROOT / "tests/test_spreadsheets.py")
