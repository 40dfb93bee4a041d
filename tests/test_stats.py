"""Tests for analysis.methods.stats against published reference values and independent computations.

Reference values
----------------
* Wilson 30/400, Byar 100, exact Poisson 0: PHE (2018) Technical Guide: Confidence
  Intervals, worked examples.
* Funnel limits: rows of the test data of PHEindicatormethods (UKHSA, the R
  implementation of the Fingertips methods), ``tests/testthat/testdata_funnel_prop_outputs.csv``
  and ``testdata_funnel_rate_outputs.csv`` (DSR funnel, 3 years of data, per 100,000).
Independent checks use scipy.stats (chi2, poisson, gamma) and statsmodels as an oracle (Wilson
interval, exact Poisson limits of counts and rates, over grids; tolerance ORACLE_TOL below).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.rates import confint_poisson

from analysis import config
from analysis.errors import ParameterError
from analysis.methods import stats

TOL = 1e-4

# statsmodels as an independent implementation (oracle). statsmodels 0.15 computes the Wilson
# interval in ``stats.proportion.proportion_confint(method="wilson")`` and the exact (Garwood)
# Poisson limits in ``stats.rates.confint_poisson(method="exact-c")`` from gamma quantiles, where
# analysis.methods.stats uses chi-square quantiles. Both evaluate the same closed forms in float64,
# so they must agree to rounding: within ORACLE_TOL, absolute for proportions (measured differences
# are below 3e-16), relative for counts and rates (below 1e-15).
ORACLE_TOL = 1e-12
ORACLE_CONFIDENCES = [0.8, 0.9, 0.95, 0.99, 0.998]
#: Denominators from 1 to a million; the numerators include 0, 1, n - 1 and n at each.
ORACLE_DENOMINATORS = [1, 2, 3, 5, 7, 10, 17, 50, 100, 400, 1_000, 12_345, 1_000_000]
#: Every count from 0 to 200 (both sides of the Byar threshold), then large counts.
POISSON_GRID = np.concatenate([np.arange(201), [500, 1_000, 5_000, 10_000, 100_000, 1_000_000]])


def wilson_grid() -> tuple[np.ndarray, np.ndarray]:
    """Numerators and denominators: at each denominator n, 0, 1, 2, n/3, n/2, n - 2, n - 1 and n."""
    pairs = [
        (k, n) for n in ORACLE_DENOMINATORS for k in sorted({0, 1, 2, n // 3, n // 2, n - 2, n - 1, n}) if 0 <= k <= n
    ]
    return np.array([k for k, _ in pairs]), np.array([n for _, n in pairs])


# ======================================================================================
# Fixtures
# ======================================================================================


@pytest.fixture(name="small_table")
def fixture_small_table() -> pd.DataFrame:
    """A publication table with counts 0..7 and values derived from them."""
    counts = [0, 1, 2, 3, 4, 5, 6, 7]
    population = [1000, 1200, 900, 1500, 800, 2000, 1100, 1300]
    table = pd.DataFrame(
        {
            "area_code": [f"E0600000{i}" for i in range(len(counts))],
            "victims": counts,
            "population": population,
        }
    )
    rates = stats.crude_rate(table["victims"], table["population"], per=1000)
    table["rate_per_1k"] = rates["rate_per_1k"]
    table["ci_lower"] = rates["ci_lower"]
    table["ci_upper"] = rates["ci_upper"]
    table["method"] = rates["method"]
    return table


@pytest.fixture(name="two_count_table")
def fixture_two_count_table() -> pd.DataFrame:
    """A table with two count columns, each with its own derived percentage."""
    return pd.DataFrame(
        {
            "area": ["A", "B", "C"],
            "female": [3, 20, 12],
            "pct_female": [0.15, 0.8, 0.6],
            "male": [17, 2, 8],
            "pct_male": [0.85, 0.2, 0.4],
            "total": [20, 22, 20],
        }
    )


# ======================================================================================
# Argument checks shared by every function
# ======================================================================================

INTERVAL_CALLS = {
    "wilson_interval": lambda confidence: stats.wilson_interval(30, 400, confidence),
    "byar_interval": lambda confidence: stats.byar_interval(100, confidence),
    "exact_poisson_interval": lambda confidence: stats.exact_poisson_interval(3, confidence),
    "count_interval": lambda confidence: stats.count_interval(3, confidence),
    "crude_rate": lambda confidence: stats.crude_rate(3, 1000, confidence=confidence),
    "dsr": lambda confidence: stats.dsr([20, 30], [100, 200], [1, 1], confidence=confidence),
    "z_value": lambda confidence: stats.z_value(confidence),
    "check_confidence": lambda confidence: stats.check_confidence(confidence),
}


@pytest.mark.parametrize("function", sorted(INTERVAL_CALLS))
@pytest.mark.parametrize(
    ("bad", "shown"),
    [
        (1.5, "got 1.5"),
        (0, "got 0"),
        ("0.95", "got '0.95'"),
        (95, "got 95"),
        (-0.1, "got -0.1"),
        (float("nan"), "got nan"),
        (True, "got True"),
        (None, "got None"),
    ],
)
def test_bad_confidence_names_argument_and_value(function, bad, shown):
    with pytest.raises(ParameterError, match="confidence") as caught:
        INTERVAL_CALLS[function](bad)
    assert shown in str(caught.value)
    assert caught.value.hint


def test_confidence_message_for_out_of_range_is_exact():
    with pytest.raises(ParameterError) as caught:
        stats.wilson_interval(1, 2, 1.5)
    assert caught.value.message == "confidence must be between 0 and 1 (exclusive), got 1.5"


def test_string_confidence_says_it_is_a_string():
    with pytest.raises(ParameterError, match=r"got '0\.95' \(str\)"):
        stats.count_interval(5, "0.95")


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: stats.wilson_interval(-1, 10), "numerator"),
        (lambda: stats.byar_interval(-1), "count"),
        (lambda: stats.exact_poisson_interval(-1), "count"),
        (lambda: stats.count_interval([5, -1]), "count"),
        (lambda: stats.crude_rate(-1, 1000), "count"),
        (lambda: stats.dsr([20, -1], [100, 200], [1, 1]), "counts"),
    ],
)
def test_negative_count_names_argument_and_value(call, argument):
    with pytest.raises(ParameterError, match=rf"^{argument} must be >= 0, got -1"):
        call()


@pytest.mark.parametrize(
    ("call", "argument", "value"),
    [
        (lambda: stats.wilson_interval(1, 0), "denominator", "0"),
        (lambda: stats.wilson_interval(0, -5), "denominator", "-5"),
        (lambda: stats.crude_rate(3, 0), "population", "0"),
        (lambda: stats.crude_rate(3, -100), "population", "-100"),
        (lambda: stats.crude_rate([3, 4], [100, 0]), "population", "0"),
        (lambda: stats.dsr([20, 30], [100, 0], [1, 1]), "populations", "0"),
        (lambda: stats.funnel_limits_rate(50, [1000, -1]), "populations", "-1"),
        (lambda: stats.funnel_limits_proportion(0.5, [0]), "denominators", "0"),
    ],
)
def test_zero_or_negative_population_names_argument_and_value(call, argument, value):
    with pytest.raises(ParameterError, match=rf"^{argument} must be > 0, got {value}"):
        call()


def test_numerator_above_denominator_names_both():
    with pytest.raises(ParameterError) as caught:
        stats.wilson_interval(401, 400)
    assert "numerator must not exceed denominator" in caught.value.message
    assert "numerator 401 > denominator 400" in caught.value.message


def test_numerator_above_denominator_in_series_says_where():
    numerator = pd.Series([1, 9], index=["E06000001", "E06000002"])
    denominator = pd.Series([5, 5], index=["E06000001", "E06000002"])
    with pytest.raises(ParameterError, match="at index 'E06000002'"):
        stats.wilson_interval(numerator, denominator)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (2.5, r"count must be a whole number, got 2\.5"),
        (float("nan"), r"count must be a finite number \(not missing or infinite\), got nan"),
        (float("inf"), r"count must be a finite number"),
        ("7", r"count must be a number or an array of numbers, got '7' \(str\)"),
        ([1, "7"], r"count must hold numbers, got dtype <U"),
        (np.array([True, False]), r"count must hold numbers, got dtype bool"),
        (pd.Series(["1", "2"]), r"count must hold numbers, got dtype str"),
        (
            pd.Series([1, "x"], dtype=object),
            r"count must hold numbers only, got 'x' \(str\) at index 1",
        ),
        (pd.DataFrame({"a": [1]}), r"count must be a number or a one-dimensional array"),
        ({"a": 1}, r"count must be a number or an array of numbers, got dict"),
    ],
)
def test_bad_counts_are_refused_with_the_value(value, message):
    with pytest.raises(ParameterError, match=message):
        stats.count_interval(value)


def test_array_error_reports_position_and_how_many():
    with pytest.raises(ParameterError, match=r"got -2 at position 1 \(2 of 3 values\)"):
        stats.byar_interval(np.array([4, -2, -3]))


def test_series_error_reports_index_label():
    counts = pd.Series([4, -2], index=["E10000014", "E10000015"])
    with pytest.raises(ParameterError, match="at index 'E10000015'"):
        stats.exact_poisson_interval(counts)


def test_mismatched_lengths_are_refused():
    with pytest.raises(ParameterError, match="matching lengths"):
        stats.crude_rate([1, 2, 3], [100, 200])


def test_series_with_different_indexes_are_refused():
    count = pd.Series([1, 2], index=["a", "b"])
    population = pd.Series([100, 200], index=["b", "a"])
    with pytest.raises(ParameterError, match="count and population must have the same index"):
        stats.crude_rate(count, population)


def test_nullable_integer_series_with_missing_value_is_refused():
    counts = pd.Series([3, None], dtype="Int64")
    with pytest.raises(ParameterError, match="got nan at index 1"):
        stats.count_interval(counts)


def test_z_value_matches_normal_quantiles():
    assert stats.z_value(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert stats.z_value(0.998) == pytest.approx(3.090232, abs=1e-6)
    assert stats.z_value() == pytest.approx(sps.norm.ppf(0.975), abs=1e-12)


def test_check_confidence_returns_float():
    assert stats.check_confidence(np.float32(0.9)) == pytest.approx(0.9)
    assert isinstance(stats.check_confidence(np.float64(0.9)), float)


# ======================================================================================
# Wilson
# ======================================================================================


def test_wilson_reference_value():
    lower, upper = stats.wilson_interval(30, 400, 0.95)
    assert lower == pytest.approx(0.05304, abs=TOL)
    assert upper == pytest.approx(0.10505, abs=TOL)
    assert isinstance(lower, float)


@pytest.mark.parametrize("confidence", ORACLE_CONFIDENCES)
def test_wilson_matches_statsmodels_wilson_over_a_grid(confidence):
    numerators, denominators = wilson_grid()
    lower, upper = stats.wilson_interval(numerators, denominators, confidence)
    expected_lower, expected_upper = proportion_confint(numerators, denominators, alpha=1 - confidence, method="wilson")
    np.testing.assert_allclose(lower, expected_lower, rtol=0, atol=ORACLE_TOL)
    np.testing.assert_allclose(upper, expected_upper, rtol=0, atol=ORACLE_TOL)


def test_wilson_matches_statsmodels_for_series_and_keeps_the_same_index():
    index = pd.Index(["E06000045", "E10000014", "E12000008"], name="area_code")
    numerators = pd.Series([0, 57, 1_200], index=index)
    denominators = pd.Series([25, 60, 1_200], index=index)
    lower, upper = stats.wilson_interval(numerators, denominators)
    expected_lower, expected_upper = proportion_confint(numerators, denominators, method="wilson")
    assert lower.index.equals(expected_lower.index) and upper.index.equals(expected_upper.index)
    np.testing.assert_allclose(lower.to_numpy(), expected_lower.to_numpy(), rtol=0, atol=ORACLE_TOL)
    np.testing.assert_allclose(upper.to_numpy(), expected_upper.to_numpy(), rtol=0, atol=ORACLE_TOL)


def test_wilson_is_not_the_statsmodels_default_normal_interval():
    wald_lower, _ = proportion_confint(30, 400, alpha=0.05)  # default method="normal"
    lower, _ = stats.wilson_interval(30, 400)
    assert abs(lower - wald_lower) > 1e-3


def test_wilson_extremes_stay_in_unit_interval():
    lower, upper = stats.wilson_interval([0, 50], [50, 50])
    assert lower[0] == 0.0
    assert upper[1] == 1.0
    assert upper[0] == pytest.approx(1.959964**2 / (50 + 1.959964**2), abs=1e-6)


def test_wilson_vectorised_matches_scalar_and_keeps_series_index():
    numerator = pd.Series([3, 30, 0], index=["a", "b", "c"])
    denominator = pd.Series([10, 400, 25], index=["a", "b", "c"])
    lower, upper = stats.wilson_interval(numerator, denominator)
    assert isinstance(lower, pd.Series)
    assert list(lower.index) == ["a", "b", "c"]
    assert (lower.name, upper.name) == ("ci_lower", "ci_upper")
    for label in numerator.index:
        scalar = stats.wilson_interval(int(numerator[label]), int(denominator[label]))
        assert (lower[label], upper[label]) == pytest.approx(scalar, abs=1e-15)


def test_wilson_broadcasts_a_scalar_denominator():
    lower, upper = stats.wilson_interval([1, 2, 3], 10)
    assert isinstance(lower, np.ndarray)
    assert lower.shape == (3,)
    assert (lower[2], upper[2]) == pytest.approx(stats.wilson_interval(3, 10), abs=1e-15)


# ======================================================================================
# Counts: Byar, exact Poisson and the Fingertips switch
# ======================================================================================


def test_byar_reference_value():
    lower, upper = stats.byar_interval(100, 0.95)
    assert lower == pytest.approx(81.3621, abs=TOL)
    assert upper == pytest.approx(121.6279, abs=TOL)


def test_byar_close_to_exact_for_large_counts():
    lower, upper = stats.byar_interval(1000)
    exact_lower = sps.chi2.ppf(0.025, 2000) / 2
    exact_upper = sps.chi2.ppf(0.975, 2002) / 2
    assert lower == pytest.approx(exact_lower, rel=1e-4)
    assert upper == pytest.approx(exact_upper, rel=1e-4)


def test_byar_zero_count_has_zero_lower_limit():
    lower, upper = stats.byar_interval(0)
    assert lower == 0.0
    z = stats.z_value(0.95)
    assert upper == pytest.approx((1 - 1 / 9 + z / 3) ** 3, abs=1e-12)


def test_exact_poisson_reference_value_for_zero():
    lower, upper = stats.exact_poisson_interval(0, 0.95)
    assert lower == 0.0
    assert upper == pytest.approx(3.6889, abs=TOL)
    assert upper == pytest.approx(-math.log(0.025), abs=1e-12)


@pytest.mark.parametrize("count", [1, 2, 5, 9, 10, 37, 250])
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.998])
def test_exact_poisson_limits_have_the_defining_tail_probabilities(count, confidence):
    """Garwood limits: P(X >= O | lower) = alpha/2 and P(X <= O | upper) = alpha/2."""
    alpha = 1 - confidence
    lower, upper = stats.exact_poisson_interval(count, confidence)
    assert sps.poisson.sf(count - 1, lower) == pytest.approx(alpha / 2, abs=1e-9)
    assert sps.poisson.cdf(count, upper) == pytest.approx(alpha / 2, abs=1e-9)
    assert lower == pytest.approx(sps.gamma.ppf(alpha / 2, count), rel=1e-9)


@pytest.mark.parametrize("confidence", ORACLE_CONFIDENCES)
def test_exact_poisson_matches_statsmodels_exact_c_over_a_grid(confidence):
    """statsmodels' "exact-c" limits (gamma quantiles) are the Garwood limits we take from chi-square ones."""
    lower, upper = stats.exact_poisson_interval(POISSON_GRID, confidence)
    expected_lower, expected_upper = confint_poisson(POISSON_GRID, 1.0, method="exact-c", alpha=1 - confidence)
    assert lower[0] == 0.0 and expected_lower[0] == 0.0  # no lower limit above 0 for a count of 0
    np.testing.assert_allclose(lower, expected_lower, rtol=ORACLE_TOL, atol=0)
    np.testing.assert_allclose(upper, expected_upper, rtol=ORACLE_TOL, atol=0)


@pytest.mark.parametrize("population", [1_000, 2_500.5, 123_456])
def test_crude_rate_below_ten_matches_statsmodels_exact_rate_interval(population):
    """Below config.BYAR_MIN_COUNT events a crude rate's limits are statsmodels' exact rate limits x per."""
    counts = np.arange(config.BYAR_MIN_COUNT)
    table = stats.crude_rate(counts, population, per=100_000, confidence=0.95)
    expected_lower, expected_upper = confint_poisson(counts, population, method="exact-c", alpha=0.05)
    assert set(table["method"]) == {stats.METHOD_EXACT_POISSON}
    np.testing.assert_allclose(table["ci_lower"], expected_lower * 100_000, rtol=ORACLE_TOL, atol=0)
    np.testing.assert_allclose(table["ci_upper"], expected_upper * 100_000, rtol=ORACLE_TOL, atol=0)


def test_count_interval_switches_from_exact_to_byar_at_ten():
    assert config.BYAR_MIN_COUNT == 10
    assert stats.count_interval(9) == pytest.approx(stats.exact_poisson_interval(9), abs=1e-12)
    assert stats.count_interval(9)[0] != pytest.approx(stats.byar_interval(9)[0], abs=1e-6)
    assert stats.count_interval(10) == pytest.approx(stats.byar_interval(10), abs=1e-12)
    assert stats.count_interval(10)[0] != pytest.approx(stats.exact_poisson_interval(10)[0], abs=1e-6)


def test_count_interval_vectorised_matches_scalar_rule():
    counts = np.array([0, 1, 9, 10, 11, 100, 5000])
    lower, upper = stats.count_interval(counts, 0.99)
    for i, count in enumerate(counts):
        if count >= 10:
            expected = stats.byar_interval(int(count), 0.99)
        else:
            expected = stats.exact_poisson_interval(int(count), 0.99)
        assert (lower[i], upper[i]) == pytest.approx(expected, abs=1e-12)


def test_count_interval_accepts_integer_valued_floats_and_lists():
    from_floats = stats.count_interval([30.0, 3.0])
    from_ints = stats.count_interval(np.array([30, 3]))
    np.testing.assert_array_equal(from_floats[0], from_ints[0])
    np.testing.assert_array_equal(from_floats[1], from_ints[1])


def test_count_interval_keeps_series_index():
    counts = pd.Series([4, 40], index=pd.Index(["E1", "E2"], name="area_code"))
    lower, upper = stats.count_interval(counts)
    assert lower.index.equals(counts.index)
    assert upper["E2"] == pytest.approx(stats.byar_interval(40)[1], abs=1e-12)


# ======================================================================================
# Crude rates
# ======================================================================================


def test_crude_rate_scalar_returns_dict_with_byar_interval():
    result = stats.crude_rate(100, 50_000)
    assert list(result) == [
        "count",
        "population",
        "rate_per_100k",
        "ci_lower",
        "ci_upper",
        "method",
    ]
    assert result["rate_per_100k"] == pytest.approx(200.0, abs=1e-12)
    # Byar limits for 100 events (81.3621, 121.6279) over 50,000 people, per 100,000
    assert result["ci_lower"] == pytest.approx(81.3621 * 2, abs=2 * TOL)
    assert result["ci_upper"] == pytest.approx(121.6279 * 2, abs=2 * TOL)
    assert result["method"] == "Byar"
    assert result["count"] == 100 and result["population"] == 50_000


def test_crude_rate_below_ten_uses_exact_poisson():
    result = stats.crude_rate(0, 20_000)
    assert result["method"] == "exact Poisson"
    assert result["rate_per_100k"] == 0.0
    assert result["ci_lower"] == 0.0
    # 3.6889 events (the exact upper limit for 0) over 20,000 people, per 100,000
    assert result["ci_upper"] == pytest.approx(-math.log(0.025) * 5, abs=1e-12)
    assert result["ci_upper"] == pytest.approx(3.6889 * 5, abs=5 * TOL)


def test_crude_rate_vector_returns_tidy_dataframe():
    count = pd.Series([9, 10, 250], index=pd.Index(["A", "B", "C"], name="area"))
    population = pd.Series([12_000, 12_000, 300_000], index=count.index)
    table = stats.crude_rate(count, population)
    assert list(table.columns) == [
        "count",
        "population",
        "rate_per_100k",
        "ci_lower",
        "ci_upper",
        "method",
    ]
    assert table.index.equals(count.index)
    assert table["method"].tolist() == ["exact Poisson", "Byar", "Byar"]
    for label in count.index:
        scalar = stats.crude_rate(int(count[label]), int(population[label]))
        row = table.loc[label]
        for column in ("rate_per_100k", "ci_lower", "ci_upper"):
            assert row[column] == pytest.approx(scalar[column], rel=1e-12)
    assert table["count"].dtype == np.int64


def test_crude_rate_other_multiplier_names_the_column():
    table = stats.crude_rate([30, 3], [2000, 1000], per=1000, confidence=0.9)
    assert "rate_per_1k" in table.columns and "rate_per_100k" not in table.columns
    assert table["rate_per_1k"].tolist() == pytest.approx([15.0, 3.0])
    lower, _ = stats.count_interval(30, 0.9)
    assert table["ci_lower"].iloc[0] == pytest.approx(lower / 2000 * 1000, rel=1e-12)


@pytest.mark.parametrize(
    ("per", "name"),
    [
        (100_000, "rate_per_100k"),
        (10_000, "rate_per_10k"),
        (1_000, "rate_per_1k"),
        (1_000_000, "rate_per_1m"),
        (100, "rate_per_100"),
        (2_500, "rate_per_2500"),
    ],
)
def test_rate_column_names(per, name):
    assert stats.rate_column(per) == name


@pytest.mark.parametrize("per", [0, -1000, 2.5, "1000", float("nan")])
def test_bad_per_is_refused(per):
    with pytest.raises(ParameterError, match=r"^per must be"):
        stats.crude_rate(3, 1000, per=per)


def test_crude_rate_accepts_fractional_population():
    result = stats.crude_rate(12, 2500.5)
    assert result["population"] == 2500.5
    assert result["rate_per_100k"] == pytest.approx(12 / 2500.5 * 1e5)


# ======================================================================================
# Directly standardised rates
# ======================================================================================


def test_dsr_hand_worked_example():
    counts = [4, 6, 10]
    populations = [1000, 2000, 4000]
    weights = [30, 50, 20]
    # Written out: DSR = sum(w*O/n)/sum(w), var = sum(w^2*O/n^2)/sum(w)^2
    rate = (30 * 4 / 1000 + 50 * 6 / 2000 + 20 * 10 / 4000) / 100  # = 0.0032
    variance = (30**2 * 4 / 1000**2 + 50**2 * 6 / 2000**2 + 20**2 * 10 / 4000**2) / 100**2
    total = 20
    z = sps.norm.ppf(0.975)
    o_lower = total * (1 - 1 / (9 * total) - z / (3 * math.sqrt(total))) ** 3  # Byar
    o_upper = (total + 1) * (1 - 1 / (9 * (total + 1)) + z / (3 * math.sqrt(total + 1))) ** 3
    expected_lower = rate + math.sqrt(variance / total) * (o_lower - total)
    expected_upper = rate + math.sqrt(variance / total) * (o_upper - total)

    result = stats.dsr(counts, populations, weights)

    assert rate == pytest.approx(0.0032)
    assert result["rate_per_100k"] == pytest.approx(rate * 1e5, abs=TOL)
    assert result["ci_lower"] == pytest.approx(expected_lower * 1e5, abs=TOL)
    assert result["ci_upper"] == pytest.approx(expected_upper * 1e5, abs=TOL)
    assert result["count"] == 20 and result["population"] == 7000
    assert result["method"] == "Dobson"
    assert result["published"] is True and result["note"] == ""


def test_dsr_with_population_in_standard_proportions_equals_crude_rate():
    """If n_i = k * w_i the DSR and its Dobson limits reduce to the crude rate's."""
    weights = np.array(config.ESP2013_WEIGHTS, dtype=float)
    populations = weights * 3
    counts = np.arange(19) * 2 + 1
    result = stats.dsr(counts, populations)
    crude = stats.crude_rate(int(counts.sum()), float(populations.sum()))
    for key in ("rate_per_100k", "ci_lower", "ci_upper"):
        assert result[key] == pytest.approx(crude[key], rel=1e-10)


def test_dsr_constant_band_rates_give_that_rate():
    populations = np.linspace(20_000, 2_000, 19)
    counts = populations / 1000  # 100 per 100,000 in every band
    result = stats.dsr(np.round(counts), np.round(counts) * 1000)
    assert result["rate_per_100k"] == pytest.approx(100.0, rel=1e-12)
    assert result["ci_lower"] < 100.0 < result["ci_upper"]


def test_dsr_uses_esp2013_by_default():
    assert len(config.ESP2013_WEIGHTS) == 19 and sum(config.ESP2013_WEIGHTS) == 100_000
    counts = [0] * 18 + [50]
    populations = [10_000] * 19
    result = stats.dsr(counts, populations)
    # only the 90+ band (weight 1000 of 100,000) has events: 50/10,000 * 1000/100,000
    assert result["rate_per_100k"] == pytest.approx(50 / 10_000 * 1000 / 100_000 * 1e5)


def test_dsr_not_published_below_ten_events():
    result = stats.dsr([3, 6], [1000, 1000], [1, 1])
    assert result["count"] == 9
    assert math.isnan(result["rate_per_100k"])
    assert math.isnan(result["ci_lower"]) and math.isnan(result["ci_upper"])
    assert result["published"] is False
    assert result["note"] == "not published: fewer than 10 events"


def test_dsr_published_at_exactly_ten_events():
    result = stats.dsr([4, 6], [1000, 1000], [1, 1])
    assert result["published"] is True
    assert result["rate_per_100k"] == pytest.approx(500.0)


def test_dsr_rows_make_a_table_like_crude_rate():
    table = pd.DataFrame([stats.dsr([4, 6], [1000, 1000], [1, 1]), stats.dsr([1, 1], [50, 50], [1, 1])])
    assert {"count", "population", "rate_per_100k", "ci_lower", "ci_upper", "method"} <= set(table.columns)
    assert table["published"].tolist() == [True, False]


def test_dsr_other_multiplier_and_confidence():
    wide = stats.dsr([40, 60], [10_000, 20_000], [1, 1], confidence=0.998, per=1000)
    narrow = stats.dsr([40, 60], [10_000, 20_000], [1, 1], confidence=0.95, per=1000)
    assert wide["rate_per_1k"] == pytest.approx((40 / 10_000 + 60 / 20_000) / 2 * 1000)
    assert wide["ci_lower"] < narrow["ci_lower"] < narrow["ci_upper"] < wide["ci_upper"]


def test_dsr_length_mismatch_names_the_lengths():
    with pytest.raises(ParameterError) as caught:
        stats.dsr([1] * 18, [100] * 18)
    message = caught.value.message
    assert "same length" in message
    assert "counts has 18" in message and "standard_weights has 19" in message


@pytest.mark.parametrize(
    ("weights", "message"),
    [([1, -1], "standard_weights must be >= 0, got -1"), ([0, 0], "positive total")],
)
def test_dsr_bad_weights(weights, message):
    with pytest.raises(ParameterError, match=message):
        stats.dsr([10, 10], [100, 100], weights)


def test_dsr_refuses_misaligned_series():
    counts = pd.Series([10, 10], index=["0-4", "5-9"])
    populations = pd.Series([100, 100], index=["5-9", "0-4"])
    with pytest.raises(ParameterError, match="same index"):
        stats.dsr(counts, populations, [1, 1])


# ======================================================================================
# Funnel plots
# ======================================================================================


def test_funnel_proportion_matches_pheindicatormethods():
    """Rows of PHEindicatormethods testdata_funnel_prop_outputs.csv (baseline 80.642448%)."""
    table = stats.funnel_limits_proportion(0.80642448, [1, 2, 3, 4, 1531])
    by_limit = {limit: group.reset_index(drop=True) for limit, group in table.groupby("limit")}
    assert (by_limit[0.95]["lower"] * 100).tolist() == pytest.approx(
        [3.204264, 25.885383, 35.933491, 41.923356, 78.663349], abs=1e-5
    )
    assert (by_limit[0.95]["upper"] * 100).tolist()[-1] == pytest.approx(82.621547, abs=1e-5)
    assert (by_limit[0.95]["upper"] * 100).tolist()[:4] == [100, 100, 100, 100]
    assert (by_limit[0.998]["lower"] * 100).tolist()[-1] == pytest.approx(77.522045, abs=1e-5)
    assert (by_limit[0.998]["upper"] * 100).tolist()[-1] == pytest.approx(83.76285, abs=1e-5)
    assert by_limit[0.998]["lower"].tolist()[:2] == [0.0, 0.0]


def test_funnel_proportion_limit_is_where_wilson_interval_reaches_reference():
    reference = 0.3
    table = stats.funnel_limits_proportion(reference, [50, 400, 10_000])
    for row in table.itertuples():
        alpha = 1 - row.limit
        # the Wilson interval of the value on a limit just touches the reference
        _, upper_of_lower = proportion_confint(
            row.lower * row.denominator, row.denominator, alpha=alpha, method="wilson"
        )
        lower_of_upper, _ = proportion_confint(
            row.upper * row.denominator, row.denominator, alpha=alpha, method="wilson"
        )
        assert upper_of_lower == pytest.approx(reference, abs=1e-10)
        assert lower_of_upper == pytest.approx(reference, abs=1e-10)


def test_funnel_proportion_shape_and_columns():
    table = stats.funnel_limits_proportion(0.2, np.array([10, 100, 1000]))
    assert list(table.columns) == ["denominator", "limit", "lower", "upper"]
    assert len(table) == 6
    assert table["limit"].tolist() == [0.95] * 3 + [0.998] * 3
    assert table["denominator"].tolist() == [10, 100, 1000] * 2


@pytest.mark.parametrize(
    "make",
    [
        lambda grid: stats.funnel_limits_proportion(0.12, grid),
        lambda grid: stats.funnel_limits_rate(85.0, grid * 10),
    ],
    ids=["proportion", "rate"],
)
def test_funnel_narrows_with_denominator_and_contains_reference(make):
    grid = np.geomspace(200, 2_000_000, 40)
    table = make(grid)
    reference = 0.12 if table["upper"].max() <= 1 else 85.0
    assert (table["lower"] <= reference).all() and (table["upper"] >= reference).all()
    for _, group in table.groupby("limit"):
        width = (group["upper"] - group["lower"]).to_numpy()
        assert np.all(np.diff(width) < 0)
        assert np.all(np.diff(group["upper"].to_numpy()) < 0)
        assert np.all(np.diff(group["lower"].to_numpy()) >= 0)
    wide = table[table["limit"] == 0.998].reset_index(drop=True)
    narrow = table[table["limit"] == 0.95].reset_index(drop=True)
    assert (wide["upper"] > narrow["upper"]).all()
    assert (wide["lower"] <= narrow["lower"]).all()


def test_funnel_rate_matches_pheindicatormethods():
    """Events = 4 row of PHEindicatormethods testdata_funnel_rate_outputs.csv.

    There the limits are tabulated by number of events; the population (1 year) at which
    each limit passes through 4 events is given, with 3 years of data, per 100,000.
    """
    baseline = 116.1720835
    cases = [  # (limit, side, population for 1 year, limit per 100,000)
        (0.95, "lower", 2938.625247, 45.37269033),
        (0.95, "upper", 312.7159093, 426.372082),
        (0.998, "lower", 4244.895077, 31.41027773),
        (0.998, "upper", 122.9648371, 1084.320823),
    ]
    for limit, side, population_1_year, expected in cases:
        table = stats.funnel_limits_rate(baseline, [population_1_year * 3], limits=(limit,))
        assert table[side].iloc[0] == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("count", [0, 1, 4, 9, 25, 300])
def test_funnel_rate_lower_limit_is_count_whose_exact_upper_limit_is_expected(count):
    reference = 50.0  # per 100,000
    exact_upper = sps.chi2.ppf(0.975, 2 * count + 2) / 2
    population = exact_upper / reference * 100_000  # expected events there = exact_upper
    table = stats.funnel_limits_rate(reference, [population], limits=(0.95,))
    assert table["lower"].iloc[0] == pytest.approx(count / population * 100_000, rel=1e-8, abs=1e-12)


@pytest.mark.parametrize("count", [1, 2, 10, 300])
def test_funnel_rate_upper_limit_is_count_whose_exact_lower_limit_is_expected(count):
    reference = 50.0
    exact_lower = sps.chi2.ppf(0.001, 2 * count) / 2
    population = exact_lower / reference * 100_000
    table = stats.funnel_limits_rate(reference, [population], limits=(0.998,))
    assert table["upper"].iloc[0] == pytest.approx(count / population * 100_000, rel=1e-8)


def test_funnel_rate_tiny_population_upper_count_below_one():
    """Where fewer than -log(0.975) events are expected the upper count is in (0, 1)."""
    reference = 100.0
    populations = np.array([5.0, 20.0, 25.3, 25.4, 30.0])
    table = stats.funnel_limits_rate(reference, populations, limits=(0.95,))
    expected_events = reference * populations / 100_000
    upper_counts = table["upper"].to_numpy() * populations / 100_000
    # defining equation: P(Gamma(u) <= E) = 0.025, i.e. the exact lower limit of u is E
    np.testing.assert_allclose(sps.gamma.cdf(expected_events, upper_counts), 0.025, rtol=1e-6)
    assert np.all(np.diff(table["upper"].to_numpy()) < 0)
    assert (table["lower"] == 0).all()


def test_funnel_rate_other_multiplier():
    per_1k = stats.funnel_limits_rate(0.85, [5000, 50_000], per=1000)
    per_100k = stats.funnel_limits_rate(85.0, [5000, 50_000])
    np.testing.assert_allclose(per_1k["upper"] * 100, per_100k["upper"], rtol=1e-12)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: stats.funnel_limits_proportion(0, [10]), "reference_proportion must be between"),
        (lambda: stats.funnel_limits_proportion(12, [10]), "got 12"),
        (
            lambda: stats.funnel_limits_proportion("0.1", [10]),
            "reference_proportion must be a number",
        ),
        (
            lambda: stats.funnel_limits_rate(0, [10]),
            "reference_rate must be a finite number > 0, got 0",
        ),
        (
            lambda: stats.funnel_limits_rate(10, [10], limits=(0.95, 1.5)),
            "limits must be between 0 and 1",
        ),
        (lambda: stats.funnel_limits_rate(10, [10], limits=()), "at least one"),
        (
            lambda: stats.funnel_limits_rate(10, [10], limits="0.95"),
            "sequence of confidence levels",
        ),
        (lambda: stats.funnel_limits_rate(10, [10], limits=(0.95, 0.95)), "must not repeat"),
    ],
)
def test_funnel_bad_arguments(call, message):
    with pytest.raises(ParameterError, match=message):
        call()


def test_classify_against_funnel_proportion_labels():
    reference, n = 0.3, 400
    limits = stats.funnel_limits_proportion(reference, [n]).set_index("limit")
    lower95, upper95 = limits.loc[0.95, ["lower", "upper"]]
    lower998, upper998 = limits.loc[0.998, ["lower", "upper"]]
    eps = 1e-9
    values = [reference, upper95, upper95 + eps, upper998 + eps, lower95 - eps, lower998 - eps]
    labels = stats.classify_against_funnel(values, n, reference)
    assert labels.tolist() == [
        "within 95%",
        "within 95%",
        "above 95%",
        "above 99.8%",
        "below 95%",
        "below 99.8%",
    ]


def test_classify_against_funnel_rate_series_keeps_index():
    values = pd.Series([85.0, 400.0, 10.0], index=["A", "B", "C"])
    populations = pd.Series([100_000, 100_000, 100_000], index=values.index)
    labels = stats.classify_against_funnel(values, populations, 85.0, kind="rate")
    assert labels.index.equals(values.index)
    assert labels.tolist() == ["within 95%", "above 99.8%", "below 99.8%"]
    assert stats.classify_against_funnel(85.0, 100_000, 85.0, kind="rate") == "within 95%"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: stats.classify_against_funnel(0.5, 100, 0.3, kind="ratio"), "kind must be"),
        (
            lambda: stats.classify_against_funnel(45, 100, 0.3),
            "value must be a proportion <= 1, got 45",
        ),
        (lambda: stats.classify_against_funnel(-1, 100, 3, kind="rate"), "value must be >= 0"),
        (lambda: stats.classify_against_funnel(0.1, 0, 0.3), "denominator must be > 0"),
    ],
)
def test_classify_against_funnel_bad_arguments(call, message):
    with pytest.raises(ParameterError, match=message):
        call()


# ======================================================================================
# Small-number suppression
# ======================================================================================

DERIVED = ["rate_per_1k", "ci_lower", "ci_upper"]


def test_suppression_replaces_counts_one_to_four_and_their_derived_values(small_table):
    out = stats.suppress_small_counts(small_table, "victims", DERIVED)
    small = small_table["victims"].between(1, 4).to_numpy()
    assert small.tolist() == [False, True, True, True, True, False, False, False]
    for column in ["victims", *DERIVED]:
        assert (out.loc[small, column] == "[c]").all()
        assert not stats.is_suppressed(out.loc[~small, column]).any()


def test_suppression_leaves_zero_and_five_plus_intact(small_table):
    out = stats.suppress_small_counts(small_table, "victims", DERIVED)
    kept = ~small_table["victims"].between(1, 4).to_numpy()
    for column in ["victims", *DERIVED]:
        assert out.loc[kept, column].tolist() == small_table.loc[kept, column].tolist()
    # columns that are neither counts nor derived are untouched, dtype included
    for column in ["area_code", "population", "method"]:
        pd.testing.assert_series_equal(out[column], small_table[column])


def test_suppression_returns_a_copy(small_table):
    before = small_table.copy()
    stats.suppress_small_counts(small_table, "victims", DERIVED)
    pd.testing.assert_frame_equal(small_table, before)


def test_suppression_makes_listed_columns_object(small_table):
    out = stats.suppress_small_counts(small_table, ["victims"], DERIVED)
    assert all(out[column].dtype == object for column in ["victims", *DERIVED])


def test_suppress_zero_option(small_table):
    out = stats.suppress_small_counts(small_table, "victims", DERIVED, suppress_zero=True)
    assert out.loc[0, "victims"] == "[c]" and out.loc[0, "rate_per_1k"] == "[c]"
    assert out.loc[5, "victims"] == 5


def test_suppression_threshold_and_marker(small_table):
    out = stats.suppress_small_counts(small_table, "victims", DERIVED, threshold=7, marker="*")
    assert out["victims"].tolist() == [0, "*", "*", "*", "*", "*", "*", 7]
    assert stats.is_suppressed(out["ci_upper"], marker="*").sum() == 6


def test_suppression_is_idempotent(small_table):
    once = stats.suppress_small_counts(small_table, "victims", DERIVED)
    twice = stats.suppress_small_counts(once, "victims", DERIVED)
    pd.testing.assert_frame_equal(once, twice)


def test_suppression_any_small_count_suppresses_shared_derived_columns(two_count_table):
    out = stats.suppress_small_counts(two_count_table, ["female", "male"], ["pct_female", "pct_male"])
    assert out["female"].tolist() == ["[c]", 20, 12]
    assert out["male"].tolist() == [17, "[c]", 8]
    assert out["pct_female"].tolist() == ["[c]", "[c]", 0.6]
    assert out["pct_male"].tolist() == ["[c]", "[c]", 0.4]
    assert out["total"].tolist() == [20, 22, 20]


def test_suppression_mapping_targets_each_counts_own_derived_columns(two_count_table):
    out = stats.suppress_small_counts(
        two_count_table,
        ["female", "male"],
        {"female": ["pct_female", "male", "pct_male"], "male": ["pct_male"]},
    )
    # row A: female=3 suppressed, and male (recoverable from the total) with it
    assert out.loc[0].tolist()[1:5] == ["[c]", "[c]", "[c]", "[c]"]
    # row B: male=2 suppressed with its percentage only
    assert out.loc[1].tolist()[1:5] == [20, 0.8, "[c]", "[c]"]
    assert out.loc[2].tolist()[1:5] == [12, 0.6, 8, 0.4]


def test_suppression_leaves_missing_counts_missing():
    table = pd.DataFrame({"n": [np.nan, 2.0, 8.0], "rate": [np.nan, 1.0, 4.0]})
    out = stats.suppress_small_counts(table, "n", ["rate"])
    assert math.isnan(out.loc[0, "n"]) and math.isnan(out.loc[0, "rate"])
    assert out["n"].tolist()[1:] == ["[c]", 8.0]


def test_suppression_with_duplicate_index_labels():
    table = pd.DataFrame({"n": [2, 9], "rate": [1.0, 2.0]}, index=["x", "x"])
    out = stats.suppress_small_counts(table, "n", ["rate"])
    assert out["n"].tolist() == ["[c]", 9]
    assert out["rate"].tolist() == ["[c]", 2.0]


def test_derived_columns_must_be_stated(small_table):
    with pytest.raises(TypeError):
        stats.suppress_small_counts(small_table, "victims")  # type: ignore[call-arg]
    out = stats.suppress_small_counts(small_table, "victims", [])
    assert out["rate_per_1k"].tolist() == small_table["rate_per_1k"].tolist()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"count_columns": "nope", "derived_columns": []},
            r"count_columns names columns that are not in the table: \['nope'\]",
        ),
        (
            {"count_columns": "victims", "derived_columns": ["rate"]},
            r"derived_columns names columns that are not in the table: \['rate'\]",
        ),
        ({"count_columns": [], "derived_columns": []}, "at least one"),
        (
            {"count_columns": "victims", "derived_columns": [], "threshold": 0},
            "threshold must be a whole number >= 1, got 0",
        ),
        ({"count_columns": "victims", "derived_columns": [], "threshold": 2.5}, r"got 2\.5"),
        (
            {"count_columns": "victims", "derived_columns": [], "marker": ""},
            "marker must be a non-empty string",
        ),
        (
            {"count_columns": "victims", "derived_columns": [], "suppress_zero": "no"},
            "suppress_zero must be True or False",
        ),
        (
            {"count_columns": "victims", "derived_columns": {"ci_lower": ["ci_upper"]}},
            "keys must be count columns",
        ),
    ],
)
def test_suppression_bad_arguments(small_table, kwargs, message):
    with pytest.raises(ParameterError, match=message):
        stats.suppress_small_counts(small_table, **kwargs)


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ([1, -2], "got -2 at index 1"),
        ([1.5, 2], r"got 1\.5 at index 0"),
        (["3", 2], "got '3' at index 0"),
    ],
)
def test_suppression_refuses_bad_counts(counts, message):
    table = pd.DataFrame({"n": pd.Series(counts, dtype=object)})
    with pytest.raises(ParameterError, match=rf"count column 'n' must hold whole numbers >= 0, {message}"):
        stats.suppress_small_counts(table, "n", [])


def test_suppression_refuses_non_dataframe():
    with pytest.raises(ParameterError, match="df must be a pandas DataFrame, got list"):
        stats.suppress_small_counts([1, 2], "n", [])


def test_suppression_footnote():
    text = stats.suppression_footnote(5)
    assert text == config.SUPPRESSION_FOOTNOTE.format(threshold=5)
    assert "fewer than 5 cases" in text and text.startswith("[c]")
    assert "fewer than 10 cases" in stats.suppression_footnote(10)
    with pytest.raises(ParameterError, match="threshold must be a whole number >= 1, got 0"):
        stats.suppression_footnote(0)


def test_is_suppressed_shapes():
    assert stats.is_suppressed("[c]") is True
    assert stats.is_suppressed(3) is False
    assert stats.is_suppressed("[x]") is False
    assert stats.is_suppressed(["[c]", 2, None, np.nan]).tolist() == [True, False, False, False]
    frame = pd.DataFrame({"a": ["[c]", 1], "b": [2.0, np.nan]})
    assert stats.is_suppressed(frame).to_numpy().tolist() == [[True, False], [False, False]]
