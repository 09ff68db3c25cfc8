"""A cycle's reporting periods: pure dates, no database.

The implementation window is cut into periods of `months` calendar months from its first
month (monthly by default); the first period starts on the window's first day and the last
ends on its last day. A period's report is due `due_days` days after the period ends.
"""

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Period:
    number: int
    start: dt.date
    end: dt.date
    due: dt.date


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def reporting_periods(start: dt.date, end: dt.date, *, months: int = 1, due_days: int = 10):
    """The periods of the window start..end (both included)."""
    periods = []
    first = start
    number = 1
    while first <= end:
        following = _add_months(first.replace(day=1), months)
        last = min(following - dt.timedelta(days=1), end)
        periods.append(Period(number, first, last, last + dt.timedelta(days=due_days)))
        first, number = following, number + 1
    return periods


def cycle_periods(cycle) -> list[Period]:
    return reporting_periods(
        cycle.implementation_start,
        cycle.implementation_end,
        months=cycle.reporting_months,
        due_days=cycle.report_due_days,
    )


def period_of(cycle, number: int) -> Period | None:
    return next((p for p in cycle_periods(cycle) if p.number == number), None)
