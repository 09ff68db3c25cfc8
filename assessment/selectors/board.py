"""The decision board and the reviewers' calibration."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils.translation import gettext_lazy as _

from plans.enums import PlanState
from plans.models import ActionPlan, Cycle, PlanVersion
from plans.search import search_plans

from ..enums import ReviewState
from ..models import (
    Decision,
    Review,
    ReviewAssignment,
    ReviewerTally,
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
    tag_id: int | None = None,
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
    if tag_id:
        plans = plans.filter(taggings__tag_id=tag_id)
    plans = search_plans(plans, query)
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
    """Per reviewer with submitted reviews in the cycle: their number, the mean and spread
    of their totals, and the co-reviewers' mean on the same plan versions, harshest first.
    One query: the figures are kept per reviewer and cycle (`ReviewerTally`) as reviews
    and assignments change."""
    rows = (
        ReviewerTally.objects.filter(cycle=cycle, reviews__gt=0)
        .values_list(
            "reviewer_id", "reviewer__name", "reviews", "mean", "spread", "co_mean", "difference"
        )
        .order_by()
    )
    result = [CalibrationRow(*row) for row in rows]
    return sorted(result, key=lambda r: (r.difference is None, r.difference or 0, r.name))
