"""The rubric arithmetic (docs/domain.md, "Scoring"), pure functions over numbers (no database).

- review total = Σ weight × (level − 1) / 4, on 0–100 when the weights sum to 100;
- plan score = mean (or median) of the submitted reviews' totals;
- reviews disagree when two of them are at least the cycle's `disagreement_levels` apart
  on one criterion, or their totals at least its `disagreement_points` apart (2 and 20
  unless the coordinator set others).
"""

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from itertools import combinations
from statistics import median

from .enums import LEVEL_MAX, LEVEL_MIN

TWO_PLACES = Decimal("0.01")


def _round(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def review_total(weights: Mapping[str, int], levels: Mapping[str, int]) -> Decimal:
    """The total of one review, rounded to two decimals. Every criterion must be scored."""
    missing = set(weights) - set(levels)
    if missing:
        raise ValueError(f"criteria not scored: {sorted(missing)}")
    span = LEVEL_MAX - LEVEL_MIN
    total = Decimal(0)
    for code, weight in weights.items():
        level = levels[code]
        if not LEVEL_MIN <= level <= LEVEL_MAX:
            raise ValueError(f"level {level} of {code} outside {LEVEL_MIN}..{LEVEL_MAX}")
        total += Decimal(weight) * Decimal(level - LEVEL_MIN) / Decimal(span)
    return _round(total)


def plan_score(totals: Sequence[Decimal], method: str = "mean") -> Decimal | None:
    """The plan's score from its submitted reviews' totals; None without reviews."""
    if not totals:
        return None
    values = [Decimal(t) for t in totals]
    if method == "median":
        return _round(Decimal(median(values)))
    return _round(sum(values, Decimal(0)) / Decimal(len(values)))


def criterion_means(reviews: Iterable[Mapping[str, int]]) -> dict[str, Decimal]:
    """The mean level per criterion over several reviews."""
    sums: dict[str, int] = {}
    counts: dict[str, int] = {}
    for levels in reviews:
        for code, level in levels.items():
            sums[code] = sums.get(code, 0) + level
            counts[code] = counts.get(code, 0) + 1
    return {code: _round(Decimal(sums[code]) / Decimal(counts[code])) for code in sums}


def disagreement(
    reviews: Sequence[tuple[Decimal, Mapping[str, int]]], *, levels: int, points: int
) -> bool:
    """True when any two reviews (total, levels) are `levels` or more apart on one
    criterion, or `points` or more apart in total: a cycle's disagreement thresholds
    (docs/domain.md, "Scoring")."""
    for (total_a, levels_a), (total_b, levels_b) in combinations(reviews, 2):
        if abs(Decimal(total_a) - Decimal(total_b)) >= points:
            return True
        for code in set(levels_a) & set(levels_b):
            if abs(levels_a[code] - levels_b[code]) >= levels:
                return True
    return False
