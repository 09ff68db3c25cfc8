"""Report jobs: requested by users, rendered by Celery workers (SPEC.md §7).

A request creates a ReportJob row and enqueues the task after commit, so a rolled-back
request never reaches a worker. An identical request whose inputs have not changed
reuses the finished job.
"""

import hashlib
import json
import logging
import secrets

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agents.models import User
from plans.models import ActionPlan, Cycle
from plans.services import PlanError

from .enums import JobStatus, ReportKind
from .models import ReportJob

logger = logging.getLogger(__name__)


def _cycle_state_fingerprint(cycle_id: int) -> str:
    """Changes whenever a plan of the cycle changes (content, state, score)."""
    latest = ActionPlan.objects.filter(cycle_id=cycle_id).aggregate(
        updated=Max("updated_at"), count=Max("id")
    )
    payload = json.dumps(
        {k: str(v) for k, v in latest.items()}, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def fingerprint_for(kind: str, params: dict) -> str:
    inputs = {"kind": kind, "params": params}
    if "cycle_id" in params:
        inputs["cycle_state"] = _cycle_state_fingerprint(params["cycle_id"])
    raw = json.dumps(inputs, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


def request_plans_export(*, cycle: Cycle, by: User) -> ReportJob:
    """Ask for the XLSX of the cycle's plans with their activities and targets."""
    if not by.has_perm("plans.view_cycle_board"):
        raise PlanError(_("Anda tidak berhak mengunduh data seluruh rencana."))
    return request_report(kind=ReportKind.PLANS_XLSX, params={"cycle_id": cycle.pk}, by=by)


def request_report(*, kind: str, params: dict, by: User) -> ReportJob:
    fingerprint = fingerprint_for(kind, params)
    reusable = (
        ReportJob.objects.filter(
            requested_by=by, kind=kind, fingerprint=fingerprint, status=JobStatus.DONE
        )
        .exclude(file="")
        .first()
    )
    if reusable is not None:
        return reusable
    from .tasks import render_report  # the task module imports this one

    with transaction.atomic():
        job = ReportJob.objects.create(
            requested_by=by, kind=kind, params=params, fingerprint=fingerprint
        )
        transaction.on_commit(lambda: render_report.delay(job_id=job.pk))
    return job


RENDERERS = {}


def _renderer(kind: str):
    if not RENDERERS:
        from .rendering.xlsx import export_plans

        RENDERERS[ReportKind.PLANS_XLSX] = export_plans
    renderer = RENDERERS.get(kind)
    if renderer is None:
        raise LookupError(f"no renderer for {kind}")
    return renderer


def run_job(job_id: int) -> ReportJob | None:
    """Render one job. Idempotent: a job already done is left alone."""
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            logger.warning("report job %s is gone", job_id)
            return None
        if job.status == JobStatus.DONE and job.file:
            return job
        job.status = JobStatus.RUNNING
        job.started_at = timezone.now()
        job.attempts += 1
        job.error = ""
        job.save(update_fields=["status", "started_at", "attempts", "error"])
    filename, content = _renderer(job.kind)(job)
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().get(pk=job_id)
        if job.file:  # a previous attempt stored a file: replace it, never pile up copies
            job.file.delete(save=False)
        job.file.save(filename, ContentFile(content), save=False)
        job.status = JobStatus.DONE
        job.progress = 100
        job.finished_at = timezone.now()
        job.verification_code = job.verification_code or secrets.token_hex(8)
        job.save(update_fields=["file", "status", "progress", "finished_at", "verification_code"])
    return job


def fail_job(job_id: int, message: str) -> None:
    ReportJob.objects.filter(pk=job_id).update(
        status=JobStatus.FAILED, error=message[:2000], finished_at=timezone.now()
    )
