"""Reads of the leadership dashboard (SPEC.md §6, §8), split by what they serve:

- `overview`: the figures of a cycle, province-wide or for one agency, aggregated in SQL
  and cached per cycle (`cycle_overview`), the lagging agencies and the agency table;
- `agency`: who sees which agency, and the agency page.

`cycle_overview(cycle, agency=None)` is the single source of the figures for the screen
and for the printed provincial summary.
"""

from .agency import (
    CRITERION_MARGIN,
    TARGETS_SHOWN,
    AgencyPage,
    CriterionProfile,
    agency_page,
    criterion_profile,
    dashboard_scope,
    get_agency_for,
    headed_agencies,
)
from .overview import (
    AGENCIES_PER_PAGE,
    AGENCY_SHOWS,
    AGENCY_SORTS,
    FUNNEL,
    LAGGING_DAYS,
    LAGGING_LIMIT,
    LOW_MEAN_SCORE,
    SEES_PROVINCE,
    TOP_PLANS,
    AgencyRow,
    Comparison,
    ComparisonRow,
    CycleOverview,
    Headline,
    Lagging,
    Tally,
    TopPlan,
    Week,
    agency_rows,
    agency_table,
    cycle_overview,
    lagging_agencies,
    previous_cycle,
    review_totals,
)

__all__ = [
    "AGENCIES_PER_PAGE",
    "AGENCY_SHOWS",
    "AGENCY_SORTS",
    "CRITERION_MARGIN",
    "FUNNEL",
    "LAGGING_DAYS",
    "LAGGING_LIMIT",
    "LOW_MEAN_SCORE",
    "SEES_PROVINCE",
    "TARGETS_SHOWN",
    "TOP_PLANS",
    "AgencyPage",
    "AgencyRow",
    "Comparison",
    "ComparisonRow",
    "CriterionProfile",
    "CycleOverview",
    "Headline",
    "Lagging",
    "Tally",
    "TopPlan",
    "Week",
    "agency_page",
    "agency_rows",
    "agency_table",
    "criterion_profile",
    "cycle_overview",
    "dashboard_scope",
    "get_agency_for",
    "headed_agencies",
    "lagging_agencies",
    "previous_cycle",
    "review_totals",
]
