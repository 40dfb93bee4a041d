"""Pandera models of the population files: ONS mid-year estimates and Census 2021 totals by sex."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from analysis.data.schemas.common import ENGLAND_WALES_LA_CODE, count_column


class MyePersonsByAge(pa.DataFrameModel):
    """ONS mid-year estimates, persons by single year of age (``mye2020_ltla21_...csv``)."""

    ltla21_code: Series[str] = pa.Field(str_matches=ENGLAND_WALES_LA_CODE, unique=True)
    ltla21_name: Series[str] = pa.Field(str_length={"min_value": 1})

    class Config:
        coerce = True
        strict = False

    @pa.dataframe_check(error="ages 0..89 and 90+ do not add up to total_population")
    def ages_sum_to_total(cls, df: pd.DataFrame) -> Series[bool]:
        ages = df[age_columns()].apply(pd.to_numeric, errors="coerce")
        total = pd.to_numeric(df["total_population"], errors="coerce")
        return (ages.sum(axis=1) == total) | ages.isna().any(axis=1) | total.isna()


def age_columns() -> list[str]:
    """Single-year-of-age column names of the ONS MYE2 layout: ``"0"`` ... ``"89"``, ``"90+"``."""
    return [str(age) for age in range(90)] + ["90+"]


def with_age_columns(model: type[pa.DataFrameModel]) -> pa.DataFrameSchema:
    """The model's schema plus total_population and one count column per single year of age."""
    extra = {"total_population": count_column(), **{name: count_column() for name in age_columns()}}
    return model.to_schema().add_columns(extra)


class CensusSexTotals(pa.DataFrameModel):
    """Census 2021 usual residents by sex (``census2021_ltla21_persons_females_males.csv``)."""

    ltla21_code: Series[str] = pa.Field(str_matches=ENGLAND_WALES_LA_CODE, unique=True)

    class Config:
        coerce = True
        strict = False

    @pa.dataframe_check(error="total_females + total_males differs from total_population")
    def sexes_sum_to_total(cls, df: pd.DataFrame) -> Series[bool]:
        f, m, t = (pd.to_numeric(df[c], errors="coerce") for c in ("total_females", "total_males", "total_population"))
        return (f + m == t) | f.isna() | m.isna() | t.isna()


def census_sex_schema() -> pa.DataFrameSchema:
    """Census sex totals with their count columns."""
    return CensusSexTotals.to_schema().add_columns(
        {name: count_column() for name in ("total_population", "total_females", "total_males")}
    )
