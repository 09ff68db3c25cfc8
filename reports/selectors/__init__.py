"""Reads of the leadership dashboard, split by what they serve:

- `figures`: the plain data they return (headline, tallies, per-agency figures and rows,
  lagging agencies) and the thresholds;
- `overview`: the figures of a cycle, province-wide or for one agency, aggregated in SQL
  and cached per cycle (`cycle_overview`);
- `agency_table`: the per-agency rows of those figures, all of them for print or a page
  of them searched, filtered and sorted for the dashboard;
- `agency`: who sees which agency, and the agency page;
- `jobs`: the report jobs' pages and the verification of printed codes (imported as
  `reports.selectors.jobs`, not re-exported here: it reads the services' permission
  predicate, and the services' renderers read this package).

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
from .agency_table import AGENCY_SHOWS, AGENCY_SORTS, agency_rows, agency_table
from .figures import (
    AGENCIES_PER_PAGE,
    FUNNEL,
    LAGGING_DAYS,
    LAGGING_LIMIT,
    LOW_MEAN_SCORE,
    TOP_PLANS,
    AgencyFigures,
    AgencyRow,
    Comparison,
    ComparisonRow,
    CycleOverview,
    Headline,
    Lagging,
    Tally,
    TopPlan,
    Week,
    lagging_agencies,
)
from .overview import (
    cycle_overview,
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
    "TARGETS_SHOWN",
    "TOP_PLANS",
    "AgencyFigures",
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
