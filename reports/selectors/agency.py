"""Reads of one agency for the dashboard: who sees which agency, and the agency page
(its plans, agents, targets and scores per criterion against the cycle's)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.http import Http404

from agencies.models import Agency
from agenplan import cycle_cache
from agents.models import Agent, User
from agents.selectors import headed_agency_ids
from assessment.models import Criterion
from plans.models import ActionPlan, Cycle, Target

from ..models import CriterionTally
from .agency_table import agency_rows
from .figures import AgencyRow, _mean

# An agency is strong (weak) on a criterion when its mean level is this far above (below)
# the cycle's mean level on that criterion (levels 1–5).
CRITERION_MARGIN = Decimal("0.25")
TARGETS_SHOWN = 200


# --- Who sees what ------------------------------------------------------------------------


def dashboard_scope(user: User, agency_id: str | None = None) -> Agency | None:
    """The agency a user's dashboard is restricted to, or None for the whole province.

    Leaders and coordinators see the province (`reports.view_province`); the head of an
    agency sees their own agency (the first, or `agency_id` among those they head). 404 for
    any other id.
    """
    if user.has_perm("reports.view_province"):
        return None
    heads = headed_agency_ids(user)
    if not heads:
        raise Http404("No agency")
    agencies = Agency.objects.filter(pk__in=heads).order_by("name", "pk")
    if agency_id:
        chosen = agencies.filter(pk=agency_id).first() if str(agency_id).isdigit() else None
        if chosen is None:
            raise Http404("Not your agency")
        return chosen
    return agencies.first()


def headed_agencies(user: User):
    return Agency.objects.filter(pk__in=headed_agency_ids(user)).order_by("name", "pk")


def get_agency_for(user: User, pk: int) -> Agency:
    """An agency whose dashboard page the user may see; 404 for missing and not yours."""
    agencies = Agency.objects.all()
    if not user.has_perm("reports.view_province"):
        agencies = agencies.filter(pk__in=headed_agency_ids(user))
    agency = agencies.filter(pk=pk).first()
    if agency is None:
        raise Http404("No such agency")
    return agency


# --- One agency: plans, agents, targets, scores per criterion --------------------------------


@dataclass(frozen=True)
class CriterionProfile:
    code: str
    name: str
    weight: int
    agency_mean: Decimal | None
    agency_scores: int
    cycle_mean: Decimal | None

    @property
    def difference(self) -> Decimal | None:
        if self.agency_mean is None or self.cycle_mean is None:
            return None
        return self.agency_mean - self.cycle_mean

    @property
    def verdict(self) -> str:
        """ "strong", "weak" or "even" against the cycle's mean; "" without scores."""
        diff = self.difference
        if diff is None:
            return ""
        if diff >= CRITERION_MARGIN:
            return "strong"
        if diff <= -CRITERION_MARGIN:
            return "weak"
        return "even"


def _criterion_means(cycle: Cycle, agency: Agency) -> dict[int, tuple]:
    """Per criterion: the agency's mean level and number of scores, and the cycle's mean
    level, over the current reviews of the decided plans (`CriterionTally`, kept per
    cycle and agency as plans move). One query over the cycle's rows."""
    rows = (
        CriterionTally.objects.filter(cycle=cycle)
        .order_by()
        .values("criterion_id")
        .annotate(
            all_sum=Sum("level_sum"),
            all_scores=Sum("scores"),
            own_sum=Sum("level_sum", filter=Q(agency=agency)),
            own_scores=Sum("scores", filter=Q(agency=agency)),
        )
        .values_list("criterion_id", "all_sum", "all_scores", "own_sum", "own_scores")
    )
    return {
        criterion: (_mean(own_sum, own_scores or 0), own_scores or 0, _mean(level_sum, scores))
        for criterion, level_sum, scores, own_sum, own_scores in rows
    }


def criterion_profile(cycle: Cycle, agency: Agency) -> list[CriterionProfile]:
    """The agency's mean level per criterion of the cycle's rubric, against the cycle's."""
    means = _criterion_means(cycle, agency)
    criteria = Criterion.objects.filter(rubric__cycle=cycle).order_by("order", "id")
    profile = []
    for c in criteria.values("pk", "code", "name", "weight"):
        mean, n, cycle_mean = means.get(c["pk"], (None, 0, None))
        profile.append(
            CriterionProfile(
                code=c["code"],
                name=c["name"],
                weight=c["weight"],
                agency_mean=mean,
                agency_scores=n,
                cycle_mean=cycle_mean,
            )
        )
    return profile


@dataclass(frozen=True)
class AgencyPage:
    agency: Agency
    cycle: Cycle
    row: AgencyRow | None
    plans: list[ActionPlan]
    agents: list[Agent]
    targets: list[Target]
    targets_total: int
    criteria: list[CriterionProfile]


def agency_page(cycle: Cycle, agency: Agency) -> AgencyPage:
    """What the agency page shows (see `_build_agency_page`), cached per cycle version."""
    return cycle_cache.cached(
        cycle.pk, "agency", lambda: _build_agency_page(cycle, agency), agency.pk
    )


def _build_agency_page(cycle: Cycle, agency: Agency) -> AgencyPage:
    """What the agency page shows: its row of the dashboard, its plans in the cycle, its
    agents (with their plan), its targets, and its scores per criterion. A fixed number
    of queries whatever the size of the agency."""
    row = next(iter(agency_rows(cycle, agency=agency)), None)
    plans = list(
        ActionPlan.objects.filter(cycle=cycle, agency=agency)
        .select_related("owner__user")
        .annotate(target_count=Count("targets"))
        .order_by("owner__user__name", "pk")
    )
    own_plan = ActionPlan.objects.filter(cycle=cycle, owner=OuterRef("pk"))
    agents = list(
        Agent.objects.filter(agency=agency, is_active=True)
        .select_related("user")
        .annotate(
            plan_id=Subquery(own_plan.values("pk")[:1]),
            plan_title=Subquery(own_plan.values("title")[:1]),
            plan_state=Subquery(own_plan.values("state")[:1]),
            in_team=Exists(ActionPlan.objects.filter(cycle=cycle, co_agents=OuterRef("pk"))),
        )
        .order_by("user__name", "pk")
    )
    targets = Target.objects.filter(plan__cycle=cycle, plan__agency=agency)
    shown = list(
        targets.select_related("plan")
        .annotate(
            # Verified values only: the accepted report of the latest period.
            latest_value=F("realisation__value"),
            latest_pct=F("realisation__realisation"),
        )
        .order_by("plan__title", "plan_id", "order", "pk")[:TARGETS_SHOWN]
    )
    return AgencyPage(
        agency=agency,
        cycle=cycle,
        row=row,
        plans=plans,
        agents=agents,
        targets=shown,
        targets_total=len(shown) if len(shown) < TARGETS_SHOWN else targets.count(),
        criteria=criterion_profile(cycle, agency),
    )
