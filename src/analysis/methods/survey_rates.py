"""Which crime survey rates one synthetic estimate uses: a survey year, a measure version, the finest breakdown.

The Crime Survey for England and Wales (CSEW) publishes national (England and Wales)
percentages of adults who experienced domestic abuse in the last year, by sex and sometimes
by age band (the processed ``csew_rates`` table, rows at
:data:`config.PREVALENCE_RATE_GEOGRAPHY`). For a survey year, measure and measure version,
:func:`select_rates` takes the finest *complete* breakdown the rows allow:

1. sex x age band: for both sexes, age bands that cover the survey's age range without
   gaps (one sex may be covered by a single band);
2. sex: one rate for women and one for men over the survey's age range;
3. age band: rates for all adults by age band covering the range;
4. all adults: one rate for the survey's age range.

The survey's age range for a year (16-59, 16-74 or 16+, :data:`config.CSEW_AGE_RANGES`)
is the span of the ages its published figures cover. Bands that leave a gap (for example
YE Mar 2020's all-persons 16-19 and 20-24 rates, with nothing for 25-74) are never used.
The pre-2024 and 2024+ versions of the measure are never mixed: one selection holds rows
of one ``measure_version`` only. :func:`list_survey_years` says what each year allows and
:func:`default_survey_year` picks the latest year with rates by sex.
:func:`select_rates_by_age` gives the rates one sex has by age band (women's partner abuse),
for estimates of that sex only.

:mod:`analysis.methods.prevalence` applies the selected rates to local populations and
re-exports these functions, so ``prevalence.select_rates`` keeps working.

References
----------
ONS, Domestic abuse in England and Wales overview and victim characteristics releases
(CSEW), each figure's page named on its row of ``csew_rates``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import cache
from typing import Any

import pandas as pd

from analysis import config
from analysis.data import memo, tables
from analysis.errors import ParameterError
from analysis.methods import population

#: Sentinels accepted for "choose for me" parameters.
LATEST = "latest"
AUTO = "auto"


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
    return _rates_frame(used, survey_year, measure, measure_version, name, age_range)


def _rates_frame(
    used: pd.DataFrame, survey_year: str, measure: str, measure_version: str, breakdown: str, age_range: str
) -> pd.DataFrame:
    """Rows of ``csew_rates`` in the layout of :func:`select_rates`, sorted by sex and age."""
    out = pd.DataFrame(
        {
            "survey_year": survey_year,
            "measure": measure,
            "measure_version": measure_version,
            "breakdown": breakdown,
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


#: The ``breakdown`` of :func:`select_rates_by_age`: one sex, by age band.
ONE_SEX_BY_AGE = "one_sex_age"


def select_rates_by_age(
    sex: str = "female", measure: str = "partner_abuse", survey_year: str | None = None
) -> pd.DataFrame:
    """National rates for one sex by age band, covering the survey's age range without gaps.

    The survey publishes some measures by age band for one sex only (women's partner abuse,
    ONS SDG indicator 5.2.1, by age band 16-19 ... 60-74). For a survey year and measure
    version, the rows used are that sex's finest set of bands that covers the year's age
    range (:data:`config.CSEW_AGE_RANGES`) with more than one band; blank (suppressed)
    figures are never used, so a year with a suppressed band has no such set.

    Parameters
    ----------
    sex
        "female" or "male".
    measure
        A ``measure`` of the ``csew_rates`` table.
    survey_year
        e.g. ``"YE Mar 2020"``; ``None`` or ``"latest"`` for the latest year with such rates.

    Returns
    -------
    pandas.DataFrame
        The layout of :func:`select_rates`, ``breakdown`` :data:`ONE_SEX_BY_AGE`.

    Raises
    ------
    ParameterError
        Naming the sex, measure or year, with the years that have such rates.
    """
    if sex not in ("female", "male"):
        raise ParameterError(f"sex must be 'female' or 'male', got {sex!r}.")
    measure = _check_measure(measure)
    rows = _national_rates()
    rows = rows[rows["measure"] == measure]
    usable = []
    for (year, version), group in rows.groupby(["survey_year", "measure_version"], sort=False):
        try:
            low, high = _survey_age_range(group, f"{measure} {year} ({version})")
        except ParameterError:
            continue
        bands = _finest_tiling(group.loc[group["sex"] == sex, "age_band"], low, high)
        if bands and len(bands) > 1:
            usable.append((_year_number(year), year, version, bands, _range_label(low, high)))
    if not usable:
        raise ParameterError(
            f"No survey year has {sex} {measure} rates by age band covering the survey's age range.",
            "Add the published rates by age band to data/raw/authored/csew_prevalence_rates.csv.",
        )
    usable.sort(key=lambda item: (item[0], item[2] == config.CSEW_PREFERRED_MEASURE_VERSION))
    chosen = [u for u in usable if u[1] == survey_year] if survey_year not in (None, LATEST) else usable[-1:]
    if not chosen:
        years = ", ".join(dict.fromkeys(u[1] for u in usable))
        raise ParameterError(
            f"No {sex} {measure} rates by age band covering the survey's age range for {survey_year!r}.",
            f"Survey years that have them: {years} (or 'latest').",
        )
    _, year, version, bands, age_range = chosen[-1]
    group = rows[(rows["survey_year"] == year) & (rows["measure_version"] == version) & (rows["sex"] == sex)]
    used = group.set_index("age_band").loc[bands].reset_index()
    return _rates_frame(used, year, measure, version, ONE_SEX_BY_AGE, age_range)


def _auto_version(in_year: pd.DataFrame) -> str:
    """The preferred measure version when its rates are complete for the year, else another complete one."""
    usable = in_year[in_year["breakdown"] != "none"]["measure_version"].tolist()
    if config.CSEW_PREFERRED_MEASURE_VERSION in usable:
        return config.CSEW_PREFERRED_MEASURE_VERSION
    return usable[0] if usable else str(in_year["measure_version"].iloc[0])
