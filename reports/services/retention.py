"""Retention: finished files are removed after AGENPLAN_REPORT_RETENTION_DAYS."""

import contextlib
import datetime as dt
import logging
import os

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ..enums import JobStatus
from ..models import ReportJob
from .storage import _discard_batch_files, job_folder

logger = logging.getLogger(__name__)


# --- Retention: finished files are removed after AGENPLAN_REPORT_RETENTION_DAYS ------------
#
# A job is finished for good once it is done, so only done jobs lose their file: queued
# and running jobs (even stale ones) and failed jobs are never touched. The file is deleted
# first and the row marked after, in the same transaction on the locked rows: if the
# marking does not commit, the next run finds the row again, deletes nothing (a missing
# file is fine) and marks it. The row keeps its status, title and verification code, so
# the printed copies still verify; it offers no download, is never reused for an identical
# request, and its page offers to ask for the report again (a new job, with a new code:
# a re-rendered document may differ from the one printed under the old code).

CLEANUP_BATCH_SIZE = 200


def report_retention() -> dt.timedelta | None:
    """How long finished files are kept; None when they are kept for ever (setting <= 0)."""
    days = int(getattr(settings, "AGENPLAN_REPORT_RETENTION_DAYS", 30))
    return dt.timedelta(days=days) if days > 0 else None


def _expired_jobs(cutoff: dt.datetime) -> QuerySet:
    return ReportJob.objects.filter(
        status=JobStatus.DONE, finished_at__lt=cutoff, file_removed_at__isnull=True
    ).exclude(file="")


def _remove_empty_folders(job_id: int) -> None:
    """On a file system, remove the job's folders once empty (object storage has none)."""
    try:
        root = default_storage.path(job_folder(job_id))
    except NotImplementedError:
        return
    for folder, _subfolders, _files in os.walk(root, topdown=False):
        with contextlib.suppress(OSError):  # not empty: leave it
            os.rmdir(folder)


def _remove_batch(ids: list[int], *, cutoff: dt.datetime, now: dt.datetime) -> list[str]:
    removed: dict[int, str] = {}
    with transaction.atomic():
        # Locked rows that still qualify: a row another transaction holds is left for the
        # next run rather than waited for.
        jobs = (
            _expired_jobs(cutoff)
            .filter(pk__in=ids)
            .select_for_update(skip_locked=True)
            .only("pk", "kind", "file")
            .order_by("pk")
        )
        for job in jobs:
            name = job.file.name
            try:
                default_storage.delete(name)  # a file already missing is not an error
                _discard_batch_files(job)
            except Exception:  # one unreadable file must not stop the night's clean-up
                logger.exception("report job %s: could not remove %s", job.pk, name)
                continue
            removed[job.pk] = name
        ReportJob.objects.filter(pk__in=removed).update(file="", file_removed_at=now)
    for job_id in removed:
        _remove_empty_folders(job_id)
    return list(removed.values())


def remove_expired_report_files(
    *,
    now: dt.datetime | None = None,
    dry_run: bool = False,
    batch_size: int = CLEANUP_BATCH_SIZE,
) -> list[str]:
    """Delete the files of jobs finished more than AGENPLAN_REPORT_RETENTION_DAYS before
    `now` and mark their rows (`file_removed_at`); return the storage names removed (with
    `dry_run`, the names that would be, and nothing changes).

    Works through the jobs in batches of `batch_size` in primary-key order, each batch in
    its own short transaction, so tens of thousands of jobs never hold one long lock."""
    retention = report_retention()
    if retention is None:
        return []
    now = now or timezone.now()
    cutoff = now - retention
    removed: list[str] = []
    last_pk = 0
    while True:
        batch = list(
            _expired_jobs(cutoff)
            .filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", "file")[:batch_size]
        )
        if not batch:
            break
        last_pk = batch[-1][0]
        if dry_run:
            removed.extend(name for _pk, name in batch)
        else:
            removed.extend(_remove_batch([pk for pk, _name in batch], cutoff=cutoff, now=now))
    if removed and not dry_run:
        logger.info("removed %s report files finished before %s", len(removed), cutoff)
    return removed
