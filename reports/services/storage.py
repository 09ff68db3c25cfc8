"""Where a job's files live: one folder per job in Django's default storage
(`reports/jobs/<id>/`) holding exactly one finished file, and a batch's temporary chunks."""

import logging

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from ..enums import ReportKind
from ..models import ReportJob

logger = logging.getLogger(__name__)


def job_folder(job_id: int) -> str:
    return f"reports/jobs/{job_id}"


def _tmp_folder(job_id: int, attempt: int) -> str:
    return f"{job_folder(job_id)}/chunks/{attempt}"


def _delete_folder(folder: str, *, recursive: bool) -> None:
    """Delete the files in a storage folder (best effort: a missing folder is fine)."""
    try:
        folders, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        default_storage.delete(f"{folder}/{name}")
    if recursive:
        for sub in folders:
            _delete_folder(f"{folder}/{sub}", recursive=True)


def _store(job: ReportJob, filename: str, content) -> str:
    """Save the job's file in its own folder, after removing any earlier file there: a job
    has exactly one file in storage however many times it was rendered."""
    _delete_folder(job_folder(job.pk), recursive=False)
    body = content if isinstance(content, File) else ContentFile(content)
    return default_storage.save(f"{job_folder(job.pk)}/{filename}", body)


def _closing(handles):
    for handle in handles:
        with handle:
            yield handle


def _discard_batch_files(job: ReportJob) -> None:
    if job.kind == ReportKind.CYCLE_PACKETS:
        _delete_folder(f"{job_folder(job.pk)}/chunks", recursive=True)
