"""Pandera models for every raw table, and :func:`validate_table` that applies one.

A failure becomes a :class:`~analysis.errors.ValidationError` whose message names the file,
the line (row) in the file, the column, the offending value and the rule it broke, with a
hint on how to fix it. Models check what the processed build relies on: codes, keys,
non-negative counts and totals that add up.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from analysis.errors import ValidationError

GSS_CODE = r"^[EWSNK]\d{8}$"
ENGLAND_WALES_LA_CODE = r"^[EW]0[6-9]\d{6}$"
REGION_CODE = r"^E12\d{6}$"
SURVEY_YEAR = r"^YE Mar \d{4}$"
AGE_BAND = r"^(\d{1,2}-\d{1,2}|\d{1,2}\+)$"
SEXES = ["female", "male", "all"]
MAX_ERRORS_SHOWN = 12
#: Counts arrive as "4727" or "4727.0": read as numbers, then required to be whole and >= 0.
WHOLE_NUMBER = pa.Check(lambda s: s % 1 == 0, element_wise=False, error="is not a whole number")


def count_column(nullable: bool = False) -> pa.Column:
    """A column of counts: numeric, whole, not negative."""
    return pa.Column(float, [pa.Check.ge(0), WHOLE_NUMBER], coerce=True, nullable=nullable)


# ------------------------------------------------------------------------------------------
# Population and geography
# ------------------------------------------------------------------------------------------


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


def _with_age_columns(model: type[pa.DataFrameModel]) -> pa.DataFrameSchema:
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
# Validation entry point
# ------------------------------------------------------------------------------------------


def validate_table(
    df: pd.DataFrame,
    schema: type[pa.DataFrameModel] | pa.DataFrameSchema,
    file: str | Path,
    *,
    line_offset: int = 2,
    hint: str | None = None,
) -> pd.DataFrame:
    """Validate ``df`` against ``schema``; return the coerced frame.

    Parameters
    ----------
    df
        The table as read, with a default ``RangeIndex`` (row 0 = first data line).
    schema
        A pandera ``DataFrameModel`` class or ``DataFrameSchema``.
    file
        The file the table came from, named in the error.
    line_offset
        File line number of row 0 (2 for a CSV with one header line).
    hint
        How to fix the file; a generic hint is used when omitted.

    Raises
    ------
    ValidationError
        Listing up to 12 failures as ``line L, column C, value V: rule``.
    """
    try:
        return schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        raise ValidationError(
            format_failures(exc.failure_cases, file, line_offset),
            hint or "Correct the values listed (or restore the original file) and run again.",
        ) from None
    except pa.errors.SchemaError as exc:  # non-lazy failures (e.g. wrong column set)
        raise ValidationError(f"{file}: {exc}", hint or "Correct the file and run again.") from None


_RULES = (
    (r"^greater_than_or_equal_to\((.*)\)$", "must be >= {0}"),
    (r"^greater_than\((.*)\)$", "must be > {0}"),
    (r"^less_than_or_equal_to\((.*)\)$", "must be <= {0}"),
    (r"^less_than\((.*)\)$", "must be < {0}"),
    (r"^isin\((.*)\)$", "must be one of {0}"),
    (r"^str_matches\('?(.*?)'?\)$", "does not have the expected form {0}"),
    (r"^str_startswith\('?(.*?)'?\)$", "must start with {0}"),
    (r"^str_length\((.*)\)$", "has the wrong length"),
)


def _readable_rule(check: str) -> str:
    """Pandera's check names in words (``greater_than_or_equal_to(0)`` -> ``must be >= 0``)."""
    import re

    for pattern, text in _RULES:
        match = re.match(pattern, check)
        if match:
            return text.format(*match.groups())
    return f"fails {check}"


def format_failures(cases: pd.DataFrame, file: str | Path, line_offset: int = 2) -> str:
    """Turn pandera failure cases into one readable line per failing cell or row."""
    lines: list[str] = []
    row_lines: list[str] = []
    checks = cases["check"].astype(str)
    coerce_failed = set(cases.loc[checks.str.startswith("coerce_dtype"), "column"].dropna())

    def where(index: object) -> str:
        return f"line {int(index) + line_offset}" if index is not None and not pd.isna(index) else "table"

    for case in cases.itertuples(index=False):
        check = str(case.check)
        column = case.column
        if case.schema_context == "DataFrameSchema":
            if check == "column_in_dataframe":
                lines.append(f"missing column {case.failure_case!r}")
            else:  # a whole-row rule: one line per row, not per cell
                row_lines.append(f"{where(case.index)}: {check}")
            continue
        if column in coerce_failed and (check.startswith("dtype(") or case.index is None or pd.isna(case.index)):
            continue  # the coercion failure already reports these values
        if check.startswith("is "):  # a custom check whose error text reads as a rule
            rule = check
        elif check.startswith("coerce_dtype"):
            wanted = check[len("coerce_dtype('") : -2]
            rule = f"is not a valid {'whole number' if 'int' in wanted else 'number' if 'float' in wanted else wanted}"
        elif check == "field_uniqueness":
            rule = "is repeated (must be unique)"
        elif check == "not_nullable":
            rule = "is empty (a value is required)"
        else:
            rule = _readable_rule(check)
        lines.append(f"{where(case.index)}, column {column!r}, value {case.failure_case!r}: {rule}")
    unique_lines = list(dict.fromkeys(lines + row_lines))
    shown = unique_lines[:MAX_ERRORS_SHOWN]
    more = len(unique_lines) - len(shown)
    text = f"{file} failed validation:\n  - " + "\n  - ".join(shown)
    if more > 0:
        text += f"\n  - ... and {more} more"
    return text


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


# ------------------------------------------------------------------------------------------
# Safe accommodation: national facts and a council's local supply and referral files
# ------------------------------------------------------------------------------------------


from analysis import config as _config  # noqa: E402

LOCAL_COUNT_HINT = (
    "Counts are whole numbers of 0 or more with no text, separators or symbols; leave a cell "
    "empty when the figure is not known. Periods are written 2021, 2020-21, 2020-2021, 2021-05-01 "
    "or 'not stated'."
)


def _whole_or_missing(series: pd.Series) -> pd.Series:
    return series.isna() | (series == series.round())


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
    accommodation_type: Series[str] = pa.Field(isin=list(_config.ACCOMMODATION_TYPES), nullable=True)
    source_document: Series[str] = pa.Field(nullable=True)

    @pa.dataframe_check(error="a percent value is above 100")
    def percent_at_most_100(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["unit"] != "percent") | (pd.to_numeric(df["value"], errors="coerce") <= 100)


class LocalSupply(pa.DataFrameModel):
    """A council's ``data/raw/local/<area_code>/supply.csv``: one row per provider and type.

    Counts of places, never of people: ``properties`` (refuges, houses or schemes),
    ``bedspaces`` (a unit for one victim and their children, as the national expert steering
    group defines it), ``child_spaces`` and ``accessible_bedspaces``.
    """

    period: Series[str] = pa.Field(str_matches=_config.LOCAL_PERIOD_PATTERN)
    accommodation_type: Series[str] = pa.Field(isin=list(_config.ACCOMMODATION_TYPES))
    provider: Series[str] = pa.Field(str_length={"min_value": 1})
    properties: Series[float] = pa.Field(ge=0, nullable=True)
    bedspaces: Series[float] = pa.Field(ge=0, nullable=True)
    child_spaces: Series[float] = pa.Field(ge=0, nullable=True)
    accessible_bedspaces: Series[float] = pa.Field(ge=0, nullable=True)
    restrictions: Series[str] | None = pa.Field(nullable=True)
    source: Series[str] = pa.Field(str_length={"min_value": 1})
    notes: Series[str] | None = pa.Field(nullable=True)

    class Config:
        coerce = True
        strict = False  # unknown columns are reported by analysis.data.local_data with a suggestion

    @pa.check("properties", "bedspaces", "child_spaces", "accessible_bedspaces", error="whole number required")
    def whole_counts(cls, series: pd.Series) -> Series[bool]:
        return _whole_or_missing(series)


class LocalReferrals(pa.DataFrameModel):
    """A council's ``data/raw/local/<area_code>/referrals.csv``: aggregate referral figures, long.

    One figure per row: ``period``, ``measure`` (see :data:`analysis.config.REFERRAL_MEASURES`),
    ``category`` ("all", a decline reason or a risk level), ``count`` and/or the ``percent`` a
    source printed (with ``percent_of``, what it is a share of) and/or the ``rank`` of a
    reason, and the ``source``.
    """

    period: Series[str] = pa.Field(str_matches=_config.LOCAL_PERIOD_PATTERN)
    measure: Series[str] = pa.Field(isin=list(_config.REFERRAL_MEASURES))
    category: Series[str] = pa.Field(str_length={"min_value": 1})
    count: Series[float] = pa.Field(ge=0, nullable=True)
    percent: Series[float] = pa.Field(ge=0, le=100, nullable=True)
    percent_of: Series[str] = pa.Field(isin=list(_config.PERCENT_BASES), nullable=True)
    rank: Series[float] | None = pa.Field(ge=1, nullable=True)
    source: Series[str] = pa.Field(str_length={"min_value": 1})
    notes: Series[str] | None = pa.Field(nullable=True)

    class Config:
        coerce = True
        strict = False

    @pa.check("count", "rank", error="whole number required")
    def whole_counts(cls, series: pd.Series) -> Series[bool]:
        return _whole_or_missing(series)


def _line(index: object, line_offset: int = 2) -> int:
    return int(index) + line_offset  # type: ignore[call-overload]


def _duplicate_problems(df: pd.DataFrame, key: list[str], advice: str) -> list[str]:
    """One line per row that repeats an earlier row's key."""
    first_line: dict[tuple, int] = {}
    problems = []
    for index, values in zip(df.index, df[key].itertuples(index=False, name=None)):
        if values in first_line:
            shown = ", ".join(f"{column} {value!r}" for column, value in zip(key, values))
            problems.append(f"line {_line(index)} repeats line {first_line[values]} ({shown}): {advice}")
        else:
            first_line[values] = _line(index)
    return problems


def local_supply_problems(df: pd.DataFrame) -> list[str]:
    """Rules across columns and rows of a validated ``supply.csv`` (empty list when it is sound)."""
    problems = _duplicate_problems(
        df,
        ["period", "accommodation_type", "provider"],
        "give each provider one row per accommodation type and period (add the counts up, or name the "
        "schemes in 'provider')",
    )
    too_many = (
        df["accessible_bedspaces"].notna() & df["bedspaces"].notna() & (df["accessible_bedspaces"] > df["bedspaces"])
    )
    for index in df.index[too_many]:
        problems.append(
            f"line {_line(index)}, column 'accessible_bedspaces', value {df.at[index, 'accessible_bedspaces']:g}: "
            f"more than the row's bedspaces ({df.at[index, 'bedspaces']:g})"
        )
    return problems


def _category_problems(df: pd.DataFrame) -> list[str]:
    problems = []
    for index, measure, category in zip(df.index, df["measure"], df["category"]):
        where = f"line {_line(index)}, column 'category', value {category!r}"
        if measure == "risk_level" and category not in _config.RISK_LEVELS:
            problems.append(f"{where}: a risk_level row needs one of {', '.join(_config.RISK_LEVELS)}")
        elif measure == "decline_reason" and category == "all":
            problems.append(f"{where}: a decline_reason row names the reason in 'category'")
        elif measure not in ("risk_level", "decline_reason") and category != "all":
            problems.append(f"{where}: a {measure} row has no breakdown (leave 'category' empty or write 'all')")
    return problems


def _base_counts(df: pd.DataFrame, measure: str) -> dict[str, tuple[float, int]]:
    """Period -> (count, file line) of the rows of one measure with category 'all' and a count."""
    rows = df[(df["measure"] == measure) & (df["category"] == "all") & df["count"].notna()]
    first: dict[str, tuple[float, int]] = {}
    for index, period, count in zip(rows.index, rows["period"], rows["count"]):
        first.setdefault(period, (count, _line(index)))
    return first


def local_referrals_problems(df: pd.DataFrame, tolerance_points: float = 1.0) -> list[str]:
    """Rules across columns and rows of a validated ``referrals.csv`` (empty list when sound).

    Parameters
    ----------
    df
        The validated table (index = data row number, 0 = file line 2).
    tolerance_points
        A printed percentage may differ from ``count`` over its base count by this many
        percentage points (published percentages are rounded).
    """
    problems = _duplicate_problems(
        df, ["period", "measure", "category"], "give each measure and category one row per period"
    )
    problems += _category_problems(df)
    has_rank = df["rank"].notna() if "rank" in df.columns else pd.Series(False, index=df.index)
    empty = df["count"].isna() & df["percent"].isna() & ~has_rank
    problems += [f"line {_line(i)}: no count, percent or rank (give at least one)" for i in df.index[empty]]
    bases = {base: _base_counts(df, base) for base in ("received", "declined_or_unsuccessful")}
    for index, row in df.iterrows():
        base_name = "declined_or_unsuccessful" if row["measure"] == "decline_reason" else "received"
        if row["measure"] == base_name and row["category"] == "all":
            continue
        base = bases[base_name].get(row["period"])
        if base is None or pd.isna(row["count"]):
            continue
        base_count, base_line = base
        if row["count"] > base_count:
            problems.append(
                f"line {_line(index)}, column 'count', value {row['count']:g}: more than the {base_count:g} "
                f"{base_name} in {row['period']} (line {base_line})"
            )
        elif (
            pd.notna(row["percent"])
            and row["percent_of"] == base_name
            and base_count > 0
            and abs(100 * row["count"] / base_count - row["percent"]) > tolerance_points
        ):
            problems.append(
                f"line {_line(index)}, column 'percent', value {row['percent']:g}: {row['count']:g} of "
                f"{base_count:g} {base_name} (line {base_line}) is {100 * row['count'] / base_count:.1f}%"
            )
    return problems


def problems_error(file: str | Path, problems: list[str], hint: str) -> ValidationError:
    """A :class:`ValidationError` listing rule failures found outside pandera, as validate_table does."""
    shown = problems[:MAX_ERRORS_SHOWN]
    more = f"\n  - ... and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
    return ValidationError(f"{file} failed validation:\n  - " + "\n  - ".join(shown) + more, hint)
