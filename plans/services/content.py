"""A plan's content: creating a plan, and the full content frozen in a version."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from agents.models import Agent, User
from agents.services import record_activity

from .. import sections
from ..enums import CyclePhase
from ..models import ActionPlan, Cycle
from .common import PlanError


def create_plan(
    *,
    cycle: Cycle,
    owner: Agent,
    title: str,
    by: User,
    agency: Agency | None = None,
    now: dt.datetime | None = None,
) -> ActionPlan:
    if not by.has_perm("plans.add_actionplan"):
        raise PlanError(_("Hanya agen perubahan yang dapat menyusun rencana tindak."))
    if owner.user_id != by.pk and not by.has_perm("plans.change_cycle", cycle):
        raise PlanError(_("Anda hanya dapat menyusun rencana tindak atas nama Anda sendiri."))
    if not title.strip():
        raise PlanError(_("Judul rencana tindak wajib diisi."), field="title")
    if cycle.phase_at(now) not in (CyclePhase.UPCOMING, CyclePhase.DRAFTING):
        raise PlanError(_("Masa penyusunan siklus ini sudah berakhir."), code="phase")
    if ActionPlan.objects.filter(cycle=cycle, owner=owner).exists():
        raise PlanError(_("Anda sudah memiliki rencana tindak pada siklus ini."), code="duplicate")
    with transaction.atomic():
        plan = ActionPlan.objects.create(
            cycle=cycle, owner=owner, agency=agency or owner.agency, title=title.strip()
        )
        record_activity(actor=by, action="plan.create", obj=plan, to_state=plan.state, at=now)
    return plan


def snapshot_plan(plan: ActionPlan) -> dict:
    """The full content of the plan as plain JSON: what a PlanVersion freezes. The
    sections' fields and rows are frozen as the registry of the plan's shape says."""
    return {
        "schema": 1,
        "lock_version": plan.lock_version,
        "cycle": {"id": plan.cycle_id, "name": plan.cycle.name},
        "agency": {"id": plan.agency_id, "name": plan.agency.name},
        "owner": {"id": plan.owner_id, "name": plan.owner.user.name, "nip": plan.owner.nip},
        "co_agents": [
            {"id": a.pk, "name": a.user.name} for a in plan.co_agents.select_related("user")
        ],
        **sections.freeze_content(plan),
        "attachments": [{"name": f.original_name, "size": f.size} for f in plan.attachments.all()],
    }
