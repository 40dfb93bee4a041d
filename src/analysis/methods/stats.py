"""Public health statistics for needs assessments, following OHID Fingertips conventions.

One flat, verb-first API:

========================================  ==================================================
Function                                  Method (source)
========================================  ==================================================
:func:`wilson_interval`                   Wilson score interval for a proportion
                                          (Wilson 1927; Newcombe 1998)
:func:`byar_interval`                     Byar's approximation for a Poisson count
                                          (Breslow & Day 1987)
:func:`exact_poisson_interval`            Exact Poisson limits via chi-square quantiles
                                          (Garwood 1936; Ulm 1990)
:func:`count_interval`                    Byar at or above ``BYAR_MIN_COUNT`` events, exact
                                          Poisson below (Fingertips rule)
:func:`crude_rate`                        Crude rate per ``per`` population with its interval
:func:`dsr`                               Directly standardised rate, Dobson et al. (1991)
:func:`funnel_limits_proportion`          Funnel plot control limits for proportions (Wilson)
:func:`funnel_limits_rate`                Funnel plot control limits for rates (exact Poisson)
:func:`classify_against_funnel`           "within 95%", "above 99.8%" ...
:func:`suppress_small_counts`             Small-number suppression of a table to publish
:func:`suppression_footnote`              The footnote that explains the marker
:func:`is_suppressed`                     Whether a cell holds the suppression marker
========================================  ==================================================

Conventions
-----------
* ``confidence`` is an argument of every interval function (default
  ``config.DEFAULT_CONFIDENCE``) and is a two-sided level: 0.95 means 2.5% in each tail.
* Inputs may be scalars, lists, numpy arrays or pandas Series. Interval functions return
  the same shape: floats for scalars, arrays for arrays and lists, Series (with the
  input's index) for Series. Several array arguments are broadcast against each other;
  Series arguments must share one index.
* Arguments are checked before any arithmetic. A bad value raises
  :class:`analysis.errors.ParameterError` whose message names the argument and the value
  (and, for arrays, where it is). Missing values (NaN) are refused rather than carried
  through silently: drop or impute them first.
* Counts (numerators, event counts) must be whole numbers >= 0; integer-valued floats
  such as ``30.0`` are accepted. Denominators and populations must be > 0 and may be
  fractional (modelled population estimates are).

References
----------
* Public Health England (2018). *Technical Guide: Confidence Intervals.* PHE / OHID
  Fingertips technical guidance.
* Public Health England (2018). *Technical Guide: Calculating directly standardised rates.*
* Public Health England (2018). *Technical Guide: Funnel plots.*
* Wilson EB (1927). Probable inference, the law of succession, and statistical inference.
  *J Am Stat Assoc* 22:209-212.
* Newcombe RG (1998). Two-sided confidence intervals for the single proportion: comparison
  of seven methods. *Stat Med* 17:857-872.
* Breslow NE, Day NE (1987). *Statistical Methods in Cancer Research, Vol. II: The Design
  and Analysis of Cohort Studies.* IARC Scientific Publications No. 82 (Byar's method).
* Garwood F (1936). Fiducial limits for the Poisson distribution. *Biometrika* 28:437-442.
* Ulm K (1990). A simple method to calculate the confidence interval of a standardized
  mortality ratio. *Am J Epidemiol* 131:373-375.
* Dobson AJ, Kuulasmaa K, Eberle E, Scherer J (1991). Confidence intervals for weighted
  sums of Poisson parameters. *Stat Med* 10:457-462.
* Spiegelhalter DJ (2005). Funnel plots for comparing institutional performance.
  *Stat Med* 24:1185-1202.
* Government Statistical Service. *Statistical disclosure control* and *Symbols in tables*
  guidance ("[c]" = confidential).
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
from scipy import special
from scipy import stats as sps

from analysis import config
from analysis.errors import ParameterError

__all__ = [
    "METHOD_BYAR",
    "METHOD_DOBSON",
    "METHOD_EXACT_POISSON",
    "DSR_NOT_PUBLISHED_NOTE",
    "check_confidence",
    "z_value",
    "wilson_interval",
    "byar_interval",
    "exact_poisson_interval",
    "count_interval",
    "rate_column",
    "crude_rate",
    "dsr",
    "funnel_limits_proportion",
    "funnel_limits_rate",
    "classify_against_funnel",
    "suppress_small_counts",
    "suppression_footnote",
    "is_suppressed",
]

# --------------------------------------------------------------------------------------
# Constants local to this module (labels written into output tables; not in config.py
# because nothing outside the statistics needs to change them).
# --------------------------------------------------------------------------------------

#: ``method`` label for Byar's approximation (counts >= ``config.BYAR_MIN_COUNT``).
METHOD_BYAR = "Byar"
#: ``method`` label for exact (chi-square) Poisson limits (counts < ``config.BYAR_MIN_COUNT``).
METHOD_EXACT_POISSON = "exact Poisson"
#: ``method`` label for directly standardised rates with Dobson et al. (1991) limits.
METHOD_DOBSON = "Dobson"
#: ``note`` written by :func:`dsr` when a rate is withheld (Fingertips DSR rule).
DSR_NOT_PUBLISHED_NOTE = "not published: fewer than {min_events} events"

ArrayLike: TypeAlias = Any  # scalar, sequence, numpy array or pandas Series of numbers
Interval: TypeAlias = tuple[Any, Any]


# ======================================================================================
# Argument checking (private helpers, plus check_confidence / z_value)
# ======================================================================================


def _fmt(value: Any) -> str:
    """Render a bad value for an error message: whole floats as integers, others by repr."""
    if isinstance(value, (float, np.floating)) and np.isfinite(value) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, (np.integer,)):
        return str(int(value))
    return repr(value)


def _is_real_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _scalar(value: Any, name: str) -> float:
    """Check that ``value`` is a single real number (not a string or bool) and return it."""
    if not _is_real_number(value):
        raise ParameterError(
            f"{name} must be a number, got {value!r} ({type(value).__name__})",
            hint=f"Pass {name} as a number (int or float), not a {type(value).__name__}.",
        )
    return float(value)


def check_confidence(confidence: Any, name: str = "confidence") -> float:
    """Check a two-sided confidence level and return it as a float.

    Parameters
    ----------
    confidence
        Two-sided confidence level, strictly between 0 and 1 (0.95 for 95%).
    name
        Argument name to use in the error message.

    Returns
    -------
    float
        The confidence level.

    Raises
    ------
    ParameterError
        If ``confidence`` is not a real number (strings and booleans are refused) or is
        not strictly between 0 and 1 (``95`` instead of ``0.95`` is a common slip).
    """
    if not _is_real_number(confidence):
        raise ParameterError(
            f"{name} must be a number between 0 and 1 (exclusive), got {confidence!r} ({type(confidence).__name__})",
            hint="Pass a fraction such as 0.95 for 95% confidence.",
        )
    level = float(confidence)
    if not 0.0 < level < 1.0:  # also refuses NaN
        raise ParameterError(
            f"{name} must be between 0 and 1 (exclusive), got {_fmt(confidence)}",
            hint="Pass a fraction such as 0.95 for 95% confidence (not 95).",
        )
    return level


def z_value(confidence: Any = config.DEFAULT_CONFIDENCE) -> float:
    """Return the standard normal quantile for a two-sided confidence level.

    Parameters
    ----------
    confidence
        Two-sided confidence level, strictly between 0 and 1.

    Returns
    -------
    float
        ``z`` with ``P(-z < Z < z) = confidence``; 1.959964 for 0.95, 3.090232 for 0.998.
    """
    level = check_confidence(confidence)
    return float(sps.norm.isf((1.0 - level) / 2.0))


def _check_whole_number(value: Any, name: str, minimum: int) -> int:
    number = _scalar(value, name)
    if not (np.isfinite(number) and number.is_integer() and number >= minimum):
        raise ParameterError(
            f"{name} must be a whole number >= {minimum}, got {_fmt(value)}",
            hint=f"Pass {name} as a whole number such as {max(minimum, 5)}.",
        )
    return int(number)


def _check_per(per: Any) -> int:
    """``per`` multiplier: a positive whole number such as 100_000."""
    number = _scalar(per, "per")
    if not (np.isfinite(number) and number > 0 and number.is_integer()):
        raise ParameterError(
            f"per must be a positive whole number, got {_fmt(per)}",
            hint="Use for example per=100_000 for rates per 100,000 population.",
        )
    return int(number)


def _check_limits(limits: Any) -> tuple[float, ...]:
    """Funnel limits: one confidence level or a non-empty sequence of distinct ones."""
    if _is_real_number(limits):
        limits = (limits,)
    if isinstance(limits, (str, bytes)) or not isinstance(limits, (Sequence, np.ndarray)):
        raise ParameterError(
            f"limits must be a sequence of confidence levels, got {limits!r}",
            hint="Use for example limits=(0.95, 0.998).",
        )
    if len(limits) == 0:
        raise ParameterError(
            "limits must hold at least one confidence level, got an empty sequence",
            hint="Use for example limits=(0.95, 0.998).",
        )
    checked = tuple(check_confidence(level, "limits") for level in limits)
    if len(set(checked)) != len(checked):
        raise ParameterError(
            f"limits must not repeat a level, got {tuple(limits)!r}",
            hint="Use for example limits=(0.95, 0.998).",
        )
    return checked


@dataclass(frozen=True)
class _Shape:
    """How to give results back: as a float, a numpy array, or a Series on ``index``."""

    scalar: bool
    index: pd.Index | None = None

    def wrap(self, values: np.ndarray, name: str | None = None) -> Any:
        if self.scalar:
            return values.item()
        if self.index is not None:
            return pd.Series(values, index=self.index, name=name)
        return values


def _object_to_float(values: np.ndarray, name: str, index: pd.Index | None) -> np.ndarray:
    """Convert an object array element by element, refusing strings, bools and the like."""
    out = np.empty(values.shape, dtype=float)
    for position, item in np.ndenumerate(values):
        if item is None or item is pd.NA:
            out[position] = np.nan
        elif _is_real_number(item):
            out[position] = float(item)
        else:
            where = _where(position, index)
            raise ParameterError(
                f"{name} must hold numbers only, got {item!r} ({type(item).__name__}) {where}",
                hint=f"Convert {name} to a numeric type first (pd.to_numeric).",
            )
    return out


def _to_float_array(value: Any, name: str) -> tuple[np.ndarray, _Shape]:
    """Coerce a scalar, sequence, numpy array or Series of numbers to a float array."""
    if isinstance(value, (str, bytes, bool, np.bool_)) or value is None:
        raise ParameterError(
            f"{name} must be a number or an array of numbers, got {value!r} ({type(value).__name__})",
            hint=f"Pass {name} as a number, a list, a numpy array or a pandas Series.",
        )
    if _is_real_number(value):
        return np.asarray(float(value)), _Shape(scalar=True)
    if isinstance(value, pd.DataFrame):
        raise ParameterError(
            f"{name} must be a number or a one-dimensional array, got a DataFrame",
            hint=f"Pass one column, for example df[{name!r}].",
        )
    index = value.index if isinstance(value, pd.Series) else None
    if isinstance(value, (pd.Series, pd.Index, pd.api.extensions.ExtensionArray)):
        series = pd.Series(value, copy=False) if not isinstance(value, pd.Series) else value
        dtype = series.dtype
        if pd.api.types.is_bool_dtype(dtype):
            raise ParameterError(
                f"{name} must hold numbers, got booleans (dtype {dtype})",
                hint=f"Convert {name} to numbers first.",
            )
        if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
            return series.to_numpy(dtype=float, na_value=np.nan), _Shape(False, index)
        if pd.api.types.is_object_dtype(dtype):
            return _object_to_float(series.to_numpy(), name, index), _Shape(False, index)
        raise ParameterError(
            f"{name} must hold numbers, got dtype {dtype}",
            hint=f"Convert {name} to a numeric type first (pd.to_numeric).",
        )
    if isinstance(value, (np.ndarray, list, tuple)):
        array = np.asarray(value)
        if array.dtype.kind in "iuf":
            array = array.astype(float)
        elif array.dtype.kind == "O":
            array = _object_to_float(array, name, None)
        else:
            raise ParameterError(
                f"{name} must hold numbers, got dtype {array.dtype}",
                hint=f"Convert {name} to numbers first.",
            )
        return array, _Shape(scalar=array.ndim == 0)
    raise ParameterError(
        f"{name} must be a number or an array of numbers, got {type(value).__name__}",
        hint=f"Pass {name} as a number, a list, a numpy array or a pandas Series.",
    )


def _where(position: tuple[int, ...], index: pd.Index | None) -> str:
    if index is not None and len(position) == 1:
        return f"at index {index[position[0]]!r}"
    if len(position) == 1:
        return f"at position {position[0]}"
    return f"at position {position}"


def _check_values(
    values: np.ndarray,
    shape: _Shape,
    name: str,
    *,
    whole: bool = False,
    positive: bool = False,
) -> None:
    """Check that values are finite and >= 0 (or > 0), and whole numbers when ``whole``."""
    checks: list[tuple[np.ndarray, str, str]] = [
        (
            ~np.isfinite(values),
            "a finite number (not missing or infinite)",
            f"Drop or fill missing values of {name} before calling.",
        )
    ]
    if positive:
        checks.append((values <= 0, "> 0", f"{name} must be positive: it is the denominator of a rate."))
    else:
        checks.append((values < 0, ">= 0", f"{name} cannot be negative."))
    if whole:
        checks.append((values != np.floor(values), "a whole number", f"{name} is a count of events."))
    for bad, requirement, hint in checks:
        if bad.any():
            _raise_bad(values, shape, bad, name, requirement, hint)


def _raise_bad(values: np.ndarray, shape: _Shape, bad: np.ndarray, name: str, requirement: str, hint: str) -> None:
    if shape.scalar:
        raise ParameterError(f"{name} must be {requirement}, got {_fmt(values.item())}", hint)
    position = tuple(int(i) for i in np.argwhere(bad)[0])
    where = _where(position, shape.index)
    raise ParameterError(
        f"{name} must be {requirement}, got {_fmt(values[position])} {where} ({int(bad.sum())} of {bad.size} values)",
        hint,
    )


def _combine(**arguments: tuple[np.ndarray, _Shape]) -> tuple[list[np.ndarray], _Shape]:
    """Broadcast several checked arrays; Series arguments must share one index."""
    names = list(arguments)
    shapes = [shape for _, shape in arguments.values()]
    index: pd.Index | None = None
    index_name = ""
    for name, shape in zip(names, shapes, strict=True):
        if shape.index is None:
            continue
        if index is None:
            index, index_name = shape.index, name
        elif not index.equals(shape.index):
            raise ParameterError(
                f"{index_name} and {name} must have the same index",
                hint="Align the two Series first (for example with .reindex or a join).",
            )
    try:
        arrays = np.broadcast_arrays(*(values for values, _ in arguments.values()))
    except ValueError:
        described = ", ".join(f"{name} has shape {values.shape}" for name, (values, _) in arguments.items())
        raise ParameterError(
            f"{' and '.join(names)} must have matching lengths: {described}",
            hint="Pass arrays of the same length, or a single number for one of them.",
        ) from None
    if index is not None and arrays[0].shape != (len(index),):
        raise ParameterError(
            f"{' and '.join(names)} must have matching lengths: {index_name} has "
            f"{len(index)} values but the result would have shape {arrays[0].shape}",
            hint="Pass arrays of the same length as the Series.",
        )
    return [np.array(a, dtype=float) for a in arrays], _Shape(all(s.scalar for s in shapes), index)


def _counts(value: Any, name: str) -> tuple[np.ndarray, _Shape]:
    values, shape = _to_float_array(value, name)
    _check_values(values, shape, name, whole=True)
    return values, shape


def _denominators(value: Any, name: str) -> tuple[np.ndarray, _Shape]:
    values, shape = _to_float_array(value, name)
    _check_values(values, shape, name, positive=True)
    return values, shape


# ======================================================================================
# Intervals for proportions and counts
# ======================================================================================


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
    (x, n), shape = _combine(
        numerator=_counts(numerator, "numerator"),
        denominator=_denominators(denominator, "denominator"),
    )
    too_big = x > n
    if too_big.any():
        position = tuple(int(i) for i in np.argwhere(too_big)[0]) if x.ndim else ()
        where = "" if shape.scalar else f" {_where(position, shape.index)}"
        raise ParameterError(
            f"numerator must not exceed denominator, got numerator {_fmt(x[position])} "
            f"> denominator {_fmt(n[position])}{where}",
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


def _exact_poisson(o: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    alpha = 1.0 - confidence
    lower = np.where(o > 0, sps.chi2.ppf(alpha / 2.0, 2.0 * np.where(o > 0, o, 1.0)) / 2.0, 0.0)
    upper = sps.chi2.ppf(1.0 - alpha / 2.0, 2.0 * o + 2.0) / 2.0
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
    o, shape = _counts(count, "count")
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
    o, shape = _counts(count, "count")
    lower, upper = _exact_poisson(o, level)
    return shape.wrap(lower, "ci_lower"), shape.wrap(upper, "ci_upper")


def _count_interval(o: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    byar_lower, byar_upper = _byar(o, z_value(confidence))
    exact_lower, exact_upper = _exact_poisson(o, confidence)
    use_byar = o >= config.BYAR_MIN_COUNT
    return np.where(use_byar, byar_lower, exact_lower), np.where(use_byar, byar_upper, exact_upper)


def _count_method(o: np.ndarray) -> np.ndarray:
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
    o, shape = _counts(count, "count")
    lower, upper = _count_interval(o, level)
    return shape.wrap(lower, "ci_lower"), shape.wrap(upper, "ci_upper")


# ======================================================================================
# Rates
# ======================================================================================


def rate_column(per: int = config.PER_100K) -> str:
    """Name of the rate column for a multiplier: ``rate_per_100k``, ``rate_per_1k`` ...

    Whole millions are written ``m``, whole thousands ``k``, anything else in full
    (``per=2500`` gives ``rate_per_2500``). The interval columns ``ci_lower`` and
    ``ci_upper`` are always in the same units as this column.
    """
    per = _check_per(per)
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
    multiplier = _check_per(per)
    column = rate_column(multiplier)
    (o, n), shape = _combine(
        count=_counts(count, "count"),
        population=_denominators(population, "population"),
    )
    lower, upper = _count_interval(o, level)
    rate = o / n * multiplier
    ci_lower = lower / n * multiplier
    ci_upper = upper / n * multiplier
    methods = _count_method(o)
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
    multiplier = _check_per(per)
    column = rate_column(multiplier)
    arguments = {
        "counts": _counts(counts, "counts"),
        "populations": _denominators(populations, "populations"),
        "standard_weights": _to_float_array(standard_weights, "standard_weights"),
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
    _check_values(weights_values, weights_shape, "standard_weights")
    if weights_values.sum() <= 0:
        raise ParameterError(
            "standard_weights must have a positive total, got all zeros",
            hint="Pass the standard population of each band, e.g. config.ESP2013_WEIGHTS.",
        )
    index_arguments = {k: v for k, v in arguments.items() if v[1].index is not None}
    if len(index_arguments) > 1:
        _combine(**index_arguments)  # raises when the Series' indexes differ

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
    o_lower, o_upper = _count_interval(np.asarray(float(total_events)), level)
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


# ======================================================================================
# Funnel plots
# ======================================================================================


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
    p0 = _scalar(reference_proportion, "reference_proportion")
    if not 0.0 < p0 < 1.0:
        raise ParameterError(
            f"reference_proportion must be between 0 and 1 (exclusive), got {_fmt(reference_proportion)}",
            hint="Pass the reference as a proportion (0.12 for 12%), for example England's value.",
        )
    return p0


def _check_reference_rate(reference_rate: Any) -> float:
    r0 = _scalar(reference_rate, "reference_rate")
    if not (np.isfinite(r0) and r0 > 0):
        raise ParameterError(
            f"reference_rate must be a finite number > 0, got {_fmt(reference_rate)}",
            hint="Pass the reference rate in the units of `per`, for example England's value.",
        )
    return r0


def _grid(value: Any, name: str) -> np.ndarray:
    values, _ = _denominators(value, name)
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
    levels = _check_limits(limits)
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
    levels = _check_limits(limits)
    multiplier = _check_per(per)
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
    levels = tuple(sorted(_check_limits(limits)))
    observed, observed_shape = _to_float_array(value, "value")
    _check_values(observed, observed_shape, "value")
    if kind == "proportion":
        p0 = _check_reference_proportion(reference)
        if (observed > 1).any():
            _raise_bad(
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
        multiplier = _check_per(per)
        bounds = lambda d, limit: _rate_bounds(r0, d, limit, multiplier)  # noqa: E731
    (x, n), shape = _combine(value=(observed, observed_shape), denominator=_denominators(denominator, "denominator"))
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


# ======================================================================================
# Small-number suppression
# ======================================================================================


def _check_threshold(threshold: Any) -> int:
    return _check_whole_number(threshold, "threshold", minimum=1)


def suppression_footnote(threshold: int = config.SUPPRESSION_THRESHOLD) -> str:
    """Footnote explaining the suppression marker, for tables and charts.

    Parameters
    ----------
    threshold
        The threshold used by :func:`suppress_small_counts`, a whole number >= 1.

    Returns
    -------
    str
        ``config.SUPPRESSION_FOOTNOTE`` with the threshold filled in.
    """
    return config.SUPPRESSION_FOOTNOTE.format(threshold=_check_threshold(threshold))


def is_suppressed(value: Any, marker: str = config.SUPPRESSION_MARKER) -> Any:
    """Whether a value (or each value) is the suppression marker.

    Parameters
    ----------
    value
        A scalar, sequence, numpy array, Series or DataFrame.
    marker
        The marker, default ``config.SUPPRESSION_MARKER`` ("[c]").

    Returns
    -------
    bool, numpy.ndarray, pandas.Series or pandas.DataFrame
        True where the cell is the marker (missing values are False), in the input's shape.
    """
    if isinstance(value, (pd.Series, pd.DataFrame)):
        return value.isin([marker])
    if isinstance(value, (np.ndarray, list, tuple)):
        array = np.asarray(value, dtype=object)
        return np.frompyfunc(lambda item: isinstance(item, str) and item == marker, 1, 1)(array).astype(bool)
    return isinstance(value, str) and value == marker


def _as_column_list(columns: Any, name: str, df: pd.DataFrame) -> list[str]:
    if isinstance(columns, str):
        columns = [columns]
    if not isinstance(columns, (Sequence, pd.Index, np.ndarray)):
        raise ParameterError(
            f"{name} must be a column name or a list of column names, got {columns!r}",
            hint="For example count_columns=['victims'], derived_columns=['rate', 'ci_lower'].",
        )
    columns = list(columns)
    missing = [column for column in columns if column not in df.columns]
    if missing:
        raise ParameterError(
            f"{name} names columns that are not in the table: {missing!r}",
            hint=f"The table has columns {list(df.columns)!r}.",
        )
    return columns


def _small_count_mask(column: pd.Series, name: str, threshold: int, marker: str, suppress_zero: bool) -> np.ndarray:
    """True where a count cell must be suppressed (small count or already the marker)."""
    values = column.to_numpy(dtype=object)
    mask = np.zeros(len(values), dtype=bool)
    smallest = 0 if suppress_zero else 1
    for position, item in enumerate(values):
        if isinstance(item, str) and item == marker:
            mask[position] = True
            continue
        if item is None or item is pd.NA or (_is_real_number(item) and np.isnan(item)):
            continue  # missing stays missing
        if not _is_real_number(item) or not np.isfinite(item) or item < 0 or item != int(item):
            raise ParameterError(
                f"count column {name!r} must hold whole numbers >= 0, got {item!r} at index {column.index[position]!r}",
                hint=f"Counts must be numbers (or the marker {marker!r}); fix the column before suppressing.",
            )
        mask[position] = smallest <= item < threshold
    return mask


def suppress_small_counts(
    df: pd.DataFrame,
    count_columns: str | Sequence[str],
    derived_columns: Sequence[str] | Mapping[str, Sequence[str]],
    *,
    threshold: int = config.SUPPRESSION_THRESHOLD,
    marker: str = config.SUPPRESSION_MARKER,
    suppress_zero: bool = False,
) -> pd.DataFrame:
    """Replace small counts, and the values derived from them, with a marker.

    Follows ONS / GSS statistical disclosure control practice and the GSS symbol "[c]":
    counts from 1 to ``threshold - 1`` (1 to 4 by default) are replaced by ``marker``,
    and so is every derived value (rate, interval, percentage) on the same row, because a
    rate and its population give the count back. Zero is shown by default: a true zero
    is usually not disclosive, and hiding it loses information; set ``suppress_zero=True``
    when a zero would itself disclose something (for example, that no one in a small
    group has a characteristic).

    Only primary suppression is done. A suppressed cell that can be recovered by
    subtraction from a published total needs secondary suppression too: list the
    complementary cells as derived columns (mapping form) or suppress the total.

    Parameters
    ----------
    df
        The table to publish. It is not modified.
    count_columns
        Column(s) of counts to check: whole numbers >= 0, missing values, or the marker
        (so suppressing twice is harmless).
    derived_columns
        Required, so that forgetting it cannot leak a rate: pass ``[]`` when there are no
        derived columns. Either a list of column names, suppressed on every row where
        *any* count column is suppressed, or a mapping ``{count column: [columns]}`` that
        suppresses the listed columns only where *that* count is suppressed.
    threshold
        Counts below this are suppressed, default ``config.SUPPRESSION_THRESHOLD`` (5).
    marker
        Replacement text, default ``config.SUPPRESSION_MARKER`` ("[c]").
    suppress_zero
        Also suppress counts of zero (default False).

    Returns
    -------
    pandas.DataFrame
        A copy in which every count and derived column has object dtype (numbers and
        markers mixed, ready to write out); other columns are unchanged.

    See Also
    --------
    suppression_footnote : the footnote to print under the table.
    is_suppressed : find suppressed cells.
    """
    if not isinstance(df, pd.DataFrame):
        raise ParameterError(
            f"df must be a pandas DataFrame, got {type(df).__name__}",
            hint="Pass the table to publish as a DataFrame.",
        )
    threshold = _check_threshold(threshold)
    if not isinstance(marker, str) or not marker:
        raise ParameterError(
            f"marker must be a non-empty string, got {marker!r}",
            hint=f"The GSS marker is {config.SUPPRESSION_MARKER!r}.",
        )
    if not isinstance(suppress_zero, (bool, np.bool_)):
        raise ParameterError(
            f"suppress_zero must be True or False, got {suppress_zero!r}",
            hint="Use suppress_zero=True to hide zeros as well.",
        )
    counts = _as_column_list(count_columns, "count_columns", df)
    if not counts:
        raise ParameterError(
            "count_columns must name at least one column, got an empty list",
            hint="Name the columns that hold counts, for example ['victims'].",
        )
    if isinstance(derived_columns, Mapping):
        unknown = [column for column in derived_columns if column not in counts]
        if unknown:
            raise ParameterError(
                f"derived_columns keys must be count columns, got {unknown!r}",
                hint=f"The count columns are {counts!r}.",
            )
        derived_by_count = {
            column: _as_column_list(derived, f"derived_columns[{column!r}]", df)
            for column, derived in derived_columns.items()
        }
    else:
        shared = _as_column_list(derived_columns, "derived_columns", df)
        derived_by_count = dict.fromkeys(counts, shared)

    masks = {column: _small_count_mask(df[column], column, threshold, marker, bool(suppress_zero)) for column in counts}
    out = df.copy()
    affected = list(dict.fromkeys(counts + [c for cols in derived_by_count.values() for c in cols]))
    for column in affected:
        out[column] = out[column].astype(object)
    for column in counts:
        mask = masks[column]
        if not mask.any():
            continue
        for target in [column, *derived_by_count.get(column, [])]:
            out.loc[mask, target] = marker
    return out
