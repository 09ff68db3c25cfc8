"""The reviewer's reports to verify and the coordinator's monitoring board."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from plans.enums import PlanState
from plans.models import ActionPlan, Cycle, Target
from plans.realisation import elapsed_share

from ..enums import ChangeState, ReportState
from ..models import ChangeRequest, ProgressReport, TargetRealisation
from ..periods import Period, cycle_periods

BOARD_ROWS = 200


def reports_to_verify(user) -> QuerySet:
    """Reports handed in on plans assigned to the user (active assignment), oldest first,
    with their plan's title and agency. One query, to paginate: the plans are a semi-join
    (a join to the assignments would repeat a report per assignment and need DISTINCT over
    every column read)."""
    assigned = ActionPlan.objects.filter(
        assignments__reviewer=user, assignments__is_active=True
    ).values("pk")
    return (
        ProgressReport.objects.filter(state=ReportState.SUBMITTED, plan__in=assigned)
        .select_related("plan__agency")
        .only(
            "plan_id",
            "period",
            "submitted_at",
            "plan__title",
            "plan__agency__name",
            "plan__agency__abbreviation",
        )
        .order_by("submitted_at", "pk")
    )


def with_realisation(plans):
    """Plans annotated with `target_count` and `counted_sum` (their targets' capped verified
    realisation added up; a target without one adds 0)."""
    counted = (
        TargetRealisation.objects.filter(plan=OuterRef("pk"))
        .order_by()
        .values("plan")
        .annotate(total=Sum("counted"))
        .values("total")
    )
    targets = (
        Target.objects.filter(plan=OuterRef("pk"))
        .order_by()
        .values("plan")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return plans.annotate(
        target_count=Coalesce(Subquery(targets), 0),
        counted_sum=Coalesce(
            Subquery(counted),
            Value(Decimal(0)),
            output_field=DecimalField(max_digits=14, decimal_places=2),
        ),
    )


def plan_figure(plan) -> Decimal | None:
    if not plan.target_count:
        return None
    return (Decimal(plan.counted_sum) / plan.target_count).quantize(Decimal("0.01"))


@dataclass
class Board:
    cycle: Cycle
    elapsed: Decimal
    overdue: list[tuple[ActionPlan, Period]]
    overdue_total: int
    returned: list[ProgressReport]
    off_track: list[tuple[ActionPlan, Decimal | None]]
    off_track_total: int
    pending_changes: list


def monitoring_board(cycle: Cycle, *, today: dt.date | None = None) -> Board:
    """Overdue periods, returned reports and plans off track, in a fixed number of queries."""

    today = today or timezone.localdate()
    elapsed = elapsed_share(cycle.implementation_start, cycle.implementation_end, today)
    plans = ActionPlan.objects.filter(cycle=cycle, state=PlanState.IMPLEMENTING)
    late_periods = [p for p in cycle_periods(cycle) if p.due < today]
    overdue, overdue_total = [], 0
    if late_periods:
        handed = set(
            ProgressReport.objects.filter(
                plan__in=plans,
                period__in=[p.number for p in late_periods],
                state__in=ReportState.HANDED_IN,
            ).values_list("plan_id", "period")
        )
        for plan in plans.select_related("agency").order_by("agency__name", "title", "pk"):
            for period in late_periods:
                if (plan.pk, period.number) not in handed:
                    overdue_total += 1
                    if len(overdue) < BOARD_ROWS:
                        overdue.append((plan, period))
    returned = list(
        ProgressReport.objects.filter(plan__in=plans, state=ReportState.RETURNED)
        .select_related("plan", "plan__agency")
        .order_by("verified_at", "pk")[:BOARD_ROWS]
    )
    off = []
    for plan in with_realisation(plans.select_related("agency")).order_by("title", "pk"):
        figure = plan_figure(plan)
        if (figure or Decimal(0)) < elapsed:
            off.append((plan, figure))
    return Board(
        cycle=cycle,
        elapsed=elapsed,
        overdue=overdue,
        overdue_total=overdue_total,
        returned=returned,
        off_track=off[:BOARD_ROWS],
        off_track_total=len(off),
        pending_changes=list(
            ChangeRequest.objects.filter(plan__cycle=cycle, state=ChangeState.PENDING)
            .select_related("plan", "requested_by")
            .order_by("requested_at")
        ),
    )
