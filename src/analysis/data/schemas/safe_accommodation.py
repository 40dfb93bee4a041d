"""Pandera models of the national safe accommodation facts (transcribed files and the authored table)."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from analysis import config
from analysis.data.schemas.common import GSS_CODE


class SafeAccommodationFacts(pa.DataFrameModel):
    """Transcribed national safe accommodation figures (``safe_accommodation/*_headlines.csv``).

    One published figure per row: period, geography, measure, value and the page it is
    printed on.
    """

    period: Series[str] = pa.Field(str_length={"min_value": 1})
    geography_code: Series[str] = pa.Field(str_matches=GSS_CODE)
    geography_name: Series[str] = pa.Field(str_length={"min_value": 1})
    measure: Series[str] = pa.Field(str_matches=r"^[a-z0-9_]+$")
    value: Series[float] = pa.Field(ge=0)
    source_title: Series[str] = pa.Field(str_length={"min_value": 1})
    source_url: Series[str] = pa.Field(str_startswith="http")

    class Config:
        coerce = True
        strict = False


class AuthoredSafeAccommodationFacts(SafeAccommodationFacts):
    """The authored national facts table adds the unit, accommodation type and seed document."""

    unit: Series[str] = pa.Field(isin=["count", "percent"])
    accommodation_type: Series[str] = pa.Field(isin=list(config.ACCOMMODATION_TYPES), nullable=True)
    source_document: Series[str] = pa.Field(nullable=True)

    @pa.dataframe_check(error="a percent value is above 100")
    def percent_at_most_100(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["unit"] != "percent") | (pd.to_numeric(df["value"], errors="coerce") <= 100)
