"""Asking for a report: a ReportJob row, its task published after commit; an identical
request whose inputs have not changed reuses the finished job. Retrying a failed job;
recording a download."""

import base64
import datetime as dt
import logging
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agents.models import Agent, User
from agents.services import record_activity
from plans.models import ActionPlan, Cycle
from plans.services.common import PlanError

from ..enums import JobStatus, ReportKind
from ..models import CYCLE_KINDS, PLAN_KINDS, VERIFIABLE_KINDS, ReportJob
from ..rendering import ReportError
from ..rendering.fingerprint import fingerprint_for
from ..rules import may_see_subject
from .outbox import publish_job
from .storage import _discard_batch_files

logger = logging.getLogger(__name__)


# A queued or running job untouched for this long may be restarted by its requester.
STALE_AFTER = dt.timedelta(minutes=30)
# A request repeated while the first is still queued or running gets the same job.
IN_FLIGHT_REUSE = dt.timedelta(minutes=15)


# --- Requests --------------------------------------------------------------------------------


def record_report_download(job: ReportJob, *, by: User) -> None:
    """Audit one download of a finished report's file (who, which document)."""
    record_activity(
        actor=by,
        action="report.downloaded",
        obj=job,
        data={"kind": job.kind, "title": job.title, "params": job.params},
    )


def new_verification_code() -> str:
    """16 characters of base32 (80 random bits): printed on the document, checked at /verify/."""
    return base64.b32encode(secrets.token_bytes(10)).decode()


def _enqueue(job: ReportJob) -> None:
    """Publish the job's task once the request commits; the broker being down leaves the
    job queued and unpublished for the outbox sweep, and never fails the request."""
    job_id = job.pk
    transaction.on_commit(lambda: publish_job(job_id))


def request_report(*, kind: str, params: dict, by: User) -> ReportJob:
    """Ask for a report; reuse the user's finished (or still running) identical one.

    Raises PlanError when the user may not see what the report shows.
    """
    if kind not in ReportKind.values:
        raise ReportError(_("Jenis laporan tidak dikenal."))
    if not may_see_subject(by, kind, params):
        raise ReportError(_("Anda tidak berhak meminta laporan ini."), code="permission_denied")
    fingerprint = fingerprint_for(kind, params)
    mine = ReportJob.objects.filter(requested_by=by, kind=kind, fingerprint=fingerprint)
    reusable = (
        mine.filter(status=JobStatus.DONE, file_removed_at__isnull=True)
        .exclude(file="")
        .order_by("-finished_at")
        .first()
    )
    if reusable is not None and reusable.file.storage.exists(reusable.file.name):
        return reusable
    in_flight = mine.filter(
        status__in=(JobStatus.QUEUED, JobStatus.RUNNING),
        created_at__gte=timezone.now() - IN_FLIGHT_REUSE,
    ).first()
    if in_flight is not None:
        return in_flight
    with transaction.atomic():
        job = ReportJob.objects.create(
            requested_by=by,
            kind=kind,
            params=params,
            fingerprint=fingerprint,
            verification_code=new_verification_code() if kind in VERIFIABLE_KINDS else None,
        )
        _enqueue(job)
    return job


def request_plan_report(*, kind: str, plan: ActionPlan, by: User) -> ReportJob:
    """The plan document or the review packet of one plan."""
    if kind not in PLAN_KINDS:
        raise ReportError(_("Jenis laporan tidak dikenal."))
    return request_report(kind=kind, params={"plan_id": plan.pk}, by=by)


def request_cycle_report(*, kind: str, cycle: Cycle, by: User) -> ReportJob:
    """A report about a whole cycle: summary, packets ZIP, scores or plans spreadsheet."""
    if kind not in CYCLE_KINDS:
        raise ReportError(_("Jenis laporan tidak dikenal."))
    return request_report(kind=kind, params={"cycle_id": cycle.pk}, by=by)


def request_portfolio(*, agent: Agent, by: User) -> ReportJob:
    """An agent's portfolio as PDF, as the requester sees it on its page."""
    return request_report(kind=ReportKind.AGENT_PORTFOLIO, params={"agent_id": agent.pk}, by=by)


def request_plans_export(*, cycle: Cycle, by: User) -> ReportJob:
    """Ask for the XLSX of the cycle's plans with their activities and targets."""
    if not by.has_perm("reports.request_cycle_report"):
        raise PlanError(_("Anda tidak berhak mengunduh data seluruh rencana."))
    return request_cycle_report(kind=ReportKind.PLANS_XLSX, cycle=cycle, by=by)


def is_stale(job: ReportJob, *, now: dt.datetime | None = None) -> bool:
    """Queued or running without news for STALE_AFTER: its worker is presumably gone."""
    now = now or timezone.now()
    last = job.started_at or job.created_at
    return job.is_active and last is not None and last < now - STALE_AFTER


def is_unpublished(job: ReportJob) -> bool:
    """Queued, but its task never reached the broker (it was down when the job was asked
    for): nothing will run it until the sweep or a retry publishes it."""
    return job.status == JobStatus.QUEUED and job.published_at is None


def can_retry(job: ReportJob) -> bool:
    return job.status == JobStatus.FAILED or is_stale(job) or is_unpublished(job)


def retry_job(job: ReportJob, *, by: User) -> ReportJob:
    """Re-enqueue a failed (or stale) job: the same row, its inputs fingerprinted afresh."""
    if job.requested_by_id != by.pk or not may_see_subject(by, job.kind, job.params):
        raise ReportError(_("Anda tidak berhak meminta laporan ini."), code="permission_denied")
    with transaction.atomic():
        locked = ReportJob.objects.select_for_update().get(pk=job.pk)
        if not can_retry(locked):
            raise ReportError(
                _("Hanya laporan yang gagal atau tertahan yang dapat diulang."), code="invalid"
            )
        _discard_batch_files(locked)
        locked.status = JobStatus.QUEUED
        locked.error = ""
        locked.progress = 0
        locked.started_at = None
        locked.finished_at = None
        locked.worker = ""
        locked.batch = {}
        locked.chunks_total = locked.chunks_done = 0
        locked.fingerprint = fingerprint_for(locked.kind, locked.params)
        locked.published_at = None
        locked.save(
            update_fields=[
                "published_at",
                "status",
                "error",
                "progress",
                "started_at",
                "finished_at",
                "worker",
                "batch",
                "chunks_total",
                "chunks_done",
                "fingerprint",
            ]
        )
        _enqueue(locked)
    return locked
