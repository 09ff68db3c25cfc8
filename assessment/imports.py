"""Checking the rows of a participants file: the dry run.

Every row is checked against the database and against the other rows of the file
before anything is written; `plan_import` says, row by row, what would be created or
updated, or why the row is refused. Each row is judged on its own:
`assessment.services.import_participants` writes a plan that has no errors, or (asked to
skip the invalid rows) the rows that have none. The file itself is read by
`assessment.import_files` (columns, header names, encodings).

`nip` and `nama` are required, and the agency in `kode_opd`, `nama_opd` or
`singkatan_opd`: it is found by its code, official name, abbreviation or one of its
aliases (`agencies.matching`); a text that names none is refused with the closest names.
An agency whose code is unknown is created when the row also gives `nama_opd` and
`jenis_opd`.

The import cannot take over an account. It never sets a username, a password or the
active flag of an existing user, and it leaves alone (action "protected") any user who
holds a role other than agent or the staff/superuser flag: such accounts change only in
the admin. A user whose unit of work is another agency than the row's changes only when
the coordinator confirms that row (action "confirm" until then). Every change a row would
make is listed with its value before and after, in the dry run and in the audit log.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import slug_re, validate_email
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from agencies.enums import AgencyKind
from agencies.matching import AgencyIndex
from agencies.models import Agency
from agents.enums import PangkatGolongan
from agents.models import Agent, User
from agents.validators import normalize_nip, parse_nip

from .import_files import (  # noqa: F401 - the file's limits and reader, re-exported
    AGENCY_COLUMNS,
    COLUMNS,
    FORMULA,
    MAX_ROWS,
    NUMBER,
    REQUIRED,
    ImportFileError,
    max_file_bytes,
    read_rows,
    too_big_message,
)


@dataclass(frozen=True)
class Change:
    """One field a row sets: its label, the value before and the value after."""

    field: str
    label: str
    before: str
    after: str

    def __str__(self) -> str:
        return f"{self.label}: {self.before or '—'} → {self.after or '—'}"


# What a row does. "protected" and "confirm" rows are written by nobody: the first names
# an account the import may not change, the second waits for the coordinator's confirmation.
WRITTEN = ("create", "update")
SKIPPED = ("protected", "confirm")


@dataclass
class ImportRow:
    line: int  # line in the file (the header is line 1)
    values: dict[str, str]
    # "create", "update", "unchanged", "protected", "confirm"; "" when the row has errors
    action: str = ""
    agency_action: str = ""  # "create" when the row creates its agency
    errors: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    note: str = ""  # why a row is protected or waits for a confirmation
    confirmed: bool = False  # the coordinator confirmed a row of another agency's user
    source: dict[str, str] = field(default_factory=dict)  # the row as the file had it

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
    def protected(self) -> int:
        return self.count("protected")

    @property
    def awaiting_confirmation(self) -> int:
        return self.count("confirm")

    @property
    def refused(self) -> list[ImportRow]:
        return [r for r in self.rows if r.errors]

    @property
    def agencies_created(self) -> int:
        return len({r.values["kode_opd"] for r in self.rows if r.agency_action == "create"})


def _parse_date(text: str) -> dt.date | None:
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a date
        except ValueError:
            continue
    return None


def plan_import(
    rows: list[tuple[int, dict[str, str]]],
    *,
    confirmed: frozenset[str] = frozenset(),
    on_progress=None,
    every: int = 1000,
) -> ImportPlan:
    """Check every row; nothing is written. A fixed number of queries.

    `confirmed`: the NIPs of the rows the coordinator confirmed (users of another agency).
    `on_progress(rows)` is called every `every` rows judged.
    """
    # Only values that can be stored are looked up (a NUL byte cannot reach PostgreSQL);
    # the others are the rows' errors below.
    nips = {n for _line, v in rows if _storable(n := normalize_nip(v.get("nip", "")))}
    emails = {e for _line, v in rows if _storable(e := v.get("email", "").strip().lower())} - {""}
    index = AgencyIndex(Agency.objects.order_by("pk"))
    users = {
        u.nip: u
        for u in User.objects.filter(nip__in=nips)
        .select_related("agent_profile", "agency")
        .prefetch_related("role_grants")
        .order_by()
    }
    email_owner = dict(User.objects.filter(email__in=emails).values_list("email", "nip").order_by())
    limits = _max_lengths()
    seen_nips: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    result = []
    for line, values in rows:
        row = ImportRow(line=line, values=dict(values), source=dict(values))
        notes = getattr(values, "notes", {})
        _check_cells(row, notes, limits)
        nip = normalize_nip(values.get("nip", ""))
        row.values["nip"] = nip
        if notes.get("nip") == NUMBER:
            row.errors.append(str(NIP_AS_NUMBER % {"nip": nip}))
        elif nip:
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
        agency = _find_agency(row, index, notes)
        if not row.errors:
            _decide(row, users.get(nip), agency, confirmed=nip in confirmed)
        else:
            row.agency_action = ""
        result.append(row)
        if on_progress is not None and len(result) % every == 0:
            on_progress(len(result))
    # An agency created by several rows is one agency: the later rows do not create it.
    created = set()
    for row in result:
        if row.agency_action == "create":
            if row.values["kode_opd"] in created:
                row.agency_action = ""
            created.add(row.values["kode_opd"])
    return ImportPlan(rows=result)


NIP_AS_NUMBER = _(
    "NIP %(nip)s tersimpan sebagai angka di Excel. Excel hanya menyimpan 15 digit bermakna, "
    "sehingga NIP 18 digit di berkas ini sudah berubah dan tidak diimpor. Format kolom NIP "
    "sebagai Teks (pilih kolom, klik kanan, Format Cells, Text), ketik ulang NIP yang benar, "
    "lalu unggah lagi; atau awali NIP dengan tanda petik (')."
)
FORMULA_WITHOUT_VALUE = _(
    "Kolom %(column)s berisi rumus yang nilainya tidak tersimpan di berkas. Buka berkas di "
    "Excel atau LibreOffice lalu simpan ulang, atau salin kolom itu dan tempel sebagai nilai."
)


def _check_cells(row: ImportRow, notes: dict[str, str], limits: dict[str, int]) -> None:
    """Control characters, lengths, unsaved formulas and required cells."""
    values = row.values
    for column, text in values.items():
        if notes.get(column) == FORMULA:
            row.errors.append(str(FORMULA_WITHOUT_VALUE % {"column": column}))
        elif _FORBIDDEN.search(text):
            row.errors.append(
                str(_("Kolom %(column)s berisi karakter kendali yang tidak diizinkan."))
                % {"column": column}
            )
        elif column in limits and len(text.strip()) > limits[column]:
            row.errors.append(
                str(_("Kolom %(column)s terlalu panjang: paling banyak %(max)s karakter."))
                % {"column": column, "max": limits[column]}
            )
    for column in REQUIRED:
        if not values.get(column, "").strip() and notes.get(column) != FORMULA:
            row.errors.append(str(_("Kolom %(column)s wajib diisi.") % {"column": column}))
    agency_cells = [c for c in AGENCY_COLUMNS if values.get(c, "").strip() or c in notes]
    if not agency_cells:
        row.errors.append(
            str(
                _(
                    "Perangkat daerah wajib diisi: tulis kode, nama atau singkatannya "
                    "(kolom %(columns)s)."
                )
            )
            % {"columns": ", ".join(AGENCY_COLUMNS)}
        )


def _find_agency(row: ImportRow, index: AgencyIndex, notes: dict[str, str]) -> Agency | None:
    """The agency the row names, by code, name, abbreviation or alias (in that column
    order); None when it names none, with the row's error, or when the row creates it
    (`agency_action`). Sets the row's `kode_opd` to the agency's code."""
    texts = [
        (column, row.values.get(column, "").strip())
        for column in AGENCY_COLUMNS
        if column not in notes or notes[column] != FORMULA
    ]
    texts = [(column, text) for column, text in texts if text and _storable(text)]
    if not texts:
        return None
    code = row.values.get("kode_opd", "").strip().upper()
    name = row.values.get("nama_opd", "").strip()
    kind = row.values.get("jenis_opd", "").strip().lower()
    for column, text in texts:
        found = index.find(text)
        if len(found) == 1:
            row.values["kode_opd"] = found[0].code.upper()
            return found[0]
        if found:
            row.errors.append(
                str(
                    _(
                        "%(text)s cocok dengan lebih dari satu perangkat daerah (%(codes)s); "
                        "tulis kodenya di kolom kode_opd."
                    )
                )
                % {"text": text, "codes": ", ".join(sorted(a.code for a in found))}
            )
            return None
        if column == "kode_opd" and name and kind:
            break  # an unknown code with a name and a kind: a new agency (below)
    else:
        text = texts[0][1]
        message = str(_("Perangkat daerah “%(text)s” tidak dikenal.")) % {"text": text}
        suggestions = index.suggest(text)
        if suggestions:
            message += " " + str(_("Mungkin maksud Anda: %(names)s.")) % {
                "names": "; ".join(suggestions)
            }
        row.errors.append(message)
        return None
    row.values["kode_opd"] = code
    if not slug_re.match(code):
        row.errors.append(
            str(
                _(
                    "Kode perangkat daerah %(code)s hanya boleh berisi huruf, angka, "
                    "tanda hubung dan garis bawah."
                )
            )
            % {"code": code}
        )
    elif index.find(name):
        row.errors.append(
            str(_("Perangkat daerah bernama %(name)s sudah ada dengan kode %(codes)s."))
            % {"name": name, "codes": ", ".join(sorted(a.code for a in index.find(name)))}
        )
    elif kind not in AgencyKind.values:
        row.errors.append(
            str(_("Jenis perangkat daerah %(kind)s tidak dikenal; pilih %(kinds)s."))
            % {"kind": kind or "—", "kinds": ", ".join(AgencyKind.values)}
        )
    else:
        row.agency_action = "create"
    return None


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
ACTIVE, INACTIVE = _("aktif"), _("tidak aktif")
USER_FIELDS = ("name", "email", "jabatan", "pangkat_golongan")
# C0 and C1 control characters (NUL among them) and the bidirectional overrides that make
# a name display as another: no column of a participants file has a use for them.
_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _storable(text: str) -> bool:
    return not _FORBIDDEN.search(text)


def _max_lengths() -> dict[str, int]:
    """The longest text of each column: the length of the field it is written to."""

    def length(model, name):
        return model._meta.get_field(name).max_length

    return {
        "nama": length(User, "name"),
        "email": length(User, "email"),
        "jabatan": length(User, "jabatan"),
        "kode_opd": length(Agency, "code"),
        "nama_opd": length(Agency, "name"),
        "singkatan_opd": length(Agency, "abbreviation"),
        "nomor_sk": length(Agent, "sk_number"),
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


_LABELS: dict[tuple[int, str], str] = {}


def _label(message) -> str:
    """A module-level lazy translation as text, translated once per language (rows are
    many); keyed by the constant's identity, since hashing a lazy text translates it."""
    key = (id(message), get_language())
    if key not in _LABELS:
        _LABELS[key] = str(message)
    return _LABELS[key]


def _change(name: str, before, after) -> Change:
    def text(value) -> str:
        return "" if value is None else str(value)

    return Change(
        field=name, label=_label(FIELD_LABELS[name]), before=text(before), after=text(after)
    )


def changes_for(user, values: dict[str, str], agency_code: str) -> list[Change]:
    """What the row sets on the user (None: a new user), before → after."""
    want = wanted(values)
    changes = [
        _change(name, getattr(user, name, ""), want[name])
        for name in USER_FIELDS
        if want[name] and getattr(user, name, "") != want[name]
    ]
    current = user.agency.code.upper() if user is not None and user.agency else ""
    if current != agency_code:
        changes.append(_change("agency", current, agency_code))
    profile = getattr(user, "agent_profile", None) if user is not None else None
    active = _label(ACTIVE)
    if profile is None or not profile.is_active:
        before = "" if profile is None else _label(INACTIVE)
        changes.append(_change("agent", before, active))
    if want["sk_number"] and getattr(profile, "sk_number", "") != want["sk_number"]:
        changes.append(_change("sk_number", getattr(profile, "sk_number", ""), want["sk_number"]))
    if want["sk_date"] and getattr(profile, "sk_date", None) != want["sk_date"]:
        before = getattr(profile, "sk_date", None)
        changes.append(
            _change("sk_date", before.isoformat() if before else "", want["sk_date"].isoformat())
        )
    return changes


def _decide(row: ImportRow, user, agency, *, confirmed: bool) -> None:
    row.changes = changes_for(user, row.values, row.values["kode_opd"])
    if user is None:
        row.action = "create"
        return
    if not row.changes:
        row.action = "unchanged"
        return
    roles = sorted(str(grant.get_role_display()) for grant in user.role_grants.all())
    if roles or user.is_staff or user.is_superuser:
        row.action = "protected"
        held = ", ".join(roles) or str(_("admin situs"))
        row.note = str(
            _("Akun ini memegang peran %(roles)s: impor tidak mengubahnya; ubah lewat admin.")
            % {"roles": held}
        )
        return
    if agency is None or user.agency_id != agency.pk:
        row.confirmed = confirmed
        row.action = "update" if confirmed else "confirm"
        row.note = str(
            _("Pengguna ini tercatat di perangkat daerah lain (%(agency)s).")
            % {"agency": user.agency.code if user.agency else "—"}
        )
        return
    row.action = "update"
