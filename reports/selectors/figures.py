"""The plain data of the leadership dashboard: what `cycle_overview` returns and caches
(no model instances, so that it pickles and prints), the per-agency figure tuples, the
display rows built from them, and the thresholds the figures are judged by."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.utils import timezone
from django.utils.functional import Promise

from plans.models import Cycle

StrOrPromise = str | Promise

TOP_PLANS = 10
# An agency whose plans score below this on average is listed as lagging (0–100).
LOW_MEAN_SCORE = Decimal("60")
# Agencies with nothing submitted are listed as lagging this many days before the deadline.
LAGGING_DAYS = 14
LAGGING_LIMIT = 10
AGENCIES_PER_PAGE = 25

TWO_PLACES = Decimal("0.01")

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


class _Rates:
    """The percentages shown beside a count of agents, plans, submitted and approved."""

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
class Headline(_Rates):
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


@dataclass(frozen=True)
class Tally:
    """One bar of a chart: a label, a count, and the plan-list filter behind it."""

    key: str
    label: StrOrPromise
    count: int
    share: Decimal | None = None


class AgencyFigures(NamedTuple):
    """One agency's figures in a cycle, as read from its kept row (`agency_table`).
    `AgencyRow` is built from one for display (a page of the table, the lagging lists,
    the printed summary)."""

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
    score_sum: Decimal | None
    flagged: int
    deadline: dt.datetime
    # The mean capped realisation of its measured targets (None before any is measured).
    realisation: Decimal | None = None

    @property
    def mean_score(self) -> Decimal | None:
        return _mean(self.score_sum, self.scored)

    @property
    def no_submission(self) -> bool:
        return self.agents > 0 and self.submitted == 0

    @property
    def low_score(self) -> bool:
        mean = self.mean_score
        return mean is not None and mean < LOW_MEAN_SCORE

    def row(self, today: dt.date) -> "AgencyRow":
        return AgencyRow(self, days_left=(timezone.localdate(self.deadline) - today).days)


@dataclass(frozen=True)
class AgencyRow(_Rates):
    """One agency's figures as a page shows them: the figures (`AgencyFigures`, whose
    fields and properties it answers for: `row.name`, `row.mean_score`…) and the days
    left to the agency's deadline."""

    figures: AgencyFigures
    days_left: int

    def __getattr__(self, name: str):
        if name.startswith("__") or name == "figures":  # pickling, before the fields are set
            raise AttributeError(name)
        return getattr(self.figures, name)

    @property
    def days_late(self) -> int:
        return max(0, -self.days_left)


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


def _bar(field: str, pick) -> property:
    """A property: the bar of the tallies in `field` with the highest (`max`) or lowest
    (`min`) count, the first of equals; None without bars."""
    return property(lambda self: pick(getattr(self, field), key=lambda t: t.count, default=None))


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
    # Agencies with agents or plans in the cycle (the agency table's rows).
    agencies_listed: int
    # The lagging agencies: the first LAGGING_LIMIT of each list, and how many in all.
    no_submission: list[AgencyRow]
    no_submission_total: int
    low_score: list[AgencyRow]
    low_score_total: int
    previous: Comparison | None
    computed_at: dt.datetime
    cycle: Cycle | None = field(default=None, compare=False)

    def lagging(self, today: dt.date) -> "Lagging":
        return lagging_agencies(self, today)

    # For the text summaries under the charts (a handful of bars each).
    busiest_bin = _bar("score_bins", max)
    top_area = _bar("change_areas", max)
    least_area = _bar("change_areas", min)
    top_value = _bar("core_values", max)
    least_value = _bar("core_values", min)
    largest_state = _bar("states", max)

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
    """The overview's lagging agencies, with how near the cycle's deadline is."""
    cycle_deadline = overview.cycle.submission_deadline if overview.cycle else None
    days_left = (timezone.localdate(cycle_deadline) - today).days if cycle_deadline else 0
    return Lagging(
        days_left=days_left,
        watch=days_left <= LAGGING_DAYS,
        no_submission=overview.no_submission,
        no_submission_total=overview.no_submission_total,
        low_score=overview.low_score,
        low_score_total=overview.low_score_total,
    )
