"""What the assessment's background runs (AssignmentRun, DecisionRun) share: publishing
a run's task after the commit, the sweep of runs that never reached a worker or were left
by one, taking a run in the worker without two workers running it at once, and ending it.

Each function takes the run's model and the dotted name of its task; the run modules
(`runs`, `decision_runs`) bind them.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from agenplan.outbox import publish, task_named

from ..enums import RunStatus

logger = logging.getLogger(__name__)


def publish_run(model, task: str, run_id: int) -> bool:
    """Publish the run's task and remember when the broker took it; False when the broker
    is down: the run stays queued for the sweep, and the request goes on."""
    if not publish(task, run_id=run_id):
        return False
    model.objects.filter(pk=run_id).update(published_at=timezone.now())
    return True


def stuck_after(task: str) -> dt.timedelta:
    """How long after a worker took a run it may still be "running": the task's hard time
    limit and a minute. Later, whichever worker held it is gone (killed, its host lost)."""
    return dt.timedelta(seconds=task_named(task).time_limit + 60)


def republish_lost_runs(model, task: str, *, now: dt.datetime | None = None) -> list[int]:
    """The sweep: runs queued but never published, or published AGENPLAN_OUTBOX_REPUBLISH_
    AFTER_SECONDS ago without a worker taking them, and runs still "running" `stuck_after()`
    after a worker took them, whatever worker that was; returns the ids published. The task
    is idempotent: a run taken again goes on where it stopped."""
    now = now or timezone.now()
    again = now - dt.timedelta(seconds=settings.AGENPLAN_OUTBOX_REPUBLISH_AFTER_SECONDS)
    stuck = now - stuck_after(task)
    lost = model.objects.filter(
        Q(status=RunStatus.QUEUED)
        & (
            Q(published_at__isnull=True, requested_at__lt=now - dt.timedelta(seconds=5))
            | Q(published_at__lt=again)
        )
        | Q(status=RunStatus.RUNNING)
        & (Q(taken_at__lt=stuck) | Q(taken_at__isnull=True, started_at__lt=stuck))
    )
    published = [
        run_id
        for run_id in lost.order_by("pk").values_list("pk", flat=True)
        if publish_run(model, task, run_id)
    ]
    if published:
        logger.warning("outbox: %s published again: %s", model._meta.label, published)
    return published


def take_run(model, task: str, run_id: int):
    """In the worker: lock the run and mark it running, the first time stamping
    `started_at`. Returns (run, True) to go on; (run or None, False) when there is
    nothing to do: the run is gone, done or failed, or another worker holds it (a second
    delivery of the same message)."""
    with transaction.atomic():
        run = (
            model.objects.select_for_update(of=("self",))
            .select_related("cycle", "requested_by")
            .filter(pk=run_id)
            .first()
        )
        if run is None:
            logger.info("%s %s is gone; nothing to do", model._meta.label, run_id)
            return None, False
        if run.status not in RunStatus.ACTIVE:
            logger.info("%s %s is already %s", model._meta.label, run_id, run.status)
            return run, False
        now = timezone.now()
        if (
            run.status == RunStatus.RUNNING
            and run.taken_at
            and run.taken_at > now - stuck_after(task)
        ):
            logger.info("%s %s is being run by another worker", model._meta.label, run_id)
            return run, False
        run.status = RunStatus.RUNNING
        run.started_at = run.started_at or now
        run.taken_at = now
        run.save(update_fields=["status", "started_at", "taken_at"])
    return run, True


def fail_run(model, run_id: int, message) -> None:
    """End a queued or running run as failed, with a message for the coordinator."""
    model.objects.filter(pk=run_id, status__in=RunStatus.ACTIVE).update(
        status=RunStatus.FAILED, error=str(message), finished_at=timezone.now()
    )


def requeue_run(model, run_id: int) -> None:
    """A transient error: the run waits for the task's retry."""
    model.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(status=RunStatus.QUEUED)
