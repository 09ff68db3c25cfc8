"""The shape of a plan: its sections in order, the fields of each, and the kind of each field.

This is the one list of the plan's content. The editor and its forms, the checklist, the
frozen versions, both comparisons of versions, the conflict screen, the plan pages, the
plan document (PDF), the spreadsheet export and the demo data all read it; none of them
names a section's fields. What a field does in each of those places is decided by its
kind (`plans.field_kinds`): text, choice, number, money, date, reference, many-to-many.
Adding a section is a matter of this list, the model's columns, their migration and,
when the section needs help texts, its form: docs/adding-a-plan-field.md walks through it.

Everything here is read at call time (never copied into module constants elsewhere), so
that the list stays the only truth.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from django.apps import apps
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .field_kinds import (
    CHOICE,
    DATE,
    LINE,
    MANY,
    MONEY,
    NUMBER,
    REFERENCE,
    TEXT,
    Kind,
    item_value,
)

PLAN_MODEL = "plans.ActionPlan"


@dataclass(frozen=True)
class PlanField:
    """One field of a section: a column (or relation) of the plan, or of a row."""

    name: str
    kind: Kind
    # The checklist asks for it before the plan can be submitted.
    required: bool = False
    # A column of the plans sheet of the spreadsheet export (None: as the kind decides).
    export: bool | None = None
    # Relations: how one chosen object is frozen in a version (default {"id", "name"}),
    # and how a frozen object reads (default its "name").
    freeze_item: Any = None
    item_text: Any = None
    model: str = PLAN_MODEL

    @property
    def model_field(self):
        return apps.get_model(self.model)._meta.get_field(self.name)

    @property
    def label(self) -> str:
        return capfirst(str(self.model_field.verbose_name))

    @property
    def exported(self) -> bool:
        return self.kind.exported if self.export is None else self.export

    # What the kind does, for this field ----------------------------------------------

    def freeze(self, obj) -> Any:
        """The JSON a version stores for this field of `obj` (a model row or a dict)."""
        return self.kind.to_json(item_value(obj, self.name), self)

    def thaw(self, value) -> Any:
        """A frozen value back as the section's form cleans it (the inverse of freeze)."""
        return self.kind.from_json(value, self)

    def text(self, value) -> str:
        """A frozen value as plain text (shown, compared, printed)."""
        return self.kind.text(value, self)

    def items(self, value) -> list[str]:
        return self.kind.items(value, self)

    def cell(self, value):
        return self.kind.cell(value, self)

    def filled(self, value) -> bool:
        return self.kind.filled(value)


@dataclass(frozen=True)
class Section:
    """A section of the plan. `rows` names the plan's related rows (activities, targets)
    for a section that is a list of rows; `attachments` marks the attachments section."""

    key: str
    label: Any
    fields: tuple[PlanField, ...] = ()
    rows: str = ""
    row_fields: tuple[PlanField, ...] = ()
    attachments: bool = False

    @property
    def has_fields(self) -> bool:
        return not self.rows and not self.attachments

    @property
    def editable(self) -> bool:
        return not self.attachments

    @property
    def number(self) -> int:
        """Its number as the agent sees it (1 for the first section)."""
        return [s.key for s in all_sections()].index(self.key) + 1

    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def column_names(self) -> list[str]:
        """The plan's own columns the section writes (relations to many aside)."""
        return [f.name for f in self.fields if not f.kind.many]

    def many_names(self) -> list[str]:
        return [f.name for f in self.fields if f.kind.many]

    def row_names(self) -> list[str]:
        return [f.name for f in self.row_fields]


def _row_fields(model: str, *fields: PlanField) -> tuple[PlanField, ...]:
    return tuple(replace(f, model=model) for f in fields)


def _coded(obj) -> dict:
    return {"code": obj.code, "name": obj.name}


def _mission(obj) -> dict:
    return {"period": obj.period, "number": obj.number, "text": obj.text}


def _mission_text(item: dict) -> str:
    return f"{item.get('period', '')} — {item.get('number', '')}. {item.get('text', '')}"


SECTIONS: tuple[Section, ...] = (
    Section("identity", _("Identitas"), fields=(PlanField("title", LINE, export=False),)),
    Section(
        "problem",
        _("Masalah dan isu strategis"),
        fields=(
            PlanField("strategic_issue", TEXT, required=True),
            PlanField("baseline_data", TEXT, required=True),
            PlanField("root_cause", TEXT, required=True),
        ),
    ),
    Section(
        "change",
        _("Gagasan perubahan"),
        fields=(
            PlanField("innovation", TEXT, required=True),
            PlanField("change_kind", CHOICE, required=True),
            PlanField("novelty", TEXT, required=True),
            PlanField("agent_roles", MANY, freeze_item=_coded),
        ),
    ),
    Section(
        "alignment",
        _("Keselarasan"),
        fields=(
            PlanField("change_areas", MANY, required=True, freeze_item=_coded),
            PlanField("core_values", MANY, required=True, freeze_item=_coded),
            PlanField(
                "governor_mission",
                REFERENCE,
                export=False,
                freeze_item=_mission,
                item_text=_mission_text,
            ),
            PlanField("alignment_notes", TEXT),
            PlanField("roadmap_link", TEXT),
        ),
    ),
    Section(
        "activities",
        _("Kegiatan dan jadwal"),
        rows="activities",
        row_fields=_row_fields(
            "plans.Activity",
            PlanField("title", LINE),
            PlanField("output", LINE),
            PlanField("start_month", DATE),
            PlanField("end_month", DATE),
            PlanField("responsible", LINE),
            PlanField("budget", MONEY),
        ),
    ),
    Section(
        "targets",
        _("Target"),
        rows="targets",
        row_fields=_row_fields(
            "plans.Target",
            PlanField("indicator", LINE),
            PlanField("unit", LINE),
            PlanField("baseline", NUMBER),
            PlanField("target_value", NUMBER),
            PlanField("direction", CHOICE),
            PlanField("due_date", DATE),
            PlanField("verification", LINE),
        ),
    ),
    Section(
        "impact",
        _("Dampak"),
        fields=(
            PlanField("impact_internal", TEXT, required=True),
            PlanField("impact_external", TEXT, required=True),
        ),
    ),
    Section(
        "risks",
        _("Pemangku kepentingan dan risiko"),
        fields=(
            PlanField("stakeholders", TEXT, required=True),
            PlanField("risks", TEXT, required=True),
            PlanField("mitigation", TEXT, required=True),
        ),
    ),
    Section("attachments", _("Lampiran"), attachments=True),
)


# --- Reading the registry ------------------------------------------------------------------


def all_sections() -> tuple[Section, ...]:
    return SECTIONS


def section(key: str) -> Section:
    for entry in all_sections():
        if entry.key == key:
            return entry
    raise KeyError(key)


def keys() -> list[str]:
    return [s.key for s in all_sections()]


def editable_keys() -> list[str]:
    return [s.key for s in all_sections() if s.editable]


def field_sections() -> list[Section]:
    return [s for s in all_sections() if s.has_fields]


def row_sections() -> dict[str, Section]:
    return {s.key: s for s in all_sections() if s.rows}


def plan_fields() -> Iterator[PlanField]:
    """Every field of the plan itself, in the order of the sections."""
    for entry in field_sections():
        yield from entry.fields


def plan_field(name: str) -> PlanField:
    for spec in plan_fields():
        if spec.name == name:
            return spec
    raise KeyError(name)


def text_field_names() -> list[str]:
    """The fields written as free text (several lines)."""
    return [f.name for f in plan_fields() if f.kind is TEXT]


def required_fields() -> list[tuple[Section, PlanField]]:
    return [(s, f) for s in field_sections() for f in s.fields if f.required]


def many_names() -> list[str]:
    """The plan's relations to many, for prefetching wherever plans are listed."""
    return [f.name for f in plan_fields() if f.kind.many]


def reference_names() -> list[str]:
    """The plan's relations to one, for select_related."""
    return [f.name for f in plan_fields() if f.kind is REFERENCE]


def relation_names() -> list[str]:
    """Every relation of the plan's sections, for prefetching where a plan is shown."""
    return [*many_names(), *reference_names()]


# --- Freezing a version ----------------------------------------------------------------------


def freeze_fields(plan) -> dict:
    """The fields of every section of the plan as a version would freeze them (no rows)."""
    return {spec.name: spec.freeze(plan) for spec in plan_fields()}


def thaw_section(key: str, frozen) -> Any:
    """A section frozen as a version freezes it (a dict of fields, or a list of rows)
    back as the cleaned values `plans.services.editing.save_plan_sections` writes."""
    entry = section(key)
    if entry.rows:
        return [
            {spec.name: spec.thaw(row.get(spec.name)) for spec in entry.row_fields}
            for row in frozen
        ]
    return {spec.name: spec.thaw(frozen.get(spec.name)) for spec in entry.fields}


def freeze_content(plan, *, related: dict | None = None) -> dict:
    """The content of the plan as plain JSON, as a PlanVersion stores it: every field of
    every section and the rows of the row sections.

    `related` may give the objects of a relation (or the rows of a row section, as
    objects or dicts) instead of reading them from the plan: the scale seed freezes
    thousands of plans without a query per plan.
    """
    related = related or {}
    content: dict[str, Any] = {}
    for entry in all_sections():
        for spec in entry.fields:
            if spec.name in related:
                content[spec.name] = spec.kind.to_json(related[spec.name], spec)
            else:
                content[spec.name] = spec.freeze(plan)
        if entry.rows:
            rows = related.get(entry.rows)
            if rows is None:
                rows = getattr(plan, entry.rows).all()
            content[entry.rows] = [
                {
                    "order": item_value(row, "order"),
                    **{f.name: f.freeze(row) for f in entry.row_fields},
                }
                for row in rows
            ]
    return content


# --- Showing a version (or the live plan, frozen) ----------------------------------------------


@dataclass(frozen=True)
class ShownField:
    spec: PlanField
    value: Any

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def text(self) -> str:
        return self.spec.text(self.value)

    @property
    def items(self) -> list[str]:
        return self.spec.items(self.value)

    @property
    def short(self) -> bool:
        return self.spec.kind.short

    @property
    def many(self) -> bool:
        return self.spec.kind.many


@dataclass(frozen=True)
class ShownSection:
    section: Section
    number: int
    fields: list[ShownField] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.section.key

    @property
    def label(self) -> str:
        return str(self.section.label)

    @property
    def blocks(self) -> list[tuple[str, list[ShownField]]]:
        """The fields grouped for print: runs of short values as one table ("table"),
        each free text on its own ("text")."""
        blocks: list[tuple[str, list[ShownField]]] = []
        for shown in self.fields:
            kind = "table" if shown.short else "text"
            if kind == "table" and blocks and blocks[-1][0] == "table":
                blocks[-1][1].append(shown)
            else:
                blocks.append((kind, [shown]))
        return blocks


def show(snapshot: dict, *, skip: tuple[str, ...] = ()) -> list[ShownSection]:
    """Every section with its fields' frozen values, numbered, for a page or a document.
    A field missing from an older snapshot shows as empty. `skip` leaves fields out
    (the title, which a page shows as its heading)."""
    return [
        ShownSection(
            section=entry,
            number=number,
            fields=[
                ShownField(spec, snapshot.get(spec.name))
                for spec in entry.fields
                if spec.name not in skip
            ],
        )
        for number, entry in enumerate(all_sections(), start=1)
    ]
