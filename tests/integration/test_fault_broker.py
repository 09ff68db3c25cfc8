"""The broker (Redis) is down while a coordinator decides a plan and asks for its report.

Real processes: gunicorn and a Celery worker with its beat, against a Redis of the test's
own (a free port, started and stopped here; never the machine's shared Redis). The
decision answers success at once, saying that the e-mail will follow; the report's page
says its job is not in the queue yet. When the broker is back, the outbox sweep publishes
both: the agent gets exactly one e-mail, the job is rendered exactly once.
"""

import time

import pytest
from django.urls import reverse

from agents.models import Notification
from assessment.enums import DecisionOutcome
from reports.enums import JobStatus, ReportKind
from reports.models import ReportJob
from tests.reports.scenario import reviewed_plan

from .conftest import _database_url
from .faults import (
    Gunicorn,
    RedisServer,
    Visitor,
    app_env,
    celery_worker,
    sent_mails,
    wait_until,
)

pytestmark = pytest.mark.integration

PASSWORD = "rahasia-123"


def test_broker_down_while_deciding_and_asking_for_a_report(transactional_db, tmp_path):
    scenario = reviewed_plan(decide=False)
    agent = scenario.agent
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    redis = RedisServer(tmp_path / "redis")
    redis.start()
    env = app_env(
        DATABASE_URL=_database_url(),
        CELERY_BROKER_URL=redis.url,
        CELERY_TASK_ALWAYS_EAGER="false",
        AGENPLAN_TEST_MEDIA_ROOT=tmp_path / "media",
        AGENPLAN_TEST_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        AGENPLAN_TEST_EMAIL_DIR=mail_dir,
        AGENPLAN_OUTBOX_SWEEP_SECONDS=1,
        AGENPLAN_OUTBOX_REPUBLISH_AFTER_SECONDS=2,
    )
    web = Gunicorn(tmp_path, env)
    web.start()
    worker = celery_worker(tmp_path, env, "first")
    try:
        coordinator = Visitor(web.base)
        coordinator.login(scenario.coordinator.username, PASSWORD)
        redis.stop()  # the broker goes down

        started = time.monotonic()
        status, headers, body = coordinator.post(
            reverse("assessment:decide", args=[scenario.plan.pk]),
            {"outcome": DecisionOutcome.APPROVE, "feedback": "Layak dilaksanakan."},
        )
        assert (status, time.monotonic() - started < 10) == (302, True), body[:3000]
        page = coordinator.get(headers["Location"])[2]
        assert "Keputusan disimpan dan agen diberi tahu." in page
        assert "e-mail akan dikirim otomatis begitu layanan pulih" in page
        scenario.plan.refresh_from_db()
        assert scenario.plan.state == "approved"
        notice = Notification.objects.get(recipient=agent, kind="decision")
        assert notice.emailed_at is None

        status, headers, _body = coordinator.post(
            reverse("report_jobs:request"),
            {"kind": ReportKind.PLAN_DOCUMENT, "plan": scenario.plan.pk},
        )
        assert status == 302
        job = ReportJob.objects.get()
        assert (job.status, job.published_at) == (JobStatus.QUEUED, None)
        page = coordinator.get(headers["Location"])[2]
        assert "Belum masuk antrean: layanan antrean sedang gangguan." in page
        # The requester may push it at once (the button is there for a queued job too).
        assert reverse("report_jobs:retry", args=[job.pk]) in page

        # The broker comes back; a worker (with its beat) starts.
        redis.start()
        worker.start()
        wait_until(
            lambda: ReportJob.objects.get().status == JobStatus.DONE, timeout=90, what="job done"
        )
        wait_until(
            lambda: Notification.objects.get(pk=notice.pk).emailed_at is not None,
            timeout=30,
            what="decision mailed",
        )
        time.sleep(4)  # several more sweeps: nothing is sent or rendered twice
        job = ReportJob.objects.get()
        assert (job.status, job.attempts, job.published_at is not None) == (
            JobStatus.DONE,
            1,
            True,
        )
        to_agent = [m for m in sent_mails(mail_dir) if f"To: {agent.email}" in m]
        assert len(to_agent) == 1
        assert to_agent[0].endswith(
            "\n\nBuka AgenPlan untuk membaca nilai dan masukan penilaian."
            f"\n\n/rencana/{scenario.plan.pk}/hasil-penilaian/\n"
        )
    finally:
        worker.stop()
        web.stop()
        redis.stop()
