"""A cycle's review packets as one ZIP, rendered in parallel chunks; and the recovery of
the jobs a restarted worker node left running."""

import datetime as dt
import logging
import tempfile
import time

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agenplan.outbox import publish

from ..enums import JobStatus, ReportKind
from ..models import ReportJob
from ..rendering import ReportError
from .outbox import ASSEMBLE_PACKETS, RENDER_REPORT, publish_chunks
from .storage import _closing, _delete_folder, _store, _tmp_folder, job_folder

logger = logging.getLogger(__name__)

# `reports.rendering` loads WeasyPrint: the functions that render import it, so that the
# web process, which only publishes jobs, never loads it.


def _test_delay() -> None:
    """Tests make a render slow on purpose (to kill a worker mid-render): read at call time."""
    delay = float(getattr(settings, "AGENPLAN_REPORT_TEST_DELAY", 0) or 0)
    if delay > 0:
        time.sleep(delay)


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
    from ..rendering.batch import chunk_size, packet_plan_ids, split  # noqa: PLC0415 - WeasyPrint
    from ..rendering.cycle_summary import load_cycle  # noqa: PLC0415 - WeasyPrint

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
    from ..rendering.batch import render_chunk  # noqa: PLC0415 - WeasyPrint

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
            transaction.on_commit(lambda: publish(ASSEMBLE_PACKETS, job_id=job_id, attempt=attempt))


def assemble_batch(job_id: int, *, attempt: int) -> ReportJob | None:
    """Zip the finished chunks into the job's one file and finish the job."""
    from ..rendering.batch import assemble  # noqa: PLC0415 - WeasyPrint
    from ..rendering.cycle_summary import load_cycle  # noqa: PLC0415 - WeasyPrint

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
    recovered = []
    running = ReportJob.objects.filter(status=JobStatus.RUNNING, started_at__lt=since)
    for job in running.only("pk", "kind", "worker", "batch", "chunks_total"):
        if job.kind == ReportKind.CYCLE_PACKETS and job.chunks_total:
            batch = job.batch
            done, claims = batch.get("done", {}), batch.get("claims", {})
            if len(done) == job.chunks_total:
                publish(ASSEMBLE_PACKETS, job_id=job.pk, attempt=batch["attempt"])
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
            publish(RENDER_REPORT, job_id=job.pk)
            recovered.append(job.pk)
    if recovered:
        logger.warning("re-enqueued report jobs %s left running by %s", recovered, worker)
    return recovered
