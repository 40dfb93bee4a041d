"""The 14-18 scoping: how many young people, how many 16-18 year olds may experience
domestic abuse, a labelled scenario for 14-15 year olds, and safe accommodation context.

Hampshire's safe accommodation strategy (2021-2023, recommendation 7 and strategic objective
2) asks to scope the need of 14-18 year olds experiencing domestic abuse and to plan
services for 16-18 year olds. This module gives the numbers behind notebook
``04_young_people_14_18``:

* :func:`age_profile` - population aged 14 to 18 by single year, per 100,000 residents and
  as a share of the area's population (ONS Census 2021 usual residents, TS009);
* :func:`population_by_sex` - the same by sex (observed in Census 2021 at every age; the
  ``sex_basis`` column says so);
* :func:`youngest_band_rate` / :func:`estimate_16_18` - the crime survey's youngest band
  (16-19, year ending March 2020) applied to 16-18 year olds. The band mismatch (16-19
  against 16-18) and the survey's coverage (private households, ages 16-74 that year) are
  caveats of the method, not corrections;
* :func:`resolve_scenario` / :func:`scenario_14_15` - a SCENARIO range for 14-15 year olds
  from published research on teenage relationship abuse, never a measured prevalence (in
  :mod:`analysis.methods.young_people_scenario`, re-exported here);
* :func:`scoping_table` - the table a researcher reads: age, population, estimate, range,
  basis;
* :func:`sons_in_refuge_context` and :func:`local_facts` - refuges' age limits for sons and
  the facts an area's strategy supplies.

Legal framing (Domestic Abuse Act 2021): behaviour is domestic abuse when both people are
aged 16 or over and personally connected (ss.1-2), so 16-18 year olds can be victims in
their own right; abuse of and between under-16s is a child safeguarding matter, and any
child who sees, hears or experiences the effects of domestic abuse and is related to
either party is a victim in their own right (s.3).

Size: about 510 lines for one job, the 14-18 scoping numbers of chapter 4; the scenario for
14-15 year olds is already its own module (:mod:`analysis.methods.young_people_scenario`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis import config
from analysis.data import tables
from analysis.errors import DataFileError, ParameterError
from analysis.methods import areas, population
from analysis.methods.young_people_scenario import (
    SCENARIO_LABEL,
    SCENARIO_SOURCE_PARAMETER,
    SCENARIO_SOURCE_RESEARCH,
    Scenario,
    check_scenario_bounds,
    research_facts,
    resolve_scenario,
    scenario_14_15,
)

__all__ = [
    "AGES",
    "LOCAL_FACTS_COLUMNS",
    "OLDEST_AGE",
    "SCENARIO_LABEL",
    "SCENARIO_SOURCE_PARAMETER",
    "SCENARIO_SOURCE_RESEARCH",
    "YOUNGEST_AGE",
    "Scenario",
    "SurveyRate",
    "age_profile",
    "check_scenario_bounds",
    "compare_shares",
    "comparison_areas",
    "estimate_16_18",
    "fact_value",
    "group_population",
    "local_facts",
    "population_by_sex",
    "refuge_son_age_limits",
    "research_facts",
    "resolve_scenario",
    "scenario_14_15",
    "scoping_table",
    "sons_in_refuge_context",
    "survey_estimates",
    "youngest_band_rate",
]

AGES: tuple[int, ...] = config.YOUNG_PEOPLE_AGES
YOUNGEST_AGE, OLDEST_AGE = AGES[0], AGES[-1]
LOCAL_FACTS_COLUMNS = [
    "area_code",
    "area_name",
    "period",
    "measure",
    "value",
    "unit",
    "age_scope",
    "quote",
    "source_title",
    "source_document",
    "source_section",
]


# ------------------------------------------------------------------------------------------
# Population
# ------------------------------------------------------------------------------------------


def comparison_areas(area: areas.Area) -> list[areas.Area]:
    """The area, its region (for an upper-tier authority) and England, without repeats."""
    return areas.with_region_and_england(area)


def age_profile(area_codes: str | Iterable[str], ages: Sequence[int] = AGES) -> pd.DataFrame:
    """Persons by single year of age with their share of the area's population.

    Parameters
    ----------
    area_codes
        GSS code(s) of upper-tier authorities, regions or England.
    ages
        Single years of age (default 14 to 18).

    Returns
    -------
    pandas.DataFrame
        ``area_code``, ``area_name``, ``age``, ``population``, ``area_population`` (all
        ages), ``per_100k`` (people of that age per 100,000 residents) and
        ``share_percent``. ONS Census 2021 usual residents (TS009), persons.
    """
    ages = _check_ages(ages)
    codes = [area_codes] if isinstance(area_codes, str) else list(area_codes)
    rows = population.get_population(codes, min_age=min(ages), max_age=max(ages))
    rows = rows[rows["age"].isin(ages)]
    totals = population.total_population(codes)
    profile = rows[["area_code", "area_name", "age", "population"]].copy()
    profile["area_population"] = profile["area_code"].map(totals)
    profile["per_100k"] = profile["population"] / profile["area_population"] * config.PER_100K
    profile["share_percent"] = profile["population"] / profile["area_population"] * 100
    order = {code: i for i, code in enumerate(codes)}
    profile = profile.sort_values(["area_code", "age"], key=lambda s: s.map(order) if s.name == "area_code" else s)
    return profile.reset_index(drop=True)


def _check_ages(ages: Sequence[int]) -> list[int]:
    values = list(ages)
    bad = [a for a in values if isinstance(a, bool) or not isinstance(a, int) or not 0 <= a <= population.MAX_AGE]
    if not values or bad:
        raise ParameterError(f"ages must be whole numbers from 0 to {population.MAX_AGE}, got {list(ages)!r}.")
    return values


def population_by_sex(area_code: str, ages: Sequence[int] = AGES) -> pd.DataFrame:
    """Females and males by single year of age, with persons (= female + male) for reference.

    Census 2021 TS009 counts women and men at every single year of age, so these are
    observed, not a split of persons. The ``sex_basis`` column names the source on every row.

    Returns
    -------
    pandas.DataFrame
        ``age``, ``female``, ``male``, ``persons``, ``sex_basis``.
    """
    ages = _check_ages(ages)
    frames = {
        sex: population.get_population(area_code, sex=sex, min_age=min(ages), max_age=max(ages))
        for sex in ("female", "male", "persons")
    }
    table = pd.DataFrame({"age": ages})
    for sex, rows in frames.items():
        table[sex] = table["age"].map(rows.set_index("age")["population"])
    table["sex_basis"] = frames["female"]["sex_basis"].iloc[0]
    return table


def group_population(area_code: str, min_age: int, max_age: int, sex: str = "persons") -> float:
    """Population of one area over an inclusive age range (Census 2021)."""
    totals = population.total_population(area_code, sex=sex, min_age=min_age, max_age=max_age)
    return float(totals.iloc[0])


def compare_shares(area: areas.Area) -> pd.DataFrame:
    """The area against its region and England: 14-18, 16-18 and 15-24 year olds.

    Returns
    -------
    pandas.DataFrame
        One row per comparison area: ``area_code``, ``area_name``, ``population_14_18``,
        ``population_16_18``, ``area_population``, ``share_14_18_percent``,
        ``per_100k_14_18``, ``share_16_18_percent``, ``share_15_24_percent``.
    """
    rows = []
    for other in comparison_areas(area):
        total = group_population(other.code, 0, population.MAX_AGE)
        young = group_population(other.code, YOUNGEST_AGE, OLDEST_AGE)
        older = group_population(other.code, config.DA_ACT_MIN_AGE, OLDEST_AGE)
        wide = group_population(other.code, 15, 24)
        rows.append(
            {
                "area_code": other.code,
                "area_name": other.name,
                "population_14_18": young,
                "population_16_18": older,
                "area_population": total,
                "share_14_18_percent": young / total * 100,
                "per_100k_14_18": young / total * config.PER_100K,
                "share_16_18_percent": older / total * 100,
                "share_15_24_percent": wide / total * 100,
            }
        )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------
# The crime survey's youngest band, applied to 16-18 year olds
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyRate:
    """One published crime survey figure (a row of the processed ``csew_rates`` table)."""

    survey_year: str
    sex: str
    age_band: str
    measure: str
    percent: float
    ci_lower: float | None
    ci_upper: float | None
    source_title: str
    source_url: str
    source_document: str | None
    notes: str
    source_id: str

    @property
    def has_interval(self) -> bool:
        return self.ci_lower is not None and self.ci_upper is not None


def _optional(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def youngest_band_rate(
    survey_year: str = config.CSEW_YOUNG_PEOPLE_SURVEY_YEAR,
    *,
    sex: str = "all",
    measure: str = "any_domestic_abuse",
) -> SurveyRate:
    """The crime survey's rate for its youngest age band (16-19), England and Wales.

    A narrow look-up in the processed ``csew_rates`` table: by default the authored row
    "16-19 year olds, both sexes, any domestic abuse in the last year, year ending March
    2020: 9.5%" (ONS, Domestic abuse victim characteristics, quoted by Southampton's
    strategy). ``sex="female", measure="partner_abuse"`` gives women's partner abuse at
    16-19 (ONS SDG indicator 5.2.1).

    Raises
    ------
    DataFileError
        If the table holds no such figure, or a blank (suppressed) one.
    """
    rates = tables.read_table("csew_rates")
    match = rates[
        (rates["survey_year"] == survey_year)
        & (rates["sex"] == sex)
        & (rates["age_band"] == config.CSEW_YOUNGEST_BAND)
        & (rates["measure"] == measure)
        & (rates["geography_code"] == "K04000001")
    ]
    if match.empty or match["percent"].isna().all():
        raise DataFileError(
            f"No crime survey figure for {config.CSEW_YOUNGEST_BAND} year olds ({sex}, {measure}, {survey_year}) "
            "in the csew_rates table.",
            "Add the published figure to data/raw/authored/csew_prevalence_rates.csv, then run "
            "'analysis data hash authored/csew_prevalence_rates.csv' and 'analysis data build'.",
        )
    row = match.dropna(subset=["percent"]).iloc[0]
    return SurveyRate(
        survey_year=row["survey_year"],
        sex=row["sex"],
        age_band=row["age_band"],
        measure=row["measure"],
        percent=float(row["percent"]),
        ci_lower=_optional(row["ci_lower"]),
        ci_upper=_optional(row["ci_upper"]),
        source_title=row["source_title"],
        source_url=row["source_url"],
        source_document=_optional(row["source_document"]),
        notes=row["notes"],
        source_id=row["source_id"],
    )


def estimate_16_18(area_codes: str | Iterable[str], rate: SurveyRate | None = None) -> pd.DataFrame:
    """Estimated 16-18 year olds experiencing domestic abuse in a year.

    ``estimate = population aged 16-18 x rate / 100``, where the rate is the crime survey's
    16-19 figure (:func:`youngest_band_rate`). The band mismatch is a stated assumption:
    the survey publishes no 16-18 figure, so 19-year-olds' experience is assumed to match.
    The interval is the published one scaled the same way when the table has it, otherwise
    missing (none is invented). A female rate is applied to the area's females aged 16-18
    (observed in Census 2021).

    Returns
    -------
    pandas.DataFrame
        ``area_code``, ``sex``, ``population_16_18``, ``rate_percent``, ``estimate``,
        ``estimate_lower``, ``estimate_upper``, ``survey_year``, ``age_band``, ``measure``,
        ``source_id``.
    """
    rate = rate or youngest_band_rate()
    sex = "persons" if rate.sex == "all" else rate.sex
    codes = [area_codes] if isinstance(area_codes, str) else list(area_codes)
    pops = population.total_population(codes, sex=sex, min_age=config.DA_ACT_MIN_AGE, max_age=OLDEST_AGE)
    frame = pd.DataFrame({"area_code": codes})
    frame["sex"] = sex
    frame["population_16_18"] = frame["area_code"].map(pops)
    frame["rate_percent"] = rate.percent
    frame["estimate"] = frame["population_16_18"] * rate.percent / 100
    for column, bound in (("estimate_lower", rate.ci_lower), ("estimate_upper", rate.ci_upper)):
        frame[column] = frame["population_16_18"] * bound / 100 if rate.has_interval else float("nan")
    frame["survey_year"] = rate.survey_year
    frame["age_band"] = rate.age_band
    frame["measure"] = rate.measure
    frame["source_id"] = rate.source_id
    return frame


def survey_estimates(area_code: str) -> pd.DataFrame:
    """Both youngest-band rates applied to 16-18 year olds, one row each, for display.

    Any domestic abuse (16-19, both sexes) applied to persons aged 16-18; women's partner
    abuse (16-19, ONS SDG 5.2.1) applied to females aged 16-18 (Census 2021, observed by sex).
    Estimates are unrounded.

    Returns
    -------
    pandas.DataFrame
        ``measure``, ``who``, ``survey_year``, ``rate_percent``, ``applied_to``,
        ``population``, ``estimate``, ``interval``, ``source_title``.
    """
    rows = []
    for rate, measure, who, applied in (
        (
            youngest_band_rate(),
            "Any domestic abuse in the last year",
            "16-19 year olds, both sexes",
            "persons aged 16-18",
        ),
        (
            youngest_band_rate(sex="female", measure="partner_abuse"),
            "Partner abuse in the last year (women only)",
            "women aged 16-19",
            "females aged 16-18",
        ),
    ):
        estimate = estimate_16_18(area_code, rate).iloc[0]
        interval = (
            f"{estimate['estimate_lower']:,.0f} to {estimate['estimate_upper']:,.0f}"
            if rate.has_interval
            else "none held"
        )
        rows.append(
            {
                "measure": measure,
                "who": who,
                "survey_year": rate.survey_year,
                "rate_percent": rate.percent,
                "applied_to": applied,
                "population": estimate["population_16_18"],
                "estimate": estimate["estimate"],
                "interval": interval,
                "source_title": rate.source_title,
            }
        )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------
# The scoping table
# ------------------------------------------------------------------------------------------


def scoping_table(area_code: str, scenario: Scenario, rate: SurveyRate | None = None) -> pd.DataFrame:
    """Age, population, estimate, range and basis for 14-18 year olds in one area.

    Rows: single years 14 to 18, then "14-15", "16-18" and "14-18". For 16-18 year olds
    the estimate applies the crime survey's 16-19 rate and the range is its published
    interval (missing when none was published). For 14-15 year olds there is no estimate;
    the range is the labelled SCENARIO. The 14-18 row gives the population only: the
    estimate and the scenario measure different things and are not added.

    Returns
    -------
    pandas.DataFrame
        ``age`` (text), ``population``, ``estimate``, ``range_low``, ``range_high``, ``basis``.
    """
    rate = rate or youngest_band_rate()
    by_age = age_profile(area_code).set_index("age")["population"]
    survey = (
        f"Crime survey {rate.age_band} rate ({rate.percent:g}%, any domestic abuse in the last year, "
        f"{rate.survey_year}, England and Wales) applied to this age; "
        + ("published interval scaled" if rate.has_interval else "no published interval held")
    )
    if scenario.available:
        scen = (
            f"{SCENARIO_LABEL}: {scenario.low_percent:g}% to {scenario.high_percent:g}% from "
            f"{scenario.basis}; not an estimate"
        )
    else:
        scen = f"{SCENARIO_LABEL}: no research figures shipped and no scenario parameters given"

    def row(label: str, ages: Sequence[int]) -> dict[str, Any]:
        pop = float(sum(by_age[a] for a in ages))
        if min(ages) >= config.DA_ACT_MIN_AGE:
            lower = pop * rate.ci_lower / 100 if rate.has_interval else float("nan")
            upper = pop * rate.ci_upper / 100 if rate.has_interval else float("nan")
            return {
                "age": label,
                "population": pop,
                "estimate": pop * rate.percent / 100,
                "range_low": lower,
                "range_high": upper,
                "basis": survey,
            }
        if max(ages) < config.DA_ACT_MIN_AGE:
            low = pop * scenario.low_percent / 100 if scenario.available else float("nan")
            high = pop * scenario.high_percent / 100 if scenario.available else float("nan")
            return {
                "age": label,
                "population": pop,
                "estimate": float("nan"),
                "range_low": low,
                "range_high": high,
                "basis": scen,
            }
        return {
            "age": label,
            "population": pop,
            "estimate": float("nan"),
            "range_low": float("nan"),
            "range_high": float("nan"),
            "basis": "Population only: the 16-18 estimate and the 14-15 scenario measure different things "
            "and are not added",
        }

    young = list(range(YOUNGEST_AGE, config.DA_ACT_MIN_AGE))
    older = list(range(config.DA_ACT_MIN_AGE, OLDEST_AGE + 1))
    rows = [row(str(a), [a]) for a in young] + [row(f"{young[0]}-{young[-1]}", young)]
    rows += [row(str(a), [a]) for a in older] + [row(f"{older[0]}-{older[-1]}", older)]
    rows.append(row(f"{YOUNGEST_AGE}-{OLDEST_AGE}", list(AGES)))
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------
# Safe accommodation context: refuges' age limits for sons, local facts
# ------------------------------------------------------------------------------------------


def local_facts(area: areas.Area, include_national: bool = True) -> pd.DataFrame:
    """Facts the seed strategies supply for this area (for a region: its authorities).

    England rows (national context, e.g. the typical refuge age limit for sons) are added
    when ``include_national``. Columns as :data:`LOCAL_FACTS_COLUMNS`.
    """
    facts = tables.read_table("young_people_local")
    if area.level == "region":
        codes = set(areas.list_areas(levels=("utla",), region=area.code)["area_code"]) | {area.code}
    else:
        codes = {area.code}
    if include_national:
        codes.add(config.ENGLAND_CODE)
    chosen = facts[facts["area_code"].isin(codes)]
    chosen = chosen.assign(_national=chosen["area_code"] == config.ENGLAND_CODE)
    ordered = chosen.sort_values(["_national", "area_code", "topic", "measure"])
    return ordered[LOCAL_FACTS_COLUMNS].reset_index(drop=True)


def fact_value(area_code: str, measure: str) -> float | None:
    facts = tables.read_table("young_people_local")
    match = facts[(facts["area_code"] == area_code) & (facts["measure"] == measure)]
    return None if match.empty else float(match["value"].iloc[0])


def refuge_son_age_limits(area: areas.Area) -> dict[str, float | None]:
    """Refuges' upper age for sons: the typical national limit and the area's own, if supplied."""
    return {
        "typical": fact_value(config.ENGLAND_CODE, "refuge_male_child_age_limit_typical_years"),
        "area": fact_value(area.code, "refuge_male_child_age_limit_years"),
    }


def sons_in_refuge_context(area: areas.Area) -> pd.DataFrame:
    """Boys aged 14-18 living in the area, against refuges' age limits for sons.

    Context only: these are all boys of each age living in the area (Census 2021, observed
    by sex and age), not families who need safe accommodation.

    Returns
    -------
    pandas.DataFrame
        ``age``, ``boys``, ``above_typical_limit`` ("yes"/"no": older than the national
        typical limit of about 14), ``above_area_limit`` ("yes"/"no", or "not supplied").
    """
    limits = refuge_son_age_limits(area)
    boys = population_by_sex(area.code)[["age", "male"]].rename(columns={"male": "boys"})

    def flag(age: int, limit: float | None) -> str:
        return "not supplied" if limit is None else ("yes" if age > limit else "no")

    boys["above_typical_limit"] = [flag(a, limits["typical"]) for a in boys["age"]]
    boys["above_area_limit"] = [flag(a, limits["area"]) for a in boys["age"]]
    return boys
