"""The outbox: work a request commits is published after the commit without ever failing
the request; what the broker did not take stays in its row and the sweeps publish it
again, once (Celery eager here; the fault tests run the same with real processes)."""

import datetime as dt

import pytest
from celery.app.task import Task
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from agenplan.celery import app as celery_app
from agents.models import Notification
from agents.tasks import resend_unmailed_notifications
from assessment.enums import DecisionOutcome, RunStatus
from assessment.models import AssignmentRun
from assessment.services import runs
from reports import services as report_services
from reports.enums import JobStatus, ReportKind
from reports.models import ReportJob
from tests.reports.scenario import reviewed_plan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]

MAIL_PENDING = (
    "Tersimpan. Layanan antrean sedang gangguan: e-mail akan dikirim otomatis begitu layanan pulih."
)


@pytest.fixture
def broker(monkeypatch):
    """`broker.down()`: every publication fails as with Redis stopped; `broker.up()`."""

    class Broker:
        published: list[str] = []

        def down(self):
            celery_app.conf.task_always_eager = False

            def refuse(task, *args, **kwargs):
                raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

            monkeypatch.setattr(Task, "apply_async", refuse)

        def up(self):
            monkeypatch.undo()
            celery_app.conf.task_always_eager = True

    broker = Broker()
    yield broker
    broker.up()


def _later(minutes=11):
    return timezone.now() + dt.timedelta(minutes=minutes)


@pytest.mark.django_db(transaction=True)  # commits for real: the mail is published in the view
def test_a_decision_succeeds_with_the_broker_down_and_its_mail_follows_once(client, broker):
    scenario = reviewed_plan(decide=False)
    mail.outbox.clear()
    client.force_login(scenario.coordinator)
    broker.down()
    response = client.post(
        reverse("assessment:decide", args=[scenario.plan.pk]),
        {"outcome": DecisionOutcome.APPROVE, "feedback": "Layak."},
        follow=True,
    )
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "Keputusan disimpan dan agen diberi tahu.",
        MAIL_PENDING,
    ]
    notice = Notification.objects.get(recipient=scenario.agent, kind="decision")
    assert (notice.emailed_at, notice.mail_published_at) == (None, None)
    assert mail.outbox == []

    # The sweep while the broker is still down publishes nothing and fails nothing.
    assert resend_unmailed_notifications.apply().get() == 0
    broker.up()
    Notification.objects.filter(pk=notice.pk).update(created_at=timezone.now() - dt.timedelta(1))
    assert resend_unmailed_notifications.apply().get() >= 1
    notice.refresh_from_db()
    assert notice.emailed_at is not None
    assert [m.to for m in mail.outbox].count([scenario.agent.email]) == 1
    # Another sweep: the row is mailed, nothing is sent twice.
    resend_unmailed_notifications.apply().get()
    assert [m.to for m in mail.outbox].count([scenario.agent.email]) == 1


def test_a_report_asked_for_with_the_broker_down_is_queued_unpublished_and_may_be_retried(
    client, broker, django_capture_on_commit_callbacks
):
    scenario = reviewed_plan()
    client.force_login(scenario.agent)
    broker.down()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("report_jobs:request"),
            {"kind": ReportKind.PLAN_DOCUMENT, "plan": scenario.plan.pk},
        )
    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert (job.status, job.published_at) == (JobStatus.QUEUED, None)
    assert report_services.can_retry(job) is True
    page = client.get(reverse("report_jobs:detail", args=[job.pk])).content.decode()
    assert "Belum masuk antrean: layanan antrean sedang gangguan." in page
    assert f'action="{reverse("report_jobs:retry", args=[job.pk])}"' in page

    broker.up()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("report_jobs:retry", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.attempts, job.published_at is not None) == (JobStatus.DONE, 1, True)


def test_a_published_queued_job_is_not_offered_for_retry_at_once(client):
    scenario = reviewed_plan()
    job = ReportJob.objects.create(
        requested_by=scenario.agent,
        kind=ReportKind.PLAN_DOCUMENT,
        params={"plan_id": scenario.plan.pk},
        published_at=timezone.now(),
    )
    assert report_services.can_retry(job) is False
    client.force_login(scenario.agent)
    page = client.get(reverse("report_jobs:detail", args=[job.pk])).content.decode()
    assert "Belum masuk antrean" not in page
    assert reverse("report_jobs:retry", args=[job.pk]) not in page


def test_the_sweep_publishes_queued_jobs_and_recovers_a_job_any_worker_left_running():
    scenario = reviewed_plan()
    long_ago = timezone.now() - dt.timedelta(hours=1)
    unpublished = ReportJob.objects.create(
        requested_by=scenario.agent,
        kind=ReportKind.PLAN_DOCUMENT,
        params={"plan_id": scenario.plan.pk},
    )
    ReportJob.objects.filter(pk=unpublished.pk).update(created_at=long_ago)
    abandoned = ReportJob.objects.create(
        requested_by=scenario.coordinator,
        kind=ReportKind.REVIEW_PACKET,
        params={"plan_id": scenario.plan.pk},
        status=JobStatus.RUNNING,
        started_at=long_ago,
        attempts=1,
        worker="celery@a-host-that-is-gone",
        published_at=long_ago,
    )
    fresh = ReportJob.objects.create(
        requested_by=scenario.head,
        kind=ReportKind.PLAN_DOCUMENT,
        params={"plan_id": scenario.plan.pk},
        status=JobStatus.RUNNING,
        started_at=timezone.now(),
        attempts=1,
        worker="celery@busy",
        published_at=timezone.now(),
    )
    found = report_services.republish_undelivered()
    assert found == {
        "queued": [unpublished.pk],
        "running": [abandoned.pk],
        "chunks": [],
        "assembly": [],
    }
    statuses = dict(ReportJob.objects.values_list("pk", "status"))
    assert statuses == {
        unpublished.pk: JobStatus.DONE,
        abandoned.pk: JobStatus.DONE,
        fresh.pk: JobStatus.RUNNING,
    }
    assert ReportJob.objects.get(pk=abandoned.pk).attempts == 2
    # Nothing left to publish: a second sweep finds nothing.
    assert report_services.republish_undelivered() == {
        "queued": [],
        "running": [],
        "chunks": [],
        "assembly": [],
    }


def test_the_sweep_publishes_a_queued_assignment_run_the_broker_never_took(broker):
    scenario = reviewed_plan()
    broker.down()
    run = AssignmentRun.objects.create(
        cycle=scenario.cycle,
        requested_by=scenario.coordinator,
        requested_at=timezone.now() - dt.timedelta(minutes=1),
    )
    assert runs.publish_run(run.pk) is False
    assert runs.republish_queued_runs() == []
    broker.up()
    assert runs.republish_queued_runs() == [run.pk]
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert runs.republish_queued_runs() == []


def test_the_sweep_publishes_a_run_a_gone_worker_left_running_and_leaves_a_held_one(broker):
    scenario = reviewed_plan()
    past_limit = timezone.now() - runs.stuck_after() - dt.timedelta(minutes=1)
    run = AssignmentRun.objects.create(
        cycle=scenario.cycle,
        requested_by=scenario.coordinator,
        requested_at=past_limit,
        published_at=past_limit,
        status=RunStatus.RUNNING,
        started_at=past_limit,
        taken_at=past_limit,
    )
    # Within the task's time limit its worker may still be assigning: left alone.
    assert runs.republish_queued_runs(now=past_limit + dt.timedelta(minutes=30)) == []
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING
    # Past it, whatever worker held the run is gone: published again and finished.
    assert runs.republish_queued_runs() == [run.pk]
    run.refresh_from_db()
    assert (run.status, run.started_at) == (RunStatus.DONE, past_limit)
    assert run.taken_at > past_limit
    assert runs.republish_queued_runs() == []


def test_a_run_delivered_again_while_a_worker_holds_it_is_left_to_that_worker():
    scenario = reviewed_plan()
    now = timezone.now()
    run = AssignmentRun.objects.create(
        cycle=scenario.cycle,
        requested_by=scenario.coordinator,
        status=RunStatus.RUNNING,
        started_at=now,
        taken_at=now,
    )
    runs.perform_assignment_run(run.pk)
    run.refresh_from_db()
    assert (run.status, run.taken_at) == (RunStatus.RUNNING, now)
