"""Reading a participants file (CSV or XLSX) into rows of text, as a coordinator has it.

The header row is matched loosely: case, spaces and punctuation do not count, and the
usual Indonesian and English names of each column are known (`HEADERS`: "NIP Baru",
"Nama Lengkap", "E-mail", "Unit Kerja", "Gol.", ...). Columns with other names are left
out. CSV is read in UTF-8 (with or without the BOM that Excel writes) or, failing that,
in Windows-1252 (Excel's "CSV" on a Windows machine set to Indonesian or English).

What a cell held, beside its text, is kept in the row's `notes` when the text alone would
mislead: an NIP typed as a number (Excel keeps 15 significant digits, so an 18-digit NIP
is already altered in the file) and a formula whose value was never saved (a file written
by a program, never opened in a spreadsheet). `assessment.imports` refuses such rows with
a message that says so, instead of importing another NIP or calling the cell empty.
"""

import csv
import datetime as dt
import io
import re
import zipfile

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from agencies.matching import match_key

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
REQUIRED = ("nip", "nama")
# A row names its agency in at least one of these (code, name, abbreviation or alias).
AGENCY_COLUMNS = ("kode_opd", "nama_opd", "singkatan_opd")
# The names a header may have for each column, besides the column's own; compared by
# their letters and digits only (agencies.matching.match_key).
HEADERS = {
    "nip": ("NIP Baru", "NIP 18 digit", "Nomor Induk Pegawai", "NIP Pegawai", "Employee ID"),
    "nama": ("Nama Lengkap", "Nama Pegawai", "Nama Peserta", "Nama dan Gelar", "Name"),
    "email": ("E-mail", "Surel", "Alamat Email", "Alamat Surel", "Email Address"),
    "jabatan": ("Nama Jabatan", "Position", "Job Title"),
    "pangkat_golongan": ("Pangkat/Golongan", "Golongan", "Gol.", "Gol", "Pangkat", "Rank"),
    "kode_opd": ("Kode Perangkat Daerah", "Kode SKPD", "Kode Unit", "Agency Code"),
    "nama_opd": (
        "OPD",
        "Perangkat Daerah",
        "Nama Perangkat Daerah",
        "SKPD",
        "Nama SKPD",
        "Unit Kerja",
        "Instansi",
        "Satuan Kerja",
        "Agency",
        "Agency Name",
    ),
    "singkatan_opd": ("Singkatan", "Singkatan Perangkat Daerah", "Agency Abbreviation"),
    "jenis_opd": ("Jenis Perangkat Daerah", "Agency Kind"),
    "nomor_sk": ("No SK", "No. SK", "Nomor SK Penunjukan", "SK Number"),
    "tanggal_sk": ("Tgl SK", "Tgl. SK", "Tanggal SK Penunjukan", "SK Date"),
}
HEADER_KEYS = {
    match_key(name): column for column in COLUMNS for name in (column, *HEADERS.get(column, ()))
}
# Limits of what a file may hold (see read_rows); its size is a setting (max_file_bytes).
MAX_ROWS = 20_000
MAX_LINES = 2 * MAX_ROWS  # rows read in all, empty ones included
MAX_COLUMNS = 40
MAX_CELL_CHARS = 1000
MAX_XLSX_PARTS = 200
MAX_XLSX_UNPACKED_BYTES = 32 * 1024 * 1024
# A worksheet part that holds at least one formula (<f>, <f t="shared" ...>, <x:f>).
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")

# What `notes` says about a cell.
NUMBER = "number"
FORMULA = "formula"


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


class RowValues(dict):
    """A row's text by column; `notes` says which cells held a number or an unsaved
    formula ({column: NUMBER | FORMULA}). Compares like the plain dict."""

    def __init__(self, *args, notes: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.notes = dict(notes or {})


class Formula:
    """A formula cell without a saved value (read from the sheet without data_only)."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text


def _cell(value) -> str:
    if value is None or isinstance(value, Formula):
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)[:MAX_CELL_CHARS].strip()


def header_columns(cells) -> list[str]:
    """The column each header cell names ("" for a column that is not read); a column
    named twice is read from its first place."""
    found, seen = [], set()
    for cell in cells[:MAX_COLUMNS]:
        column = HEADER_KEYS.get(match_key(_cell(cell)), "")
        found.append("" if column in seen else column)
        seen.add(column)
    return found


def _open(name: str, content: bytes):
    if len(content) > max_file_bytes():
        raise ImportFileError(too_big_message())
    lower = name.lower()
    if lower.endswith(".xlsx"):
        return _read_xlsx(content)
    if lower.endswith(".csv"):
        return _read_csv(content)
    raise ImportFileError(_("Unggah berkas .csv atau .xlsx."))


def check_header(name: str, content: bytes) -> list[str]:
    """The columns the file's header names; ImportFileError when the file cannot be read
    or lacks a required column. Only the first row is read."""
    lines = _open(name, content)
    try:
        return _header(next(lines, None))
    finally:
        lines.close()


def read_rows(
    name: str, content: bytes, *, on_progress=None, every: int = 1000
) -> list[tuple[int, RowValues]]:
    """(line, {column: text}) for every non-empty row of a CSV or XLSX file.

    Read as a stream with limits, so that no file makes the web worker run long or grow:
    at most max_file_bytes(), MAX_ROWS rows with data (and MAX_LINES lines in all),
    MAX_COLUMNS columns, MAX_CELL_CHARS characters a cell; an XLSX is refused before
    parsing when its parts would unpack to more than MAX_XLSX_UNPACKED_BYTES.
    `on_progress(rows)` is called every `every` rows read.
    """
    lines = _open(name, content)
    try:
        return _rows(lines, on_progress, every)
    finally:
        lines.close()


def _header(first) -> list[str]:
    if first is None:
        raise ImportFileError(_("Berkas kosong."))
    header = header_columns(first)
    missing = [c for c in REQUIRED if c not in header]
    if not set(AGENCY_COLUMNS) & set(header):
        missing.append(" / ".join(AGENCY_COLUMNS))
    if missing:
        raise ImportFileError(
            _("Kolom wajib tidak ada: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    return header


def _rows(lines, on_progress=None, every: int = 1000) -> list[tuple[int, RowValues]]:
    header = _header(next(lines, None))
    too_many = ImportFileError(
        _("Berkas terlalu besar: paling banyak %(max)s baris.") % {"max": MAX_ROWS}
    )
    rows = []
    for number, cells in enumerate(lines, start=2):
        if number > MAX_LINES:
            raise too_many
        values, notes = {}, {}
        for i, column in enumerate(header):
            if not column:
                continue
            raw = cells[i] if i < len(cells) else None
            values[column] = _cell(raw)
            if isinstance(raw, Formula):
                notes[column] = FORMULA
            elif isinstance(raw, int | float) and not isinstance(raw, bool):
                notes[column] = NUMBER
        if any(values.values()) or FORMULA in notes.values():
            if len(rows) == MAX_ROWS:
                raise too_many
            rows.append((number, RowValues(values, notes=notes)))
            if on_progress is not None and len(rows) % every == 0:
                on_progress(len(rows))
    return rows


def _decode(content: bytes) -> str:
    """UTF-8 (a BOM is dropped), else Windows-1252."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _("Berkas CSV harus berkodekan UTF-8 atau Windows-1252 (CSV dari Excel).")
        ) from error


def _read_csv(content: bytes):
    text = _decode(content)
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
    MAX_COLUMNS columns and MAX_LINES rows whatever size the sheet declares. When the
    sheet holds formulas it is read a second time, formulas as written, in step with the
    values: a formula cell without a saved value becomes a `Formula`."""
    from openpyxl import load_workbook  # noqa: PLC0415 - only for an XLSX upload

    unreadable = _("Berkas XLSX tidak dapat dibaca.")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            unpacked = sum(member.file_size for member in members)
            if len(members) > MAX_XLSX_PARTS or unpacked > MAX_XLSX_UNPACKED_BYTES:
                raise ImportFileError(
                    _("Berkas XLSX terlalu besar setelah dibuka: paling besar %(mb)s MB.")
                    % {"mb": MAX_XLSX_UNPACKED_BYTES // 2**20}
                )
            formulas = any(
                _holds_formula(archive, member)
                for member in members
                if member.filename.startswith("xl/worksheets/")
            )
    except (zipfile.BadZipFile, ValueError, OSError, KeyError) as error:
        raise ImportFileError(unreadable) from error
    try:
        values = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        written = load_workbook(io.BytesIO(content), read_only=True) if formulas else None
    except Exception as error:  # noqa: BLE001 - any unreadable workbook is the user's file
        raise ImportFileError(unreadable) from error
    return _xlsx_lines(values, written, unreadable)


def _holds_formula(archive, member) -> bool:
    """Whether the part has a formula tag, read in pieces (a tag may span two)."""
    tail = b""
    with archive.open(member) as handle:
        while chunk := handle.read(2**20):
            if _FORMULA_TAG.search(tail + chunk):
                return True
            tail = chunk[-16:]
    return False


def _sheet_rows(workbook):
    if workbook is None or not workbook.worksheets:
        return iter(())
    sheet = workbook.worksheets[0]
    return sheet.iter_rows(max_row=MAX_LINES + 1, max_col=MAX_COLUMNS, values_only=True)


def _xlsx_lines(values, written, unreadable):
    try:
        if not values.worksheets:
            return
        rows, formulas = _sheet_rows(values), _sheet_rows(written)
        while True:
            try:
                row = list(next(rows))
                as_written = next(formulas, ())
            except StopIteration:
                return
            except Exception as error:  # noqa: BLE001 - a broken sheet is the user's file
                raise ImportFileError(unreadable) from error
            for i, cell in enumerate(as_written):
                if i < len(row) and row[i] is None and isinstance(cell, str) and cell[:1] == "=":
                    row[i] = Formula(cell)
            yield row
    finally:
        values.close()
        if written is not None:
            written.close()
