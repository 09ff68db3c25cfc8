"""The plan's workflow: one function per state change.

Each function checks who may do it (django-rules), checks the state and the cycle's
dates, writes inside one transaction on a locked row, and goes through `transition`,
which saves with `update_fields` and records the transition in the audit log.
"""

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agents.models import ActivityLog, User
from agents.services import activity_entry, record_activities, record_activity

from ..checklist import missing_items
from ..enums import TRANSITIONS, PlanState
from ..models import ActionPlan, PlanVersion
from ..signals import plan_state_changed
from .common import PlanError, _locked, _require
from .content import snapshot_plan


def transition(
    plan: ActionPlan,
    *,
    to: str,
    by: User | None,
    action: str,
    note: str = "",
    extra_fields: dict | None = None,
    at: dt.datetime | None = None,
) -> ActionPlan:
    """Move a locked plan along one edge of the workflow and record it.

    Callers check permissions and dates; this checks that the edge exists and writes.
    Must run inside `transaction.atomic()` with `plan` from `_locked()`.
    """
    source = plan.state
    _check_edge(source, to)
    plan.state = to
    fields = ["state", "updated_at"]
    for name, value in (extra_fields or {}).items():
        setattr(plan, name, value)
        fields.append(name)
    plan.save(update_fields=fields)
    record_activity(
        actor=by, action=action, obj=plan, from_state=source, to_state=to, note=note, at=at
    )
    plan_state_changed.send(
        sender=ActionPlan, plans=[plan], from_state=source, to_state=to, by=by, action=action
    )
    return plan


def _check_edge(source: str, to: str) -> None:
    if TRANSITIONS.get((source, to)) is None:
        raise PlanError(
            _("Rencana berstatus %(state)s tidak dapat diubah menjadi %(to)s.")
            % {"state": PlanState(source).label, "to": PlanState(to).label},
            code="invalid_transition",
        )


def transition_many(
    plans: list[ActionPlan],
    *,
    source: str,
    to: str,
    by: User | None,
    action: str,
    note: str = "",
    extra_fields: dict | None = None,
    at: dt.datetime | None = None,
    entries: list[ActivityLog] = (),
) -> list[ActionPlan]:
    """`transition` for many plans along the same edge: one UPDATE (the state, and the
    same `extra_fields` for every plan), one INSERT of their audit entries (the rows
    `transition` writes one by one; `entries`, other audit entries of the same change, go
    in the same INSERT) and one `plan_state_changed`.

    Callers check permissions; the plans must be locked by the caller, inside
    `transaction.atomic()`, and all be in `source`. Returns the plans, in their new state.
    """
    _check_edge(source, to)
    if any(plan.state != source for plan in plans):
        raise PlanError(
            _("Rencana berstatus %(state)s tidak dapat diubah menjadi %(to)s.")
            % {"state": PlanState(source).label, "to": PlanState(to).label},
            code="invalid_transition",
        )
    if plans:
        ActionPlan.objects.filter(pk__in=[p.pk for p in plans]).update(
            state=to, updated_at=timezone.now(), **(extra_fields or {})
        )
    record_activities(
        [
            *entries,
            *(
                activity_entry(
                    actor=by,
                    action=action,
                    obj=plan,
                    from_state=source,
                    to_state=to,
                    note=note,
                    at=at,
                )
                for plan in plans
            ),
        ]
    )
    for plan in plans:
        plan.state = to
        for name, value in (extra_fields or {}).items():
            # An expression (a value of each plan's own, a subquery) is the UPDATE's to
            # work out; the caller sets what it wrote on the plans it holds.
            if not hasattr(value, "resolve_expression"):
                setattr(plan, name, value)
    if plans:
        plan_state_changed.send(
            sender=ActionPlan, plans=plans, from_state=source, to_state=to, by=by, action=action
        )
    return plans


def submission_deadline_for(plan: ActionPlan) -> dt.datetime:
    """The moment after which this plan can no longer be (re)submitted."""
    cycle = plan.cycle
    deadline = (
        cycle.effective_revision_deadline
        if plan.state == PlanState.REVISION_REQUESTED
        else cycle.submission_deadline
    )
    if plan.submission_extended_until and plan.submission_extended_until > deadline:
        return plan.submission_extended_until
    return deadline


def submit_plan(plan: ActionPlan, *, by: User, now: dt.datetime | None = None) -> PlanVersion:
    """Hand the plan in: freeze a PlanVersion and move it to `submitted`."""
    now = now or timezone.now()
    _require(by, "plans.submit_actionplan", plan, _("Anda tidak berhak mengajukan rencana ini."))
    with transaction.atomic():
        locked = _locked(plan)
        if locked.state not in PlanState.EDITABLE:
            raise PlanError(
                _("Rencana berstatus %(state)s tidak dapat diajukan.")
                % {"state": locked.get_state_display()},
                code="invalid_transition",
            )
        if now < locked.cycle.drafting_opens:
            raise PlanError(_("Masa penyusunan belum dibuka."), code="phase")
        if now > submission_deadline_for(locked):
            raise PlanError(
                _("Batas pengajuan sudah lewat. Mintalah perpanjangan kepada koordinator."),
                code="deadline",
            )
        missing = missing_items(locked)
        if missing:
            raise PlanError(
                _("Rencana belum lengkap: %(items)s")
                % {"items": "; ".join(str(item.message) for item in missing)},
                code="incomplete",
            )
        if (
            locked.cycle.head_endorsement_required
            and locked.endorsed_lock_version != locked.lock_version
        ):
            raise PlanError(
                _("Rencana harus diketahui kepala perangkat daerah sebelum diajukan."),
                code="endorsement",
            )
        number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = PlanVersion.objects.create(
            plan=locked,
            number=number,
            snapshot=snapshot_plan(locked),
            created_by=by,
            created_at=now,
        )
        transition(
            locked,
            to=PlanState.SUBMITTED,
            by=by,
            action="plan.submit",
            note=f"v{number}",
            # The score belongs to the reviews of a version; a new version starts unscored.
            extra_fields={"submitted_at": now, "score": None, "review_flagged": False},
            at=now,
        )
    plan.refresh_from_db()
    return version


def withdraw_plan(
    plan: ActionPlan, *, by: User, note: str = "", now: dt.datetime | None = None
) -> ActionPlan:
    """Take a submitted plan back before review starts; it returns to where it came from."""
    now = now or timezone.now()
    _require(by, "plans.withdraw_actionplan", plan, _("Anda tidak berhak menarik rencana ini."))
    with transaction.atomic():
        locked = _locked(plan)
        if locked.state != PlanState.SUBMITTED:
            raise PlanError(
                _("Rencana hanya dapat ditarik sebelum penilaian dimulai."),
                code="invalid_transition",
            )
        back_to = _submitted_from(locked)
        transition(
            locked,
            to=back_to,
            by=by,
            action="plan.withdraw",
            note=note,
            extra_fields={"submitted_at": None},
            at=now,
        )
    plan.refresh_from_db()
    return plan


def _submitted_from(plan: ActionPlan) -> str:
    """The state the plan was submitted from (the audit entry of its latest submission):
    a withdrawn revision goes back to "revision requested", a withdrawn draft to draft,
    however many versions were handed in before."""
    source = (
        ActivityLog.objects.filter(
            content_type=ContentType.objects.get_for_model(ActionPlan),
            object_id=plan.pk,
            action="plan.submit",
        )
        .order_by("-id")
        .values_list("from_state", flat=True)
        .first()
    )
    if source in PlanState.EDITABLE:
        return source
    return PlanState.DRAFT


def endorse_plan(plan: ActionPlan, *, by: User, now: dt.datetime | None = None) -> ActionPlan:
    """The agency head acknowledges ("mengetahui") the current draft."""
    now = now or timezone.now()
    _require(
        by,
        "plans.endorse_actionplan",
        plan,
        _("Hanya kepala perangkat daerah rencana ini yang dapat mengetahuinya."),
    )
    with transaction.atomic():
        locked = _locked(plan)
        if locked.state not in PlanState.EDITABLE:
            raise PlanError(_("Hanya draf yang dapat diketahui."), code="invalid_transition")
        locked.endorsed_by = by
        locked.endorsed_at = now
        locked.endorsed_lock_version = locked.lock_version
        locked.save(update_fields=["endorsed_by", "endorsed_at", "endorsed_lock_version"])
        record_activity(
            actor=by,
            action="plan.endorse",
            obj=locked,
            data={"lock_version": locked.lock_version},
            at=now,
        )
    plan.refresh_from_db()
    return plan


def grant_extension(
    plan: ActionPlan, *, until: dt.datetime, by: User, note: str = ""
) -> ActionPlan:
    """The coordinator extends the submission deadline of one plan."""
    _require(
        by, "plans.extend_actionplan", plan, _("Hanya koordinator yang dapat memberi perpanjangan.")
    )
    if timezone.is_naive(until):
        raise PlanError(_("Waktu perpanjangan tidak valid."), field="until")
    with transaction.atomic():
        locked = _locked(plan)
        if locked.state not in PlanState.EDITABLE:
            raise PlanError(
                _("Perpanjangan hanya untuk rencana yang belum diajukan."),
                code="invalid_transition",
            )
        if until <= locked.cycle.submission_deadline:
            raise PlanError(_("Perpanjangan harus setelah batas pengajuan siklus."), field="until")
        locked.submission_extended_until = until
        locked.save(update_fields=["submission_extended_until"])
        record_activity(
            actor=by,
            action="plan.extend",
            obj=locked,
            note=note,
            data={"until": until.isoformat()},
        )
    plan.refresh_from_db()
    return plan


def start_implementation(
    plan: ActionPlan, *, by: User, now: dt.datetime | None = None
) -> ActionPlan:
    now = now or timezone.now()
    _require(by, "plans.implement_actionplan", plan, _("Anda tidak berhak memulai pelaksanaan."))
    with transaction.atomic():
        locked = _locked(plan)
        if timezone.localtime(now).date() < locked.cycle.implementation_start:
            raise PlanError(_("Masa pelaksanaan belum dimulai."), code="phase")
        transition(locked, to=PlanState.IMPLEMENTING, by=by, action="plan.implement", at=now)
    plan.refresh_from_db()
    return plan


def complete_plan(
    plan: ActionPlan, *, by: User, note: str = "", now: dt.datetime | None = None
) -> ActionPlan:
    now = now or timezone.now()
    _require(
        by, "plans.complete_actionplan", plan, _("Anda tidak berhak menyelesaikan rencana ini.")
    )
    with transaction.atomic():
        locked = _locked(plan)
        transition(locked, to=PlanState.COMPLETED, by=by, action="plan.complete", note=note, at=now)
    plan.refresh_from_db()
    return plan
