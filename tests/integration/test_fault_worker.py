"""A worker killed (SIGKILL) in the middle of a batch, and a new worker started under
another name: the outbox sweep finds the chunk left "claimed" past its time limit, whoever
held it, and publishes it again; the job ends done, with every packet in its ZIP once.

Real processes: gunicorn and Celery workers (each with its beat) against a Redis of the
test's own, whose redelivery after the visibility timeout (an hour) plays no part.
"""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from assessment.services import assign_reviewers, save_review, submit_review
from plans.services.workflow import submit_plan
from reports.enums import JobStatus, ReportKind
from reports.models import ReportJob
from tests.reports.scenario import LEVELS_A, detailed_plan, reviewed_plan

from .conftest import _database_url
from .faults import Gunicorn, RedisServer, Visitor, app_env, celery_worker, running, wait_until

pytestmark = pytest.mark.integration

PASSWORD = "rahasia-123"
DELAY = 3  # seconds each chunk's render sleeps, to kill its worker in the middle


def _second_reviewed_plan(scenario):
    plan = detailed_plan(scenario.cycle, title="Pengaduan layanan kesehatan terpadu")
    submit_plan(plan, by=plan.owner.user)
    assign_reviewers(plan, reviewers=scenario.reviewers, by=scenario.coordinator)
    for reviewer in scenario.reviewers:
        review = save_review(
            plan.assignments.get(reviewer=reviewer),
            levels={code: (level, "Cukup") for code, level in LEVELS_A.items()},
            overall_feedback="Masukan.",
            confidential_note="",
            by=reviewer,
        )
        submit_review(review, by=reviewer)
    return plan


def test_a_worker_killed_mid_batch_and_another_named_worker_finishes_it_once(
    transactional_db, tmp_path, settings
):
    scenario = reviewed_plan()
    _second_reviewed_plan(scenario)
    media = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media), "base_url": "/private-media/"},
        },
    }
    redis = RedisServer(tmp_path / "redis")
    redis.start()
    env = app_env(
        DATABASE_URL=_database_url(),
        CELERY_BROKER_URL=redis.url,
        CELERY_TASK_ALWAYS_EAGER="false",
        AGENPLAN_TEST_MEDIA_ROOT=media,
        AGENPLAN_REPORT_TEST_DELAY=DELAY,
        AGENPLAN_PACKETS_PER_CHUNK=1,
        AGENPLAN_OUTBOX_SWEEP_SECONDS=1,
        AGENPLAN_REPORT_STUCK_AFTER_SECONDS=DELAY + 5,
    )
    web = Gunicorn(tmp_path, env)
    web.start()
    first = celery_worker(tmp_path, env, "alpha")
    replacement = celery_worker(tmp_path, env, "beta")
    try:
        first.start()
        coordinator = Visitor(web.base)
        coordinator.login(scenario.coordinator.username, PASSWORD)
        status, _h, _b = coordinator.post(
            reverse("report_jobs:request"),
            {"kind": ReportKind.CYCLE_PACKETS, "cycle": scenario.cycle.code},
        )
        assert status == 302

        def claimed():
            job = ReportJob.objects.get()
            return job.chunks_total == 2 and job.batch.get("claims")

        claims = wait_until(claimed, timeout=60, what="a chunk claimed by alpha")
        assert [claim["worker"].split("@")[0] for claim in claims.values()] == ["alpha"]
        first.kill()  # SIGKILL in the middle of the chunk's render
        replacement.start()

        wait_until(
            lambda: ReportJob.objects.get().status in (JobStatus.DONE, JobStatus.FAILED),
            timeout=120,
            what="the batch finished by beta",
        )
        job = ReportJob.objects.get()
        assert job.status == JobStatus.DONE, job.error
        assert (job.attempts, job.chunks_total, job.chunks_done, job.progress) == (1, 2, 2, 100)
        folder = Path(default_storage.location) / "reports" / "jobs" / str(job.pk)
        assert sorted(p.name for p in folder.rglob("*") if p.is_file()) == [
            f"paket-penilaian-{scenario.cycle.code}.zip"
        ]
        with job.file.open("rb") as fh:
            names = zipfile.ZipFile(io.BytesIO(fh.read())).namelist()
        pdfs = sorted(n for n in names if n.endswith(".pdf"))
        assert len(pdfs) == len(set(pdfs)) == 2
        assert "assemble_packets" in replacement.log()
    finally:
        first.stop()
        replacement.stop()
        web.stop()
        redis.stop()
    # Nothing it started runs on: neither worker, nor the beat each embedded.
    wait_until(
        lambda: not running(str(tmp_path / "beat-")), timeout=10, what="workers and beats gone"
    )
