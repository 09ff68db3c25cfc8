"""The plan's implementation as a whole: entering it when the cycle's window opens, change
requests to its fixed activities and targets, the closing report and completion."""

import datetime as dt
from decimal import Decimal

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agents.models import User
from agents.services import record_activity
from plans.attachments import AttachmentRefused, check_upload, storage_name
from plans.enums import PlanState, TargetDirection
from plans.models import ActionPlan, Activity, Cycle, Target
from plans.services.common import PlanError, _locked, _require
from plans.services.workflow import complete_plan, transition_many

from ..enums import ChangeState
from ..models import ChangeRequest, ClosingReport
from .reporting import write_realisations

ENTER_BATCH = 500


def enter_due_implementations(*, now: dt.datetime | None = None) -> int:
    """Every approved plan of a cycle whose implementation window is open enters
    implementation (by the system, audited, one `plan_state_changed` per batch). Running
    it again moves nothing twice: only plans still approved are taken."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    cycles = Cycle.objects.filter(
        implementation_start__lte=today, implementation_end__gte=today
    ).values_list("pk", flat=True)
    moved = 0
    for cycle_id in cycles:
        while True:
            with transaction.atomic():
                batch = list(
                    ActionPlan.objects.select_for_update(skip_locked=True)
                    .filter(cycle_id=cycle_id, state=PlanState.APPROVED)
                    .order_by("pk")[:ENTER_BATCH]
                )
                if not batch:
                    break
                transition_many(
                    batch,
                    source=PlanState.APPROVED,
                    to=PlanState.IMPLEMENTING,
                    by=None,
                    action="plan.implement",
                    note=str(_("Masa pelaksanaan dimulai.")),
                    at=now,
                )
                moved += len(batch)
    return moved


# What a change request may change: the rows' fixed values, per kind of row.
CHANGEABLE = {
    "target": ("target_value", "due_date"),
    "activity": ("start_month", "end_month"),
}


def _text(value) -> str:
    """A stored value as the request keeps it: ISO for a date, plain for a decimal."""
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _outside_window(plan: ActionPlan, field: str, day: dt.date) -> bool:
    """A due date within the implementation window; a month from the window's first."""
    cycle = plan.cycle
    low = cycle.implementation_start
    if field != "due_date":
        low = low.replace(day=1)
    return not (low <= day <= cycle.implementation_end)


def proposed_changes(
    plan: ActionPlan, *, targets: dict | None = None, activities: dict | None = None
) -> list[dict]:
    """The new values asked for, checked against the plan's rows as they stand: per
    target id {"target_value": Decimal, "due_date": date}, per activity id
    {"start_month": date, "end_month": date}; a value left out (or None) is kept, a value
    equal to the current one is no change. A refusal names its field
    ("<kind>-<id>-<field>")."""
    rows = {
        "target": {t.pk: t for t in plan.targets.all()},
        "activity": {a.pk: a for a in plan.activities.all()},
    }
    items = []
    for kind, asked in (("target", targets or {}), ("activity", activities or {})):
        for row_id, values in asked.items():
            row = rows[kind].get(row_id)
            if row is None:
                raise PlanError(_("Baris rencana tidak dikenal."), field="changes")
            new = {f: v for f, v in values.items() if v is not None}
            _check_row(plan, kind, row, new)
            label = row.indicator if kind == "target" else row.title
            items.extend(
                {
                    "kind": kind,
                    "id": row_id,
                    "label": label,
                    "field": name,
                    "old": _text(getattr(row, name)),
                    "new": _text(new[name]),
                }
                for name in CHANGEABLE[kind]
                if name in new and new[name] != getattr(row, name)
            )
    return items


def _check_row(plan: ActionPlan, kind: str, row, new: dict) -> None:
    for name in new:
        if name not in CHANGEABLE[kind]:
            raise PlanError(_("Bagian ini tidak dapat diubah."), field="changes")
    field = f"{kind}-{row.pk}-"
    if kind == "target" and "target_value" in new and row.direction == TargetDirection.QUALITATIVE:
        raise PlanError(
            _("Target kualitatif tidak memiliki nilai untuk diubah."),
            field=field + "target_value",
        )
    for name, value in new.items():
        if isinstance(value, dt.date) and _outside_window(plan, name, value):
            raise PlanError(_("Harus di dalam masa pelaksanaan."), field=field + name)
    if kind == "activity":
        start = new.get("start_month", row.start_month)
        end = new.get("end_month", row.end_month)
        if end < start:
            raise PlanError(
                _("Bulan selesai tidak boleh sebelum bulan mulai."), field=field + "end_month"
            )


def request_change(
    plan: ActionPlan,
    *,
    what: str,
    why: str,
    by: User,
    targets: dict | None = None,
    activities: dict | None = None,
) -> ChangeRequest:
    """The team asks the coordinator to change fixed targets or activities: the new
    values (see `proposed_changes`), what in a sentence and why."""
    _require(by, "monitoring.request_change", plan, _("Anda tidak berhak meminta perubahan."))
    what, why = (what or "").strip(), (why or "").strip()
    if plan.state != PlanState.IMPLEMENTING:
        raise PlanError(_("Perubahan hanya diminta selama pelaksanaan."), code="phase")
    if not what:
        raise PlanError(_("Tuliskan perubahan yang diminta."), field="what")
    if not why:
        raise PlanError(_("Tuliskan alasannya."), field="why")
    items = proposed_changes(plan, targets=targets, activities=activities)
    if not items:
        raise PlanError(
            _("Isi paling sedikit satu nilai baru pada target atau kegiatan."), field="changes"
        )
    with transaction.atomic():
        change = ChangeRequest.objects.create(
            plan=plan, what=what, why=why, changes=items, requested_by=by
        )
        record_activity(
            actor=by,
            action="change.request",
            obj=plan,
            note=what,
            data={"change": change.pk, "changes": items},
        )
    return change


def _parse(field: str, text: str):
    if field == "target_value":
        return Decimal(text)
    return dt.date.fromisoformat(text)


def change_summary(items: list[dict]) -> str:
    """The applied values in one line, for the plan's history."""
    labels = {
        "target_value": _("nilai target"),
        "due_date": _("tenggat"),
        "start_month": _("bulan mulai"),
        "end_month": _("bulan selesai"),
    }
    return "; ".join(
        f"{item['label']} — {labels[item['field']]}: {item['old']} → {item['new']}"
        for item in items
    )


def _apply(plan: ActionPlan, items: list[dict], *, now) -> None:
    """Write the new values to the locked plan's rows; refused when a row is gone or its
    value is no longer the one the request replaces."""
    models = {"target": Target, "activity": Activity}
    changed = {"target": {}, "activity": {}}
    for kind, model in models.items():
        ids = {item["id"] for item in items if item["kind"] == kind}
        if ids:
            changed[kind] = {
                row.pk: row
                for row in model.objects.select_for_update().filter(plan=plan, pk__in=ids)
            }
    for item in items:
        row = changed[item["kind"]].get(item["id"])
        if row is None or _text(getattr(row, item["field"])) != item["old"]:
            raise PlanError(
                _(
                    "Rencana telah berubah sejak permintaan ini diajukan (%(label)s). "
                    "Tolak permintaan ini dan minta agen mengajukan yang baru."
                )
                % {"label": item["label"]},
                code="stale",
            )
        setattr(row, item["field"], _parse(item["field"], item["new"]))
    for kind, model in models.items():
        fields = sorted({i["field"] for i in items if i["kind"] == kind})
        if fields:
            model.objects.bulk_update(list(changed[kind].values()), fields)
    if changed["target"]:
        # The verified realisation is measured against the target value: measured again.
        write_realisations(plan, now=now)


def decide_change(change: ChangeRequest, *, approve: bool, by: User, note: str = ""):
    """The coordinator approves or refuses a change request (a refusal needs a reason).

    Approving writes the requested values to the plan's targets and activities, in the
    same transaction as the decision, and records them in the plan's history; a refusal
    changes nothing of the plan."""
    _require(by, "monitoring.decide_change", change.plan, _("Hanya koordinator yang memutuskan."))
    note = (note or "").strip()
    if not approve and not note:
        raise PlanError(_("Tuliskan alasan penolakan."), field="note")
    now = timezone.now()
    with transaction.atomic():
        plan = _locked(change.plan)
        locked = ChangeRequest.objects.select_for_update().get(pk=change.pk)
        if locked.state != ChangeState.PENDING:
            raise PlanError(_("Permintaan ini sudah diputuskan."), code="state")
        if approve:
            if plan.state != PlanState.IMPLEMENTING:
                raise PlanError(_("Perubahan hanya diterapkan selama pelaksanaan."), code="phase")
            _apply(plan, locked.changes, now=now)
        locked.state = ChangeState.APPROVED if approve else ChangeState.REFUSED
        locked.decided_by, locked.decided_at, locked.decision_note = by, now, note
        locked.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        summary = change_summary(locked.changes) if approve else ""
        record_activity(
            actor=by,
            action="change.approve" if approve else "change.refuse",
            obj=plan,
            from_state=ChangeState.PENDING,
            to_state=locked.state,
            note=" — ".join(part for part in (summary, note) if part),
            data={"change": locked.pk, "applied": locked.changes if approve else []},
        )
    change.refresh_from_db()
    change.plan.refresh_from_db()
    return change


CLOSING_FIELDS = ("results", "internal_impact", "external_impact")


def submit_closing_report(
    plan: ActionPlan, *, by: User, data: dict, decree=None, now=None
) -> ClosingReport:
    """The agent's closing report, written in implementation (again until completed)."""
    _require(by, "monitoring.report_progress", plan, _("Anda tidak berhak melaporkan."))
    now = now or timezone.now()
    if plan.state != PlanState.IMPLEMENTING:
        raise PlanError(_("Laporan akhir hanya selama pelaksanaan."), code="phase")
    values = {k: (data.get(k) or "").strip() for k in (*CLOSING_FIELDS, "lessons")}
    for name in CLOSING_FIELDS:
        if not values[name]:
            raise PlanError(_("Bagian ini wajib diisi."), field=name)
    values["continues"] = bool(data.get("continues"))
    values["institutionalised_by"] = (data.get("institutionalised_by") or "").strip()[:255]
    stored = ""
    if decree is not None:
        try:
            kind = check_upload(decree)
        except AttachmentRefused as exc:
            raise PlanError(exc.message, field="decree") from exc
        stored = default_storage.save(f"closing/{plan.pk}/{storage_name(kind)}", decree)
        values["decree"] = stored
    try:
        with transaction.atomic():
            closing, _created = ClosingReport.objects.update_or_create(
                plan=plan, defaults={**values, "submitted_by": by, "submitted_at": now}
            )
            record_activity(actor=by, action="closing.submit", obj=plan, at=now)
    except Exception:
        if stored:
            default_storage.delete(stored)
        raise
    return closing


def complete_with_closing(plan: ActionPlan, *, by: User, note: str = "", now=None):
    """The coordinator marks a plan completed once its closing report is in."""
    _require(by, "monitoring.complete_plan", plan, _("Hanya koordinator yang menyelesaikan."))
    with transaction.atomic():
        locked = _locked(plan)
        if not ClosingReport.objects.filter(plan=locked).exists():
            raise PlanError(_("Laporan akhir belum ditulis."), code="incomplete")
        complete_plan(locked, by=by, note=note, now=now)
    plan.refresh_from_db()
    return plan
