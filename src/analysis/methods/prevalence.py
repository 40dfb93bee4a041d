"""Synthetic prevalence of domestic abuse: national crime survey rates applied to local populations.

Method
------
The Crime Survey for England and Wales (CSEW) publishes the percentage of adults who
experienced domestic abuse in the last year, nationally (England and Wales), by sex and
sometimes by age band. No survey estimate exists for a single authority. The synthetic
estimate for an area is

    estimate = sum over groups g of  rate_g / 100  x  population of the area in group g

where the groups are the finest *complete* breakdown the shipped rates allow for the
chosen survey year, measure and measure version: sex x age band, sex, age band or all
adults, over the survey's age range, never mixing the pre-2024 and 2024+ measures. The
choice is :func:`select_rates`, in :mod:`analysis.methods.survey_rates` (re-exported here
with :func:`list_survey_years`, :func:`default_survey_year` and :func:`select_rates_by_age`); each estimate says which
year, version and breakdown it used.

Populations are ONS Census 2021 usual residents by sex and single year of age (TS009, the
``population`` table, :mod:`analysis.methods.population`): female and male populations at
every age are observed, not split from persons, so an estimate by sex or by sex and age band
applies each rate to the group it was published for. Every group row names its
``population_basis`` (the table's ``sex_basis``).

Uncertainty
-----------
When every rate used carries a published interval (``ci_lower``/``ci_upper``, the 95%
limits ONS prints, :data:`config.CSEW_CI_CONFIDENCE`), the interval is carried to the
estimate by treating the group estimates as independent and normal: each rate's standard
error is its interval half-width divided by z(0.95); a group's estimate has standard error
population x SE / 100; the variances add; the limits are estimate +/- z(confidence) x SE
(the lower limit is not allowed below 0). Population estimates are treated as exact. When
any rate used lacks an interval, no interval is given and the output says so
(:data:`NO_INTERVAL_NOTE`) rather than inventing one. The rates shipped today have none.

Children
--------
:func:`estimate_children` (in :mod:`analysis.methods.children`, re-exported here) applies a
published national rate per 1,000 children to the area's children of that age.

References
----------
* ONS, Domestic abuse in England and Wales overview and victim characteristics releases
  (CSEW), each figure's page named on its row of ``csew_rates``.
* Public Health England (2018), Technical Guide: Confidence Intervals (normal
  approximation for sums of independent estimates).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from analysis import config
from analysis.data import build
from analysis.errors import ParameterError
from analysis.methods import areas, population, stats
from analysis.methods.children import (
    CHILDREN_COLUMNS,
    estimate_children,
    estimate_children_all_areas,
    select_children_rate,
)
from analysis.methods.survey_rates import (
    AUTO,
    LATEST,
    default_survey_year,
    list_survey_years,
    select_rates,
    select_rates_by_age,
)

__all__ = [
    "AUTO",
    "CHILDREN_COLUMNS",
    "GROUP_COLUMNS",
    "LATEST",
    "NO_INTERVAL_NOTE",
    "PARTIAL_INTERVAL_NOTE",
    "RATE_COLUMNS",
    "SUMMARY_COLUMNS",
    "compare_with_region_and_england",
    "comparison_areas",
    "default_survey_year",
    "apply_rate",
    "apply_rates",
    "estimate_adults",
    "estimate_all_areas",
    "estimate_children",
    "estimate_children_all_areas",
    "has_intervals",
    "headline_values",
    "interval_method",
    "list_survey_years",
    "pyramid_populations",
    "select_children_rate",
    "select_rates",
    "select_rates_by_age",
    "sum_estimates",
    "summarise_estimates",
]

#: What every output says when the rates used carry no published interval.
NO_INTERVAL_NOTE = "no interval: the survey's published intervals for these rates are not held in the workspace"
#: When only some of the rates used carry an interval.
PARTIAL_INTERVAL_NOTE = "no interval: published intervals are held for only some of the rates used ({with_ci} of {n})"

GROUP_COLUMNS = [
    "area_code",
    "area_name",
    "survey_year",
    "measure",
    "measure_version",
    "breakdown",
    "age_range",
    "sex",
    "age_band",
    "population",
    "population_basis",
    "rate_percent",
    "rate_ci_lower",
    "rate_ci_upper",
    "estimate",
    "estimate_se",
    "ci_lower",
    "ci_upper",
    "confidence",
    "source",
]
SUMMARY_COLUMNS = [
    "area_code",
    "area_name",
    "level",
    "survey_year",
    "measure",
    "measure_version",
    "breakdown",
    "age_range",
    "population_adults",
    "estimate",
    "ci_lower",
    "ci_upper",
    "estimate_per_100k_adults",
    "per_100k_ci_lower",
    "per_100k_ci_upper",
    "confidence",
    "interval_method",
    "population_basis",
]


# ------------------------------------------------------------------------------------------
# Estimates
# ------------------------------------------------------------------------------------------


def _resolve(areas_: str | Iterable[str]) -> list[areas.Area]:
    return [areas.resolve_area(q) for q in _as_list(areas_)]


def _group_population(codes: list[str], sex: str, band: str) -> pd.Series:
    low, high = population.parse_age_band(band)
    return population.total_population(codes, sex="persons" if sex == "all" else sex, min_age=low, max_age=high)


def estimate_adults(
    areas_: str | Iterable[str],
    survey_year: str | None = None,
    measure: str = config.PREVALENCE_DEFAULT_MEASURE,
    measure_version: str | None = None,
    confidence: float = config.DEFAULT_CONFIDENCE,
) -> pd.DataFrame:
    """Synthetic estimate of adults who experienced domestic abuse, by group, for one or more areas.

    Parameters
    ----------
    areas_
        Code(s) or name(s) of upper-tier authorities, regions (London: ``"E12000007"``) or England.
    survey_year, measure, measure_version
        Which rates to apply (see :func:`select_rates`).
    confidence
        Two-sided level of the estimate's interval (used only when the rates carry
        published intervals).

    Returns
    -------
    pandas.DataFrame
        One row per area and group (:data:`GROUP_COLUMNS`): ``population`` in the group
        (``population_basis``: Census 2021, observed by sex and age),
        ``rate_percent`` with the published ``rate_ci_lower``/``rate_ci_upper`` (95%),
        ``estimate`` = population x rate / 100, its ``estimate_se`` and ``ci_lower`` /
        ``ci_upper`` at ``confidence`` (NaN when the rate has no published interval), and
        the ``source`` of the rate.
    """
    level = stats.check_confidence(confidence, "confidence")
    resolved = _resolve(areas_)
    return apply_rates(resolved, select_rates(survey_year, measure, measure_version), level)


#: The columns :func:`apply_rates` needs in its ``rates`` (the layout of :func:`select_rates`).
RATE_COLUMNS = (
    "survey_year",
    "measure",
    "measure_version",
    "breakdown",
    "age_range",
    "sex",
    "age_band",
    "rate_percent",
    "rate_ci_lower",
    "rate_ci_upper",
    "source",
)


def apply_rate(
    population_: pd.Series | float, rate_percent: float, rate_ci_lower: float, rate_ci_upper: float, confidence: float
) -> dict[str, Any]:
    """One rate applied to a population: ``estimate``, ``estimate_se``, ``ci_lower``, ``ci_upper``.

    ``estimate = population x rate / 100``; the standard error is the population times the
    rate's published 95% half-width over z(0.95), / 100; the limits are estimate +/-
    z(confidence) x SE, the lower one not below 0. Without published limits (NaN) the standard
    error and limits are NaN: no interval is invented (module docstring, Uncertainty).
    """
    z_published = stats.z_value(config.CSEW_CI_CONFIDENCE)
    z = stats.z_value(confidence)
    estimate = population_ * rate_percent / 100
    se = population_ * (rate_ci_upper - rate_ci_lower) / (2 * z_published) / 100
    return {
        "estimate": estimate,
        "estimate_se": se,
        "ci_lower": np.maximum(estimate - z * se, 0.0),
        "ci_upper": estimate + z * se,
    }


def apply_rates(
    areas_: str | Iterable[str] | Iterable[areas.Area],
    rates: pd.DataFrame,
    confidence: float = config.DEFAULT_CONFIDENCE,
) -> pd.DataFrame:
    """Apply selected national rates to each area's population in each rate's group.

    Parameters
    ----------
    areas_
        Areas (codes, names or :class:`~analysis.methods.areas.Area`).
    rates
        One row per group with :data:`RATE_COLUMNS` (e.g. :func:`select_rates`); ``sex``
        "all" is applied to persons.
    confidence
        Two-sided level of the interval (used only where a rate has published limits).

    Returns
    -------
    pandas.DataFrame
        :data:`GROUP_COLUMNS`, one row per area and rate, areas in the order given.
    """
    level = stats.check_confidence(confidence, "confidence")
    missing = [c for c in RATE_COLUMNS if c not in getattr(rates, "columns", ())]
    if not isinstance(rates, pd.DataFrame) or missing or rates.empty:
        raise ParameterError(
            f"rates must be a non-empty DataFrame with columns {', '.join(RATE_COLUMNS)}; missing: {missing}.",
            "Pass the result of select_rates (or select_rates_by_age).",
        )
    if isinstance(areas_, areas.Area):
        areas_ = [areas_]
    resolved = [a if isinstance(a, areas.Area) else areas.resolve_area(a) for a in _as_list(areas_)]
    codes = [a.code for a in resolved]
    names = {a.code: a.name for a in resolved}
    frames = []
    for rate in rates.itertuples(index=False):
        pop = _group_population(codes, rate.sex, rate.age_band).reindex(codes)
        applied = apply_rate(pop, rate.rate_percent, rate.rate_ci_lower, rate.rate_ci_upper, level)
        frames.append(
            pd.DataFrame(
                {
                    "area_code": codes,
                    "area_name": [names[c] for c in codes],
                    "survey_year": rate.survey_year,
                    "measure": rate.measure,
                    "measure_version": rate.measure_version,
                    "breakdown": rate.breakdown,
                    "age_range": rate.age_range,
                    "sex": rate.sex,
                    "age_band": rate.age_band,
                    "population": pop.to_numpy(),
                    "population_basis": build.POPULATION_SEX_BASIS,
                    "rate_percent": rate.rate_percent,
                    "rate_ci_lower": rate.rate_ci_lower,
                    "rate_ci_upper": rate.rate_ci_upper,
                    **{name: values.to_numpy() for name, values in applied.items()},
                    "confidence": level,
                    "source": rate.source,
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out["_order"] = out["area_code"].map({c: i for i, c in enumerate(codes)})
    return out.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)[GROUP_COLUMNS]


def _as_list(areas_: str | Iterable[Any]) -> list[Any]:
    items = [areas_] if isinstance(areas_, str) else list(areas_)
    if not items:
        raise ParameterError("No area given.", "Pass an authority, region or England code or name.")
    return items


def interval_method(groups: pd.DataFrame) -> str:
    """How the interval of the estimate from these group rows was made, or why there is none."""
    with_ci = int(groups["estimate_se"].notna().sum())
    if with_ci == 0:
        return NO_INTERVAL_NOTE
    if with_ci < len(groups):
        return PARTIAL_INTERVAL_NOTE.format(with_ci=with_ci, n=len(groups))
    level = float(groups["confidence"].iloc[0])
    return (
        f"{level:.0%} interval: each rate's standard error is the half-width of its published "
        f"{config.CSEW_CI_CONFIDENCE:.0%} interval divided by {stats.z_value(config.CSEW_CI_CONFIDENCE):.2f}; "
        "group estimates are treated as independent and normal, so their variances "
        "(population x standard error)^2 add; population estimates are treated as exact"
    )


def sum_estimates(groups: pd.DataFrame) -> tuple[float, float, float]:
    """The total of group estimates and its interval: ``(estimate, ci_lower, ci_upper)``.

    Group estimates are treated as independent and normal, so their variances add
    (:func:`interval_method`); the limits are NaN unless every group has a standard error.
    """
    estimate = float(groups["estimate"].sum())
    if not groups["estimate_se"].notna().all():
        return estimate, float("nan"), float("nan")
    z = stats.z_value(float(groups["confidence"].iloc[0]))
    se = math.sqrt(float((groups["estimate_se"] ** 2).sum()))
    return estimate, max(estimate - z * se, 0.0), estimate + z * se


def summarise_estimates(groups: pd.DataFrame) -> pd.DataFrame:
    """Per-area totals of :func:`estimate_adults` rows: estimate, interval and rate per 100,000 adults.

    ``population_adults`` is the area's population (persons, observed) in the survey's age
    range, so ``estimate_per_100k_adults`` = estimate / population_adults x 100,000. The
    interval (:func:`interval_method`) is NaN when any rate lacks a published interval.

    Returns
    -------
    pandas.DataFrame
        One row per area (:data:`SUMMARY_COLUMNS`), in the order of ``groups``.
    """
    adults_by_range = {}
    for age_range, codes in groups.groupby("age_range")["area_code"]:
        low, high = population.parse_age_band(age_range)
        adults_by_range[age_range] = population.total_population(codes.unique(), min_age=low, max_age=high)
    levels = areas.list_areas().set_index("area_code")["level"]
    rows = []
    for code, group in groups.groupby("area_code", sort=False):
        first = group.iloc[0]
        adults = float(adults_by_range[first["age_range"]][code])
        estimate, lower, upper = sum_estimates(group)
        method = interval_method(group)
        rows.append(
            {
                "area_code": code,
                "area_name": first["area_name"],
                "level": levels[code],
                "survey_year": first["survey_year"],
                "measure": first["measure"],
                "measure_version": first["measure_version"],
                "breakdown": first["breakdown"],
                "age_range": first["age_range"],
                "population_adults": adults,
                "estimate": estimate,
                "ci_lower": lower,
                "ci_upper": upper,
                "estimate_per_100k_adults": estimate / adults * config.PER_100K,
                "per_100k_ci_lower": lower / adults * config.PER_100K,
                "per_100k_ci_upper": upper / adults * config.PER_100K,
                "confidence": float(first["confidence"]),
                "interval_method": method,
                "population_basis": "; ".join(dict.fromkeys(group["population_basis"])),
            }
        )
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def comparison_areas(area: str) -> list[areas.Area]:
    """The area, then its region (for an authority), then England, without repeats."""
    return areas.with_region_and_england(areas.resolve_area(area))


def compare_with_region_and_england(
    area: str,
    survey_year: str | None = None,
    measure: str = config.PREVALENCE_DEFAULT_MEASURE,
    measure_version: str | None = None,
    confidence: float = config.DEFAULT_CONFIDENCE,
) -> pd.DataFrame:
    """Per-area summaries for an area, its region and England, with a ``comparison`` column.

    ``comparison`` is ``"area"``, ``"region"`` or ``"England"`` (an authority gets three
    rows, a region two, England one). All use the same national rates, so differences
    between the rows reflect age and sex structure only, not local risk.
    """
    chosen = comparison_areas(area)
    groups = estimate_adults([a.code for a in chosen], survey_year, measure, measure_version, confidence)
    summary = summarise_estimates(groups)
    roles = ["area"] + ["region" if a.level == "region" else "England" for a in chosen[1:]]
    summary.insert(0, "comparison", roles)
    return summary


# ------------------------------------------------------------------------------------------
# Tables and records for the notebook
# ------------------------------------------------------------------------------------------


def headline_values(comparison: pd.DataFrame, children: pd.DataFrame) -> dict[str, Any]:
    """Machine-readable headline values (unrounded) for ``report.record``.

    ``region_per_100k_adults`` is the region's value for an authority, the area's own for a
    region, and None for England; ``estimate_ci_lower``/``upper`` are None without an interval.
    """
    mine = comparison.iloc[0]
    by_role = comparison.set_index("comparison")["estimate_per_100k_adults"]
    region = (
        by_role.get("region")
        if "region" in by_role
        else (mine["estimate_per_100k_adults"] if mine["level"] == "region" else None)
    )
    england = by_role.get("England") if "England" in by_role else mine["estimate_per_100k_adults"]

    def optional(value: float) -> float | None:
        return None if value is None or math.isnan(value) else float(value)

    return {
        "estimate_adults": float(mine["estimate"]),
        "estimate_per_100k_adults": float(mine["estimate_per_100k_adults"]),
        "estimate_ci_lower": optional(mine["ci_lower"]),
        "estimate_ci_upper": optional(mine["ci_upper"]),
        "population_adults": float(mine["population_adults"]),
        "region_per_100k_adults": optional(region),
        "england_per_100k_adults": float(england),
        "survey_year": mine["survey_year"],
        "measure": mine["measure"],
        "measure_version": mine["measure_version"],
        "breakdown": mine["breakdown"],
        "age_range": mine["age_range"],
        "interval_method": mine["interval_method"],
        "estimate_children": float(children["estimate"].iloc[0]),
        "children_population": float(children["population"].iloc[0]),
        "children_rate_year": int(children["year"].iloc[0]),
    }


def pyramid_populations(area_code: str) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Female and male population rows of an area and of England (None when the area is England).

    For :func:`analysis.present.plots.population_pyramid`. Female and male counts are observed
    (Census 2021 TS009, ``sex_basis``).
    """

    def sexed(code: str) -> pd.DataFrame:
        return pd.concat([population.get_population(code, sex=s) for s in ("female", "male")], ignore_index=True)

    code = areas.resolve_area(area_code).code
    return sexed(code), (None if code == config.ENGLAND_CODE else sexed(config.ENGLAND_CODE))


# ------------------------------------------------------------------------------------------
# Every area at once (for the declared indicators behind the regional maps)
# ------------------------------------------------------------------------------------------


def estimate_all_areas(confidence: float = config.DEFAULT_CONFIDENCE) -> pd.DataFrame:
    """:func:`summarise_estimates` for every upper-tier authority, region and England (default rates)."""
    codes = areas.list_areas()["area_code"].tolist()
    return summarise_estimates(estimate_adults(codes, confidence=confidence))


# ------------------------------------------------------------------------------------------
# The prevalence report's figures (notebook 01 shows them; the batch benchmark draws them)
# ------------------------------------------------------------------------------------------


def has_intervals(groups: pd.DataFrame) -> bool:
    """True when every group's estimate has an interval (every rate used published its limits)."""
    return bool(groups["estimate_se"].notna().all())
