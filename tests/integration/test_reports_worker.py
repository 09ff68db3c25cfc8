"""Report jobs rendered by a real Celery worker process against the configured broker
(the filesystem transport by default, Redis with CELERY_BROKER_URL=redis://…).

- request → queued → running → done → download through the view;
- a worker killed mid-render: after a restart the job completes, with one file;
- a failing render ends as `failed` with a message;
- a request whose transaction rolls back never reaches the broker;
- the ZIP of a cycle's packets, rendered in chunks by the worker.
"""

import io
import os
import zipfile
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse

from agenplan.celery import app as celery_app
from agents.enums import Role
from plans.enums import PlanState
from reports.enums import JobStatus, ReportKind
from reports.models import ReportJob
from reports.services import request_cycle_report, request_plan_report
from tests.factories import PlanFactory, user_with_role
from tests.reports.scenario import reviewed_plan

from .conftest import Worker, _purge_queues, wait_for

pytestmark = pytest.mark.integration

REDIS = os.environ.get("CELERY_BROKER_URL", "").startswith("redis")
# Seconds each render sleeps in the worker, to see it running and to kill it mid-render.
DELAY = 4
VISIBILITY = 6


@pytest.fixture
def workers(transactional_db, tmp_path, monkeypatch, settings):
    """Start real workers (one at a time) whose renders take DELAY seconds; this test and
    its workers keep reports in the test's own media folder."""
    media = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media), "base_url": "/private-media/"},
        },
    }
    monkeypatch.setenv("AGENPLAN_TEST_MEDIA_ROOT", str(media))
    monkeypatch.setenv("AGENPLAN_REPORT_TEST_DELAY", str(DELAY))
    monkeypatch.setenv("AGENPLAN_TEST_VISIBILITY_TIMEOUT", str(VISIBILITY))
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    _purge_queues()
    started: list[Worker] = []

    def start() -> Worker:
        worker = Worker(tmp_path / f"worker-{len(started)}.log")
        worker.start()
        started.append(worker)
        return worker

    try:
        yield start
    finally:
        for worker in started:
            worker.close()
        celery_app.conf.task_always_eager = previous


def _job_files(job: ReportJob) -> list[str]:
    folder = Path(default_storage.location) / "reports" / "jobs" / str(job.pk)
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def _status(job: ReportJob) -> str:
    job.refresh_from_db()
    return job.status


def _received(workers_logs: list[str], task: str) -> int:
    return sum(
        1
        for log in workers_logs
        for line in log.splitlines()
        if f"Task reports.tasks.{task}[" in line and line.endswith("] received")
    )


def _succeeded(log: str, task: str) -> int:
    return sum(
        1
        for line in log.splitlines()
        if f"Task reports.tasks.{task}[" in line and " succeeded in " in line
    )


def test_request_queued_running_done_download(workers, client):
    scenario = reviewed_plan()
    worker = workers()
    job = request_plan_report(kind=ReportKind.PLAN_DOCUMENT, plan=scenario.plan, by=scenario.agent)
    assert job.status == JobStatus.QUEUED

    wait_for(lambda: _status(job) == JobStatus.RUNNING, timeout=60, worker=worker)
    assert job.worker.startswith("celery@")
    assert job.started_at is not None
    wait_for(lambda: _status(job) in (JobStatus.DONE, JobStatus.FAILED), timeout=90, worker=worker)
    assert job.status == JobStatus.DONE, job.error
    assert (job.progress, job.attempts) == (100, 1)
    assert job.duration.total_seconds() >= DELAY

    client.force_login(scenario.agent)
    status = client.get(reverse("report_jobs:status", args=[job.pk])).content.decode()
    assert "hx-trigger" not in status
    response = client.get(reverse("report_jobs:download", args=[job.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert _job_files(job) == [Path(job.file.name).name]


def test_a_worker_killed_mid_render_completes_the_job_after_restart(workers):
    scenario = reviewed_plan()
    first = workers()
    job = request_plan_report(
        kind=ReportKind.REVIEW_PACKET, plan=scenario.plan, by=scenario.coordinator
    )
    wait_for(lambda: _status(job) == JobStatus.RUNNING, timeout=60, worker=first)
    first.kill()  # SIGKILL in the middle of the DELAY-second render: nothing is acknowledged
    assert _status(job) == JobStatus.RUNNING
    assert _job_files(job) == []

    second = workers()
    wait_for(lambda: _status(job) in (JobStatus.DONE, JobStatus.FAILED), timeout=120, worker=second)
    assert job.status == JobStatus.DONE, job.error
    assert job.attempts == 2
    assert _job_files(job) == [Path(job.file.name).name]
    finished = job.finished_at

    if REDIS:
        # The killed worker's message is still unacknowledged in Redis: after the visibility
        # timeout it is delivered again, finds the job done, and changes nothing.
        wait_for(
            lambda: (
                _received([second.log()], "render_report") >= 2
                and _succeeded(second.log(), "render_report") >= 2
            ),
            timeout=VISIBILITY + 90,
            worker=second,
        )
        job.refresh_from_db()
        assert (job.status, job.attempts, job.finished_at) == (JobStatus.DONE, 2, finished)
        assert _job_files(job) == [Path(job.file.name).name]


def test_a_failing_render_ends_failed_with_a_message(workers):
    worker = workers()
    plan = PlanFactory(state=PlanState.DRAFT)
    coordinator = user_with_role(Role.COORDINATOR)
    job = request_plan_report(kind=ReportKind.REVIEW_PACKET, plan=plan, by=coordinator)
    wait_for(lambda: _status(job) in (JobStatus.DONE, JobStatus.FAILED), timeout=90, worker=worker)
    assert job.status == JobStatus.FAILED
    assert job.error == "Rencana ini belum pernah diajukan, sehingga belum ada paket penilaian."
    assert job.finished_at is not None
    assert _job_files(job) == []


def test_no_task_is_enqueued_when_the_transaction_rolls_back(workers):
    scenario = reviewed_plan()
    worker = workers()
    with pytest.raises(RuntimeError), transaction.atomic():
        request_plan_report(kind=ReportKind.PLAN_DOCUMENT, plan=scenario.plan, by=scenario.agent)
        raise RuntimeError("rolled back after the job was created")
    assert ReportJob.objects.count() == 0
    # A later request goes through: the worker receives exactly that one task.
    job = request_plan_report(kind=ReportKind.PLAN_DOCUMENT, plan=scenario.plan, by=scenario.agent)
    wait_for(lambda: _status(job) in (JobStatus.DONE, JobStatus.FAILED), timeout=90, worker=worker)
    assert job.status == JobStatus.DONE, job.error
    assert _received([worker.log()], "render_report") == 1


def test_the_worker_renders_a_cycle_of_packets_into_one_zip(workers, monkeypatch):
    monkeypatch.setenv("AGENPLAN_REPORT_TEST_DELAY", "0")
    scenario = reviewed_plan()
    worker = workers()
    job = request_cycle_report(
        kind=ReportKind.CYCLE_PACKETS, cycle=scenario.cycle, by=scenario.coordinator
    )
    wait_for(lambda: _status(job) in (JobStatus.DONE, JobStatus.FAILED), timeout=120, worker=worker)
    assert job.status == JobStatus.DONE, job.error
    assert (job.chunks_total, job.chunks_done, job.progress) == (1, 1, 100)
    assert _job_files(job) == [f"paket-penilaian-{scenario.cycle.code}.zip"]
    with job.file.open("rb") as fh:
        names = zipfile.ZipFile(io.BytesIO(fh.read())).namelist()
    assert len([n for n in names if n.endswith(".pdf")]) == 1
    assert "daftar-isi.csv" in names
    assert _received([worker.log()], "render_packet_chunk") == 1
    assert _received([worker.log()], "assemble_packets") == 1
