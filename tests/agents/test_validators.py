"""NIP validation (Perka BKN 22/2007 layout) and the pangkat/golongan list. No database."""

import calendar
from dataclasses import asdict
from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.enums import Gender, PangkatGolongan, golongan_group
from agents.validators import (
    WITA,
    NipParts,
    format_nip,
    generate_nip,
    normalize_nip,
    parse_nip,
    validate_nip,
)

BKN_EXAMPLE = "196608011988031001"
NIP_CODES = {"nip_length", "nip_birth_date", "nip_appointment", "nip_gender", "nip_sequence"}


def _this_month() -> tuple[int, int]:
    now = timezone.localtime(timezone.now(), WITA)
    return now.year, now.month


def _next_month() -> tuple[int, int]:
    year, month = _this_month()
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _outcome(value: str) -> tuple[str, object]:
    """("parsed", NipParts) or ("refused", the error's code), to compare two inputs."""
    try:
        return "parsed", parse_nip(value)
    except ValidationError as exc:
        return "refused", exc.code


def _code(value: str) -> str:
    with pytest.raises(ValidationError) as exc_info:
        validate_nip(value)
    return exc_info.value.code


def _message(value: str) -> str:
    with pytest.raises(ValidationError) as exc_info:
        validate_nip(value)
    with translation.override("id"):
        return exc_info.value.messages[0]


# --- Examples -----------------------------------------------------------------------------


def test_bkn_example_nip_is_valid_and_parses():
    assert validate_nip(BKN_EXAMPLE) is None
    assert parse_nip(BKN_EXAMPLE) == NipParts(
        birth_date=date(1966, 8, 1),
        appointment_month=date(1988, 3, 1),
        gender=Gender.MALE,
        sequence=1,
    )
    assert parse_nip(BKN_EXAMPLE).gender == "L"


@pytest.mark.parametrize(
    "value",
    [
        "19660801 198803 1 001",
        "NIP. 19660801.198803.1.001",
        "NIP : 196608011988031001",
        "nip.19660801 198803 1 001",
        "NIP 19660801\u00a0198803\u00a01\u00a0001",  # non-breaking spaces pasted from a letter
        "  19660801.198803.1.001  ",
    ],
)
def test_display_and_labelled_forms_normalise_and_validate(value):
    assert normalize_nip(value) == BKN_EXAMPLE
    assert validate_nip(value) is None
    assert parse_nip(value) == parse_nip(BKN_EXAMPLE)


def test_normalize_nip_does_not_validate():
    assert normalize_nip("NIP. 123.45 x") == "12345x"
    assert normalize_nip("") == ""


@pytest.mark.parametrize(
    ("value", "count"),
    [
        ("19560127198302002", 17),  # "NIP. 19560127198302002" in a training report
        ("1969091019941210001", 19),  # "19690910 199412 1 0001" in a Latsar guide
        ("", 0),
    ],
)
def test_wrong_length_is_refused_and_message_gives_the_count(value, count):
    assert _code(value) == "nip_length"
    assert _message(value) == f"NIP harus 18 digit angka; yang diisi {count} digit."


def test_bkn_typo_with_display_spaces_is_refused_not_fixed():
    assert _code("NIP. 19560127198302002") == "nip_length"
    assert _code("19690910 199412 1 0001") == "nip_length"


@pytest.mark.parametrize(
    "value",
    [
        "19660801198803100A",
        "19660801-198803-1-001",
        "١٩٦٦٠٨٠١١٩٨٨٠٣١٠٠١",  # Arabic-Indic digits are digits to str.isdigit(), not to NIP
        "196608011988031001²",
    ],
)
def test_non_ascii_digit_characters_are_refused_as_length_error(value):
    assert _code(value) == "nip_length"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("196613011988031001", "nip_birth_date"),  # month 13
        ("196602301988031001", "nip_birth_date"),  # 30 February
        ("189912311920011001", "nip_birth_date"),  # born before 1900
        ("196608011988131001", "nip_appointment"),  # appointment month 13
        ("196608011988001001", "nip_appointment"),  # appointment month 00
        ("196608011984071001", "nip_appointment"),  # July 1984: one month before age 18
        ("196608011960011001", "nip_appointment"),  # appointed before birth
        ("196608011988033001", "nip_gender"),
        ("196608011988031000", "nip_sequence"),
    ],
)
def test_each_invalid_part_is_refused_with_its_code(value, code):
    assert _code(value) == code


def test_messages_name_the_part_that_is_wrong():
    assert _message("196613011988031001") == (
        "8 digit pertama NIP (tanggal lahir) bukan tanggal yang valid: 19661301."
    )
    assert _message("196608011988131001") == (
        "6 digit ke-9 s.d. 14 (TMT CPNS) bukan tahun dan bulan yang valid: 198813."
    )
    assert _message("196608011984071001") == (
        "6 digit ke-9 s.d. 14 (TMT CPNS) 198407 lebih awal dari usia 18 tahun; "
        "untuk tanggal lahir 19660801 paling awal 198408."
    )
    assert _message("196608011988033001") == (
        "Digit ke-15 (jenis kelamin) harus 1 (pria) atau 2 (wanita); yang diisi 3."
    )
    assert _message("196608011988031000") == (
        "Digit ke-16 s.d. 18 (nomor urut) tidak boleh 000; nomor urut dimulai dari 001."
    )


def test_appointment_in_the_month_of_the_18th_birthday_is_valid():
    assert parse_nip("196608011984081001").appointment_month == date(1984, 8, 1)


def test_appointment_in_the_future_is_refused():
    year, month = _next_month()
    assert _code(f"19660801{year:04d}{month:02d}1001") == "nip_appointment"


def test_appointment_in_the_current_month_is_valid():
    year, month = _this_month()
    value = f"19660801{year:04d}{month:02d}1001"
    assert parse_nip(value).appointment_month == date(year, month, 1)


def test_birth_date_in_the_future_is_refused():
    year, _month = _this_month()
    assert _code(f"{year + 1:04d}0101{year:04d}011001") == "nip_birth_date"


def test_future_is_judged_in_wita_not_utc(monkeypatch):
    # 31 Dec 2025 16:30 UTC is 1 Jan 2026 00:30 WITA: January 2026 has begun in Samarinda.
    monkeypatch.setattr(timezone, "now", lambda: datetime(2025, 12, 31, 16, 30, tzinfo=UTC))
    assert parse_nip("196608012026011001").appointment_month == date(2026, 1, 1)
    assert _code("196608012026021001") == "nip_appointment"


def test_first_error_from_the_left_is_reported():
    # Bad appointment month, gender and sequence at once: the appointment comes first.
    assert _code("196608011988139000") == "nip_appointment"


# --- format_nip and generate_nip ------------------------------------------------------------


def test_format_nip_groups_the_digits():
    assert format_nip(BKN_EXAMPLE) == "19660801 198803 1 001"
    assert format_nip("NIP. 19660801.198803.1.001") == "19660801 198803 1 001"


def test_format_nip_leaves_a_value_that_is_not_18_digits_unchanged():
    assert format_nip("19560127198302002") == "19560127198302002"
    assert format_nip(None) == ""


def test_generate_nip_builds_the_bkn_example():
    assert (
        generate_nip(
            birth_date=date(1966, 8, 1),
            appointment_month=date(1988, 3, 15),
            gender="L",
            sequence=1,
        )
        == BKN_EXAMPLE
    )
    assert (
        generate_nip(
            birth_date=date(1980, 2, 29),
            appointment_month=date(2005, 12, 1),
            gender=Gender.FEMALE,
            sequence=999,
        )
        == "198002292005122999"
    )


@pytest.mark.parametrize(
    "overrides",
    [
        {"gender": "X"},
        {"gender": "1"},
        {"sequence": 0},
        {"sequence": 1000},
        {"sequence": True},
        {"sequence": "1"},
        {"birth_date": date(1899, 12, 31), "appointment_month": date(1930, 1, 1)},
        {"appointment_month": date(1984, 7, 1)},
        {"appointment_month": date(9999, 1, 1)},
        {"birth_date": "1966-08-01"},
    ],
)
def test_generate_nip_refuses_impossible_inputs(overrides):
    kwargs = {
        "birth_date": date(1966, 8, 1),
        "appointment_month": date(1988, 3, 1),
        "gender": "L",
        "sequence": 1,
        **overrides,
    }
    with pytest.raises(ValueError):
        generate_nip(**kwargs)


# --- Properties ------------------------------------------------------------------------------


@st.composite
def nip_inputs(draw) -> dict:
    """Valid generate_nip keyword arguments: born 1900 or later, appointed at 18, not later
    than the current WITA month."""
    year, month = _this_month()
    last_birth_day = calendar.monthrange(year - 18, month)[1]
    birth_date = draw(
        st.dates(min_value=date(1900, 1, 1), max_value=date(year - 18, month, last_birth_day))
    )
    first = (birth_date.year + 18) * 12 + birth_date.month - 1
    last = year * 12 + month - 1
    index = draw(st.integers(min_value=first, max_value=last))
    return {
        "birth_date": birth_date,
        "appointment_month": date(index // 12, index % 12 + 1, 1),
        "gender": draw(st.sampled_from(["L", "P"])),
        "sequence": draw(st.integers(min_value=1, max_value=999)),
    }


@settings(deadline=None)
@given(nip_inputs())
def test_generated_nip_validates_and_parses_back_exactly(kwargs):
    nip = generate_nip(**kwargs)
    assert len(nip) == 18
    assert validate_nip(nip) is None
    expected = NipParts(**kwargs)
    assert parse_nip(nip) == expected
    assert parse_nip(format_nip(nip)) == expected
    assert normalize_nip(format_nip(nip)) == nip


@settings(deadline=None)
@given(
    st.one_of(
        st.text(),
        st.from_regex(r"\A(NIP[.:]? ?)?[0-9 .]{14,24}\Z"),
        nip_inputs().map(lambda kwargs: f"NIP. {format_nip(generate_nip(**kwargs))}"),
    )
)
def test_any_text_parses_as_its_digits_do_and_valid_ones_round_trip(value):
    digits = normalize_nip(value)
    outcome = _outcome(value)
    # Labels, spaces and dots never change the verdict: the text parses as its digits do.
    assert outcome == _outcome(digits)
    kind, result = outcome
    if kind == "refused":
        assert result in NIP_CODES
    else:
        # A valid NIP is exactly the one its parts generate, and prints as 8-6-1-3 digits.
        assert generate_nip(**asdict(result)) == digits
        assert format_nip(value) == f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"


@settings(deadline=None)
@given(nip_inputs(), st.sampled_from("03456789"))
def test_gender_digit_other_than_1_or_2_is_refused(kwargs, digit):
    nip = generate_nip(**kwargs)
    changed = nip[:14] + digit + nip[15:]
    assert _code(changed) == "nip_gender"


# --- Pangkat/golongan ------------------------------------------------------------------------


def test_pangkat_golongan_lists_the_17_ranks_in_order():
    assert PangkatGolongan.values == [
        "I/a", "I/b", "I/c", "I/d",
        "II/a", "II/b", "II/c", "II/d",
        "III/a", "III/b", "III/c", "III/d",
        "IV/a", "IV/b", "IV/c", "IV/d", "IV/e",
    ]  # fmt: skip
    assert len(PangkatGolongan.choices) == 17
    assert PangkatGolongan.values[0] == "I/a"
    assert PangkatGolongan.values[-1] == "IV/e"


def test_pangkat_golongan_labels_are_indonesian_source_strings():
    with translation.override("id"):
        assert str(PangkatGolongan("III/a").label) == "Penata Muda (III/a)"
        assert str(PangkatGolongan.I_A.label) == "Juru Muda (I/a)"
        assert str(PangkatGolongan.IV_D.label) == "Pembina Utama Madya (IV/d)"
        assert str(PangkatGolongan.IV_E.label) == "Pembina Utama (IV/e)"


@pytest.mark.parametrize(
    ("key", "group"),
    [("I/a", "I"), ("II/d", "II"), ("III/a", "III"), ("IV/e", "IV"), (PangkatGolongan.IV_B, "IV")],
)
def test_golongan_group(key, group):
    assert golongan_group(key) == group
    assert PangkatGolongan(key).group == group


def test_golongan_group_refuses_unknown_key():
    with pytest.raises(ValueError):
        golongan_group("V/a")
