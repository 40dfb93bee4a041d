"""Population: Census 2021 usual residents by sex and single year of age, for every reporting area.

Source: ONS, Census 2021 (Census Day, 21 March 2021), TS009 "Sex by single year of age" for
lower-tier local authorities on 2021 codes (``census2021_ts009_ltla21_sya``, OGL v3): the
same 2021 districts as the boundaries and the district lookup. Female and male counts are
observed at every age (no split of persons is assumed); persons = female + male. The reading,
validation and aggregation are in :mod:`analysis.data.steps.census`, which also builds the
other Census tables from the same file; this module is the one place that makes TS009 the
population base.

Table
-----
``population``   usual residents by area (upper-tier authority, region, England), sex
                 (persons, female, male) and single year of age 0-90 (90 = "90+"); ``year``
                 2021, ``sex_basis`` :data:`SEX_BASIS`, ``source_id`` :data:`SOURCE_ID`.
"""

from __future__ import annotations

from functools import partial

from analysis.data.steps import census
from analysis.data.steps.base import Step, read_raw_csv

#: Manifest id of the population base (the ``source_id`` of every row of ``population``).
SOURCE_ID = census.TS009_ID
#: The ``sex_basis`` of every row: observed, nothing split or assumed.
SEX_BASIS = census.SEX_BASIS
#: The reference date of the population base (Census Day, 21 March 2021).
YEAR = census.CENSUS_YEAR

STEPS = (
    Step(
        "population",
        census.POPULATION_INPUTS,
        ("population",),
        partial(census.population_step, read_csv=read_raw_csv),
        needs=("areas",),
    ),
)
