"""Reading a participants file (CSV or XLSX) into rows of text, within limits, so that
no file makes the web worker run long or grow. What the rows then do is
`assessment.imports`.

Columns (header row, case-insensitive; Indonesian names):
    nip, nama, email, jabatan, pangkat_golongan, kode_opd, nama_opd, singkatan_opd,
    jenis_opd, nomor_sk, tanggal_sk
`nip`, `nama` and `kode_opd` are required.
"""

import csv
import datetime as dt
import io
import zipfile

from django.conf import settings
from django.utils.translation import gettext_lazy as _

COLUMNS = (
    "nip",
    "nama",
    "email",
    "jabatan",
    "pangkat_golongan",
    "kode_opd",
    "nama_opd",
    "singkatan_opd",
    "jenis_opd",
    "nomor_sk",
    "tanggal_sk",
)
REQUIRED = ("nip", "nama", "kode_opd")
# Limits of what a file may hold (see read_rows); its size is a setting (max_file_bytes).
MAX_ROWS = 20_000
MAX_LINES = 2 * MAX_ROWS  # rows read in all, empty ones included
MAX_COLUMNS = 40
MAX_CELL_CHARS = 1000
MAX_XLSX_PARTS = 200
MAX_XLSX_UNPACKED_BYTES = 32 * 1024 * 1024


def max_file_bytes() -> int:
    """The largest participants file, in bytes (AGENPLAN_PARTICIPANTS_MAX_MB), read from
    the settings at each call."""
    return settings.AGENPLAN_PARTICIPANTS_MAX_MB * 2**20


def too_big_message():
    return _("Berkas terlalu besar: paling besar %(mb)s MB.") % {
        "mb": settings.AGENPLAN_PARTICIPANTS_MAX_MB
    }


class ImportFileError(Exception):
    """The file as a whole cannot be read (type, encoding, header)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)[:MAX_CELL_CHARS].strip()


def read_rows(name: str, content: bytes) -> list[tuple[int, dict[str, str]]]:
    """(line, {column: text}) for every non-empty row of a CSV or XLSX file.

    Read as a stream with limits, so that no file makes the web worker run long or grow:
    at most max_file_bytes(), MAX_ROWS rows with data (and MAX_LINES lines in all),
    MAX_COLUMNS columns, MAX_CELL_CHARS characters a cell; an XLSX is refused before
    parsing when its parts would unpack to more than MAX_XLSX_UNPACKED_BYTES.
    """
    if len(content) > max_file_bytes():
        raise ImportFileError(too_big_message())
    lower = name.lower()
    if lower.endswith(".xlsx"):
        lines = _read_xlsx(content)
    elif lower.endswith(".csv"):
        lines = _read_csv(content)
    else:
        raise ImportFileError(_("Unggah berkas .csv atau .xlsx."))
    try:
        return _rows(lines)
    finally:
        lines.close()


def _rows(lines) -> list[tuple[int, dict[str, str]]]:
    first = next(lines, None)
    if first is None:
        raise ImportFileError(_("Berkas kosong."))
    header = [_cell(h).lower().replace(" ", "_") for h in first[:MAX_COLUMNS]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportFileError(
            _("Kolom wajib tidak ada: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    too_many = ImportFileError(
        _("Berkas terlalu besar: paling banyak %(max)s baris.") % {"max": MAX_ROWS}
    )
    rows = []
    for number, cells in enumerate(lines, start=2):
        if number > MAX_LINES:
            raise too_many
        values = {
            column: _cell(cells[i]) if i < len(cells) else ""
            for i, column in enumerate(header)
            if column in COLUMNS
        }
        if any(values.values()):
            if len(rows) == MAX_ROWS:
                raise too_many
            rows.append((number, values))
    return rows


def _read_csv(content: bytes):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(_("Berkas CSV harus berkodekan UTF-8.")) from error
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return _csv_lines(csv.reader(io.StringIO(text), dialect))


def _csv_lines(reader):
    """The CSV's rows; a row the csv module cannot read (a cell over its field size
    limit, a quote never closed) is the file's error, with its line."""
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ImportFileError(
                _(
                    "Berkas CSV tidak dapat dibaca pada baris %(line)s: sel terlalu panjang "
                    "atau tanda kutip tidak ditutup."
                )
                % {"line": reader.line_num}
            ) from error
        yield cells[:MAX_COLUMNS]


def _read_xlsx(content: bytes):
    """The first sheet's rows, streamed (openpyxl's read-only mode) and cut to
    MAX_COLUMNS columns and MAX_LINES rows whatever size the sheet declares."""
    from openpyxl import load_workbook  # noqa: PLC0415 - only for an XLSX upload

    unreadable = _("Berkas XLSX tidak dapat dibaca.")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise ImportFileError(unreadable) from error
    unpacked = sum(member.file_size for member in members)
    if len(members) > MAX_XLSX_PARTS or unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise ImportFileError(
            _("Berkas XLSX terlalu besar setelah dibuka: paling besar %(mb)s MB.")
            % {"mb": MAX_XLSX_UNPACKED_BYTES // 2**20}
        )
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - any unreadable workbook is the user's file
        raise ImportFileError(unreadable) from error
    return _xlsx_lines(workbook, unreadable)


def _xlsx_lines(workbook, unreadable):
    try:
        if not workbook.worksheets:
            return
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(max_row=MAX_LINES + 1, max_col=MAX_COLUMNS, values_only=True)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception as error:  # noqa: BLE001 - a broken sheet is the user's file
                raise ImportFileError(unreadable) from error
            yield list(row)
    finally:
        workbook.close()
