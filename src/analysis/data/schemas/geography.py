"""Pandera models of the geography files: the ONS district lookup and region list, the mySociety register."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from analysis.data.schemas.common import ENGLAND_WALES_LA_CODE, GSS_CODE, REGION_CODE


class DistrictLookup(pa.DataFrameModel):
    """ONS LTLA -> UTLA lookup (December 2022)."""

    LTLA22CD: Series[str] = pa.Field(str_matches=ENGLAND_WALES_LA_CODE, unique=True)
    LTLA22NM: Series[str] = pa.Field(str_length={"min_value": 1})
    UTLA22CD: Series[str] = pa.Field(str_matches=r"^[EW](06|08|09|10)\d{6}$")
    UTLA22NM: Series[str] = pa.Field(str_length={"min_value": 1})

    class Config:
        coerce = True
        strict = False


class RegionCodes(pa.DataFrameModel):
    """ONS region code list (``areacd, areanm``)."""

    areacd: Series[str] = pa.Field(str_matches=REGION_CODE, unique=True)
    areanm: Series[str] = pa.Field(unique=True)

    class Config:
        coerce = True
        strict = False


class AuthorityRegister(pa.DataFrameModel):
    """mySociety register of UK local authorities: the columns the build uses."""

    local_authority_code: Series[str] = pa.Field(alias="local-authority-code", unique=True)
    official_name: Series[str] = pa.Field(alias="official-name")
    nice_name: Series[str] = pa.Field(alias="nice-name")
    gss_code: Series[str] = pa.Field(alias="gss-code", nullable=True, str_matches=GSS_CODE)
    start_date: Series[str] = pa.Field(alias="start-date", nullable=True)
    end_date: Series[str] = pa.Field(alias="end-date", nullable=True)
    replaced_by: Series[str] = pa.Field(alias="replaced-by", nullable=True)
    nation: Series[str] = pa.Field(nullable=True)
    region: Series[str] = pa.Field(nullable=True)
    alt_names: Series[str] = pa.Field(alias="alt-names", nullable=True)

    class Config:
        coerce = True
        strict = False
