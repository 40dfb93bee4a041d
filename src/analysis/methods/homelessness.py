"""Local evidence from statutory homelessness: households owed a duty because of domestic abuse.

Sources: MHCLG, *Statutory homelessness: detailed local authority-level tables* (H-CLIC), one
workbook a quarter from April-June 2018, read and put on 2021 upper-tier geography by
:mod:`analysis.data.steps.homelessness` and :mod:`analysis.data.steps.homelessness_geography`
(the processed ``homelessness`` table); ONS Census 2021 TS009 usual residents
(``census_district_residents``). Crown copyright, OGL v3.

Measures (households, not people)
---------------------------------
``da_reason``
    Households owed a prevention or relief duty whose reason for the loss, or threat of loss,
    of their last settled home was domestic abuse (``prevention_or_relief_duty_reason_domestic_abuse``).
    MHCLG published one table for both duties (A2) up to April-June 2020 (2020-21 Q1) and
    separate prevention (A2P) and relief (A2R) tables from July-September 2020 (2020-21 Q2), where
    the build derives the same measure as prevention + relief: one consistent series with a
    **table break at 2020-21 Q2**. From July-September 2023 (2023-24 Q2) MHCLG splits "Domestic
    abuse" into Victim, Alleged perpetrator and a "Retired 'Domestic abuse' option" whose sum is
    the total used here (SOURCES.md section 7 checks it): a **definition break**, since before it
    the one category did not say whether the household was the victim or the alleged perpetrator.
``da_need``
    Households owed a prevention or relief duty with the support need "At risk of / has
    experienced domestic abuse" (A3; a household can have several needs).
``refuge``
    Households owed a prevention or relief duty whose accommodation at the time of application
    was a refuge (``prevention_or_relief_duty_accommodation_refuge``): households moving on from
    a refuge, the move-on demand refuges create. One table (A4) to April-June 2020, prevention
    (A4P) + relief (A4R) from July-September 2020: the same **table break at 2020-21 Q2**.
``duties``
    All households owed a prevention or relief duty: the total of the same reason tables (A2, or
    A2P + A2R), so the share's numerator and denominator come from one table. (A1's total is the
    same number in every quarter except the first edition of 2023-24 Q4, where A1 is higher.)
``households``
    Households in the area, A1 "Number of households in area (000s)" x 1,000, published from
    April-June 2019 (MHCLG's denominator for rates per 1,000 households). For a financial year it
    is the **mean of the year's four quarters** (MHCLG updates it once a year, in January-March).

Completeness
------------
An upper-tier authority is a sum of housing authorities. Its year has a value only when all
four quarters are ``complete`` (every authority reported and the 2021 mapping is exact); else it
has **no data**, and ``note`` names the authorities and quarters ("2019-20 Q3: Hart (E07000089):
no data ('..')"), never a partial sum shown as if complete. Regions and England are MHCLG's own
totals (rounded to 10, with MHCLG's estimates for non-returns): a year has a value when all four
quarters are published. Rates use Census 2021 residents for every year, so a change in a rate is
a change in the count.

Size: about 600 lines for one job, turning the processed quarterly table into what the chapters
read (years and their completeness, year values, series breaks, trend, the strategy back-test and
the 16-17 duties); every function shares the completeness rules and comparator list defined here,
and splitting them would move private rules between modules.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analysis import config
from analysis.data import memo, tables
from analysis.data.steps import census
from analysis.errors import DataFileError, ParameterError
from analysis.methods import stats

MEASURES: dict[str, str] = {
    "da_reason": "prevention_or_relief_duty_reason_domestic_abuse",
    "da_need": "duty_owed_support_need_domestic_abuse",
    "refuge": "prevention_or_relief_duty_accommodation_refuge",
    "duties": "prevention_or_relief_duty_reason_total",
    "households": "households_in_area_thousands",
}
#: Stocks averaged over a year's quarters (the others are flows, summed).
STOCKS = frozenset({"households"})
#: The measures counted in households that have a trend, series breaks and year comparisons.
SERIES = ("da_reason", "da_need", "refuge")
#: The measure that exists from the victim / alleged perpetrator split onwards.
SPLIT_MEASURE = "prevention_duty_reason_domestic_abuse_victim"
#: Words the build writes in ``note`` where prevention + relief replace the single A2 table.
COMBINED_MARK = "prevention + relief ("
ROLES = {"utla": "authority", "region": "region", "country": "England"}
LEVEL_ORDER = {"utla": 0, "region": 1, "country": 2}
PERIODS = ("quarter", "financial_year")
#: Short chart labels of the kinds of series break (a table break is labelled with its tables).
BREAK_LABELS = {"definition": "victim / perpetrator split", "geography": "geography change"}
#: The tables each series comes from, before and after the table break.
TABLE_NAMES = {"da_reason": ("A2", "A2P", "A2R"), "refuge": ("A4", "A4P", "A4R")}
_YEAR = re.compile(r"^(20\d\d)-(\d\d)$")
_SUM_PREFIX = re.compile(r"^sum of \d+ of \d+ authorities")
_COMBINED_PART = re.compile(r";?\s*prevention \+ relief \([^)]*\)")


# ------------------------------------------------------------------------------------------
# Arguments and years
# ------------------------------------------------------------------------------------------


def check_measure(measure: object, allowed: tuple[str, ...] = tuple(MEASURES)) -> str:
    """The measure key, or :class:`ParameterError` listing the allowed keys."""
    if not isinstance(measure, str) or measure not in allowed:
        raise ParameterError(f"measure must be one of {', '.join(allowed)}, got {measure!r}.")
    return measure


def _rows(measure: str) -> pd.DataFrame:
    table = tables.read_table("homelessness")
    return table[table["measure"] == MEASURES[measure]]


@memo.memoize("homelessness")
def complete_years(measure: str = "da_reason") -> tuple[str, ...]:
    """Financial years (from :data:`config.HOMELESSNESS_FIRST_YEAR`) with all four quarters published for England."""
    check_measure(measure)
    rows = _rows(measure)
    england = rows[(rows["area_code"] == config.ENGLAND_CODE) & rows["value"].notna()]
    counts = england.groupby("financial_year")["quarter"].nunique()
    return tuple(sorted(y for y, n in counts.items() if n == 4 and y >= config.HOMELESSNESS_FIRST_YEAR))


def latest_complete_year(*measures: str) -> str:
    """The latest financial year with four published quarters of every measure (default ``da_reason``)."""
    years = common_years(*(measures or ("da_reason",)))
    if not years:
        raise DataFileError(
            "The homelessness table has no financial year with four published quarters.",
            "Rebuild the data with 'analysis data build' (it reads every workbook in the manifest).",
        )
    return years[-1]


def common_years(*measures: str) -> list[str]:
    """Financial years with four published quarters of every measure, oldest first."""
    sets = [set(complete_years(check_measure(m))) for m in measures]
    return sorted(set.intersection(*sets))


def check_year(year: object, *measures: str) -> str:
    """A financial year such as "2023-24" with four published quarters; None gives the latest.

    Raises
    ------
    ParameterError
        If ``year`` is not written "YYYY-YY" or MHCLG has not published all its quarters (the
        message lists the years that can be used).
    """
    measures = measures or ("da_reason",)
    if year is None:
        return latest_complete_year(*measures)
    match = _YEAR.match(year) if isinstance(year, str) else None
    if not match or int(match.group(2)) != (int(match.group(1)) + 1) % 100:
        raise ParameterError(f"year must be a financial year written like '2023-24', got {year!r}.")
    available = common_years(*measures)
    if year not in available:
        raise ParameterError(
            f"No complete financial year {year} for {', '.join(measures)}: all four quarters are published "
            f"for {', '.join(available)}.",
            "Choose one of those years (households in the area are published from April-June 2019).",
        )
    return year


def year_source_ids(year: str) -> tuple[str, ...]:
    """Manifest ids of the four quarterly workbooks of a financial year ("2023-24" -> homelessness_2023_q1 ...)."""
    from analysis.data.steps import homelessness as workbooks

    match = _YEAR.match(year) if isinstance(year, str) else None
    if not match:
        raise ParameterError(f"year must be a financial year written like '2023-24', got {year!r}.")
    return tuple(f"{workbooks.RAW_FOLDER}_{match.group(1)}_q{n}" for n in range(1, 5))


# ------------------------------------------------------------------------------------------
# Areas and Census 2021 residents
# ------------------------------------------------------------------------------------------


def _places() -> pd.DataFrame:
    return tables.read_table("authorities")[["area_code", "area_name", "level", "region_code"]].copy()


@memo.memoize("census_district_residents", "areas")
def census_residents() -> pd.Series:
    """Census 2021 usual residents (TS009, persons) of every authority, region and England, by ``area_code``."""
    residents = tables.read_table("census_district_residents")
    persons = residents.loc[residents["sex"] == "persons", ["ltla_code", "residents"]]
    summed = census.to_reporting_areas(persons, tables.read_table("areas"), [], "residents")
    return summed.set_index("area_code")["residents"].astype("float64").rename("residents")


# ------------------------------------------------------------------------------------------
# A financial year's values
# ------------------------------------------------------------------------------------------


def _why(rows: pd.DataFrame) -> pd.Series:
    """Per incomplete quarterly row: "2019-20 Q3: Hart (E07000089): no data ('..')"."""
    reason = rows["missing_districts"].where(
        rows["missing_districts"] != "", "mapping to 2021 geography not exact (" + _changes(rows["note"]) + ")"
    )
    return rows["quarter"] + ": " + reason


def _changes(note: pd.Series) -> pd.Series:
    """The code-change part of the build's note ("" when the authority's codes are 2021 districts)."""
    text = note.str.replace(_SUM_PREFIX, "", regex=True).str.replace(_COMBINED_PART, "", regex=True)
    return text.str.strip("; ")


@memo.memoize("homelessness", "authorities")
def year_values(measure: str = "da_reason", year: str | None = None) -> pd.DataFrame:
    """One measure for one financial year, for every authority, region and England.

    Parameters
    ----------
    measure
        A key of :data:`MEASURES`.
    year
        A financial year ("2023-24"); the latest with four published quarters when None.

    Returns
    -------
    pandas.DataFrame
        One row per reporting area (authorities, regions, England): ``area_code``,
        ``area_name``, ``level``, ``region_code``, ``financial_year``, ``measure``,
        ``value_sum`` (the sum of the quarters with a value, or their mean for households,
        whether or not complete), ``quarters_available``, ``quarters_complete``, ``value``
        (``value_sum`` where the year is complete as the module docstring defines, else NaN)
        and ``note`` (for an authority without a value: each incomplete quarter and why, "; "
        separated; "" otherwise). For flows ``value`` equals the ``homelessness_financial_years``
        value of the complete rows.
    """
    measure = check_measure(measure)
    year = check_year(year, measure)
    rows = _rows(measure)
    rows = rows[rows["financial_year"] == year]
    grouped = rows.groupby("area_code")["value"]
    summary = pd.DataFrame(
        {
            "value_sum": grouped.mean() if measure in STOCKS else grouped.sum(min_count=1),
            "quarters_available": grouped.count(),
            "quarters_complete": rows.groupby("area_code")["complete"].sum(),
        }
    )
    frame = _places().merge(summary, left_on="area_code", right_index=True, how="left")
    frame[["quarters_available", "quarters_complete"]] = (
        frame[["quarters_available", "quarters_complete"]].fillna(0).astype("int64")
    )
    authority = frame["level"] == "utla"
    published = np.where(authority, frame["quarters_complete"] == 4, frame["quarters_available"] == 4)
    frame["value"] = frame["value_sum"].where(published)
    bad = rows[~rows["complete"] & (rows["level"] == "utla")]
    notes = _why(bad).groupby(bad["area_code"]).agg("; ".join)
    listed = rows.groupby("area_code")["quarter"].agg(set)
    absent = {
        code: "; ".join(
            f"{year} Q{n}: not published" for n in range(1, 5) if f"{year} Q{n}" not in listed.get(code, set())
        )
        for code in frame["area_code"]
    }
    frame["note"] = [
        "" if ok else "; ".join(t for t in (notes.get(code, ""), absent[code]) if t)
        for code, ok in zip(frame["area_code"], published)
    ]
    frame = frame.assign(financial_year=year, measure=measure)
    columns = ["area_code", "area_name", "level", "region_code", "financial_year", "measure", "value_sum"]
    return frame[[*columns, "quarters_available", "quarters_complete", "value", "note"]].reset_index(drop=True)


@memo.memoize("homelessness", "authorities", "census_district_residents", "areas")
def annual_measures(year: str | None = None) -> pd.DataFrame:
    """Every measure of one financial year side by side, with Census 2021 residents.

    Returns
    -------
    pandas.DataFrame
        One row per reporting area: ``area_code``, ``area_name``, ``level``, ``region_code``,
        ``financial_year``; ``da_reason``, ``da_need``, ``duties`` (households; NaN where the
        year is incomplete), ``households`` (households in the area, the mean of the four
        quarters x 1,000; NaN before 2019-20, when A1 did not publish it), ``residents``
        (Census 2021), and ``<measure>_note`` naming why a value is missing.
    """
    year = check_year(year, "da_reason")
    frame = _places().assign(financial_year=year)
    for measure in MEASURES:
        if year in complete_years(measure):
            values = year_values(measure, year).set_index("area_code")
            frame[measure] = frame["area_code"].map(values["value"])
            frame[f"{measure}_note"] = frame["area_code"].map(values["note"])
        else:
            frame[measure] = np.nan
            frame[f"{measure}_note"] = f"not published for {year}"
    frame["households"] = frame["households"] * 1000
    frame["residents"] = frame["area_code"].map(census_residents())
    return frame


def no_data_notes(year: str | None = None, measure: str = "da_reason") -> pd.DataFrame:
    """The authorities without a value for the year, each with the districts and quarters that are missing."""
    values = year_values(measure, year)
    return values.loc[values["value"].isna(), ["area_code", "area_name", "financial_year", "note"]].reset_index(
        drop=True
    )


# ------------------------------------------------------------------------------------------
# Trends and series breaks
# ------------------------------------------------------------------------------------------


def _comparators(area_code: str) -> list[str]:
    """The area, its region (for an authority) and England, in that order."""
    places = _places().set_index("area_code")
    if area_code not in places.index:
        raise ParameterError(
            f"Unknown area code {area_code!r}.", "Use an upper-tier authority, region or England code."
        )
    codes = [area_code]
    if places.loc[area_code, "level"] == "utla":
        codes.append(places.loc[area_code, "region_code"])
    if area_code != config.ENGLAND_CODE:
        codes.append(config.ENGLAND_CODE)
    return codes


def _authorities(n: int) -> str:
    return f"{n} housing {'authority' if n == 1 else 'authorities'}"


@memo.memoize(memo.ALL_TABLES)  # a report asks for the same area's breaks and trend several times
def series_breaks(area_code: str, measure: str = "da_reason") -> pd.DataFrame:
    """Where a series changes how it is made, found in the data (not typed in).

    Returns
    -------
    pandas.DataFrame
        ``quarter``, ``financial_year``, ``quarter_start``, ``kind`` ("table", "definition",
        "geography"), a short ``label`` for charts and the ``description``; each row is the
        first quarter on the new basis. For ``da_reason`` and ``refuge``: the first quarter
        summed from the prevention and relief tables (A2P + A2R, A4P + A4R); for ``da_reason``
        also the first with the victim / alleged perpetrator split. For an authority: every
        quarter in which the housing authorities it is summed from change (abolitions, new
        unitaries, recoding).
    """
    measure = check_measure(measure, SERIES)
    codes = _comparators(area_code)
    table = tables.read_table("homelessness")
    out = []
    england = table[(table["area_code"] == config.ENGLAND_CODE) & table["value"].notna()]
    if measure in TABLE_NAMES:
        combined = england[
            (england["measure"] == MEASURES[measure]) & england["note"].str.contains(COMBINED_MARK, regex=False)
        ]
        if not combined.empty:
            one, prevention, relief = TABLE_NAMES[measure]
            first = combined.sort_values("quarter_start").iloc[0]
            out.append(
                (
                    first,
                    "table",
                    f"prevention ({prevention}) + relief ({relief}) tables summed from here; one table for both "
                    f"({one}) before",
                )
            )
    if measure == "da_reason":
        split = england[england["measure"] == SPLIT_MEASURE]
        if not split.empty:
            first = split.sort_values("quarter_start").iloc[0]
            out.append(
                (
                    first,
                    "definition",
                    "domestic abuse split into victim, alleged perpetrator and a retired option from here; "
                    "their total is used",
                )
            )
    own = table[(table["area_code"] == codes[0]) & (table["measure"] == MEASURES[measure]) & (table["level"] == "utla")]
    own = own.sort_values("quarter_start")
    signature = own["districts_expected"].astype(str) + "|" + _changes(own["note"])
    changed = own[(signature != signature.shift()) & signature.shift().notna()]
    previous = own["districts_expected"].shift()
    for (index, row), changes in zip(changed.iterrows(), _changes(changed["note"])):
        now, before = int(row["districts_expected"]), int(previous[index])
        text = f"{row['area_name']} is summed from {_authorities(now)} from here ({before} before)"
        out.append((row, "geography", text + (f": {changes}" if changes else "")))
    frame = pd.DataFrame(
        [
            (r["quarter"], r["financial_year"], r["quarter_start"], kind, _break_label(kind, measure), text)
            for r, kind, text in out
        ],
        columns=["quarter", "financial_year", "quarter_start", "kind", "label", "description"],
    )
    return frame.sort_values("quarter_start", kind="stable").reset_index(drop=True)


def _break_label(kind: str, measure: str) -> str:
    """The short chart label of a break: "A2P + A2R" for the table break of the reason series."""
    if kind == "table":
        return " + ".join(TABLE_NAMES[measure][1:])
    return BREAK_LABELS[kind]


@memo.memoize(memo.ALL_TABLES)
def trend(
    area_code: str, measure: str = "da_reason", period: str = "quarter", confidence: float = 0.95
) -> pd.DataFrame:
    """Quarterly or financial-year counts and rates per 100,000 residents for an area, its region and England.

    Parameters
    ----------
    area_code
        An upper-tier authority, region or England code.
    measure
        "da_reason", "da_need" or "refuge".
    period
        "quarter" (every quarter from 2018-19 Q1) or "financial_year" (years with four
        published quarters).
    confidence
        Two-sided level of the Byar / exact Poisson intervals (:func:`stats.crude_rate`).

    Returns
    -------
    pandas.DataFrame
        ``period``, ``period_start``, ``area_code``, ``area_name``, ``role`` (authority,
        region, England), ``count`` (the sum of what was published, partial where incomplete),
        ``complete`` (False where a district is missing or the mapping inexact: such a point is
        not comparable), ``note``, ``residents``, ``rate_per_100k``, ``ci_lower``, ``ci_upper``
        and ``series_break`` (what changes from this period, "" if nothing; see
        :func:`series_breaks`).
    """
    measure = check_measure(measure, SERIES)
    if period not in PERIODS:
        raise ParameterError(f"period must be one of {', '.join(PERIODS)}, got {period!r}.")
    level = stats.check_confidence(confidence)
    codes = _comparators(area_code)
    rows = _rows(measure)
    rows = rows[rows["area_code"].isin(codes) & (rows["financial_year"] >= config.HOMELESSNESS_FIRST_YEAR)]
    rows = rows.assign(
        complete=rows["complete"] | ((rows["level"] != "utla") & rows["value"].notna()),
        why=_why(rows).where(~rows["complete"] & (rows["level"] == "utla"), ""),
    )
    breaks = series_breaks(area_code, measure)
    if period == "quarter":
        frame = rows.rename(columns={"quarter": "period", "quarter_start": "period_start", "value": "count"})
        frame = frame.assign(note=frame["why"])
        marks = breaks.groupby("quarter")["description"].agg("; ".join)
    else:
        grouped = rows.groupby(["area_code", "area_name", "level", "financial_year"], as_index=False)
        frame = grouped.agg(
            period_start=("quarter_start", "min"),
            count=("value", lambda v: v.sum(min_count=1)),
            quarters=("quarter", "nunique"),
            complete=("complete", "all"),
            note=("why", lambda w: "; ".join(t for t in w if t)),
        )
        frame = frame[frame["financial_year"].isin(complete_years(measure))]
        frame = frame.assign(complete=frame["complete"] & (frame["quarters"] == 4)).rename(
            columns={"financial_year": "period"}
        )
        marks = breaks.groupby("financial_year")["description"].agg("; ".join)
    frame = frame.assign(
        role=frame["level"].map(ROLES),
        residents=frame["area_code"].map(census_residents()),
        series_break=frame["period"].map(marks).fillna(""),
    )
    frame = frame.assign(rate_per_100k=frame["count"] / frame["residents"] * config.PER_100K)
    frame["ci_lower"] = np.nan
    frame["ci_upper"] = np.nan
    known = frame["count"].notna()
    if known.any():
        rates = stats.crude_rate(frame.loc[known, "count"], frame.loc[known, "residents"], confidence=level)
        frame.loc[known, "ci_lower"] = rates["ci_lower"]
        frame.loc[known, "ci_upper"] = rates["ci_upper"]
    order = frame["area_code"].map({code: i for i, code in enumerate(codes)})
    frame = frame.assign(_order=order).sort_values(["_order", "period_start"]).drop(columns="_order")
    columns = ["period", "period_start", "area_code", "area_name", "role", "count", "complete", "note", "residents"]
    return frame[[*columns, "rate_per_100k", "ci_lower", "ci_upper", "series_break"]].reset_index(drop=True)


# ------------------------------------------------------------------------------------------
# Back-test against a council's own figures
# ------------------------------------------------------------------------------------------


def strategy_backtest(area_code: str = config.DEFAULT_AREA_CODE, figures: dict[str, int] | None = None) -> pd.DataFrame:
    """A council's published yearly figures against the workspace's A3 and A2 sums for the same years.

    Parameters
    ----------
    area_code
        The authority (default Hampshire).
    figures
        Financial year -> the council's figure; default :data:`config.HAMPSHIRE_STRATEGY_DA_DUTY`.

    Returns
    -------
    pandas.DataFrame
        One row per year: ``financial_year``, ``strategy_figure``, ``support_need_households``
        and ``reason_households`` (the sums of the quarters published, complete or not),
        ``support_need_complete``, ``reason_complete``, the differences ``strategy_figure``
        minus each sum, and ``note`` (the incomplete quarters and why).
    """
    figures = config.HAMPSHIRE_STRATEGY_DA_DUTY if figures is None else figures
    if not isinstance(figures, dict) or not figures:
        raise ParameterError("figures must map financial years to the council's published counts.")
    _comparators(area_code)
    rows = []
    for year, figure in figures.items():
        need, reason = (year_values(m, year).set_index("area_code").loc[area_code] for m in ("da_need", "da_reason"))
        notes = "; ".join(dict.fromkeys(t for t in need["note"].split("; ") + reason["note"].split("; ") if t))
        rows.append(
            {
                "financial_year": year,
                "strategy_figure": figure,
                "support_need_households": need["value_sum"],
                "support_need_complete": bool(need["quarters_complete"] == 4),
                "reason_households": reason["value_sum"],
                "reason_complete": bool(reason["quarters_complete"] == 4),
                "support_need_difference": figure - need["value_sum"],
                "reason_difference": figure - reason["value_sum"],
                "note": notes,
            }
        )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------
# Young people aged 16-17 (chapter 04)
# ------------------------------------------------------------------------------------------

#: Households owed a prevention or relief duty involving a 16-17 year old: the main applicant is
#: aged 16-17 (A6; published for 2018-19 and from July-September 2020, so 2019-20 and 2020-21 Q1
#: have no figure), or the household has the support need "Young person aged 16-17 years" (A3).
YOUNG_PEOPLE_MEASURES: dict[str, str] = {
    "applicant_16_17": "prevention_or_relief_duty_main_applicant_aged_16_17",
    "support_need_16_17": "duty_owed_support_need_young_person_16_17",
}


def young_people_duties(area_code: str, year: str | None = None) -> pd.DataFrame:
    """Households owed a duty with a 16-17 year old main applicant (A6) or support need (A3), by financial year.

    Completeness follows the module docstring: an authority's year has a value only when its four
    quarters are complete (every housing authority reported and the mapping is exact), a region's
    or England's (MHCLG's own totals, rounded to 10) when its four quarters are published; else the
    value is missing and ``note`` names each quarter and why ("2022-23 Q1: Basingstoke & Deane
    (E07000084): no data ('..')", "2020-21 Q1: not published").

    Parameters
    ----------
    area_code
        An upper-tier authority, region or England code.
    year
        The last financial year shown, "2023-24"; by default :func:`latest_complete_year` (the
        year the homelessness indicators use).

    Returns
    -------
    pandas.DataFrame
        One row per measure (key of :data:`YOUNG_PEOPLE_MEASURES`), comparator (the area, its
        region for an authority, England) and financial year with four published England quarters
        of ``da_reason`` (:func:`complete_years`) up to ``year``: ``measure``, ``financial_year``,
        ``area_code``, ``area_name``, ``role`` (authority, region, England), ``value``
        (households; NaN where the year is not complete), ``value_sum`` (the sum of the quarters
        with a value, complete or not), ``quarters_available``, ``quarters_complete``,
        ``published`` (True where ``value`` is given) and ``note``.
    """
    year = check_year(year)
    codes = _comparators(area_code)
    years = [y for y in complete_years() if y <= year]
    table = tables.read_table("homelessness")
    keys = {name: key for key, name in YOUNG_PEOPLE_MEASURES.items()}
    rows = table[
        table["measure"].isin(list(keys)) & table["area_code"].isin(codes) & table["financial_year"].isin(years)
    ]
    rows = rows.assign(
        measure=rows["measure"].map(keys), why=_why(rows).where(~rows["complete"] & (rows["level"] == "utla"), "")
    )
    by = ["measure", "area_code", "financial_year"]
    grouped = rows.groupby(by)
    summary = pd.DataFrame(
        {
            "value_sum": grouped["value"].sum(min_count=1),
            "quarters_available": grouped["value"].count(),
            "quarters_complete": grouped["complete"].sum(),
            "listed": grouped["quarter"].agg(lambda q: frozenset(q)),
            "why": grouped["why"].agg(lambda w: "; ".join(t for t in w if t)),
        }
    ).reset_index()
    grid = pd.MultiIndex.from_product([list(YOUNG_PEOPLE_MEASURES), codes, years], names=by).to_frame(index=False)
    frame = grid.merge(summary, on=by, how="left").merge(_places(), on="area_code", validate="many_to_one")
    frame[["quarters_available", "quarters_complete"]] = (
        frame[["quarters_available", "quarters_complete"]].fillna(0).astype("int64")
    )
    authority = frame["level"] == "utla"
    frame["published"] = np.where(authority, frame["quarters_complete"] == 4, frame["quarters_available"] == 4)
    frame["value"] = frame["value_sum"].where(frame["published"])
    absent = []
    for y, listed in zip(frame["financial_year"], frame["listed"]):
        gone = [n for n in range(1, 5) if not isinstance(listed, frozenset) or f"{y} Q{n}" not in listed]
        absent.append(f"{y}: not published" if len(gone) == 4 else "; ".join(f"{y} Q{n}: not published" for n in gone))
    frame["note"] = [
        "" if ok else "; ".join(t for t in (why if isinstance(why, str) else "", gone) if t)
        for ok, why, gone in zip(frame["published"], frame["why"], absent)
    ]
    frame = frame.assign(role=frame["level"].map(ROLES))
    order = frame["area_code"].map({code: i for i, code in enumerate(codes)})
    measure_order = frame["measure"].map({key: i for i, key in enumerate(YOUNG_PEOPLE_MEASURES)})
    frame = frame.assign(_order=order, _measure=measure_order)
    frame = frame.sort_values(["_measure", "_order", "financial_year"], kind="stable")
    columns = ["measure", "financial_year", "area_code", "area_name", "role", "value", "value_sum"]
    return frame[[*columns, "quarters_available", "quarters_complete", "published", "note"]].reset_index(drop=True)
