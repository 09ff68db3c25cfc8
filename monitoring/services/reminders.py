"""The daily reminders of the implementation phase: reports due within three days and
overdue reports to the plan's team, reports waiting more than five working days to the
plan's reviewers. Each reminder is one notification per plan, period (or report) and kind,
whatever the number of runs (agents.notifications' dedupe key); a missed day is caught up
by the next run."""

import datetime as dt

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agents.models import Agent, User
from agents.notifications import Message, Text, send_many
from plans.enums import PlanState
from plans.models import ActionPlan, Cycle
from plans.services.common import PlanError, _require

from ..enums import ReportState
from ..models import ProgressReport
from ..periods import cycle_periods

DUE_SOON_DAYS = 3
WAITING_WORKING_DAYS = 5


def report_url(plan_id: int, period: int) -> str:
    return reverse("monitoring:report", args=[plan_id, period])


def team_of(plan: ActionPlan) -> list[User]:
    return [plan.owner.user, *(agent.user for agent in plan.co_agents.all())]


def _implementing(cycle_ids=None):
    plans = ActionPlan.objects.filter(state=PlanState.IMPLEMENTING).select_related(
        "owner__user", "cycle"
    )
    if cycle_ids is not None:
        plans = plans.filter(cycle_id__in=cycle_ids)
    return plans.prefetch_related(
        Prefetch("co_agents", queryset=Agent.objects.select_related("user"))
    )


def _handed_in(plan_ids) -> set[tuple[int, int]]:
    return set(
        ProgressReport.objects.filter(
            plan_id__in=plan_ids, state__in=ReportState.HANDED_IN
        ).values_list("plan_id", "period")
    )


def _team_messages(today: dt.date) -> tuple[list[Message], dict[str, int]]:
    cycles = Cycle.objects.filter(
        implementation_start__lte=today + dt.timedelta(DUE_SOON_DAYS),
        implementation_end__gte=today - dt.timedelta(days=400),
    )
    messages, counts = [], {"due_soon": 0, "overdue": 0}
    for cycle in cycles:
        periods = cycle_periods(cycle)
        soon = [p for p in periods if today < p.due <= today + dt.timedelta(DUE_SOON_DAYS)]
        late = [p for p in periods if p.due < today]
        if not soon and not late:
            continue
        plans = list(_implementing([cycle.pk]))
        done = _handed_in([p.pk for p in plans])
        for plan in plans:
            for period, kind, title in [
                *(
                    (p, "due_soon", _("Laporan realisasi segera jatuh tempo: %(title)s"))
                    for p in soon
                ),
                *((p, "overdue", _("Laporan realisasi terlambat: %(title)s")) for p in late),
            ]:
                if (plan.pk, period.number) in done:
                    continue
                counts[kind] += 1
                messages.extend(
                    Message(
                        recipient=user,
                        kind=kind,
                        title=Text(title, title=plan.title),
                        body=Text(
                            _("Laporan periode %(n)s jatuh tempo %(due)s."),
                            n=period.number,
                            due=period.due,
                        ),
                        url=report_url(plan.pk, period.number),
                        dedupe_key=f"progress_{kind}:{plan.pk}:{period.number}",
                    )
                    for user in team_of(plan)
                )
    return messages, counts


def working_days_between(first: dt.date, last: dt.date) -> int:
    """Monday-to-Friday days after `first` up to and including `last`."""
    days = (last - first).days
    weeks, rest = divmod(max(days, 0), 7)
    extra = sum(1 for i in range(1, rest + 1) if (first + dt.timedelta(i)).weekday() < 5)
    return weeks * 5 + extra


def _reviewer_messages(today: dt.date) -> list[Message]:
    waiting = (
        ProgressReport.objects.filter(
            state=ReportState.SUBMITTED,
            submitted_at__date__lte=today - dt.timedelta(WAITING_WORKING_DAYS),
        )
        .select_related("plan")
        .prefetch_related("plan__assignments__reviewer")
    )
    messages = []
    for report in waiting:
        submitted = timezone.localtime(report.submitted_at).date()
        if working_days_between(submitted, today) <= WAITING_WORKING_DAYS:
            continue
        messages.extend(
            Message(
                recipient=assignment.reviewer,
                kind="progress_waiting",
                title=_("Laporan realisasi menunggu verifikasi lebih dari 5 hari kerja: %(t)s")
                % {"t": report.plan.title},
                url=report_url(report.plan_id, report.period),
                dedupe_key=f"progress_waiting:{report.pk}:{report.submitted_at.isoformat()}",
            )
            for assignment in report.plan.assignments.all()
            if assignment.is_active
        )
    return messages


def send_progress_reminders(*, today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    messages, counts = _team_messages(today)
    waiting = _reviewer_messages(today)
    counts["waiting"] = len(waiting)
    send_many(messages + waiting)
    return counts


def remind_plans(plans: list[ActionPlan], *, by: User, today: dt.date | None = None) -> int:
    """The coordinator's bulk reminder to the teams of the chosen plans: at most one a day
    per plan and person."""
    _require(by, "monitoring.view_board", None, _("Hanya koordinator yang mengingatkan."))
    today = today or timezone.localdate()
    if not plans:
        raise PlanError(_("Pilih rencana yang akan diingatkan."), field="plans")
    messages = [
        Message(
            recipient=user,
            kind="progress_reminder",
            title=_("Koordinator mengingatkan laporan realisasi: %(title)s")
            % {"title": plan.title},
            url=reverse("monitoring:plan", args=[plan.pk]),
            dedupe_key=f"progress_reminder:{plan.pk}:{today.isoformat()}",
        )
        for plan in plans
        for user in team_of(plan)
    ]
    send_many(messages)
    return len(plans)
