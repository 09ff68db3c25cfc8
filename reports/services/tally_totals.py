"""A cycle's totals (`CycleTally`) from its agencies' figures (`AgencyTally` columns):
summed over every row when rebuilt, moved by the difference one agency's recomputation
makes otherwise.

The figures are numbers, a score sum that an agency without decided plans leaves empty,
and counts per key: a number ({"draft": 3}) or a list ({"2026-03-02": [first, again]};
realisation per area: [targets, "sum"], the sum a decimal written as text). A key whose
counts all come back to zero is dropped, as an agency's row never holds one.
"""

from collections.abc import Iterable
from decimal import Decimal

SUMMED = (
    "plans",
    "submitted",
    "approved",
    "scored",
    "score_sum",
    "flagged",
    "agents",
    "measured",
    "verified",
    "realised",
    "green",
    "yellow",
)
PER_KEY = ("states", "bins", "areas", "values", "weeks", "realised_areas")
# The columns of a cycle's totals (`CycleTally`).
TOTALS = ("agencies", *SUMMED, *PER_KEY)


def empty_totals() -> dict:
    totals: dict = {name: 0 for name in SUMMED}
    totals |= {"score_sum": Decimal(0), "realised": Decimal(0), "agencies": 0}
    return totals | {name: {} for name in PER_KEY}


def _zero(value) -> bool:
    if isinstance(value, list):
        return all(_zero(part) for part in value)
    return Decimal(value) == 0


def _plus(kept, added, sign: int):
    if isinstance(kept, str):  # a decimal kept as text
        return str(Decimal(kept) + sign * Decimal(added))
    return kept + sign * added


def _add_keys(into: dict, counts: dict, sign: int) -> None:
    for key, value in counts.items():
        if isinstance(value, list):
            kept = into.get(key) or ["0" if isinstance(part, str) else 0 for part in value]
            total = [_plus(k, v, sign) for k, v in zip(kept, value, strict=True)]
        else:
            total = into.get(key, 0) + sign * value
        if _zero(total):
            into.pop(key, None)
        else:
            into[key] = total


def add_figures(totals: dict, figures: dict, sign: int = 1) -> None:
    """Add one agency's figures to the totals (`sign=-1`: take them away)."""
    for name in SUMMED:
        value = figures.get(name)
        if value is not None:
            totals[name] += sign * value
    totals["agencies"] += sign * (1 if figures.get("plans") else 0)
    for name in PER_KEY:
        _add_keys(totals[name], figures.get(name) or {}, sign)


def sum_figures(rows: Iterable[dict]) -> dict:
    """The totals of the agencies' figures."""
    totals = empty_totals()
    for figures in rows:
        add_figures(totals, figures)
    return totals
