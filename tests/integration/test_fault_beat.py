"""Celery beat killed and restarted twice while it schedules the review reminders (every
second here, instead of daily): each reviewer gets one reminder and one e-mail, however
often the reminder task and the outbox sweep ran, and none is lost: a reviewer whose
"two days before" run never came (beat was down that day) is reminded by the next run.
Real beat and worker processes against a Redis of the test's own."""

import datetime as dt
import signal
import time

import pytest
from django.utils import timezone

from agents.enums import Role
from agents.models import Notification
from assessment.services import assign_reviewers
from plans.services.workflow import submit_plan
from tests.factories import CycleFactory, add_rubric, user_with_role
from tests.reports.scenario import detailed_plan

from .conftest import _database_url
from .faults import RedisServer, app_env, celery_beat, celery_worker, sent_mails, wait_until

pytestmark = pytest.mark.integration


def test_beat_restarted_twice_sends_each_reminder_once(transactional_db, tmp_path):
    cycle = CycleFactory()
    add_rubric(cycle)
    coordinator = user_with_role(Role.COORDINATOR)
    reviewers = [user_with_role(Role.REVIEWER) for _ in range(3)]
    plan = detailed_plan(cycle, title="Layanan perizinan daring satu pintu")
    submit_plan(plan, by=plan.owner.user)
    today = timezone.localdate()
    due = today + dt.timedelta(days=2)
    assign_reviewers(plan, reviewers=reviewers[:2], by=coordinator, due_date=due)
    # Due tomorrow: yesterday's run, two days before, never came.
    missed = today + dt.timedelta(days=1)
    assign_reviewers(plan, reviewers=reviewers[2:], by=coordinator, due_date=missed)
    Notification.objects.all().delete()  # the assignment notices: not what is counted here

    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    redis = RedisServer(tmp_path / "redis")
    redis.start()
    env = app_env(
        DATABASE_URL=_database_url(),
        CELERY_BROKER_URL=redis.url,
        CELERY_TASK_ALWAYS_EAGER="false",
        AGENPLAN_TEST_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        AGENPLAN_TEST_EMAIL_DIR=mail_dir,
        AGENPLAN_TEST_BEAT_SECONDS=1,
        AGENPLAN_OUTBOX_REPUBLISH_AFTER_SECONDS=1,
    )
    worker = celery_worker(tmp_path, env, "worker", beat=False)
    beat = celery_beat(tmp_path, env)
    try:
        worker.start()
        for restart in range(3):
            beat.start()
            wait_until(
                lambda n=restart: beat.log().count("Sending due task assessment-remind") > n,
                timeout=30,
                what=f"beat run {restart + 1} sends the reminders",
            )
            beat.stop(signal.SIGKILL)  # no chance to save its schedule
        wait_until(
            lambda: Notification.objects.filter(emailed_at__isnull=False).count() == 3,
            timeout=30,
            what="the three reminders mailed",
        )
        time.sleep(3)  # the worker finishes whatever the three beats sent
        reminders = Notification.objects.filter(kind="due_soon")
        assert sorted(reminders.values_list("recipient_id", flat=True)) == sorted(
            r.pk for r in reviewers
        )
        for reviewer in reviewers:
            assert len([m for m in sent_mails(mail_dir) if f"To: {reviewer.email}" in m]) == 1
        assert worker.log().count("Task assessment.tasks.remind_due_reviews[") >= 3 * 2
    finally:
        beat.stop()
        worker.stop()
        redis.stop()
