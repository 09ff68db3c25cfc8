"""Thin Celery tasks: ids in, look the row up, call a service (docs/architecture.md,
"The row is the outbox").

Every task here is routed to the `reports` queue (CELERY_TASK_ROUTES "reports.tasks.*").
They acknowledge late and are rejected back to the queue when their worker process is
lost, so a killed render runs again; the services make a second run harmless. Only
transient errors (database or broker unreachable) are retried, with exponential backoff;
anything else ends the job as failed with a message for the user.
"""

import datetime as dt
import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_ready
from celery.utils.time import get_exponential_backoff_interval
from django.db import OperationalError
from django.utils import timezone

from agenplan.outbox import publish
from plans.services.common import PlanError

from . import services

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (OperationalError, ConnectionError)

TASK_OPTIONS = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "max_retries": 5,
    "soft_time_limit": 600,
    "time_limit": 660,
}


def _backoff(retries: int) -> int:
    return get_exponential_backoff_interval(
        factor=5, retries=retries, maximum=300, full_jitter=True
    )


def _guarded(task, job_id: int, work) -> None:
    """Run `work()`; turn every outcome into the job's state (retry, failed with a message)."""
    try:
        work()
    except TRANSIENT_ERRORS as exc:
        if task.request.retries >= task.max_retries:
            logger.exception("report job %s: transient errors, giving up", job_id)
            services.fail_job(job_id, services.TRANSIENT_MESSAGE)
            return
        logger.warning("report job %s: transient error %r, retrying", job_id, exc)
        services.requeue_after_transient(job_id)
        raise task.retry(exc=exc, countdown=_backoff(task.request.retries)) from exc
    except SoftTimeLimitExceeded:
        logger.exception("report job %s: soft time limit", job_id)
        services.fail_job(job_id, services.TIMEOUT_MESSAGE)
    except PlanError as exc:  # a report that cannot be made: the message says why
        logger.info("report job %s refused: %s", job_id, exc)
        services.fail_job(job_id, str(exc))
    except Exception:
        logger.exception("report job %s failed", job_id)
        services.fail_job(job_id, services.FAILED_MESSAGE % {"id": job_id})


@shared_task(**TASK_OPTIONS)
def render_report(self, *, job_id: int) -> None:
    """Render a report job (a batch job sends its chunks)."""
    worker = self.request.hostname or ""
    _guarded(self, job_id, lambda: services.run_job(job_id, worker=worker))


@shared_task(**TASK_OPTIONS)
def render_packet_chunk(self, *, job_id: int, attempt: int, index: int) -> None:
    """Render one chunk of a batch's review packets."""
    worker = self.request.hostname or ""
    _guarded(
        self,
        job_id,
        lambda: services.run_chunk(job_id, attempt=attempt, index=index, worker=worker),
    )


@shared_task(**TASK_OPTIONS)
def assemble_packets(self, *, job_id: int, attempt: int) -> None:
    """Zip a batch's chunks into the job's file once every chunk is done."""
    _guarded(self, job_id, lambda: services.assemble_batch(job_id, attempt=attempt))


@shared_task(bind=True, acks_late=True, max_retries=5, soft_time_limit=60, time_limit=90)
def recover_orphaned_reports(self, *, worker: str, since: str) -> None:
    """Re-enqueue the jobs a restarted worker node left running (see the service)."""
    try:
        services.recover_orphaned_jobs(worker=worker, since=dt.datetime.fromisoformat(since))
    except TRANSIENT_ERRORS as exc:
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc


@shared_task(bind=True, acks_late=True, max_retries=3, soft_time_limit=1800, time_limit=1900)
def clean_up_report_files(self) -> int:
    """Nightly (Celery beat): remove the files of reports finished more than
    AGENPLAN_REPORT_RETENTION_DAYS ago. Safe to run twice or to stop half-way: each batch
    commits on its own and a file already gone is fine."""
    try:
        removed = services.remove_expired_report_files()
    except TRANSIENT_ERRORS as exc:
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc
    except SoftTimeLimitExceeded:
        # A first run over years of files may not finish in one night: what was committed
        # stays removed, the interrupted batch is picked up again by the next run.
        logger.warning("report retention: stopped by the time limit, continuing next run")
        return 0
    logger.info("report retention: %s files removed", len(removed))
    return len(removed)


@shared_task(bind=True, acks_late=True, max_retries=3, soft_time_limit=60, time_limit=90)
def republish_report_jobs(self) -> dict[str, list[int]]:
    """Every minute (Celery beat) and when a worker starts: publish again the jobs that were
    committed but not delivered, or left running past their time limit by any worker."""
    try:
        return services.republish_undelivered()
    except TRANSIENT_ERRORS as exc:
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc


@worker_ready.connect
def _recover_on_worker_ready(sender=None, **kwargs) -> None:
    """A node that starts has nothing running: what it had claimed before died with it
    (re-published at once); and whatever the broker lost while no worker ran is swept."""
    hostname = getattr(sender, "hostname", "")
    if hostname:
        publish(recover_orphaned_reports, worker=hostname, since=timezone.now().isoformat())
    publish(republish_report_jobs)
