"""Thin Celery tasks: ids in, call a service.

The tasks import their services; the services publish a task by its name
(`agenplan.outbox.publish("assessment.tasks.run_auto_assign", …)`), so no service imports
this module.
"""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_ready
from celery.utils.time import get_exponential_backoff_interval
from django.db import InterfaceError, OperationalError

from agenplan.outbox import publish
from plans.services.common import PlanError

from .services import runs
from .services.reminders import remind_reviewers
from .services.staging import remove_expired_import_files

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError)


@shared_task(bind=True, max_retries=3, soft_time_limit=60, time_limit=90)
def republish_assignment_runs(self) -> list[int]:
    """Every minute (Celery beat) and when a worker starts: publish the assignment runs
    still queued without having reached a worker."""
    try:
        return runs.republish_queued_runs()
    except TRANSIENT_ERRORS as exc:
        raise self.retry(exc=exc, countdown=30) from exc


@worker_ready.connect
def _sweep_on_worker_ready(sender=None, **kwargs) -> None:
    """A worker that starts publishes what was left undelivered while none ran."""
    publish(republish_assignment_runs)


@shared_task
def remind_due_reviews() -> dict[str, int]:
    """Daily (Celery beat): reviews due in two days, and overdue reviews."""
    counts = remind_reviewers()
    logger.info("review reminders: %s", counts)
    return counts


@shared_task
def clean_up_import_files() -> int:
    """Nightly (Celery beat): remove the participant uploads whose dry run was not
    confirmed within AGENPLAN_IMPORT_RETENTION_HOURS."""
    removed = remove_expired_import_files()
    logger.info("import retention: %s uploads removed", len(removed))
    return len(removed)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=5,
    soft_time_limit=1800,
    time_limit=1900,
)
def run_auto_assign(self, *, run_id: int) -> None:
    """Auto-assign a big cycle (an AssignmentRun). Safe to run twice: a finished run is
    left alone, an unfinished one goes on where it stopped. Only transient errors
    (database unreachable) are retried; anything else ends the run as failed, with a
    message for the coordinator."""
    try:
        runs.perform_assignment_run(run_id)
    except TRANSIENT_ERRORS as exc:
        if self.request.retries >= self.max_retries:
            logger.exception("assignment run %s: transient errors, giving up", run_id)
            runs.fail_run(run_id, runs.TRANSIENT_MESSAGE)
            return
        logger.warning("assignment run %s: transient error %r, retrying", run_id, exc)
        runs.requeue_run(run_id)
        countdown = get_exponential_backoff_interval(
            factor=5, retries=self.request.retries, maximum=300, full_jitter=True
        )
        raise self.retry(exc=exc, countdown=countdown) from exc
    except SoftTimeLimitExceeded:
        logger.exception("assignment run %s: soft time limit", run_id)
        runs.fail_run(run_id, runs.TIMEOUT_MESSAGE)
    except PlanError as exc:  # e.g. the coordinator lost the role meanwhile
        logger.info("assignment run %s refused: %s", run_id, exc)
        runs.fail_run(run_id, str(exc))
    except Exception:
        logger.exception("assignment run %s failed", run_id)
        runs.fail_run(run_id, runs.FAILED_MESSAGE % {"id": run_id})
