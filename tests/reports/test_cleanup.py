"""The retention clean-up of finished report files: the service, the pages afterwards, the
nightly task and its beat entry, and `manage.py cleanup_files` (reports and imports)."""

import datetime as dt
import io
import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from agenplan.celery import app
from reports import services
from reports.enums import JobStatus, ReportKind
from reports.models import ReportJob
from reports.rendering import ReportError
from reports.tasks import clean_up_report_files
from tests.factories import AgentFactory, wita

NOW = wita(2026, 11, 28, 2, 30)
TOKEN = "0123456789abcdef0123456789abcdef"


@pytest.fixture(autouse=True)
def retention(settings, private_media):
    """Reports are kept 30 days and import uploads 24 hours, in the test's own folder."""
    settings.AGENPLAN_REPORT_RETENTION_DAYS = 30
    settings.AGENPLAN_IMPORT_RETENTION_HOURS = 24


@pytest.fixture
def user(db):
    return AgentFactory().user


def finished_job(user, *, finished_at, status=JobStatus.DONE, kind=ReportKind.PLAN_DOCUMENT):
    """A job with a file in its folder, finished (or not) at `finished_at`."""
    job = ReportJob.objects.create(
        requested_by=user,
        kind=kind,
        params={"plan_id": 1},
        status=status,
        finished_at=finished_at if status in (JobStatus.DONE, JobStatus.FAILED) else None,
        started_at=finished_at,
        verification_code=services.new_verification_code(),
    )
    ReportJob.objects.filter(pk=job.pk).update(created_at=finished_at)
    job.file.name = default_storage.save(
        f"{services.job_folder(job.pk)}/laporan-{job.pk}.pdf", ContentFile(b"%PDF-1.7")
    )
    job.save(update_fields=["file"])
    job.refresh_from_db()
    return job


def exists(job_or_name) -> bool:
    name = job_or_name if isinstance(job_or_name, str) else job_or_name.file.name
    return default_storage.exists(name)


# --- The service ------------------------------------------------------------------------------


def test_files_past_the_retention_are_removed_and_their_jobs_marked(user, private_media):
    old = finished_job(user, finished_at=NOW - dt.timedelta(days=31))
    recent = finished_job(user, finished_at=NOW - dt.timedelta(days=29))
    old_name, old_code = old.file.name, old.verification_code

    removed = services.remove_expired_report_files(now=NOW)

    assert removed == [old_name]
    assert not exists(old_name)
    assert not (private_media / services.job_folder(old.pk)).exists()  # no empty folder left
    old.refresh_from_db()
    assert (old.status, old.file.name, old.file_removed_at) == (JobStatus.DONE, "", NOW)
    assert old.verification_code == old_code  # printed copies still verify
    assert old.file_kept_days == 31
    assert exists(recent)
    recent.refresh_from_db()
    assert (recent.file_removed_at, recent.file_kept_days) == (None, None)


def test_queued_running_and_failed_jobs_are_never_touched(user):
    long_ago = NOW - dt.timedelta(days=400)
    others = [
        finished_job(user, finished_at=long_ago, status=status)
        for status in (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.FAILED)
    ]

    assert services.remove_expired_report_files(now=NOW) == []

    for job in others:
        assert exists(job)
        job.refresh_from_db()
        assert job.file_removed_at is None
        assert job.file.name != ""


def test_a_file_already_missing_is_tolerated_and_the_job_marked(user):
    job = finished_job(user, finished_at=NOW - dt.timedelta(days=60))
    default_storage.delete(job.file.name)

    assert services.remove_expired_report_files(now=NOW) == [job.file.name]

    job.refresh_from_db()
    assert (job.file.name, job.file_removed_at) == ("", NOW)


def test_removal_goes_through_every_batch_and_a_second_run_finds_nothing(user):
    jobs = [finished_job(user, finished_at=NOW - dt.timedelta(days=40 + i)) for i in range(5)]

    removed = services.remove_expired_report_files(now=NOW, batch_size=2)

    assert removed == [job.file.name for job in jobs]
    assert ReportJob.objects.filter(file_removed_at=NOW, file="").count() == 5
    assert services.remove_expired_report_files(now=NOW, batch_size=2) == []


def test_a_file_that_cannot_be_deleted_leaves_its_job_for_the_next_run(user, monkeypatch):
    broken, fine = (finished_job(user, finished_at=NOW - dt.timedelta(days=45)) for _ in "ab")
    delete = FileSystemStorage.delete

    def flaky_delete(storage, name):
        if name == broken.file.name:
            raise PermissionError(name)
        delete(storage, name)

    monkeypatch.setattr(FileSystemStorage, "delete", flaky_delete)
    assert services.remove_expired_report_files(now=NOW) == [fine.file.name]
    broken.refresh_from_db()
    assert (broken.file_removed_at, exists(broken)) == (None, True)

    monkeypatch.undo()
    assert services.remove_expired_report_files(now=NOW) == [broken.file.name]


def test_the_chunks_left_by_a_batch_go_with_its_file(user, private_media):
    job = finished_job(user, finished_at=NOW - dt.timedelta(days=31), kind=ReportKind.CYCLE_PACKETS)
    chunk = default_storage.save(
        f"{services.job_folder(job.pk)}/chunks/1/chunk-0000.zip", ContentFile(b"PK")
    )

    assert services.remove_expired_report_files(now=NOW) == [job.file.name]

    assert not exists(chunk)
    assert not (private_media / services.job_folder(job.pk)).exists()


def test_dry_run_names_the_files_and_changes_nothing(user):
    job = finished_job(user, finished_at=NOW - dt.timedelta(days=31))

    assert services.remove_expired_report_files(now=NOW, dry_run=True) == [job.file.name]

    assert exists(job)
    job.refresh_from_db()
    assert job.file_removed_at is None


def test_the_retention_follows_the_setting_and_zero_keeps_files_for_ever(user, settings):
    job = finished_job(user, finished_at=NOW - dt.timedelta(days=8))
    settings.AGENPLAN_REPORT_RETENTION_DAYS = 0
    assert services.remove_expired_report_files(now=NOW) == []
    settings.AGENPLAN_REPORT_RETENTION_DAYS = 10
    assert services.remove_expired_report_files(now=NOW) == []
    settings.AGENPLAN_REPORT_RETENTION_DAYS = 7
    assert services.remove_expired_report_files(now=NOW) == [job.file.name]


# --- After the removal: requests, retries, pages -----------------------------------------------


def _render_and_expire(scenario, capture, *, kind=ReportKind.PLAN_DOCUMENT, by=None):
    """A real job, rendered, then cleaned up 31 days after it finished."""
    by = by or scenario.agent
    with capture(execute=True):
        if kind == ReportKind.PLAN_DOCUMENT:
            job = services.request_plan_report(kind=kind, plan=scenario.plan, by=by)
        else:
            job = services.request_cycle_report(kind=kind, cycle=scenario.cycle, by=by)
    job.refresh_from_db()
    name = job.file.name
    assert exists(name)
    later = job.finished_at + dt.timedelta(days=31)
    assert services.remove_expired_report_files(now=later) == [name]
    job.refresh_from_db()
    return job


def test_an_identical_request_after_the_removal_makes_a_new_job(
    scenario, client, django_capture_on_commit_callbacks
):
    old = _render_and_expire(scenario, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = services.request_plan_report(
            kind=ReportKind.PLAN_DOCUMENT, plan=scenario.plan, by=scenario.agent
        )

    assert len(callbacks) == 1
    assert again.pk != old.pk
    again.refresh_from_db()
    assert again.status == JobStatus.DONE
    assert exists(again)
    assert again.verification_code != old.verification_code
    # The removed job's printed copies still verify, as what they were.
    response = client.get(f"/verify/{old.verification_code}")
    assert response.status_code == 200
    assert response.context["document"].issued_at == old.finished_at


def test_a_removed_job_cannot_be_retried_or_rendered_again_in_place(
    scenario, django_capture_on_commit_callbacks
):
    job = _render_and_expire(scenario, django_capture_on_commit_callbacks)

    assert services.can_retry(job) is False
    with pytest.raises(ReportError):
        services.retry_job(job, by=scenario.agent)
    services.run_job(job.pk)  # a late duplicate delivery
    job.refresh_from_db()
    assert (job.status, job.file.name, job.attempts) == (JobStatus.DONE, "", 1)


def test_the_job_page_says_the_file_was_removed_and_asks_again_through_the_request_form(
    scenario, client, django_capture_on_commit_callbacks
):
    job = _render_and_expire(scenario, django_capture_on_commit_callbacks)
    client.force_login(scenario.agent)
    detail = reverse("report_jobs:detail", args=[job.pk])

    content = client.get(detail).content.decode()

    assert "Berkas sudah dihapus setelah 31 hari; minta lagi bila masih diperlukan." in content
    assert reverse("report_jobs:download", args=[job.pk]) not in content
    assert reverse("report_jobs:retry", args=[job.pk]) not in content
    assert f'action="{reverse("report_jobs:request")}"' in content
    assert '<input type="hidden" name="kind" value="plan_document">' in content
    assert f'<input type="hidden" name="plan" value="{scenario.plan.pk}">' in content
    assert client.get(reverse("report_jobs:download", args=[job.pk])).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("report_jobs:request"),
            {"kind": "plan_document", "plan": scenario.plan.pk, "next": detail},
        )
    new = ReportJob.objects.exclude(pk=job.pk).get()
    assert response["Location"] == reverse("report_jobs:detail", args=[new.pk])
    download = client.get(reverse("report_jobs:download", args=[new.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_a_removed_cycle_report_asks_again_with_the_cycle_code(
    scenario, client, django_capture_on_commit_callbacks
):
    job = _render_and_expire(
        scenario,
        django_capture_on_commit_callbacks,
        kind=ReportKind.CYCLE_SUMMARY,
        by=scenario.coordinator,
    )
    client.force_login(scenario.coordinator)

    content = client.get(reverse("report_jobs:detail", args=[job.pk])).content.decode()

    assert '<input type="hidden" name="kind" value="cycle_summary">' in content
    assert f'<input type="hidden" name="cycle" value="{scenario.cycle.code}">' in content


def test_my_jobs_shows_the_removal_and_offers_to_ask_again_instead_of_a_download(
    scenario, client, django_capture_on_commit_callbacks
):
    job = _render_and_expire(scenario, django_capture_on_commit_callbacks)
    client.force_login(scenario.agent)

    response = client.get(reverse("report_jobs:list"))

    content = response.content.decode()
    assert "Berkas dihapus setelah 31 hari" in content
    assert reverse("report_jobs:download", args=[job.pk]) not in content
    assert f'<input type="hidden" name="plan" value="{scenario.plan.pk}">' in content
    assert [row.plan_id for row in response.context["rows"]] == [scenario.plan.pk]


@pytest.fixture
def in_english(client):
    """The client switches to English; the thread's language is restored afterwards (the
    middleware leaves it active, and later tests format dates outside a request)."""
    client.post(reverse("set_language"), {"language": "en"})
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


def test_the_english_page_says_the_file_was_removed(
    scenario, client, django_capture_on_commit_callbacks, in_english
):
    job = _render_and_expire(scenario, django_capture_on_commit_callbacks)
    client.force_login(scenario.agent)

    content = client.get(reverse("report_jobs:detail", args=[job.pk])).content.decode()

    assert "The file was removed after 31 days; ask again if you still need it." in content
    assert "Ask again" in content


# --- The nightly task, its beat entry, and the command ------------------------------------------


def test_the_task_removes_what_is_past_the_retention(user):
    old = finished_job(user, finished_at=timezone.now() - dt.timedelta(days=31))
    recent = finished_job(user, finished_at=timezone.now() - dt.timedelta(days=1))

    assert clean_up_report_files.delay().get() == 1

    assert (exists(old), exists(recent)) == (False, True)


@pytest.mark.parametrize(
    ("entry", "task"),
    [
        ("reports-clean-up-report-files", "reports.tasks.clean_up_report_files"),
        ("assessment-clean-up-import-files", "assessment.tasks.clean_up_import_files"),
    ],
)
def test_beat_runs_the_clean_ups_every_night_wita(entry, task):
    app.loader.import_default_modules()
    schedule = django_settings.CELERY_BEAT_SCHEDULE[entry]
    assert schedule["task"] == task
    assert task in app.tasks
    assert django_settings.CELERY_TIMEZONE == "Asia/Makassar"
    assert schedule["schedule"].hour <= set(range(1, 5))  # at night, WITA
    assert len(schedule["schedule"].hour) == len(schedule["schedule"].minute) == 1


def _import_upload(media: Path, name: str, *, age: dt.timedelta) -> Path:
    folder = media / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(b"nip,nama\n")
    moment = (timezone.now() - age).timestamp()
    os.utime(path, (moment, moment))
    return path


def test_the_command_removes_both_kinds_and_prints_what_it_removed(user, private_media):
    report = finished_job(user, finished_at=timezone.now() - dt.timedelta(days=31))
    finished_job(user, finished_at=timezone.now() - dt.timedelta(days=2))
    upload = _import_upload(private_media, f"{TOKEN}.csv", age=dt.timedelta(hours=25))
    _import_upload(private_media, f"{TOKEN[::-1]}.xlsx", age=dt.timedelta(hours=2))

    out = io.StringIO()
    call_command("cleanup_files", "--dry-run", stdout=out)
    assert out.getvalue().splitlines() == [
        f"would remove\t{report.file.name}",
        f"would remove\timports/{TOKEN}.csv",
        "Dry run (run without --dry-run to remove): "
        "reports=1 (older than 30 days) imports=1 (older than 24 hours) "
        "import rows=0 (older than 30 days)",
    ]
    assert exists(report) and upload.exists()

    out = io.StringIO()
    call_command("cleanup_files", stdout=out, no_color=True)
    assert out.getvalue().splitlines() == [
        f"removed\t{report.file.name}",
        f"removed\timports/{TOKEN}.csv",
        "Removed: reports=1 (older than 30 days) imports=1 (older than 24 hours) "
        "import rows=0 (older than 30 days)",
    ]
    assert not exists(report) and not upload.exists()
    report.refresh_from_db()
    assert report.file_removed_at is not None

    out = io.StringIO()
    call_command("cleanup_files", stdout=out, no_color=True)
    assert out.getvalue().splitlines() == [
        "Removed: reports=0 (older than 30 days) imports=0 (older than 24 hours) "
        "import rows=0 (older than 30 days)"
    ]


def test_the_command_says_when_files_are_kept_for_ever(db, settings):
    settings.AGENPLAN_REPORT_RETENTION_DAYS = 0
    settings.AGENPLAN_IMPORT_RETENTION_HOURS = 0
    settings.AGENPLAN_IMPORT_DETAILS_RETENTION_DAYS = 0
    out = io.StringIO()
    call_command("cleanup_files", stdout=out, no_color=True)
    assert out.getvalue() == (
        "Removed: reports=0 (kept for ever) imports=0 (kept for ever) "
        "import rows=0 (kept for ever)\n"
    )
