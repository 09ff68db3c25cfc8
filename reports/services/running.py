"""The worker's side of one job: render it once, however many times it is delivered."""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agents.models import Agent
from plans.models import ActionPlan, Cycle

from ..enums import JobStatus, ReportKind
from ..models import AGENT_KINDS, PLAN_KINDS, ReportJob
from ..rendering import Rendered, ReportError
from ..rules import may_see_subject
from .batch import _test_delay, start_batch
from .storage import _discard_batch_files, _store

logger = logging.getLogger(__name__)


FAILED_MESSAGE = _(
    "Laporan gagal dibuat karena kesalahan pada server (laporan #%(id)s). Silakan coba lagi; "
    "bila gagal lagi, hubungi admin dengan menyebutkan nomor laporan ini."
)
TIMEOUT_MESSAGE = _(
    "Laporan terlalu lama dibuat dan dihentikan. Silakan coba lagi di luar jam sibuk, "
    "atau hubungi admin bila terus terjadi."
)
TRANSIENT_MESSAGE = _(
    "Laporan belum dapat dibuat karena basis data atau antrean sedang tidak tersedia. "
    "Silakan coba lagi beberapa saat lagi."
)


# --- Running a job (worker side) ----------------------------------------------------------------


def _renderer(kind: str):
    # The renderers load WeasyPrint and openpyxl: only a worker that renders pays for them.
    from ..rendering.cycle_summary import render_cycle_summary  # noqa: PLC0415 - WeasyPrint
    from ..rendering.plan_document import render_plan_document  # noqa: PLC0415 - WeasyPrint
    from ..rendering.portfolio import render_portfolio_job  # noqa: PLC0415 - WeasyPrint
    from ..rendering.review_packet import render_review_packet  # noqa: PLC0415 - WeasyPrint
    from ..rendering.xlsx import export_plans, export_scores  # noqa: PLC0415 - WeasyPrint

    renderers = {
        ReportKind.PLAN_DOCUMENT: render_plan_document,
        ReportKind.REVIEW_PACKET: render_review_packet,
        ReportKind.CYCLE_SUMMARY: render_cycle_summary,
        ReportKind.SCORES_XLSX: export_scores,
        ReportKind.PLANS_XLSX: export_plans,
        ReportKind.AGENT_PORTFOLIO: render_portfolio_job,
    }
    renderer = renderers.get(kind)
    if renderer is None:
        raise LookupError(f"no renderer for {kind}")
    return renderer


def _mark_running(job_id: int, *, worker: str) -> ReportJob | None:
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            logger.warning("report job %s is gone", job_id)
            return None
        if job.status == JobStatus.DONE and (job.file or job.file_removed_at):
            return None  # a duplicate delivery of a finished job (even one cleaned up)
        if job.status == JobStatus.FAILED:
            return None  # only the user's retry brings a failed job back
        if job.kind == ReportKind.CYCLE_PACKETS and job.status == JobStatus.RUNNING:
            if job.chunks_total:
                return None  # the batch is under way; lost chunks are recovered separately
        job.status = JobStatus.RUNNING
        job.started_at = timezone.now()
        job.finished_at = None
        job.attempts += 1
        job.error = ""
        job.progress = 5
        job.worker = worker
        job.save(
            update_fields=[
                "status",
                "started_at",
                "finished_at",
                "attempts",
                "error",
                "progress",
                "worker",
            ]
        )
    return job


def run_job(job_id: int, *, worker: str = "") -> ReportJob | None:
    """Render one job. Idempotent: a finished or failed job is left alone, a duplicate
    delivery that finishes second discards its result."""
    job = _mark_running(job_id, worker=worker)
    if job is None:
        return ReportJob.objects.filter(pk=job_id).first()
    # Asked again at render time: a role withdrawn, or a plan decided or resubmitted, since
    # the request changes what the requester may see. (A subject that is gone is the
    # renderer's to report.)
    if _subject_exists(job) and not may_see_subject(job.requested_by, job.kind, job.params):
        raise ReportError(_("Anda tidak berhak meminta laporan ini."), code="permission_denied")
    if job.kind == ReportKind.CYCLE_PACKETS:
        start_batch(job)
        return job
    _test_delay()
    result: Rendered = _renderer(job.kind)(job)
    return _finish(job_id, result)


def _subject_exists(job: ReportJob) -> bool:
    if job.kind in PLAN_KINDS:
        return ActionPlan.objects.filter(pk=job.params.get("plan_id")).exists()
    if job.kind in AGENT_KINDS:
        return Agent.objects.filter(pk=job.params.get("agent_id")).exists()
    return Cycle.objects.filter(pk=job.params.get("cycle_id")).exists()


def _finish(job_id: int, result: Rendered) -> ReportJob | None:
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (JobStatus.DONE, JobStatus.FAILED):
            return job
        job.file.name = _store(job, result.filename, result.content)
        job.title = result.title[:300]
        job.agency_name = result.agency_name[:255]
        job.status = JobStatus.DONE
        job.progress = 100
        job.finished_at = timezone.now()
        job.save(
            update_fields=["file", "title", "agency_name", "status", "progress", "finished_at"]
        )
    return job


def fail_job(job_id: int, message: str) -> None:
    """End a job as failed with a message for the user; its temporary files go."""
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status == JobStatus.DONE:
            return
        job.status = JobStatus.FAILED
        job.error = str(message)[:2000]
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        _discard_batch_files(job)


def requeue_after_transient(job_id: int) -> None:
    """A transient error: the task retries later; meanwhile the job shows as queued."""
    ReportJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        status=JobStatus.QUEUED, progress=0
    )
