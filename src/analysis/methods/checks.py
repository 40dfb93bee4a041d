"""Arguments checked up front: numbers within bounds and confidence levels, with errors naming the value."""

from __future__ import annotations

import math
import numbers
from typing import Any

from analysis.errors import ParameterError


def check_confidence_level(value: Any) -> float:
    """A confidence level strictly between 0 and 1 (e.g. 0.95)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not (0 < float(value) < 1):
        raise ParameterError(
            f"confidence_level must be a number between 0 and 1 (e.g. 0.95), got {value!r}.",
            "Pass for example -p confidence_level 0.95.",
        )
    return float(value)


def check_number(
    name: str, value: Any, *, minimum: float | None = None, maximum: float | None = None, allow_equal_min: bool = True
) -> float:
    """A real number within bounds, or :class:`ParameterError` naming ``name`` and ``value``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(float(value)):
        raise ParameterError(f"{name} must be a number, got {value!r}.")
    number = float(value)
    if minimum is not None and (number < minimum or (number == minimum and not allow_equal_min)):
        relation = ">=" if allow_equal_min else ">"
        raise ParameterError(f"{name} must be {relation} {minimum:g}, got {value!r}.")
    if maximum is not None and number > maximum:
        raise ParameterError(f"{name} must be <= {maximum:g}, got {value!r}.")
    return number
