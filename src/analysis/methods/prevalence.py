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
with :func:`list_survey_years` and :func:`default_survey_year`); each estimate says which
year, version and breakdown it used.

Populations are the ONS mid-2020 estimates (``population`` table). Female and male
populations by age are an ASSUMED split (:func:`analysis.data.build.split_persons_by_sex`,
``sex_basis`` column): every estimate by sex rests on it, and the output says so.

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
:func:`estimate_children` applies a published national rate per 1,000 children (the
``children_rates`` table, e.g. Childhood Local Data on Risks and Needs, 2019: 66 in 1,000
children aged 0-17 living in households where a parent is experiencing domestic abuse) to
the area's population of that age.

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
from analysis.data import build, tables
from analysis.errors import ParameterError
from analysis.methods import areas, population, stats
from analysis.methods.survey_rates import AUTO, LATEST, default_survey_year, list_survey_years, select_rates

__all__ = [
    "AUTO",
    "CHILDREN_COLUMNS",
    "GROUP_COLUMNS",
    "LATEST",
    "NO_INTERVAL_NOTE",
    "PARTIAL_INTERVAL_NOTE",
    "SUMMARY_COLUMNS",
    "compare_with_region_and_england",
    "comparison_areas",
    "default_survey_year",
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
    "summarise_estimates",
]

#: What every output says when the rates used carry no published interval.
NO_INTERVAL_NOTE = "no interval: the survey's published intervals are not in data/raw"
#: When only some of the rates used carry an interval.
PARTIAL_INTERVAL_NOTE = (
    "no interval: published intervals are in data/raw for only some of the rates used ({with_ci} of {n})"
)

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
CHILDREN_COLUMNS = [
    "area_code",
    "area_name",
    "indicator",
    "age_band",
    "population",
    "rate_per_1000",
    "estimate",
    "ci_lower",
    "ci_upper",
    "year",
    "rate_geography_code",
    "source",
    "note",
]


# ------------------------------------------------------------------------------------------
# Estimates
# ------------------------------------------------------------------------------------------


def _resolve(areas_: str | Iterable[str]) -> list[areas.Area]:
    queries = [areas_] if isinstance(areas_, str) else list(areas_)
    if not queries:
        raise ParameterError("No area given.", "Pass an authority, region or England code or name.")
    return [areas.resolve_area(q) for q in queries]


def _group_population(codes: list[str], sex: str, band: str) -> pd.Series:
    low, high = population.parse_age_band(band)
    return population.total_population(codes, sex="persons" if sex == "all" else sex, min_age=low, max_age=high)


def _population_basis(sex: str) -> str:
    return build.SEX_BASIS_OBSERVED if sex == "all" else build.SEX_BASIS_ASSUMED


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
        (``population_basis`` says whether it is observed or the assumed sex split),
        ``rate_percent`` with the published ``rate_ci_lower``/``rate_ci_upper`` (95%),
        ``estimate`` = population x rate / 100, its ``estimate_se`` and ``ci_lower`` /
        ``ci_upper`` at ``confidence`` (NaN when the rate has no published interval), and
        the ``source`` of the rate.
    """
    level = stats.check_confidence(confidence, "confidence")
    resolved = _resolve(areas_)
    rates = select_rates(survey_year, measure, measure_version)
    codes = [a.code for a in resolved]
    names = {a.code: a.name for a in resolved}
    z_published = stats.z_value(config.CSEW_CI_CONFIDENCE)
    z = stats.z_value(level)
    frames = []
    for rate in rates.itertuples(index=False):
        pop = _group_population(codes, rate.sex, rate.age_band).reindex(codes)
        se_percent = (rate.rate_ci_upper - rate.rate_ci_lower) / (2 * z_published)
        estimate = pop * rate.rate_percent / 100
        se = pop * se_percent / 100
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
                    "population_basis": _population_basis(rate.sex),
                    "rate_percent": rate.rate_percent,
                    "rate_ci_lower": rate.rate_ci_lower,
                    "rate_ci_upper": rate.rate_ci_upper,
                    "estimate": estimate.to_numpy(),
                    "estimate_se": se.to_numpy(),
                    "ci_lower": (estimate - z * se).clip(lower=0).to_numpy(),
                    "ci_upper": (estimate + z * se).to_numpy(),
                    "confidence": level,
                    "source": rate.source,
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out["_order"] = out["area_code"].map({c: i for i, c in enumerate(codes)})
    return out.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)[GROUP_COLUMNS]


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
        estimate = float(group["estimate"].sum())
        method = interval_method(group)
        if group["estimate_se"].notna().all():
            z = stats.z_value(float(first["confidence"]))
            se = math.sqrt(float((group["estimate_se"] ** 2).sum()))
            lower, upper = max(estimate - z * se, 0.0), estimate + z * se
        else:
            lower = upper = float("nan")
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
# Children
# ------------------------------------------------------------------------------------------


def select_children_rate(indicator: str = config.CHILDREN_DEFAULT_INDICATOR, year: int | None = None) -> pd.Series:
    """One row of the ``children_rates`` table: the indicator's rate for ``year`` (default: latest)."""
    rates = tables.read_table("children_rates")
    known = sorted(rates["indicator"].unique())
    if indicator not in known:
        raise ParameterError(f"Unknown children's indicator {indicator!r}.", f"Use one of: {', '.join(known)}.")
    rows = rates[rates["indicator"] == indicator]
    if year is None:
        year = int(rows["year"].max())
    if isinstance(year, bool) or not isinstance(year, (int, np.integer)) or year not in set(rows["year"]):
        raise ParameterError(
            f"No {indicator} rate for year {year!r}.",
            f"Available years: {', '.join(str(y) for y in sorted(rows['year'].unique()))}.",
        )
    return rows[rows["year"] == year].iloc[0]


def estimate_children(
    areas_: str | Iterable[str],
    indicator: str = config.CHILDREN_DEFAULT_INDICATOR,
    year: int | None = None,
) -> pd.DataFrame:
    """Children living in households with domestic abuse: a national rate per 1,000 x local children.

    Parameters
    ----------
    areas_
        Code(s) or name(s) of authorities, regions or England.
    indicator, year
        Which row of the ``children_rates`` table (default: the latest year of the
        Childhood Local Data on Risks and Needs figure).

    Returns
    -------
    pandas.DataFrame
        :data:`CHILDREN_COLUMNS`: ``population`` (persons in the rate's age band, mid-2020),
        ``rate_per_1000``, ``estimate`` = population x rate / 1,000, ``ci_lower``/``ci_upper``
        (NaN: no interval was published), ``year``, ``source`` and a ``note`` that the
        rate is national and applied locally.
    """
    rate = select_children_rate(indicator, year)
    resolved = _resolve(areas_)
    codes = [a.code for a in resolved]
    low, high = population.parse_age_band(rate["age_band"])
    pop = population.total_population(codes, min_age=low, max_age=high).reindex(codes)
    estimate = pop * rate["rate_per_1000"] / 1000
    has_ci = pd.notna(rate["ci_lower"]) and pd.notna(rate["ci_upper"])
    where = rate["source_url"] if isinstance(rate["source_url"], str) else f"cited in {rate['source_document']}"
    return pd.DataFrame(
        {
            "area_code": codes,
            "area_name": [a.name for a in resolved],
            "indicator": indicator,
            "age_band": rate["age_band"],
            "population": pop.to_numpy(),
            "rate_per_1000": float(rate["rate_per_1000"]),
            "estimate": estimate.to_numpy(),
            "ci_lower": (pop * rate["ci_lower"] / 1000).to_numpy() if has_ci else np.nan,
            "ci_upper": (pop * rate["ci_upper"] / 1000).to_numpy() if has_ci else np.nan,
            "year": int(rate["year"]),
            "rate_geography_code": rate["geography_code"],
            "source": f"{rate['source_title']}, {int(rate['year'])} ({where})",
            "note": (
                f"A national rate ({rate['geography_code']}, {int(rate['year'])}) applied to the area's population "
                f"aged {rate['age_band']} (ONS mid-2020): it assumes the national rate holds locally."
            ),
        },
        columns=CHILDREN_COLUMNS,
    )


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

    For :func:`analysis.present.plots.population_pyramid`. The female/male split is the assumed one
    (``sex_basis``; see :data:`SEX_ASSUMPTION_NOTE`).
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


def estimate_children_all_areas() -> pd.DataFrame:
    """:func:`estimate_children` for every upper-tier authority, region and England (default rate)."""
    return estimate_children(areas.list_areas()["area_code"].tolist())


# ------------------------------------------------------------------------------------------
# The prevalence report's figures (notebook 01 shows them; the batch benchmark draws them)
# ------------------------------------------------------------------------------------------


def has_intervals(groups: pd.DataFrame) -> bool:
    """True when every group's estimate has an interval (every rate used published its limits)."""
    return bool(groups["estimate_se"].notna().all())
