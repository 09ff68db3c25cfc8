"""The retention clean-up of uploaded participant files kept between the dry run and the
confirmation (AGENPLAN_IMPORT_RETENTION_HOURS)."""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from agents.models import User
from assessment.services.participants import remove_expired_import_files
from assessment.tasks import clean_up_import_files
from tests.factories import AgencyFactory, wita

from .test_imports import csv_file, nip

NOW = wita(2026, 11, 28, 2, 45)
OLD = "0123456789abcdef0123456789abcdef.csv"
RECENT = "fedcba9876543210fedcba9876543210.xlsx"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AGENPLAN_IMPORT_RETENTION_HOURS = 24
    return tmp_path / "media"


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


def test_the_task_removes_what_is_past_the_retention(media):
    now = timezone.now()
    old = upload(media, OLD, age=dt.timedelta(hours=30), now=now)
    recent = upload(media, RECENT, age=dt.timedelta(hours=1), now=now)

    assert clean_up_import_files.delay().get() == 1

    assert (old.exists(), recent.exists()) == (False, True)


def test_confirming_a_removed_upload_asks_to_upload_again(client, coordinator, db, media):
    AgencyFactory(code="DINKES")
    client.force_login(coordinator)
    response = client.post(
        reverse("assessment:participants"),
        {
            "file": SimpleUploadedFile(
                "peserta.csv", csv_file(f"{nip(1)},Budi,,,,DINKES,,,,,"), content_type="text/csv"
            )
        },
    )
    token = response.context["token"]
    kept = media / "imports" / token
    assert kept.is_file()
    day_ago = (timezone.now() - dt.timedelta(hours=25)).timestamp()
    os.utime(kept, (day_ago, day_ago))

    assert remove_expired_import_files() == [f"imports/{token}"]

    response = client.post(
        reverse("assessment:participants_confirm"), {"token": token}, follow=True
    )
    assert response.redirect_chain == [(reverse("assessment:participants"), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Berkas uji coba tidak ditemukan; unggah ulang."
    ]
    assert not User.objects.filter(nip=nip(1)).exists()
