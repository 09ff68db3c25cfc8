"""The coordinator's decision on one plan; many plans at once are a background run
(`decision_runs`)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agents.models import User
from agents.notifications import Message, send_many
from plans.enums import PlanState
from plans.message_templates import message
from plans.models import ActionPlan
from plans.services.common import PlanError, _locked, _require
from plans.services.workflow import transition

from ..enums import DecisionOutcome
from ..models import Decision
from .common import url

OUTCOME_TO_STATE = {
    DecisionOutcome.APPROVE: PlanState.APPROVED,
    DecisionOutcome.REVISE: PlanState.REVISION_REQUESTED,
    DecisionOutcome.REJECT: PlanState.REJECTED,
}


def decision_messages(
    plan: ActionPlan, decision: Decision, members, *, cycle=None
) -> list[Message]:
    """What the plan's team (its owner and co-agents, `members`) hears of a decision, in
    the wording of the plan's cycle (`cycle`, when the caller has it)."""
    return [
        message(
            "decision",
            member,
            cycle=cycle or plan.cycle,
            url=url("assessment:feedback", plan.pk),
            dedupe_key=f"decision:{decision.pk}",
            judul_rencana=plan.title,
            keputusan=DecisionOutcome(decision.outcome).label,
        )
        for member in members
    ]


def decide_plan(
    plan: ActionPlan,
    *,
    outcome: str,
    feedback: str,
    by: User,
    now: dt.datetime | None = None,
) -> Decision:
    """Approve, request a revision or reject a reviewed plan, with consolidated feedback."""
    now = now or timezone.now()
    _require(by, "plans.decide_actionplan", plan, _("Hanya koordinator yang dapat memutuskan."))
    if outcome not in OUTCOME_TO_STATE:
        raise PlanError(_("Pilih keputusan yang valid."), field="outcome")
    if outcome != DecisionOutcome.APPROVE and not feedback.strip():
        raise PlanError(
            _("Masukan wajib diisi bila rencana perlu revisi atau ditolak."), field="feedback"
        )
    with transaction.atomic():
        locked = _locked(plan)
        if locked.state != PlanState.REVIEWED:
            raise PlanError(
                _("Keputusan hanya dapat diambil setelah semua penilaian masuk."),
                code="invalid_transition",
            )
        version = locked.versions.order_by("-number").first()
        decision = Decision.objects.create(
            plan=locked,
            version=version,
            outcome=outcome,
            feedback=feedback.strip(),
            score=locked.score,
            decided_by=by,
            decided_at=now,
        )
        transition(
            locked,
            to=OUTCOME_TO_STATE[outcome],
            by=by,
            action="plan.decide",
            note=outcome,
            extra_fields={"decided_at": now, "decided_version_number": version.number},
            at=now,
        )
        members = [locked.owner.user, *(a.user for a in locked.co_agents.select_related("user"))]
        send_many(decision_messages(locked, decision, members))
    plan.refresh_from_db()
    return decision
