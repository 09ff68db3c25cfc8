"""Numbers typed in the user's language, read without ever shifting a digit.

Django's localized DecimalField drops every thousands separator it finds, wherever it
stands: in English "42,5" becomes 425. Here a separator is read as grouping only where it
groups three digits ("1,500" or "1.500.000,50"); one lone separator that does not
("42,5" in English, "42.5" in Bahasa Indonesia) is read as the decimal point, as people
mean it; anything else (separators in the wrong places, two decimal points) is refused
with a message that shows how to write the number.
"""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import get_format, number_format
from django.utils.translation import gettext_lazy as _

_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


def _grouped(integer: str, sep: str) -> bool:
    """Whether `integer` is digits grouped by threes with `sep` ("1.500.000")."""
    groups = integer.split(sep)
    return (
        all(_DIGITS.fullmatch(g) for g in groups)
        and 1 <= len(groups[0]) <= 3
        and all(len(g) == 3 for g in groups[1:])
    )


def read_number(text: str) -> Decimal:
    """The number typed in the active language, or ValueError when it cannot be read
    without guessing."""
    value = _SPACES.sub("", text)
    decimal, thousands = get_format("DECIMAL_SEPARATOR"), get_format("THOUSAND_SEPARATOR")
    sign = ""
    if value[:1] in "+-":
        sign, value = value[:1].replace("+", ""), value[1:]
    if value.count(decimal) > 1:
        raise ValueError(value)
    integer, _sep, fraction = value.partition(decimal)
    if thousands and thousands in integer:
        if (
            not fraction
            and not _sep
            and integer.count(thousands) == 1
            and not _grouped(integer, thousands)
        ):
            # One separator not grouping three digits: the decimal point ("42,5", "42.5").
            integer, fraction, _sep = *integer.split(thousands), decimal
        elif not _grouped(integer, thousands):
            raise ValueError(value)
        else:
            integer = integer.replace(thousands, "")
    if not _DIGITS.fullmatch(integer or "0") or (_sep and not _DIGITS.fullmatch(fraction)):
        raise ValueError(value)
    try:
        return Decimal(f"{sign}{integer or '0'}" + (f".{fraction}" if fraction else ""))
    except InvalidOperation as exc:
        raise ValueError(value) from exc


class LocalizedDecimalField(forms.DecimalField):
    """A DecimalField typed in the user's language, read by `read_number`."""

    default_error_messages = {
        "unreadable": _(
            "Angka ini tidak dapat dibaca. Tulis misalnya %(example)s "
            "(pemisah desimal “%(decimal)s”, pemisah ribuan “%(thousands)s”)."
        ),
    }

    def __init__(self, **kwargs):
        kwargs["localize"] = True
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not isinstance(value, str):
            return super().to_python(value)
        try:
            return read_number(value)
        except ValueError:
            raise ValidationError(
                self.error_messages["unreadable"],
                code="invalid",
                params={
                    "example": number_format(
                        Decimal("1500.5"), decimal_pos=1, use_l10n=True, force_grouping=True
                    ),
                    "decimal": get_format("DECIMAL_SEPARATOR"),
                    "thousands": get_format("THOUSAND_SEPARATOR"),
                },
            ) from None
