"""Confidence intervals for a proportion (Wilson) and for a count (Byar, exact Poisson, the Fingertips rule).

References
----------
* Wilson EB (1927), JASA 22:209-212. Newcombe RG (1998), Stat Med 17:857-872.
* Breslow NE, Day NE (1987), Statistical Methods in Cancer Research Vol. II, IARC Sci Publ 82.
* Garwood F (1936), Biometrika 28:437-442. Ulm K (1990), Am J Epidemiol 131:373-375.
* Public Health England (2018), Technical Guide: Confidence Intervals.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from analysis import config
from analysis.errors import ParameterError
from analysis.methods.stats.arguments import (
    ArrayLike,
    Interval,
    check_confidence,
    check_counts,
    check_denominators,
    combine,
    describe_position,
    format_value,
    z_value,
)

#: ``method`` label for Byar's approximation (counts >= ``config.BYAR_MIN_COUNT``).
METHOD_BYAR = "Byar"
#: ``method`` label for exact (chi-square) Poisson limits (counts < ``config.BYAR_MIN_COUNT``).
METHOD_EXACT_POISSON = "exact Poisson"


def _wilson(x: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    p = x / n
    z2 = z * z
    scale = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / scale
    half = z * np.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / scale
    # The min/max only guard against floating-point rounding: mathematically
    # lower <= p <= upper and 0 <= lower, upper <= 1 always hold.
    lower = np.clip(np.minimum(centre - half, p), 0.0, 1.0)
    upper = np.clip(np.maximum(centre + half, p), 0.0, 1.0)
    return lower, upper


def wilson_interval(
    numerator: ArrayLike,
    denominator: ArrayLike,
    confidence: float = config.DEFAULT_CONFIDENCE,
) -> Interval:
    """Wilson score confidence interval for a proportion.

    The interval holds every true proportion ``pi`` with
    ``|p - pi| <= z * sqrt(pi * (1 - pi) / n)``; solving the quadratic gives

    ``(2np + z^2 -/+ z * sqrt(z^2 + 4np(1 - p))) / (2(n + z^2))``

    as in the PHE Technical Guide: Confidence Intervals (2018), which recommends it for all
    proportions (Newcombe 1998, method 3). It behaves well near 0 and 1, unlike the Wald
    interval.

    Parameters
    ----------
    numerator
        Number of cases with the characteristic: whole numbers >= 0.
    denominator
        Number of cases in total: > 0 and >= ``numerator``.
    confidence
        Two-sided confidence level, default ``config.DEFAULT_CONFIDENCE``.

    Returns
    -------
    tuple
        ``(lower, upper)`` as proportions in [0, 1]: floats for scalar input, arrays for
        arrays and lists, Series named ``ci_lower`` / ``ci_upper`` for Series.

    Raises
    ------
    ParameterError
        For a bad confidence, a negative, fractional or missing numerator, a denominator
        <= 0, or a numerator greater than its denominator.

    References
    ----------
    Wilson EB (1927), JASA 22:209-212. Newcombe RG (1998), Stat Med 17:857-872.
    PHE (2018), Technical Guide: Confidence Intervals.

    Examples
    --------
    >>> lower, upper = wilson_interval(30, 400)
    >>> round(lower, 5), round(upper, 5)
    (0.05304, 0.10505)
    """
    z = z_value(confidence)
    (x, n), shape = combine(
        numerator=check_counts(numerator, "numerator"),
        denominator=check_denominators(denominator, "denominator"),
    )
    too_big = x > n
    if too_big.any():
        position = tuple(int(i) for i in np.argwhere(too_big)[0]) if x.ndim else ()
        where = "" if shape.scalar else f" {describe_position(position, shape.index)}"
        raise ParameterError(
            f"numerator must not exceed denominator, got numerator {format_value(x[position])} "
            f"> denominator {format_value(n[position])}{where}",
            hint="A proportion's numerator is a subset of its denominator; check the columns.",
        )
    lower, upper = _wilson(x, n, z)
    return shape.wrap(lower, "ci_lower"), shape.wrap(upper, "ci_upper")


def _byar(o: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    safe = np.where(o > 0, o, 1.0)  # Byar's lower limit is undefined at 0; it is 0 there
    lower = safe * (1.0 - 1.0 / (9.0 * safe) - z / (3.0 * np.sqrt(safe))) ** 3
    lower = np.where(o > 0, np.maximum(lower, 0.0), 0.0)
    upper = (o + 1.0) * (1.0 - 1.0 / (9.0 * (o + 1.0)) + z / (3.0 * np.sqrt(o + 1.0))) ** 3
    return lower, upper


def _chi2_ppf(q: float, df: np.ndarray) -> np.ndarray:
    """The chi-squared quantile as ``scipy.stats.chi2.ppf`` computes it (``2 gammaincinv(df / 2, q)``),
    from scipy.special, which imports in a tenth of the time of scipy.stats; ``0 < q < 1``."""
    return 2 * special.gammaincinv(df / 2, q)


def _exact_poisson(o: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    alpha = 1.0 - confidence
    lower = np.where(o > 0, _chi2_ppf(alpha / 2.0, 2.0 * np.where(o > 0, o, 1.0)) / 2.0, 0.0)
    upper = _chi2_ppf(1.0 - alpha / 2.0, 2.0 * o + 2.0) / 2.0
    return lower, upper


def byar_interval(count: ArrayLike, confidence: float = config.DEFAULT_CONFIDENCE) -> Interval:
    """Byar's approximation to the exact Poisson confidence interval for a count.

    ``lower = O * (1 - 1/(9O) - z/(3 sqrt(O)))^3``,
    ``upper = (O + 1) * (1 - 1/(9(O + 1)) + z/(3 sqrt(O + 1)))^3``.

    Fingertips uses it for counts of ``config.BYAR_MIN_COUNT`` (10) or more; use
    :func:`count_interval` to apply that rule. For a count of 0 the lower limit is 0, and
    a lower limit the formula makes negative (only possible for tiny counts at extreme
    confidence levels) is set to 0.

    Parameters
    ----------
    count
        Observed number of events: whole numbers >= 0.
    confidence
        Two-sided confidence level, default ``config.DEFAULT_CONFIDENCE``.

    Returns
    -------
    tuple
        ``(lower, upper)`` limits for the expected count, in the shape of ``count``.

    References
    ----------
    Breslow NE, Day NE (1987), Statistical Methods in Cancer Research Vol. II, IARC
    Sci Publ 82, p.69. PHE (2018), Technical Guide: Confidence Intervals.

    Examples
    --------
    >>> [round(v, 4) for v in byar_interval(100)]
    [81.3621, 121.6279]
    """
    z = z_value(confidence)
    o, shape = check_counts(count, "count")
    lower, upper = _byar(o, z)
    return shape.wrap(lower, "ci_lower"), shape.wrap(upper, "ci_upper")


def exact_poisson_interval(count: ArrayLike, confidence: float = config.DEFAULT_CONFIDENCE) -> Interval:
    """Exact Poisson confidence interval for a count, from chi-square quantiles.

    ``lower = chi2(alpha/2; 2O) / 2`` (0 when O = 0), ``upper = chi2(1 - alpha/2; 2O + 2) / 2``,
    with ``alpha = 1 - confidence``: the Garwood (1936) limits, in the chi-square form given
    by Ulm (1990) and the PHE Technical Guide: Confidence Intervals (2018).

    Parameters
    ----------
    count
        Observed number of events: whole numbers >= 0.
    confidence
        Two-sided confidence level, default ``config.DEFAULT_CONFIDENCE``.

    Returns
    -------
    tuple
        ``(lower, upper)`` limits for the expected count, in the shape of ``count``.

    References
    ----------
    Garwood F (1936), Biometrika 28:437-442. Ulm K (1990), Am J Epidemiol 131:373-375.

    Examples
    --------
    >>> [round(v, 4) for v in exact_poisson_interval(0)]
    [0.0, 3.6889]
    """
    level = check_confidence(confidence)
    o, shape = check_counts(count, "count")
    lower, upper = _exact_poisson(o, level)
    return shape.wrap(lower, "ci_lower"), shape.wrap(upper, "ci_upper")


def count_bounds(o: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Limits of checked counts by the Fingertips rule (Byar at ``config.BYAR_MIN_COUNT`` or more, exact below)."""
    byar_lower, byar_upper = _byar(o, z_value(confidence))
    exact_lower, exact_upper = _exact_poisson(o, confidence)
    use_byar = o >= config.BYAR_MIN_COUNT
    return np.where(use_byar, byar_lower, exact_lower), np.where(use_byar, byar_upper, exact_upper)


def count_methods(o: np.ndarray) -> np.ndarray:
    """The ``method`` label of each count's interval under :func:`count_bounds`."""
    return np.where(o >= config.BYAR_MIN_COUNT, METHOD_BYAR, METHOD_EXACT_POISSON).astype(object)


def count_interval(count: ArrayLike, confidence: float = config.DEFAULT_CONFIDENCE) -> Interval:
    """Confidence interval for a count by the Fingertips rule.

    Byar's approximation (:func:`byar_interval`) for counts of ``config.BYAR_MIN_COUNT``
    (10) or more, exact Poisson (:func:`exact_poisson_interval`) below, element by element.

    Parameters
    ----------
    count
        Observed number of events: whole numbers >= 0.
    confidence
        Two-sided confidence level, default ``config.DEFAULT_CONFIDENCE``.

    Returns
    -------
    tuple
        ``(lower, upper)`` limits for the expected count, in the shape of ``count``.

    References
    ----------
    PHE (2018), Technical Guide: Confidence Intervals (counts, rates and DSRs).
    """
    level = check_confidence(confidence)
    o, shape = check_counts(count, "count")
    lower, upper = count_bounds(o, level)
    return shape.wrap(lower, "ci_lower"), shape.wrap(upper, "ci_upper")
