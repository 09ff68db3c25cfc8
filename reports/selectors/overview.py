"""Reads of the leadership dashboard and of the provincial summary: figures in SQL.

`cycle_overview(cycle, agency=None)` is the single source of the figures of a cycle (the
on-screen dashboard and the PDF summary): plain data, no model instances, so that it can
be cached (reports.cache) and printed.

How the figures are computed, and why it costs the same for 155 plans or 50,000:

- One GROUP BY over the cycle's plans per agency, with conditional aggregates (plans per
  state, scored, sum of scores, flagged, per score bin, latest extension). The headline
  figures, the funnel, the state counts and the score distribution are the sums of these
  per-agency aggregates: adding ~2,000 agency rows, never looping over plans. One scan of
  the plans serves the whole page.
- Active agents per agency: one GROUP BY. Coverage of RB change areas and BerAKHLAK
  values: one annotated query each. Top plans: ORDER BY score LIMIT. Submissions per
  week: one GROUP BY over the submitted versions. Reviews: one aggregate.
- The agency table is sorted, filtered, searched and paginated over the per-agency rows
  (one row per agency, already aggregated): every page of the table is then a cache hit.
"""

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, Max, OuterRef, Q, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from agencies.enums import AgencyKind
from agencies.models import Agency
from agents.enums import Role
from agents.models import Agent
from assessment.enums import ReviewState
from assessment.models import Review
from plans.enums import PlanState
from plans.models import (
    ActionPlan,
    ChangeArea,
    CoreValue,
    Cycle,
    PlanVersion,
)
from plans.selectors import SCORE_BINS, score_bin_q

from .. import cache

TOP_PLANS = 10
# An agency whose plans score below this on average is listed as lagging (0–100).
LOW_MEAN_SCORE = Decimal("60")
# Agencies with nothing submitted are listed as lagging this many days before the deadline.
LAGGING_DAYS = 14
LAGGING_LIMIT = 10
AGENCIES_PER_PAGE = 25

TWO_PLACES = Decimal("0.01")
SEES_PROVINCE = frozenset({Role.LEADERSHIP, Role.COORDINATOR, Role.ADMIN})

# The workflow funnel: each stage holds the plans that reached it (cumulative), with the
# plan list's `group` filter that lists them.
FUNNEL = (
    ("drafted", ""),
    ("submitted", "submitted_once"),
    ("decided", "decided"),
    ("approved", "approved_once"),
)


def _two(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _mean(total, count: int) -> Decimal | None:
    if not count or total is None:
        return None
    return _two(Decimal(str(total)) / count)


# --- Plain data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    agencies: int
    agents: int
    plans: int
    submitted: int
    decided: int
    approved: int
    rejected: int
    scored: int
    mean_score: Decimal | None
    flagged: int

    @property
    def drafted(self) -> int:
        return self.plans

    @property
    def participation_pct(self) -> Decimal | None:
        return _pct(self.plans, self.agents)

    @property
    def submitted_pct(self) -> Decimal | None:
        return _pct(self.submitted, self.plans)

    @property
    def approved_pct(self) -> Decimal | None:
        return _pct(self.approved, self.submitted)


@dataclass(frozen=True)
class AgencyRow:
    agency_id: int
    code: str
    name: str
    short_name: str
    kind: str
    agents: int
    plans: int
    submitted: int
    approved: int
    scored: int
    mean_score: Decimal | None
    flagged: int
    deadline: dt.datetime
    days_left: int

    @property
    def submitted_pct(self) -> Decimal | None:
        return _pct(self.submitted, self.plans)

    @property
    def approved_pct(self) -> Decimal | None:
        return _pct(self.approved, self.submitted)

    @property
    def participation_pct(self) -> Decimal | None:
        return _pct(self.plans, self.agents)

    @property
    def days_late(self) -> int:
        return max(0, -self.days_left)

    @property
    def no_submission(self) -> bool:
        return self.agents > 0 and self.submitted == 0

    @property
    def low_score(self) -> bool:
        return self.mean_score is not None and self.mean_score < LOW_MEAN_SCORE


@dataclass(frozen=True)
class Tally:
    """One bar of a chart: a label, a count, and the plan-list filter behind it."""

    key: str
    label: str
    count: int
    share: Decimal | None = None


@dataclass(frozen=True)
class TopPlan:
    pk: int
    title: str
    agency_id: int
    agency: str
    owner: str
    state: str
    score: Decimal


@dataclass(frozen=True)
class Week:
    start: dt.date
    first: int
    again: int
    cumulative: int

    @property
    def total(self) -> int:
        return self.first + self.again


@dataclass(frozen=True)
class Comparison:
    cycle_code: str
    cycle_name: str
    headline: Headline


@dataclass(frozen=True)
class ComparisonRow:
    """One figure of this cycle against the previous one, with the plan-list filters."""

    key: str
    current: int | Decimal | None
    previous: int | Decimal | None
    group: str = ""
    sort: str = ""
    flagged: str = ""

    @property
    def change(self) -> int | Decimal | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous


COMPARED = (
    # (key, attribute of Headline, plan-list filters)
    ("agencies", "agencies", {}),
    ("plans", "plans", {}),
    ("submitted", "submitted", {"group": "submitted_once"}),
    ("approved", "approved", {"group": "approved_once"}),
    ("mean_score", "mean_score", {"sort": "-score"}),
    ("flagged", "flagged", {"flagged": "1"}),
)


@dataclass(frozen=True)
class CycleOverview:
    cycle_id: int
    agency_id: int | None
    headline: Headline
    states: list[Tally]
    funnel: list[Tally]
    score_bins: list[Tally]
    change_areas: list[Tally]
    core_values: list[Tally]
    top_plans: list[TopPlan]
    weeks: list[Week]
    agencies: list[AgencyRow]
    previous: Comparison | None
    computed_at: dt.datetime
    cycle: Cycle | None = field(default=None, compare=False)

    # Aliases kept for the summary report and older templates.
    @property
    def per_agency(self) -> list[AgencyRow]:
        return self.agencies

    def lagging(self, today: dt.date) -> "Lagging":
        return lagging_agencies(self, today)

    # For the text summaries under the charts (a handful of bars each).
    @property
    def busiest_bin(self) -> Tally | None:
        return max(self.score_bins, key=lambda t: t.count, default=None)

    @property
    def top_area(self) -> Tally | None:
        return max(self.change_areas, key=lambda t: t.count, default=None)

    @property
    def least_area(self) -> Tally | None:
        return min(self.change_areas, key=lambda t: t.count, default=None)

    @property
    def top_value(self) -> Tally | None:
        return max(self.core_values, key=lambda t: t.count, default=None)

    @property
    def least_value(self) -> Tally | None:
        return min(self.core_values, key=lambda t: t.count, default=None)

    @property
    def peak_week(self) -> Week | None:
        return max(self.weeks, key=lambda w: w.total, default=None)

    @property
    def comparison(self) -> list[ComparisonRow]:
        if self.previous is None:
            return []
        return [
            ComparisonRow(
                key=key,
                current=getattr(self.headline, attr),
                previous=getattr(self.previous.headline, attr),
                **filters,
            )
            for key, attr, filters in COMPARED
        ]

    @property
    def largest_state(self) -> Tally | None:
        return max(self.states, key=lambda t: t.count, default=None)


# --- The figures --------------------------------------------------------------------------


def _plan_aggregates() -> dict:
    bins = {f"bin_{low}": Count("id", filter=score_bin_q(low, high)) for low, high in SCORE_BINS}
    states = {f"state_{state}": Count("id", filter=Q(state=state)) for state in PlanState.values}
    return {
        "plans": Count("id"),
        **states,
        "scored": Count("score"),
        "score_sum": Sum("score"),
        "flagged": Count("id", filter=Q(review_flagged=True)),
        **bins,
        "extended_until": Max("submission_extended_until", filter=Q(state__in=PlanState.EDITABLE)),
    }


def _sum_states(row: dict, states) -> int:
    return sum(row[f"state_{state}"] for state in states)


def _agency_rows(cycle: Cycle, agency: Agency | None) -> tuple[list[AgencyRow], dict]:
    """Per-agency rows, and the totals of their aggregates (the cycle's figures)."""
    plans = ActionPlan.objects.filter(cycle=cycle)
    agents = Agent.objects.filter(is_active=True)
    if agency is not None:
        plans = plans.filter(agency=agency)
        agents = agents.filter(agency=agency)
    by_agency = {
        row["agency_id"]: row
        for row in plans.order_by().values("agency_id").annotate(**_plan_aggregates())
    }
    agent_counts = dict(
        agents.order_by().values("agency_id").annotate(n=Count("id")).values_list("agency_id", "n")
    )
    ids = set(by_agency) | set(agent_counts)
    agencies = Agency.objects.filter(pk__in=ids).values(
        "pk", "code", "name", "abbreviation", "kind"
    )
    today = timezone.localdate()
    empty = dict.fromkeys(_plan_aggregates(), 0) | {"score_sum": None, "extended_until": None}
    totals = dict.fromkeys(_plan_aggregates(), 0) | {"score_sum": Decimal(0)}
    rows = []
    for a in agencies:
        figures = by_agency.get(a["pk"], empty)
        for key in totals:
            if key != "extended_until" and figures[key] is not None:
                totals[key] += figures[key]
        extended = figures["extended_until"]
        deadline = cycle.submission_deadline
        if extended is not None and extended > deadline:
            deadline = extended
        rows.append(
            AgencyRow(
                agency_id=a["pk"],
                code=a["code"],
                name=a["name"],
                short_name=a["abbreviation"] or a["name"],
                kind=a["kind"],
                agents=agent_counts.get(a["pk"], 0),
                plans=figures["plans"],
                submitted=_sum_states(figures, PlanState.SUBMITTED_ONCE),
                approved=_sum_states(figures, PlanState.APPROVED_ONCE),
                scored=figures["scored"],
                mean_score=_mean(figures["score_sum"], figures["scored"]),
                flagged=figures["flagged"],
                deadline=deadline,
                days_left=(timezone.localdate(deadline) - today).days,
            )
        )
    rows.sort(key=lambda r: (r.name.casefold(), r.agency_id))
    totals["agencies"] = sum(1 for r in rows if r.plans)
    totals["agents"] = sum(agent_counts.values())
    return rows, totals


def _headline(totals: dict) -> Headline:
    return Headline(
        agencies=totals["agencies"],
        agents=totals["agents"],
        plans=totals["plans"],
        submitted=_sum_states(totals, PlanState.SUBMITTED_ONCE),
        decided=_sum_states(totals, PlanState.DECIDED),
        approved=_sum_states(totals, PlanState.APPROVED_ONCE),
        rejected=totals[f"state_{PlanState.REJECTED}"],
        scored=totals["scored"],
        mean_score=_mean(totals["score_sum"], totals["scored"]),
        flagged=totals["flagged"],
    )


def review_totals(cycle: Cycle, agency: Agency | None = None) -> dict:
    """Submitted reviews and the reviewers who wrote them (for the printed summary; the
    dashboard leaves it out, it is its slowest join). Grouped by reviewer (a few dozen
    rows), which PostgreSQL does faster than a COUNT(DISTINCT) over every review."""
    reviews = Review.objects.filter(assignment__plan__cycle=cycle, state=ReviewState.SUBMITTED)
    if agency is not None:
        reviews = reviews.filter(assignment__plan__agency=agency)
    per_reviewer = list(
        reviews.order_by()
        .values("assignment__reviewer_id")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    return {"reviews": sum(per_reviewer), "reviewers": len(per_reviewer)}


def _coverage(model, cycle: Cycle, agency: Agency | None, total: int) -> list[Tally]:
    """Plans of the cycle per change area (or value): one GROUP BY over the link table,
    joined to the cycle's plans; the (few) reference rows are read alongside."""
    field = ActionPlan.change_areas if model is ChangeArea else ActionPlan.core_values
    through = field.through
    target = "changearea_id" if model is ChangeArea else "corevalue_id"
    links = through.objects.filter(actionplan__cycle=cycle)
    if agency is not None:
        links = links.filter(actionplan__agency=agency)
    counts = dict(links.order_by().values(target).annotate(n=Count("id")).values_list(target, "n"))
    rows = model.objects.all()
    if model is ChangeArea:
        rows = rows.filter(is_active=True)
    return [
        Tally(key=code, label=name, count=counts.get(pk, 0), share=_pct(counts.get(pk, 0), total))
        for pk, code, name in rows.order_by("order", "code").values_list("pk", "code", "name")
    ]


def _top_plans(cycle: Cycle, agency: Agency | None) -> list[TopPlan]:
    plans = ActionPlan.objects.filter(cycle=cycle, score__isnull=False)
    if agency is not None:
        plans = plans.filter(agency=agency)
    # The ten ids first (a sort of the plans alone), then their agency and agent: joining
    # before the LIMIT would sort every joined row.
    top = plans.order_by("-score", "title", "pk").values("pk")[:TOP_PLANS]
    rows = (
        ActionPlan.objects.filter(pk__in=top)
        .order_by("-score", "title", "pk")
        .values(
            "pk",
            "title",
            "agency_id",
            "agency__name",
            "agency__abbreviation",
            "owner__user__name",
            "state",
            "score",
        )
    )
    return [
        TopPlan(
            pk=r["pk"],
            title=r["title"],
            agency_id=r["agency_id"],
            agency=r["agency__abbreviation"] or r["agency__name"],
            owner=r["owner__user__name"],
            state=r["state"],
            score=r["score"],
        )
        for r in rows
    ]


def _weeks(cycle: Cycle, agency: Agency | None) -> list[Week]:
    """Submissions per week (WITA, weeks from Monday): first submissions and resubmissions."""
    versions = PlanVersion.objects.filter(plan__cycle=cycle)
    if agency is not None:
        versions = versions.filter(plan__agency=agency)
    rows = (
        versions.annotate(week=TruncWeek("created_at"))
        .order_by()
        .values("week")
        .annotate(first=Count("id", filter=Q(number=1)), again=Count("id", filter=Q(number__gt=1)))
        .order_by("week")
    )
    weeks, running = [], 0
    for row in rows:  # one row per week
        running += row["first"]
        start = row["week"]
        if isinstance(start, dt.datetime):
            start = timezone.localtime(start).date() if timezone.is_aware(start) else start.date()
        weeks.append(Week(start=start, first=row["first"], again=row["again"], cumulative=running))
    return weeks


def previous_cycle(cycle: Cycle) -> Cycle | None:
    """The cycle that opened before this one (for the year-over-year comparison)."""
    return (
        Cycle.objects.filter(drafting_opens__lt=cycle.drafting_opens)
        .order_by("-drafting_opens", "-pk")
        .first()
    )


def _comparison_headline(cycle: Cycle, agency: Agency | None) -> Headline:
    """The headline of another cycle: one aggregate (no per-agency rows needed)."""
    plans = ActionPlan.objects.filter(cycle=cycle)
    if agency is not None:
        plans = plans.filter(agency=agency)
    totals = plans.aggregate(**_plan_aggregates())
    taking_part = (
        Agency.objects.filter(Exists(plans.filter(agency=OuterRef("pk")))).count()
        if agency is None
        else int(bool(totals["plans"]))
    )
    totals |= {"agencies": taking_part, "agents": 0}
    return _headline(totals)


def _build_overview(cycle: Cycle, agency: Agency | None) -> CycleOverview:
    rows, totals = _agency_rows(cycle, agency)
    headline = _headline(totals)
    states = [
        Tally(key=state.value, label=str(state.label), count=totals[f"state_{state.value}"])
        for state in PlanState
    ]
    stage_counts = {
        "drafted": headline.plans,
        "submitted": headline.submitted,
        "decided": headline.decided,
        "approved": headline.approved,
    }
    funnel = [
        Tally(
            key=group,
            label=stage,
            count=stage_counts[stage],
            share=_pct(stage_counts[stage], headline.plans),
        )
        for stage, group in FUNNEL
    ]
    bins = [
        Tally(key=f"{low}-{high}", label=f"{low}–{high}", count=totals[f"bin_{low}"])
        for low, high in SCORE_BINS
    ]
    previous = previous_cycle(cycle)
    comparison = None
    if previous is not None:
        comparison = Comparison(
            cycle_code=previous.code,
            cycle_name=previous.name,
            headline=cache.cached(
                previous.pk,
                "comparison",
                lambda: _comparison_headline(previous, agency),
                agency.pk if agency else "all",
            ),
        )
    return CycleOverview(
        cycle_id=cycle.pk,
        agency_id=agency.pk if agency else None,
        headline=headline,
        states=states,
        funnel=funnel,
        score_bins=bins,
        change_areas=_coverage(ChangeArea, cycle, agency, headline.plans),
        core_values=_coverage(CoreValue, cycle, agency, headline.plans),
        top_plans=_top_plans(cycle, agency),
        weeks=_weeks(cycle, agency),
        agencies=rows,
        previous=comparison,
        computed_at=timezone.now(),
    )


def cycle_overview(cycle: Cycle, *, agency: Agency | None = None) -> CycleOverview:
    """Every figure of the dashboard for a cycle, province-wide or for one agency.

    Cached per cycle (reports.cache), invalidated when a plan, review, assignment or
    decision of the cycle changes. Cold: about a dozen queries whatever the data size;
    warm: none.
    """
    overview = cache.cached(
        cycle.pk, "overview", lambda: _build_overview(cycle, agency), agency.pk if agency else "all"
    )
    return replace(overview, cycle=cycle)


def agency_rows(cycle: Cycle, *, agency: Agency | None = None) -> list[AgencyRow]:
    """Every agency with agents or plans in the cycle (or the one agency), by name: the
    printed summary's table. The dashboard pages its table with `agency_table` instead."""
    return cycle_overview(cycle, agency=agency).agencies


# --- Lagging agencies ---------------------------------------------------------------------


@dataclass(frozen=True)
class Lagging:
    days_left: int
    watch: bool  # the deadline is near (or past): agencies without a submission matter
    no_submission: list[AgencyRow]
    no_submission_total: int
    low_score: list[AgencyRow]
    low_score_total: int


def lagging_agencies(overview: CycleOverview, today: dt.date) -> Lagging:
    """Agencies with agents and nothing submitted (as the deadline nears), and agencies
    whose plans score low on average. Filters the per-agency rows, not plans."""
    cycle_deadline = overview.cycle.submission_deadline if overview.cycle else None
    days_left = (timezone.localdate(cycle_deadline) - today).days if cycle_deadline else 0
    silent = [r for r in overview.agencies if r.no_submission]
    silent.sort(key=lambda r: (-r.agents, r.name.casefold()))
    low = [r for r in overview.agencies if r.low_score]
    low.sort(key=lambda r: (r.mean_score, r.name.casefold()))
    return Lagging(
        days_left=days_left,
        watch=days_left <= LAGGING_DAYS,
        no_submission=silent[:LAGGING_LIMIT],
        no_submission_total=len(silent),
        low_score=low[:LAGGING_LIMIT],
        low_score_total=len(low),
    )


# --- The agency table: sort, filter, search, paginate ---------------------------------------

AGENCY_SORTS = {
    "name": lambda r: r.name.casefold(),
    "agents": lambda r: r.agents,
    "plans": lambda r: r.plans,
    "submitted": lambda r: r.submitted_pct,
    "approved": lambda r: r.approved_pct,
    "score": lambda r: r.mean_score,
    "deadline": lambda r: r.deadline,
}
AGENCY_SHOWS = ("no_submission", "low_score", "lagging")


def agency_table(
    rows: list[AgencyRow],
    *,
    query: str = "",
    kind: str = "",
    show: str = "",
    sort: str = "",
    page: str | int | None = 1,
    per_page: int = AGENCIES_PER_PAGE,
) -> Page:
    """A page of the per-agency rows, searched by name, abbreviation or code, filtered by
    kind and by lag, sorted by a column ("-" for descending; empty values last)."""
    selected = rows
    if query:
        needle = query.casefold()
        selected = [
            r
            for r in selected
            if needle in r.name.casefold()
            or needle in r.short_name.casefold()
            or needle in r.code.casefold()
        ]
    if kind in AgencyKind.values:
        selected = [r for r in selected if r.kind == kind]
    if show == "no_submission":
        selected = [r for r in selected if r.no_submission]
    elif show == "low_score":
        selected = [r for r in selected if r.low_score]
    elif show == "lagging":
        selected = [r for r in selected if r.no_submission or r.low_score]
    key = sort.removeprefix("-")
    if key in AGENCY_SORTS:
        value = AGENCY_SORTS[key]
        by_name = sorted(selected, key=lambda r: (r.name.casefold(), r.agency_id))
        # Stable sorts: equal values keep the order by name; rows without a value last.
        present = [r for r in by_name if value(r) is not None]
        present.sort(key=value, reverse=sort.startswith("-"))
        selected = present + [r for r in by_name if value(r) is None]
    return Paginator(selected, per_page).get_page(page)
