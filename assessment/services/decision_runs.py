"""Bulk decisions in the background: the same outcome for the plans the coordinator chose
on the decision board, for five plans or five thousand alike.

The request checks the choice and writes a queued DecisionRun (the row the decision board
polls); its task (`assessment.tasks.run_bulk_decision`) is published when the request
commits. The worker decides the plans in batches of DECISION_BATCH, each in its own
transaction: it locks the batch's plans, leaves out those no longer awaiting a decision,
writes their decisions in one INSERT, moves them along one edge with `transition_many`
(one UPDATE, one INSERT of audit entries, one `plan_state_changed`) and notifies their
teams in one INSERT.
"""

import datetime as dt
import logging
from collections.abc import Sequence

from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agents.models import User
from agents.notifications import send_many
from agents.services import record_activity
from plans.enums import PlanState
from plans.models import ActionPlan, Cycle, PlanVersion
from plans.services.common import PlanError
from plans.services.workflow import transition_many

from ..enums import DecisionOutcome, RunStatus
from ..models import Decision, DecisionRun
from ..selectors import consolidated_feedbacks
from . import background
from .decision import OUTCOME_TO_STATE, decision_messages

logger = logging.getLogger(__name__)

RUN_TASK = "assessment.tasks.run_bulk_decision"
# Plans decided per transaction (each batch costs the same few queries).
DECISION_BATCH = 500

REFUSED_MESSAGE = _("Hanya koordinator yang dapat memutuskan.")
TRANSIENT_MESSAGE = _(
    "Basis data tidak dapat dihubungi, keputusan massal dihentikan. Keputusan yang sudah "
    "diambil tetap berlaku; ulangi untuk rencana yang masih menunggu keputusan."
)
TIMEOUT_MESSAGE = _(
    "Keputusan massal melewati batas waktu. Keputusan yang sudah diambil tetap berlaku; "
    "ulangi untuk rencana yang masih menunggu keputusan."
)
FAILED_MESSAGE = _(
    "Keputusan massal gagal karena kesalahan sistem (nomor %(id)s). Keputusan yang sudah "
    "diambil tetap berlaku; coba lagi atau hubungi admin."
)


def _refuse_unless_coordinator(by: User) -> None:
    if not by.has_perm("assessment.decide"):
        raise PlanError(REFUSED_MESSAGE, code="permission_denied")


def _first_title(plan_ids) -> str:
    return (
        ActionPlan.objects.filter(pk__in=plan_ids)
        .order_by("pk")
        .values_list("title", flat=True)
        .first()
        or ""
    )


def request_bulk_decision(
    cycle: Cycle,
    *,
    plans: Sequence[ActionPlan],
    outcome: str,
    by: User,
    feedback: str = "",
    now: dt.datetime | None = None,
) -> DecisionRun:
    """Queue the same decision on the chosen reviewed plans of the cycle.

    Each plan's feedback is `feedback` when given, else its consolidated feedback from
    the reviews (what the single-plan form would prefill). Refused, naming a plan, when a
    chosen plan does not await a decision, or when a revision or a rejection would leave
    a plan without feedback.
    """
    _refuse_unless_coordinator(by)
    if outcome not in OUTCOME_TO_STATE:
        raise PlanError(_("Pilih keputusan yang valid."), field="outcome")
    ids = sorted({plan.pk for plan in plans})
    if not ids:
        raise PlanError(_("Pilih sedikitnya satu rencana."), field="plans")
    now = now or timezone.now()
    with transaction.atomic():
        waiting = set(
            ActionPlan.objects.filter(
                pk__in=ids, cycle=cycle, state=PlanState.REVIEWED
            ).values_list("pk", flat=True)
        )
        if len(waiting) != len(ids):
            raise PlanError(
                _("“%(title)s”: Keputusan hanya dapat diambil setelah semua penilaian masuk.")
                % {"title": _first_title(set(ids) - waiting)},
                field="plans",
                code="invalid_transition",
            )
        if outcome != DecisionOutcome.APPROVE and not feedback.strip():
            texts = consolidated_feedbacks(ids)
            lacking = [pk for pk in ids if pk not in texts]
            if lacking:
                raise PlanError(
                    _("“%(title)s”: Masukan wajib diisi bila rencana perlu revisi atau ditolak.")
                    % {"title": _first_title(lacking)},
                    field="feedback",
                )
        run = DecisionRun.objects.create(
            cycle=cycle,
            requested_by=by,
            outcome=outcome,
            feedback=feedback.strip(),
            plan_ids=ids,
            total=len(ids),
            requested_at=now,
        )
        record_activity(
            actor=by,
            action="decision.run_queued",
            obj=cycle,
            data={"run_id": run.pk, "plans": len(ids), "outcome": outcome},
            at=now,
        )
        transaction.on_commit(lambda: publish_run(run.pk))
    return run


def publish_run(run_id: int) -> bool:
    return background.publish_run(DecisionRun, RUN_TASK, run_id)


def republish_queued_runs(*, now: dt.datetime | None = None) -> list[int]:
    """The sweep of decision runs (`background.republish_lost_runs`)."""
    return background.republish_lost_runs(DecisionRun, RUN_TASK, now=now)


def fail_run(run_id: int, message) -> None:
    background.fail_run(DecisionRun, run_id, message)


def requeue_run(run_id: int) -> None:
    background.requeue_run(DecisionRun, run_id)


def _decide_batch(run: DecisionRun, ids: Sequence[int]) -> int:
    """Decide the plans of one batch that still await a decision; returns how many.
    Must run inside `transaction.atomic()`."""
    plans = list(
        ActionPlan.objects.filter(pk__in=ids, cycle_id=run.cycle_id, state=PlanState.REVIEWED)
        .select_related("owner__user")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    texts = {} if run.feedback else consolidated_feedbacks([p.pk for p in plans])
    if run.outcome != DecisionOutcome.APPROVE and not run.feedback:
        plans = [p for p in plans if p.pk in texts]
    if not plans:
        return 0
    ids = [p.pk for p in plans]
    # Each plan's latest version: the last of its versions in number order (its id and
    # number by plan id; in SQL, the plan's highest version number).
    rows = (
        PlanVersion.objects.filter(plan_id__in=ids)
        .order_by("plan_id", "number")
        .values_list("plan_id", "pk", "number")
    )
    versions = {plan_id: (pk, number) for plan_id, pk, number in rows}
    latest_number = (
        PlanVersion.objects.filter(plan=OuterRef("pk")).order_by("-number").values("number")[:1]
    )
    by, stamp = run.requested_by, run.started_at
    decisions = Decision.objects.bulk_create(
        Decision(
            plan=plan,
            version_id=versions[plan.pk][0],
            outcome=run.outcome,
            feedback=run.feedback or texts.get(plan.pk, ""),
            score=plan.score,
            decided_by=by,
            decided_at=stamp,
        )
        for plan in plans
    )
    for plan in plans:  # what the UPDATE below writes, held by the plans in memory
        plan.decided_version_number = versions[plan.pk][1]
    transition_many(
        plans,
        source=PlanState.REVIEWED,
        to=OUTCOME_TO_STATE[run.outcome],
        by=by,
        action="plan.decide",
        note=run.outcome,
        # The decided version's number differs from plan to plan: the one UPDATE reads
        # each plan's own (the plans in memory have it from the versions read above).
        extra_fields={"decided_at": stamp, "decided_version_number": Subquery(latest_number)},
        at=stamp,
    )
    team: dict[int, list[User]] = {p.pk: [p.owner.user] for p in plans}
    for link in ActionPlan.co_agents.through.objects.filter(actionplan_id__in=ids).select_related(
        "agent__user"
    ):
        team[link.actionplan_id].append(link.agent.user)
    send_many(
        [
            message
            for plan, decision in zip(plans, decisions, strict=True)
            for message in decision_messages(plan, decision, team[plan.pk], cycle=run.cycle)
        ]
    )
    return len(plans)


def perform_decision_run(run_id: int) -> DecisionRun | None:
    """The task's work: decide the run's plans batch by batch, counting progress.

    Idempotent: a run that is done or failed is left alone; a run taken again (a retry, a
    message delivered twice) goes on where the last attempt stopped: the plans it already
    decided no longer await a decision and are left out, and its decisions carry the same
    moment (its first `started_at`), by which the run counts them at the end.
    """
    run, go_on = background.take_run(DecisionRun, RUN_TASK, run_id)
    if not go_on:
        return run
    _refuse_unless_coordinator(run.requested_by)
    ids = list(run.plan_ids)
    for start in range(0, len(ids), DECISION_BATCH):
        batch = ids[start : start + DECISION_BATCH]
        with transaction.atomic():
            _decide_batch(run, batch)
            DecisionRun.objects.filter(pk=run.pk).update(
                done=Least(F("done") + len(batch), F("total"))
            )
    decided = Decision.objects.filter(
        plan_id__in=ids, decided_by=run.requested_by, decided_at=run.started_at
    ).count()
    DecisionRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE,
        done=F("total"),
        decided=decided,
        skipped=len(ids) - decided,
        error="",
        finished_at=timezone.now(),
    )
    run.refresh_from_db()
    logger.info("decision run %s done: %s decided, %s skipped", run.pk, run.decided, run.skipped)
    return run
