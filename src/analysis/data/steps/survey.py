"""Prevalence figures from surveys and research: crime survey rates, children's rates, young people.

Sources: the authored tables in ``data/raw/authored`` (figures typed in from publications, each
row citing its page), the transcribed Crime Survey for England and Wales headline rates and the
ONS SDG indicator 5.2.1 file (women's partner abuse, by age and region).

Tables
------
``csew_rates``             crime survey prevalence figures, tidy, one row per published figure.
``children_rates``         published rates per 1,000 children, one row per figure.
``young_people_research``  research figures on teenage relationship abuse (the 14-15 scenario).
``young_people_local``     local facts about young people from the seed strategies.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis import config
from analysis.data.schemas.survey import (
    AuthoredChildrenRates,
    AuthoredCsewRates,
    CsewRates,
    SdgPartnerAbuse,
    YoungPeopleLocalFacts,
    YoungPeopleResearchFacts,
)
from analysis.data.steps.base import Step, raw_label, read_raw_csv
from analysis.errors import ValidationError

#: GSS code of England and Wales together, the geography of the crime survey's published rates.
ENGLAND_AND_WALES_CODE = "K04000001"

# ------------------------------------------------------------------------------------------
# Crime survey rates
# ------------------------------------------------------------------------------------------

CSEW_COLUMNS = [
    "survey_year",
    "sex",
    "age_band",
    "measure",
    "measure_version",
    "geography_code",
    "percent",
    "ci_lower",
    "ci_upper",
    "source_title",
    "source_url",
    "source_document",
    "notes",
    "source_id",
]
CSEW_KEY = ["survey_year", "sex", "age_band", "measure", "measure_version", "geography_code"]
SDG_SOURCE_TITLE = (
    "Domestic abuse prevalence and victim characteristics - appendix tables (ONS), via UK SDG indicator 5.2.1"
)
SDG_SOURCE_URL = (
    "https://www.ons.gov.uk/peoplepopulationandcommunity/crimeandjustice/datasets/"
    "domesticabuseprevalenceandvictimcharacteristicsappendixtables"
)


def _sdg_age(text: str) -> str:
    text = str(text).replace("Women aged ", "").strip()
    if text.endswith(" and over"):
        return text.replace(" and over", "+")
    return text.replace(" to ", "-")


def _sdg_status(status: object) -> str:
    text = str(status) if isinstance(status, str) else ""
    if "suppressed" in text:
        return " Suppressed by ONS (too few respondents)."
    if "Missing" in text:
        return " No estimate published for this year."
    return ""


def _pre_2024(frame: pd.DataFrame, label: str) -> pd.Series:
    years = frame["survey_year"].str[-4:].astype(int)
    if (years >= 2024).any():
        raise ValidationError(
            f"{label} has survey years from 2024 on, which may use the new CSEW measure.",
            "Add such figures to data/raw/authored/csew_prevalence_rates.csv with an explicit measure_version instead.",
        )
    return pd.Series("pre-2024", index=frame.index)


def build_csew_rates(given: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Combine the authored rates table, the transcribed headlines and the SDG 5.2.1 file.

    Sources: ``authored/csew_prevalence_rates.csv`` (read first, so its rows win), the
    transcribed CSEW headline rates and the ONS SDG 5.2.1 indicator file. The same figure from
    two sources is kept once with the other named in ``notes``; two different values stop the build.

    Parameters
    ----------
    given
        Not used (the step needs no earlier table).

    Returns
    -------
    dict
        ``csew_rates``: one row per figure (:data:`CSEW_KEY`), columns :data:`CSEW_COLUMNS`.
    """
    authored = read_raw_csv(
        "csew_rates_authored", AuthoredCsewRates, dtype={"survey_year": str, "sex": str, "age_band": str}
    )
    authored["source_id"] = "csew_rates_authored"

    staged = read_raw_csv("csew_headlines_transcribed", CsewRates, dtype={"age_band": str})
    staged = staged.assign(
        measure_version=_pre_2024(staged, "csew_domestic_abuse_by_sex_age.csv"),
        geography_code=ENGLAND_AND_WALES_CODE,
        source_document=None,
        source_id="csew_headlines_transcribed",
    )

    sdg = read_raw_csv("sdg_521_partner_abuse_women", SdgPartnerAbuse, dtype=str)
    sdg = sdg.astype({"Value": "float64"})
    other = [
        c
        for c in sdg.columns
        if c
        not in {"Year", "Series", "Units", "Age", "Region", "GeoCode", "Value", "Unit multiplier", "Observation status"}
    ]
    base = sdg[sdg[other].isna().all(axis=1)]
    base = base[base["Age"].isna() | base["Region"].isna()]
    sdg_rows = pd.DataFrame(
        {
            "survey_year": "YE Mar 20" + base["Year"].str[-2:],
            "sex": "female",
            "age_band": base["Age"].fillna(base["Series"]).map(_sdg_age),
            "measure": "partner_abuse",
            "geography_code": base["GeoCode"].fillna(ENGLAND_AND_WALES_CODE),
            "percent": base["Value"].round(4),
            "ci_lower": float("nan"),
            "ci_upper": float("nan"),
            "source_title": SDG_SOURCE_TITLE,
            "source_url": SDG_SOURCE_URL,
            "source_document": None,
            "notes": (
                "Women, any partner abuse in the last 12 months."
                + base["Observation status"].map(_sdg_status)
                + base["Region"].map(lambda r: f" Region: {r}." if isinstance(r, str) else "")
            ),
            "source_id": "sdg_521_partner_abuse_women",
        }
    )
    sdg_rows["measure_version"] = _pre_2024(sdg_rows, "ons_sdg_indicator_5-2-1_partner_abuse_women.csv")

    combined = pd.concat([authored[CSEW_COLUMNS], staged[CSEW_COLUMNS], sdg_rows[CSEW_COLUMNS]], ignore_index=True)
    combined["notes"] = combined["notes"].fillna("")
    # The same figure from two sources: keep the first (authored table first), note the other.
    kept = []
    for _, group in combined.groupby(CSEW_KEY, sort=False, dropna=False):
        first = group.iloc[0].copy()
        for _, other_row in group.iloc[1:].iterrows():
            same = (pd.isna(first["percent"]) and pd.isna(other_row["percent"])) or first["percent"] == other_row[
                "percent"
            ]
            if not same:
                raise ValidationError(
                    f"Conflicting crime survey figures for {dict(first[CSEW_KEY])}: {first['percent']} "
                    f"({first['source_title']}) and {other_row['percent']} ({other_row['source_title']}).",
                    "Keep one figure per survey year, sex, age band and measure in data/raw/authored/"
                    "csew_prevalence_rates.csv, or give them different measure or measure_version values.",
                )
            first["notes"] = (first["notes"] + f" Also published in: {other_row['source_title']}.").strip()
        kept.append(first)
    rates = pd.DataFrame(kept)[CSEW_COLUMNS]
    rates = rates.sort_values(CSEW_KEY + ["source_id"]).reset_index(drop=True)
    for column in ("percent", "ci_lower", "ci_upper"):
        rates[column] = rates[column].astype("float64")
    return {"csew_rates": rates}


# ------------------------------------------------------------------------------------------
# Young people aged 14-18 (authored facts)
# ------------------------------------------------------------------------------------------


def build_young_people_facts(given: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The authored research figures (for the 14-15 scenario) and local facts about young people.

    Sources: ``authored/young_people_research_facts.csv`` and ``authored/young_people_local_facts.csv``,
    every row citing the publication and page it was read on.

    Parameters
    ----------
    given
        ``authorities``: the local facts must name a reporting area of the geography vintage.

    Returns
    -------
    dict
        ``young_people_research`` and ``young_people_local``.
    """
    research = read_raw_csv("young_people_research_authored", YoungPeopleResearchFacts, dtype=str)
    low = research.loc[research["scenario_bound"] == "low", "value"]
    high = research.loc[research["scenario_bound"] == "high", "value"]
    if len(low) and len(high) and low.min() > high.max():
        raise ValidationError(
            f"{raw_label('young_people_research_authored')}: the scenario_bound 'low' figure "
            f"({low.min():g}) is above the 'high' figure ({high.max():g}).",
            "Mark the lower figure 'low' and the higher one 'high' in the scenario_bound column.",
        )
    local = read_raw_csv("young_people_local_authored", YoungPeopleLocalFacts, dtype=str)
    known = set(given["authorities"]["area_code"])
    unknown = local[~local["area_code"].isin(known)]
    if len(unknown):
        line = int(unknown.index[0]) + 2
        raise ValidationError(
            f"{raw_label('young_people_local_authored')} failed validation: line {line}, "
            f"column 'area_code', value {unknown['area_code'].iloc[0]!r}: not a reporting area of the "
            f"{config.GEOGRAPHY_VINTAGE}.",
            "Use an upper-tier authority, region or England code (see 'analysis areas list').",
        )
    local = local.sort_values(["area_code", "topic", "measure", "period"]).reset_index(drop=True)
    return {
        "young_people_research": research.reset_index(drop=True).assign(source_id="young_people_research_authored"),
        "young_people_local": local.assign(source_id="young_people_local_authored"),
    }


# ------------------------------------------------------------------------------------------
# Rates per 1,000 children (authored table)
# ------------------------------------------------------------------------------------------

CHILDREN_RATES_COLUMNS = [
    "indicator",
    "year",
    "age_band",
    "geography_code",
    "rate_per_1000",
    "ci_lower",
    "ci_upper",
    "source_title",
    "source_url",
    "source_document",
    "notes",
    "source_id",
]


def build_children_rates(given: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Rates per 1,000 children typed in from publications (authored table), validated and sorted.

    Source: ``authored/children_rates.csv``, every row citing its publication.

    Parameters
    ----------
    given
        Not used (the step needs no earlier table).

    Returns
    -------
    dict
        ``children_rates``: columns :data:`CHILDREN_RATES_COLUMNS`.
    """
    rates = read_raw_csv(
        "children_rates_authored",
        AuthoredChildrenRates,
        dtype={"age_band": str, "source_url": str, "source_document": str},
    )
    rates["notes"] = rates["notes"].fillna("") if "notes" in rates.columns else ""
    rates["source_id"] = "children_rates_authored"
    rates = rates[CHILDREN_RATES_COLUMNS].sort_values(["indicator", "year", "age_band", "geography_code"])
    for column in ("rate_per_1000", "ci_lower", "ci_upper"):
        rates[column] = rates[column].astype("float64")
    return {"children_rates": rates.reset_index(drop=True)}


STEPS = (
    Step(
        "csew_rates",
        ("csew_rates_authored", "csew_headlines_transcribed", "sdg_521_partner_abuse_women"),
        ("csew_rates",),
        build_csew_rates,
    ),
    Step(
        "young_people",
        ("young_people_research_authored", "young_people_local_authored"),
        ("young_people_research", "young_people_local"),
        build_young_people_facts,
        needs=("authorities",),
    ),
    Step("children_rates", ("children_rates_authored",), ("children_rates",), build_children_rates),
)
