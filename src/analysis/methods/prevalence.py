"""Synthetic prevalence of domestic abuse: national crime survey rates applied to local populations.

Method
------
The Crime Survey for England and Wales (CSEW) publishes the percentage of adults who
experienced domestic abuse in the last year, nationally (England and Wales), by sex and
sometimes by age band. No survey estimate exists for a single authority. The synthetic
estimate for an area is

    estimate = sum over groups g of  rate_g / 100  x  population of the area in group g

where the groups are the finest *complete* breakdown the shipped rates allow for the
chosen survey year, measure and measure version (:func:`select_rates`):

1. sex x age band: for both sexes, age bands that cover the survey's age range without
   gaps (one sex may be covered by a single band);
2. sex: one rate for women and one for men over the survey's age range;
3. age band: rates for all adults by age band covering the range;
4. all adults: one rate for the survey's age range.

The survey's age range for a year (16-59, 16-74 or 16+, :data:`config.CSEW_AGE_RANGES`)
is the span of the ages its published figures cover. Bands that leave a gap (for example
YE Mar 2020's all-persons 16-19 and 20-24 rates, with nothing for 25-74) are never used
for the estimate. The pre-2024 and 2024+ versions of the measure are never mixed: one
estimate uses rows of one ``measure_version`` only, and says which.

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
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from analysis import config
from analysis.data import build, memo, tables
from analysis.errors import ParameterError
from analysis.methods import areas, population, stats

#: What every output says when the rates used carry no published interval.
NO_INTERVAL_NOTE = "no interval: the survey's published intervals are not in data/raw"
#: When only some of the rates used carry an interval.
PARTIAL_INTERVAL_NOTE = (
    "no interval: published intervals are in data/raw for only some of the rates used ({with_ci} of {n})"
)
#: Sentinels accepted for "choose for me" parameters.
LATEST = "latest"
AUTO = "auto"

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
# Age bands
# ------------------------------------------------------------------------------------------


def _band_limits(label: str) -> tuple[int, float]:
    """(lower, upper) ages of a band label; the open band "16+" has upper = inf."""
    low, high = population.parse_age_band(label)
    return low, math.inf if high is None else float(high)


def _range_label(low: int, high: float) -> str:
    return population.age_band_label(low, None if math.isinf(high) else int(high))


def _finest_tiling(bands: Iterable[str], low: int, high: float) -> list[str] | None:
    """The largest set of non-overlapping bands that covers ages low..high without gaps, or None."""
    limits = {band: _band_limits(band) for band in dict.fromkeys(bands)}

    @cache
    def best_from(start: int) -> tuple[str, ...] | None:
        options = []
        for band, (b_low, b_high) in limits.items():
            if b_low != start or b_high > high:
                continue
            if b_high == high:
                options.append((band,))
            else:
                rest = best_from(int(b_high) + 1)
                if rest is not None:
                    options.append((band, *rest))
        return max(options, key=len) if options else None

    found = best_from(low)
    return list(found) if found else None


# ------------------------------------------------------------------------------------------
# Choosing the rates
# ------------------------------------------------------------------------------------------


def _national_rates() -> pd.DataFrame:
    rates = tables.read_table("csew_rates")
    return rates[(rates["geography_code"] == config.PREVALENCE_RATE_GEOGRAPHY) & rates["percent"].notna()]


def _check_measure(measure: Any) -> str:
    known = sorted(_national_rates()["measure"].unique())
    if not isinstance(measure, str) or measure not in known:
        raise ParameterError(f"Unknown crime survey measure {measure!r}.", f"Use one of: {', '.join(known)}.")
    return measure


def _survey_age_range(rows: pd.DataFrame, where: str) -> tuple[int, float]:
    """The ages a year's published figures span; must be one of the survey's known ranges."""
    limits = [_band_limits(band) for band in rows["age_band"]]
    low, high = min(b[0] for b in limits), max(b[1] for b in limits)
    label = _range_label(low, high)
    if label not in config.CSEW_AGE_RANGES:
        raise ParameterError(
            f"The {where} figures span ages {label}, which is not a crime survey age range "
            f"({', '.join(config.CSEW_AGE_RANGES)}).",
            "Check the age_band values of those rows in data/raw/authored/csew_prevalence_rates.csv.",
        )
    return low, high


def _breakdown(rows: pd.DataFrame, where: str) -> tuple[str | None, pd.DataFrame, str]:
    """The finest complete breakdown of one year's rows: (name or None, rows used, age range label)."""
    low, high = _survey_age_range(rows, where)
    age_range = _range_label(low, high)
    by_sex = {sex: _finest_tiling(rows.loc[rows["sex"] == sex, "age_band"], low, high) for sex in ("female", "male")}
    if all(by_sex.values()):
        name = "sex_age" if any(len(b) > 1 for b in by_sex.values()) else "sex"
        keep = [(sex, band) for sex, bands in by_sex.items() for band in bands]
    else:
        everyone = _finest_tiling(rows.loc[rows["sex"] == "all", "age_band"], low, high)
        if not everyone:
            return None, rows.iloc[0:0], age_range
        name = "age" if len(everyone) > 1 else "all_adults"
        keep = [("all", band) for band in everyone]
    chosen = pd.MultiIndex.from_tuples(keep, names=["sex", "age_band"])
    used = rows.set_index(["sex", "age_band"]).loc[chosen].reset_index()
    return name, used, age_range


def _year_number(survey_year: str) -> int:
    return int(str(survey_year)[-4:])


@memo.memoize("csew_rates")
def list_survey_years(measure: str = config.PREVALENCE_DEFAULT_MEASURE) -> pd.DataFrame:
    """Survey years and measure versions with national rates for a measure, and what they allow.

    Parameters
    ----------
    measure
        A ``measure`` of the ``csew_rates`` table (default any domestic abuse in the last year).

    Returns
    -------
    pandas.DataFrame
        One row per survey year and measure version: ``survey_year``, ``measure``,
        ``measure_version``, ``age_range``, ``breakdown`` (finest complete breakdown, or
        ``"none"`` when the figures cannot make an estimate), ``n_rates`` and
        ``has_intervals``; oldest year first.
    """
    measure = _check_measure(measure)
    rows = _national_rates()
    rows = rows[rows["measure"] == measure]
    out = []
    for (year, version), group in rows.groupby(["survey_year", "measure_version"], sort=False):
        try:
            name, used, age_range = _breakdown(group, f"{measure} {year} ({version})")
        except ParameterError:
            name, used, age_range = None, group.iloc[0:0], "invalid"
        out.append(
            {
                "survey_year": year,
                "measure": measure,
                "measure_version": version,
                "age_range": age_range,
                "breakdown": name or "none",
                "n_rates": len(group),
                "has_intervals": bool(len(used)) and bool(used["ci_lower"].notna().all()),
            }
        )
    frame = pd.DataFrame(
        out, columns=["survey_year", "measure", "measure_version", "age_range", "breakdown", "n_rates", "has_intervals"]
    )
    frame["_year"] = frame["survey_year"].map(_year_number)
    return frame.sort_values(["_year", "measure_version"]).drop(columns="_year").reset_index(drop=True)


def default_survey_year(measure: str = config.PREVALENCE_DEFAULT_MEASURE) -> str:
    """The survey year used when none is given: the latest with rates by sex (or finer).

    Estimates by sex reflect an area's sex structure, which a single all-adults rate
    cannot; so the default is the latest survey year whose rates give a complete breakdown
    by sex (or by sex and age band), in any measure version. If no year has one, the
    latest year with any complete breakdown.
    """
    years = list_survey_years(measure)
    usable = years[years["breakdown"] != "none"]
    if usable.empty:
        raise ParameterError(
            f"No survey year has rates complete enough for an estimate of {measure!r}.",
            "Add rates to data/raw/authored/csew_prevalence_rates.csv (see data/raw/README.md).",
        )
    by_sex = usable[usable["breakdown"].isin(["sex_age", "sex"])]
    return str((by_sex if not by_sex.empty else usable)["survey_year"].iloc[-1])


def select_rates(
    survey_year: str | None = None,
    measure: str = config.PREVALENCE_DEFAULT_MEASURE,
    measure_version: str | None = None,
) -> pd.DataFrame:
    """The national rates one estimate uses: the finest complete breakdown of one year and version.

    Parameters
    ----------
    survey_year
        e.g. ``"YE Mar 2023"``; ``None`` or ``"latest"`` for :func:`default_survey_year`.
    measure
        A ``measure`` of the ``csew_rates`` table.
    measure_version
        ``"pre-2024"`` or ``"2024+"``; ``None`` or ``"auto"`` takes the 2024+ measure
        (:data:`config.CSEW_PREFERRED_MEASURE_VERSION`, the one ONS now uses for official
        statistics) when its rates for the year are complete, else the pre-2024 measure.
        Versions are never mixed.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``survey_year``, ``measure``, ``measure_version``,
        ``breakdown``, ``age_range``, ``sex`` (female/male/all), ``age_band``,
        ``rate_percent``, ``rate_ci_lower``, ``rate_ci_upper`` (published limits, percent),
        ``source`` (title and URL), ``source_title``, ``source_url``, ``source_id``, ``notes``.

    Raises
    ------
    ParameterError
        Naming an unknown measure, survey year or version (with the available ones), or a
        year whose figures do not cover the survey's age range.
    """
    measure = _check_measure(measure)
    rows = _national_rates()
    rows = rows[rows["measure"] == measure]
    years = list_survey_years(measure)
    if survey_year is None or survey_year == LATEST:
        survey_year = default_survey_year(measure)
    if not isinstance(survey_year, str) or survey_year not in set(years["survey_year"]):
        available = ", ".join(dict.fromkeys(years["survey_year"]))
        raise ParameterError(
            f"No {measure} rates for survey year {survey_year!r}.",
            f"Available survey years: {available} (or 'latest').",
        )
    in_year = years[years["survey_year"] == survey_year]
    if measure_version is None or measure_version == AUTO:
        measure_version = _auto_version(in_year)
    elif measure_version not in config.CSEW_MEASURE_VERSIONS:
        raise ParameterError(
            f"Unknown measure_version {measure_version!r}.",
            f"Use one of {', '.join(config.CSEW_MEASURE_VERSIONS)} or 'auto'.",
        )
    elif measure_version not in set(in_year["measure_version"]):
        raise ParameterError(
            f"No {measure} rates of the {measure_version} measure for {survey_year}.",
            f"{survey_year} has: {', '.join(in_year['measure_version'])}.",
        )
    where = f"{measure} {survey_year} ({measure_version})"
    group = rows[(rows["survey_year"] == survey_year) & (rows["measure_version"] == measure_version)]
    name, used, age_range = _breakdown(group, where)
    if name is None:
        listed = "; ".join(f"{sex}: {', '.join(g['age_band'])}" for sex, g in group.groupby("sex"))
        raise ParameterError(
            f"The {where} rates do not cover the survey's age range {age_range} for both sexes or for all adults "
            f"(published: {listed}).",
            "Choose another survey_year (see prevalence.list_survey_years) or add the missing rates to "
            "data/raw/authored/csew_prevalence_rates.csv.",
        )
    out = pd.DataFrame(
        {
            "survey_year": survey_year,
            "measure": measure,
            "measure_version": measure_version,
            "breakdown": name,
            "age_range": age_range,
            "sex": used["sex"],
            "age_band": used["age_band"],
            "rate_percent": used["percent"].astype("float64"),
            "rate_ci_lower": used["ci_lower"].astype("float64"),
            "rate_ci_upper": used["ci_upper"].astype("float64"),
            "source": used["source_title"] + ", " + used["source_url"],
            "source_title": used["source_title"],
            "source_url": used["source_url"],
            "source_id": used["source_id"],
            "notes": used["notes"],
        }
    )
    order = {"female": 0, "male": 1, "all": 2}
    out = out.assign(_s=out["sex"].map(order), _a=out["age_band"].map(lambda b: _band_limits(b)[0]))
    return out.sort_values(["_s", "_a"]).drop(columns=["_s", "_a"]).reset_index(drop=True)


def _auto_version(in_year: pd.DataFrame) -> str:
    """The preferred measure version when its rates are complete for the year, else another complete one."""
    usable = in_year[in_year["breakdown"] != "none"]["measure_version"].tolist()
    if config.CSEW_PREFERRED_MEASURE_VERSION in usable:
        return config.CSEW_PREFERRED_MEASURE_VERSION
    return usable[0] if usable else str(in_year["measure_version"].iloc[0])


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
# Words
# ------------------------------------------------------------------------------------------


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
