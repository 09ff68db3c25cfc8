"""The coordinator's decisions: one plan, or many at once after a confirmation."""

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agents.models import User
from agents.notifications import send
from plans.enums import PlanState
from plans.models import ActionPlan
from plans.services.common import PlanError, _locked, _require
from plans.services.workflow import transition

from ..enums import DecisionOutcome
from ..models import Decision
from ..selectors import consolidated_feedback
from .common import url

OUTCOME_TO_STATE = {
    DecisionOutcome.APPROVE: PlanState.APPROVED,
    DecisionOutcome.REVISE: PlanState.REVISION_REQUESTED,
    DecisionOutcome.REJECT: PlanState.REJECTED,
}


def _notify_members(plan: ActionPlan, decision: Decision) -> None:
    members = [plan.owner.user, *(a.user for a in plan.co_agents.select_related("user"))]
    for member in members:
        send(
            member,
            kind="decision",
            title=_("Keputusan atas rencana “%(title)s”: %(outcome)s")
            % {"title": plan.title, "outcome": decision.get_outcome_display()},
            body=_("Buka AgenPlan untuk membaca nilai dan masukan penilaian."),
            url=url("assessment:feedback", plan.pk),
            dedupe_key=f"decision:{decision.pk}",
        )


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
            extra_fields={"decided_at": now},
            at=now,
        )
        _notify_members(locked, decision)
    plan.refresh_from_db()
    return decision


def decide_plans(
    plans: Sequence[ActionPlan],
    *,
    outcome: str,
    by: User,
    feedback: str = "",
    now: dt.datetime | None = None,
) -> list[Decision]:
    """Take the same decision on several reviewed plans, all or none.

    Each plan's feedback is `feedback` when given, else its consolidated feedback from
    the reviews (what the single-plan form would prefill).
    """
    if not plans:
        raise PlanError(_("Pilih sedikitnya satu rencana."), field="plans")
    now = now or timezone.now()
    decisions = []
    with transaction.atomic():
        for plan in plans:
            text = feedback.strip() or consolidated_feedback(plan)
            try:
                decisions.append(decide_plan(plan, outcome=outcome, feedback=text, by=by, now=now))
            except PlanError as error:
                raise PlanError(
                    _("“%(title)s”: %(error)s") % {"title": plan.title, "error": error.message},
                    field=error.field if error.field == "outcome" else "plans",
                    code=error.code,
                ) from error
    return decisions
