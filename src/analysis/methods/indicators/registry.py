"""The indicator registry: the declaration classes, :func:`declare`, look-ups and :func:`compute_indicator`.

The contract of each part of a declaration is in :mod:`analysis.methods.indicators`; the
declared indicators are in :mod:`analysis.methods.indicators.catalogue`.

Size: about 510 lines for one job, the declaration contract and the one function that computes
any declared indicator; the checks of a declaration sit beside the classes they check.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis import config
from analysis.data import disk_cache, memo, tables
from analysis.errors import DataFileError, ParameterError
from analysis.methods import stats

INTERVAL_METHODS = ("poisson", "wilson", "numerator", "none")
FUNNEL_KINDS = ("rate", "proportion")
#: The columns of :func:`compute_indicator`'s frame for an indicator per 100,000; an indicator
#: in another unit has its own value column instead of ``rate_per_100k`` (:func:`frame_columns`).
FRAME_COLUMNS = [
    "area_code",
    "area_name",
    "level",
    "region_code",
    "numerator",
    "denominator",
    config.INDICATOR_VALUE_COLUMNS[config.PER_100K],
    "ci_lower",
    "ci_upper",
    "has_data",
]
#: Every value column a frame may carry, one per unit (:data:`config.INDICATOR_VALUE_COLUMNS`).
VALUE_COLUMNS = tuple(config.INDICATOR_VALUE_COLUMNS.values())
_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")

NumeratorFn = Callable[[float], pd.DataFrame]


# ------------------------------------------------------------------------------------------
# Declarations
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Denominator:
    """The population an indicator is per: sex and an inclusive age range of the ``population`` table.

    ``max_age=None`` includes the open band 90+. Female and male counts are observed in
    Census 2021 at every age (see :mod:`analysis.methods.population`).

    A denominator that is not a population of the ``population`` table (households, Census
    2021 usual residents, households owed a duty) gives ``counts() -> Series`` indexed by
    ``area_code`` and a ``label`` in words; an area whose numerator is missing may then have
    no denominator either (NaN), since nothing is divided by it.
    """

    sex: str = "persons"
    min_age: int = 0
    max_age: int | None = None
    counts: Callable[[], pd.Series] | None = None
    label: str = ""

    def __post_init__(self) -> None:
        if self.counts is not None and (not callable(self.counts) or not self.label):
            raise ParameterError(
                "A Denominator with counts needs a callable counts() and a label in words.",
                "For example Denominator(counts=households, label='households').",
            )

    def describe(self) -> str:
        """Words for the population, e.g. "population (all ages)", "women aged 16-74"."""
        from analysis.methods.population import age_band_label

        if self.counts is not None:
            return self.label
        if self.sex == "persons" and self.min_age == 0 and self.max_age is None:
            return "population (all ages)"
        if self.min_age >= 16:
            who = {"persons": "adults", "female": "women", "male": "men"}[self.sex]
        elif self.max_age is not None and self.max_age <= 17:
            who = {"persons": "children", "female": "girls", "male": "boys"}[self.sex]
        else:
            who = {"persons": "people", "female": "females", "male": "males"}[self.sex]
        return f"{who} aged {age_band_label(self.min_age, self.max_age)}"

    def population(self) -> pd.Series:
        """Population per ``area_code`` for every area of the ``population`` table (or ``counts()``)."""
        from analysis.methods import population

        if self.counts is not None:
            return self.counts()
        return population.total_population(sex=self.sex, min_age=self.min_age, max_age=self.max_age)


@dataclass(frozen=True)
class Indicator:
    """One indicator, declared once (see :mod:`analysis.methods.indicators` for each part's contract).

    Parameters
    ----------
    id
        Short identifier (lower case, digits, underscores), used in notebook parameters.
    title
        What is measured, for headings and figure titles.
    numerator
        ``numerator(confidence) -> DataFrame`` with ``area_code``, ``numerator`` and
        optionally ``numerator_lower``, ``numerator_upper``.
    numerator_label
        What the numerator counts, e.g. "people aged 14-18".
    denominator
        The population the rate is per.
    interval, interval_reason
        One of :data:`INTERVAL_METHODS` and why it is the right one (shown in the report).
    sources
        Manifest ids (``data/raw/sources.yaml``) of every file the numerator uses.
    source_note
        A short source line printed on the figures.
    caveat
        The limits a reader must know.
    shows, does_not_show
        What the map shows and what it must not be read as showing.
    higher_is_worse
        True, False, or None when higher is neither better nor worse (descriptive).
    unit
        Defaults to "per 100,000 <denominator>".
    funnel, funnel_reason
        "rate" (Poisson limits), "proportion" (Wilson/normal limits) or None (no funnel
        plot, with the reason).
    decimals
        Decimal places of rates in tables and legends.
    count_numerator
        True when the numerator is a whole-number count of people that tables must
        suppress below the small-number threshold.
    reference
        ``reference() -> (code, name, value)`` of a comparator for indicators with no
        England value (e.g. England and Wales for a survey rate), the value in the
        indicator's unit; None otherwise.
    per
        The unit: 100,000 (a rate per 100,000 of the denominator, the default), 1,000 (per
        1,000, e.g. households: MHCLG's convention) or 100 (per cent, for a share of the
        denominator; declare ``interval="wilson"``). The frame's value column is named after
        it (:data:`config.INDICATOR_VALUE_COLUMNS`: ``rate_per_100k``, ``rate_per_1k``,
        ``percent``) and so is :attr:`unit_label`.
    count_denominator
        True when the denominator is itself a small count that tables must suppress (a share
        of households owed a duty); population denominators are not.
    period
        ``period() -> str``, the period the values are for (e.g. the financial year found in
        the data), computed when asked because declarations are made before data is read;
        None when the title says it. Headings and figure titles add it (:attr:`heading`).
    varies_by_area, uniform_reason
        False when the indicator applies one national rate to every area's population (a
        synthetic estimate), so differences between areas are not local variation: no map,
        funnel or ranked chart is drawn, one sentence and the value instead, and
        ``uniform_reason`` (required then) says why. Such an indicator has no funnel.
    """

    id: str
    title: str
    numerator: NumeratorFn
    numerator_label: str
    denominator: Denominator
    interval: str
    interval_reason: str
    sources: tuple[str, ...]
    source_note: str
    caveat: str
    shows: str
    does_not_show: str
    higher_is_worse: bool | None = None
    unit: str | None = None
    funnel: str | None = None
    funnel_reason: str = ""
    decimals: int = 0
    count_numerator: bool = False
    reference: Callable[[], tuple[str, str, float]] | None = None
    per: int = config.PER_100K
    count_denominator: bool = False
    period: Callable[[], str] | None = None
    varies_by_area: bool = True
    uniform_reason: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not _ID_PATTERN.match(self.id):
            raise ParameterError(
                f"Indicator id {self.id!r} must be lower case letters, digits and underscores.",
                "For example 'population_14_18'.",
            )
        if self.interval not in INTERVAL_METHODS:
            raise ParameterError(
                f"Indicator {self.id!r}: interval must be one of {', '.join(INTERVAL_METHODS)}, got {self.interval!r}."
            )
        if self.funnel is not None and self.funnel not in FUNNEL_KINDS:
            raise ParameterError(
                f"Indicator {self.id!r}: funnel must be 'rate', 'proportion' or None, got {self.funnel!r}."
            )
        if self.funnel is None and not self.funnel_reason:
            raise ParameterError(f"Indicator {self.id!r} has no funnel plot: say why in funnel_reason.")
        if not self.interval_reason:
            raise ParameterError(f"Indicator {self.id!r}: say why its interval method fits in interval_reason.")
        if isinstance(self.per, bool) or self.per not in config.INDICATOR_VALUE_COLUMNS:
            raise ParameterError(
                f"Indicator {self.id!r}: per must be 100000 (per 100,000), 1000 (per 1,000) or 100 (per cent), "
                f"got per={self.per!r}.",
                "A share of the denominator is per=100 (per cent) with interval='wilson'.",
            )
        if not self.varies_by_area and (not self.uniform_reason or self.funnel is not None):
            raise ParameterError(
                f"Indicator {self.id!r} applies one national rate everywhere (varies_by_area=False): say why in "
                "uniform_reason and declare no funnel (funnel=None).",
            )
        if self.period is not None and not callable(self.period):
            raise ParameterError(f"Indicator {self.id!r}: period must be a callable period() -> str, or None.")
        if not self.sources:
            raise ParameterError(f"Indicator {self.id!r} names no source manifest ids.")
        if not callable(self.numerator):
            raise ParameterError(f"Indicator {self.id!r}: numerator must be a callable numerator(confidence).")

    @property
    def unit_label(self) -> str:
        """The unit, e.g. "per 100,000 population (all ages)", "% of households owed a duty"."""
        if self.unit:
            return self.unit
        if self.per == config.PER_CENT:
            return f"% of {self.denominator.describe()}"
        return f"per {self.per:,} {self.denominator.describe()}"

    @property
    def value_column(self) -> str:
        """The column of :func:`compute_indicator`'s frame holding the value in :attr:`unit_label`."""
        return config.INDICATOR_VALUE_COLUMNS[self.per]

    @property
    def heading(self) -> str:
        """The title with the period the values are for, e.g. "... (2024-25)", for headings and figures."""
        return f"{self.title} ({self.period()})" if self.period is not None else self.title


_REGISTRY: dict[str, Indicator] = {}
#: The kind of result :mod:`analysis.data.disk_cache` keeps for :func:`compute_indicator`.
DISK_CACHE_KIND = "indicators"
#: Id prefix -> builder of indicators chosen by an option in their id (see :func:`declare_variants`).
_VARIANTS: dict[str, Callable[[str], Indicator]] = {}


def declare(indicator: Indicator) -> Indicator:
    """Add an indicator to the registry (its id must be new) and return it."""
    if not isinstance(indicator, Indicator):
        raise ParameterError(f"declare() takes an Indicator, got {type(indicator).__name__}.")
    if indicator.id in _REGISTRY:
        raise ParameterError(
            f"An indicator with id {indicator.id!r} is already declared.", "Give the new indicator another id."
        )
    _REGISTRY[indicator.id] = indicator
    return indicator


def declare_variants(prefix: str, build: Callable[[str], Indicator]) -> None:
    """Let ids ``<prefix><option>`` name indicators built on demand, e.g. another financial year.

    :func:`get_indicator` and :func:`check_indicator_selection` (the notebooks' ``indicators``
    parameter) accept such ids; :func:`indicator_ids` and "all" do not list them, so the declared
    set stays the default. ``build(option)`` returns an :class:`Indicator` whose id is the whole
    id, the same object on every call (so results are memoised), or raises
    :class:`ParameterError` naming the valid options. The longest matching prefix wins.
    """
    if not isinstance(prefix, str) or not _ID_PATTERN.match(prefix) or not prefix.endswith("_"):
        raise ParameterError(f"A variant prefix is an id ending in '_', got {prefix!r}.")
    if prefix in _VARIANTS or not callable(build):
        raise ParameterError(f"Variants of {prefix!r} are already declared, or build is not callable.")
    _VARIANTS[prefix] = build


def _variant(indicator_id: str) -> Indicator | None:
    """The indicator a variant id names, None if no prefix matches; ParameterError from the builder."""
    prefixes = sorted((p for p in _VARIANTS if indicator_id.startswith(p)), key=len, reverse=True)
    if not prefixes:
        return None
    built = _VARIANTS[prefixes[0]](indicator_id[len(prefixes[0]) :])
    if not isinstance(built, Indicator) or built.id != indicator_id:
        raise ParameterError(f"The variant builder of {prefixes[0]!r} did not return indicator {indicator_id!r}.")
    return built


def indicator_ids() -> list[str]:
    """Ids of every declared indicator in report order: :data:`config.MAP_LEAD_INDICATORS` first,
    then the rest in declaration order (what "all" shows, so the first is the report's headline)."""
    lead = [i for i in config.MAP_LEAD_INDICATORS if i in _REGISTRY]
    return lead + [i for i in _REGISTRY if i not in lead]


def list_indicators() -> list[Indicator]:
    """Every declared indicator, in report order (:func:`indicator_ids`)."""
    return [_REGISTRY[i] for i in indicator_ids()]


def value_column(source: Indicator | pd.DataFrame) -> str:
    """The value column of an indicator, or of a :func:`compute_indicator` frame (the one it carries).

    Raises
    ------
    ParameterError
        If a frame carries none of :data:`VALUE_COLUMNS`, or more than one.
    """
    if isinstance(source, Indicator):
        return source.value_column
    found = [c for c in VALUE_COLUMNS if isinstance(source, pd.DataFrame) and c in source.columns]
    if len(found) != 1:
        raise ParameterError(
            f"An indicator frame carries exactly one value column of {', '.join(VALUE_COLUMNS)}; found {found}.",
            "Pass the frame compute_indicator returned.",
        )
    return found[0]


def frame_columns(indicator: Indicator) -> list[str]:
    """The columns of :func:`compute_indicator`'s frame for this indicator, its value column named for its unit."""
    return [indicator.value_column if c == FRAME_COLUMNS[6] else c for c in FRAME_COLUMNS]


def get_indicator(indicator_id: str) -> Indicator:
    """The declared indicator with this id, or :class:`ParameterError` listing the valid ids."""
    if isinstance(indicator_id, Indicator):
        return indicator_id
    if indicator_id not in _REGISTRY and isinstance(indicator_id, str) and (found := _variant(indicator_id)):
        return found
    if indicator_id not in _REGISTRY:
        raise ParameterError(f"Unknown indicator {indicator_id!r}.", f'Use one of: {", ".join(_REGISTRY)} (or "all").')
    return _REGISTRY[indicator_id]


def check_indicator_selection(value: Any) -> list[str]:
    """Validate the notebook parameter ``indicators``: "all", one id, or a list of ids.

    Returns the ids in the order given, without repeats.
    """
    if isinstance(value, str):
        value = indicator_ids() if value.strip().lower() == "all" else [value]
    if not isinstance(value, (list, tuple)) or not value or not all(isinstance(v, str) for v in value):
        raise ParameterError(
            f'indicators must be "all" or a non-empty list of indicator ids, got {value!r}.',
            f"Valid ids: {', '.join(_REGISTRY)}.",
        )
    unknown = [v for v in value if v not in _REGISTRY and _variant(v) is None]
    if unknown:
        raise ParameterError(
            f"Unknown indicator id(s) {', '.join(map(repr, unknown))} in indicators.",
            f'Use "all" or any of: {", ".join(_REGISTRY)}.',
        )
    return list(dict.fromkeys(value))


def describe_indicators(ids: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per indicator: id, title, unit, interval method, funnel, sources (for Methods)."""
    chosen = [get_indicator(i) for i in (indicator_ids() if ids is None else ids)]
    return pd.DataFrame(
        {
            "indicator": [i.id for i in chosen],
            "title": [i.title for i in chosen],
            "unit": [i.unit_label for i in chosen],
            "interval": [i.interval for i in chosen],
            "funnel_limits": [i.funnel or "none" for i in chosen],
            "sources": [", ".join(i.sources) for i in chosen],
        }
    )


# ------------------------------------------------------------------------------------------
# Computing an indicator
# ------------------------------------------------------------------------------------------


def numerator_from(
    source: Callable[[float], pd.DataFrame], value: str, lower: str | None = None, upper: str | None = None
) -> NumeratorFn:
    """Adapt a tidy frame keyed by ``area_code`` to the numerator contract.

    Parameters
    ----------
    source
        ``source(confidence) -> DataFrame`` with an ``area_code`` column.
    value
        Column holding the count or estimate.
    lower, upper
        Columns holding the estimate's own interval, if any (use with ``interval="numerator"``).
    """

    def numerator(confidence: float) -> pd.DataFrame:
        frame = source(confidence)
        wanted = {"area_code": "area_code", value: "numerator"}
        if lower and upper:
            wanted.update({lower: "numerator_lower", upper: "numerator_upper"})
        missing = [c for c in wanted if c not in frame.columns]
        if missing:
            raise DataFileError(f"The numerator source has no column(s) {missing}.", f"It has {list(frame.columns)}.")
        return frame[list(wanted)].rename(columns=wanted)

    return numerator


def _check_numerator(indicator: Indicator, frame: Any, known: set[str]) -> pd.DataFrame:
    name = f"The numerator of indicator {indicator.id!r}"
    if not isinstance(frame, pd.DataFrame) or not {"area_code", "numerator"} <= set(frame.columns):
        raise DataFileError(
            f"{name} must be a DataFrame with columns area_code and numerator.",
            "See analysis.methods.indicators.numerator_from to adapt a tidy frame.",
        )
    columns = ["area_code", "numerator"]
    if indicator.interval == "numerator":
        if not {"numerator_lower", "numerator_upper"} <= set(frame.columns):
            raise DataFileError(
                f"{name} has no numerator_lower / numerator_upper, which interval='numerator' needs.",
                "Return the estimate's interval, or declare another interval method.",
            )
        columns += ["numerator_lower", "numerator_upper"]
    out = frame[columns].copy()
    duplicated = out["area_code"][out["area_code"].duplicated()].tolist()
    if duplicated:
        raise DataFileError(f"{name} has more than one row for {', '.join(map(str, duplicated[:5]))}.")
    unknown = sorted(set(out["area_code"]) - known)
    if unknown:
        raise DataFileError(
            f"{name} has area codes that are not reporting areas: {', '.join(unknown[:5])}.",
            "Use the 2021 upper-tier authority, region and England codes (analysis areas list).",
        )
    for column in columns[1:]:
        out[column] = pd.to_numeric(out[column], errors="raise").astype("float64")
    return out


def _intervals(
    indicator: Indicator, numerator: pd.Series, denominator: pd.Series, frame: pd.DataFrame, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    per = indicator.per
    if indicator.interval == "poisson":
        result = stats.crude_rate(numerator.round().to_numpy(), denominator.to_numpy(), per=per, confidence=confidence)
        return result["ci_lower"].to_numpy(), result["ci_upper"].to_numpy()
    if indicator.interval == "wilson":
        lower, upper = stats.wilson_interval(numerator.round().to_numpy(), denominator.to_numpy(), confidence)
        return np.asarray(lower) * per, np.asarray(upper) * per
    if indicator.interval == "numerator":
        return (frame["numerator_lower"] / denominator * per).to_numpy(), (
            frame["numerator_upper"] / denominator * per
        ).to_numpy()
    nan = np.full(len(numerator), np.nan)
    return nan, nan.copy()


def compute_indicator(indicator: str | Indicator, confidence: float = config.DEFAULT_CONFIDENCE) -> pd.DataFrame:
    """Values of an indicator for every upper-tier authority, region and England.

    Parameters
    ----------
    indicator
        A declared id or an :class:`Indicator` (e.g. a test fixture not in the registry).
    confidence
        Two-sided confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per reporting area (authorities, then regions, then England, each by code):
        ``area_code``, ``area_name``, ``level``, ``region_code``, ``numerator``,
        ``denominator`` (population), the value in the indicator's unit in the column named
        for it (:attr:`Indicator.value_column`: ``rate_per_100k`` = numerator / denominator x
        100,000, ``rate_per_1k`` x 1,000, ``percent`` x 100), ``ci_lower``, ``ci_upper`` (same
        unit; NaN where the method gives none) and ``has_data`` (False where the numerator is
        missing: numerator and value are NaN, never 0). See :func:`frame_columns`.
    """
    chosen = get_indicator(indicator)
    level = stats.check_confidence(confidence)
    return _compute_indicator(chosen, level)


@memo.memoize(memo.ALL_TABLES, local=True)
def _compute_indicator(chosen: Indicator, level: float) -> pd.DataFrame:
    """:func:`compute_indicator` for a declared indicator and a checked level (memoised: every map
    report needs every indicator for all 162 areas, so a process computes each once; and kept on
    disk for the next process, keyed by the tables' and council files' content and the code:
    :mod:`analysis.data.disk_cache`)."""
    data = disk_cache.data_key() if disk_cache.enabled() and _is_declared(chosen) else None
    parts = None if data is None else (chosen.id, repr(level), data)
    return disk_cache.cached(DISK_CACHE_KIND, parts, lambda: _indicator_frame(chosen, level))


def _is_declared(chosen: Indicator) -> bool:
    """True for the object the registry (or a variant's builder) gives for its id, not a look-alike."""
    try:
        return get_indicator(chosen.id) is chosen
    except ParameterError:
        return False


def _indicator_frame(chosen: Indicator, level: float) -> pd.DataFrame:
    places = tables.read_table("authorities")[["area_code", "area_name", "level", "region_code"]].copy()
    numerator = _check_numerator(chosen, chosen.numerator(level), set(places["area_code"]))
    frame = places.merge(numerator, on="area_code", how="left", validate="one_to_one")
    frame["denominator"] = frame["area_code"].map(chosen.denominator.population()).astype("float64")
    needed = frame["numerator"].notna() | (chosen.denominator.counts is None)
    bad_rows = (frame["denominator"].isna() & needed) | (frame["denominator"] <= 0)
    if bad_rows.any():
        bad = frame.loc[bad_rows, "area_code"].tolist()
        raise DataFileError(
            f"Indicator {chosen.id!r}: no population ({chosen.denominator.describe()}) for {', '.join(bad[:5])}.",
            "Rebuild the data with 'analysis data build --force'.",
        )
    frame["has_data"] = frame["numerator"].notna()
    rows = frame[frame["has_data"]]
    frame[chosen.value_column] = frame["numerator"] / frame["denominator"] * chosen.per
    frame["ci_lower"] = np.nan
    frame["ci_upper"] = np.nan
    if not rows.empty:
        lower, upper = _intervals(chosen, rows["numerator"], rows["denominator"], rows, level)
        frame.loc[rows.index, "ci_lower"] = lower
        frame.loc[rows.index, "ci_upper"] = upper
    order = frame["level"].map({"utla": 0, "region": 1, "country": 2})
    frame = frame.assign(_order=order).sort_values(["_order", "area_code"]).drop(columns="_order")
    return frame[frame_columns(chosen)].reset_index(drop=True)


def england_value(frame: pd.DataFrame) -> float:
    """England's value (in the indicator's unit) in a :func:`compute_indicator` frame (NaN without data)."""
    row = frame[frame["area_code"] == config.ENGLAND_CODE]
    column = value_column(frame)
    return float(row[column].iloc[0]) if not row.empty and bool(row["has_data"].iloc[0]) else float("nan")
