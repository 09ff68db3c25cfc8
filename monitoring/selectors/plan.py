"""One plan in implementation: its targets' planned path and verified values, its schedule
planned and actual, its reports by period (overdue derived), for the "Pelaksanaan" tab."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _

from plans.models import ActionPlan
from plans.realisation import (
    elapsed_share,
    on_track,
    planned_value,
    rollup,
    target_realisation,
    traffic_light,
)
from plans.selectors import get_plan_for

from ..enums import OVERDUE, ChangeState, ReportState
from ..models import ActivityProgress, ChangeRequest, ClosingReport, ProgressReport, TargetValue
from ..periods import Period, cycle_periods


@dataclass
class TargetRow:
    target: object
    realisation: Decimal | None
    light: str
    on_track: bool
    verified_value: Decimal | None
    # (period end, planned value, verified value or None) per period: the trend chart.
    path: list[tuple[dt.date, Decimal, Decimal | None]] = field(default_factory=list)


@dataclass
class PeriodRow:
    period: Period
    report: ProgressReport | None
    state: str  # a ReportState, OVERDUE, or "" when nothing is due yet


@dataclass
class PlanProgress:
    plan: ActionPlan
    elapsed: Decimal
    realisation: Decimal | None
    light: str
    targets: list[TargetRow]
    periods: list[PeriodRow]
    # (activity, planned months as dates, actual months as dates, latest status)
    schedule: list[tuple]
    months: list[dt.date]
    changes: list[ChangeRequest]
    closing: ClosingReport | None
    target_list: list = field(default_factory=list)
    activity_list: list = field(default_factory=list)


@dataclass(frozen=True)
class ChangeItem:
    """One value a change request asks for, as the coordinator weighs it: the row, the
    field, the value it replaces, the new one, and (while pending) the current one when
    the plan has moved since."""

    label: str
    field: str
    old: str
    new: str
    current: str | None


FIELD_LABELS = {
    "target_value": _("Nilai target"),
    "due_date": _("Tenggat"),
    "start_month": _("Bulan mulai"),
    "end_month": _("Bulan selesai"),
}


def _shown(field_name: str, text: str) -> str:
    if field_name == "target_value":
        return number_format(Decimal(text), decimal_pos=None, use_l10n=True)
    day = dt.date.fromisoformat(text)
    return date_format(day, "DATE_FORMAT" if field_name == "due_date" else "YEAR_MONTH_FORMAT")


def change_items(change: ChangeRequest, rows: dict) -> list[ChangeItem]:
    """The change's values for display; `rows` maps (kind, id) to the plan's rows."""
    items = []
    for item in change.changes:
        row = rows.get((item["kind"], item["id"]))
        now = None
        if change.state == ChangeState.PENDING:
            value = getattr(row, item["field"], None) if row is not None else None
            text = "" if value is None else _stored(value)
            if text != item["old"]:
                now = _shown(item["field"], text) if text else "—"
        items.append(
            ChangeItem(
                label=item["label"],
                field=str(FIELD_LABELS[item["field"]]),
                old=_shown(item["field"], item["old"]),
                new=_shown(item["field"], item["new"]),
                current=now,
            )
        )
    return items


def _stored(value) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def period_state(period: Period, report: ProgressReport | None, today: dt.date) -> str:
    if report is not None and (report.state in ReportState.HANDED_IN or period.due >= today):
        return report.state
    if period.due < today:
        return OVERDUE
    return report.state if report else ""


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def plan_progress(plan: ActionPlan, *, today: dt.date | None = None) -> PlanProgress:
    """Everything the tab shows, in a fixed number of queries."""
    today = today or timezone.localdate()
    cycle = plan.cycle
    elapsed = elapsed_share(cycle.implementation_start, cycle.implementation_end, today)
    reports = {r.period: r for r in ProgressReport.objects.filter(plan=plan)}
    periods = [
        PeriodRow(p, reports.get(p.number), period_state(p, reports.get(p.number), today))
        for p in cycle_periods(cycle)
        if p.start <= today or p.number in reports
    ]
    accepted = {}
    for row in TargetValue.objects.filter(
        report__plan=plan, report__state=ReportState.ACCEPTED, value__isnull=False
    ).values("target_id", "value", "report__period"):
        accepted[(row["target_id"], row["report__period"])] = row["value"]
    targets = []
    target_list = list(plan.targets.all())
    activity_list = list(plan.activities.all())
    for t in target_list:
        latest = None
        path = []
        for p in cycle_periods(cycle):
            value = accepted.get((t.pk, p.number))
            latest = value if value is not None else latest
            plan_value = planned_value(
                direction=t.direction,
                baseline=t.baseline,
                target=t.target_value,
                start=cycle.implementation_start,
                due=t.due_date,
                on=p.end,
            )
            path.append((p.end, plan_value, value))
        shown = target_realisation(
            direction=t.direction, baseline=t.baseline, target=t.target_value, value=latest
        )
        targets.append(
            TargetRow(t, shown, traffic_light(shown), on_track(shown, elapsed), latest, path)
        )
    overall = rollup([row.realisation for row in targets]) if targets else None
    latest_report = max(
        (r for r in reports.values() if r.state != ReportState.DRAFT),
        key=lambda r: r.period,
        default=None,
    )
    statuses = {}
    if latest_report is not None:
        statuses = {a.activity_id: a for a in ActivityProgress.objects.filter(report=latest_report)}
    schedule = []
    for activity in activity_list:
        status = statuses.get(activity.pk)
        actual = (
            _months(status.actual_start, status.actual_end or today)
            if status is not None and status.actual_start
            else []
        )
        schedule.append(
            (activity, _months(activity.start_month, activity.end_month), actual, status)
        )
    rows = {("target", t.pk): t for t in target_list}
    rows.update({("activity", a.pk): a for a in activity_list})
    changes = list(
        ChangeRequest.objects.filter(plan=plan).select_related("requested_by", "decided_by")
    )
    for change in changes:
        change.items = change_items(change, rows)
    return PlanProgress(
        plan=plan,
        elapsed=elapsed,
        realisation=overall,
        light=traffic_light(overall),
        targets=targets,
        periods=periods,
        schedule=schedule,
        months=_months(cycle.implementation_start, cycle.implementation_end),
        changes=changes,
        closing=ClosingReport.objects.filter(plan=plan).first(),
        target_list=target_list,
        activity_list=activity_list,
    )


def get_report_for(user, plan_pk: int, period: int) -> ProgressReport:
    """The report of a plan the user may see (404 for missing or not theirs)."""
    plan = get_plan_for(user, plan_pk)
    report = (
        ProgressReport.objects.filter(plan=plan, period=period)
        .select_related("plan", "plan__cycle", "verified_by")
        .first()
    )
    if report is None:
        raise Http404
    return report


def report_page(report: ProgressReport) -> dict:
    """The report's rows for its form or its verification page."""
    return {
        "report": report,
        "values": list(report.values.select_related("target").order_by("target__order", "pk")),
        "activities": list(
            report.activities.select_related("activity").order_by("activity__order", "pk")
        ),
        "evidence": list(report.evidence.all()),
    }
