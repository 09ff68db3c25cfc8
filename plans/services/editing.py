"""Saving the content of a draft, section by section, with optimistic locking.

Every save carries the `lock_version` it was based on. The plan row is updated with one
conditional UPDATE (`WHERE lock_version = based_on`) that also increments the version:
if another save came first, no row matches and the save is refused with `PlanConflict`,
so nothing is silently overwritten (docs/domain.md, "The workflow"). A save that
changes nothing writes nothing and keeps the version.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agents.models import User
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
                setattr(row, name, values.get(name))
            row.order = order
            to_update.append(row)
            ids[values.get("prefix", "")] = row.pk
        else:
            to_create.append(
                model(plan=plan, order=order, **{name: values.get(name) for name in names})
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
    now: dt.datetime | None = None,
) -> SaveResult:
    """Save the given sections of a draft, based on version `based_on`.

    `data` maps a section (PlanSection value) to its cleaned values: a dict of fields
    for the text sections, a list of row dicts (with "id" for existing rows and
    "prefix" naming the form they came from) for activities and targets, in order.
    Raises PlanConflict when the plan has moved on since `based_on`, PlanError when the
    user may not edit it or it is no longer a draft.
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
        if based_on != plan.lock_version:
            raise PlanConflict(current_version=plan.lock_version, sections=list(data))
        return SaveResult(version=based_on, changed=False)
    row_ids: dict[str, int] = {}
    with transaction.atomic():
        updated = ActionPlan.objects.filter(
            pk=plan.pk, lock_version=based_on, state__in=PlanState.EDITABLE
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
            data={"sections": changed, "lock_version": based_on + 1},
            at=now,
        )
    for name, value in scalar.items():
        setattr(plan, name, value)
    plan.lock_version = based_on + 1
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
