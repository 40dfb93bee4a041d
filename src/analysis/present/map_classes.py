"""Map classes of declared indicators: the scheme, the breaks, the colours and the legend labels.

Classes are a fixed scheme (:data:`config.MAP_CLASSIFICATIONS`, default quantiles, with
:data:`config.MAP_CLASSES` classes) computed over **England's upper-tier authorities** (regions,
for an indicator published only by region), so the region map and the England map share one
legend and the same data always give the same breaks. The colours come from the sequential
colour map (:data:`config.CMAP_SEQUENTIAL`, cividis), monotone in lightness so that they survive
greyscale.

References
----------
Brewer CA (1994), Color use guidelines for mapping and visualization. mapclassify (PySAL):
Quantiles, EqualInterval, FisherJenks.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from analysis import config
from analysis.errors import ParameterError
from analysis.present.numbers import format_number

_SCHEMES = {"quantiles": "Quantiles", "equal_interval": "EqualInterval", "fisher_jenks": "FisherJenks"}
#: How captions and the methods section name each class scheme.
SCHEME_WORDS = {
    "quantiles": "quantiles (equal numbers of areas per class)",
    "equal_interval": "equal intervals (classes of equal width)",
    "fisher_jenks": "Fisher-Jenks natural breaks",
}
#: How captions name the areas a map's classes are computed over.
LEVEL_WORDS = {"utla": "upper-tier authorities", "region": "regions"}


def check_classification(value: Any) -> str:
    """Validate the ``classification`` parameter (one of :data:`config.MAP_CLASSIFICATIONS`)."""
    if not isinstance(value, str) or value.strip().lower() not in config.MAP_CLASSIFICATIONS:
        raise ParameterError(
            f"classification must be one of {', '.join(config.MAP_CLASSIFICATIONS)}, got {value!r}.",
            f"For example -p classification {config.MAP_CLASSIFICATION_DEFAULT}.",
        )
    return value.strip().lower()


def describe_classification(scheme: str, frame: pd.DataFrame, k: int = config.MAP_CLASSES) -> str:
    """One sentence stating the class scheme, e.g. for a caption or the methods section."""
    level = map_level(frame)
    return (
        f"Classes: {SCHEME_WORDS[check_classification(scheme)]}, {k} classes at most, computed over "
        f"England's {LEVEL_WORDS[level]} with data, so every map of this indicator shares one legend."
    )


def map_level(frame: pd.DataFrame) -> str:
    """ "utla" when any upper-tier authority has data, else "region" (indicators published by region)."""
    utla = frame[frame["level"] == "utla"]
    return "utla" if bool(utla["has_data"].any()) else "region"


def class_breaks(
    frame: pd.DataFrame, scheme: str = config.MAP_CLASSIFICATION_DEFAULT, k: int = config.MAP_CLASSES
) -> np.ndarray:
    """Upper bounds of the classes, computed over England's areas at :func:`map_level` with data.

    The last bound is the maximum. Fewer than ``k`` classes are used when there are fewer
    distinct values; an empty array means no area has data.
    """
    import mapclassify

    scheme = check_classification(scheme)
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ParameterError(f"k (number of classes) must be a whole number >= 1, got {k!r}.")
    level = map_level(frame)
    values = np.sort(frame.loc[(frame["level"] == level) & frame["has_data"], "rate_per_100k"].to_numpy(float))
    distinct = np.unique(values)
    if distinct.size == 0:
        return np.array([], dtype=float)
    classes = min(k, distinct.size)
    if classes == 1:
        return distinct[-1:].copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        classifier = getattr(mapclassify, _SCHEMES[scheme])(values, k=classes)
    breaks = np.unique(np.asarray(classifier.bins, dtype=float))
    breaks[-1] = max(breaks[-1], distinct[-1])
    return breaks


def assign_classes(values: Any, breaks: np.ndarray) -> np.ndarray:
    """Class index of each value (value <= break), -1 for missing values."""
    array = np.asarray(values, dtype=float)
    if len(breaks) == 0:
        return np.full(array.shape, -1)
    index = np.minimum(np.searchsorted(breaks, array, side="left"), len(breaks) - 1)
    return np.where(np.isnan(array), -1, index)


def class_colours(n: int) -> list:
    """``n`` colours from the sequential colour map, light (low) to dark (high) in greyscale order."""
    import matplotlib

    cmap = matplotlib.colormaps[config.CMAP_SEQUENTIAL]
    low, high = config.MAP_CMAP_RANGE
    positions = [(low + high) / 2] if n == 1 else np.linspace(high, low, n)
    return [cmap(p) for p in positions]


def class_labels(breaks: np.ndarray, minimum: float, decimals: int = 0) -> list[str]:
    """Legend labels "a to b" for each class (lower bound of the first class = ``minimum``), halves away from zero."""
    lowers = [minimum, *breaks[:-1]]
    return [f"{format_number(low, decimals)} to {format_number(high, decimals)}" for low, high in zip(lowers, breaks)]
