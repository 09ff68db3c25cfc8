"""Reading a participants file (CSV or XLSX) into checked rows: the dry run.

Every row is checked against the database and against the other rows of the file
before anything is written; `plan_import` says, row by row, what would be created or
updated and every error. `assessment.services.import_participants` writes a plan that
has no errors, in one transaction.

Columns (header row, case-insensitive; Indonesian names):
    nip, nama, email, jabatan, pangkat_golongan, kode_opd, nama_opd, singkatan_opd,
    jenis_opd, nomor_sk, tanggal_sk
`nip`, `nama` and `kode_opd` are required. An agency whose code is unknown is created
when the row also gives `nama_opd` and `jenis_opd`; otherwise the row is refused.
"""

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from agencies.enums import AgencyKind
from agencies.models import Agency
from agents.enums import PangkatGolongan
from agents.models import User
from agents.validators import normalize_nip, parse_nip

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
# Limits of what a file may hold (see read_rows).
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_LINES = 2 * MAX_ROWS  # rows read in all, empty ones included
MAX_COLUMNS = 40
MAX_CELL_CHARS = 1000
MAX_XLSX_PARTS = 200
MAX_XLSX_UNPACKED_BYTES = 32 * 1024 * 1024


class ImportFileError(Exception):
    """The file as a whole cannot be read (type, encoding, header)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class ImportRow:
    line: int  # line in the file (the header is line 1)
    values: dict[str, str]
    action: str = ""  # "create", "update", "unchanged" or "" when the row has errors
    agency_action: str = ""  # "create" when the row creates its agency
    errors: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportPlan:
    rows: list[ImportRow]

    @property
    def errors(self) -> int:
        return sum(1 for r in self.rows if r.errors)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and self.errors == 0

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.ok and r.action == action)

    @property
    def created(self) -> int:
        return self.count("create")

    @property
    def updated(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def agencies_created(self) -> int:
        return len({r.values["kode_opd"] for r in self.rows if r.agency_action == "create"})


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
    at most MAX_FILE_BYTES, MAX_ROWS rows with data (and MAX_LINES lines in all),
    MAX_COLUMNS columns, MAX_CELL_CHARS characters a cell; an XLSX is refused before
    parsing when its parts would unpack to more than MAX_XLSX_UNPACKED_BYTES.
    """
    if len(content) > MAX_FILE_BYTES:
        raise ImportFileError(
            _("Berkas terlalu besar: paling besar %(mb)s MB.") % {"mb": MAX_FILE_BYTES // 2**20}
        )
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
    from openpyxl import load_workbook

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


def _parse_date(text: str) -> dt.date | None:
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a date
        except ValueError:
            continue
    return None


def plan_import(rows: list[tuple[int, dict[str, str]]]) -> ImportPlan:
    """Check every row; nothing is written. A fixed number of queries."""
    nips = {normalize_nip(v.get("nip", "")) for _line, v in rows}
    codes = {v.get("kode_opd", "").strip().upper() for _line, v in rows}
    emails = {v.get("email", "").strip().lower() for _line, v in rows} - {""}
    agencies = {a.code.upper(): a for a in Agency.objects.filter(code__in=codes)}
    users = {
        u.nip: u
        for u in User.objects.filter(nip__in=nips)
        .select_related("agent_profile", "agency")
        .order_by()
    }
    email_owner = dict(User.objects.filter(email__in=emails).values_list("email", "nip").order_by())
    seen_nips: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    result = []
    for line, values in rows:
        row = ImportRow(line=line, values=dict(values))
        for column in REQUIRED:
            if not values.get(column, "").strip():
                row.errors.append(str(_("Kolom %(column)s wajib diisi.") % {"column": column}))
        nip = normalize_nip(values.get("nip", ""))
        row.values["nip"] = nip
        if nip:
            try:
                parse_nip(nip)
            except ValidationError as error:
                row.errors.append(
                    str(_("NIP %(nip)s tidak valid: %(reason)s"))
                    % {"nip": nip, "reason": " ".join(error.messages)}
                )
            if nip in seen_nips:
                row.errors.append(
                    str(_("NIP %(nip)s ganda: sudah ada di baris %(line)s."))
                    % {"nip": nip, "line": seen_nips[nip]}
                )
            else:
                seen_nips[nip] = line
        email = values.get("email", "").strip().lower()
        row.values["email"] = email
        if email:
            try:
                validate_email(email)
            except ValidationError:
                row.errors.append(str(_("Alamat surel %(email)s tidak valid.") % {"email": email}))
            if email in seen_emails:
                row.errors.append(
                    str(_("Surel %(email)s ganda: sudah ada di baris %(line)s."))
                    % {"email": email, "line": seen_emails[email]}
                )
            else:
                seen_emails[email] = line
            owner = email_owner.get(email)
            if email in email_owner and owner != nip:
                row.errors.append(
                    str(_("Surel %(email)s sudah dipakai pengguna lain.") % {"email": email})
                )
        pangkat = values.get("pangkat_golongan", "").strip()
        if pangkat and pangkat not in PangkatGolongan.values:
            row.errors.append(
                str(_("Pangkat/golongan %(value)s tidak dikenal; tulis misalnya III/c."))
                % {"value": pangkat}
            )
        sk_date = values.get("tanggal_sk", "").strip()
        if sk_date and _parse_date(sk_date) is None:
            row.errors.append(
                str(_("Tanggal SK %(value)s tidak dapat dibaca; tulis misalnya 2026-02-21."))
                % {"value": sk_date}
            )
        code = values.get("kode_opd", "").strip().upper()
        row.values["kode_opd"] = code
        if code and code not in agencies:
            kind = values.get("jenis_opd", "").strip().lower()
            if not values.get("nama_opd", "").strip():
                row.errors.append(
                    str(_("Perangkat daerah dengan kode %(code)s tidak dikenal.")) % {"code": code}
                )
            elif kind not in AgencyKind.values:
                row.errors.append(
                    str(_("Jenis perangkat daerah %(kind)s tidak dikenal; pilih %(kinds)s."))
                    % {"kind": kind or "—", "kinds": ", ".join(AgencyKind.values)}
                )
            else:
                row.agency_action = "create"
        if not row.errors:
            row.action, row.changes = _action_for(users.get(nip), row.values, agencies.get(code))
        result.append(row)
    # An agency created by several rows is one agency: the later rows do not create it.
    created = set()
    for row in result:
        if row.agency_action == "create":
            if row.values["kode_opd"] in created:
                row.agency_action = ""
            created.add(row.values["kode_opd"])
    return ImportPlan(rows=result)


FIELD_LABELS = {
    "name": _("nama"),
    "email": _("surel"),
    "jabatan": _("jabatan"),
    "pangkat_golongan": _("pangkat/golongan"),
    "agency": _("perangkat daerah"),
    "sk_number": _("nomor SK"),
    "sk_date": _("tanggal SK"),
    "agent": _("penunjukan agen"),
}


def wanted(values: dict[str, str]) -> dict:
    return {
        "name": values.get("nama", "").strip(),
        "email": values.get("email", ""),
        "jabatan": values.get("jabatan", "").strip(),
        "pangkat_golongan": values.get("pangkat_golongan", "").strip(),
        "sk_number": values.get("nomor_sk", "").strip(),
        "sk_date": _parse_date(values.get("tanggal_sk", "").strip()),
    }


def _action_for(user, values, agency) -> tuple[str, list[str]]:
    if user is None:
        return "create", []
    want = wanted(values)
    changes = [
        str(FIELD_LABELS[name])
        for name in ("name", "email", "jabatan", "pangkat_golongan")
        if want[name] and getattr(user, name) != want[name]
    ]
    if agency is None or user.agency_id != agency.pk:
        changes.append(str(FIELD_LABELS["agency"]))
    profile = getattr(user, "agent_profile", None)
    if profile is None or not profile.is_active:
        changes.append(str(FIELD_LABELS["agent"]))
    else:
        if want["sk_number"] and profile.sk_number != want["sk_number"]:
            changes.append(str(FIELD_LABELS["sk_number"]))
        if want["sk_date"] and profile.sk_date != want["sk_date"]:
            changes.append(str(FIELD_LABELS["sk_date"]))
    return ("update" if changes else "unchanged"), changes
