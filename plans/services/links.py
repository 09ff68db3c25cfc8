"""The Biro Organisasi's links between plans of different agencies: a shared innovation
(kolaborasi) or a replication of another plan (replikasi)."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from agents.models import User
from agents.services import record_activity

from ..enums import LinkKind
from ..models import ActionPlan, PlanLink
from .common import PlanError, _require


def link_plans(
    plan: ActionPlan, other: ActionPlan, *, kind: str, by: User, note: str = ""
) -> PlanLink:
    """Link two plans: `kind` collaboration (stored once per pair, in either order) or
    replication (`plan` replicates `other`). A plan is never linked to itself nor twice
    to the same plan; both plans get an audit entry."""
    _require(by, "plans.link_plans", plan, _("Hanya koordinator yang dapat menautkan rencana."))
    if kind not in LinkKind.values:
        raise PlanError(_("Jenis tautan tidak dikenal."), field="kind", code="invalid")
    if plan.pk == other.pk:
        raise PlanError(_("Rencana tidak dapat ditautkan ke dirinya sendiri."), code="invalid")
    first, second = plan, other
    if kind == LinkKind.COLLABORATION and other.pk < plan.pk:
        first, second = other, plan
    existing = PlanLink.objects.filter(plan__in=[plan, other], other__in=[plan, other])
    if existing.exists():
        raise PlanError(_("Kedua rencana ini sudah ditautkan."), code="duplicate")
    try:
        with transaction.atomic():
            link = PlanLink.objects.create(
                plan=first, other=second, kind=kind, note=note[:255], created_by=by
            )
            for one, two in ((first, second), (second, first)):
                record_activity(actor=by, action=f"plan.link_{kind}", obj=one, note=str(two.pk))
    except IntegrityError as error:
        raise PlanError(_("Kedua rencana ini sudah ditautkan."), code="duplicate") from error
    return link


def unlink_plans(link: PlanLink, *, by: User) -> None:
    """Remove a link, audited on both plans."""
    _require(
        by, "plans.link_plans", link.plan, _("Hanya koordinator yang dapat menautkan rencana.")
    )
    with transaction.atomic():
        for one, two in ((link.plan, link.other), (link.other, link.plan)):
            record_activity(actor=by, action="plan.unlink", obj=one, note=str(two.pk))
        link.delete()
