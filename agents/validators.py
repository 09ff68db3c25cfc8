"""The NIP (Nomor Identitas PNS, Perka BKN 22/2007): normalise, validate, parse, format, build.

Layout, 18 digits: ``YYYYMMDD`` birth date, ``YYYYMM`` first appointment as CPNS (TMT CPNS),
one gender digit (1 = pria, 2 = wanita), ``NNN`` sequence from 001. The checks on top of
that layout (appointment at 18 or later, birth year from 1900) are this app's own sanity rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from .enums import Gender

NIP_LENGTH = 18
MIN_BIRTH_YEAR = 1900
MIN_APPOINTMENT_AGE = 18
WITA = ZoneInfo("Asia/Makassar")

GENDER_DIGITS: dict[str, str] = {Gender.MALE: "1", Gender.FEMALE: "2"}
_GENDER_BY_DIGIT: dict[str, Gender] = {"1": Gender.MALE, "2": Gender.FEMALE}

# "NIP", "NIP.", "NIP :", "nip:" ... before the number; then spaces (any Unicode whitespace,
# e.g. a non-breaking space pasted from a letter) and dots anywhere.
_PREFIX_RE = re.compile(r"^\s*nip[\s.:]*", re.IGNORECASE)
_SEPARATORS_RE = re.compile(r"[\s.]+")
# ASCII digits only: str.isdigit() and a Unicode \d would accept "٣" or "²".
_ASCII_DIGITS_RE = re.compile(r"[0-9]*")


@dataclass(frozen=True, slots=True)
class NipParts:
    """The facts encoded in a valid NIP."""

    birth_date: date
    appointment_month: date  # first day of the TMT CPNS month
    gender: Gender  # Gender.MALE == "L" (digit 1) or Gender.FEMALE == "P" (digit 2)
    sequence: int  # 1..999


def normalize_nip(value: object) -> str:
    """Drop a leading "NIP"/"NIP."/"NIP :" label, spaces and dots; does not validate."""
    text = "" if value is None else str(value)
    return _SEPARATORS_RE.sub("", _PREFIX_RE.sub("", text, count=1))


def _now_wita() -> datetime:
    return timezone.localtime(timezone.now(), WITA)


def _yyyymm(year: int, month: int) -> str:
    return f"{year:04d}{month:02d}"


def parse_nip(value: object) -> NipParts:
    """Return the parts of a valid NIP; raise ValidationError (first problem found) otherwise.

    Checks run left to right and stop at the first failure, so the error always has a
    single ``code`` (nip_length, nip_birth_date, nip_appointment, nip_gender, nip_sequence).
    """
    digits = normalize_nip(value)

    # Digits 1-18: shape.
    if not _ASCII_DIGITS_RE.fullmatch(digits):
        raise ValidationError(
            _(
                "NIP harus 18 digit angka; yang diisi memuat karakter selain angka, "
                "spasi, atau titik."
            ),
            code="nip_length",
        )
    if len(digits) != NIP_LENGTH:
        raise ValidationError(
            ngettext_lazy(
                "NIP harus 18 digit angka; yang diisi %(count)d digit.",
                "NIP harus 18 digit angka; yang diisi %(count)d digit.",
                "count",
            ),
            code="nip_length",
            params={"count": len(digits)},
        )

    now = _now_wita()

    # Digits 1-8: birth date.
    birth_part = digits[:8]
    try:
        birth_date = date(int(birth_part[:4]), int(birth_part[4:6]), int(birth_part[6:8]))
    except ValueError:
        raise ValidationError(
            _("8 digit pertama NIP (tanggal lahir) bukan tanggal yang valid: %(value)s."),
            code="nip_birth_date",
            params={"value": birth_part},
        ) from None
    if birth_date.year < MIN_BIRTH_YEAR:
        raise ValidationError(
            _(
                "8 digit pertama NIP (tanggal lahir) bukan tanggal yang valid: %(value)s "
                "(tahun lahir paling awal %(min_year)s)."
            ),
            code="nip_birth_date",
            params={"value": birth_part, "min_year": str(MIN_BIRTH_YEAR)},
        )
    if birth_date > now.date():
        raise ValidationError(
            _(
                "8 digit pertama NIP (tanggal lahir) bukan tanggal yang valid: %(value)s "
                "(tanggal itu belum terjadi)."
            ),
            code="nip_birth_date",
            params={"value": birth_part},
        )

    # Digits 9-14: TMT CPNS, year and month.
    appointment_part = digits[8:14]
    year, month = int(appointment_part[:4]), int(appointment_part[4:])
    if year < 1 or not 1 <= month <= 12:
        raise ValidationError(
            _("6 digit ke-9 s.d. 14 (TMT CPNS) bukan tahun dan bulan yang valid: %(value)s."),
            code="nip_appointment",
            params={"value": appointment_part},
        )
    earliest = (birth_date.year + MIN_APPOINTMENT_AGE, birth_date.month)
    if (year, month) < earliest:
        raise ValidationError(
            _(
                "6 digit ke-9 s.d. 14 (TMT CPNS) %(value)s lebih awal dari usia 18 tahun; "
                "untuk tanggal lahir %(birth)s paling awal %(earliest)s."
            ),
            code="nip_appointment",
            params={
                "value": appointment_part,
                "birth": birth_part,
                "earliest": _yyyymm(*earliest),
            },
        )
    if (year, month) > (now.year, now.month):
        raise ValidationError(
            _("6 digit ke-9 s.d. 14 (TMT CPNS) %(value)s belum terjadi; bulan ini %(current)s."),
            code="nip_appointment",
            params={"value": appointment_part, "current": _yyyymm(now.year, now.month)},
        )

    # Digit 15: gender.
    gender_digit = digits[14]
    if gender_digit not in _GENDER_BY_DIGIT:
        raise ValidationError(
            _("Digit ke-15 (jenis kelamin) harus 1 (pria) atau 2 (wanita); yang diisi %(value)s."),
            code="nip_gender",
            params={"value": gender_digit},
        )

    # Digits 16-18: sequence.
    sequence = int(digits[15:])
    if sequence == 0:
        raise ValidationError(
            _("Digit ke-16 s.d. 18 (nomor urut) tidak boleh 000; nomor urut dimulai dari 001."),
            code="nip_sequence",
        )

    return NipParts(
        birth_date=birth_date,
        appointment_month=date(year, month, 1),
        gender=_GENDER_BY_DIGIT[gender_digit],
        sequence=sequence,
    )


def validate_nip(value: object) -> None:
    """Django validator for a PNS NIP (not for PPPK numbers, whose format is unverified)."""
    parse_nip(value)


def format_nip(value: object) -> str:
    """Display form "19660801 198803 1 001".

    Anything that is not 18 digits after normalising comes back unchanged (as text), so a
    template never fails on a legacy value; validation is validate_nip's job.
    """
    if value is None:
        return ""
    digits = normalize_nip(value)
    if len(digits) != NIP_LENGTH or not _ASCII_DIGITS_RE.fullmatch(digits):
        return str(value)
    return f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"


def generate_nip(
    *, birth_date: date, appointment_month: date, gender: Gender | str, sequence: int
) -> str:
    """Build a valid NIP (seed data, tests); raise ValueError for impossible inputs.

    Only the year and month of ``appointment_month`` are used.
    """
    if not isinstance(birth_date, date) or not isinstance(appointment_month, date):
        raise ValueError("birth_date and appointment_month must be dates.")
    if not isinstance(gender, str) or gender not in GENDER_DIGITS:
        raise ValueError(f"gender must be 'L' or 'P', not {gender!r}.")
    if isinstance(sequence, bool) or not isinstance(sequence, int) or not 1 <= sequence <= 999:
        raise ValueError(f"sequence must be an int from 1 to 999, not {sequence!r}.")
    nip = (
        f"{birth_date.year:04d}{birth_date.month:02d}{birth_date.day:02d}"
        f"{_yyyymm(appointment_month.year, appointment_month.month)}"
        f"{GENDER_DIGITS[gender]}{sequence:03d}"
    )
    try:
        parse_nip(nip)
    except ValidationError as exc:
        raise ValueError(f"Impossible NIP {nip} ({exc.error_list[0].code}).") from exc
    return nip


PHONE = re.compile(r"^\+?[0-9][0-9 ()./-]{5,28}$")


def validate_phone(value: str) -> None:
    """A telephone number: digits with the usual separators, an optional leading +."""
    if value and not PHONE.match(value):
        raise ValidationError(
            _("Nomor telepon hanya berisi angka, spasi, tanda hubung, titik, kurung dan +."),
            code="invalid_phone",
        )
