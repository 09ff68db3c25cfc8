"""The figures of the provincial summary report, every one aggregated in SQL.

No function loops over plans: counts are `Count(filter=Q(...))`, means `Avg`, so the
report costs the same dozen queries for 155 plans or 50,000. The on-screen dashboard
(`reports.selectors.provincial_overview`) computes overlapping figures; the two should
converge on one selector once both have settled (this module adds percentages, state
counts, reviews and the lagging agencies that the print needs).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from agencies.models import Agency
from agents.models import Agent
from assessment.enums import ReviewState
from assessment.models import Review
from plans.enums import PlanState
from plans.models import ActionPlan, ChangeArea, CoreValue, Cycle
from plans.selectors import SCORE_BINS, score_bin_q, state_counts

TOP_PLANS = 10
# An agency whose plans score below this on average is listed as lagging.
LOW_MEAN_SCORE = Decimal("60")
TWO_PLACES = Decimal("0.01")


def _two(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(TWO_PLACES)


def _pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class Headline:
    agencies: int
    agents: int
    plans: int
    submitted: int
    approved: int
    rejected: int
    scored: int
    mean_score: Decimal | None
    flagged: int
    reviews: int
    reviewers: int

    @property
    def submitted_pct(self) -> Decimal | None:
        return _pct(self.submitted, self.plans)

    @property
    def approved_pct(self) -> Decimal | None:
        return _pct(self.approved, self.submitted)

    @property
    def participation_pct(self) -> Decimal | None:
        return _pct(self.plans, self.agents)


@dataclass(frozen=True)
class AgencyRow:
    agency: Agency
    agents: int
    plans: int
    submitted: int
    approved: int
    mean_score: Decimal | None

    @property
    def submitted_pct(self) -> Decimal | None:
        return _pct(self.submitted, self.plans)

    @property
    def approved_pct(self) -> Decimal | None:
        return _pct(self.approved, self.submitted)


@dataclass(frozen=True)
class Tally:
    label: str
    count: int
    code: str = ""


@dataclass(frozen=True)
class CycleSummary:
    cycle: Cycle
    headline: Headline
    agencies: list[AgencyRow]
    score_bins: list[Tally]
    states: list[Tally]
    change_areas: list[Tally]
    core_values: list[Tally]
    top_plans: list[ActionPlan]
    no_submission: list[AgencyRow]
    low_score: list[AgencyRow]


def headline(cycle: Cycle) -> Headline:
    """One aggregate over the cycle's plans, one over its reviews, one over agents."""
    plans = ActionPlan.objects.filter(cycle=cycle)
    figures = plans.aggregate(
        agencies=Count("agency", distinct=True),
        plans=Count("id"),
        submitted=Count("id", filter=Q(state__in=PlanState.SUBMITTED_ONCE)),
        approved=Count("id", filter=Q(state__in=PlanState.APPROVED_ONCE)),
        rejected=Count("id", filter=Q(state=PlanState.REJECTED)),
        scored=Count("id", filter=Q(score__isnull=False)),
        mean_score=Avg("score"),
        flagged=Count("id", filter=Q(review_flagged=True)),
    )
    reviews = Review.objects.filter(
        assignment__plan__cycle=cycle, state=ReviewState.SUBMITTED
    ).aggregate(reviews=Count("id"), reviewers=Count("assignment__reviewer", distinct=True))
    return Headline(
        agencies=figures["agencies"],
        agents=Agent.objects.filter(is_active=True).count(),
        plans=figures["plans"],
        submitted=figures["submitted"],
        approved=figures["approved"],
        rejected=figures["rejected"],
        scored=figures["scored"],
        mean_score=_two(figures["mean_score"]),
        flagged=figures["flagged"],
        reviews=reviews["reviews"],
        reviewers=reviews["reviewers"],
    )


def agency_rows(cycle: Cycle) -> list[AgencyRow]:
    """Per agency with agents or plans: active agents, plans, submitted, approved, mean."""
    in_cycle = Q(plans__cycle=cycle)
    agents = (
        Agent.objects.filter(agency=OuterRef("pk"), is_active=True)
        .order_by()
        .values("agency")
        .annotate(n=Count("pk"))
        .values("n")
    )
    agencies = (
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
    return [
        AgencyRow(
            agency=agency,
            agents=agency.agent_count,
            plans=agency.plan_count,
            submitted=agency.submitted_count,
            approved=agency.approved_count,
            mean_score=_two(agency.mean_score),
        )
        for agency in agencies
    ]


def score_bins(cycle: Cycle) -> list[Tally]:
    plans = ActionPlan.objects.filter(cycle=cycle)
    figures = plans.aggregate(
        **{f"bin_{low}": Count("id", filter=score_bin_q(low, high)) for low, high in SCORE_BINS}
    )
    labels = []
    for low, high in SCORE_BINS:
        upper = "100" if high >= 100 else f"< {high}"
        labels.append(Tally(label=f"{low} – {upper}", count=figures[f"bin_{low}"]))
    return labels


def states(cycle: Cycle) -> list[Tally]:
    counts = state_counts(ActionPlan.objects.filter(cycle=cycle))
    return [
        Tally(label=str(state.label), count=counts[state.value], code=state.value)
        for state in PlanState
    ]


def coverage(cycle: Cycle) -> tuple[list[Tally], list[Tally]]:
    """How many of the cycle's plans serve each RB change area and each BerAKHLAK value."""
    in_cycle = Count("plans", filter=Q(plans__cycle=cycle))
    areas = ChangeArea.objects.filter(is_active=True).annotate(n=in_cycle).order_by("order", "code")
    values = CoreValue.objects.annotate(n=in_cycle).order_by("order", "code")
    return (
        [Tally(label=a.name, count=a.n, code=a.code) for a in areas],
        [Tally(label=v.name, count=v.n, code=v.code) for v in values],
    )


def top_plans(cycle: Cycle) -> list[ActionPlan]:
    return list(
        ActionPlan.objects.filter(cycle=cycle, score__isnull=False)
        .select_related("agency", "owner__user")
        .order_by("-score", "title", "pk")[:TOP_PLANS]
    )


def cycle_summary(cycle: Cycle) -> CycleSummary:
    """Every figure of the summary report: ten queries whatever the number of plans."""
    rows = agency_rows(cycle)
    areas, values = coverage(cycle)
    return CycleSummary(
        cycle=cycle,
        headline=headline(cycle),
        agencies=rows,
        score_bins=score_bins(cycle),
        states=states(cycle),
        change_areas=areas,
        core_values=values,
        top_plans=top_plans(cycle),
        # Lagging: agencies with agents but nothing submitted, or a low mean score. These
        # filter the per-agency rows already fetched (a few dozen), not plans.
        no_submission=[r for r in rows if r.agents and not r.submitted],
        low_score=sorted(
            (r for r in rows if r.mean_score is not None and r.mean_score < LOW_MEAN_SCORE),
            key=lambda r: (r.mean_score, r.agency.name),
        ),
    )
