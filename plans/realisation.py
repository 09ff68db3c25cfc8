"""The realisation arithmetic (docs/domain.md, "Realisation"): pure functions over numbers
and dates, no database.

- a target's realisation is the share of the way from its baseline to its target value
  that the verified value has covered, in percent: (value − baseline) / (target − baseline)
  when higher is better, (baseline − value) / (baseline − target) when lower is better
  (service time from 14 days down to 3: 8 days is (14 − 8) / (14 − 3) = 54.55 %);
  a zero baseline needs nothing special; a target equal to its baseline (keep a level)
  is met (100 %) while the value is at least as good, else 0 %; a qualitative target is
  100 % done or 0 % not done;
- a value past the target is shown as it is (125 %), and counted as 100 % in every
  roll-up; a value that moved the wrong way counts 0 %;
- without a verified value a target has no realisation (None), and counts 0 % in roll-ups;
- the traffic light: at least 90 % green, at least 70 % yellow, below red;
- on track: the (capped) realisation is at least the share of the implementation window
  that has passed;
- roll-ups (plan, agency, RB area, cycle) are plain means of capped figures, rounded to
  two decimals half up.
"""

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from .enums import TargetDirection, TrafficLight

TWO_PLACES = Decimal("0.01")
HUNDRED = Decimal(100)
GREEN_FROM = Decimal(90)
YELLOW_FROM = Decimal(70)


def _round(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def target_realisation(
    *, direction: str, baseline: Decimal, target: Decimal, value: Decimal | None
) -> Decimal | None:
    """The realisation of one target in percent, uncapped above (never below 0).

    For a qualitative target, `value` is 1 (done) or 0 (not done)."""
    if value is None:
        return None
    value, baseline, target = Decimal(value), Decimal(baseline), Decimal(target)
    if direction == TargetDirection.QUALITATIVE:
        return HUNDRED.quantize(TWO_PLACES) if value >= 1 else Decimal("0.00")
    if direction == TargetDirection.LOWER:
        gained, wanted = baseline - value, baseline - target
        met = value <= target
    else:
        gained, wanted = value - baseline, target - baseline
        met = value >= target
    if wanted <= 0:
        # Nothing to gain (a level to keep) or a target set the wrong way round: met or not.
        return HUNDRED.quantize(TWO_PLACES) if met else Decimal("0.00")
    return _round(max(Decimal(0), gained * HUNDRED / wanted))


def capped(realisation: Decimal | None) -> Decimal:
    """The figure a roll-up counts: 0 without a value, at most 100."""
    if realisation is None:
        return Decimal("0.00")
    return _round(min(max(Decimal(realisation), Decimal(0)), HUNDRED))


def traffic_light(realisation: Decimal | None) -> str:
    figure = capped(realisation)
    if figure >= GREEN_FROM:
        return TrafficLight.GREEN
    if figure >= YELLOW_FROM:
        return TrafficLight.YELLOW
    return TrafficLight.RED


def elapsed_share(start: dt.date, end: dt.date, today: dt.date) -> Decimal:
    """The share of the window start..end (both days included) passed by the end of `today`."""
    total = (end - start).days + 1
    passed = (today - start).days + 1
    return _round(Decimal(min(max(passed, 0), total)) * HUNDRED / Decimal(total))


def on_track(realisation: Decimal | None, elapsed: Decimal) -> bool:
    return capped(realisation) >= Decimal(elapsed)


def planned_value(
    *,
    direction: str,
    baseline: Decimal,
    target: Decimal,
    start: dt.date,
    due: dt.date,
    on: dt.date,
) -> Decimal:
    """The value the straight path from the baseline at `start` to the target at `due`
    planned for the day `on` (a qualitative target: 1 once due, 0 before)."""
    if direction == TargetDirection.QUALITATIVE:
        return Decimal(1) if on >= due else Decimal(0)
    if due <= start:
        share = Decimal(1) if on >= due else Decimal(0)
    else:
        share = elapsed_share(start, due, on) / HUNDRED
    baseline, target = Decimal(baseline), Decimal(target)
    return _round(baseline + (target - baseline) * share)


def rollup(realisations: Iterable[Decimal | None]) -> Decimal | None:
    """The mean of capped realisations (None counts 0); None when there is nothing."""
    figures = [capped(r) for r in realisations]
    if not figures:
        return None
    return mean_of(sum(figures, Decimal(0)), len(figures))


def mean_of(total: Decimal, count: int) -> Decimal | None:
    """A roll-up from a kept sum of capped figures and their number (None when none)."""
    if not count:
        return None
    return _round(Decimal(total) / Decimal(count))


def light_counts(realisations: Iterable[Decimal | None]) -> dict[str, int]:
    """How many figures fall in each colour of the traffic light."""
    counts = dict.fromkeys(TrafficLight.values, 0)
    for r in realisations:
        counts[traffic_light(r)] += 1
    return counts
