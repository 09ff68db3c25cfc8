"""Report jobs: requested by users, rendered by Celery workers.

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

import base64
import contextlib
import datetime as dt
import logging
import os
import secrets
import tempfile
import time

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agenplan.outbox import publish
from agents.models import User
from agents.services import record_activity
from plans.models import ActionPlan, Cycle
from plans.services import PlanError

from .enums import JobStatus, ReportKind
from .models import CYCLE_KINDS, PLAN_KINDS, VERIFIABLE_KINDS, ReportJob
from .rendering import Rendered, ReportError
from .rendering.fingerprint import fingerprint_for
from .rules import may_see_subject

logger = logging.getLogger(__name__)

# A queued or running job untouched for this long may be restarted by its requester.
STALE_AFTER = dt.timedelta(minutes=30)
# A request repeated while the first is still queued or running gets the same job.
IN_FLIGHT_REUSE = dt.timedelta(minutes=15)

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


# --- Running a job (worker side) ----------------------------------------------------------------


def _renderer(kind: str):
    from .rendering.cycle_summary import render_cycle_summary
    from .rendering.plan_document import render_plan_document
    from .rendering.review_packet import render_review_packet
    from .rendering.xlsx import export_plans, export_scores

    renderers = {
        ReportKind.PLAN_DOCUMENT: render_plan_document,
        ReportKind.REVIEW_PACKET: render_review_packet,
        ReportKind.CYCLE_SUMMARY: render_cycle_summary,
        ReportKind.SCORES_XLSX: export_scores,
        ReportKind.PLANS_XLSX: export_plans,
    }
    renderer = renderers.get(kind)
    if renderer is None:
        raise LookupError(f"no renderer for {kind}")
    return renderer


def _test_delay() -> None:
    """Tests make a render slow on purpose (to kill a worker mid-render): read at call time."""
    delay = float(getattr(settings, "AGENPLAN_REPORT_TEST_DELAY", 0) or 0)
    if delay > 0:
        time.sleep(delay)


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


# --- The batch: a cycle's packets as one ZIP, rendered in parallel chunks -------------------------
#
# A Celery chord would need a result backend, and work shown to users is a row, never a
# result backend (docs/architecture.md). So the chord is a latch in the database: the job's
# task splits the plans into chunks and sends one task per chunk (a Celery group); each
# chunk renders its packets into a temporary file, then, on the job's locked row, records
# the chunk as done (once: a redelivered chunk is not counted twice), advances the progress
# and, when it is the last one, enqueues the task that zips the chunks and finishes the job.
# It works the same with the filesystem broker, Redis, and eagerly in tests.


def start_batch(job: ReportJob) -> None:
    from .rendering.batch import chunk_size, packet_plan_ids, split
    from .rendering.cycle_summary import load_cycle

    cycle = load_cycle(job.params["cycle_id"])
    ids = packet_plan_ids(cycle)
    if not ids:
        raise ReportError(_("Belum ada rencana yang diajukan pada siklus ini."))
    chunks = split(ids, chunk_size(len(ids)))
    with transaction.atomic():
        locked = ReportJob.objects.select_for_update().get(pk=job.pk)
        attempt = locked.attempts
        locked.batch = {"attempt": attempt, "chunks": chunks, "done": {}, "claims": {}}
        locked.chunks_total = len(chunks)
        locked.chunks_done = 0
        locked.title = gettext("Semua paket penilaian — %(cycle)s") % {"cycle": cycle.name}
        locked.save(update_fields=["batch", "chunks_total", "chunks_done", "title"])
        transaction.on_commit(lambda: publish_chunks(locked.pk, attempt, range(len(chunks))))


def _claim_chunk(job_id: int, attempt: int, index: int, worker: str) -> ReportJob | None:
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != JobStatus.RUNNING or job.batch.get("attempt") != attempt:
            return None  # gone, failed, or a stale chunk of an earlier attempt
        if str(index) in job.batch["done"]:
            return None  # a redelivered chunk that has already been counted
        job.batch["claims"][str(index)] = {"worker": worker, "at": timezone.now().isoformat()}
        job.save(update_fields=["batch"])
    return job


def run_chunk(job_id: int, *, attempt: int, index: int, worker: str = "") -> None:
    """Render one chunk of packets into a temporary file and count it on the job."""
    from .rendering.batch import render_chunk
    from .tasks import assemble_packets

    job = _claim_chunk(job_id, attempt, index, worker)
    if job is None:
        return
    _test_delay()
    content = render_chunk(
        job.batch["chunks"][index], job_id=job.pk, job_code=job.verification_code
    )
    name = default_storage.save(
        f"{_tmp_folder(job_id, attempt)}/chunk-{index:04d}.zip", ContentFile(content)
    )
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().filter(pk=job_id).first()
        stale = (
            job is None or job.status != JobStatus.RUNNING or job.batch.get("attempt") != attempt
        )
        if stale or str(index) in job.batch["done"]:
            default_storage.delete(name)  # a duplicate: the first one counted
            return
        job.batch["done"][str(index)] = name
        done = len(job.batch["done"])
        job.chunks_done = F("chunks_done") + 1
        job.progress = min(95, 5 + 90 * done // job.chunks_total)
        job.save(update_fields=["batch", "chunks_done", "progress"])
        if done == job.chunks_total:
            transaction.on_commit(lambda: publish(assemble_packets, job_id=job_id, attempt=attempt))


def assemble_batch(job_id: int, *, attempt: int) -> ReportJob | None:
    """Zip the finished chunks into the job's one file and finish the job."""
    from .rendering.batch import assemble
    from .rendering.cycle_summary import load_cycle

    with transaction.atomic():
        job = ReportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != JobStatus.RUNNING or job.batch.get("attempt") != attempt:
            return job
        done = job.batch["done"]
        if len(done) != job.chunks_total:
            return job
        cycle = load_cycle(job.params["cycle_id"])
        with tempfile.TemporaryFile() as target:
            handles = (default_storage.open(done[str(i)], "rb") for i in range(job.chunks_total))
            assemble(_closing(handles), target)
            target.seek(0)
            job.file.name = _store(job, f"paket-penilaian-{cycle.code}.zip", File(target))
        job.status = JobStatus.DONE
        job.progress = 100
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "status", "progress", "finished_at"])
        transaction.on_commit(
            lambda: _delete_folder(f"{job_folder(job_id)}/chunks", recursive=True)
        )
    return job


def _closing(handles):
    for handle in handles:
        with handle:
            yield handle


def _discard_batch_files(job: ReportJob) -> None:
    if job.kind == ReportKind.CYCLE_PACKETS:
        _delete_folder(f"{job_folder(job.pk)}/chunks", recursive=True)


# --- Recovery of jobs whose worker died --------------------------------------------------


def _lost_chunk(claim: dict | None, job: ReportJob, worker: str, since: dt.datetime) -> bool:
    """A chunk claimed by this node before it restarted, or never claimed by anyone while
    this node was the one that sent it (the sending may have died with the node)."""
    if claim is None:
        return job.worker == worker
    return claim["worker"] == worker and dt.datetime.fromisoformat(claim["at"]) < since


def recover_orphaned_jobs(*, worker: str, since: dt.datetime) -> list[int]:
    """Re-enqueue what a node's previous life left running; return the job ids.

    Called when a worker node (`celery@host`) becomes ready: whatever that node had
    claimed before `since` cannot still be running there. With Redis an unacknowledged
    message would come back anyway after the visibility timeout; the filesystem broker
    removes a message when it is delivered, so without this a killed worker's job would
    stay "running" for ever. Re-enqueueing is safe because every step is idempotent.
    """
    from .tasks import assemble_packets, render_report

    recovered = []
    running = ReportJob.objects.filter(status=JobStatus.RUNNING, started_at__lt=since)
    for job in running.only("pk", "kind", "worker", "batch", "chunks_total"):
        if job.kind == ReportKind.CYCLE_PACKETS and job.chunks_total:
            batch = job.batch
            done, claims = batch.get("done", {}), batch.get("claims", {})
            if len(done) == job.chunks_total:
                publish(assemble_packets, job_id=job.pk, attempt=batch["attempt"])
                recovered.append(job.pk)
                continue
            lost = [
                i
                for i in range(job.chunks_total)
                if str(i) not in done and _lost_chunk(claims.get(str(i)), job, worker, since)
            ]
            if lost:
                publish_chunks(job.pk, batch["attempt"], lost)
                recovered.append(job.pk)
        elif job.worker == worker:
            publish(render_report, job_id=job.pk)
            recovered.append(job.pk)
    if recovered:
        logger.warning("re-enqueued report jobs %s left running by %s", recovered, worker)
    return recovered


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


# --- The outbox: publishing jobs, and the sweep of what was not delivered -------------------
#
# A job's row is committed first; its task is published after the commit and the row
# remembers when the broker took it (`published_at`). The broker being down never fails the
# request: the job stays "queued" and unpublished, its page says so and offers to retry.
# The sweep (Celery beat every AGENPLAN_OUTBOX_SWEEP_SECONDS, and every worker when it
# starts) publishes again
#
# - jobs queued but never published, or published AGENPLAN_OUTBOX_REPUBLISH_AFTER_SECONDS
#   ago without any worker taking them (a broker that lost its queue);
# - jobs running AGENPLAN_REPORT_STUCK_AFTER_SECONDS after they started, and chunks of a
#   batch claimed that long ago, whichever worker held them: the tasks' hard time limit has
#   ended any render by then, so that worker is gone;
# - chunks of a batch that nobody claimed, and the final assembly of a batch whose chunks
#   are all done, when their messages were lost.
#
# Every step is idempotent (see above), so publishing twice is harmless.


def republish_after() -> dt.timedelta:
    return dt.timedelta(seconds=settings.AGENPLAN_OUTBOX_REPUBLISH_AFTER_SECONDS)


def stuck_after() -> dt.timedelta:
    return dt.timedelta(seconds=settings.AGENPLAN_REPORT_STUCK_AFTER_SECONDS)


def publish_job(job_id: int) -> bool:
    """Hand the job's task to the broker; on success remember when. False when the broker
    is down: the job stays in the outbox for the sweep (or its requester's retry)."""
    from .tasks import render_report  # the task module imports this one

    if not publish(render_report, job_id=job_id):
        return False
    ReportJob.objects.filter(pk=job_id).update(published_at=timezone.now())
    return True


def publish_chunks(job_id: int, attempt: int, indexes) -> bool:
    """One task per chunk of a batch; False when the broker did not take all of them."""
    from .tasks import render_packet_chunk  # the task module imports this one

    published = [
        publish(render_packet_chunk, job_id=job_id, attempt=attempt, index=i) for i in indexes
    ]
    return all(published)


def _claimed_at(claim: dict) -> dt.datetime:
    return dt.datetime.fromisoformat(claim["at"])


def republish_undelivered(*, now: dt.datetime | None = None) -> dict[str, list[int]]:
    """The sweep: publish again what was committed but not delivered; returns the job ids
    by reason ("queued", "running", "chunks", "assembly")."""
    from .tasks import assemble_packets, render_report  # the task module imports this one

    now = now or timezone.now()
    queued_before, stuck_before = now - republish_after(), now - stuck_after()
    found: dict[str, list[int]] = {"queued": [], "running": [], "chunks": [], "assembly": []}

    queued = ReportJob.objects.filter(status=JobStatus.QUEUED).filter(
        Q(published_at__isnull=True, created_at__lt=now - dt.timedelta(seconds=5))
        | Q(published_at__lt=queued_before)
    )
    for job_id in queued.order_by("pk").values_list("pk", flat=True):
        if publish_job(job_id):
            found["queued"].append(job_id)

    # Claims and the assembly come after the start: a job started after both cutoffs has
    # nothing to recover yet.
    running = ReportJob.objects.filter(
        status=JobStatus.RUNNING, started_at__lt=max(queued_before, stuck_before)
    )
    for job in running.only("pk", "kind", "batch", "chunks_total", "started_at").order_by("pk"):
        if job.kind == ReportKind.CYCLE_PACKETS and job.chunks_total:
            batch = job.batch
            done, claims = batch.get("done", {}), batch.get("claims", {})
            if len(done) == job.chunks_total:
                latest = max((_claimed_at(c) for c in claims.values()), default=job.started_at)
                if latest < stuck_before and publish(
                    assemble_packets, job_id=job.pk, attempt=batch["attempt"]
                ):
                    found["assembly"].append(job.pk)
                continue
            lost = [
                i
                for i in range(job.chunks_total)
                if str(i) not in done
                and (
                    _claimed_at(claims[str(i)]) < stuck_before
                    if str(i) in claims
                    else job.started_at < queued_before
                )
            ]
            if lost and publish_chunks(job.pk, batch["attempt"], lost):
                found["chunks"].append(job.pk)
        elif job.started_at < stuck_before and publish(render_report, job_id=job.pk):
            found["running"].append(job.pk)
    if any(found.values()):
        logger.warning("outbox: report jobs published again: %s", found)
    return found
