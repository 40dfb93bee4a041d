"""Map classes of declared indicators: what may be shown, the scheme, the breaks, the colours and the legend labels.

:func:`published` is the first step of every map, chart and sentence of an indicator: a value
derived from a count of 1 to :data:`config.SUPPRESSION_THRESHOLD` - 1 (the numerator, or the
denominator where the indicator declares it a count) is withheld, never classed, plotted or
written as a number, and its label is the suppression marker (GSS statistical disclosure
control: a rate and its population give the count back). Values are read from the frame's
value column, named for the indicator's unit (:func:`analysis.methods.indicators.value_column`).

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

import hashlib
import warnings
from typing import Any

import numpy as np
import pandas as pd

from analysis import config
from analysis.data import disk_cache
from analysis.errors import ParameterError
from analysis.methods.indicators import Indicator, value_column
from analysis.present.numbers import format_number

#: The kind of result :mod:`analysis.data.disk_cache` keeps for :func:`class_breaks`.
CACHE_KIND = "map_classes"
_SCHEMES = {"quantiles": "Quantiles", "equal_interval": "EqualInterval", "fisher_jenks": "FisherJenks"}
#: How captions and the methods section name each class scheme.
SCHEME_WORDS = {
    "quantiles": "quantiles (equal numbers of areas per class)",
    "equal_interval": "equal intervals (classes of equal width)",
    "fisher_jenks": "Fisher-Jenks natural breaks",
}
#: How captions name the areas a map's classes are computed over.
LEVEL_WORDS = {"utla": "upper-tier authorities", "region": "regions"}


def count_columns(indicator: Indicator) -> list[str]:
    """The columns of an indicator frame that hold counts to suppress: ``numerator`` and/or ``denominator``."""
    flags = (("numerator", indicator.count_numerator), ("denominator", indicator.count_denominator))
    return [column for column, counted in flags if counted]


def published(indicator: Indicator, frame: pd.DataFrame, threshold: int = config.SUPPRESSION_THRESHOLD) -> pd.DataFrame:
    """The frame as maps, charts and sentences may show it, with a ``suppressed`` column.

    Where the indicator counts (``count_numerator``, ``count_denominator``) and the count is
    from 1 to ``threshold - 1``, the row is ``suppressed``: ``has_data`` False and its value
    and interval NaN, so nothing draws, classes or words it; :func:`value_label` gives the
    marker for it. A frame that already has the column is returned as it is.
    """
    if "suppressed" in frame.columns:
        return frame
    out = frame.copy()
    small = np.zeros(len(out), dtype=bool)
    for column in count_columns(indicator):
        values = out[column].to_numpy(dtype=float)
        small |= (values >= 1) & (values < threshold)
    out["suppressed"] = small
    out.loc[small, "has_data"] = False
    out.loc[small, [value_column(out), "ci_lower", "ci_upper"]] = np.nan
    return out


def value_label(indicator: Indicator, row: Any) -> str:
    """An area's value as maps, charts and sentences show it: the number, the marker, or "no data"."""
    if bool(row.get("suppressed", False)):
        return config.SUPPRESSION_MARKER
    if not bool(row["has_data"]):
        return config.MAP_NO_DATA_LABEL
    return format_number(row[indicator.value_column], indicator.decimals)


def with_unit(indicator: Indicator, text: str) -> str:
    """A value written with the indicator's unit: "57.3 per 100,000 ...", "10.7% of ..." (no unit for no value)."""
    if text in (config.MAP_NO_DATA_LABEL, config.SUPPRESSION_MARKER):
        return text
    unit = indicator.unit_label
    return f"{text}{unit}" if unit.startswith("%") else f"{text} {unit}"


def suppression_words(threshold: int = config.SUPPRESSION_THRESHOLD) -> str:
    """What the marker stands for on maps and charts (legends, alt text, notes)."""
    return f"{config.SUPPRESSION_MARKER}: suppressed, made from a count of 1 to {threshold - 1}"


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
    distinct values; an empty array means no area has data. Pass a :func:`published` frame,
    so that no bound is a value withheld for a small count.
    """
    scheme = check_classification(scheme)
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ParameterError(f"k (number of classes) must be a whole number >= 1, got {k!r}.")
    level = map_level(frame)
    rows = (frame["level"] == level) & frame["has_data"]
    values = np.sort(frame.loc[rows, value_column(frame)].to_numpy(float))
    distinct = np.unique(values)
    if distinct.size == 0:
        return np.array([], dtype=float)
    classes = min(k, distinct.size)
    if classes == 1:
        return distinct[-1:].copy()

    # Kept on disk by the values classed (analysis.data.disk_cache): every map report classes the same
    # England-wide values, and a kernel that finds them classed never imports mapclassify (~1 s).
    def classify() -> np.ndarray:
        import mapclassify

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            classifier = getattr(mapclassify, _SCHEMES[scheme])(values, k=classes)
        breaks = np.unique(np.asarray(classifier.bins, dtype=float))
        breaks[-1] = max(breaks[-1], distinct[-1])
        return breaks

    parts = (scheme, str(classes), hashlib.sha256(values.tobytes()).hexdigest())
    return disk_cache.cached(CACHE_KIND, parts, classify).copy()


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
