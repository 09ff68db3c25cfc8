"""Reads of the leadership dashboard: provincial figures, all aggregated in SQL.

No function loops over plans: every figure is one aggregate query, so the page costs
the same for 155 plans or 50,000.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from agencies.models import Agency
from agents.models import Agent
from plans.enums import PlanState
from plans.models import ActionPlan, ChangeArea, CoreValue, Cycle
from plans.selectors import SCORE_BINS, score_bin_q

TOP_PLANS = 10


@dataclass(frozen=True)
class ScoreBin:
    low: int
    high: int
    count: int

    @property
    def param(self) -> str:
        """The value of the plan list's `score` filter for this bin."""
        return f"{self.low}-{self.high}"


@dataclass(frozen=True)
class ProvincialOverview:
    cycle: Cycle
    agencies: int
    agents: int
    drafted: int
    submitted: int
    approved: int
    mean_score: Decimal | None
    flagged: int
    scored: int
    score_bins: list[ScoreBin]
    per_agency: list[Agency]
    change_areas: list[ChangeArea]
    core_values: list[CoreValue]
    top_plans: list[ActionPlan]


def _per_agency(cycle: Cycle):
    """Participation and submission per agency: active agents, plans, submitted, approved."""
    in_cycle = Q(plans__cycle=cycle)
    agents = (
        Agent.objects.filter(agency=OuterRef("pk"), is_active=True)
        .order_by()
        .values("agency")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Agency.objects.annotate(
            agent_count=Coalesce(Subquery(agents, output_field=IntegerField()), Value(0)),
            plan_count=Count("plans", filter=in_cycle),
            submitted_count=Count(
                "plans", filter=in_cycle & Q(plans__state__in=PlanState.SUBMITTED_ONCE)
            ),
            approved_count=Count(
                "plans", filter=in_cycle & Q(plans__state__in=PlanState.APPROVED_ONCE)
            ),
            mean_score=Avg("plans__score", filter=in_cycle),
        )
        .filter(Q(agent_count__gt=0) | Q(plan_count__gt=0))
        .order_by("name", "pk")
    )


def provincial_overview(cycle: Cycle) -> ProvincialOverview:
    """The figures of the leadership dashboard for one cycle (SPEC.md §6). Seven queries."""
    plans = ActionPlan.objects.filter(cycle=cycle)
    bins = {f"bin_{low}": Count("id", filter=score_bin_q(low, high)) for low, high in SCORE_BINS}
    figures = plans.aggregate(
        agencies=Count("agency", distinct=True),
        drafted=Count("id"),
        submitted=Count("id", filter=Q(state__in=PlanState.SUBMITTED_ONCE)),
        approved=Count("id", filter=Q(state__in=PlanState.APPROVED_ONCE)),
        mean_score=Avg("score"),
        scored=Count("id", filter=Q(score__isnull=False)),
        flagged=Count("id", filter=Q(review_flagged=True)),
        **bins,
    )
    coverage = Count("plans", filter=Q(plans__cycle=cycle))
    mean = figures["mean_score"]
    return ProvincialOverview(
        cycle=cycle,
        agencies=figures["agencies"],
        agents=Agent.objects.filter(is_active=True).count(),
        drafted=figures["drafted"],
        submitted=figures["submitted"],
        approved=figures["approved"],
        mean_score=Decimal(mean).quantize(Decimal("0.01")) if mean is not None else None,
        flagged=figures["flagged"],
        scored=figures["scored"],
        score_bins=[ScoreBin(low, high, figures[f"bin_{low}"]) for low, high in SCORE_BINS],
        per_agency=list(_per_agency(cycle)),
        change_areas=list(
            ChangeArea.objects.filter(is_active=True)
            .annotate(plan_count=coverage)
            .order_by("order", "code")
        ),
        core_values=list(CoreValue.objects.annotate(plan_count=coverage).order_by("order", "code")),
        top_plans=list(
            plans.filter(score__isnull=False)
            .select_related("agency", "owner__user")
            .order_by("-score", "title", "pk")[:TOP_PLANS]
        ),
    )
