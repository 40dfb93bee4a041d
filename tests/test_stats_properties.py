"""Property-based tests (hypothesis) for the interval functions of analysis.methods.stats.

For Wilson intervals, count intervals and crude rates, over many valid inputs:
lower <= estimate <= upper, no NaN, intervals nested (wider) as confidence rises,
vectorised results equal scalar ones; and invalid input always raises ParameterError.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from analysis import config
from analysis.errors import ParameterError
from analysis.methods import stats

# Modest runs keep the suite fast; no deadline because the first scipy call is slow.
PROPERTY = settings(max_examples=200, deadline=None)

# Floating-point slack for comparisons between two confidence levels: the limits are
# computed by different floating-point paths (quantile functions), so allow 1e-12 relative.
SLACK = 1e-12

confidences = st.floats(min_value=0.001, max_value=0.999999, allow_nan=False)
counts = st.integers(min_value=0, max_value=10_000_000)
small_counts = st.integers(min_value=0, max_value=60)  # around the Byar/exact switch
populations = st.floats(min_value=1.0, max_value=1e8, allow_nan=False, allow_infinity=False)
multipliers = st.sampled_from([100, 1_000, 10_000, config.PER_100K, 1_000_000])


@st.composite
def proportions(draw: st.DrawFn) -> tuple[int, int]:
    denominator = draw(st.integers(min_value=1, max_value=5_000_000))
    numerator = draw(st.integers(min_value=0, max_value=denominator))
    return numerator, denominator


@st.composite
def confidence_pairs(draw: st.DrawFn) -> tuple[float, float]:
    low = draw(confidences)
    high = draw(confidences)
    assume(low < high)
    return low, high


bad_confidences = st.one_of(
    st.floats(max_value=0.0),
    st.floats(min_value=1.0),
    st.just(float("nan")),
    st.text(max_size=5),
    st.none(),
    st.booleans(),
)
bad_counts = st.one_of(
    st.integers(max_value=-1),
    st.floats(min_value=-1e9, max_value=1e9).filter(lambda x: not float(x).is_integer()),
    st.sampled_from([float("nan"), float("inf"), -float("inf")]),
    st.text(min_size=1, max_size=5),
)
bad_populations = st.one_of(
    st.floats(max_value=0.0),
    st.sampled_from([float("nan"), float("inf")]),
    st.text(min_size=1, max_size=5),
)


def assert_not_narrower(narrow: tuple[float, float], wide: tuple[float, float]) -> None:
    assert wide[0] <= narrow[0] + SLACK * max(1.0, abs(narrow[0]))
    assert wide[1] >= narrow[1] - SLACK * max(1.0, abs(narrow[1]))


# ======================================================================================
# Wilson
# ======================================================================================


@PROPERTY
@given(proportion=proportions(), confidence=confidences)
def test_wilson_contains_estimate_and_stays_in_unit_interval(proportion, confidence):
    numerator, denominator = proportion
    lower, upper = stats.wilson_interval(numerator, denominator, confidence)
    estimate = numerator / denominator
    assert not (math.isnan(lower) or math.isnan(upper))
    assert 0.0 <= lower <= estimate <= upper <= 1.0


@PROPERTY
@given(proportion=proportions(), levels=confidence_pairs())
def test_wilson_widens_as_confidence_increases(proportion, levels):
    numerator, denominator = proportion
    narrow = stats.wilson_interval(numerator, denominator, levels[0])
    wide = stats.wilson_interval(numerator, denominator, levels[1])
    assert_not_narrower(narrow, wide)
    if levels[1] - levels[0] >= 0.01:
        assert wide[1] - wide[0] > narrow[1] - narrow[0]


@PROPERTY
@given(pairs=st.lists(proportions(), min_size=1, max_size=20), confidence=confidences)
def test_wilson_vectorised_equals_scalar(pairs, confidence):
    numerators = np.array([x for x, _ in pairs])
    denominators = np.array([n for _, n in pairs])
    lower, upper = stats.wilson_interval(numerators, denominators, confidence)
    assert lower.shape == upper.shape == (len(pairs),)
    for i, (x, n) in enumerate(pairs):
        assert (lower[i], upper[i]) == stats.wilson_interval(x, n, confidence)


@PROPERTY
@given(proportion=proportions(), excess=st.integers(min_value=1, max_value=1000))
def test_wilson_numerator_above_denominator_raises(proportion, excess):
    _, denominator = proportion
    with pytest.raises(ParameterError, match="numerator must not exceed denominator"):
        stats.wilson_interval(denominator + excess, denominator)


@PROPERTY
@given(numerator=bad_counts, proportion=proportions())
def test_wilson_bad_numerator_raises(numerator, proportion):
    with pytest.raises(ParameterError, match="numerator"):
        stats.wilson_interval(numerator, proportion[1])


@PROPERTY
@given(denominator=bad_populations)
def test_wilson_bad_denominator_raises(denominator):
    with pytest.raises(ParameterError, match="denominator"):
        stats.wilson_interval(0, denominator)


@PROPERTY
@given(confidence=bad_confidences)
def test_wilson_bad_confidence_raises(confidence):
    with pytest.raises(ParameterError, match="confidence"):
        stats.wilson_interval(1, 2, confidence)


# ======================================================================================
# Count intervals (Byar / exact Poisson)
# ======================================================================================


@PROPERTY
@given(count=st.one_of(small_counts, counts), confidence=confidences)
def test_count_interval_contains_count(count, confidence):
    lower, upper = stats.count_interval(count, confidence)
    assert not (math.isnan(lower) or math.isnan(upper))
    assert 0.0 <= lower <= count <= upper
    assert lower < upper


@PROPERTY
@given(count=st.one_of(small_counts, counts), levels=confidence_pairs())
def test_count_interval_widens_as_confidence_increases(count, levels):
    narrow = stats.count_interval(count, levels[0])
    wide = stats.count_interval(count, levels[1])
    assert_not_narrower(narrow, wide)
    if levels[1] - levels[0] >= 0.01:
        assert wide[1] - wide[0] > narrow[1] - narrow[0]


@PROPERTY
@given(count=small_counts, confidence=confidences)
def test_count_interval_increases_with_count_across_the_switch(count, confidence):
    lower, upper = stats.count_interval(count, confidence)
    next_lower, next_upper = stats.count_interval(count + 1, confidence)
    assert next_lower >= lower and next_upper >= upper


@PROPERTY
@given(
    values=st.lists(st.one_of(small_counts, counts), min_size=1, max_size=20),
    confidence=confidences,
)
def test_count_interval_vectorised_equals_scalar(values, confidence):
    lower, upper = stats.count_interval(np.array(values), confidence)
    for i, value in enumerate(values):
        assert (lower[i], upper[i]) == pytest.approx(stats.count_interval(value, confidence), rel=1e-15, abs=0)


@PROPERTY
@given(count=bad_counts)
def test_count_interval_bad_count_raises(count):
    with pytest.raises(ParameterError, match="count"):
        stats.count_interval(count)


@PROPERTY
@given(confidence=bad_confidences)
def test_count_interval_bad_confidence_raises(confidence):
    with pytest.raises(ParameterError, match="confidence"):
        stats.count_interval(5, confidence)


# ======================================================================================
# Crude rates
# ======================================================================================


@PROPERTY
@given(
    count=st.one_of(small_counts, counts),
    population=populations,
    per=multipliers,
    confidence=confidences,
)
def test_crude_rate_contains_rate(count, population, per, confidence):
    result = stats.crude_rate(count, population, per=per, confidence=confidence)
    rate = result[stats.rate_column(per)]
    assert rate == pytest.approx(count / population * per, rel=1e-12)
    values = [rate, result["ci_lower"], result["ci_upper"]]
    assert not any(math.isnan(value) for value in values)
    assert 0.0 <= result["ci_lower"] <= rate <= result["ci_upper"]
    expected_method = "Byar" if count >= config.BYAR_MIN_COUNT else "exact Poisson"
    assert result["method"] == expected_method


@PROPERTY
@given(count=st.one_of(small_counts, counts), population=populations, levels=confidence_pairs())
def test_crude_rate_widens_as_confidence_increases(count, population, levels):
    narrow = stats.crude_rate(count, population, confidence=levels[0])
    wide = stats.crude_rate(count, population, confidence=levels[1])
    assert_not_narrower((narrow["ci_lower"], narrow["ci_upper"]), (wide["ci_lower"], wide["ci_upper"]))


@PROPERTY
@given(
    rows=st.lists(st.tuples(st.one_of(small_counts, counts), populations), min_size=1, max_size=15),
    confidence=confidences,
)
def test_crude_rate_table_rows_equal_scalar_results(rows, confidence):
    table = stats.crude_rate([c for c, _ in rows], [p for _, p in rows], confidence=confidence)
    assert len(table) == len(rows)
    assert not table[["rate_per_100k", "ci_lower", "ci_upper"]].isna().any().any()
    for i, (count, population) in enumerate(rows):
        scalar = stats.crude_rate(count, population, confidence=confidence)
        assert table["ci_lower"].iloc[i] == pytest.approx(scalar["ci_lower"], rel=1e-15)
        assert table["ci_upper"].iloc[i] == pytest.approx(scalar["ci_upper"], rel=1e-15)
        assert table["method"].iloc[i] == scalar["method"]


@PROPERTY
@given(count=st.one_of(small_counts, counts), population=bad_populations)
def test_crude_rate_bad_population_raises(count, population):
    with pytest.raises(ParameterError, match="population"):
        stats.crude_rate(count, population)


@PROPERTY
@given(count=bad_counts, population=populations)
def test_crude_rate_bad_count_raises(count, population):
    with pytest.raises(ParameterError, match="count"):
        stats.crude_rate(count, population)


@PROPERTY
@given(confidence=bad_confidences)
def test_crude_rate_bad_confidence_raises(confidence):
    with pytest.raises(ParameterError, match="confidence"):
        stats.crude_rate(5, 1000, confidence=confidence)
