"""Rounding and formatting of every number the reports publish: one rule, halves away from zero.

Python's ``round``, NumPy's and pandas' ``round`` and format specifications (``f"{x:,.0f}"``)
round a half to the even neighbour, and on the binary value rather than the number as written:
12,345 to the nearest 10 shows 12,340, 0.125 to two places 0.12, 2.5 to a whole number 2. Every
number a report shows goes through :func:`round_half_away` (or :func:`round_to_multiple`)
instead, which round halves away from zero (:data:`config.PUBLISHED_ROUNDING`: 12,350, 0.13, 3,
and -3 for -2.5) on the value's shortest decimal representation (Python's ``repr``, the digits
one would write down), with :class:`decimal.Decimal` so no binary error creeps back in.

* :func:`round_half_away`, :func:`round_to_multiple`: numbers (a float), or arrays and Series of
  them (the same kind back, missing values kept as NaN);
* :func:`format_number`, :func:`format_multiple`, :func:`format_percent`: the text a table,
  sentence, alt text, legend or index shows ("12,350", "0.13", "95%"), "–" for a missing value.

References
----------
Python documentation, ``decimal`` module: rounding mode ``ROUND_HALF_UP`` ("round to nearest with
ties going away from zero"). Microsoft support, "ROUND function" (Excel rounds halves away from
zero, as councils' own spreadsheets do).
"""

from __future__ import annotations

import decimal
import math
import numbers
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from analysis import config

#: What a table or sentence shows for a missing number.
MISSING = "–"


def _rounding() -> str:
    return getattr(decimal, config.PUBLISHED_ROUNDING)


def _check_decimals(decimals: Any) -> int:
    if isinstance(decimals, bool) or not isinstance(decimals, numbers.Integral):
        raise TypeError(f"decimals must be a whole number, got {decimals!r}.")
    return int(decimals)


def _check_multiple(multiple: Any) -> Decimal:
    exact = _exact(multiple) if _is_number(multiple) else None
    if exact is None or not exact.is_finite() or exact <= 0:
        raise ValueError(f"multiple must be a finite number above 0 (e.g. 10), got {multiple!r}.")
    return exact


def _is_number(value: Any) -> bool:
    return isinstance(value, (numbers.Real, Decimal)) and not isinstance(value, bool)


def is_missing(value: Any) -> bool:
    """True for None, NaN and pandas' missing markers (``pd.NA``, ``pd.NaT``)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, Decimal):
        return value.is_nan()
    return isinstance(value, numbers.Real) and math.isnan(float(value))


def _exact(value: Any) -> Decimal:
    """The number as written: an integer exactly, a float by its shortest repr (0.125 -> Decimal('0.125'))."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, numbers.Integral):
        return Decimal(int(value))
    if isinstance(value, numbers.Real):
        return Decimal(repr(float(value)))
    raise TypeError(f"Cannot round {value!r} ({type(value).__name__}): it is not a number.")


def _quantize(exact: Decimal, step: Decimal) -> Decimal:
    """``exact`` rounded to a whole multiple of ``step`` (any positive number), halves away from zero."""
    step = step.normalize()
    with decimal.localcontext() as context:
        context.prec = max(28, exact.adjusted() - step.adjusted() + 5)  # every digit the result keeps
        if step.as_tuple().digits == (1,):  # a power of ten: round in place
            return exact.quantize(step, rounding=_rounding())
        return (exact / step).quantize(Decimal(1), rounding=_rounding()) * step


def _rounded(value: Any, step: Decimal) -> Decimal | None:
    """``value`` rounded to a multiple of ``step`` as a Decimal; None when missing; non-finite as it is."""
    if is_missing(value):
        return None
    exact = _exact(value)
    if not exact.is_finite():
        return exact
    rounded = _quantize(exact, step)
    return abs(rounded) if rounded == 0 else rounded  # never "-0"


def _apply(value: Any, step: Decimal) -> Any:
    """Round a number, or each element of an array, Series or list, to a multiple of ``step``."""

    def one(item: Any) -> float:
        rounded = _rounded(item, step)
        return math.nan if rounded is None else float(rounded)

    if isinstance(value, pd.Series):
        return pd.Series([one(v) for v in value], index=value.index, name=value.name, dtype=float)
    if isinstance(value, (np.ndarray, list, tuple)):
        array = np.asarray(value, dtype=object)
        return np.array([one(v) for v in array.ravel()], dtype=float).reshape(array.shape)
    return one(value)


def round_half_away(value: Any, decimals: int = 0) -> Any:
    """Round to ``decimals`` places, halves away from zero, on the number as written.

    Parameters
    ----------
    value
        A number, or an array, Series or list of numbers. None, NaN and ``pd.NA`` stay missing
        (NaN); infinities pass through.
    decimals
        Places after the point; negative rounds to tens (-1), hundreds (-2) and so on.

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        A float for a number; a float array or Series (same index) for an array or Series.

    Examples
    --------
    >>> round_half_away(0.125, 2), round_half_away(2.5), round_half_away(-2.5), round_half_away(12_345, -1)
    (0.13, 3.0, -3.0, 12350.0)
    """
    return _apply(value, Decimal(1).scaleb(-_check_decimals(decimals)))


def round_to_multiple(value: Any, multiple: Any) -> Any:
    """Round to the nearest ``multiple`` (e.g. 10), halves away from zero; see :func:`round_half_away`.

    Examples
    --------
    >>> round_to_multiple(12_345, 10), round_to_multiple(-15, 10), round_to_multiple(7.25, 0.5)
    (12350.0, -20.0, 7.5)
    """
    return _apply(value, _check_multiple(multiple))


def _text(rounded: Decimal, decimals: int) -> str:
    places = max(decimals, 0)
    return f"{rounded:,.{places}f}" if rounded.is_finite() else f"{float(rounded):,.{places}f}"


def format_number(value: Any, decimals: int = 0) -> str:
    """A published number: rounded as :func:`round_half_away`, thousands separators, fixed decimals.

    ``decimals`` below 0 rounds to tens (-1), hundreds (-2) and so on, shown without decimals.

    Missing values show as :data:`MISSING`; text (a suppression marker, "not known") passes
    through; anything else that is not a number is shown as ``str(value)``.

    Examples
    --------
    >>> format_number(1234.5), format_number(0.125, 2), format_number(None), format_number("[c]")
    ('1,235', '0.13', '–', '[c]')
    """
    decimals = _check_decimals(decimals)
    if is_missing(value):
        return MISSING
    if isinstance(value, str):
        return value
    if not _is_number(value) and not isinstance(value, bool):
        return str(value)
    rounded = _rounded(value, Decimal(1).scaleb(-decimals))
    return _text(rounded, decimals)


def format_multiple(value: Any, multiple: Any) -> str:
    """A number rounded to the nearest ``multiple`` as published ("12,350" for 12,345 and 10).

    Shown with as many decimals as ``multiple`` has (none for 10, one for 0.5).
    """
    step = _check_multiple(multiple)
    if is_missing(value):
        return MISSING
    return _text(_rounded(value, step), max(-step.normalize().as_tuple().exponent, 0))


def format_percent(proportion: Any, decimals: int = 0) -> str:
    """A proportion as a published percentage (0.95 -> "95%", 0.0125 -> "1.3%" with one decimal)."""
    decimals = _check_decimals(decimals)
    if is_missing(proportion):
        return MISSING
    return format_number(_exact(proportion).scaleb(2), decimals) + "%"
