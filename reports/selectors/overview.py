"""Reads of the leadership dashboard and of the provincial summary: figures in SQL.

`cycle_overview(cycle, agency=None)` is the single source of the figures of a cycle (the
on-screen dashboard and the PDF summary): plain data, no model instances, so that it can
be cached (reports.cache) and printed.

How the figures are computed, and why it costs the same for 155 plans or 50,000:

- One GROUP BY over the cycle's plans by (state, score bin), with conditional counts of
  the plans serving each RB change area and BerAKHLAK value (read from the plans' own
  alignment ids, `ActionPlan.area_ids`/`value_ids`, so no link table is joined): the
  headline, the funnel, the states, the score distribution and both coverages.
- One GROUP BY per agency (plans, submitted, approved, scored, sum of scores, flagged,
  latest extension) read as plain tuples, one of active agents per agency, the names.
- Top plans: ORDER BY score LIMIT. Submissions per week: one GROUP BY over the versions
  of the cycle (each version carries its cycle: no join).
- The per-agency figures are cached on their own, as compact tuples (a national cycle
  has ~2,000 agencies); the overview keeps only what the page shows of them (counts and
  the first lagging agencies). The agency table sorts, filters and searches those tuples
  and builds display rows for the 25 of its page only (`agency_table`); the printed
  summary builds them all (`agency_rows`), both in `agency_table`.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncWeek
from django.utils import timezone

from agencies.models import Agency
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
from .figures import (
    FUNNEL,
    LAGGING_LIMIT,
    TOP_PLANS,
    AgencyFigures,
    Comparison,
    CycleOverview,
    Headline,
    Tally,
    TopPlan,
    Week,
    _mean,
    _pct,
)

# --- The figures --------------------------------------------------------------------------


def _totals(plans, *, areas: Sequence[int] = (), values: Sequence[int] = ()) -> dict:
    """The figures of a set of plans: how many, per state, per score bin, scored, the sum
    of scores, flagged, and per change area and value (of those ids) how many serve it.
    One GROUP BY over (state, score bin): at most a few dozen rows, folded here; cheaper
    than twenty conditional aggregates over every plan. Coverage reads the plans' own
    alignment ids (`ActionPlan.area_ids`), not the link tables: no join."""
    coverage = {f"area_{pk}": Count("id", filter=Q(area_ids__contains=[pk])) for pk in areas} | {
        f"value_{pk}": Count("id", filter=Q(value_ids__contains=[pk])) for pk in values
    }
    score_bin = Case(
        *(When(score_bin_q(low, high), then=Value(low)) for low, high in SCORE_BINS),
        default=Value(None),
        output_field=IntegerField(),
    )
    totals = {"plans": 0, "scored": 0, "score_sum": Decimal(0), "flagged": 0}
    totals |= {f"state_{state}": 0 for state in PlanState.values}
    totals |= {f"bin_{low}": 0 for low, _high in SCORE_BINS}
    totals |= dict.fromkeys(coverage, 0)
    groups = (
        plans.annotate(score_bin=score_bin)
        .order_by()
        .values("state", "score_bin")
        .annotate(
            n=Count("id"),
            scored=Count("score"),
            score_sum=Sum("score"),
            flagged=Count("id", filter=Q(review_flagged=True)),
            **coverage,
        )
        .values_list("state", "score_bin", "n", "scored", "score_sum", "flagged", *coverage)
    )
    for state, low, n, scored, score_sum, flagged, *served in groups:
        for name, count in zip(coverage, served, strict=True):
            totals[name] += count
        totals["plans"] += n
        totals["flagged"] += flagged
        if f"state_{state}" in totals:
            totals[f"state_{state}"] += n
        if state not in PlanState.DECIDED:
            continue  # a score of a plan still in review is provisional: not counted
        totals["scored"] += scored
        if score_sum is not None:
            totals["score_sum"] += Decimal(str(score_sum))
        if low is not None:
            totals[f"bin_{low}"] += n
    return totals


def cycle_agents(cycle: Cycle):
    """The agents a cycle counts: those on one of its plans (owner or team member), and the
    active agents who were there before its submission deadline. A past cycle so counts
    its own participants, not the agents added since."""
    on_plan = Exists(ActionPlan.objects.filter(cycle=cycle, owner=OuterRef("pk"))) | Exists(
        ActionPlan.co_agents.through.objects.filter(agent=OuterRef("pk"), actionplan__cycle=cycle)
    )
    return Agent.objects.filter(
        Q(is_active=True, created_at__lte=cycle.submission_deadline) | on_plan
    )


def _sum_states(row: dict, states) -> int:
    return sum(row[f"state_{state}"] for state in states)


def _agency_figures(cycle: Cycle, agency: Agency | None) -> tuple[list[AgencyFigures], dict]:
    """Per-agency figure tuples (by name), and the cycle's totals with its coverage of
    change areas and values. Six queries whatever the size: the two reference lists, the
    totals, plans per agency, agents per agency, the names.

    The totals are their own aggregate rather than sums of the per-agency rows: the
    per-agency query then carries seven columns instead of twenty-five, and reading
    ~2,000 rows of it costs a third of the time."""
    plans = ActionPlan.objects.filter(cycle=cycle)
    agents = cycle_agents(cycle)
    agencies = Agency.objects.order_by()  # sorted below, by the case-folded name
    if agency is not None:
        plans = plans.filter(agency=agency)
        agents = agents.filter(agency=agency)
        agencies = agencies.filter(pk=agency.pk)
    areas, values = _alignment_references()
    totals = _totals(plans, areas=[a[0] for a in areas], values=[v[0] for v in values])
    totals["change_areas"] = _coverage(areas, "area", totals)
    totals["core_values"] = _coverage(values, "value", totals)
    by_agency = {
        row[0]: row[1:]
        for row in plans.order_by()
        .values("agency_id")
        .annotate(
            n=Count("id"),
            submitted=Count("id", filter=Q(state__in=PlanState.SUBMITTED_ONCE)),
            approved=Count("id", filter=Q(state__in=PlanState.APPROVED_ONCE)),
            scored=Count("score", filter=Q(state__in=PlanState.DECIDED)),
            score_sum=Sum("score", filter=Q(state__in=PlanState.DECIDED)),
            flagged=Count("id", filter=Q(review_flagged=True)),
            extended=Max("submission_extended_until", filter=Q(state__in=PlanState.EDITABLE)),
        )
        .values_list(
            "agency_id", "n", "submitted", "approved", "scored", "score_sum", "flagged", "extended"
        )
    }
    agent_counts = dict(
        agents.order_by().values("agency_id").annotate(n=Count("id")).values_list("agency_id", "n")
    )
    totals["agencies"] = len(by_agency)
    totals["agents"] = sum(agent_counts.values())

    deadline = cycle.submission_deadline
    empty = (0, 0, 0, 0, None, 0, None)
    rows = []
    for pk, code, name, abbreviation, kind in agencies.values_list(
        "pk", "code", "name", "abbreviation", "kind"
    ):
        agents_here = agent_counts.get(pk, 0)
        if pk not in by_agency and not agents_here:
            continue  # neither agents nor plans: not a row of the table
        n, submitted, approved, scored, score_sum, flagged, extended = by_agency.get(pk, empty)
        rows.append(
            AgencyFigures(
                agency_id=pk,
                code=code,
                name=name,
                short_name=abbreviation or name,
                kind=kind,
                agents=agents_here,
                plans=n,
                submitted=submitted,
                approved=approved,
                scored=scored,
                score_sum=score_sum,
                flagged=flagged,
                deadline=extended if extended is not None and extended > deadline else deadline,
                folded=name.casefold(),
            )
        )
    rows.sort(key=lambda r: (r.folded, r.agency_id))
    return rows, totals


def _cached_agency_figures(
    cycle: Cycle, agency: Agency | None, *, refresh: bool = False
) -> tuple[list[AgencyFigures], dict]:
    return cache.cached(
        cycle.pk,
        "agency-figures",
        lambda: _agency_figures(cycle, agency),
        agency.pk if agency else "all",
        refresh=refresh,
    )


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


def _alignment_references() -> tuple[list[tuple], list[tuple]]:
    """(pk, code, name) of the active RB change areas and of the BerAKHLAK values."""
    areas = ChangeArea.objects.filter(is_active=True).order_by("order", "code")
    values = CoreValue.objects.order_by("order", "code")
    return (
        list(areas.values_list("pk", "code", "name")),
        list(values.values_list("pk", "code", "name")),
    )


def _coverage(references: list[tuple], prefix: str, totals: dict) -> list[Tally]:
    """One bar per change area (or value): how many of the plans serve it, and the share."""
    return [
        Tally(
            key=code,
            label=name,
            count=totals[f"{prefix}_{pk}"],
            share=_pct(totals[f"{prefix}_{pk}"], totals["plans"]),
        )
        for pk, code, name in references
    ]


def _top_plans(cycle: Cycle, agency: Agency | None) -> list[TopPlan]:
    plans = ActionPlan.objects.filter(cycle=cycle, score__isnull=False, state__in=PlanState.DECIDED)
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
    """Submissions per week (WITA, weeks from Monday): first submissions of the plans still
    handed in (a plan withdrawn to its draft is not: the cumulative ends at the submitted
    count) and resubmissions."""
    versions = PlanVersion.objects.filter(cycle=cycle)  # the version's own cycle: no join
    if agency is not None:
        versions = versions.filter(plan__agency=agency)
    rows = (
        versions.annotate(week=TruncWeek("created_at"))
        .order_by()
        .values("week")
        .annotate(
            first=Count("id", filter=Q(number=1, plan__state__in=PlanState.SUBMITTED_ONCE)),
            again=Count("id", filter=Q(number__gt=1)),
        )
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
    totals = _totals(plans)
    taking_part = (
        Agency.objects.filter(Exists(plans.filter(agency=OuterRef("pk")))).count()
        if agency is None
        else int(bool(totals["plans"]))
    )
    agents = cycle_agents(cycle)
    if agency is not None:
        agents = agents.filter(agency=agency)
    totals |= {"agencies": taking_part, "agents": agents.count()}
    return _headline(totals)


def _lagging_lists(rows: list[AgencyFigures], today: dt.date) -> dict:
    """Agencies with agents and nothing submitted (most agents first), and agencies whose
    plans score low on average (lowest first): the first few of each, and the totals."""
    silent = [r for r in rows if r.no_submission]
    silent.sort(key=lambda r: (-r.agents, r.folded, r.agency_id))
    low = [r for r in rows if r.low_score]
    low.sort(key=lambda r: (r.mean_score, r.folded, r.agency_id))
    return {
        "no_submission": [r.row(today) for r in silent[:LAGGING_LIMIT]],
        "no_submission_total": len(silent),
        "low_score": [r.row(today) for r in low[:LAGGING_LIMIT]],
        "low_score_total": len(low),
    }


def _build_overview(cycle: Cycle, agency: Agency | None, *, refresh: bool) -> CycleOverview:
    rows, totals = _cached_agency_figures(cycle, agency, refresh=refresh)
    headline = _headline(totals)
    # The state's lazy label, not its text: the cached figures serve every language.
    states = [
        Tally(key=state.value, label=state.label, count=totals[f"state_{state.value}"])
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
                refresh=refresh,
            ),
        )
    return CycleOverview(
        cycle_id=cycle.pk,
        agency_id=agency.pk if agency else None,
        headline=headline,
        states=states,
        funnel=funnel,
        score_bins=bins,
        change_areas=totals["change_areas"],
        core_values=totals["core_values"],
        top_plans=_top_plans(cycle, agency),
        weeks=_weeks(cycle, agency),
        agencies_listed=len(rows),
        **_lagging_lists(rows, timezone.localdate()),
        previous=comparison,
        computed_at=timezone.now(),
    )


def cycle_overview(
    cycle: Cycle, *, agency: Agency | None = None, refresh: bool = False
) -> CycleOverview:
    """Every figure of the dashboard for a cycle, province-wide or for one agency.

    Cached per cycle (reports.cache), invalidated when a plan, review, assignment or
    decision of the cycle changes. Cold: about a dozen queries whatever the data size;
    warm: none. `refresh=True` reads the database whatever the cache holds (and renews
    it): printed documents use it, because a worker's per-process cache may not have
    seen the web process's invalidations.
    """
    overview = cache.cached(
        cycle.pk,
        "overview",
        lambda: _build_overview(cycle, agency, refresh=refresh),
        agency.pk if agency else "all",
        refresh=refresh,
    )
    return replace(overview, cycle=cycle)
