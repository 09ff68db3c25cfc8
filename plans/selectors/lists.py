"""The filtered plan list: where every figure of the dashboards drills down to."""

import datetime as dt

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from agencies.models import Agency
from agents.models import User

from ..enums import PlanState
from ..models import ActionPlan, ChangeArea, CoreValue, Cycle, PlanVersion
from ..search import search_plans
from .access import plans_listed_for

STATE_GROUPS = {
    "under_review": frozenset({PlanState.IN_REVIEW, PlanState.REVIEWED}),
    "editable": PlanState.EDITABLE,
    "submitted_once": PlanState.SUBMITTED_ONCE,
    "approved_once": PlanState.APPROVED_ONCE,
    "decided": PlanState.DECIDED,
}

# The dashboard's score distribution: [low, high), the last bin closed at 100.
SCORE_BINS = ((0, 20), (20, 40), (40, 60), (60, 80), (80, 100))

# Sort keys of the list → columns; "-key" sorts descending. Empty scores sort last.
PLAN_SORTS = {
    "title": ("title",),
    "agency": ("agency__name", "title"),
    "owner": ("owner__user__name",),
    "state": ("state", "title"),
    "score": ("score",),
    "updated": ("updated_at",),
}


def score_bin_q(low: int, high: int) -> Q:
    if high >= 100:
        return Q(score__gte=low, score__lte=100)
    return Q(score__gte=low, score__lt=high)


def filter_plans(
    user: User,
    *,
    cycle: Cycle | None = None,
    state: str = "",
    group: str = "",
    agency: Agency | None = None,
    area: ChangeArea | None = None,
    value: CoreValue | None = None,
    flagged: bool = False,
    score_bin: tuple[int, int] | None = None,
    submitted_week: dt.date | None = None,
    query: str = "",
    sort: str = "",
) -> QuerySet:
    """The plans the list shows the user, narrowed by the list's filters and sorted.

    Filtering or sorting by score, or by the reviewers' disagreement, would tell the
    scores: they apply only for those who see every plan's scores
    (`assessment.view_all_scores`), and are ignored for everyone else.
    """
    qs = plans_listed_for(user)
    if not user.has_perm("assessment.view_all_scores"):
        flagged, score_bin = False, None
        if sort.removeprefix("-") == "score":
            sort = ""
    if cycle is not None:
        qs = qs.filter(cycle=cycle)
    if state:
        qs = qs.filter(state=state)
    if group:
        qs = qs.filter(state__in=STATE_GROUPS[group])
    if agency is not None:
        qs = qs.filter(agency=agency)
    if area is not None:
        through = ActionPlan.change_areas.through.objects.filter(changearea=area)
        qs = qs.filter(pk__in=through.values("actionplan_id"))
    if value is not None:
        through = ActionPlan.core_values.through.objects.filter(corevalue=value)
        qs = qs.filter(pk__in=through.values("actionplan_id"))
    if flagged:
        qs = qs.filter(review_flagged=True)
    if score_bin is not None:
        qs = qs.filter(score_bin_q(*score_bin))
    if submitted_week is not None:
        # Plans with a version handed in during the week (Monday 00:00 WITA, seven days),
        # as the dashboard's "submissions per week" counts them.
        start = timezone.make_aware(dt.datetime.combine(submitted_week, dt.time.min))
        in_week = PlanVersion.objects.filter(
            created_at__gte=start, created_at__lt=start + dt.timedelta(days=7)
        )
        qs = qs.filter(pk__in=in_week.values("plan_id"))
    qs = search_plans(qs, query)
    key = sort.removeprefix("-")
    if key in PLAN_SORTS:
        descending = sort.startswith("-")
        columns = (*PLAN_SORTS[key], "pk")
        order = [
            F(c).desc(nulls_last=True) if descending else F(c).asc(nulls_last=True) for c in columns
        ]
    else:
        order = [F("updated_at").desc(), F("pk").desc()]
    qs = qs.select_related("cycle", "agency", "owner__user").order_by(*order)
    if getattr(user, "agent_profile", None) is not None:
        # Whether the agent is on a plan's team decides what its row shows
        # (`assessment.view_scores`): one query for the page, not one per plan.
        qs = qs.prefetch_related("co_agents")
    return qs
