"""The daily reminders: reviews due within two days, and overdue reviews."""

import datetime as dt

from django.db.models import Exists
from django.utils import timezone

from agents.notifications import send_message
from plans.enums import PlanState
from plans.message_templates import message

from ..enums import ReviewState
from ..models import ReviewAssignment
from ..selectors import current_reviews
from .common import url

DUE_SOON_DAYS = 2


def remind_reviewers(*, today: dt.date | None = None) -> dict[str, int]:
    """Notify every reviewer whose review of a plan in review is due within two days or is
    overdue. Idempotent: one reminder per assignment, due date and kind, however often it
    runs; a missed day is caught up by the next run."""
    today = today or timezone.localdate()
    sent = current_reviews().filter(state=ReviewState.SUBMITTED)
    pending = (
        ReviewAssignment.objects.filter(is_active=True, plan__state=PlanState.IN_REVIEW)
        .filter(~Exists(sent))
        .select_related("plan__cycle", "reviewer")
    )
    counts = {"due_soon": 0, "overdue": 0}
    # Due within two days: a day without a run (beat stopped at its hour, or restarted
    # across it) loses no reminder, the next run sends it; the dedupe key keeps it one.
    soon = pending.filter(due_date__gt=today, due_date__lte=today + dt.timedelta(DUE_SOON_DAYS))
    for assignment in soon:
        two_days = assignment.due_date - today == dt.timedelta(DUE_SOON_DAYS)
        send_message(
            message(
                "due_soon" if two_days else "due_tomorrow",
                assignment.reviewer,
                kind="due_soon",
                cycle=assignment.plan.cycle,
                url=url("assessment:review", assignment.plan_id),
                dedupe_key=f"due_soon:{assignment.pk}:{assignment.due_date.isoformat()}",
                judul_rencana=assignment.plan.title,
                batas_waktu=assignment.due_date,
            )
        )
        counts["due_soon"] += 1
    for assignment in pending.filter(due_date__lt=today):
        send_message(
            message(
                "overdue",
                assignment.reviewer,
                cycle=assignment.plan.cycle,
                url=url("assessment:review", assignment.plan_id),
                dedupe_key=f"overdue:{assignment.pk}:{assignment.due_date.isoformat()}",
                judul_rencana=assignment.plan.title,
                batas_waktu=assignment.due_date,
            )
        )
        counts["overdue"] += 1
    return counts
