"""The participant files kept between the dry run and the confirmation: staged through the
storage API (so another web host or an object store serves the confirmation), and
removed after AGENPLAN_IMPORT_RETENTION_HOURS."""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from agents.models import Agent, User
from assessment.enums import ImportStatus
from assessment.models import ParticipantImport
from assessment.services import import_jobs
from assessment.services.staging import (
    discard_staged,
    read_staged,
    remove_expired_import_files,
    stage_upload,
)
from assessment.tasks import clean_up_import_files
from tests.factories import AgencyFactory, wita

from .test_imports import csv_file, nip

NOW = wita(2026, 11, 28, 2, 45)
OLD = "0123456789abcdef0123456789abcdef.csv"
RECENT = "fedcba9876543210fedcba9876543210.xlsx"


@pytest.fixture(autouse=True)
def media(private_media, settings):
    settings.AGENPLAN_IMPORT_RETENTION_HOURS = 24
    return private_media


def upload(media: Path, name: str, *, age: dt.timedelta, now: dt.datetime = NOW) -> Path:
    folder = media / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(b"nip,nama\n")
    moment = (now - age).timestamp()
    os.utime(path, (moment, moment))
    return path


def test_uploads_past_the_retention_are_removed_and_recent_ones_kept(media):
    old = upload(media, OLD, age=dt.timedelta(hours=25))
    recent = upload(media, RECENT, age=dt.timedelta(hours=23))

    assert remove_expired_import_files(now=NOW) == [f"imports/{OLD}"]

    assert (old.exists(), recent.exists()) == (False, True)
    assert remove_expired_import_files(now=NOW) == []


def test_files_the_page_did_not_write_are_left_alone(media):
    kept = [
        upload(media, name, age=dt.timedelta(days=90))
        for name in ("README.txt", "0123456789abcdef0123456789abcdef.pdf", "x.csv")
    ]
    (media / "imports" / "0123456789abcdef0123456789abcdef.xlsx").mkdir()

    assert remove_expired_import_files(now=NOW) == []

    assert all(path.exists() for path in kept)


def test_a_missing_folder_is_fine(media):
    assert not (media / "imports").exists()
    assert remove_expired_import_files(now=NOW) == []


def test_dry_run_names_the_uploads_and_removes_nothing(media):
    old = upload(media, OLD, age=dt.timedelta(days=3))

    assert remove_expired_import_files(now=NOW, dry_run=True) == [f"imports/{OLD}"]

    assert old.exists()


def test_the_retention_follows_the_setting_and_zero_keeps_uploads_for_ever(media, settings):
    old = upload(media, OLD, age=dt.timedelta(hours=5))
    settings.AGENPLAN_IMPORT_RETENTION_HOURS = 0
    assert remove_expired_import_files(now=NOW) == []
    settings.AGENPLAN_IMPORT_RETENTION_HOURS = 6
    assert remove_expired_import_files(now=NOW) == []
    settings.AGENPLAN_IMPORT_RETENTION_HOURS = 4
    assert remove_expired_import_files(now=NOW) == [f"imports/{OLD}"]
    assert not old.exists()


def test_the_task_removes_what_is_past_the_retention(media, db):
    now = timezone.now()
    old = upload(media, OLD, age=dt.timedelta(hours=30), now=now)
    recent = upload(media, RECENT, age=dt.timedelta(hours=1), now=now)

    assert clean_up_import_files.delay().get() == 1

    assert (old.exists(), recent.exists()) == (False, True)


def test_confirming_a_removed_upload_asks_to_upload_again(
    client, coordinator, db, media, django_capture_on_commit_callbacks
):
    AgencyFactory(code="DINKES")
    client.force_login(coordinator)
    job = dry_run(
        client, django_capture_on_commit_callbacks, csv_file(f"{nip(1)},Budi,,,,DINKES,,,,,")
    )
    kept = media / "imports" / job.token
    assert kept.is_file()
    day_ago = (timezone.now() - dt.timedelta(hours=25)).timestamp()
    os.utime(kept, (day_ago, day_ago))

    assert remove_expired_import_files() == [f"imports/{job.token}"]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("assessment:participant_import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert (job.status, job.error) == (
        ImportStatus.FAILED,
        "Berkas uji coba tidak ditemukan lagi (disimpan paling lama sehari); unggah ulang.",
    )
    page = client.get(reverse("assessment:participant_import", args=[job.pk])).content.decode()
    assert "unggah ulang" in page
    assert not User.objects.filter(nip=nip(1)).exists()


# --- Through the storage API only: another host, or an object store ---------------------


@pytest.fixture
def memory_storage(settings):
    """A default storage with no file system behind it, as an object store would be."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    return default_storage


def dry_run(client, captured, content: bytes, name: str = "peserta.csv") -> ParticipantImport:
    with captured(execute=True):
        response = client.post(
            reverse("assessment:participants"),
            {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
        )
    assert response.status_code == 302
    job = ParticipantImport.objects.latest("requested_at")
    assert job.status == ImportStatus.CHECKED
    return job


def test_dry_run_and_confirmation_go_through_the_default_storage(
    client, coordinator, db, media, memory_storage, django_capture_on_commit_callbacks
):
    dinkes = AgencyFactory(code="DINKES")
    client.force_login(coordinator)

    job = dry_run(
        client, django_capture_on_commit_callbacks, csv_file(f"{nip(1)},Budi,,,,DINKES,,,,,")
    )

    assert memory_storage.listdir("imports") == ([], [job.token])
    assert not (media / "imports").exists()  # nothing on the web host's own disk
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("assessment:participant_import_confirm", args=[job.pk]))
    assert response.status_code == 302
    assert Agent.objects.get(user__nip=nip(1)).agency == dinkes
    assert memory_storage.listdir("imports") == ([], [])


def test_the_clean_up_reads_ages_and_removes_through_the_storage(
    client, coordinator, db, memory_storage, django_capture_on_commit_callbacks
):
    AgencyFactory(code="DINKES")
    client.force_login(coordinator)
    content = csv_file(f"{nip(1)},Budi,,,,DINKES,,,,,")
    token = dry_run(client, django_capture_on_commit_callbacks, content).token
    memory_storage.save("imports/catatan-operator.txt", ContentFile(b"jangan dihapus"))
    saved_at = memory_storage.get_modified_time(f"imports/{token}")

    assert remove_expired_import_files(now=saved_at + dt.timedelta(hours=23)) == []
    assert remove_expired_import_files(now=saved_at + dt.timedelta(hours=25), dry_run=True) == [
        f"imports/{token}"
    ]
    assert memory_storage.exists(f"imports/{token}")
    assert remove_expired_import_files(now=saved_at + dt.timedelta(hours=25)) == [
        f"imports/{token}"
    ]

    assert memory_storage.listdir("imports") == ([], ["catatan-operator.txt"])


@pytest.mark.parametrize(
    "token",
    ["", "../settings.py", "imports/0123456789abcdef0123456789abcdef.csv", "catatan.txt"],
)
def test_a_token_the_page_did_not_write_reads_nothing(coordinator, media, token):
    (media / "imports").mkdir(parents=True)
    (media / "catatan.txt").write_bytes(b"nip,nama\n")
    job = ParticipantImport.objects.create(
        requested_by=coordinator, filename="p.csv", token=token, status=ImportStatus.QUEUED
    )

    assert read_staged(token) is None
    import_jobs.perform_import(job.pk)

    job.refresh_from_db()
    assert (job.status, job.error) == (
        ImportStatus.FAILED,
        "Berkas uji coba tidak ditemukan lagi (disimpan paling lama sehari); unggah ulang.",
    )
    assert (media / "catatan.txt").exists()


def test_staging_refuses_a_file_that_is_not_csv_or_xlsx(memory_storage):
    with pytest.raises(ValueError, match="not a participants file"):
        stage_upload("peserta.txt", b"x")
    assert memory_storage.listdir("") == ([], [])


def test_a_staged_file_reads_back_as_written_and_is_gone_once_discarded(memory_storage):
    token = stage_upload("Peserta.XLSX", b"PK\x03\x04 isi")

    assert token.endswith(".xlsx")
    assert read_staged(token) == b"PK\x03\x04 isi"
    discard_staged(token)
    assert read_staged(token) is None


# --- The rows of ended imports: names, NIPs and e-mail addresses are not kept for ever ----


def _ended_import(client, captured, *, days_ago: int, n: int = 1) -> ParticipantImport:
    """An import of one valid row (NIP number `n`) and one refused row, written, requested
    `days_ago` days ago."""
    job = dry_run(
        client,
        captured,
        csv_file(f"{nip(n)},Budi,,,,DINKES,,,,,", f"{nip(n + 1)},Tanpa Instansi,,,,XXX,,,,,"),
    )
    with captured(execute=True):
        client.post(
            reverse("assessment:participant_import_confirm", args=[job.pk]), {"skip_invalid": "1"}
        )
    job.refresh_from_db()
    assert (job.status, job.created, job.refused) == (ImportStatus.DONE, 1, 1)
    ParticipantImport.objects.filter(pk=job.pk).update(
        requested_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    return job


@pytest.fixture
def signed_in(client, coordinator, db, media):
    AgencyFactory(code="DINKES")
    client.force_login(coordinator)
    return client


def test_the_rows_of_imports_past_the_retention_are_emptied_and_the_counts_kept(
    signed_in, settings, django_capture_on_commit_callbacks
):
    settings.AGENPLAN_IMPORT_DETAILS_RETENTION_DAYS = 30
    old = _ended_import(signed_in, django_capture_on_commit_callbacks, days_ago=31)
    recent = _ended_import(signed_in, django_capture_on_commit_callbacks, days_ago=29, n=3)

    assert import_jobs.forget_expired_import_details(dry_run=True) == [old.pk]
    old.refresh_from_db()
    assert old.outcome and old.refused_rows  # a dry run changes nothing

    assert import_jobs.forget_expired_import_details() == [old.pk]
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.outcome, old.refused_rows, old.confirmed_nips) == ([], [], [])
    assert (old.rows_total, old.created, old.refused, old.status) == (2, 1, 1, ImportStatus.DONE)
    assert recent.outcome and recent.refused_rows
    assert import_jobs.forget_expired_import_details() == []  # once
    # The agent written by the import stays: only the import's copy of the rows goes.
    assert User.objects.filter(nip=nip(1)).exists()


def test_zero_keeps_the_rows_for_ever_and_active_imports_are_left_alone(
    signed_in, settings, django_capture_on_commit_callbacks
):
    job = _ended_import(signed_in, django_capture_on_commit_callbacks, days_ago=400)
    settings.AGENPLAN_IMPORT_DETAILS_RETENTION_DAYS = 0
    assert import_jobs.forget_expired_import_details() == []
    settings.AGENPLAN_IMPORT_DETAILS_RETENTION_DAYS = 30
    ParticipantImport.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING)
    assert import_jobs.forget_expired_import_details() == []
    ParticipantImport.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED)
    assert import_jobs.forget_expired_import_details() == [job.pk]


def test_the_page_of_an_import_whose_rows_are_gone_says_so(
    signed_in, settings, django_capture_on_commit_callbacks
):
    settings.AGENPLAN_IMPORT_DETAILS_RETENTION_DAYS = 30
    job = _ended_import(signed_in, django_capture_on_commit_callbacks, days_ago=31)
    page = reverse("assessment:participant_import", args=[job.pk])
    assert nip(1) in signed_in.get(page).content.decode()

    assert clean_up_import_files.delay().get() == 0  # the nightly task empties the rows too

    html = signed_in.get(page).content.decode()
    assert nip(1) not in html and 'id="import-rows-removed"' in html
    assert "sudah dihapus (disimpan 30 hari)" in html
    assert 'id="refused-download"' not in html and 'id="dry-run-summary"' in html
    response = signed_in.get(reverse("assessment:participant_import_refused", args=[job.pk]))
    assert response.status_code == 302
    messages = [str(m) for m in signed_in.get(page).context["messages"]]
    assert messages == [
        "Rincian per baris impor ini sudah dihapus (disimpan 30 hari); jumlahnya tetap tercatat."
    ]
