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
from django.db.models import F
from django.db.models.functions import Least
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from agents.models import User
from agents.services import record_activity
from plans.models import Cycle
from plans.services.common import PlanError

from ..enums import RunStatus
from ..models import AssignmentRun
from . import background
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
    return background.publish_run(AssignmentRun, RUN_TASK, run_id)


def stuck_after() -> dt.timedelta:
    return background.stuck_after(RUN_TASK)


def republish_queued_runs(*, now: dt.datetime | None = None) -> list[int]:
    """The sweep of assignment runs (`background.republish_lost_runs`)."""
    return background.republish_lost_runs(AssignmentRun, RUN_TASK, now=now)


def perform_assignment_run(run_id: int) -> AssignmentRun | None:
    """The task's work: auto-assign the run's cycle, counting progress in the row.

    Idempotent: a run that is done or failed is left alone; a run taken again (a retry, a
    message delivered twice) goes on where the last attempt stopped, because each batch
    commits with its own counts, and stamps its assignments with the same moment (its
    first `started_at`), so that the reviewers' notices are the same rows, sent once.
    """
    run, go_on = background.take_run(AssignmentRun, RUN_TASK, run_id)
    if not go_on:
        return run

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
    background.fail_run(AssignmentRun, run_id, message)


def requeue_run(run_id: int) -> None:
    background.requeue_run(AssignmentRun, run_id)
