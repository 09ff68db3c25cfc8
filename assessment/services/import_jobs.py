"""The participants import in the background: a ParticipantImport row that the import
page polls, and the work its Celery task does (`assessment.tasks.run_participant_import`).

1. The upload is staged (`staging`) and a queued import is committed; its task reads the
   file and judges every row (the dry run), counting rows read and judged in the row.
2. The coordinator confirms (once: the second tab is told the file is already imported);
   the task judges the file again against the database as it is now and writes the valid
   rows in batches, each batch with its count in the same transaction.

The outbox (agenplan.outbox): the task is published after the commit and the row
remembers when the broker took it (`published_at`); the sweep publishes again the imports
left waiting (`republish_waiting_imports`). Each phase is idempotent: an import taken
twice finds its phase done, or judges again and writes only what is not yet written.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agenplan.outbox import publish
from agents.invitations import invite_users
from agents.models import User

from ..enums import ImportStatus
from ..import_files import AGENCY_COLUMNS, ImportFileError, read_rows
from ..imports import ImportPlan, plan_import
from ..models import ParticipantImport
from . import staging
from .participants import check_permission, write_plan

logger = logging.getLogger(__name__)

# The task, by name (agenplan.outbox): `assessment.tasks` imports this module.
IMPORT_TASK = "assessment.tasks.run_participant_import"
# Rows between two progress updates of the row.
PROGRESS_EVERY = 1000

ALREADY_IMPORTED = _("Berkas ini sudah diimpor; tidak ada yang diimpor dua kali.")
ALREADY_CONFIRMED = _("Berkas ini sudah dikonfirmasi dan sedang diimpor.")
NOT_CHECKED = _("Berkas ini belum selesai diperiksa; tunggu hasil uji coba.")
FILE_GONE = _("Berkas uji coba tidak ditemukan lagi (disimpan paling lama sehari); unggah ulang.")
FAILED_MESSAGE = _(
    "Impor gagal karena kesalahan sistem (nomor %(id)s). Tidak ada baris yang hilang: baris "
    "yang sudah ditulis tetap tersimpan; coba lagi atau hubungi admin."
)
NOTHING_WRITTEN = _(
    "Tidak ada yang disimpan: ada baris yang ditolak. Perbaiki barisnya, atau impor hanya "
    "baris yang valid."
)


def request_import(filename: str, content: bytes, *, by: User) -> ParticipantImport:
    """Stage the file and queue its check (the dry run); the task is published after the
    commit."""
    check_permission(by)
    token = staging.stage_upload(filename, content)
    with transaction.atomic():
        job = ParticipantImport.objects.create(
            requested_by=by, filename=filename[:255], token=token
        )
        transaction.on_commit(lambda: publish_import(job.pk))
    return job


def confirm_import(
    job: ParticipantImport,
    *,
    by: User,
    confirmed_nips=(),
    skip_invalid: bool = False,
    send_invitations: bool = False,
    base_url: str = "",
) -> ParticipantImport:
    """Queue the writing of a checked import, once. A second confirmation (another tab,
    a double click) is refused with the reason; so is one before the check has ended.
    With `send_invitations`, the accounts the import creates are invited to set their
    password once written (`agents.invitations.invite_users`; links start with
    `base_url`)."""
    check_permission(by)
    now = timezone.now()
    with transaction.atomic():
        taken = ParticipantImport.objects.filter(pk=job.pk, status=ImportStatus.CHECKED).update(
            status=ImportStatus.CONFIRMED,
            confirmed_by=by,
            confirmed_at=now,
            confirmed_nips=sorted(set(confirmed_nips)),
            skip_invalid=skip_invalid,
            send_invitations=send_invitations,
            invite_base_url=base_url[:200],
            published_at=None,
            rows_judged=0,
            rows_written=0,
        )
        if not taken:
            status = ParticipantImport.objects.filter(pk=job.pk).values_list("status", flat=True)
            status = status.first()
            if status == ImportStatus.DONE:
                raise ImportRefused(ALREADY_IMPORTED, code="already_imported")
            if status in (ImportStatus.CONFIRMED, ImportStatus.IMPORTING):
                raise ImportRefused(ALREADY_CONFIRMED, code="already_confirmed")
            raise ImportRefused(NOT_CHECKED, code="not_checked")
        transaction.on_commit(lambda: publish_import(job.pk))
    job.refresh_from_db()
    return job


class ImportRefused(Exception):
    def __init__(self, message, *, code: str):
        super().__init__(str(message))
        self.message, self.code = message, code


def publish_import(job_id: int) -> bool:
    """Publish the import's task and remember when the broker took it; False when the
    broker is down: the import waits for the sweep, and the request goes on."""
    if not publish(IMPORT_TASK, job_id=job_id):
        return False
    ParticipantImport.objects.filter(pk=job_id).update(published_at=timezone.now())
    return True


def republish_waiting_imports(*, now: dt.datetime | None = None) -> list[int]:
    """The sweep: imports waiting for a worker and never published, or published
    AGENPLAN_OUTBOX_REPUBLISH_AFTER_SECONDS ago without a worker taking them; and imports
    a worker began AGENPLAN_REPORT_STUCK_AFTER_SECONDS ago (that worker is gone)."""
    now = now or timezone.now()
    again = now - dt.timedelta(seconds=settings.AGENPLAN_OUTBOX_REPUBLISH_AFTER_SECONDS)
    stuck = now - dt.timedelta(seconds=settings.AGENPLAN_REPORT_STUCK_AFTER_SECONDS)
    waiting = ParticipantImport.objects.filter(
        Q(status__in=ImportStatus.WAITING)
        & (
            Q(published_at__isnull=True, requested_at__lt=now - dt.timedelta(seconds=5))
            | Q(published_at__lt=again)
        )
        | Q(status__in=(ImportStatus.CHECKING, ImportStatus.IMPORTING), started_at__lt=stuck)
    )
    ids = list(waiting.order_by("pk").values_list("pk", flat=True))
    return [job_id for job_id in ids if publish_import(job_id)]


def _take(job_id: int, waiting: str, running: str) -> ParticipantImport | None:
    """Move the import from `waiting` (or a `running` left by a worker that is gone: past
    the task's hard time limit) to `running`; None when it is in another phase or a live
    worker holds it (a second delivery)."""
    lost = timezone.now() - dt.timedelta(seconds=settings.AGENPLAN_REPORT_STUCK_AFTER_SECONDS)
    with transaction.atomic():
        job = (
            ParticipantImport.objects.select_for_update(of=("self",))
            .select_related("requested_by", "confirmed_by")
            .defer("outcome", "refused_rows")
            .filter(Q(status=waiting) | Q(status=running, started_at__lt=lost), pk=job_id)
            .first()
        )
        if job is None:
            return None
        job.status, job.started_at = running, timezone.now()
        job.save(update_fields=["status", "started_at"])
    return job


def perform_import(job_id: int) -> ParticipantImport | None:
    """The task's work: the check of a queued import, or the writing of a confirmed one."""
    job = ParticipantImport.objects.filter(pk=job_id).only("status").first()
    if job is None:
        logger.info("participants import %s is gone; nothing to do", job_id)
        return None
    if job.status in (ImportStatus.QUEUED, ImportStatus.CHECKING):
        job = _take(job_id, ImportStatus.QUEUED, ImportStatus.CHECKING)
        return _check(job) if job is not None else None
    if job.status in (ImportStatus.CONFIRMED, ImportStatus.IMPORTING):
        job = _take(job_id, ImportStatus.CONFIRMED, ImportStatus.IMPORTING)
        return _write(job) if job is not None else None
    logger.info("participants import %s is already %s", job_id, job.status)
    return job


def _counter(job: ParticipantImport, field: str):
    def count(n: int) -> None:
        ParticipantImport.objects.filter(pk=job.pk).update(**{field: n})

    return count


def _rows(job: ParticipantImport):
    """The staged file's rows (counting rows read), or None with the import failed."""
    content = staging.read_staged(job.token)
    if content is None:
        fail_import(job.pk, FILE_GONE)
        return None
    try:
        rows = read_rows(
            job.token, content, on_progress=_counter(job, "rows_read"), every=PROGRESS_EVERY
        )
    except ImportFileError as error:
        fail_import(job.pk, error.message)
        staging.discard_staged(job.token)
        return None
    ParticipantImport.objects.filter(pk=job.pk).update(rows_total=len(rows), rows_read=len(rows))
    return rows


def _counts(plan: ImportPlan) -> dict:
    return {
        "created": plan.created,
        "updated": plan.updated,
        "unchanged": plan.unchanged,
        "skipped": plan.protected + plan.awaiting_confirmation,
        "awaiting_confirmation": plan.awaiting_confirmation,
        "refused": plan.errors,
        "agencies_created": plan.agencies_created,
    }


def outcome_of(row) -> dict:
    """What the page shows of a row (kept in the import's `outcome`)."""
    return {
        "line": row.line,
        "nip": row.values.get("nip", ""),
        "nama": row.values.get("nama", ""),
        "agency": row.values.get("kode_opd", "") if row.ok else "",
        "agency_text": next((row.source[c] for c in AGENCY_COLUMNS if row.source.get(c)), ""),
        "action": row.action,
        "agency_action": row.agency_action,
        "errors": row.errors,
        "changes": [[c.label, c.before, c.after] for c in row.changes],
        "note": row.note,
    }


def _refused(plan: ImportPlan) -> list:
    return [[row.line, row.source, row.errors] for row in plan.refused]


def _check(job: ParticipantImport) -> ParticipantImport:
    rows = _rows(job)
    if rows is None:
        return job
    plan = plan_import(rows, on_progress=_counter(job, "rows_judged"), every=PROGRESS_EVERY)
    ParticipantImport.objects.filter(pk=job.pk, status=ImportStatus.CHECKING).update(
        status=ImportStatus.CHECKED,
        rows_judged=len(plan.rows),
        outcome=[outcome_of(row) for row in plan.rows],
        refused_rows=_refused(plan),
        checked_at=timezone.now(),
        **_counts(plan),
    )
    job.refresh_from_db()
    return job


def _write(job: ParticipantImport) -> ParticipantImport:
    rows = _rows(job)
    if rows is None:
        return job
    check_permission(job.confirmed_by)
    plan = plan_import(
        rows,
        confirmed=frozenset(job.confirmed_nips),
        on_progress=_counter(job, "rows_judged"),
        every=PROGRESS_EVERY,
    )
    done = {
        "status": ImportStatus.DONE,
        "rows_judged": len(plan.rows),
        "outcome": [outcome_of(row) for row in plan.rows],
        "refused_rows": _refused(plan),
        "finished_at": timezone.now(),
        **_counts(plan),
    }
    if plan.errors and not job.skip_invalid:
        ParticipantImport.objects.filter(pk=job.pk).update(**done, error=str(NOTHING_WRITTEN))
        staging.discard_staged(job.token)
        job.refresh_from_db()
        return job

    def written(rows: int) -> None:
        ParticipantImport.objects.filter(pk=job.pk).update(rows_written=F("rows_written") + rows)

    # Each batch commits with its count: the page sees the rows written so far, and an
    # import taken again judges the file again and finds those rows already written.
    users = write_plan(plan, by=job.confirmed_by, on_batch=written)
    ParticipantImport.objects.filter(pk=job.pk).update(**done, error="")
    staging.discard_staged(job.token)
    created = {row.values["nip"] for row in plan.rows if row.ok and row.action == "create"}
    if job.send_invitations and created:
        # The accounts the import created; those without an e-mail address are skipped.
        new = [user for user in users if user.nip in created]
        result = invite_users(new, job.confirmed_by, base_url=job.invite_base_url)
        ParticipantImport.objects.filter(pk=job.pk).update(
            invited=len(result.invited) + len(result.resent), not_invited=len(result.skipped)
        )
    job.refresh_from_db()
    logger.info("participants import %s done: %s", job.pk, _counts(plan))
    return job


def details_retention() -> dt.timedelta | None:
    """How long an ended import keeps its rows; None when kept for ever (setting <= 0)."""
    days = int(getattr(settings, "AGENPLAN_IMPORT_DETAILS_RETENTION_DAYS", 30))
    return dt.timedelta(days=days) if days > 0 else None


def forget_expired_import_details(
    *, now: dt.datetime | None = None, dry_run: bool = False
) -> list[int]:
    """Empty the rows (each row's outcome, the refused rows as the file had them, the
    confirmed NIPs) of the imports requested more than AGENPLAN_IMPORT_DETAILS_RETENTION_
    DAYS before `now` and no longer checked or written; their counts and the audit stay.
    Returns the imports' ids (with `dry_run`, those that would be emptied)."""
    retention = details_retention()
    if retention is None:
        return []
    expired = (
        ParticipantImport.objects.filter(requested_at__lt=(now or timezone.now()) - retention)
        .exclude(status__in=ImportStatus.ACTIVE)
        .exclude(outcome=[], refused_rows=[], confirmed_nips=[])
    )
    ids = list(expired.order_by("pk").values_list("pk", flat=True))
    if ids and not dry_run:
        ParticipantImport.objects.filter(pk__in=ids).update(
            outcome=[], refused_rows=[], confirmed_nips=[]
        )
        logger.info("import retention: the rows of %s imports removed", len(ids))
    return ids


def fail_import(job_id: int, message) -> None:
    """End an import as failed, with a message for the coordinator."""
    ParticipantImport.objects.filter(pk=job_id).exclude(status=ImportStatus.DONE).update(
        status=ImportStatus.FAILED, error=str(message), finished_at=timezone.now()
    )
