"""Saving the content of a draft, section by section, with optimistic locking.

Every save carries the `lock_version` it was based on and, per section, the fingerprint
of the stored values the page showed (`section_fingerprint`). A section whose stored
values are still the ones the page was based on is saved even when other sections moved
on meanwhile (two people, or two tabs, editing different sections); a section somebody
else changed is left as stored when the user did not touch it, and refused with
`PlanConflict` only when both changed it (docs/domain.md, "The workflow"). A save without
fingerprints falls back to the plan's version. The plan row is written with one
conditional UPDATE (`WHERE lock_version = <the version compared against>`) that also
increments the version, so a save racing another is refused, never silently lost. A save
that changes nothing writes nothing and keeps the version.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agents.models import ActivityLog, User
from agents.services import record_activity

from .. import sections
from ..enums import PlanState
from ..models import ActionPlan, Activity, Target
from .common import PlanError

# The row sections' models, by the related name the registry gives them.
ROW_MODELS = {"activities": Activity, "targets": Target}


def row_fields(section: str) -> list[str]:
    """The columns of a row of a row section (activities, targets)."""
    return sections.section(section).row_names()


def _is_rows(section: str) -> bool:
    return section in sections.row_sections()


class PlanConflict(PlanError):
    """The save was based on an older version than the one stored."""

    def __init__(self, *, current_version: int, sections: list[str]):
        super().__init__(
            _("Rencana ini sudah diubah orang lain sejak Anda membukanya."), code="conflict"
        )
        self.current_version = current_version
        self.sections = sections


@dataclass
class SaveResult:
    version: int
    changed: bool
    sections: list[str] = field(default_factory=list)
    # The ids of rows, keyed by the form prefix they came from ("activities-3" → 57).
    row_ids: dict[str, int] = field(default_factory=dict)
    saved_at: dt.datetime | None = None


def _normal(value):
    if isinstance(value, Decimal):
        return value.normalize()
    if hasattr(value, "pk"):
        return value.pk
    return value


def _row_key(section: str, row) -> tuple:
    names = row_fields(section)
    if isinstance(row, dict):
        return tuple(_normal(row.get(name)) for name in names)
    return tuple(_normal(getattr(row, name)) for name in names)


def _current_rows(plan: ActionPlan, section: str) -> list:
    cache = getattr(plan, "_prefetched_objects_cache", {})
    related = sections.section(section).rows
    if related in cache:
        return list(cache[related])
    return list(getattr(plan, related).all())


def _stored_key(plan: ActionPlan, section: str):
    entry = sections.section(section)
    if entry.rows:
        return [_row_key(section, row) for row in _current_rows(plan, section)]
    return (
        [_normal(getattr(plan, name)) for name in entry.column_names()],
        [sorted(obj.pk for obj in getattr(plan, name).all()) for name in entry.many_names()],
    )


def _posted_key(section: str, values):
    entry = sections.section(section)
    if entry.rows:
        return [_row_key(section, row) for row in values]
    columns = []
    for spec in entry.fields:
        if not spec.kind.many:
            value = spec.kind.stored(values.get(spec.name))
            columns.append(_normal(value.strip() if spec.name == "title" else value))
    many = [sorted(_normal(obj) for obj in values.get(name) or []) for name in entry.many_names()]
    return (columns, many)


def _digest(key) -> str:
    return hashlib.sha256(repr(key).encode()).hexdigest()[:32]


def section_fingerprint(plan: ActionPlan, section: str) -> str:
    """A digest of the section's stored values (rows by content and order, not by id):
    the page carries it, so that a save knows what the user's text was based on."""
    return _digest(_stored_key(plan, section))


def _rebase(plan: ActionPlan, data: dict, bases: dict, based_on: int) -> dict:
    """The sections of `data` to write on top of the plan as stored now. Raises
    PlanConflict naming the sections both the user and somebody else changed."""
    kept, overlap = {}, []
    for section, values in data.items():
        base = bases.get(section)
        if base is None:
            # No fingerprint: only the plan's version tells what the page was based on.
            if based_on == plan.lock_version:
                kept[section] = values
            else:
                overlap.append(section)
            continue
        stored = section_fingerprint(plan, section)
        if stored == base:
            kept[section] = values
            continue
        posted = _digest(_posted_key(section, values))
        if posted in (base, stored):
            # Untouched here (the other change stands), or the very same change.
            continue
        overlap.append(section)
    if overlap:
        raise PlanConflict(current_version=plan.lock_version, sections=overlap)
    return kept


def _frozen_section(plan: ActionPlan, section: str):
    """The section's stored values as a version freezes them."""
    entry = sections.section(section)
    if entry.rows:
        rows = _current_rows(plan, section)
        return [{spec.name: spec.freeze(row) for spec in entry.row_fields} for row in rows]
    return {spec.name: spec.freeze(plan) for spec in entry.fields}


def _changes(plan: ActionPlan, data: dict) -> list[str]:
    """The sections of `data` whose values differ from the plan as stored."""
    changed = []
    for section, values in data.items():
        entry = sections.section(section)
        if entry.rows:
            old = [(r.pk, _row_key(section, r)) for r in _current_rows(plan, section)]
            new = [(r.get("id"), _row_key(section, r)) for r in values]
            if old != new:
                changed.append(section)
            continue
        differs = any(
            _normal(getattr(plan, name)) != _normal(values.get(name))
            for name in entry.column_names()
        )
        for name in entry.many_names():
            stored = {obj.pk for obj in getattr(plan, name).all()}
            differs = differs or stored != {obj.pk for obj in values.get(name) or []}
        if differs:
            changed.append(section)
    return changed


def _row_value(model, name: str, values: dict):
    """The posted value of a row's field; a field with a default (a target's direction)
    that a page did not post, or posted empty, takes its default rather than nothing."""
    value = values.get(name)
    if value in (None, ""):
        field = model._meta.get_field(name)
        if field.has_default():
            return field.get_default()
    return value


def _save_rows(plan: ActionPlan, section: str, rows: list[dict]) -> dict[str, int]:
    model = ROW_MODELS[sections.section(section).rows]
    names = row_fields(section)
    existing = {row.pk: row for row in model.objects.filter(plan=plan)}
    keep, to_update, to_create, prefixes = set(), [], [], []
    ids: dict[str, int] = {}
    for order, values in enumerate(rows):
        row = existing.get(values.get("id"))
        if row is not None and row.pk not in keep:
            keep.add(row.pk)
            for name in names:
                setattr(row, name, _row_value(model, name, values))
            row.order = order
            to_update.append(row)
            ids[values.get("prefix", "")] = row.pk
        else:
            to_create.append(
                model(
                    plan=plan,
                    order=order,
                    **{name: _row_value(model, name, values) for name in names},
                )
            )
            prefixes.append(values.get("prefix", ""))
    stale = set(existing) - keep
    if stale:
        model.objects.filter(pk__in=stale).delete()
    if to_update:
        model.objects.bulk_update(to_update, [*names, "order"])
    if to_create:
        created = model.objects.bulk_create(to_create)
        ids.update({prefix: row.pk for prefix, row in zip(prefixes, created, strict=True)})
    return ids


def save_plan_sections(
    plan: ActionPlan,
    *,
    data: dict,
    based_on: int,
    by: User,
    bases: dict[str, str] | None = None,
    keep_overwritten: bool = False,
    restored_from: int | None = None,
    now: dt.datetime | None = None,
) -> SaveResult:
    """Save the given sections of a draft, based on version `based_on`.

    `data` maps a section (PlanSection value) to its cleaned values: a dict of fields
    for the text sections, a list of row dicts (with "id" for existing rows and
    "prefix" naming the form they came from) for activities and targets, in order.
    `bases` maps a section to the fingerprint of the stored values the user's input was
    based on (`section_fingerprint`). Raises PlanConflict when another save changed a
    section the user changed too (without `bases`: when the plan has moved on since
    `based_on`), PlanError when the user may not edit it or it is no longer a draft.
    With `keep_overwritten` (a conflict resolved over another person's text) the stored
    values the save replaces are kept, as a version freezes them, in its audit entry.
    `restored_from` names the audit entry whose kept values the save puts back.
    """
    now = now or timezone.now()
    if not by.has_perm("plans.change_actionplan", plan):
        raise PlanError(_("Anda tidak berhak mengubah rencana ini."), code="permission_denied")
    unknown = set(data) - set(sections.editable_keys())
    if unknown:
        raise PlanError(_("Bagian rencana tidak dikenal."), code="invalid")
    if plan.state not in PlanState.EDITABLE:
        raise PlanError(
            _("Rencana berstatus %(state)s tidak dapat diubah.")
            % {"state": plan.get_state_display()},
            code="invalid_transition",
        )
    data = _rebase(plan, data, bases or {}, based_on)
    base_version = plan.lock_version
    scalar = {}
    for section, values in data.items():
        for spec in sections.section(section).fields:
            if spec.kind.many:
                continue
            value = spec.kind.stored(values.get(spec.name))
            if spec.name == "title":
                value = value.strip()
                if not value:
                    raise PlanError(_("Judul rencana tindak wajib diisi."), field="title")
            scalar[spec.name] = value
    changed = _changes(plan, data)
    if not changed:
        return SaveResult(version=base_version, changed=False)
    row_ids: dict[str, int] = {}
    audit = {"sections": changed, "lock_version": base_version + 1}
    if keep_overwritten:
        audit["overwritten"] = {section: _frozen_section(plan, section) for section in changed}
    if restored_from is not None:
        audit["restored_from"] = restored_from
    with transaction.atomic():
        updated = ActionPlan.objects.filter(
            pk=plan.pk, lock_version=base_version, state__in=PlanState.EDITABLE
        ).update(lock_version=F("lock_version") + 1, updated_at=now, **scalar)
        if not updated:
            current = ActionPlan.objects.filter(pk=plan.pk).values("state", "lock_version").first()
            if current is None or current["state"] not in PlanState.EDITABLE:
                raise PlanError(
                    _("Rencana ini sudah diajukan atau tidak lagi dapat diubah."),
                    code="invalid_transition",
                )
            raise PlanConflict(current_version=current["lock_version"], sections=list(data))
        for section in changed:
            for name in sections.section(section).many_names():
                getattr(plan, name).set(data[section].get(name) or [])
            if _is_rows(section):
                row_ids.update(_save_rows(plan, section, data[section]))
        record_activity(
            actor=by,
            action="plan.edit",
            obj=plan,
            data=audit,
            at=now,
        )
    for name, value in scalar.items():
        setattr(plan, name, value)
    plan.lock_version = base_version + 1
    plan.updated_at = now
    # Forget the prefetched relations this save changed (the caller may prefetch again).
    cache = getattr(plan, "_prefetched_objects_cache", None)
    if cache:
        for section in changed:
            entry = sections.section(section)
            for name in [*entry.many_names(), *([entry.rows] if entry.rows else [])]:
                cache.pop(name, None)
    return SaveResult(
        version=plan.lock_version, changed=True, sections=changed, row_ids=row_ids, saved_at=now
    )


def restore_overwritten(plan: ActionPlan, *, entry: ActivityLog, by: User) -> SaveResult:
    """Put back the text a conflict's resolution replaced (`entry`: the save's audit
    entry, whose "overwritten" holds it). The text it replaces in turn is kept the same
    way, so restoring can itself be undone. Checks as `save_plan_sections`."""
    kept = entry.data.get("overwritten") if entry.action == "plan.edit" else None
    if not kept or entry.object_id != plan.pk:
        raise PlanError(_("Tidak ada teks yang dapat dipulihkan di sini."), code="invalid")
    known = set(sections.editable_keys())
    data = {key: sections.thaw_section(key, frozen) for key, frozen in kept.items() if key in known}
    return save_plan_sections(
        plan,
        data=data,
        based_on=plan.lock_version,
        by=by,
        keep_overwritten=True,
        restored_from=entry.pk,
    )
