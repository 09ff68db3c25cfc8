"""The rubric arithmetic (docs/domain.md, "Scoring"), including property-based tests."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessment.scoring import criterion_means, disagreement, plan_score, review_total

DEFAULT_WEIGHTS = {"MASALAH": 15, "GAGASAN": 20, "TARGET": 20, "SELARAS": 15, "KELAYAKAN": 15,
                   "DAMPAK": 15}  # fmt: skip


def weights_summing_to_100():
    """Lists of 1..8 positive weights that sum to exactly 100."""

    @st.composite
    def build(draw):
        n = draw(st.integers(min_value=1, max_value=8))
        cuts = sorted(draw(st.lists(st.integers(1, 99), min_size=n - 1, max_size=n - 1,
                                    unique=True)))  # fmt: skip
        bounds = [0, *cuts, 100]
        return {f"K{i}": bounds[i + 1] - bounds[i] for i in range(n)}

    return build()


def test_review_total_all_top_levels_is_100():
    assert review_total(DEFAULT_WEIGHTS, dict.fromkeys(DEFAULT_WEIGHTS, 5)) == Decimal("100.00")


def test_review_total_all_bottom_levels_is_0():
    assert review_total(DEFAULT_WEIGHTS, dict.fromkeys(DEFAULT_WEIGHTS, 1)) == Decimal("0.00")


def test_review_total_worked_example():
    levels = {"MASALAH": 4, "GAGASAN": 3, "TARGET": 5, "SELARAS": 2, "KELAYAKAN": 4, "DAMPAK": 3}
    # 15*.75 + 20*.5 + 20*1 + 15*.25 + 15*.75 + 15*.5 = 11.25+10+20+3.75+11.25+7.5
    assert review_total(DEFAULT_WEIGHTS, levels) == Decimal("63.75")


def test_review_total_refuses_missing_criterion():
    with pytest.raises(ValueError, match="not scored"):
        review_total(DEFAULT_WEIGHTS, {"MASALAH": 3})


@pytest.mark.parametrize("level", [0, 6, -1])
def test_review_total_refuses_level_outside_scale(level):
    with pytest.raises(ValueError, match="outside"):
        review_total({"A": 100}, {"A": level})


@given(weights=weights_summing_to_100(), data=st.data())
def test_review_total_is_between_0_and_100(weights, data):
    levels = {code: data.draw(st.integers(1, 5)) for code in weights}
    total = review_total(weights, levels)
    assert Decimal(0) <= total <= Decimal(100)


@given(weights=weights_summing_to_100(), data=st.data())
def test_review_total_is_monotonic_in_each_level(weights, data):
    levels = {code: data.draw(st.integers(1, 4)) for code in weights}
    code = data.draw(st.sampled_from(sorted(weights)))
    higher = {**levels, code: levels[code] + 1}
    assert review_total(weights, higher) > review_total(weights, levels)


@given(weights=weights_summing_to_100(), level=st.integers(1, 5))
def test_uniform_level_gives_the_same_total_whatever_the_weights(weights, level):
    assert review_total(weights, dict.fromkeys(weights, level)) == Decimal(25 * (level - 1))


totals = st.lists(
    st.decimals(min_value=0, max_value=100, places=2, allow_nan=False), min_size=1, max_size=7
)


@given(values=totals)
def test_plan_score_mean_lies_between_min_and_max(values):
    score = plan_score(values, "mean")
    assert min(values) - Decimal("0.01") <= score <= max(values) + Decimal("0.01")


@given(values=totals)
def test_plan_score_median_is_order_independent(values):
    assert plan_score(values, "median") == plan_score(list(reversed(values)), "median")


def test_plan_score_mean_and_median_examples():
    values = [Decimal("60"), Decimal("70"), Decimal("95")]
    assert plan_score(values, "mean") == Decimal("75.00")
    assert plan_score(values, "median") == Decimal("70.00")
    assert plan_score([], "mean") is None


def test_criterion_means():
    assert criterion_means([{"A": 3, "B": 5}, {"A": 4, "B": 2}]) == {
        "A": Decimal("3.50"),
        "B": Decimal("3.50"),
    }


# The thresholds a cycle starts with (plans.models.Cycle's defaults).
DEFAULT = {"levels": 2, "points": 20}


def test_disagreement_two_levels_apart_on_one_criterion():
    reviews = [(Decimal(50), {"A": 2, "B": 3}), (Decimal(55), {"A": 4, "B": 3})]
    assert disagreement(reviews, **DEFAULT)


def test_disagreement_twenty_points_apart_in_total():
    assert disagreement([(Decimal(40), {"A": 3}), (Decimal(60), {"A": 4})], **DEFAULT)


def test_no_disagreement_when_close():
    reviews = [(Decimal(50), {"A": 3, "B": 3}), (Decimal(69.99), {"A": 4, "B": 2})]
    assert not disagreement(reviews, **DEFAULT)


def test_disagreement_follows_the_thresholds_given():
    apart = [(Decimal(40), {"A": 2}), (Decimal(60), {"A": 4})]  # 20 points, 2 levels
    assert disagreement(apart, levels=3, points=21) is False
    assert disagreement(apart, levels=2, points=21) is True
    assert disagreement(apart, levels=3, points=20) is True


def test_no_disagreement_with_a_single_review():
    assert not disagreement([(Decimal(10), {"A": 1})], **DEFAULT)


@given(
    reviews=st.lists(
        st.tuples(
            st.decimals(min_value=0, max_value=100, places=2),
            st.fixed_dictionaries({"A": st.integers(1, 5), "B": st.integers(1, 5)}),
        ),
        min_size=2,
        max_size=5,
    )
)
def test_disagreement_is_symmetric_and_matches_the_definition(reviews):
    expected = any(
        abs(a[0] - b[0]) >= 20 or any(abs(a[1][k] - b[1][k]) >= 2 for k in ("A", "B"))
        for i, a in enumerate(reviews)
        for b in reviews[i + 1 :]
    )
    assert disagreement(reviews, **DEFAULT) == expected
    assert disagreement(list(reversed(reviews)), **DEFAULT) == expected
