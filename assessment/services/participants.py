"""Importing participants (agents and their agencies) from a checked file, all or nothing.

The coordinator's page keeps an uploaded file that passed the dry run under
MEDIA_ROOT/imports/ (named by a random token), so that the confirmation imports exactly
what was checked; a confirmed import removes it. A file whose dry run was never confirmed
is removed by `remove_expired_import_files` after AGENPLAN_IMPORT_RETENTION_HOURS
(nightly, Celery beat); confirming it afterwards asks for the upload again.
"""

import datetime as dt
import logging
import os
import re
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from agents.models import Agent, User
from agents.services import record_activity

from ..imports import ImportPlan, plan_import, wanted
from .common import PlanError

logger = logging.getLogger(__name__)

# The folder under MEDIA_ROOT of the files kept between the dry run and the confirmation
# (assessment.views.participants writes `<32 hex digits><.csv|.xlsx>` there).
IMPORT_FOLDER = "imports"
_TOKEN = re.compile(r"[0-9a-f]{32}\.(?:csv|xlsx)")


def import_participants(rows, *, by: User | None, dry_run: bool = False) -> ImportPlan:
    """Check the rows (the dry run) and, unless `dry_run` or any row has an error, write
    them in one transaction. The check is repeated inside the transaction, so what is
    written is what the database holds at that moment, not at the dry run.

    `by` is None only for the management command (an operator at the console).
    """
    if by is not None and not by.has_perm("plans.add_cycle"):
        raise PlanError(_("Hanya koordinator yang mengimpor peserta."), code="permission_denied")
    if dry_run:
        return plan_import(rows)
    with transaction.atomic():
        plan = plan_import(rows)
        if not plan.ok:
            return plan
        agencies = {
            a.code.upper(): a
            for a in Agency.objects.filter(code__in={r.values["kode_opd"] for r in plan.rows})
        }
        for row in plan.rows:
            code = row.values["kode_opd"]
            if code not in agencies:
                agencies[code] = Agency.objects.create(
                    code=code,
                    name=row.values["nama_opd"].strip(),
                    abbreviation=row.values.get("singkatan_opd", "").strip(),
                    kind=row.values["jenis_opd"].strip().lower(),
                )
            if row.action == "unchanged":
                continue
            _write_row(row, agencies[code])
        record_activity(
            actor=by,
            action="participants.import",
            obj=by or agencies[plan.rows[0].values["kode_opd"]],
            data={
                "created": plan.count("create"),
                "updated": plan.count("update"),
                "unchanged": plan.count("unchanged"),
                "agencies_created": plan.agencies_created,
            },
        )
    return plan


def _write_row(row, agency: Agency) -> None:
    want = wanted(row.values)
    nip = row.values["nip"]
    user = User.objects.filter(nip=nip).first()
    if user is None:
        user = User(username=nip, nip=nip)
        user.set_unusable_password()
    for name in ("name", "email", "jabatan", "pangkat_golongan"):
        if want[name]:
            setattr(user, name, want[name])
    user.agency = agency
    user.save()
    profile = Agent.objects.filter(user=user).first()
    if profile is None:
        profile = Agent(user=user)
    profile.agency = agency
    profile.is_active = True
    if want["sk_number"]:
        profile.sk_number = want["sk_number"]
    if want["sk_date"]:
        profile.sk_date = want["sk_date"]
    profile.save()


def import_retention() -> dt.timedelta | None:
    """How long an unconfirmed upload is kept; None when kept for ever (setting <= 0)."""
    hours = int(getattr(settings, "AGENPLAN_IMPORT_RETENTION_HOURS", 24))
    return dt.timedelta(hours=hours) if hours > 0 else None


def remove_expired_import_files(
    *, now: dt.datetime | None = None, dry_run: bool = False
) -> list[str]:
    """Delete the uploads kept for a confirmation that were last written more than
    AGENPLAN_IMPORT_RETENTION_HOURS before `now`; return their names relative to
    MEDIA_ROOT (with `dry_run`, the names that would be removed, and nothing changes).

    Only files named like the page's tokens are considered: anything else an operator put
    in the folder is left alone. The folder is read as a stream, not listed at once."""
    retention = import_retention()
    if retention is None:
        return []
    folder = Path(settings.MEDIA_ROOT) / IMPORT_FOLDER
    cutoff = ((now or timezone.now()) - retention).timestamp()
    removed = []
    try:
        entries = os.scandir(folder)
    except FileNotFoundError:
        return []
    with entries:
        for entry in entries:
            if not _TOKEN.fullmatch(entry.name):
                continue
            try:
                if not entry.is_file(follow_symlinks=False) or entry.stat().st_mtime >= cutoff:
                    continue
                if not dry_run:
                    Path(entry.path).unlink(missing_ok=True)
            except OSError:
                logger.exception("could not remove the import upload %s", entry.path)
                continue
            removed.append(f"{IMPORT_FOLDER}/{entry.name}")
    if removed and not dry_run:
        logger.info("removed %s unconfirmed import uploads", len(removed))
    return sorted(removed)
