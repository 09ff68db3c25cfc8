"""Automatic assignment of a big cycle in the background: the AssignmentRun row that the
assignments page polls, and the work its Celery task does (`assessment.tasks.run_auto_assign`).

A cycle with up to AGENPLAN_AUTO_ASSIGN_SYNC_LIMIT plans waiting is assigned inside the
request, as before; above it the request only writes a queued run and enqueues the task
when the transaction commits. A cycle has at most one run queued or running (a partial
unique constraint; the request also locks the cycle's row, so two clicks never race).
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Least
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from agenplan.outbox import publish, task_named
from agents.models import User
from agents.services import record_activity
from plans.models import Cycle
from plans.services.common import PlanError

from ..enums import RunStatus
from ..models import AssignmentRun
from .automatic import AutoAssignResult, auto_assign, plans_to_assign

logger = logging.getLogger(__name__)

RUN_TASK = "assessment.tasks.run_auto_assign"

# A run queued or running for longer than this was lost (its worker and the broker's
# redelivery both gone): a new request marks it failed instead of waiting for ever.
STALE_AFTER = dt.timedelta(hours=2)

RUNNING_MESSAGE = _(
    "Penugasan otomatis siklus ini sudah berjalan di latar belakang (diminta oleh %(name)s "
    "pada %(when)s WITA). Tunggu sampai selesai; statusnya tampil di halaman ini."
)
STALE_MESSAGE = _(
    "Penugasan otomatis ini tidak selesai: pekerja latar belakang berhenti. Penugasan yang "
    "sudah dibuat tetap berlaku; jalankan lagi untuk melanjutkan."
)
TRANSIENT_MESSAGE = _(
    "Basis data tidak dapat dihubungi, penugasan otomatis dihentikan. Penugasan yang sudah "
    "dibuat tetap berlaku; jalankan lagi nanti untuk melanjutkan."
)
TIMEOUT_MESSAGE = _(
    "Penugasan otomatis melewati batas waktu. Penugasan yang sudah dibuat tetap berlaku; "
    "jalankan lagi untuk melanjutkan."
)
FAILED_MESSAGE = _(
    "Penugasan otomatis gagal karena kesalahan sistem (nomor %(id)s). Penugasan yang sudah "
    "dibuat tetap berlaku; coba lagi atau hubungi admin."
)


def request_auto_assign(
    cycle: Cycle, *, by: User, now: dt.datetime | None = None
) -> AutoAssignResult | AssignmentRun:
    """Auto-assign the cycle now (up to AGENPLAN_AUTO_ASSIGN_SYNC_LIMIT plans waiting),
    else queue a background run. Refused while a run of the cycle is queued or running."""
    if not by.has_perm("assessment.auto_assign", cycle):
        raise PlanError(_("Hanya koordinator yang dapat menugaskan."), code="permission_denied")
    now = now or timezone.now()
    limit = settings.AGENPLAN_AUTO_ASSIGN_SYNC_LIMIT
    with transaction.atomic():
        # One request per cycle at a time: the second waits here, then sees the first's run.
        list(Cycle.objects.select_for_update().filter(pk=cycle.pk).values_list("pk"))
        AssignmentRun.objects.filter(
            cycle=cycle, status__in=RunStatus.ACTIVE, requested_at__lt=now - STALE_AFTER
        ).update(status=RunStatus.FAILED, error=str(STALE_MESSAGE), finished_at=now)
        active = (
            AssignmentRun.objects.filter(cycle=cycle, status__in=RunStatus.ACTIVE)
            .select_related("requested_by")
            .first()
        )
        if active is not None:
            raise PlanError(
                RUNNING_MESSAGE
                % {
                    "name": active.requested_by,
                    "when": formats.date_format(
                        timezone.localtime(active.requested_at), "DATETIME_FORMAT"
                    ),
                },
                code="running",
            )
        waiting = plans_to_assign(cycle)
        if waiting <= limit:
            return auto_assign(cycle, by=by, now=now)
        run = AssignmentRun.objects.create(
            cycle=cycle, requested_by=by, total=waiting, requested_at=now
        )
        record_activity(
            actor=by,
            action="assignment.run_queued",
            obj=cycle,
            data={"run_id": run.pk, "plans": waiting},
            at=now,
        )
        transaction.on_commit(lambda: publish_run(run.pk))
    return run


def publish_run(run_id: int) -> bool:
    """Publish the run's task and remember when the broker took it; False when the broker
    is down: the run stays queued for the sweep, and the request goes on."""
    if not publish(RUN_TASK, run_id=run_id):
        return False
    AssignmentRun.objects.filter(pk=run_id).update(published_at=timezone.now())
    return True


def stuck_after() -> dt.timedelta:
    """How long after a worker took a run it may still be "running": the task's hard time
    limit and a minute. Later, whichever worker held it is gone (killed, its host lost)."""
    return dt.timedelta(seconds=task_named(RUN_TASK).time_limit + 60)


def republish_queued_runs(*, now: dt.datetime | None = None) -> list[int]:
    """The sweep: runs queued but never published, or published AGENPLAN_OUTBOX_REPUBLISH_
    AFTER_SECONDS ago without a worker taking them, and runs still "running" `stuck_after()`
    after a worker took them, whatever worker that was; returns the ids published. The task
    is idempotent: a run taken again goes on where it stopped."""
    now = now or timezone.now()
    again = now - dt.timedelta(seconds=settings.AGENPLAN_OUTBOX_REPUBLISH_AFTER_SECONDS)
    stuck = now - stuck_after()
    lost = AssignmentRun.objects.filter(
        Q(status=RunStatus.QUEUED)
        & (
            Q(published_at__isnull=True, requested_at__lt=now - dt.timedelta(seconds=5))
            | Q(published_at__lt=again)
        )
        | Q(status=RunStatus.RUNNING)
        & (Q(taken_at__lt=stuck) | Q(taken_at__isnull=True, started_at__lt=stuck))
    )
    published = [
        run_id for run_id in lost.order_by("pk").values_list("pk", flat=True) if publish_run(run_id)
    ]
    if published:
        logger.warning("outbox: assignment runs published again: %s", published)
    return published


def perform_assignment_run(run_id: int) -> AssignmentRun | None:
    """The task's work: auto-assign the run's cycle, counting progress in the row.

    Idempotent: a run that is done or failed is left alone; a run taken again (a retry, a
    message delivered twice) goes on where the last attempt stopped, because each batch
    commits with its own counts, and stamps its assignments with the same moment (its
    first `started_at`), so that the reviewers' notices are the same rows, sent once.
    """
    with transaction.atomic():
        run = (
            AssignmentRun.objects.select_for_update(of=("self",))
            .select_related("cycle", "requested_by")
            .filter(pk=run_id)
            .first()
        )
        if run is None:
            logger.info("assignment run %s is gone; nothing to do", run_id)
            return None
        if run.status not in RunStatus.ACTIVE:
            logger.info("assignment run %s is already %s", run_id, run.status)
            return run
        now = timezone.now()
        if run.status == RunStatus.RUNNING and run.taken_at and run.taken_at > now - stuck_after():
            # A second delivery (the sweep's and the broker's) while a worker holds it.
            logger.info("assignment run %s is being run by another worker", run_id)
            return run
        run.status = RunStatus.RUNNING
        run.started_at = run.started_at or now
        run.taken_at = now
        run.save(update_fields=["status", "started_at", "taken_at"])

    def progress(handled: int, batch: AutoAssignResult) -> None:
        AssignmentRun.objects.filter(pk=run.pk).update(
            # A retry handles again the plans still short of reviewers: never past the total.
            done=Least(F("done") + handled, F("total")),
            plans=F("plans") + batch.plans,
            created=F("created") + len(batch.created),
        )

    result = auto_assign(run.cycle, by=run.requested_by, now=run.started_at, on_batch=progress)
    AssignmentRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE,
        done=F("total"),
        short=len(result.short),
        error="",
        finished_at=timezone.now(),
    )
    run.refresh_from_db()
    logger.info(
        "assignment run %s done: %s assignments for %s plans, %s short",
        run.pk,
        run.created,
        run.plans,
        run.short,
    )
    return run


def fail_run(run_id: int, message) -> None:
    """End a queued or running run as failed, with a message for the coordinator."""
    AssignmentRun.objects.filter(pk=run_id, status__in=RunStatus.ACTIVE).update(
        status=RunStatus.FAILED, error=str(message), finished_at=timezone.now()
    )


def requeue_run(run_id: int) -> None:
    """A transient error: the run waits for the task's retry."""
    AssignmentRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
        status=RunStatus.QUEUED
    )
