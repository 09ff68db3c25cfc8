"""The cycle's per-agency table: every row for the printed summary (`agency_rows`), and
the dashboard's page of it, searched, filtered and sorted (`agency_table`). Both read the
cached per-agency figures of `overview`; only the rows shown become `AgencyRow`s."""

from django.core.paginator import Page, Paginator
from django.utils import timezone

from agencies.enums import AgencyKind
from agencies.models import Agency
from plans.models import Cycle

from .figures import AGENCIES_PER_PAGE, AgencyRow, _pct
from .overview import _cached_agency_figures


def agency_rows(cycle: Cycle, *, agency: Agency | None = None) -> list[AgencyRow]:
    """Every agency with agents or plans in the cycle (or the one agency), by name: the
    printed summary's table. The dashboard pages its table with `agency_table` instead."""
    rows, _totals = _cached_agency_figures(cycle, agency)
    today = timezone.localdate()
    return [r.row(today) for r in rows]


# --- The agency table: sort, filter, search, paginate ---------------------------------------

AGENCY_SORTS = {
    "name": lambda r: r.folded,
    "agents": lambda r: r.agents,
    "plans": lambda r: r.plans,
    "submitted": lambda r: _pct(r.submitted, r.plans),
    "approved": lambda r: _pct(r.approved, r.submitted),
    "score": lambda r: r.mean_score,
    "deadline": lambda r: r.deadline,
}
AGENCY_SHOWS = {
    "no_submission": lambda r: r.no_submission,
    "low_score": lambda r: r.low_score,
    "lagging": lambda r: r.no_submission or r.low_score,
}


def agency_table(
    cycle: Cycle,
    *,
    agency: Agency | None = None,
    query: str = "",
    kind: str = "",
    show: str = "",
    sort: str = "",
    page: str | int | None = 1,
    per_page: int = AGENCIES_PER_PAGE,
) -> Page:
    """A page of the cycle's per-agency rows (or the one agency's), searched by name,
    abbreviation or code, filtered by kind and by lag, sorted by a column ("-" for
    descending; empty values last). Works on the cached figure tuples; only the page's
    rows become `AgencyRow`s."""
    selected, _totals = _cached_agency_figures(cycle, agency)
    if query:
        needle = query.casefold()
        selected = [
            r
            for r in selected
            if needle in r.folded
            or needle in r.short_name.casefold()
            or needle in r.code.casefold()
        ]
    if kind in AgencyKind.values:
        selected = [r for r in selected if r.kind == kind]
    if show in AGENCY_SHOWS:
        selected = [r for r in selected if AGENCY_SHOWS[show](r)]
    key = sort.removeprefix("-")
    if key in AGENCY_SORTS:
        value = AGENCY_SORTS[key]
        # The rows are in name order: stable sorts keep it among equal values; rows
        # without a value come last either way.
        keyed = [(value(r), r) for r in selected]
        present = [pair for pair in keyed if pair[0] is not None]
        present.sort(key=lambda pair: pair[0], reverse=sort.startswith("-"))
        selected = [r for _v, r in present] + [r for v, r in keyed if v is None]
    result = Paginator(selected, per_page).get_page(page)
    today = timezone.localdate()
    result.object_list = [r.row(today) for r in result.object_list]
    return result
