"""Small-number suppression of tables to publish (primary suppression, GSS marker "[c]").

References
----------
Government Statistical Service, *Statistical disclosure control* and *Symbols in tables*
guidance ("[c]" = confidential).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis import config
from analysis.errors import ParameterError
from analysis.methods.stats.arguments import check_whole_number, is_real_number


def _check_threshold(threshold: Any) -> int:
    return check_whole_number(threshold, "threshold", minimum=1)


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
        if item is None or item is pd.NA or (is_real_number(item) and np.isnan(item)):
            continue  # missing stays missing
        if not is_real_number(item) or not np.isfinite(item) or item < 0 or item != int(item):
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
