"""Indicators for maps and comparisons, each declared once.

An :class:`Indicator` says everything the maps, funnel plots, dot plots and comparison
tables need, so a new indicator is one :func:`declare` call and no new plotting code:

* ``numerator`` - a callable ``numerator(confidence) -> DataFrame`` giving, per
  ``area_code`` (upper-tier authorities, regions, England), the count or estimate in a
  column ``numerator`` and, when the estimate carries its own interval, ``numerator_lower``
  and ``numerator_upper``. An area that is missing, or whose numerator is missing, has **no
  data** (it is shown hatched and labelled, never as zero). :func:`numerator_from` adapts
  any tidy frame keyed by ``area_code``;
* ``denominator`` - a :class:`Denominator`: the population (sex, ages) from the processed
  ``population`` table that the rate is per;
* the unit (per 100,000 of that population by default), the interval method and why, the
  manifest ids of the sources, a caveat, what the map shows and does not show, and whether
  a higher value is worse.

:func:`compute_indicator` turns a declaration into one tidy frame: ``area_code``,
``area_name``, ``level``, ``region_code``, ``numerator``, ``denominator``,
``rate_per_100k``, ``ci_lower``, ``ci_upper``, ``has_data`` for every reporting area.

Interval methods (PHE Technical Guide: Confidence Intervals, 2018; OHID Fingertips):

``"poisson"``    observed counts of events or people: Byar at 10 or more, exact Poisson
                 below (:func:`analysis.methods.stats.crude_rate`).
``"wilson"``     proportions, where the numerator is a subset of the denominator
                 (:func:`analysis.methods.stats.wilson_interval`).
``"numerator"``  estimates that carry their own interval (e.g. a synthetic estimate whose
                 interval comes from the survey rate): the interval is divided by the
                 denominator.
``"none"``       no interval, with the reason stated in ``interval_reason`` (exact
                 population counts, administrative counts, published rates without one).

Declared now: the young people's scoping group (ages 14-18 and 16-17 per 100,000 of the
population) and the Crime Survey's regional partner abuse rate for women (SDG 5.2.1, by
region only). The declarations for the estimates still to come (adults experiencing
domestic abuse, children affected, refuge places) are written out at the end of this
module, ready to wire in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis import config
from analysis.data import memo, tables
from analysis.errors import DataFileError, ParameterError
from analysis.methods import stats

INTERVAL_METHODS = ("poisson", "wilson", "numerator", "none")
FUNNEL_KINDS = ("rate", "proportion")
FRAME_COLUMNS = [
    "area_code",
    "area_name",
    "level",
    "region_code",
    "numerator",
    "denominator",
    "rate_per_100k",
    "ci_lower",
    "ci_upper",
    "has_data",
]
_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")

NumeratorFn = Callable[[float], pd.DataFrame]


# ------------------------------------------------------------------------------------------
# Declarations
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Denominator:
    """The population an indicator is per: sex and an inclusive age range of the ``population`` table.

    ``max_age=None`` includes the open band 90+. Female and male counts rest on the
    workspace's assumed sex split (see :mod:`analysis.methods.population`).
    """

    sex: str = "persons"
    min_age: int = 0
    max_age: int | None = None

    def describe(self) -> str:
        """Words for the population, e.g. "population (all ages)", "women aged 16-74"."""
        from analysis.methods.population import age_band_label

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
        """Population per ``area_code`` for every area of the ``population`` table."""
        from analysis.methods import population

        return population.total_population(sex=self.sex, min_age=self.min_age, max_age=self.max_age)


@dataclass(frozen=True)
class Indicator:
    """One indicator, declared once (see the module docstring for each part's contract).

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
        ``reference() -> (code, name, rate_per_100k)`` of a comparator for indicators with
        no England value (e.g. England and Wales for a survey rate); None otherwise.
    per
        Rates are per this many people; the frame's column is always ``rate_per_100k``,
        so only 100,000 is accepted.
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
        if self.per != config.PER_100K:
            raise ParameterError(
                f"Indicator {self.id!r}: rates are per 100,000 (column rate_per_100k), got per={self.per!r}."
            )
        if not self.sources:
            raise ParameterError(f"Indicator {self.id!r} names no source manifest ids.")
        if not callable(self.numerator):
            raise ParameterError(f"Indicator {self.id!r}: numerator must be a callable numerator(confidence).")

    @property
    def unit_label(self) -> str:
        """The unit, e.g. "per 100,000 population (all ages)"."""
        return self.unit or f"per {self.per:,} {self.denominator.describe()}"


_REGISTRY: dict[str, Indicator] = {}


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


def list_indicators() -> list[Indicator]:
    """Every declared indicator, in declaration order."""
    return list(_REGISTRY.values())


def indicator_ids() -> list[str]:
    """Ids of every declared indicator, in declaration order."""
    return list(_REGISTRY)


def get_indicator(indicator_id: str) -> Indicator:
    """The declared indicator with this id, or :class:`ParameterError` listing the valid ids."""
    if isinstance(indicator_id, Indicator):
        return indicator_id
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
    unknown = [v for v in value if v not in _REGISTRY]
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
        ``denominator`` (population), ``rate_per_100k`` (= numerator / denominator x
        100,000), ``ci_lower``, ``ci_upper`` (NaN where the method gives none) and
        ``has_data`` (False where the numerator is missing: numerator and rate are NaN,
        never 0).
    """
    chosen = get_indicator(indicator)
    level = stats.check_confidence(confidence)
    return _compute_indicator(chosen, level)


@memo.memoize(memo.ALL_TABLES, local=True)
def _compute_indicator(chosen: Indicator, level: float) -> pd.DataFrame:
    """:func:`compute_indicator` for a declared indicator and a checked level (memoised: every map
    report needs every indicator for all 162 areas, so a process computes each once)."""
    places = tables.read_table("authorities")[["area_code", "area_name", "level", "region_code"]].copy()
    numerator = _check_numerator(chosen, chosen.numerator(level), set(places["area_code"]))
    frame = places.merge(numerator, on="area_code", how="left", validate="one_to_one")
    frame["denominator"] = frame["area_code"].map(chosen.denominator.population()).astype("float64")
    if frame["denominator"].isna().any() or (frame["denominator"] <= 0).any():
        bad = frame.loc[frame["denominator"].isna() | (frame["denominator"] <= 0), "area_code"].tolist()
        raise DataFileError(
            f"Indicator {chosen.id!r}: no population ({chosen.denominator.describe()}) for {', '.join(bad[:5])}.",
            "Rebuild the data with 'analysis data build --force'.",
        )
    frame["has_data"] = frame["numerator"].notna()
    rows = frame[frame["has_data"]]
    frame["rate_per_100k"] = frame["numerator"] / frame["denominator"] * chosen.per
    frame["ci_lower"] = np.nan
    frame["ci_upper"] = np.nan
    if not rows.empty:
        lower, upper = _intervals(chosen, rows["numerator"], rows["denominator"], rows, level)
        frame.loc[rows.index, "ci_lower"] = lower
        frame.loc[rows.index, "ci_upper"] = upper
    order = frame["level"].map({"utla": 0, "region": 1, "country": 2})
    frame = frame.assign(_order=order).sort_values(["_order", "area_code"]).drop(columns="_order")
    return frame[FRAME_COLUMNS].reset_index(drop=True)


def england_value(frame: pd.DataFrame) -> float:
    """England's rate per 100,000 in a :func:`compute_indicator` frame (NaN without data)."""
    row = frame[frame["area_code"] == config.ENGLAND_CODE]
    return float(row["rate_per_100k"].iloc[0]) if not row.empty and bool(row["has_data"].iloc[0]) else float("nan")


# ------------------------------------------------------------------------------------------
# Numerators of the indicators shipped now
# ------------------------------------------------------------------------------------------


def population_numerator(min_age: int, max_age: int | None, sex: str = "persons") -> NumeratorFn:
    """Numerator: the population in an age range (ONS mid-2020 estimates), for every area."""

    def source(confidence: float) -> pd.DataFrame:
        from analysis.methods import population

        return population.total_population(sex=sex, min_age=min_age, max_age=max_age).reset_index()

    return numerator_from(source, "population")


def _regional_partner_abuse(year: str, age_band: str) -> pd.DataFrame:
    rates = tables.read_table("csew_rates")
    return rates[
        (rates["survey_year"] == year)
        & (rates["sex"] == "female")
        & (rates["age_band"] == age_band)
        & (rates["measure"] == "partner_abuse")
        & rates["percent"].notna()
    ]


def partner_abuse_numerator(confidence: float) -> pd.DataFrame:
    """Numerator: women aged 16-74 experiencing partner abuse, by region (CSEW rate x women).

    The region's published percentage (SDG 5.2.1, year :data:`config.REGIONAL_PARTNER_ABUSE_YEAR`)
    applied to its women aged 16-74. Regions only: the survey publishes no authority or
    England-only figure, so authorities and England have no data.
    """
    from analysis.methods import population

    low, high = population.parse_age_band(config.REGIONAL_PARTNER_ABUSE_AGE_BAND)
    rates = _regional_partner_abuse(config.REGIONAL_PARTNER_ABUSE_YEAR, config.REGIONAL_PARTNER_ABUSE_AGE_BAND)
    regional = rates[rates["geography_code"].str.startswith("E12")]
    women = population.total_population(regional["geography_code"], sex="female", min_age=low, max_age=high)
    return pd.DataFrame(
        {
            "area_code": regional["geography_code"].to_numpy(),
            "numerator": regional["percent"].to_numpy() / 100 * women.loc[regional["geography_code"]].to_numpy(),
        }
    )


def partner_abuse_reference() -> tuple[str, str, float]:
    """England and Wales rate (per 100,000 women aged 16-74) for the same survey year."""
    rates = _regional_partner_abuse(config.REGIONAL_PARTNER_ABUSE_YEAR, config.REGIONAL_PARTNER_ABUSE_AGE_BAND)
    national = rates[rates["geography_code"] == config.ENGLAND_AND_WALES_CODE]
    if national.empty:
        raise DataFileError(
            f"No England and Wales partner abuse rate for {config.REGIONAL_PARTNER_ABUSE_YEAR} in "
            "the csew_rates table.",
            "Rebuild the data with 'analysis data build --force'.",
        )
    return config.ENGLAND_AND_WALES_CODE, "England and Wales", float(national["percent"].iloc[0]) * 1000


_POPULATION_INTERVAL_REASON = (
    "None: the numerator and denominator are the ONS population estimates for the whole "
    "population of each area, not a sample or a count of random events, so a Wilson or Poisson "
    "interval would describe chance variation that does not exist. Their real uncertainty is that "
    "of the mid-year estimate, which ONS does not publish as an interval for local authorities."
)
_POPULATION_FUNNEL_REASON = (
    "Proportion limits (Wilson/normal method) around England's share. With whole populations "
    "in the hundreds of thousands the limits are narrow, so most authorities lie outside them: "
    "that marks a real difference in age structure, not chance."
)
_POPULATION_CAVEAT = (
    "ONS mid-2020 population estimates rolled forward from the 2011 Census, not rebased to Census "
    "2021; 2021 local authority geography. These are counts of residents, not of young people "
    "experiencing or using abuse: they size the group a young people's service would serve."
)


def population_share(
    id: str,
    title: str,
    min_age: int,
    max_age: int | None,
    *,
    shows: str,
    does_not_show: str,
    caveat: str = _POPULATION_CAVEAT,
) -> Indicator:
    """An indicator of the residents in an age range per 100,000 of the whole population.

    Whole-population counts: no interval (see ``interval_reason``), proportion funnel limits.
    """
    from analysis.methods.population import age_band_label

    return Indicator(
        id=id,
        title=title,
        numerator=population_numerator(min_age, max_age),
        numerator_label=f"people aged {age_band_label(min_age, max_age)}",
        denominator=Denominator(),
        interval="none",
        interval_reason=_POPULATION_INTERVAL_REASON,
        sources=("mye2020_ltla21_sya",),
        source_note="Data: ONS mid-2020 population estimates (OGL v3)",
        caveat=caveat,
        shows=shows,
        does_not_show=does_not_show,
        funnel="proportion",
        funnel_reason=_POPULATION_FUNNEL_REASON,
    )


declare(
    population_share(
        "population_14_18",
        "Young people aged 14 to 18",
        14,
        18,
        shows=(
            "how many residents are aged 14 to 18, the age group of the young people's scoping "
            "(Hampshire needs assessment, recommendation 7), for every 100,000 residents of each area"
        ),
        does_not_show=(
            "how many young people experience domestic abuse or use harmful behaviour, or need "
            "a service; areas with more young people per 100,000 have a larger group to reach, "
            "not necessarily more abuse"
        ),
    )
)

declare(
    population_share(
        "population_16_17",
        "Young people aged 16 and 17",
        16,
        17,
        shows=(
            "how many residents are aged 16 or 17 (covered as victims by the Domestic Abuse Act 2021 "
            "definition, yet often outside adult services) for every 100,000 residents"
        ),
        does_not_show="how many 16 and 17 year olds experience domestic abuse or need safe accommodation",
        caveat=_POPULATION_CAVEAT + " At 16 and 17 young people fall under the Domestic Abuse Act 2021 "
        "definition of a victim of abuse by a partner or family member.",
    )
)

declare(
    Indicator(
        id="partner_abuse_women_region",
        title="Women who experienced partner abuse in the last year (Crime Survey, by region)",
        numerator=partner_abuse_numerator,
        numerator_label="women aged 16-74 experiencing partner abuse (estimated: survey rate x women)",
        denominator=Denominator(sex="female", min_age=16, max_age=74),
        interval="none",
        interval_reason=(
            "None shown: the Crime Survey estimates have confidence intervals, but the shipped "
            "SDG 5.2.1 file does not give them, and they cannot be rebuilt without the survey's "
            "unweighted bases and design effects. Differences between regions may be within "
            "sampling error."
        ),
        sources=("sdg_521_partner_abuse_women", "mye2020_ltla21_sya", "census2021_ltla21_sex"),
        source_note=(
            "Data: ONS, Crime Survey for England and Wales year ending March 2020, via UK SDG indicator 5.2.1 (OGL v3)"
        ),
        caveat=(
            "Published for regions only (and for England and Wales together, shown as the reference): "
            "there is no authority or England-only figure, so authorities are not coloured. The rate is "
            "the survey's percentage x 1,000; the count of women is that rate applied to the region's "
            "women aged 16-74, whose number rests on the workspace's assumed sex split. Women only, "
            "partner abuse only (not family abuse, not men)."
        ),
        shows=(
            "the share of women aged 16-74 in each region who told the Crime Survey for England and Wales "
            "they experienced partner abuse in the year ending March 2020, per 100,000 women"
        ),
        does_not_show=(
            "differences between authorities within a region, abuse of men, or abuse by family "
            "members; regional survey samples are small, so close regions may not differ"
        ),
        higher_is_worse=True,
        funnel=None,
        funnel_reason=(
            "No funnel plot: a survey percentage is not a count of events in the population, and "
            "the published figures come without the sample sizes its limits would need."
        ),
        reference=partner_abuse_reference,
    )
)


# ------------------------------------------------------------------------------------------
# Indicators from the prevalence and supply modules
# ------------------------------------------------------------------------------------------


def _adults_numerator(confidence: float) -> pd.DataFrame:
    from analysis.methods import prevalence

    summary = prevalence.estimate_all_areas(confidence=confidence)
    ranges = set(summary["age_range"])
    if ranges != {ADULTS_DENOMINATOR_RANGE}:
        raise DataFileError(
            f"The default crime survey rates cover ages {sorted(ranges)}, but the indicator "
            f"adults_experiencing_da is declared per adults aged {ADULTS_DENOMINATOR_RANGE}.",
            "Update ADULTS_DENOMINATOR_RANGE and the declaration's Denominator in indicators.py.",
        )
    return summary.rename(
        columns={"estimate": "numerator", "ci_lower": "numerator_lower", "ci_upper": "numerator_upper"}
    )[["area_code", "numerator", "numerator_lower", "numerator_upper"]]


def _children_numerator(confidence: float) -> pd.DataFrame:
    from analysis.methods import prevalence

    return prevalence.estimate_children_all_areas()[["area_code", "estimate"]].rename(columns={"estimate": "numerator"})


def _refuge_numerator(column: str) -> NumeratorFn:
    def numerator(confidence: float) -> pd.DataFrame:
        from analysis.methods import supply

        return supply.places_all_areas()[["area_code", column]].rename(columns={column: "numerator"})

    return numerator


#: The survey age range the default crime survey rates cover (16+ since the survey year ending
#: March 2022); the adults indicator is per 100,000 people in it.
ADULTS_DENOMINATOR_RANGE = "16+"
_SYNTHETIC_FUNNEL_REASON = (
    "No funnel plot: a synthetic estimate is the national rate applied to known populations, "
    "so it has no chance variation between areas and control limits do not apply."
)

declare(
    Indicator(
        id="adults_experiencing_da",
        title="Adults estimated to have experienced domestic abuse in the last year",
        numerator=_adults_numerator,
        numerator_label="adults aged 16 and over estimated to have experienced domestic abuse (synthetic estimate)",
        denominator=Denominator(min_age=16, max_age=None),
        interval="numerator",
        interval_reason=(
            "The estimate's own interval, carried from the crime survey rates' published intervals; "
            "none is shown while data/raw holds no published intervals for the rates used. No Poisson "
            "or Wilson interval: nothing local was counted."
        ),
        sources=("csew_rates_authored", "mye2020_ltla21_sya", "census2021_ltla21_sex"),
        source_note="Synthetic estimate: CSEW rates by sex (default survey year) x ONS mid-2020 population",
        caveat=(
            "A synthetic estimate: national survey rates by sex applied to the local population (the female/male "
            "split of the population is an assumption). It is not a measurement of local abuse, and areas differ "
            "by only a few per cent: the map's classes spread small differences in sex structure across the colours."
        ),
        shows="how many adults would experience domestic abuse per 100,000 if national rates held locally",
        does_not_show=(
            "local differences in risk: the map mostly reflects each area's sex (and age) structure, "
            "not more or less abuse"
        ),
        higher_is_worse=True,
        funnel=None,
        funnel_reason=_SYNTHETIC_FUNNEL_REASON,
    )
)

declare(
    Indicator(
        id="children_affected",
        title="Children estimated to live in a household with domestic abuse",
        numerator=_children_numerator,
        numerator_label="children aged 0-17 estimated to live where a parent experiences domestic abuse",
        denominator=Denominator(min_age=0, max_age=17),
        interval="none",
        interval_reason="None: the national rate was published without an interval and nothing local was counted.",
        sources=("children_rates_authored", "mye2020_ltla21_sya"),
        source_note=(
            "Synthetic estimate: Childhood Local Data on Risks and Needs national rate (2019) x ONS mid-2020 children"
        ),
        caveat="A national rate applied to local children: every area gets the same rate per 100,000 children.",
        shows="how many children per 100,000 children would live with domestic abuse at the national rate",
        does_not_show="local differences in risk, or children known to services",
        higher_is_worse=True,
        funnel=None,
        funnel_reason=_SYNTHETIC_FUNNEL_REASON,
    )
)

_REFUGE_SOURCES = ("local_example_hampshire_supply", "mye2020_ltla21_sya")
_REFUGE_NOTE = "Data: councils' local supply files (data/raw/local); standard: " + config.REFUGE_STANDARD_CITATION

declare(
    Indicator(
        id="refuge_places_available",
        title="Refuge places available",
        numerator=_refuge_numerator("places_available"),
        numerator_label="refuge and specialist refuge bedspaces available (latest period in the local file)",
        denominator=Denominator(),
        interval="none",
        interval_reason="None: an administrative count of places, not a sample or random events.",
        sources=_REFUGE_SOURCES,
        source_note=_REFUGE_NOTE,
        caveat=(
            "Only authorities that supplied local data are shown; the standard is one place per 10,000 "
            "population, i.e. 10 per 100,000."
        ),
        shows="refuge places per 100,000 residents, against the standard of 10",
        does_not_show="places used by people from elsewhere, other safe accommodation types, or their quality",
        higher_is_worse=False,
        funnel=None,
        funnel_reason="No funnel plot: places are planned capacity, not counts of chance events.",
    )
)

declare(
    Indicator(
        id="refuge_shortfall",
        title="Refuge places short of the one-per-10,000 standard",
        numerator=_refuge_numerator("shortfall_places"),
        numerator_label="refuge places required (population / 10,000) minus places available",
        denominator=Denominator(),
        interval="none",
        interval_reason="None: the difference between a standard and an administrative count.",
        sources=_REFUGE_SOURCES,
        source_note=_REFUGE_NOTE,
        caveat="Negative values mean more places than the standard; only authorities with local data are shown.",
        shows="how many more refuge places per 100,000 residents the standard would need",
        does_not_show="need from people placed from other areas, or need for other types of safe accommodation",
        higher_is_worse=True,
        funnel=None,
        funnel_reason="No funnel plot: a shortfall against a standard has no chance variation.",
    )
)
