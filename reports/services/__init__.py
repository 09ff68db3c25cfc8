"""Report jobs, one module per subject: `requests` (asking, retrying, downloads), `running`
(the worker's render of one job), `batch` (a cycle's packets in parallel chunks, the
recovery of jobs whose worker died), `outbox` (publishing, the sweep), `storage` (a job's
folder), `retention` (removing old files). Requested by users, rendered by Celery workers.

A request creates a ReportJob row and enqueues the task after commit, so a rolled-back
request never reaches a worker. An identical request whose inputs have not changed
reuses the finished job (the fingerprint covers what the report shows).

The worker side (`run_job`, the batch functions, `recover_orphaned_jobs`) is written to
be run more than once for the same job: a message may be delivered twice (acks_late
after a lost worker, a Redis visibility timeout, a recovery sweep), and the job still
ends with exactly one file. Every state change of a job happens on its locked row.

Files live in Django's default storage (STORAGES["default"]: a shared volume, or an
S3-compatible bucket by configuration), one folder per job: `reports/jobs/<id>/`. They
are kept AGENPLAN_REPORT_RETENTION_DAYS after the job finished, then removed by
`remove_expired_report_files` (nightly, Celery beat); the row stays, as the record that
the document was issued (its verification code keeps answering).
"""

from .batch import assemble_batch, recover_orphaned_jobs, run_chunk, start_batch
from .outbox import publish_chunks, publish_job, republish_after, republish_undelivered, stuck_after
from .requests import (
    IN_FLIGHT_REUSE,
    STALE_AFTER,
    can_retry,
    is_stale,
    is_unpublished,
    new_verification_code,
    record_report_download,
    request_cycle_report,
    request_plan_report,
    request_plans_export,
    request_portfolio,
    request_report,
    retry_job,
)
from .retention import CLEANUP_BATCH_SIZE, remove_expired_report_files, report_retention
from .running import (
    FAILED_MESSAGE,
    TIMEOUT_MESSAGE,
    TRANSIENT_MESSAGE,
    fail_job,
    requeue_after_transient,
    run_job,
)
from .storage import job_folder

__all__ = [
    "CLEANUP_BATCH_SIZE",
    "FAILED_MESSAGE",
    "IN_FLIGHT_REUSE",
    "STALE_AFTER",
    "TIMEOUT_MESSAGE",
    "TRANSIENT_MESSAGE",
    "assemble_batch",
    "can_retry",
    "fail_job",
    "is_stale",
    "is_unpublished",
    "job_folder",
    "new_verification_code",
    "publish_chunks",
    "publish_job",
    "record_report_download",
    "recover_orphaned_jobs",
    "remove_expired_report_files",
    "report_retention",
    "republish_after",
    "republish_undelivered",
    "request_cycle_report",
    "request_plan_report",
    "request_plans_export",
    "request_portfolio",
    "request_report",
    "requeue_after_transient",
    "retry_job",
    "run_chunk",
    "run_job",
    "start_batch",
    "stuck_after",
]
