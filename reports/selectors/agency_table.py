"""The cycle's agencies as pages list them, read from their kept rows (`AgencyTally`, one
per agency with agents or plans in the cycle, kept current by
`reports.services.agency_tallies`): the dashboard's table searched, filtered, sorted and
paged by the database (`agency_table`), the lagging agencies (`lagging_lists`: the first
few of each list and how many), and every row for the printed summary and the API
(`agency_rows`). Only the rows shown become `AgencyRow`s: a national cycle's two thousand
agencies cost the page its 25."""

import datetime as dt

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Lower
from django.utils import timezone

from agencies.enums import AgencyKind
from agencies.models import Agency
from plans.models import Cycle
from plans.realisation import mean_of

from ..models import AgencyTally
from .figures import AGENCIES_PER_PAGE, LAGGING_LIMIT, LOW_MEAN_SCORE, TWO_PLACES, AgencyFigures

COLUMNS = (
    "agency_id",
    "agency__code",
    "agency__name",
    "agency__abbreviation",
    "agency__kind",
    "agents",
    "plans",
    "submitted",
    "approved",
    "scored",
    "score_sum",
    "flagged",
    "extended",
    "measured",
    "realised",
)


def listed(cycle: Cycle, agency: Agency | None = None) -> QuerySet:
    """The kept rows of the agencies the cycle lists: those with agents or plans in it (or
    the one agency's)."""
    rows = AgencyTally.objects.filter(cycle=cycle).filter(Q(plans__gt=0) | Q(agents__gt=0))
    return rows.filter(agency=agency) if agency is not None else rows


def _ratio(part: str, whole: str):
    """part / whole, empty when whole is 0 (exact: the order of the percentages shown)."""
    return Case(
        When(**{whole: 0}, then=Value(None)),
        default=Cast(part, FloatField()) / Cast(whole, FloatField()),
        output_field=FloatField(),
    )


# A mean shown below LOW_MEAN_SCORE (rounded half up to two places) is a mean below this.
_LOW_BELOW = LOW_MEAN_SCORE - TWO_PLACES / 2

NO_SUBMISSION = Q(agents__gt=0, submitted=0)
LOW_SCORE = Q(scored__gt=0, score_sum__lt=F("scored") * Value(_LOW_BELOW))

MEAN_SCORE = _ratio("score_sum", "scored")


def _deadline(cycle: Cycle):
    """The agency's deadline: the cycle's, or a plan's later extension."""
    deadline = cycle.submission_deadline
    return Case(When(extended__gt=deadline, then=F("extended")), default=Value(deadline))


# What each column of the table sorts on, for a cycle.
AGENCY_SORTS = {
    "name": lambda _cycle: Lower("agency__name"),
    "agents": lambda _cycle: F("agents"),
    "plans": lambda _cycle: F("plans"),
    "submitted": lambda _cycle: _ratio("submitted", "plans"),
    "approved": lambda _cycle: _ratio("approved", "submitted"),
    "score": lambda _cycle: MEAN_SCORE,
    "deadline": _deadline,
}
AGENCY_SHOWS = {
    "no_submission": NO_SUBMISSION,
    "low_score": LOW_SCORE,
    "lagging": NO_SUBMISSION | LOW_SCORE,
}
BY_NAME = (Lower("agency__name"), "agency_id")


def _figures(row: tuple, deadline: dt.datetime) -> AgencyFigures:
    pk, code, name, abbreviation, kind, agents, plans, submitted, approved, *rest = row
    scored, score_sum, flagged, extended, measured, realised = rest
    return AgencyFigures(
        agency_id=pk,
        code=code,
        name=name,
        short_name=abbreviation or name,
        kind=kind,
        agents=agents,
        plans=plans,
        submitted=submitted,
        approved=approved,
        scored=scored,
        score_sum=score_sum if scored else None,
        flagged=flagged,
        deadline=extended if extended is not None and extended > deadline else deadline,
        realisation=mean_of(realised, measured) if measured else None,
    )


def _rows(cycle: Cycle, tallies: QuerySet) -> list[AgencyFigures]:
    deadline = cycle.submission_deadline
    return [_figures(row, deadline) for row in tallies.values_list(*COLUMNS)]


def agency_rows(cycle: Cycle, *, agency: Agency | None = None) -> list:
    """Every agency the cycle lists (or the one agency), by name, as `AgencyRow`s: the
    printed summary's table and the API. One query. The dashboard pages its table with
    `agency_table` instead."""
    today = timezone.localdate()
    rows = _rows(cycle, listed(cycle, agency).order_by(*BY_NAME))
    return [r.row(today) for r in rows]


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
    """A page of the cycle's agencies (or the one agency), searched by name, abbreviation
    or code, filtered by kind and by lag, sorted by a column ("-" for descending; empty
    values last; ties by name): two queries, the count and the page."""
    tallies = listed(cycle, agency)
    if query:
        tallies = tallies.filter(
            Q(agency__name__icontains=query)
            | Q(agency__abbreviation__icontains=query)
            | Q(agency__code__icontains=query)
        )
    if kind in AgencyKind.values:
        tallies = tallies.filter(agency__kind=kind)
    if show in AGENCY_SHOWS:
        tallies = tallies.filter(AGENCY_SHOWS[show])
    key = sort.removeprefix("-")
    order = list(BY_NAME)
    if key in AGENCY_SORTS:
        value = AGENCY_SORTS[key](cycle)
        descending = sort.startswith("-")
        order.insert(0, value.desc(nulls_last=True) if descending else value.asc(nulls_last=True))
    result = Paginator(tallies.order_by(*order).values_list(*COLUMNS), per_page).get_page(page)
    today = timezone.localdate()
    result.object_list = [
        _figures(row, cycle.submission_deadline).row(today) for row in result.object_list
    ]
    return result


def lagging_lists(cycle: Cycle, agency: Agency | None, today: dt.date) -> dict:
    """Agencies with agents and nothing submitted (most agents first), and agencies whose
    plans score low on average (lowest first): the first few of each, and how many in all
    (a window count beside the rows: one query per list)."""
    tallies = listed(cycle, agency).annotate(total=Window(Count("pk")))
    found = {}
    for name, condition, order in (
        ("no_submission", NO_SUBMISSION, [F("agents").desc(), *BY_NAME]),
        ("low_score", LOW_SCORE, [MEAN_SCORE.asc(nulls_last=True), *BY_NAME]),
    ):
        rows = list(
            tallies.filter(condition)
            .order_by(*order)
            .values_list(*COLUMNS, "total")[:LAGGING_LIMIT]
        )
        found[name] = [_figures(row[:-1], cycle.submission_deadline).row(today) for row in rows]
        found[f"{name}_total"] = rows[0][-1] if rows else 0
    return found
