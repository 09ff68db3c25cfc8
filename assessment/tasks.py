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
from django.db import IntegrityError, InterfaceError, OperationalError

from agenplan.outbox import publish
from plans.services.common import PlanError

from .services import decision_runs, import_jobs, runs
from .services.reminders import remind_reviewers
from .services.staging import remove_expired_import_files

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError)


@shared_task(bind=True, max_retries=3, soft_time_limit=60, time_limit=90)
def republish_assignment_runs(self) -> list[int]:
    """Every minute (Celery beat) and when a worker starts: publish the assignment runs
    still queued without having reached a worker, or left running by a lost one."""
    try:
        return runs.republish_queued_runs()
    except TRANSIENT_ERRORS as exc:
        raise self.retry(exc=exc, countdown=30) from exc


@shared_task(bind=True, max_retries=3, soft_time_limit=60, time_limit=90)
def republish_decision_runs(self) -> list[int]:
    """The same sweep for the bulk decisions."""
    try:
        return decision_runs.republish_queued_runs()
    except TRANSIENT_ERRORS as exc:
        raise self.retry(exc=exc, countdown=30) from exc


@shared_task(bind=True, max_retries=3, soft_time_limit=60, time_limit=90)
def republish_participant_imports(self) -> list[int]:
    """Every minute (Celery beat) and when a worker starts: publish the participants
    imports still waiting without having reached a worker."""
    try:
        return import_jobs.republish_waiting_imports()
    except TRANSIENT_ERRORS as exc:
        raise self.retry(exc=exc, countdown=30) from exc


@worker_ready.connect
def _sweep_on_worker_ready(sender=None, **kwargs) -> None:
    """A worker that starts publishes what was left undelivered while none ran."""
    publish(republish_assignment_runs)
    publish(republish_decision_runs)
    publish(republish_participant_imports)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=5,
    soft_time_limit=600,
    time_limit=660,
)
def run_participant_import(self, *, job_id: int) -> None:
    """Check a participants file (the dry run) or write a confirmed one. Safe to run
    twice: a phase that is done is left alone; writing again writes only what is not yet
    written. Transient errors (the database unreachable, a row written meanwhile by
    someone else) are retried; anything else ends the import as failed."""
    try:
        import_jobs.perform_import(job_id)
    except (*TRANSIENT_ERRORS, IntegrityError) as exc:
        if self.request.retries >= self.max_retries:
            logger.exception("participants import %s: transient errors, giving up", job_id)
            import_jobs.fail_import(job_id, import_jobs.FAILED_MESSAGE % {"id": job_id})
            return
        logger.warning("participants import %s: %r, retrying", job_id, exc)
        countdown = get_exponential_backoff_interval(
            factor=5, retries=self.request.retries, maximum=300, full_jitter=True
        )
        raise self.retry(exc=exc, countdown=countdown) from exc
    except PlanError as exc:  # the coordinator lost the role meanwhile
        logger.info("participants import %s refused: %s", job_id, exc)
        import_jobs.fail_import(job_id, str(exc))
    except Exception:
        logger.exception("participants import %s failed", job_id)
        import_jobs.fail_import(job_id, import_jobs.FAILED_MESSAGE % {"id": job_id})


@shared_task
def remind_due_reviews() -> dict[str, int]:
    """Daily (Celery beat): reviews due in two days, and overdue reviews."""
    counts = remind_reviewers()
    logger.info("review reminders: %s", counts)
    return counts


@shared_task
def clean_up_import_files() -> int:
    """Nightly (Celery beat): remove the participant uploads whose dry run was not
    confirmed within AGENPLAN_IMPORT_RETENTION_HOURS, and the rows of the imports ended
    more than AGENPLAN_IMPORT_DETAILS_RETENTION_DAYS ago (their counts stay). Returns the
    number of uploads removed."""
    removed = remove_expired_import_files()
    logger.info("import retention: %s uploads removed", len(removed))
    import_jobs.forget_expired_import_details()
    return len(removed)


# A background run: acknowledged late and rejected back to the queue when its worker
# process is lost, so that another worker takes it up where it stopped.
RUN_TASK_OPTIONS = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "max_retries": 5,
    "soft_time_limit": 1800,
    "time_limit": 1900,
}


def _run_guarded(task, run_id: int, *, perform, service, label: str) -> None:
    """Run `perform(run_id)`; turn every outcome into the run's state. Only transient
    errors (database unreachable) are retried; anything else ends the run as failed,
    with a message for the coordinator (`service` holds the messages and the ending)."""
    try:
        perform(run_id)
    except TRANSIENT_ERRORS as exc:
        if task.request.retries >= task.max_retries:
            logger.exception("%s %s: transient errors, giving up", label, run_id)
            service.fail_run(run_id, service.TRANSIENT_MESSAGE)
            return
        logger.warning("%s %s: transient error %r, retrying", label, run_id, exc)
        service.requeue_run(run_id)
        countdown = get_exponential_backoff_interval(
            factor=5, retries=task.request.retries, maximum=300, full_jitter=True
        )
        raise task.retry(exc=exc, countdown=countdown) from exc
    except SoftTimeLimitExceeded:
        logger.exception("%s %s: soft time limit", label, run_id)
        service.fail_run(run_id, service.TIMEOUT_MESSAGE)
    except PlanError as exc:  # e.g. the coordinator lost the role meanwhile
        logger.info("%s %s refused: %s", label, run_id, exc)
        service.fail_run(run_id, str(exc))
    except Exception:
        logger.exception("%s %s failed", label, run_id)
        service.fail_run(run_id, service.FAILED_MESSAGE % {"id": run_id})


@shared_task(**RUN_TASK_OPTIONS)
def run_auto_assign(self, *, run_id: int) -> None:
    """Auto-assign a big cycle (an AssignmentRun). Safe to run twice: a finished run is
    left alone, an unfinished one goes on where it stopped."""
    _run_guarded(
        self, run_id, perform=runs.perform_assignment_run, service=runs, label="assignment run"
    )


@shared_task(**RUN_TASK_OPTIONS)
def run_bulk_decision(self, *, run_id: int) -> None:
    """Decide the plans of a bulk decision (a DecisionRun). Safe to run twice: a finished
    run is left alone, an unfinished one goes on where it stopped."""
    _run_guarded(
        self,
        run_id,
        perform=decision_runs.perform_decision_run,
        service=decision_runs,
        label="decision run",
    )
