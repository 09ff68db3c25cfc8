"""Reads of the leadership dashboard and of the provincial summary.

`cycle_overview(cycle, agency=None)` is the single source of the figures of a cycle (the
on-screen dashboard and the PDF summary): plain data, no model instances, so that it can
be cached (reports.cache) and printed.

How the figures are read, and why it costs the same for 155 plans or 50,000:

- Each agency's figures in the cycle are kept as one row (`AgencyTally`: plans per state,
  per score bin and per change area and value served, the decided plans' scores summed
  and counted, the flagged plans, the latest extension, the agents the cycle counts, the
  submissions per week), recomputed by `reports.services.agency_tallies` whenever one of
  its plans, their alignment or team, or its agents change. Their sums over the cycle
  are kept too, in one row (`CycleTally`, moved by each agency row's change). The
  province-wide dashboard reads that row (the headline, the funnel, the states, the score
  distribution, both coverages, the weeks); an agency's dashboard sums its one row. The
  previous cycle's headline is its kept row too.
- Top plans: ORDER BY score LIMIT over the `(cycle, -score, title, id)` index.
- The agencies themselves are listed by the database from their rows (`agency_table`):
  how many, and the first few lagging ones of each kind, with how many in all; the
  dashboard's table is a page sorted and filtered there too. No step reads the two
  thousand agencies of a national cycle into Python.
"""

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from agencies.models import Agency
from agenplan import cycle_cache
from assessment.enums import ReviewState
from assessment.models import Review
from plans.enums import PlanState
from plans.models import ActionPlan, ChangeArea, CoreValue, Cycle
from plans.selectors import SCORE_BINS

from ..models import AgencyTally, CycleTally
from .agency_table import lagging_lists, listed
from .figures import (
    FUNNEL,
    TOP_PLANS,
    Comparison,
    CycleOverview,
    Headline,
    Tally,
    TopPlan,
    Week,
    _mean,
    _pct,
)
from .tally_sums import json_sums

# --- The figures --------------------------------------------------------------------------


def _sum_states(row: dict, states) -> int:
    return sum(row[f"state_{state}"] for state in states)


def _tallies(cycle: Cycle, agency: Agency | None):
    rows = AgencyTally.objects.filter(cycle=cycle)
    return rows.filter(agency=agency) if agency is not None else rows


def _add(counts: dict, prefix: str, found: dict) -> None:
    for key, n in found.items():
        name = f"{prefix}_{key}"
        if name in counts:
            counts[name] += n


# The kept rows' counters, summed here (one tuple per agency), and their counts per key
# (JSON objects), summed by the database where it can (`tally_sums`).
SCALAR_TOTALS = ("plans", "scored", "score_sum", "flagged")
# With the agencies that have plans and the agents the cycle counts: the headline's.
COUNTED = ("agencies", "agents", *SCALAR_TOTALS)
JSON_TOTALS = {"states": None, "bins": None, "areas": None, "values": None, "weeks": (int, int)}


def _keyed(totals: dict, found: dict) -> dict:
    """The totals with the counts per key spread out (states, bins) or kept (coverage per
    area and value id, weeks)."""
    totals |= {f"state_{state}": 0 for state in PlanState.values}
    totals |= {f"bin_{low}": 0 for low, _high in SCORE_BINS}
    _add(totals, "state", found["states"])
    _add(totals, "bin", found["bins"])
    return totals | {"areas": found["areas"], "values": found["values"], "weeks": found["weeks"]}


def _totals(cycle: Cycle, agency: Agency | None) -> dict:
    """The cycle's totals: province-wide its kept row (`CycleTally`, one read); for one
    agency (or a cycle without that row yet) its agencies' rows summed, their counts per
    key by the database where it can (two reads)."""
    if agency is None:
        kept = CycleTally.objects.filter(cycle=cycle).values(*COUNTED, *JSON_TOTALS).first()
        if kept is not None:
            return _keyed({name: kept[name] for name in COUNTED}, kept)
    tallies = _tallies(cycle, agency)
    totals: dict = dict.fromkeys(COUNTED, 0) | {"score_sum": Decimal(0)}
    for agents, plans, scored, score_sum, flagged in tallies.values_list("agents", *SCALAR_TOTALS):
        totals["agencies"] += 1 if plans else 0
        totals["agents"] += agents
        totals["plans"] += plans
        totals["scored"] += scored
        totals["flagged"] += flagged
        if score_sum is not None:
            totals["score_sum"] += score_sum
    return _keyed(totals, json_sums(tallies, JSON_TOTALS))


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


def _coverage(references: list[tuple], counts: dict[str, int], plans: int) -> list[Tally]:
    """One bar per change area (or value): how many of the plans serve it, and the share."""
    return [
        Tally(
            key=code,
            label=name,
            count=counts.get(str(pk), 0),
            share=_pct(counts.get(str(pk), 0), plans),
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


def _weeks(totals: dict) -> list[Week]:
    """Submissions per week (WITA, weeks from Monday): first submissions of the plans still
    handed in (a plan withdrawn to its draft is not: the cumulative ends at the submitted
    count) and resubmissions; summed from the agencies' rows."""
    weeks, running = [], 0
    for start, (first, again) in sorted(totals["weeks"].items()):
        running += first
        weeks.append(
            Week(start=dt.date.fromisoformat(start), first=first, again=again, cumulative=running)
        )
    return weeks


def previous_cycle(cycle: Cycle) -> Cycle | None:
    """The cycle that opened before this one (for the year-over-year comparison)."""
    return (
        Cycle.objects.filter(drafting_opens__lt=cycle.drafting_opens)
        .order_by("-drafting_opens", "-pk")
        .first()
    )


def _comparison_headline(cycle: Cycle, agency: Agency | None) -> Headline:
    """The headline of another cycle: one read of its kept totals."""
    return _headline(_totals(cycle, agency))


def _build_overview(cycle: Cycle, agency: Agency | None, *, refresh: bool) -> CycleOverview:
    totals = _totals(cycle, agency)
    areas, values = _alignment_references()
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
            headline=cycle_cache.cached(
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
        change_areas=_coverage(areas, totals["areas"], totals["plans"]),
        core_values=_coverage(values, totals["values"], totals["plans"]),
        top_plans=_top_plans(cycle, agency),
        weeks=_weeks(totals),
        agencies_listed=listed(cycle, agency).count(),
        **lagging_lists(cycle, agency, timezone.localdate()),
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
    overview = cycle_cache.cached(
        cycle.pk,
        "overview",
        lambda: _build_overview(cycle, agency, refresh=refresh),
        agency.pk if agency else "all",
        refresh=refresh,
    )
    return replace(overview, cycle=cycle)
