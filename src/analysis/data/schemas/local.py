"""Pandera models and cross-row rules of a council's own files (``data/raw/local/<area_code>/``).

``supply.csv`` (:class:`LocalSupply`) and ``referrals.csv`` (:class:`LocalReferrals`) are read by
:mod:`analysis.data.local_data`, not by the processed build. Rules across rows and columns that
pandera cannot express are :func:`local_supply_problems` and :func:`local_referrals_problems`,
one readable line per problem (see :func:`~analysis.data.schemas.common.problems_error`).
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from analysis import config

LOCAL_COUNT_HINT = (
    "Counts are whole numbers of 0 or more with no text, separators or symbols; leave a cell "
    "empty when the figure is not known. Periods are written 2021, 2020-21, 2020-2021, 2021-05-01 "
    "or 'not stated'."
)


def _whole_or_missing(series: pd.Series) -> pd.Series:
    return series.isna() | (series == series.round())


class LocalSupply(pa.DataFrameModel):
    """A council's ``data/raw/local/<area_code>/supply.csv``: one row per provider and type.

    Counts of places, never of people: ``properties`` (refuges, houses or schemes),
    ``bedspaces`` (a unit for one victim and their children, as the national expert steering
    group defines it), ``child_spaces`` and ``accessible_bedspaces``.
    """

    period: Series[str] = pa.Field(str_matches=config.LOCAL_PERIOD_PATTERN)
    accommodation_type: Series[str] = pa.Field(isin=list(config.ACCOMMODATION_TYPES))
    provider: Series[str] = pa.Field(str_length={"min_value": 1})
    properties: Series[float] = pa.Field(ge=0, nullable=True)
    bedspaces: Series[float] = pa.Field(ge=0, nullable=True)
    child_spaces: Series[float] = pa.Field(ge=0, nullable=True)
    accessible_bedspaces: Series[float] = pa.Field(ge=0, nullable=True)
    restrictions: Series[str] | None = pa.Field(nullable=True)
    source: Series[str] = pa.Field(str_length={"min_value": 1})
    notes: Series[str] | None = pa.Field(nullable=True)

    class Config:
        coerce = True
        strict = False  # unknown columns are reported by analysis.data.local_data with a suggestion

    @pa.check("properties", "bedspaces", "child_spaces", "accessible_bedspaces", error="whole number required")
    def whole_counts(cls, series: pd.Series) -> Series[bool]:
        return _whole_or_missing(series)


class LocalReferrals(pa.DataFrameModel):
    """A council's ``data/raw/local/<area_code>/referrals.csv``: aggregate referral figures, long.

    One figure per row: ``period``, ``measure`` (see :data:`analysis.config.REFERRAL_MEASURES`),
    ``category`` ("all", a decline reason or a risk level), ``count`` and/or the ``percent`` a
    source printed (with ``percent_of``, what it is a share of) and/or the ``rank`` of a
    reason, and the ``source``.
    """

    period: Series[str] = pa.Field(str_matches=config.LOCAL_PERIOD_PATTERN)
    measure: Series[str] = pa.Field(isin=list(config.REFERRAL_MEASURES))
    category: Series[str] = pa.Field(str_length={"min_value": 1})
    count: Series[float] = pa.Field(ge=0, nullable=True)
    percent: Series[float] = pa.Field(ge=0, le=100, nullable=True)
    percent_of: Series[str] = pa.Field(isin=list(config.PERCENT_BASES), nullable=True)
    rank: Series[float] | None = pa.Field(ge=1, nullable=True)
    source: Series[str] = pa.Field(str_length={"min_value": 1})
    notes: Series[str] | None = pa.Field(nullable=True)

    class Config:
        coerce = True
        strict = False

    @pa.check("count", "rank", error="whole number required")
    def whole_counts(cls, series: pd.Series) -> Series[bool]:
        return _whole_or_missing(series)


def _line(index: object, line_offset: int = 2) -> int:
    return int(index) + line_offset  # type: ignore[call-overload]


def _duplicate_problems(df: pd.DataFrame, key: list[str], advice: str) -> list[str]:
    """One line per row that repeats an earlier row's key."""
    first_line: dict[tuple, int] = {}
    problems = []
    for index, values in zip(df.index, df[key].itertuples(index=False, name=None)):
        if values in first_line:
            shown = ", ".join(f"{column} {value!r}" for column, value in zip(key, values))
            problems.append(f"line {_line(index)} repeats line {first_line[values]} ({shown}): {advice}")
        else:
            first_line[values] = _line(index)
    return problems


def local_supply_problems(df: pd.DataFrame) -> list[str]:
    """Rules across columns and rows of a validated ``supply.csv`` (empty list when it is sound)."""
    problems = _duplicate_problems(
        df,
        ["period", "accommodation_type", "provider"],
        "give each provider one row per accommodation type and period (add the counts up, or name the "
        "schemes in 'provider')",
    )
    too_many = (
        df["accessible_bedspaces"].notna() & df["bedspaces"].notna() & (df["accessible_bedspaces"] > df["bedspaces"])
    )
    for index in df.index[too_many]:
        problems.append(
            f"line {_line(index)}, column 'accessible_bedspaces', value {df.at[index, 'accessible_bedspaces']:g}: "
            f"more than the row's bedspaces ({df.at[index, 'bedspaces']:g})"
        )
    return problems


def _category_problems(df: pd.DataFrame) -> list[str]:
    problems = []
    for index, measure, category in zip(df.index, df["measure"], df["category"]):
        where = f"line {_line(index)}, column 'category', value {category!r}"
        if measure == "risk_level" and category not in config.RISK_LEVELS:
            problems.append(f"{where}: a risk_level row needs one of {', '.join(config.RISK_LEVELS)}")
        elif measure == "decline_reason" and category == "all":
            problems.append(f"{where}: a decline_reason row names the reason in 'category'")
        elif measure not in ("risk_level", "decline_reason") and category != "all":
            problems.append(f"{where}: a {measure} row has no breakdown (leave 'category' empty or write 'all')")
    return problems


def _base_counts(df: pd.DataFrame, measure: str) -> dict[str, tuple[float, int]]:
    """Period -> (count, file line) of the rows of one measure with category 'all' and a count."""
    rows = df[(df["measure"] == measure) & (df["category"] == "all") & df["count"].notna()]
    first: dict[str, tuple[float, int]] = {}
    for index, period, count in zip(rows.index, rows["period"], rows["count"]):
        first.setdefault(period, (count, _line(index)))
    return first


def local_referrals_problems(df: pd.DataFrame, tolerance_points: float = 1.0) -> list[str]:
    """Rules across columns and rows of a validated ``referrals.csv`` (empty list when sound).

    Parameters
    ----------
    df
        The validated table (index = data row number, 0 = file line 2).
    tolerance_points
        A printed percentage may differ from ``count`` over its base count by this many
        percentage points (published percentages are rounded).
    """
    problems = _duplicate_problems(
        df, ["period", "measure", "category"], "give each measure and category one row per period"
    )
    problems += _category_problems(df)
    has_rank = df["rank"].notna() if "rank" in df.columns else pd.Series(False, index=df.index)
    empty = df["count"].isna() & df["percent"].isna() & ~has_rank
    problems += [f"line {_line(i)}: no count, percent or rank (give at least one)" for i in df.index[empty]]
    bases = {base: _base_counts(df, base) for base in ("received", "declined_or_unsuccessful")}
    for index, row in df.iterrows():
        base_name = "declined_or_unsuccessful" if row["measure"] == "decline_reason" else "received"
        if row["measure"] == base_name and row["category"] == "all":
            continue
        base = bases[base_name].get(row["period"])
        if base is None or pd.isna(row["count"]):
            continue
        base_count, base_line = base
        if row["count"] > base_count:
            problems.append(
                f"line {_line(index)}, column 'count', value {row['count']:g}: more than the {base_count:g} "
                f"{base_name} in {row['period']} (line {base_line})"
            )
        elif (
            pd.notna(row["percent"])
            and row["percent_of"] == base_name
            and base_count > 0
            and abs(100 * row["count"] / base_count - row["percent"]) > tolerance_points
        ):
            problems.append(
                f"line {_line(index)}, column 'percent', value {row['percent']:g}: {row['count']:g} of "
                f"{base_count:g} {base_name} (line {base_line}) is {100 * row['count'] / base_count:.1f}%"
            )
    return problems
