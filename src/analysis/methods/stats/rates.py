"""Rates: crude rates with the Fingertips count interval, and directly standardised rates (Dobson).

References
----------
* Public Health England (2018), Technical Guide: Confidence Intervals; Technical Guide:
  Calculating directly standardised rates.
* Dobson AJ, Kuulasmaa K, Eberle E, Scherer J (1991), Stat Med 10:457-462.
* Eurostat (2013), Revision of the European Standard Population.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from analysis import config
from analysis.errors import ParameterError
from analysis.methods.stats.arguments import (
    ArrayLike,
    check_confidence,
    check_counts,
    check_denominators,
    check_per,
    check_values,
    combine,
    to_float_array,
)
from analysis.methods.stats.intervals import count_bounds, count_methods

#: ``method`` label for directly standardised rates with Dobson et al. (1991) limits.
METHOD_DOBSON = "Dobson"
#: ``note`` written by :func:`dsr` when a rate is withheld (Fingertips DSR rule).
DSR_NOT_PUBLISHED_NOTE = "not published: fewer than {min_events} events"


def rate_column(per: int = config.PER_100K) -> str:
    """Name of the rate column for a multiplier: ``rate_per_100k``, ``rate_per_1k`` ...

    Whole millions are written ``m``, whole thousands ``k``, anything else in full
    (``per=2500`` gives ``rate_per_2500``). The interval columns ``ci_lower`` and
    ``ci_upper`` are always in the same units as this column.
    """
    per = check_per(per)
    if per % 1_000_000 == 0:
        label = f"{per // 1_000_000}m"
    elif per % 1_000 == 0:
        label = f"{per // 1_000}k"
    else:
        label = str(per)
    return f"rate_per_{label}"


def crude_rate(
    count: ArrayLike,
    population: ArrayLike,
    per: int = config.PER_100K,
    confidence: float = config.DEFAULT_CONFIDENCE,
) -> dict[str, Any] | pd.DataFrame:
    """Crude rate per ``per`` population with its confidence interval.

    ``rate = count / population * per``. The interval is the count's interval from
    :func:`count_interval` (Byar at 10 events or more, exact Poisson below) divided by the
    population and multiplied by ``per``, as in the PHE Technical Guide: Confidence
    Intervals (2018).

    Parameters
    ----------
    count
        Number of events: whole numbers >= 0.
    population
        Population at risk: > 0 (may be fractional).
    per
        Multiplier: a positive whole number, default ``config.PER_100K``.
    confidence
        Two-sided confidence level, default ``config.DEFAULT_CONFIDENCE``.

    Returns
    -------
    dict or pandas.DataFrame
        For scalar ``count`` and ``population`` a dict, otherwise a DataFrame (with the
        Series' index when a Series was given; a RangeIndex otherwise). Keys / columns:

        ``count``, ``population``
            The inputs.
        ``rate_per_100k``
            The rate. The name follows ``per`` (see :func:`rate_column`): ``per=1000``
            gives ``rate_per_1k``, so a table always says its own units.
        ``ci_lower``, ``ci_upper``
            Confidence limits, in the units of the rate column.
        ``method``
            ``"Byar"`` or ``"exact Poisson"``.

    Examples
    --------
    >>> result = crude_rate(100, 50_000)
    >>> result["rate_per_100k"], round(result["ci_lower"], 2), result["method"]
    (200.0, 162.72, 'Byar')
    """
    level = check_confidence(confidence)
    multiplier = check_per(per)
    column = rate_column(multiplier)
    (o, n), shape = combine(
        count=check_counts(count, "count"),
        population=check_denominators(population, "population"),
    )
    lower, upper = count_bounds(o, level)
    rate = o / n * multiplier
    ci_lower = lower / n * multiplier
    ci_upper = upper / n * multiplier
    methods = count_methods(o)
    if shape.scalar:
        return {
            "count": int(o.item()),
            "population": int(n.item()) if float(n.item()).is_integer() else float(n.item()),
            column: float(rate.item()),
            "ci_lower": float(ci_lower.item()),
            "ci_upper": float(ci_upper.item()),
            "method": str(methods.item()),
        }
    population_values = n.astype("int64") if np.all(n == np.floor(n)) else n
    return pd.DataFrame(
        {
            "count": o.astype("int64").ravel(),
            "population": population_values.ravel(),
            column: rate.ravel(),
            "ci_lower": ci_lower.ravel(),
            "ci_upper": ci_upper.ravel(),
            "method": pd.array(methods.ravel(), dtype="str"),
        },
        index=shape.index,
    )


def dsr(
    counts: ArrayLike,
    populations: ArrayLike,
    standard_weights: ArrayLike = config.ESP2013_WEIGHTS,
    confidence: float = config.DEFAULT_CONFIDENCE,
    per: int = config.PER_100K,
) -> dict[str, Any]:
    """Directly standardised rate with Dobson et al. (1991) confidence limits.

    With events ``O_i``, populations ``n_i`` and standard weights ``w_i`` in band ``i``:

    * ``DSR = per * sum(w_i * O_i / n_i) / sum(w_i)``
    * ``var(DSR) = per^2 * sum(w_i^2 * O_i / n_i^2) / sum(w_i)^2``
    * with ``O = sum(O_i)`` and ``(O_lower, O_upper)`` its :func:`count_interval`
      (Byar, since O >= 10 whenever a rate is published),
      ``DSR_lower = DSR + sqrt(var(DSR) / O) * (O_lower - O)`` and
      ``DSR_upper = DSR + sqrt(var(DSR) / O) * (O_upper - O)``.

    This is the method of the PHE Technical Guide: Calculating directly standardised rates
    and OHID Fingertips. Following Fingertips, a DSR is not published when the total number
    of events is below ``config.DSR_MIN_EVENTS`` (10): the rate and limits are then NaN,
    ``published`` is False and ``note`` says why.

    Parameters
    ----------
    counts
        Events in each band, in the order of ``standard_weights``: whole numbers >= 0.
    populations
        Population of each band, same order: each > 0.
    standard_weights
        Standard population of each band, default the 2013 European Standard Population
        over the 19 bands of ``config.ESP2013_BANDS`` (0-4, 5-9, ..., 85-89, 90+).
        Must be >= 0 with a positive total.
    confidence
        Two-sided confidence level, default ``config.DEFAULT_CONFIDENCE``.
    per
        Multiplier: a positive whole number, default ``config.PER_100K``.

    Returns
    -------
    dict
        ``count`` (total events), ``population`` (total population),
        ``rate_per_100k`` (named after ``per``, see :func:`rate_column`), ``ci_lower``,
        ``ci_upper``, ``method`` (``"Dobson"``), ``published`` (bool) and ``note``
        (``""`` when published). The keys match :func:`crude_rate`'s columns, so
        ``pd.DataFrame([dsr(...), ...])`` makes a table.

    Raises
    ------
    ParameterError
        When the three sequences differ in length, for a bad count, population, weight,
        ``confidence`` or ``per``. Bands are matched by position; two Series must share
        one index.

    References
    ----------
    Dobson AJ, Kuulasmaa K, Eberle E, Scherer J (1991), Stat Med 10:457-462.
    PHE (2018), Technical Guide: Calculating directly standardised rates.
    Eurostat (2013), Revision of the European Standard Population.
    """
    level = check_confidence(confidence)
    multiplier = check_per(per)
    column = rate_column(multiplier)
    arguments = {
        "counts": check_counts(counts, "counts"),
        "populations": check_denominators(populations, "populations"),
        "standard_weights": to_float_array(standard_weights, "standard_weights"),
    }
    for name, (values, _) in arguments.items():
        if values.ndim != 1:
            raise ParameterError(
                f"{name} must be a one-dimensional sequence (one value per band), got shape {values.shape}",
                hint="Pass one value per age band, in the order of the standard weights.",
            )
    lengths = {name: values.size for name, (values, _) in arguments.items()}
    if len(set(lengths.values())) != 1:
        described = ", ".join(f"{name} has {size}" for name, size in lengths.items())
        raise ParameterError(
            f"counts, populations and standard_weights must have the same length: {described}",
            hint=f"The default standard is the ESP2013 with {len(config.ESP2013_BANDS)} bands "
            f"{config.ESP2013_BANDS[0]} ... {config.ESP2013_BANDS[-1]}.",
        )
    weights_values, weights_shape = arguments["standard_weights"]
    check_values(weights_values, weights_shape, "standard_weights")
    if weights_values.sum() <= 0:
        raise ParameterError(
            "standard_weights must have a positive total, got all zeros",
            hint="Pass the standard population of each band, e.g. config.ESP2013_WEIGHTS.",
        )
    index_arguments = {k: v for k, v in arguments.items() if v[1].index is not None}
    if len(index_arguments) > 1:
        combine(**index_arguments)  # raises when the Series' indexes differ

    o_i = arguments["counts"][0]
    n_i = arguments["populations"][0]
    w_i = weights_values
    total_events = int(o_i.sum())
    total_population = float(n_i.sum())
    result: dict[str, Any] = {
        "count": total_events,
        "population": int(total_population) if total_population.is_integer() else total_population,
        column: np.nan,
        "ci_lower": np.nan,
        "ci_upper": np.nan,
        "method": METHOD_DOBSON,
        "published": False,
        "note": DSR_NOT_PUBLISHED_NOTE.format(min_events=config.DSR_MIN_EVENTS),
    }
    if total_events < config.DSR_MIN_EVENTS:
        return result

    sum_w = w_i.sum()
    rate = float(np.sum(w_i * o_i / n_i) / sum_w)
    variance = float(np.sum(w_i**2 * o_i / n_i**2) / sum_w**2)
    o_lower, o_upper = count_bounds(np.asarray(float(total_events)), level)
    scale = np.sqrt(variance / total_events)
    result.update(
        {
            column: rate * multiplier,
            "ci_lower": float(rate + scale * (o_lower - total_events)) * multiplier,
            "ci_upper": float(rate + scale * (o_upper - total_events)) * multiplier,
            "published": True,
            "note": "",
        }
    )
    return result
