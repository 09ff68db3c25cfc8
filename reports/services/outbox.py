"""The outbox of report jobs: publishing a job's tasks after commit, and the sweep of
what was committed but not delivered."""

import datetime as dt
import logging

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from agenplan.outbox import publish

from ..enums import JobStatus, ReportKind
from ..models import ReportJob

logger = logging.getLogger(__name__)

# The tasks, by name: `reports.tasks` imports these services (see agenplan/outbox.py).
RENDER_REPORT = "reports.tasks.render_report"
RENDER_PACKET_CHUNK = "reports.tasks.render_packet_chunk"
ASSEMBLE_PACKETS = "reports.tasks.assemble_packets"


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
    if not publish(RENDER_REPORT, job_id=job_id):
        return False
    ReportJob.objects.filter(pk=job_id).update(published_at=timezone.now())
    return True


def publish_chunks(job_id: int, attempt: int, indexes) -> bool:
    """One task per chunk of a batch; False when the broker did not take all of them."""
    published = [
        publish(RENDER_PACKET_CHUNK, job_id=job_id, attempt=attempt, index=i) for i in indexes
    ]
    return all(published)


def _claimed_at(claim: dict) -> dt.datetime:
    return dt.datetime.fromisoformat(claim["at"])


def republish_undelivered(*, now: dt.datetime | None = None) -> dict[str, list[int]]:
    """The sweep: publish again what was committed but not delivered; returns the job ids
    by reason ("queued", "running", "chunks", "assembly")."""
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
                    ASSEMBLE_PACKETS, job_id=job.pk, attempt=batch["attempt"]
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
        elif job.started_at < stuck_before and publish(RENDER_REPORT, job_id=job.pk):
            found["running"].append(job.pk)
    if any(found.values()):
        logger.warning("outbox: report jobs published again: %s", found)
    return found
