"""The decision board and the reviewers' calibration."""

import statistics
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Window,
)
from django.utils.translation import gettext_lazy as _

from plans.enums import PlanState
from plans.models import ActionPlan, Cycle, PlanVersion

from ..enums import ReviewState
from ..models import (
    Decision,
    Review,
    ReviewAssignment,
)

# --- The decision board -------------------------------------------------------------------

BOARD_GROUPS = {
    "awaiting_assignment": (PlanState.SUBMITTED,),
    "in_review": (PlanState.IN_REVIEW,),
    "reviews_complete": (PlanState.REVIEWED,),
    # The same "decided" as the dashboard's funnel and the plan list's filter.
    "decided": tuple(sorted(PlanState.DECIDED)),
}
BOARD_GROUP_LABELS = {
    "awaiting_assignment": _("Menunggu penugasan"),
    "in_review": _("Dalam penilaian"),
    "reviews_complete": _("Penilaian lengkap"),
    "decided": _("Sudah diputuskan"),
}


# Sort keys of the board's tables ("-key" descending) → columns; ties by id.
BOARD_SORTS = {
    "title": ("title",),
    "agency": ("agency__name",),
    "submitted": ("submitted_at",),
}


def board_counts(cycle: Cycle) -> dict[str, int]:
    """How many of the cycle's submitted plans are in each group of BOARD_GROUPS. One
    query."""
    return ActionPlan.objects.filter(cycle=cycle, state__in=PlanState.SUBMITTED_ONCE).aggregate(
        **{name: Count("pk", filter=Q(state__in=states)) for name, states in BOARD_GROUPS.items()}
    )


def board_plans(
    cycle: Cycle,
    *,
    group: str = "",
    agency_id: int | None = None,
    flagged: bool = False,
    query: str = "",
    sort: str = "",
) -> QuerySet:
    """The cycle's submitted plans narrowed by the filters, with `reviewers` (active
    assignments), `reviews_in` (submitted reviews of the latest version) and the latest
    decision's outcome, in the board's order or by `sort` (BOARD_SORTS). One query (to
    paginate)."""
    plans = ActionPlan.objects.filter(cycle=cycle, state__in=PlanState.SUBMITTED_ONCE)
    if group in BOARD_GROUPS:
        plans = plans.filter(state__in=BOARD_GROUPS[group])
    if agency_id:
        plans = plans.filter(agency_id=agency_id)
    if flagged:
        plans = plans.filter(review_flagged=True)
    if query:
        plans = plans.filter(Q(title__icontains=query) | Q(owner__user__name__icontains=query))
    active = ReviewAssignment.objects.filter(plan=OuterRef("pk"), is_active=True)
    newer = PlanVersion.objects.filter(
        plan=OuterRef("version__plan"), number__gt=OuterRef("version__number")
    )
    reviews_in = Review.objects.filter(
        assignment__plan=OuterRef("pk"), assignment__is_active=True, state=ReviewState.SUBMITTED
    ).filter(~Exists(newer))
    last_decision = Decision.objects.filter(plan=OuterRef("pk")).order_by("-decided_at", "-pk")
    return (
        plans.select_related("agency", "owner__user")
        .annotate(
            reviewers=Subquery(
                active.order_by().values("plan").annotate(n=Count("pk")).values("n")[:1],
                output_field=IntegerField(),
            ),
            reviews_in=Subquery(
                reviews_in.order_by()
                .values("assignment__plan")
                .annotate(n=Count("pk"))
                .values("n")[:1],
                output_field=IntegerField(),
            ),
            outcome=Subquery(last_decision.values("outcome")[:1]),
        )
        .order_by(*_board_order(sort))
    )


def _board_order(sort: str) -> list[str]:
    columns = BOARD_SORTS.get(sort.removeprefix("-"))
    if columns is None:
        return ["state", "-review_flagged", "submitted_at", "pk"]
    prefix = "-" if sort.startswith("-") else ""
    return [f"{prefix}{column}" for column in columns] + [f"{prefix}pk"]


def decision_board(cycle: Cycle, **filters) -> tuple[dict[str, int], QuerySet]:
    """Counts per group (board_counts) and the plans shown (board_plans, with the same
    filters). Two queries (the page paginates the second)."""
    return board_counts(cycle), board_plans(cycle, **filters)


# --- Calibration --------------------------------------------------------------------------


@dataclass
class CalibrationRow:
    reviewer_id: int
    name: str
    count: int
    mean: Decimal | None
    spread: Decimal | None  # standard deviation of their totals
    co_mean: Decimal | None  # mean of co-reviewers' totals on the same versions
    difference: Decimal | None  # mean − co_mean: negative is harsher


def calibration(cycle: Cycle) -> list[CalibrationRow]:
    """Per reviewer: submitted reviews in the cycle, mean and spread of their totals, and
    the co-reviewers' mean on the same plan versions. One query (window functions)."""
    rows = (
        Review.objects.filter(
            state=ReviewState.SUBMITTED,
            assignment__plan__cycle=cycle,
            assignment__is_active=True,
        )
        .annotate(
            version_sum=Window(Sum("total"), partition_by=[F("version_id")]),
            version_n=Window(Count("pk"), partition_by=[F("version_id")]),
        )
        .values_list(
            "assignment__reviewer_id",
            "assignment__reviewer__name",
            "total",
            "version_sum",
            "version_n",
        )
        .order_by()
    )
    per: dict[int, dict] = {}
    for reviewer_id, name, total, version_sum, version_n in rows:
        entry = per.setdefault(reviewer_id, {"name": name, "totals": [], "shared": []})
        entry["totals"].append(Decimal(total))
        if version_n > 1:
            co = (Decimal(version_sum) - Decimal(total)) / (version_n - 1)
            entry["shared"].append((Decimal(total), co))
    two = Decimal("0.01")
    result = []
    for reviewer_id, entry in per.items():
        totals, shared = entry["totals"], entry["shared"]
        mean = sum(totals, Decimal(0)) / len(totals)
        spread = Decimal(statistics.pstdev(totals)) if len(totals) > 1 else Decimal(0)
        # Compared on the plan versions this reviewer shares with co-reviewers only.
        co_mean = difference = None
        if shared:
            co_mean = sum((c for _own, c in shared), Decimal(0)) / len(shared)
            own_mean = sum((own for own, _c in shared), Decimal(0)) / len(shared)
            difference = (own_mean - co_mean).quantize(two)
            co_mean = co_mean.quantize(two)
        result.append(
            CalibrationRow(
                reviewer_id=reviewer_id,
                name=entry["name"],
                count=len(totals),
                mean=mean.quantize(two),
                spread=spread.quantize(two),
                co_mean=co_mean,
                difference=difference,
            )
        )
    return sorted(result, key=lambda r: (r.difference is None, r.difference or 0, r.name))
