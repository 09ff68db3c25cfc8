"""The daily reminders of the implementation phase: reports due within three days and
overdue ones to the plan's team, reports waiting more than five working days to its
reviewers; once each, however often the beat task runs (restarts included)."""

import datetime as dt

from django.utils import timezone

from agents.models import Notification
from monitoring.periods import cycle_periods
from monitoring.services import open_report, save_report, submit_report
from monitoring.services.reminders import send_progress_reminders, working_days_between
from monitoring.tasks import remind_progress
from tests.factories import wita


def kinds(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", "dedupe_key"))


def test_overdue_and_due_soon_once_each(running_plan, agent):
    periods = cycle_periods(running_plan.cycle)
    today = timezone.localdate()
    late = [p for p in periods if p.due < today]
    counts = send_progress_reminders(today=today)
    assert counts["overdue"] == len(late) == 2
    again = remind_progress.delay().get()  # the beat task, run again after a restart
    assert again["overdue"] == 2
    overdue = [k for k in kinds(agent.user) if k[0] == "overdue"]
    assert overdue == sorted(
        ("overdue", f"progress_overdue:{running_plan.pk}:{p.number}") for p in late
    )
    # Three days before the next due date, and the day before: one "due soon" only.
    upcoming = next(p for p in periods if p.due >= today)
    send_progress_reminders(today=upcoming.due - dt.timedelta(days=3))
    send_progress_reminders(today=upcoming.due - dt.timedelta(days=1))
    soon = [k for k in kinds(agent.user) if k[0] == "due_soon"]
    assert soon == [("due_soon", f"progress_due_soon:{running_plan.pk}:{upcoming.number}")]


def test_handed_in_period_is_not_reminded(running_plan, agent):
    for period in (1, 2):
        report = open_report(running_plan, period=period, by=agent.user)
        targets = {t.pk: (10, None) for t in running_plan.targets.all()}
        save_report(report, by=agent.user, lock_version=0, narrative={"done_text": "x"},
                    values=targets)  # fmt: skip
        submit_report(report, by=agent.user)
    assert send_progress_reminders()["overdue"] == 0


def test_reviewer_reminded_after_five_working_days_once(running_plan, agent, plan_reviewer):
    report = open_report(running_plan, period=1, by=agent.user)
    targets = {t.pk: (10, None) for t in running_plan.targets.all()}
    save_report(report, by=agent.user, lock_version=0, narrative={"done_text": "x"},
                values=targets)  # fmt: skip
    monday = dt.date(2026, 11, 2)
    submit_report(report, by=agent.user, now=wita(2026, 11, 2, 10))
    assert send_progress_reminders(today=monday + dt.timedelta(days=7))["waiting"] == 0
    assert send_progress_reminders(today=monday + dt.timedelta(days=8))["waiting"] == 1
    send_progress_reminders(today=monday + dt.timedelta(days=9))
    waiting = Notification.objects.filter(recipient=plan_reviewer, kind="progress_waiting")
    assert waiting.count() == 1


def test_working_days():
    friday = dt.date(2026, 11, 6)
    assert working_days_between(friday, friday + dt.timedelta(days=3)) == 1  # Monday
    assert working_days_between(friday, friday + dt.timedelta(days=7)) == 5
