"""The realisation arithmetic (plans/realisation.py), including property-based tests."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plans.enums import TargetDirection, TrafficLight
from plans.realisation import (
    capped,
    elapsed_share,
    light_counts,
    on_track,
    planned_value,
    rollup,
    target_realisation,
    traffic_light,
)

HIGHER, LOWER, QUALITATIVE = (
    TargetDirection.HIGHER,
    TargetDirection.LOWER,
    TargetDirection.QUALITATIVE,
)
amounts = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False)
realisations = st.one_of(st.none(), st.decimals(min_value=0, max_value=1000, places=2))


def test_higher_is_better_worked_example():
    # 40 % of services online, target 90 %: 65 % online is half the way.
    assert target_realisation(direction=HIGHER, baseline=40, target=90, value=65) == Decimal(
        "50.00"
    )


def test_lower_is_better_service_time():
    # Service time from 14 days down to 3: 8 days covers 6 of the 11 days.
    assert target_realisation(direction=LOWER, baseline=14, target=3, value=8) == Decimal("54.55")
    assert target_realisation(direction=LOWER, baseline=14, target=3, value=3) == Decimal("100.00")
    assert target_realisation(direction=LOWER, baseline=14, target=3, value=14) == Decimal("0.00")


def test_zero_baseline():
    assert target_realisation(direction=HIGHER, baseline=0, target=12, value=3) == Decimal("25.00")
    assert target_realisation(direction=LOWER, baseline=20, target=0, value=0) == Decimal("100.00")


def test_exceeded_is_shown_uncapped_and_counted_capped():
    r = target_realisation(direction=HIGHER, baseline=0, target=100, value=125)
    assert r == Decimal("125.00")
    assert capped(r) == Decimal("100.00")
    assert rollup([r, Decimal("50")]) == Decimal("75.00")
    assert traffic_light(r) == TrafficLight.GREEN


def test_wrong_way_counts_zero():
    assert target_realisation(direction=HIGHER, baseline=50, target=80, value=40) == Decimal("0.00")
    assert target_realisation(direction=LOWER, baseline=14, target=3, value=20) == Decimal("0.00")


def test_level_to_keep_is_met_or_not():
    assert target_realisation(direction=HIGHER, baseline=95, target=95, value=96) == Decimal(
        "100.00"
    )
    assert target_realisation(direction=HIGHER, baseline=95, target=95, value=94) == Decimal("0.00")
    assert target_realisation(direction=LOWER, baseline=3, target=3, value=3) == Decimal("100.00")


def test_qualitative_done_or_not():
    assert target_realisation(direction=QUALITATIVE, baseline=0, target=1, value=1) == Decimal(
        "100.00"
    )
    assert target_realisation(direction=QUALITATIVE, baseline=0, target=1, value=0) == Decimal(
        "0.00"
    )


def test_no_value_has_no_realisation_and_counts_zero():
    assert target_realisation(direction=HIGHER, baseline=0, target=10, value=None) is None
    assert capped(None) == Decimal("0.00")
    assert rollup([None, Decimal("100")]) == Decimal("50.00")
    assert rollup([]) is None


@pytest.mark.parametrize(
    ("figure", "light"),
    [
        (Decimal("90"), TrafficLight.GREEN),
        (Decimal("89.99"), TrafficLight.YELLOW),
        (Decimal("70"), TrafficLight.YELLOW),
        (Decimal("69.99"), TrafficLight.RED),
        (None, TrafficLight.RED),
        (Decimal("250"), TrafficLight.GREEN),
    ],
)
def test_traffic_light_bounds(figure, light):
    assert traffic_light(figure) == light


def test_elapsed_share_and_on_track():
    start, end = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    assert elapsed_share(start, end, dt.date(2025, 12, 1)) == Decimal("0.00")
    assert elapsed_share(start, end, dt.date(2026, 7, 1)) == Decimal("49.86")  # 182 / 365
    assert elapsed_share(start, end, end) == Decimal("100.00")
    assert elapsed_share(start, end, dt.date(2027, 3, 1)) == Decimal("100.00")
    assert on_track(Decimal("50"), Decimal("49.86"))
    assert not on_track(Decimal("49"), Decimal("49.86"))
    assert not on_track(None, Decimal("0.01"))
    assert on_track(None, Decimal("0"))


def test_planned_path():
    kw = {"start": dt.date(2026, 1, 1), "due": dt.date(2026, 1, 10)}
    assert planned_value(direction=LOWER, baseline=14, target=4, on=dt.date(2026, 1, 5), **kw) == (
        Decimal("9.00")
    )
    assert planned_value(direction=HIGHER, baseline=0, target=10, on=dt.date(2026, 2, 1), **kw) == (
        Decimal("10.00")
    )
    assert (
        planned_value(direction=QUALITATIVE, baseline=0, target=1, on=dt.date(2026, 1, 9), **kw)
        == 0
    )


def test_light_counts():
    assert light_counts([Decimal(95), Decimal(75), None, Decimal(10)]) == {
        "green": 1,
        "yellow": 1,
        "red": 2,
    }


@given(baseline=amounts, target=amounts, value=amounts)
def test_direction_mirrors(baseline, target, value):
    """Lower-is-better is higher-is-better read in a mirror."""
    lower = target_realisation(direction=LOWER, baseline=baseline, target=target, value=value)
    higher = target_realisation(direction=HIGHER, baseline=-baseline, target=-target, value=-value)
    assert lower == higher


@given(baseline=amounts, target=amounts, value=amounts, more=amounts)
def test_better_value_never_lowers_realisation(baseline, target, value, more):
    kw = {"baseline": baseline, "target": target}
    assert target_realisation(direction=HIGHER, value=value + more, **kw) >= target_realisation(
        direction=HIGHER, value=value, **kw
    )
    assert target_realisation(direction=LOWER, value=value - more, **kw) >= target_realisation(
        direction=LOWER, value=value, **kw
    )


@given(baseline=amounts, target=amounts, value=amounts, direction=st.sampled_from([HIGHER, LOWER]))
def test_reaching_the_target_is_at_least_100_and_baseline_is_0(baseline, target, value, direction):
    kw = {"direction": direction, "baseline": baseline, "target": target}
    assert target_realisation(value=target, **kw) == Decimal("100.00")
    improving = target > baseline if direction == HIGHER else target < baseline
    if improving:
        assert target_realisation(value=baseline, **kw) == Decimal("0.00")
    assert target_realisation(value=value, **kw) >= 0


@given(target=st.decimals(min_value="0.01", max_value=100_000, places=2), value=amounts)
def test_zero_baseline_is_the_plain_ratio(target, value):
    r = target_realisation(direction=HIGHER, baseline=0, target=target, value=value)
    assert abs(r - value * 100 / target) <= Decimal("0.005")


@given(st.lists(realisations, max_size=30))
def test_rollup_bounds(figures):
    result = rollup(figures)
    if not figures:
        assert result is None
        return
    counted = [capped(f) for f in figures]
    assert Decimal(0) <= result <= Decimal(100)
    assert min(counted) - Decimal("0.01") <= result <= max(counted) + Decimal("0.01")
    assert sum(light_counts(figures).values()) == len(figures)


@given(realisations, st.decimals(min_value=0, max_value=100, places=2))
def test_on_track_and_light_agree_with_capping(figure, elapsed):
    assert on_track(figure, elapsed) == (capped(figure) >= elapsed)
    assert traffic_light(figure) == traffic_light(capped(figure))


@given(
    start=st.dates(dt.date(2020, 1, 1), dt.date(2030, 1, 1)),
    days=st.integers(0, 2000),
    a=st.integers(-100, 3000),
    b=st.integers(-100, 3000),
)
def test_elapsed_share_grows_from_0_to_100(start, days, a, b):
    end = start + dt.timedelta(days=days)
    first, second = sorted((a, b))
    s1 = elapsed_share(start, end, start + dt.timedelta(days=first))
    s2 = elapsed_share(start, end, start + dt.timedelta(days=second))
    assert Decimal(0) <= s1 <= s2 <= Decimal(100)
