"""Pandera models of the prevalence figures: crime survey rates, SDG 5.2.1, young people, children's rates."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from analysis.data.schemas.common import AGE_BAND, GSS_CODE, SEXES, SURVEY_YEAR

# ------------------------------------------------------------------------------------------
# Crime survey rates
# ------------------------------------------------------------------------------------------


class CsewRates(pa.DataFrameModel):
    """Crime survey prevalence rates table (transcribed headline file and the authored table).

    One row per published figure: ``percent`` of the population group with an interval
    where the publication printed one, and the publication it comes from.
    """

    survey_year: Series[str] = pa.Field(str_matches=SURVEY_YEAR)
    sex: Series[str] = pa.Field(isin=SEXES)
    age_band: Series[str] = pa.Field(str_matches=AGE_BAND)
    measure: Series[str] = pa.Field(str_matches=r"^[a-z0-9_]+$")
    percent: Series[float] = pa.Field(ge=0, le=100, nullable=True)
    ci_lower: Series[float] = pa.Field(ge=0, le=100, nullable=True)
    ci_upper: Series[float] = pa.Field(ge=0, le=100, nullable=True)
    source_title: Series[str] = pa.Field(str_length={"min_value": 1})
    source_url: Series[str] = pa.Field(str_startswith="http")

    class Config:
        coerce = True
        strict = False

    @pa.dataframe_check(error="ci_lower <= percent <= ci_upper does not hold")
    def interval_contains_estimate(cls, df: pd.DataFrame) -> Series[bool]:
        has = df["ci_lower"].notna() & df["ci_upper"].notna() & df["percent"].notna()
        ok = (df["ci_lower"] <= df["percent"]) & (df["percent"] <= df["ci_upper"])
        return ~has | ok

    @pa.dataframe_check(error="only one of ci_lower / ci_upper is given")
    def interval_complete(cls, df: pd.DataFrame) -> Series[bool]:
        return df["ci_lower"].isna() == df["ci_upper"].isna()


class AuthoredCsewRates(CsewRates):
    """The authored rates table adds the measure version, geography and seed document."""

    measure_version: Series[str] = pa.Field(isin=["pre-2024", "2024+"])
    geography_code: Series[str] = pa.Field(str_matches=GSS_CODE)
    source_document: Series[str] = pa.Field(nullable=True)


class SdgPartnerAbuse(pa.DataFrameModel):
    """ONS SDG 5.2.1 indicator file (women's partner abuse); the columns the build uses."""

    Year: Series[str] = pa.Field(str_matches=r"^\d{4}/\d{2}$")
    Series_: Series[str] = pa.Field(alias="Series")
    Value: Series[float] = pa.Field(ge=0, le=100, nullable=True)

    class Config:
        coerce = True
        strict = False


# ------------------------------------------------------------------------------------------
# Young people aged 14-18: authored facts tables
# ------------------------------------------------------------------------------------------


class YoungPeopleResearchFacts(pa.DataFrameModel):
    """Published research on teenage relationship abuse (``authored/young_people_research_facts.csv``).

    One row per figure, with the population surveyed, the definition, the publication and
    the page the figure was read on. ``scenario_bound`` marks the figures that set the
    default 14-15 scenario range ("low", "high") and is empty for context figures.
    """

    fact_id: Series[str] = pa.Field(str_matches=r"^[a-z0-9_]+$", unique=True)
    study: Series[str] = pa.Field(str_length={"min_value": 1})
    publication: Series[str] = pa.Field(str_length={"min_value": 1})
    publication_url: Series[str] = pa.Field(str_startswith="http")
    population_surveyed: Series[str] = pa.Field(str_length={"min_value": 1})
    sex: Series[str] = pa.Field(isin=SEXES)
    measure: Series[str] = pa.Field(str_matches=r"^[a-z0-9_]+$")
    definition: Series[str] = pa.Field(str_length={"min_value": 1})
    timeframe: Series[str] = pa.Field(str_length={"min_value": 1})
    denominator: Series[str] = pa.Field(str_length={"min_value": 1})
    value: Series[float] = pa.Field(ge=0)
    unit: Series[str] = pa.Field(isin=["percent", "count"])
    quoted_text: Series[str] = pa.Field(str_length={"min_value": 1})
    source_url: Series[str] = pa.Field(str_startswith="http")
    source_section: Series[str] = pa.Field(str_length={"min_value": 1})
    scenario_bound: Series[str] = pa.Field(isin=["low", "high"], nullable=True)
    notes: Series[str] = pa.Field(nullable=True)

    class Config:
        coerce = True
        strict = True

    @pa.dataframe_check(error="a percent value is above 100")
    def percent_at_most_100(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["unit"] != "percent") | (df["value"] <= 100)

    @pa.dataframe_check(error="a scenario bound must be a percent")
    def bounds_are_percents(cls, df: pd.DataFrame) -> Series[bool]:
        return df["scenario_bound"].isna() | (df["unit"] == "percent")


class YoungPeopleLocalFacts(pa.DataFrameModel):
    """Local and national facts typed in from the seed strategies (``authored/young_people_local_facts.csv``)."""

    area_code: Series[str] = pa.Field(str_matches=r"^E(06|08|09|10|12|92)\d{6}$")
    area_name: Series[str] = pa.Field(str_length={"min_value": 1})
    period: Series[str] = pa.Field(str_length={"min_value": 1})
    topic: Series[str] = pa.Field(str_matches=r"^[a-z0-9_]+$")
    measure: Series[str] = pa.Field(str_matches=r"^[a-z0-9_]+$")
    value: Series[float] = pa.Field(ge=0)
    unit: Series[str] = pa.Field(str_length={"min_value": 1})
    age_scope: Series[str] = pa.Field(str_length={"min_value": 1})
    quote: Series[str] = pa.Field(str_length={"min_value": 1})
    source_title: Series[str] = pa.Field(str_length={"min_value": 1})
    source_url: Series[str] = pa.Field(str_startswith="http")
    source_document: Series[str] = pa.Field(nullable=True)
    source_section: Series[str] = pa.Field(str_length={"min_value": 1})
    notes: Series[str] = pa.Field(nullable=True)

    class Config:
        coerce = True
        strict = True
        unique = ["area_code", "period", "measure"]


# Children's rates (authored table: data/raw/authored/children_rates.csv)
# ------------------------------------------------------------------------------------------


class AuthoredChildrenRates(pa.DataFrameModel):
    """Published rates per 1,000 children (e.g. children living with domestic abuse), one row per figure.

    Every row names its publication (``source_title``) and where it was read: a URL
    (``source_url``) and/or the seed document and section (``source_document``).
    """

    indicator: Series[str] = pa.Field(str_matches=r"^[a-z0-9_]+$")
    year: Series[int] = pa.Field(ge=1990, le=2100)
    age_band: Series[str] = pa.Field(str_matches=AGE_BAND)
    geography_code: Series[str] = pa.Field(str_matches=GSS_CODE)
    rate_per_1000: Series[float] = pa.Field(ge=0, le=1000)
    ci_lower: Series[float] = pa.Field(ge=0, le=1000, nullable=True)
    ci_upper: Series[float] = pa.Field(ge=0, le=1000, nullable=True)
    source_title: Series[str] = pa.Field(str_length={"min_value": 1})
    source_url: Series[str] = pa.Field(str_startswith="http", nullable=True)
    source_document: Series[str] = pa.Field(nullable=True)

    class Config:
        coerce = True
        strict = False
        unique = ["indicator", "year", "age_band", "geography_code"]

    @pa.dataframe_check(error="give source_url or source_document (where the figure was read)")
    def cites_where_read(cls, df: pd.DataFrame) -> Series[bool]:
        return df["source_url"].notna() | df["source_document"].notna()

    @pa.dataframe_check(error="ci_lower <= rate_per_1000 <= ci_upper does not hold, or only one limit is given")
    def interval_ok(cls, df: pd.DataFrame) -> Series[bool]:
        has = df["ci_lower"].notna() & df["ci_upper"].notna()
        ok = (df["ci_lower"] <= df["rate_per_1000"]) & (df["rate_per_1000"] <= df["ci_upper"])
        return (df["ci_lower"].isna() == df["ci_upper"].isna()) & (~has | ok)
