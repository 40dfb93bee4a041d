"""Population: mid-2020 persons by single year of age, split by sex, for every reporting area.

Sources: ONS mid-2020 population estimates for districts (2021 codes), persons by single year
of age 0-89 and 90+ (``mye2020_ltla21_sya``), and Census 2021 usual residents by sex
(``census2021_ltla21_sex``), which gives each district's female/male split.

Table
-----
``population``   mid-2020 population by area, sex and single year of age (0-90+).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.data.schemas.population import MyePersonsByAge, age_columns, census_sex_schema, with_age_columns
from analysis.data.steps.base import Step, read_raw_csv
from analysis.errors import ParameterError, ValidationError

SEX_BASIS_OBSERVED = "observed (ONS mid-2020 estimates, persons)"
SEX_BASIS_ASSUMED = (
    "assumed: each district's Census 2021 female/male share applied to every single year "
    "of age of the mid-2020 persons estimate (no ONS sex-by-age table for local "
    "authorities is shipped)"
)


def split_persons_by_sex(persons: pd.DataFrame, sex_totals: pd.DataFrame) -> pd.DataFrame:
    """Split persons by single year of age into females and males (an assumption).

    Each district's female share of usual residents at Census 2021 is applied to its
    mid-2020 persons estimate at every age. This ignores how the sex ratio varies with
    age (more boys at birth, more women at older ages), so female and male counts by age
    are approximate; persons counts are unaffected.

    Parameters
    ----------
    persons
        Long table with columns ``ltla_code``, ``age``, ``population`` (persons).
    sex_totals
        One row per district: ``ltla_code``, ``total_population``, ``total_females``.

    Returns
    -------
    pandas.DataFrame
        ``ltla_code``, ``age``, ``sex`` ("female"/"male"), ``population`` (float) and
        ``sex_basis`` naming the assumption.
    """
    missing = sorted(set(persons["ltla_code"]) - set(sex_totals["ltla_code"]))
    if missing:
        raise ParameterError(
            f"No Census 2021 sex totals for district(s) {', '.join(missing[:5])}.",
            "The sex totals file must cover every district of the population file.",
        )
    share = sex_totals.set_index("ltla_code")
    female_share = (share["total_females"] / share["total_population"]).rename("female_share")
    merged = persons.join(female_share, on="ltla_code")
    female = merged.assign(sex="female", population=merged["population"] * merged["female_share"])
    male = merged.assign(sex="male", population=merged["population"] * (1 - merged["female_share"]))
    out = pd.concat([female, male], ignore_index=True).drop(columns="female_share")
    out["sex_basis"] = SEX_BASIS_ASSUMED
    return out


def build_population(given: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Mid-2020 persons by single year of age, split by sex, for every reporting area.

    Source: ONS mid-2020 estimates for districts (2021 codes), summed to upper-tier
    authorities, regions and England; the female/male split is :func:`split_persons_by_sex`.

    Parameters
    ----------
    given
        ``areas`` and ``authorities`` (from the geography step).

    Returns
    -------
    dict
        ``population``: area, sex (persons, female, male), age 0-90 (90 = 90+), population,
        year and the ``sex_basis`` of each row.
    """
    areas = given["areas"]
    authorities = given["authorities"]
    mye = read_raw_csv(
        "mye2020_ltla21_sya", with_age_columns(MyePersonsByAge), dtype={"ltla21_code": str, "ltla21_name": str}
    )
    census = read_raw_csv("census2021_ltla21_sex", census_sex_schema(), dtype={"ltla21_code": str})
    mye = mye[mye["ltla21_code"].str.startswith("E")]
    unmatched = sorted(set(mye["ltla21_code"]) ^ set(areas["ltla_code"]))
    if unmatched:
        raise ValidationError(
            f"Population districts and lookup districts differ: {unmatched[:8]}",
            "Both files must use the 2021 district codes.",
        )
    ages = age_columns()
    persons = mye.melt(id_vars="ltla21_code", value_vars=ages, var_name="age_label", value_name="population")
    persons = persons.rename(columns={"ltla21_code": "ltla_code"})
    persons["age"] = persons["age_label"].str.rstrip("+").astype(int)
    persons = persons[["ltla_code", "age", "population"]].astype({"population": "float64"})
    sexed = split_persons_by_sex(persons, census.rename(columns={"ltla21_code": "ltla_code"}))
    long = pd.concat([persons.assign(sex="persons", sex_basis=SEX_BASIS_OBSERVED), sexed], ignore_index=True)

    geo = areas.set_index("ltla_code")
    frames = []
    for level, key in (("utla", "utla_code"), ("region", "region_code"), ("country", "country_code")):
        grouped = long.assign(area_code=long["ltla_code"].map(geo[key]))
        frames.append(
            grouped.groupby(["area_code", "sex", "age", "sex_basis"], as_index=False)["population"]
            .sum()
            .assign(level=level)
        )
    pop = pd.concat(frames, ignore_index=True)
    pop["area_name"] = pop["area_code"].map(authorities.set_index("area_code")["area_name"])
    pop["age_label"] = pop["age"].map(lambda a: "90+" if a == 90 else str(a))
    pop["year"] = 2020
    pop["source_id"] = "mye2020_ltla21_sya"
    sex_order = {"persons": 0, "female": 1, "male": 2}
    pop = (
        pop.assign(_s=pop["sex"].map(sex_order))
        .sort_values(["area_code", "_s", "age"])
        .drop(columns="_s")
        .reset_index(drop=True)
    )
    missing = sorted(set(authorities["area_code"]) - set(pop["area_code"]))
    if missing:
        raise ValidationError(f"No population built for {missing}.")
    return {
        "population": pop[
            [
                "area_code",
                "area_name",
                "level",
                "sex",
                "age",
                "age_label",
                "population",
                "year",
                "sex_basis",
                "source_id",
            ]
        ]
    }


STEPS = (
    Step(
        "population",
        ("mye2020_ltla21_sya", "census2021_ltla21_sex"),
        ("population",),
        build_population,
        needs=("areas", "authorities"),
    ),
)
