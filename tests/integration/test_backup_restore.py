"""`make backup` / `make restore` for real: scripts/backup.sh and scripts/restore.sh run
against the test database (PostgreSQL with pg_dump/pg_restore, or SQLite's backup API) and
a media folder holding an attachment and an issued report. Everything is wiped, restored,
and compared: the row count of every table and the checksum of every file."""

import hashlib
import io
import os
import subprocess
import tarfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from plans.services.collaboration import add_attachment
from reports.enums import JobStatus, ReportKind
from reports.models import ReportJob
from reports.services import request_plan_report
from tests.factories import PlanFactory
from tests.reports.scenario import reviewed_plan

from .conftest import ROOT, _database_url

pytestmark = pytest.mark.integration

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def media(transactional_db, tmp_path, settings):
    root = tmp_path / "media"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": "/private-media/"},
        },
    }
    return root


def _row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def _checksums(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _wipe(root: Path) -> None:
    """Every row of every table and every file: what a lost disk leaves."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        quoted = ", ".join(connection.ops.quote_name(t) for t in tables)
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in tables:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608
            cursor.execute("PRAGMA foreign_keys = ON")
    connection.close()
    for path in sorted(root.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()


def _run(script: str, *args: str, env: dict) -> subprocess.CompletedProcess:
    connection.close()  # the scripts replace what this process has open
    return subprocess.run(
        [str(ROOT / "scripts" / script), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def test_backup_wipe_restore_brings_back_every_row_and_every_file(media, tmp_path, client):
    scenario = reviewed_plan()
    job = request_plan_report(kind=ReportKind.PLAN_DOCUMENT, plan=scenario.plan, by=scenario.agent)
    job.refresh_from_db()
    assert (job.status, len(job.verification_code)) == (JobStatus.DONE, 16)
    draft = PlanFactory(cycle=scenario.cycle)
    attachment = add_attachment(
        draft,
        uploaded=SimpleUploadedFile("baseline.pdf", PDF, content_type="application/pdf"),
        by=draft.owner.user,
        description="Data awal",
    )
    counts, files = _row_counts(), _checksums(media)
    assert (counts["reports_reportjob"], counts["plans_attachment"]) == (1, 1)
    assert sorted(files) == sorted([job.file.name, attachment.file.name])

    backups = tmp_path / "backups"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "AGENPLAN_MEDIA_ROOT": str(media),
        "BACKUP_DIR": str(backups),
        "BACKUP_KEEP": "2",
    }
    for _ in range(3):
        result = _run("backup.sh", env=env)
        assert result.returncode == 0, result.stderr
    archives = sorted(backups.glob("agenplan-*.tar"))
    assert len(archives) == 2, "retention keeps the newest BACKUP_KEEP archives"
    assert sorted(p.name for p in backups.iterdir()) == sorted(
        [a.name for a in archives] + [f"{a.name}.sha256" for a in archives]
    )
    with tarfile.open(archives[-1]) as archive:
        names = sorted(archive.getnames())
    database_file = "database.dump" if connection.vendor == "postgresql" else "database.sqlite3"
    assert names == sorted([database_file, "media.tar", "MANIFEST", "SHA256SUMS"])

    _wipe(media)
    assert _row_counts()["reports_reportjob"] == 0
    assert _checksums(media) == {}
    assert (
        client.get(reverse("report_jobs:verify", args=[job.verification_code])).status_code == 404
    )

    result = _run("restore.sh", str(archives[-1]), "--yes", env=env)
    assert result.returncode == 0, result.stderr
    assert _row_counts() == counts
    assert _checksums(media) == files
    page = client.get(reverse("report_jobs:verify", args=[job.verification_code]))
    assert page.status_code == 200
    assert scenario.plan.title in page.content.decode()
    with ReportJob.objects.get().file.open("rb") as document:
        assert document.read(5) == b"%PDF-"


def test_restore_refuses_a_damaged_archive_and_changes_nothing(media, tmp_path):
    PlanFactory()
    backups = tmp_path / "backups"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "AGENPLAN_MEDIA_ROOT": str(media),
        "BACKUP_DIR": str(backups),
    }
    assert _run("backup.sh", env=env).returncode == 0
    (archive,) = backups.glob("agenplan-*.tar")
    # A part replaced inside the archive (the archive's own checksum removed with it).
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "media.tar":
                data = data[:-1] + b"x"
            target.addfile(member, io.BytesIO(data))
    counts = _row_counts()
    result = _run("restore.sh", str(damaged), "--yes", env=env)
    assert result.returncode == 1
    assert "media.tar: FAILED" in result.stdout + result.stderr
    assert _row_counts() == counts
    # Without --yes and without a terminal, nothing is restored either.
    result = _run("restore.sh", str(archive), env=env)
    assert (result.returncode, result.stderr.strip()) == (
        1,
        "restore: not a terminal; pass --yes to replace the database and the media",
    )
