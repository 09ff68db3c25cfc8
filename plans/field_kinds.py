"""What each kind of plan field does, once for all fields of that kind.

A kind turns the field's value into the JSON a frozen version stores (`to_json`), reads
that JSON back as text for pages, comparisons and the printed document (`text`, `items`),
as a spreadsheet cell (`cell`), and says whether the checklist counts it as filled. The
JSON of a kind never changes shape: versions frozen years ago still read.

The registry of sections (`plans.sections`) gives every field one of these kinds.
"""

import datetime as dt
import random
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _


def item_value(obj, name: str):
    """A field of a model row, or a key of a dict standing for one."""
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name)


class Kind:
    name = ""
    # Printed in a table of label and value (False: a block of text under a heading).
    short = True
    # A relation to many objects (set after the row is written, prefetched in lists).
    many = False
    # The conflict screen offers to merge the two texts.
    mergeable = False
    # A column of the plans sheet of the spreadsheet export.
    exported = True
    # Typed in the plan's language ("1.500.000,50" in Bahasa Indonesia).
    localized = False
    # The export's number format for its cells (None: openpyxl's default), its width.
    number_format: str | None = None
    column_width = 18

    def to_json(self, value, spec) -> Any:
        return value

    def text(self, value, spec) -> str:
        return "" if value is None else str(value)

    def items(self, value, spec) -> list[str]:
        text = self.text(value, spec)
        return [text] if text else []

    def cell(self, value, spec):
        return self.text(value, spec)

    def filled(self, value) -> bool:
        return bool(str(value if value is not None else "").strip())

    def stored(self, value):
        """A cleaned form value as the model column takes it."""
        return value

    def from_json(self, value, spec):
        """A frozen value back as a cleaned form value (restoring text kept in the
        audit log): the inverse of `to_json`."""
        return value

    def widget(self, spec):
        """The widget of the field in a generated section form (None: Django's own)."""
        return None

    def example(self, spec, rng: random.Random):
        """A plausible value for demo data, where no written example exists (None: the
        kind has none, e.g. a relation, which needs reference data)."""
        return None


class TextKind(Kind):
    """Free text: one line (`LINE`) or several (`TEXT`)."""

    mergeable = True

    def __init__(self, name: str, *, multiline: bool):
        self.name = name
        self.multiline = multiline
        self.short = not multiline
        self.exported = not multiline

    def to_json(self, value, spec) -> str:
        return "" if value is None else str(value)

    def stored(self, value):
        return value or ""

    def from_json(self, value, spec) -> str:
        return value or ""

    def widget(self, spec):
        return forms.Textarea(attrs={"rows": 3}) if self.multiline else None

    def example(self, spec, rng: random.Random) -> str:
        return f"{spec.label}: diuraikan sesuai kondisi unit kerja."


class ChoiceKind(Kind):
    """One value of the model field's `choices`; frozen as its code, read as its label."""

    name = "choice"
    column_width = 22

    def to_json(self, value, spec) -> str:
        return value or ""

    def text(self, value, spec) -> str:
        if not value:
            return ""
        return str(dict(spec.model_field.flatchoices).get(value, value))

    def stored(self, value):
        return value or ""

    def example(self, spec, rng: random.Random) -> str:
        return rng.choice([value for value, _label in spec.model_field.flatchoices if value])


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


class NumberKind(Kind):
    """A decimal number (`NUMBER`) or an amount of rupiah (`MONEY`); frozen as a string so
    that no digit is lost to floating point."""

    localized = True

    def __init__(self, name: str, *, money: bool):
        self.name = name
        self.money = money
        self.number_format = "#,##0" if money else "#,##0.00"

    def to_json(self, value, spec) -> str | None:
        return None if value in (None, "") else str(value)

    def from_json(self, value, spec) -> Decimal | None:
        return _decimal(value)

    def text(self, value, spec) -> str:
        number = _decimal(value)
        if number is None:
            return "" if value in (None, "") else str(value)
        shown = number_format(number, use_l10n=True, force_grouping=True)
        return _("Rp %(amount)s") % {"amount": shown} if self.money else shown

    def cell(self, value, spec):
        number = _decimal(value)
        if number is None:
            return None
        return int(number) if number == number.to_integral_value() else float(number)

    def filled(self, value) -> bool:
        return value not in (None, "")

    def example(self, spec, rng: random.Random) -> Decimal:
        if self.money:
            return Decimal(rng.randint(5, 500) * 1_000_000)
        return Decimal(rng.randint(1, 100))


class DateKind(Kind):
    name = "date"
    number_format = "DD/MM/YYYY"

    def _date(self, value) -> dt.date | None:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value) if value else None
        except (TypeError, ValueError):
            return None

    def to_json(self, value, spec) -> str | None:
        return value.isoformat() if isinstance(value, dt.date) else (value or None)

    def from_json(self, value, spec) -> dt.date | None:
        return self._date(value)

    def text(self, value, spec) -> str:
        day = self._date(value)
        if day is None:
            return "" if not value else str(value)
        return date_format(day, "DATE_FORMAT")

    def cell(self, value, spec):
        return self._date(value)

    def widget(self, spec):
        return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def example(self, spec, rng: random.Random) -> dt.date:
        return timezone.localdate() + dt.timedelta(days=rng.randint(30, 365))


def _freeze_item(obj, spec) -> dict:
    if spec.freeze_item is not None:
        return spec.freeze_item(obj)
    return {"id": obj.pk, "name": str(obj)}


def _item_text(item, spec) -> str:
    if not isinstance(item, dict):
        return str(item)
    if spec.item_text is not None:
        return spec.item_text(item)
    return str(item.get("name", ""))


def _thaw_items(items, spec) -> list:
    """The objects of the reference list that frozen items name: by id, or by the keys
    the field freezes (a code; a mission's period and number), their texts aside. One
    query per item; items whose object is gone are left out."""
    model = spec.model_field.related_model
    found = []
    for item in items:
        if not isinstance(item, dict):
            continue
        lookup = {
            ("pk" if key == "id" else key): value
            for key, value in item.items()
            if key not in ("name", "text")
        }
        obj = model.objects.filter(**lookup).first() if lookup else None
        if obj is not None:
            found.append(obj)
    return found


class ReferenceKind(Kind):
    """One object of a reference list (a foreign key); frozen as a small dict."""

    name = "reference"

    def to_json(self, value, spec) -> dict | None:
        return None if value is None else _freeze_item(value, spec)

    def from_json(self, value, spec):
        found = _thaw_items([value], spec) if value else []
        return found[0] if found else None

    def text(self, value, spec) -> str:
        return _item_text(value, spec) if value else ""

    def filled(self, value) -> bool:
        return bool(value)


class ManyKind(Kind):
    """Several objects of a reference list (many-to-many); frozen as a list of dicts."""

    name = "many"
    many = True
    column_width = 36

    def to_json(self, value, spec) -> list[dict]:
        objects = value.all() if hasattr(value, "all") else value or []
        return [_freeze_item(obj, spec) for obj in objects]

    def from_json(self, value, spec) -> list:
        return _thaw_items(value or [], spec)

    def items(self, value, spec) -> list[str]:
        return [_item_text(item, spec) for item in value or []]

    def text(self, value, spec) -> str:
        return "\n".join(self.items(value, spec))

    def cell(self, value, spec):
        return "; ".join(self.items(value, spec))

    def filled(self, value) -> bool:
        return bool(value)

    def widget(self, spec):
        return forms.CheckboxSelectMultiple


LINE = TextKind("line", multiline=False)
TEXT = TextKind("text", multiline=True)
CHOICE = ChoiceKind()
NUMBER = NumberKind("number", money=False)
MONEY = NumberKind("money", money=True)
DATE = DateKind()
REFERENCE = ReferenceKind()
MANY = ManyKind()
