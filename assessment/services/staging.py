"""Keeping an uploaded participants file between its dry run and the confirmation.

The coordinator's page stages a file that passed the dry run under `imports/` of the
default storage, named by a random token, so that the confirmation imports exactly what
was checked; a confirmed import discards it. Everything goes through Django's storage API
(`default_storage`), never a local path: the confirmation may reach another web host
than the dry run, and the storage may be an object store (AGENPLAN_FILE_STORAGE).

A file whose dry run was never confirmed is removed by `remove_expired_import_files`
after AGENPLAN_IMPORT_RETENTION_HOURS (nightly, Celery beat); confirming it afterwards
asks for the upload again.
"""

import datetime as dt
import logging
import re
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

logger = logging.getLogger(__name__)

IMPORT_FOLDER = "imports"
# `<32 hex digits><.csv|.xlsx>`: the only names the page writes, reads or removes.
TOKEN = re.compile(r"[0-9a-f]{32}\.(?:csv|xlsx)")


def _name(token: str) -> str:
    return f"{IMPORT_FOLDER}/{token}"


def stage_upload(filename: str, content: bytes) -> str:
    """Keep the checked file; return its token (the file's format stays in its suffix)."""
    token = f"{uuid.uuid4().hex}{PurePosixPath(filename).suffix.lower()}"
    if not TOKEN.fullmatch(token):
        raise ValueError(f"not a participants file: {filename!r}")
    saved = default_storage.save(_name(token), ContentFile(content))
    if saved != _name(token):  # a storage that renamed it: the token must name the file
        default_storage.delete(saved)
        raise RuntimeError(f"the storage renamed {token} to {saved}")
    return token


def read_staged(token: str) -> bytes | None:
    """The staged file's content, or None when the token is not one the page writes or
    the file is gone. The nightly clean-up may remove it at any moment: read, don't ask."""
    if not TOKEN.fullmatch(token or ""):
        return None
    try:
        with default_storage.open(_name(token), "rb") as handle:
            return handle.read()
    except (FileNotFoundError, IsADirectoryError):
        return None


def discard_staged(token: str) -> None:
    if TOKEN.fullmatch(token or ""):
        default_storage.delete(_name(token))


def import_retention() -> dt.timedelta | None:
    """How long an unconfirmed upload is kept; None when kept for ever (setting <= 0)."""
    hours = int(getattr(settings, "AGENPLAN_IMPORT_RETENTION_HOURS", 24))
    return dt.timedelta(hours=hours) if hours > 0 else None


def remove_expired_import_files(
    *, now: dt.datetime | None = None, dry_run: bool = False
) -> list[str]:
    """Delete the staged uploads last written more than AGENPLAN_IMPORT_RETENTION_HOURS
    before `now`; return their storage names (with `dry_run`, the names that would be
    removed, and nothing changes).

    Only files named like the page's tokens are considered: anything else an operator put
    in the folder is left alone."""
    retention = import_retention()
    if retention is None:
        return []
    cutoff = (now or timezone.now()) - retention
    try:
        _folders, files = default_storage.listdir(IMPORT_FOLDER)
    except FileNotFoundError:
        return []
    removed = []
    for filename in files:
        if not TOKEN.fullmatch(filename):
            continue
        name = _name(filename)
        try:
            if default_storage.get_modified_time(name) >= cutoff:
                continue
            if not dry_run:
                default_storage.delete(name)
        except FileNotFoundError:
            continue  # removed meanwhile (a confirmation, or another host's clean-up)
        except OSError:
            logger.exception("could not remove the import upload %s", name)
            continue
        removed.append(name)
    if removed and not dry_run:
        logger.info("removed %s unconfirmed import uploads", len(removed))
    return sorted(removed)
