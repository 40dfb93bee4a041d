"""Census 2021 tables for districts: TS009 (sex by single year of age), TS021 (ethnic group), TS038 (disability).

Source: Office for National Statistics, Census 2021 (Census Day, 21 March 2021), bulk
downloads for lower-tier local authorities on 2021 codes: TS009 "Sex by single year of
age" (edition 2021, version 1), TS021 "Ethnic group" and TS038 "Disability" (version 2).
Crown copyright, Open Government Licence v3.0. The files and their provenance are listed in
``data/raw/sources.yaml`` (ids in :data:`POPULATION_INPUTS` and :data:`CENSUS_INPUTS`).

Census counts carry ONS cell-key perturbation: every published cell may have been moved by a
few people, so sums of cells from different tables (TS009's ages, TS021's groups) differ by a
few people per district. No table here is adjusted to another's total.

What this module gives the build
--------------------------------
* :func:`build_census_population` - the ``population`` table, the population base of every
  rate and estimate, from TS009: female and male observed by single year of age, persons =
  female + male. Its step is registered by :mod:`analysis.data.steps.population` (the
  population family), :func:`population_step` here.
* :func:`build_census_groups` - ``census_groups``: residents by ethnic group (TS021) and by
  disability (TS038) for every upper-tier authority, region and England.
* :func:`build_district_residents` - ``census_district_residents``: usual residents per
  district by sex (the weights of :mod:`analysis.methods.deprivation`).

``read_raw_csv`` (the build's validating reader) is passed to the step functions as
``read_csv``, so tests can run them with another reader.

Size: about 530 lines for one job, the three Census 2021 tables of one bulk-download layout:
the reader, the category lists that build each schema and the checks are shared by all three.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial

import pandas as pd
import pandera.pandas as pa

from analysis import config
from analysis.data import schemas, sources
from analysis.data.steps.base import Step, read_raw_csv
from analysis.errors import ParameterError, ValidationError

#: The manifest id of TS009 and the ``source_id`` of every row built from it.
TS009_ID = "census2021_ts009_ltla21_sya"
TS021_ID = "census2021_ts021_ltla21_ethnic_group"
TS038_ID = "census2021_ts038_ltla21_disability"
POPULATION_INPUTS = (TS009_ID,)
CENSUS_INPUTS = (TS009_ID, TS021_ID, TS038_ID)
CENSUS_OUTPUTS = ("census_district_residents", "census_groups")

#: The ``sex_basis`` of every row of the Census population: nothing is split or assumed.
SEX_BASIS = "observed (ONS Census 2021, TS009 sex by single year of age; persons = female + male)"
CENSUS_YEAR = 2021

AREA_CODE = "Lower Tier Local Authorities Code"
AREA_NAME = "Lower Tier Local Authorities"
OBSERVATION = "Observation"
SEX = "Sex (2 categories)"
AGE = "Age (91 categories)"
ETHNIC_GROUP = "Ethnic group (20 categories)"
DISABILITY = "Disability (5 categories)"
#: ONS's code for "Does not apply" (people outside the table's population: 0 in these tables).
DOES_NOT_APPLY = -8

SEX_CATEGORIES = {1: "Female", 2: "Male"}
AGE_CATEGORIES = {
    age: "Aged under 1 year"
    if age == 0
    else "Aged 1 year"
    if age == 1
    else "Aged 90 years and over"
    if age == 90
    else f"Aged {age} years"
    for age in range(91)
}
#: TS021's categories exactly as ONS labels them (code -> label).
ETHNIC_GROUP_CATEGORIES = {
    DOES_NOT_APPLY: "Does not apply",
    1: "Asian, Asian British or Asian Welsh: Bangladeshi",
    2: "Asian, Asian British or Asian Welsh: Chinese",
    3: "Asian, Asian British or Asian Welsh: Indian",
    4: "Asian, Asian British or Asian Welsh: Pakistani",
    5: "Asian, Asian British or Asian Welsh: Other Asian",
    6: "Black, Black British, Black Welsh, Caribbean or African: African",
    7: "Black, Black British, Black Welsh, Caribbean or African: Caribbean",
    8: "Black, Black British, Black Welsh, Caribbean or African: Other Black",
    9: "Mixed or Multiple ethnic groups: White and Asian",
    10: "Mixed or Multiple ethnic groups: White and Black African",
    11: "Mixed or Multiple ethnic groups: White and Black Caribbean",
    12: "Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups",
    13: "White: English, Welsh, Scottish, Northern Irish or British",
    14: "White: Irish",
    15: "White: Gypsy or Irish Traveller",
    16: "White: Roma",
    17: "White: Other White",
    18: "Other ethnic group: Arab",
    19: "Other ethnic group: Any other ethnic group",
}
#: TS038's categories exactly as ONS labels them (code -> label).
DISABILITY_CATEGORIES = {
    DOES_NOT_APPLY: "Does not apply",
    1: "Disabled under the Equality Act: Day-to-day activities limited a lot",
    2: "Disabled under the Equality Act: Day-to-day activities limited a little",
    3: "Not disabled under the Equality Act: Has long term physical or mental health condition but "
    "day-to-day activities are not limited",
    4: "Not disabled under the Equality Act: No long term physical or mental health conditions",
}
#: Table id -> (manifest id, dimension column, categories).
CATEGORY_TABLES: dict[str, tuple[str, str, dict[int, str]]] = {
    "TS021": (TS021_ID, ETHNIC_GROUP, ETHNIC_GROUP_CATEGORIES),
    "TS038": (TS038_ID, DISABILITY, DISABILITY_CATEGORIES),
}

POPULATION_COLUMNS = [
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
GROUP_COLUMNS = ["area_code", "area_name", "level", "table_id", "category_code", "category", "residents", "source_id"]
DISTRICT_COLUMNS = [
    "ltla_code",
    "ltla_name",
    "utla_code",
    "region_code",
    "sex",
    "residents",
    "year",
    "source_id",
]
#: The three reporting levels of the processed tables and the ``areas`` column each groups by.
LEVELS = (("utla", "utla_code", "utla_name"), ("region", "region_code", "region_name"), ("country", None, None))
SEX_ORDER = {"persons": 0, "female": 1, "male": 2}
AREAS_COLUMNS = ("ltla_code", "utla_code", "utla_name", "region_code", "region_name")

RawReader = Callable[..., pd.DataFrame]


# ------------------------------------------------------------------------------------------
# Raw-file schemas
# ------------------------------------------------------------------------------------------


def census_schema(dimensions: Mapping[str, Mapping[int, str]]) -> pa.DataFrameSchema:
    """Pandera schema of an ONS Census 2021 bulk download for lower-tier authorities.

    The layout is ``<area code>, <area name>``, then for each dimension ``"<D> Code", "<D>"``,
    then ``Observation``. Every cell is checked, and a failure names line, column and value
    (see :func:`analysis.data.schemas.validate_table`): district codes of England or Wales,
    ONS's own category codes and labels, each combination once per district, observations
    whole counts of 0 or more. :func:`census_problems` adds the rules across columns and rows.

    Parameters
    ----------
    dimensions
        Dimension column (e.g. ``"Sex (2 categories)"``) -> ONS category code -> label.
    """
    columns: dict[str, pa.Column] = {
        AREA_CODE: pa.Column(str, pa.Check.str_matches(schemas.ENGLAND_WALES_LA_CODE), coerce=True),
        AREA_NAME: pa.Column(str, pa.Check.str_length(min_value=1), coerce=True),
        OBSERVATION: schemas.count_column(),
    }
    for dimension, categories in dimensions.items():
        codes = sorted(categories)
        if codes == list(range(codes[0], codes[-1] + 1)):  # a run of codes (ages): say the range, not the list
            code_checks = [pa.Check.ge(codes[0]), pa.Check.le(codes[-1])]
        else:
            code_checks = [pa.Check.isin(codes)]
        columns[f"{dimension} Code"] = pa.Column(int, code_checks, coerce=True)
        columns[dimension] = pa.Column(str, pa.Check.str_length(min_value=1), coerce=True)
    return pa.DataFrameSchema(columns, strict=False)


def key_problems(df: pd.DataFrame, key: list[str], per: str, expected: int, what: str) -> list[str]:
    """Rows that repeat another row's ``key``, and ``per`` groups without ``expected`` rows.

    One line per failure, naming the file line (row 0 = line 2), the column and the value:
    ``line 31, column 'X', value 'E06000001': repeats line 30 (...)``.

    Parameters
    ----------
    df
        A table as read (default index, row 0 = file line 2).
    key
        Columns that together identify a row; the first names the district.
    per, expected, what
        Each value of column ``per`` must have ``expected`` rows, one per ``what``.
    """
    problems = []
    lines = pd.Series(df.index + 2, index=df.index)
    first_of_key = lines.groupby([df[column] for column in key], sort=False).transform("min")
    for index in df.index[df.duplicated(key, keep="first")]:
        shown = ", ".join(f"{column} {df.at[index, column]}" for column in key[1:])
        problems.append(
            f"line {lines[index]}, column {key[0]!r}, value {df.at[index, key[0]]!r}: repeats line "
            f"{first_of_key[index]} ({shown})"
        )
    sizes = df.groupby(per, sort=False).size()
    first_line = lines.groupby(df[per], sort=False).min()
    for value in sizes.index[sizes != expected]:
        problems.append(
            f"line {first_line[value]}, column {per!r}, value {value!r}: has {sizes[value]} rows, "
            f"not {expected} (one per {what})"
        )
    return problems


def census_problems(df: pd.DataFrame, dimensions: Mapping[str, Mapping[int, str]]) -> list[str]:
    """Rules across columns and rows of a validated Census table (empty list when it is sound).

    Each label must be ONS's label of its code, no row may repeat another's district and
    categories, and each district must have one row per combination of categories (e.g. 2
    sexes x 91 ages = 182). One line per failure, naming the file line, column and value.
    """
    problems = []
    for dimension, categories in dimensions.items():
        expected = df[f"{dimension} Code"].map(dict(categories))
        wrong = df.index[expected.astype(object) != df[dimension].astype(object)]
        for index in wrong:
            code = df.at[index, f"{dimension} Code"]
            problems.append(
                f"line {int(index) + 2}, column {dimension!r}, value {df.at[index, dimension]!r}: "
                f"is not ONS's label of code {code} ({categories.get(code, 'no such code')!r})"
            )
    cells = 1
    for categories in dimensions.values():
        cells *= len(categories)
    key = [AREA_CODE, *(f"{dimension} Code" for dimension in dimensions)]
    return problems + key_problems(df, key, AREA_CODE, cells, " x ".join(dimensions) + " category")


#: Manifest id -> the table's dimensions (column -> ONS code -> label).
DIMENSIONS: dict[str, dict[str, dict[int, str]]] = {
    TS009_ID: {SEX: SEX_CATEGORIES, AGE: AGE_CATEGORIES},
    TS021_ID: {ETHNIC_GROUP: ETHNIC_GROUP_CATEGORIES},
    TS038_ID: {DISABILITY: DISABILITY_CATEGORIES},
}
#: TS009: 331 districts x 2 sexes x 91 single years of age; TS021, TS038: 331 districts x categories.
SCHEMAS = {source_id: census_schema(dimensions) for source_id, dimensions in DIMENSIONS.items()}
TS009_SCHEMA = SCHEMAS[TS009_ID]
#: How the raw files are read: codes stay text, nothing but an empty cell is missing.
READ_OPTIONS = {"dtype": {AREA_CODE: str, AREA_NAME: str}, "keep_default_na": False, "na_values": [""]}


def read_census_table(source_id: str, read_csv: RawReader) -> pd.DataFrame:
    """Read and validate one of the Census files with the build's reader.

    Parameters
    ----------
    source_id
        One of :data:`CENSUS_INPUTS`.
    read_csv
        The build's ``read_raw_csv(source_id, schema, **read_csv_options)``, which names file,
        line, column and value of every failure of the schema.

    Raises
    ------
    ValidationError
        Naming file, line, column and value of every cell or row that breaks the schema or
        :func:`census_problems`.
    """
    if source_id not in SCHEMAS:
        raise ParameterError(f"No Census table with manifest id {source_id!r}.", f"Use one of {', '.join(SCHEMAS)}.")
    frame = read_csv(source_id, SCHEMAS[source_id], **READ_OPTIONS)
    problems = census_problems(frame, DIMENSIONS[source_id])
    if problems:
        raise schemas.problems_error(
            f"data/raw/{sources.get_source(source_id).path}",
            problems,
            "The file must be the ONS bulk download as published; restore it with 'analysis data get --force'.",
        )
    return frame


# ------------------------------------------------------------------------------------------
# Tidy frames and aggregation to reporting areas
# ------------------------------------------------------------------------------------------


def require_columns(frame: pd.DataFrame, columns: tuple[str, ...] | list[str], what: str) -> None:
    """Raise :class:`ParameterError` naming ``what`` unless it is a DataFrame with these columns."""
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(f"{what} must be a pandas DataFrame, got {type(frame).__name__}.")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ParameterError(f"{what} lacks column(s) {', '.join(map(repr, missing))}.")


def english_districts(frame: pd.DataFrame, areas: pd.DataFrame, what: str) -> pd.DataFrame:
    """The English rows of a Census table, checked to cover exactly the districts of ``areas``."""
    english = frame[frame[AREA_CODE].str.startswith("E")]
    differ = sorted(set(english[AREA_CODE]) ^ set(areas["ltla_code"]))
    if differ:
        raise ValidationError(
            f"{what}: its English districts and those of the areas table differ: {differ[:8]}.",
            "Both must use the 2021 district codes (309 English districts).",
        )
    return english


def to_reporting_areas(districts: pd.DataFrame, areas: pd.DataFrame, keys: list[str], value: str) -> pd.DataFrame:
    """Sum a district table to upper-tier authorities, regions and England.

    Parameters
    ----------
    districts
        Rows with ``ltla_code``, the ``keys`` columns and the numeric ``value`` column.
    areas
        The processed ``areas`` table (district -> upper-tier authority -> region).
    keys, value
        The columns kept (besides the area) and the column summed.

    Returns
    -------
    pandas.DataFrame
        ``area_code``, ``area_name``, ``level`` (utla, region, country), the keys and the sum.
    """
    geo = areas.set_index("ltla_code")
    frames = []
    for level, code_column, name_column in LEVELS:
        if code_column is None:
            code, name = (
                pd.Series(config.ENGLAND_CODE, index=geo.index),
                pd.Series(config.ENGLAND_NAME, index=geo.index),
            )
        else:
            code, name = geo[code_column], geo[name_column]
        grouped = districts.assign(
            area_code=districts["ltla_code"].map(code), area_name=districts["ltla_code"].map(name)
        )
        summed = grouped.groupby(["area_code", "area_name", *keys], as_index=False, sort=False)[value].sum()
        frames.append(summed.assign(level=level))
    return pd.concat(frames, ignore_index=True)


def _tidy_ts009(ts009: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """English TS009 rows as ``ltla_code, ltla_name, sex, age, population`` (female and male)."""
    require_columns(ts009, [AREA_CODE, AREA_NAME, f"{SEX} Code", f"{AGE} Code", OBSERVATION], "ts009")
    require_columns(areas, AREAS_COLUMNS, "areas")
    english = english_districts(ts009, areas, "TS009")
    cells = english[[AREA_CODE, f"{SEX} Code", f"{AGE} Code"]].astype({f"{SEX} Code": int, f"{AGE} Code": int})
    grid = pd.MultiIndex.from_product([sorted(areas["ltla_code"]), sorted(SEX_CATEGORIES), sorted(AGE_CATEGORIES)])
    if len(cells) != len(grid) or not pd.MultiIndex.from_frame(cells).sort_values().equals(grid):
        raise ValidationError(
            "TS009 does not have exactly one row per English district, sex (codes 1, 2) and age (codes 0-90).",
            "Pass the file as read and validated by read_census_table.",
        )
    sex = english[f"{SEX} Code"].astype(int).map({1: "female", 2: "male"})
    return pd.DataFrame(
        {
            "ltla_code": english[AREA_CODE].to_numpy(),
            "ltla_name": english[AREA_NAME].to_numpy(),
            "sex": sex.to_numpy(),
            "age": english[f"{AGE} Code"].astype("int64").to_numpy(),
            "population": english[OBSERVATION].astype("float64").to_numpy(),
        }
    )


def build_census_population(ts009: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Census 2021 usual residents by area, sex and single year of age: the ``population`` table.

    Female and male counts are TS009's own (observed, not split from persons); persons =
    female + male. Districts are summed to their upper-tier authority, region and England.

    Source: ONS, Census 2021, TS009 "Sex by single year of age", lower-tier local authorities
    (OGL v3). The value is the usual resident population on Census Day, 21 March 2021.

    Parameters
    ----------
    ts009
        The TS009 file as read (ONS column names), e.g. by :func:`read_census_table`.
    areas
        The processed ``areas`` table: the 309 English districts with ``utla_code``,
        ``utla_name``, ``region_code``, ``region_name``.

    Returns
    -------
    pandas.DataFrame
        :data:`POPULATION_COLUMNS`, one row per area (152 upper-tier authorities, 9 regions,
        England), sex (persons, female, male) and age 0..90 (90 = "90+"), sorted by area code,
        sex and age, with ``year`` 2021, ``sex_basis`` :data:`SEX_BASIS` and ``source_id``
        :data:`TS009_ID`.

    Raises
    ------
    ParameterError
        If a frame lacks a column.
    ValidationError
        If TS009's English districts are not those of ``areas``.
    """
    sexed = _tidy_ts009(ts009, areas)
    persons = sexed.groupby(["ltla_code", "age"], as_index=False)["population"].sum().assign(sex="persons")
    long = pd.concat([persons, sexed.drop(columns="ltla_name")], ignore_index=True)
    pop = to_reporting_areas(long, areas, ["sex", "age"], "population")
    pop["age_label"] = pop["age"].map(lambda age: "90+" if age == 90 else str(age))
    pop = pop.assign(year=CENSUS_YEAR, sex_basis=SEX_BASIS, source_id=TS009_ID)
    pop = (
        pop.assign(_sex=pop["sex"].map(SEX_ORDER))
        .sort_values(["area_code", "_sex", "age"])
        .drop(columns="_sex")
        .reset_index(drop=True)
    )
    return pop.astype({"age": "int64", "population": "float64", "year": "int64"})[POPULATION_COLUMNS]


def build_district_residents(ts009: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Usual residents of every English district by sex (persons, female, male), Census 2021 TS009.

    Returns
    -------
    pandas.DataFrame
        :data:`DISTRICT_COLUMNS`, 309 districts x 3 sexes; ``residents`` are whole counts
        (int64), persons = female + male.
    """
    sexed = _tidy_ts009(ts009, areas)
    by_sex = sexed.groupby(["ltla_code", "ltla_name", "sex"], as_index=False)["population"].sum()
    persons = by_sex.groupby(["ltla_code", "ltla_name"], as_index=False)["population"].sum().assign(sex="persons")
    table = pd.concat([persons, by_sex], ignore_index=True).rename(columns={"population": "residents"})
    geo = areas.set_index("ltla_code")
    table = table.assign(
        utla_code=table["ltla_code"].map(geo["utla_code"]),
        region_code=table["ltla_code"].map(geo["region_code"]),
        year=CENSUS_YEAR,
        source_id=TS009_ID,
    )
    table = (
        table.assign(_sex=table["sex"].map(SEX_ORDER))
        .sort_values(["ltla_code", "_sex"])
        .drop(columns="_sex")
        .reset_index(drop=True)
    )
    return table.astype({"residents": "int64", "year": "int64"})[DISTRICT_COLUMNS]


def build_census_groups(tables: Mapping[str, pd.DataFrame], areas: pd.DataFrame) -> pd.DataFrame:
    """Usual residents by ethnic group (TS021) and disability (TS038) for every reporting area.

    The "Does not apply" category (ONS code -8) is dropped after checking it is 0 everywhere:
    both tables cover all usual residents. Nothing else is combined or adjusted here; which
    categories make up a group is decided in :mod:`analysis.methods.groups`.

    Source: ONS, Census 2021, TS021 "Ethnic group" and TS038 "Disability", lower-tier local
    authorities (OGL v3).

    Parameters
    ----------
    tables
        ``{"TS021": frame, "TS038": frame}`` as read (ONS column names).
    areas
        The processed ``areas`` table.

    Returns
    -------
    pandas.DataFrame
        :data:`GROUP_COLUMNS`: one row per area (utla, region, country), table and category;
        ``residents`` are whole counts (int64).
    """
    unknown = sorted(set(tables) - set(CATEGORY_TABLES))
    if unknown or set(tables) != set(CATEGORY_TABLES):
        raise ParameterError(
            f"tables must hold exactly {', '.join(CATEGORY_TABLES)}, got {', '.join(map(repr, tables)) or 'nothing'}."
        )
    require_columns(areas, AREAS_COLUMNS, "areas")
    frames = []
    for table_id, (source_id, dimension, categories) in CATEGORY_TABLES.items():
        raw = tables[table_id]
        require_columns(raw, [AREA_CODE, f"{dimension} Code", OBSERVATION], table_id)
        english = english_districts(raw, areas, table_id)
        codes = english[f"{dimension} Code"].astype(int)
        not_applicable = english[codes == DOES_NOT_APPLY]
        if (not_applicable[OBSERVATION] != 0).any():
            first = not_applicable[not_applicable[OBSERVATION] != 0].iloc[0]
            raise ValidationError(
                f"{table_id}: 'Does not apply' is {first[OBSERVATION]:g} for {first[AREA_CODE]}, not 0.",
                "The table must cover all usual residents; check it is the usual-resident release.",
            )
        kept = english[codes != DOES_NOT_APPLY]
        tidy = pd.DataFrame(
            {
                "ltla_code": kept[AREA_CODE].to_numpy(),
                "category_code": kept[f"{dimension} Code"].astype("int64").to_numpy(),
                "residents": kept[OBSERVATION].astype("int64").to_numpy(),
            }
        )
        summed = to_reporting_areas(tidy, areas, ["category_code"], "residents")
        frames.append(
            summed.assign(table_id=table_id, category=summed["category_code"].map(categories), source_id=source_id)
        )
    groups = pd.concat(frames, ignore_index=True)
    groups = groups.sort_values(["area_code", "table_id", "category_code"]).reset_index(drop=True)
    return groups.astype({"category_code": "int64", "residents": "int64"})[GROUP_COLUMNS]


# ------------------------------------------------------------------------------------------
# Build steps
# ------------------------------------------------------------------------------------------


def population_step(raw: Mapping[str, pd.DataFrame], read_csv: RawReader) -> dict[str, pd.DataFrame]:
    """Build step: the ``population`` table from Census 2021 TS009 (needs the ``areas`` step first)."""
    return {"population": build_census_population(read_census_table(TS009_ID, read_csv), raw["areas"])}


def census_step(raw: Mapping[str, pd.DataFrame], read_csv: RawReader) -> dict[str, pd.DataFrame]:
    """Build step: ``census_district_residents`` (TS009) and ``census_groups`` (TS021, TS038)."""
    areas = raw["areas"]
    ts009 = read_census_table(TS009_ID, read_csv)
    tables = {table_id: read_census_table(spec[0], read_csv) for table_id, spec in CATEGORY_TABLES.items()}
    return {
        "census_district_residents": build_district_residents(ts009, areas),
        "census_groups": build_census_groups(tables, areas),
    }


STEPS = (
    Step(
        "census",
        CENSUS_INPUTS,
        CENSUS_OUTPUTS,
        partial(census_step, read_csv=read_raw_csv),
        needs=("areas",),
    ),
)
