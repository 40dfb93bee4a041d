"""Funnel plot control limits for proportions (Wilson) and rates (exact Poisson), and where values fall.

References
----------
* Spiegelhalter DJ (2005). Funnel plots for comparing institutional performance.
  *Stat Med* 24:1185-1202.
* Public Health England (2018), Technical Guide: Funnel plots; PHEindicatormethods
  ``calculate_funnel_limits`` (UKHSA).
* Garwood F (1936), Biometrika 28:437-442.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from analysis import config
from analysis.errors import ParameterError
from analysis.methods.stats.arguments import (
    ArrayLike,
    check_denominators,
    check_limits,
    check_per,
    check_scalar,
    check_values,
    combine,
    format_value,
    raise_bad_value,
    to_float_array,
    z_value,
)


def _limit_label(limit: float) -> str:
    return f"{round(limit * 100, 6):g}%"


def _proportion_bounds(p0: float, n: np.ndarray, limit: float) -> tuple[np.ndarray, np.ndarray]:
    half = z_value(limit) * np.sqrt(p0 * (1.0 - p0) / n)
    return np.clip(p0 - half, 0.0, 1.0), np.clip(p0 + half, 0.0, 1.0)


def _solve_shape(expected: np.ndarray, target: float) -> np.ndarray:
    """Shape ``a`` in (0, 1] with ``gammainc(a, expected) = target`` (bisection, vectorised).

    ``gammainc`` is the regularised lower incomplete gamma function, decreasing in ``a``;
    callers use this only where the solution lies below 1.
    """
    low = np.zeros_like(expected)
    high = np.ones_like(expected)
    for _ in range(64):
        middle = (low + high) / 2.0
        too_small = special.gammainc(np.maximum(middle, 1e-300), expected) > target
        low = np.where(too_small, middle, low)
        high = np.where(too_small, high, middle)
    return (low + high) / 2.0


def _rate_bounds_counts(expected: np.ndarray, limit: float) -> tuple[np.ndarray, np.ndarray]:
    """Control limits as (possibly fractional) counts around ``expected`` events.

    The upper limit ``u`` is the count whose exact lower limit equals ``expected``
    (``chi2(alpha/2; 2u) / 2 = E``); the lower limit ``l`` is the count whose exact upper
    limit equals ``expected`` (``chi2(1 - alpha/2; 2l + 2) / 2 = E``), or 0 if none is >= 0.
    With ``P(Gamma(a) <= E) = P(Poisson(E) >= a)`` these are inverses of the Poisson
    cumulative distribution in its count argument, which ``scipy.special.pdtrik`` gives.
    """
    tail = (1.0 - limit) / 2.0
    lower = np.maximum(special.pdtrik(tail, expected), 0.0)
    upper = special.pdtrik(1.0 - tail, expected) + 1.0
    # pdtrik only returns counts >= 0, so u >= 1; below E = -log(1 - tail) the solution
    # u lies in (0, 1): solve gammainc(u, E) = tail directly there.
    small = expected < -np.log1p(-tail)
    if small.any():
        upper = np.where(small, _solve_shape(np.where(small, expected, 1.0), tail), upper)
    return lower, upper


def _rate_bounds(r0: float, n: np.ndarray, limit: float, per: int) -> tuple[np.ndarray, np.ndarray]:
    expected = r0 * n / per
    lower_count, upper_count = _rate_bounds_counts(expected, limit)
    return lower_count / n * per, upper_count / n * per


def _funnel_table(
    denominators: np.ndarray,
    limits: tuple[float, ...],
    bounds: Any,
) -> pd.DataFrame:
    frames = []
    for limit in limits:
        lower, upper = bounds(denominators, limit)
        frames.append(
            pd.DataFrame(
                {
                    "denominator": denominators,
                    "limit": limit,
                    "lower": lower,
                    "upper": upper,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _check_reference_proportion(reference_proportion: Any) -> float:
    p0 = check_scalar(reference_proportion, "reference_proportion")
    if not 0.0 < p0 < 1.0:
        raise ParameterError(
            f"reference_proportion must be between 0 and 1 (exclusive), got {format_value(reference_proportion)}",
            hint="Pass the reference as a proportion (0.12 for 12%), for example England's value.",
        )
    return p0


def _check_reference_rate(reference_rate: Any) -> float:
    r0 = check_scalar(reference_rate, "reference_rate")
    if not (np.isfinite(r0) and r0 > 0):
        raise ParameterError(
            f"reference_rate must be a finite number > 0, got {format_value(reference_rate)}",
            hint="Pass the reference rate in the units of `per`, for example England's value.",
        )
    return r0


def _grid(value: Any, name: str) -> np.ndarray:
    values, _ = check_denominators(value, name)
    return values.ravel()


def funnel_limits_proportion(
    reference_proportion: float,
    denominators: ArrayLike,
    limits: Sequence[float] = config.FUNNEL_LIMITS,
) -> pd.DataFrame:
    """Funnel plot control limits for a proportion, by the PHE (Wilson score) method.

    The limit at denominator ``n`` is the observed proportion whose Wilson score interval
    (:func:`wilson_interval`) at the limit's confidence level just reaches the reference
    ``p0``. Solving the Wilson quadratic for the observed value gives the closed form

    ``p0 -/+ z * sqrt(p0 * (1 - p0) / n)``, clipped to [0, 1],

    with ``z`` from :func:`z_value` (1.96 for 95%, 3.09 for 99.8%). This is the method of
    the PHE Technical Guide: Funnel plots and OHID Fingertips (PHEindicatormethods
    ``calculate_funnel_limits``, ``statistic = "proportion"``), and Spiegelhalter's (2005)
    normal approximation with the variance taken at the target.

    Parameters
    ----------
    reference_proportion
        Target or average proportion ``p0`` (for example England's), strictly in (0, 1).
    denominators
        Denominators at which to compute the limits: the areas' denominators or a grid
        such as ``np.geomspace(100, 1e6, 200)``. Each > 0.
    limits
        Two-sided control-limit levels, default ``config.FUNNEL_LIMITS`` (0.95, 0.998).

    Returns
    -------
    pandas.DataFrame
        Tidy (long) table, one row per limit and denominator, in the order of ``limits``
        then ``denominators``: ``denominator``, ``limit`` (e.g. 0.95, 0.998), ``lower``,
        ``upper`` (proportions).

    References
    ----------
    Spiegelhalter DJ (2005), Stat Med 24:1185-1202. PHE (2018), Technical Guide:
    Funnel plots.
    """
    p0 = _check_reference_proportion(reference_proportion)
    levels = check_limits(limits)
    n = _grid(denominators, "denominators")
    return _funnel_table(n, levels, lambda d, limit: _proportion_bounds(p0, d, limit))


def funnel_limits_rate(
    reference_rate: float,
    populations: ArrayLike,
    limits: Sequence[float] = config.FUNNEL_LIMITS,
    per: int = config.PER_100K,
) -> pd.DataFrame:
    """Funnel plot control limits for a rate, by the PHE exact Poisson method.

    At population ``n`` the expected count is ``E = reference_rate * n / per``. The upper
    limit is the rate ``u / n * per`` of the count ``u`` whose exact Poisson lower limit
    (:func:`exact_poisson_interval`) equals ``E``; the lower limit is that of the count
    ``l`` whose exact upper limit equals ``E`` (0 when no count >= 0 has one that high).
    The counts are found on a continuous scale, by inverting the Poisson distribution
    function in its count argument (``chi2(q; 2x) / 2`` for fractional ``x``), so the
    funnel is smooth; at whole counts the limits are exactly those of the PHE Technical
    Guide: Funnel plots and of PHEindicatormethods ``calculate_funnel_limits``
    (``statistic = "rate"``), which tabulates them at whole numbers of events.

    Parameters
    ----------
    reference_rate
        Target or average rate (for example England's), in units of ``per``; > 0.
    populations
        Populations at which to compute the limits (the areas' populations or a grid such
        as ``np.geomspace(1e4, 2e6, 200)``). Each > 0.
    limits
        Two-sided control-limit levels, default ``config.FUNNEL_LIMITS`` (0.95, 0.998).
    per
        Multiplier of the rates: a positive whole number, default ``config.PER_100K``.

    Returns
    -------
    pandas.DataFrame
        Tidy (long) table, one row per limit and population, in the order of ``limits``
        then ``populations``: ``denominator`` (the population), ``limit``, ``lower``,
        ``upper`` (rates per ``per``).

    References
    ----------
    Spiegelhalter DJ (2005), Stat Med 24:1185-1202. PHE (2018), Technical Guide:
    Funnel plots. Garwood F (1936), Biometrika 28:437-442.
    """
    r0 = _check_reference_rate(reference_rate)
    levels = check_limits(limits)
    multiplier = check_per(per)
    n = _grid(populations, "populations")
    return _funnel_table(n, levels, lambda d, limit: _rate_bounds(r0, d, limit, multiplier))


def classify_against_funnel(
    value: ArrayLike,
    denominator: ArrayLike,
    reference: float,
    *,
    kind: str = "proportion",
    limits: Sequence[float] = config.FUNNEL_LIMITS,
    per: int = config.PER_100K,
) -> Any:
    """Place observed values against funnel plot control limits.

    The limits are those of :func:`funnel_limits_proportion` (``kind="proportion"``) or
    :func:`funnel_limits_rate` (``kind="rate"``) at each value's own denominator. The label
    names the widest limit the value lies outside:

    * ``"within 95%"``: inside the narrowest limits (values on a limit count as inside);
    * ``"above 95%"`` / ``"below 95%"``: outside the 95% limits, inside the 99.8% ones;
    * ``"above 99.8%"`` / ``"below 99.8%"``: outside the 99.8% limits.

    (The percentages follow ``limits``.)

    Parameters
    ----------
    value
        Observed proportions (in [0, 1]) or rates (in units of ``per``, >= 0).
    denominator
        Each value's denominator or population, > 0.
    reference
        The funnel's target: a proportion in (0, 1) or a rate > 0.
    kind
        ``"proportion"`` or ``"rate"``.
    limits
        Two-sided control-limit levels, default ``config.FUNNEL_LIMITS``.
    per
        Multiplier of the rates (``kind="rate"`` only), default ``config.PER_100K``.

    Returns
    -------
    str, numpy.ndarray or pandas.Series
        One label per value, in the shape of the input.
    """
    if kind not in ("proportion", "rate"):
        raise ParameterError(
            f"kind must be 'proportion' or 'rate', got {kind!r}",
            hint="Use kind='proportion' for percentages and kind='rate' for rates.",
        )
    levels = tuple(sorted(check_limits(limits)))
    observed, observed_shape = to_float_array(value, "value")
    check_values(observed, observed_shape, "value")
    if kind == "proportion":
        p0 = _check_reference_proportion(reference)
        if (observed > 1).any():
            raise_bad_value(
                observed,
                observed_shape,
                observed > 1,
                "value",
                "a proportion <= 1",
                "Pass proportions (0.12 for 12%), not percentages.",
            )
        bounds = lambda d, limit: _proportion_bounds(p0, d, limit)  # noqa: E731
    else:
        r0 = _check_reference_rate(reference)
        multiplier = check_per(per)
        bounds = lambda d, limit: _rate_bounds(r0, d, limit, multiplier)  # noqa: E731
    (x, n), shape = combine(
        value=(observed, observed_shape), denominator=check_denominators(denominator, "denominator")
    )
    labels = np.full(x.shape, f"within {_limit_label(levels[0])}", dtype=object)
    for level in levels:  # widest last, so it wins
        lower, upper = bounds(n, level)
        labels[x > upper] = f"above {_limit_label(level)}"
        labels[x < lower] = f"below {_limit_label(level)}"
    if shape.scalar:
        return str(labels.item())
    if shape.index is not None:
        return pd.Series(labels, index=shape.index, name="funnel", dtype="str")
    return labels
