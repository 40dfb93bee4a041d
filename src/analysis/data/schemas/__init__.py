"""Pandera models for every raw table, and :func:`validate_table` that applies one.

A failure becomes a :class:`~analysis.errors.ValidationError` whose message names the file,
the line (row) in the file, the column, the offending value and the rule it broke, with a
hint on how to fix it. Models check what the processed build relies on: codes, keys,
non-negative counts and totals that add up.

The models live with their family of sources, as the build steps do (:mod:`analysis.data.steps`):

* :mod:`~analysis.data.schemas.common`: shared code patterns, count columns, :func:`validate_table`,
  :func:`format_failures` and :func:`problems_error`;
* :mod:`~analysis.data.schemas.geography`: the ONS district lookup and region list, the mySociety register;
* Census 2021 tables (the population base, TS009, and TS021, TS038): schemas built from ONS's own category
  lists in :mod:`analysis.data.steps.census` (:func:`~analysis.data.steps.census.census_schema`);
* :mod:`~analysis.data.schemas.survey`: crime survey rates, SDG 5.2.1, young people, children's rates;
* :mod:`~analysis.data.schemas.safe_accommodation`: national safe accommodation facts;
* :mod:`~analysis.data.schemas.local`: a council's own ``supply.csv`` and ``referrals.csv``.

Every model and helper is also importable from here (``schemas.LocalSupply``); a new family's
models may be imported from their own module.
"""

from analysis.data.schemas.common import (
    AGE_BAND,
    ENGLAND_WALES_LA_CODE,
    GSS_CODE,
    MAX_ERRORS_SHOWN,
    REGION_CODE,
    SEXES,
    SURVEY_YEAR,
    WHOLE_NUMBER,
    count_column,
    format_failures,
    problems_error,
    validate_table,
)
from analysis.data.schemas.geography import AuthorityRegister, DistrictLookup, RegionCodes
from analysis.data.schemas.local import (
    LOCAL_COUNT_HINT,
    LocalReferrals,
    LocalSupply,
    local_referrals_problems,
    local_supply_problems,
)
from analysis.data.schemas.safe_accommodation import AuthoredSafeAccommodationFacts, SafeAccommodationFacts
from analysis.data.schemas.survey import (
    AuthoredChildrenRates,
    AuthoredCsewRates,
    CsewRates,
    SdgPartnerAbuse,
    YoungPeopleLocalFacts,
    YoungPeopleResearchFacts,
)

__all__ = [
    "AGE_BAND",
    "ENGLAND_WALES_LA_CODE",
    "GSS_CODE",
    "LOCAL_COUNT_HINT",
    "MAX_ERRORS_SHOWN",
    "REGION_CODE",
    "SEXES",
    "SURVEY_YEAR",
    "WHOLE_NUMBER",
    "AuthoredChildrenRates",
    "AuthoredCsewRates",
    "AuthoredSafeAccommodationFacts",
    "AuthorityRegister",
    "CsewRates",
    "DistrictLookup",
    "LocalReferrals",
    "LocalSupply",
    "RegionCodes",
    "SafeAccommodationFacts",
    "SdgPartnerAbuse",
    "YoungPeopleLocalFacts",
    "YoungPeopleResearchFacts",
    "count_column",
    "format_failures",
    "local_referrals_problems",
    "local_supply_problems",
    "problems_error",
    "validate_table",
]
