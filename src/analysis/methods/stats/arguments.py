"""Argument checks shared by every statistics function (the conventions of :mod:`analysis.methods.stats`).

Every public function of the statistics checks its arguments here before any arithmetic:
scalars, lists, numpy arrays and pandas Series are coerced to float arrays
(:func:`to_float_array`), checked (:func:`check_values`, :func:`check_counts`,
:func:`check_denominators`) and broadcast against each other (:func:`combine`); the
:class:`Shape` gives results back in the shape of the input. A bad value raises
:class:`analysis.errors.ParameterError` naming the argument, the value and, for arrays,
where it is (:func:`describe_position`).

:func:`check_confidence` and :func:`z_value` are public (re-exported by
:mod:`analysis.methods.stats`); the other names serve the modules of the subpackage.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
from scipy import special

from analysis import config
from analysis.errors import ParameterError

ArrayLike: TypeAlias = Any  # scalar, sequence, numpy array or pandas Series of numbers
Interval: TypeAlias = tuple[Any, Any]


def format_value(value: Any) -> str:
    """Render a bad value for an error message: whole floats as integers, others by repr."""
    if isinstance(value, (float, np.floating)) and np.isfinite(value) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, (np.integer,)):
        return str(int(value))
    return repr(value)


def is_real_number(value: Any) -> bool:
    """True for an int, float or numpy number; False for bools, strings and everything else."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def check_scalar(value: Any, name: str) -> float:
    """Check that ``value`` is a single real number (not a string or bool) and return it."""
    if not is_real_number(value):
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
    if not is_real_number(confidence):
        raise ParameterError(
            f"{name} must be a number between 0 and 1 (exclusive), got {confidence!r} ({type(confidence).__name__})",
            hint="Pass a fraction such as 0.95 for 95% confidence.",
        )
    level = float(confidence)
    if not 0.0 < level < 1.0:  # also refuses NaN
        raise ParameterError(
            f"{name} must be between 0 and 1 (exclusive), got {format_value(confidence)}",
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
    # scipy.stats.norm.isf(q) is -ndtri(q); scipy.special alone imports in a tenth of the time of scipy.stats
    return float(-special.ndtri((1.0 - level) / 2.0))


def check_whole_number(value: Any, name: str, minimum: int) -> int:
    """Check that ``value`` is a whole number >= ``minimum`` (``30.0`` counts) and return it as an int."""
    number = check_scalar(value, name)
    if not (np.isfinite(number) and number.is_integer() and number >= minimum):
        raise ParameterError(
            f"{name} must be a whole number >= {minimum}, got {format_value(value)}",
            hint=f"Pass {name} as a whole number such as {max(minimum, 5)}.",
        )
    return int(number)


def check_per(per: Any) -> int:
    """``per`` multiplier: a positive whole number such as 100_000."""
    number = check_scalar(per, "per")
    if not (np.isfinite(number) and number > 0 and number.is_integer()):
        raise ParameterError(
            f"per must be a positive whole number, got {format_value(per)}",
            hint="Use for example per=100_000 for rates per 100,000 population.",
        )
    return int(number)


def check_limits(limits: Any) -> tuple[float, ...]:
    """Funnel limits: one confidence level or a non-empty sequence of distinct ones."""
    if is_real_number(limits):
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
class Shape:
    """How to give results back: as a float, a numpy array, or a Series on ``index``."""

    scalar: bool
    index: pd.Index | None = None

    def wrap(self, values: np.ndarray, name: str | None = None) -> Any:
        """``values`` as a float (scalar input), a Series named ``name`` on the index, or the array."""
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
        elif is_real_number(item):
            out[position] = float(item)
        else:
            where = describe_position(position, index)
            raise ParameterError(
                f"{name} must hold numbers only, got {item!r} ({type(item).__name__}) {where}",
                hint=f"Convert {name} to a numeric type first (pd.to_numeric).",
            )
    return out


def to_float_array(value: Any, name: str) -> tuple[np.ndarray, Shape]:
    """Coerce a scalar, sequence, numpy array or Series of numbers to a float array."""
    if isinstance(value, (str, bytes, bool, np.bool_)) or value is None:
        raise ParameterError(
            f"{name} must be a number or an array of numbers, got {value!r} ({type(value).__name__})",
            hint=f"Pass {name} as a number, a list, a numpy array or a pandas Series.",
        )
    if is_real_number(value):
        return np.asarray(float(value)), Shape(scalar=True)
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
            return series.to_numpy(dtype=float, na_value=np.nan), Shape(False, index)
        if pd.api.types.is_object_dtype(dtype):
            return _object_to_float(series.to_numpy(), name, index), Shape(False, index)
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
        return array, Shape(scalar=array.ndim == 0)
    raise ParameterError(
        f"{name} must be a number or an array of numbers, got {type(value).__name__}",
        hint=f"Pass {name} as a number, a list, a numpy array or a pandas Series.",
    )


def describe_position(position: tuple[int, ...], index: pd.Index | None) -> str:
    """Where a bad value is, for an error message: its index label for a Series, else its position."""
    if index is not None and len(position) == 1:
        return f"at index {index[position[0]]!r}"
    if len(position) == 1:
        return f"at position {position[0]}"
    return f"at position {position}"


def check_values(
    values: np.ndarray,
    shape: Shape,
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
            raise_bad_value(values, shape, bad, name, requirement, hint)


def raise_bad_value(values: np.ndarray, shape: Shape, bad: np.ndarray, name: str, requirement: str, hint: str) -> None:
    """Raise the :class:`ParameterError` for the first value flagged in ``bad``, saying where and how many."""
    if shape.scalar:
        raise ParameterError(f"{name} must be {requirement}, got {format_value(values.item())}", hint)
    position = tuple(int(i) for i in np.argwhere(bad)[0])
    where = describe_position(position, shape.index)
    raise ParameterError(
        f"{name} must be {requirement}, got {format_value(values[position])} {where} "
        f"({int(bad.sum())} of {bad.size} values)",
        hint,
    )


def combine(**arguments: tuple[np.ndarray, Shape]) -> tuple[list[np.ndarray], Shape]:
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
    return [np.array(a, dtype=float) for a in arrays], Shape(all(s.scalar for s in shapes), index)


def check_counts(value: Any, name: str) -> tuple[np.ndarray, Shape]:
    """Counts of events: finite whole numbers >= 0, as a float array and the shape to give back."""
    values, shape = to_float_array(value, name)
    check_values(values, shape, name, whole=True)
    return values, shape


def check_denominators(value: Any, name: str) -> tuple[np.ndarray, Shape]:
    """Denominators or populations: finite numbers > 0 (may be fractional), with the shape to give back."""
    values, shape = to_float_array(value, name)
    check_values(values, shape, name, positive=True)
    return values, shape
