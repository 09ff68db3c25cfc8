"""Notifications: in-app (the bell) and e-mail by Celery after commit, once per event."""

# The assessment fixtures are imported below; pytest injects them by name.
# ruff: noqa: F811

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from agenplan.celery import app
from agents.models import Notification
from agents.notifications import deliver_mail, notify
from agents.tasks import send_notification_mail
from assessment.services import (
    PlanError,
    assign_reviewers,
    remind_reviewers,
    save_review,
    submit_review,
)
from assessment.tasks import remind_due_reviews
from tests.assessment.conftest import levels_all, pool, submitted  # noqa: F401 - fixtures
from tests.factories import PlanFactory


@pytest.fixture
def reviewer(pool):
    (reviewer,) = pool(1)
    return reviewer


def test_notify_is_idempotent_per_recipient_and_key(agent):
    first = notify(agent.user, kind="x", title="Judul", dedupe_key="k1")
    second = notify(agent.user, kind="x", title="Judul lain", dedupe_key="k1")
    assert first is not None and second is None
    assert list(Notification.objects.values_list("title", flat=True)) == ["Judul"]


def test_assignment_notifies_in_app_and_mails_once_after_commit(
    cycle, coordinator, reviewer, django_capture_on_commit_callbacks
):
    plan = PlanFactory(cycle=cycle, state="submitted")
    with django_capture_on_commit_callbacks(execute=True):
        assign_reviewers(plan, reviewers=[reviewer], by=coordinator)
    notification = reviewer.notifications.get()
    assert notification.kind == "assignment"
    assert notification.url == reverse("assessment:review", args=[plan.pk])
    assert [m.to for m in mail.outbox] == [[reviewer.email]]
    assert mail.outbox[0].subject == f"[AgenPlan] Penugasan baru: {plan.title}"
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    # A retried task (or a duplicate message) sends nothing more.
    assert send_notification_mail.delay(notification_id=notification.pk).get() is False
    assert deliver_mail(notification.pk) is False
    assert len(mail.outbox) == 1


def test_nothing_is_mailed_when_the_action_rolls_back(
    cycle, coordinator, reviewer, django_capture_on_commit_callbacks
):
    plan = PlanFactory(cycle=cycle, state="draft")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PlanError) as exc:
        assign_reviewers(plan, reviewers=[reviewer], by=coordinator)
    assert (exc.value.code, str(exc.value)) == (
        "invalid_transition",
        "Reviewer hanya dapat ditugaskan pada rencana yang sudah diajukan.",
    )
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_mail_for_a_deleted_notification_is_skipped(agent):
    assert deliver_mail(987654) is False


def test_daily_reminders_for_due_in_two_days_and_overdue_are_sent_once(
    cycle, coordinator, pool, submitted, levels_all
):
    due_soon, late, done = pool(3)
    today = timezone.localdate()
    plan = submitted()
    assign_reviewers(
        plan, reviewers=[due_soon], by=coordinator, due_date=today + dt.timedelta(days=2)
    )
    assign_reviewers(
        plan, reviewers=[late, done], by=coordinator, due_date=today - dt.timedelta(days=1)
    )
    review = save_review(plan.assignments.get(reviewer=done), levels=levels_all(3), by=done)
    submit_review(review, by=done)
    assert remind_reviewers(today=today) == {"due_soon": 1, "overdue": 1}
    assert remind_due_reviews() == {"due_soon": 1, "overdue": 1}
    kinds = sorted(
        Notification.objects.filter(kind__in=["due_soon", "overdue"]).values_list(
            "recipient__username", "kind"
        )
    )
    assert kinds == sorted([(due_soon.username, "due_soon"), (late.username, "overdue")])


def test_all_reviews_in_notifies_the_coordinators(cycle, coordinator, pool, submitted, levels_all):
    plan = submitted()
    reviewers = pool(2)
    assign_reviewers(plan, reviewers=reviewers, by=coordinator)
    for reviewer in reviewers:
        review = save_review(
            plan.assignments.get(reviewer=reviewer), levels=levels_all(4), by=reviewer
        )
        submit_review(review, by=reviewer)
    (notification,) = coordinator.notifications.all()
    assert (notification.kind, notification.url) == (
        "reviews_complete",
        reverse("assessment:decide", args=[plan.pk]),
    )


def test_bell_shows_the_unread_count_in_one_query(client, agent, django_assert_num_queries):
    for i in range(3):
        notify(agent.user, kind="x", title=f"N{i}", dedupe_key=f"k{i}")
    client.force_login(agent.user)
    client.get(reverse("notifications_badge"))  # the session is loaded once
    with django_assert_num_queries(3):  # session, user, count
        response = client.get(reverse("notifications_badge"))
    assert response.context["unread"] == 3
    assert '<span class="visually-hidden"> belum dibaca</span>' in response.content.decode()


def test_marking_one_read_follows_its_link_and_all_read_clears_the_count(client, agent):
    one = notify(agent.user, kind="x", title="A", url="/rencana/", dedupe_key="a")
    notify(agent.user, kind="x", title="B", dedupe_key="b")
    client.force_login(agent.user)
    response = client.post(reverse("notifications_read"), {"notification": one.pk})
    assert response["Location"] == "/rencana/"
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
    client.post(reverse("notifications_read"))
    assert Notification.objects.filter(read_at__isnull=True).count() == 0
    page = client.get(reverse("notifications"))
    assert [n.title for n in page.context["notifications"]] == ["B", "A"]


def test_another_users_notification_cannot_be_marked(client, agent, coordinator):
    other = notify(coordinator, kind="x", title="A", dedupe_key="a")
    client.force_login(agent.user)
    client.post(reverse("notifications_read"), {"notification": other.pk})
    other.refresh_from_db()
    assert other.read_at is None


def test_mail_tasks_go_to_the_mail_queue_and_the_reminder_runs_daily():
    route = app.amqp.router.route({}, "agents.tasks.send_notification_mail")
    assert route["queue"].name == "mail"
    schedule = settings.CELERY_BEAT_SCHEDULE["assessment-remind-due-reviews"]
    assert schedule["task"] == "assessment.tasks.remind_due_reviews"
    assert (schedule["schedule"].hour, schedule["schedule"].minute) == ({7}, {0})


def test_a_reminder_whose_day_had_no_run_is_sent_by_the_next_run_once(
    cycle, coordinator, pool, submitted
):
    tomorrow, later = pool(2)
    today = timezone.localdate()
    plan = submitted()
    # Assigned yesterday due in two days: yesterday's run never came (beat was down).
    assign_reviewers(
        plan, reviewers=[tomorrow], by=coordinator, due_date=today + dt.timedelta(days=1)
    )
    assign_reviewers(plan, reviewers=[later], by=coordinator, due_date=today + dt.timedelta(3))
    for _run in range(3):  # beat restarted: the task ran three times today
        remind_reviewers(today=today)
    [notice] = Notification.objects.filter(kind="due_soon")
    assert (notice.recipient, notice.title) == (tomorrow, f"Tenggat penilaian besok: {plan.title}")
    # The next day, the other reviewer's two-day reminder; still one for the first.
    remind_reviewers(today=today + dt.timedelta(days=1))
    assert sorted(
        Notification.objects.filter(kind="due_soon").values_list("recipient__username", flat=True)
    ) == sorted([tomorrow.username, later.username])
