"""Homelessness (H-CLIC) figures on the workspace's 2021 geography, by quarter and financial year.

MHCLG publishes each quarter on the lower-tier housing authorities of that quarter (326 in
2018-19, 296 from 2023-24; see section 7 of the data mirror's ``SOURCES.md``). Counties are not
rows, so an upper-tier figure is the **sum of its authorities**; regions and England are taken
from MHCLG's own published rows (rounded to 10, with MHCLG's estimates for authorities that did
not submit), never summed.

Each quarter's authority codes are placed in a 2021 upper-tier authority through the processed
``areas`` table (2021 districts) and the mySociety register (``start-date``, ``end-date``,
``replaced-by``): abolished districts through their successors (e.g. Christchurch -> Bournemouth,
Christchurch and Poole; the 2018-19 workbooks list Christchurch on its own row, so its 2021 home
is exact), 2023 unitaries through their predecessors (Cumberland + Westmorland and Furness =
Cumbria; North Yorkshire, Somerset). Barnsley and Sheffield took new codes in April 2025
(:data:`RECODED`); ONS issues a new code when a boundary changes and the staged lookups do not
say by how much, so those quarters are marked ``mapping_exact`` False.

An upper-tier figure whose authorities did not all report (``..``, ``-`` or not listed), or
whose mapping is not exact, keeps its value but has ``complete`` False and names the authorities
in ``missing_districts``. Where a quarter publishes prevention and relief reasons separately
(A2P, A2R, from July-September 2020), the prevention-or-relief measures of the single 2018-20 A2
and A4 tables are derived as their sum (``note`` says so), so the series run across the change.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from analysis import config
from analysis.data.schemas import validate_table
from analysis.errors import ValidationError

#: Codes that changed after the 2021 vintage and are not in the staged mySociety register
#: (SOURCES.md section 7: "2025-06 Barnsley and Sheffield recoded"): new code -> (2021 code, from).
RECODED = {"E08000038": ("E08000016", "2025-04-01"), "E08000039": ("E08000019", "2025-04-01")}
#: Prevention-or-relief measures derived as prevention + relief where only A2P/A2R (A4P/A4R) exist.
COMBINED = {
    "prevention_or_relief_duty_reason_total": ("prevention_duty_reason_total", "relief_duty_reason_total"),
    "prevention_or_relief_duty_reason_domestic_abuse": (
        "prevention_duty_reason_domestic_abuse",
        "relief_duty_reason_domestic_abuse",
    ),
    "prevention_or_relief_duty_accommodation_refuge": (
        "prevention_duty_accommodation_refuge",
        "relief_duty_accommodation_refuge",
    ),
}
#: Stocks, not flows: not summed over a year.
NOT_SUMMED = frozenset({"households_in_area_thousands"})
SHORT_REASON = {"..": "no data ('..')", "-": "suppressed ('-')", "blank": "blank cell"}
QUARTER_COLUMNS = ["quarter_start", "quarter", "quarter_name", "financial_year"]
UPPER_COLUMNS = [
    "area_code", "area_name", "level", *QUARTER_COLUMNS, "measure", "value", "districts_expected",
    "districts_reported", "missing_districts", "mapping_exact", "complete", "published_total", "note",
]  # fmt: skip
YEAR_COLUMNS = [
    "area_code", "area_name", "level", "financial_year", "measure", "value", "quarters", "quarters_available",
    "quarters_complete", "complete", "note",
]  # fmt: skip
PUBLISHED_NOTE = "MHCLG's published total (rounded to the nearest 10; includes MHCLG's estimates for non-returns)"


class UpperTierRows(pa.DataFrameModel):
    """``homelessness``: one row per 2021 area x quarter x measure."""

    area_code: Series[str] = pa.Field(str_matches=r"^E(06|08|09|10|12|92)\d{6}$")
    level: Series[str] = pa.Field(isin=["utla", "region", "country"])
    value: Series[float] = pa.Field(ge=0, nullable=True)
    districts_expected: Series[int] = pa.Field(ge=0)
    districts_reported: Series[int] = pa.Field(ge=0)

    @pa.dataframe_check(error="complete although an authority is missing or the mapping is inexact")
    def complete_is_earned(cls, df: pd.DataFrame) -> Series[bool]:
        earned = (df["districts_reported"] == df["districts_expected"]) & df["mapping_exact"] & df["value"].notna()
        return ~df["complete"] | earned


class FinancialYearRows(pa.DataFrameModel):
    """``homelessness_financial_years``: sums of the quarters of each financial year."""

    financial_year: Series[str] = pa.Field(str_matches=r"^20\d\d-\d\d$")
    value: Series[float] = pa.Field(ge=0, nullable=True)
    quarters_available: Series[int] = pa.Field(ge=0, le=4)

    @pa.dataframe_check(error="a year with fewer than four complete quarters is marked complete")
    def complete_needs_four(cls, df: pd.DataFrame) -> Series[bool]:
        return ~df["complete"] | (df["quarters_complete"] == 4)


# ------------------------------------------------------------------------------------------
# Codes of each quarter -> 2021 upper-tier authorities
# ------------------------------------------------------------------------------------------


def unit_lookup(codes, names: dict[str, str], areas: pd.DataFrame, register: pd.DataFrame) -> pd.DataFrame:
    """Place each published authority code in a 2021 upper-tier authority.

    Returns one row per code: ``unit_code``, ``utla_code``, ``exact`` (the code's area lies
    wholly in that authority, as far as the lookups show) and ``change`` (how the code relates to
    the 2021 districts; "" for a 2021 district).

    Raises
    ------
    ValidationError
        For a code neither in the 2021 districts, nor in the register, nor in :data:`RECODED`, or
        one whose area straddles several 2021 upper-tier authorities.
    """
    district = dict(zip(areas["ltla_code"], areas["utla_code"]))
    utla_name = dict(zip(areas["utla_code"], areas["utla_name"]))
    known = register[register["gss-code"].notna()]
    gss_of = dict(zip(known["local-authority-code"], known["gss-code"]))
    record = known.drop_duplicates("gss-code").set_index("gss-code")
    rows = []
    for code in sorted(set(codes)):
        if code in district:
            rows.append((code, district[code], True, ""))
            continue
        if code in RECODED:
            old, since = RECODED[code]
            change = (
                f"{names.get(code, code)} ({code}) is {old} recoded from {since}; the boundary change is not measured"
            )
            rows.append((code, district[old], False, change))
            continue
        if code not in record.index:
            raise ValidationError(
                f"Authority code {code} ({names.get(code, '?')}) is not a 2021 district and is not in the "
                "mySociety register, so it cannot be placed in a 2021 upper-tier authority.",
                "Add the code, its 2021 district and the date to RECODED in "
                "analysis/data/homelessness_geography.py (citing the ONS code change).",
            )
        rec = record.loc[code]
        if isinstance(rec["replaced-by"], str) and rec["replaced-by"].strip():
            related = [gss_of.get(c.strip()) for c in rec["replaced-by"].split(",")]
            how = f"abolished {rec['end-date']}"
        else:
            own = rec["local-authority-code"]
            parents = (
                known["replaced-by"].fillna("").str.split(",").map(lambda cs, own=own: own in [c.strip() for c in cs])
            )
            related = known.loc[parents, "gss-code"].tolist()
            how = f"created {rec['start-date']} from {len(related)} districts"
        utlas = sorted({district[c] for c in related if c in district})
        if len(utlas) != 1:
            raise ValidationError(
                f"Authority code {code} ({names.get(code, '?')}) maps to {len(utlas)} 2021 upper-tier authorities "
                f"({', '.join(utlas) or 'none'}) in the mySociety register.",
                "Only codes lying wholly inside one 2021 upper-tier authority can be summed on 2021 geography.",
            )
        change = f"{names.get(code, code)} ({code}) {how}, counted in {utla_name[utlas[0]]}"
        rows.append((code, utlas[0], True, change))
    return pd.DataFrame(rows, columns=["unit_code", "utla_code", "exact", "change"])


# ------------------------------------------------------------------------------------------
# Quarterly table
# ------------------------------------------------------------------------------------------


def add_combined(published: pd.DataFrame) -> pd.DataFrame:
    """Append prevention + relief as the prevention-or-relief measure for quarters lacking it.

    A value is missing when either part is; ``derived`` names the two tables ("" for published rows).
    """
    keys = ["quarter_start", "geography_code"]
    frames = [published.assign(derived="")]
    for combined, (prevention, relief) in COMBINED.items():
        has_combined = set(published.loc[published["measure"] == combined, "quarter_start"])
        both = published[published["measure"].isin([prevention, relief])]
        both = both[~both["quarter_start"].isin(has_combined)]
        both = both[both.groupby("quarter_start")["measure"].transform("nunique") == 2]
        if both.empty:
            continue
        p, r = (both[both["measure"] == m] for m in (prevention, relief))
        merged = p.merge(r[[*keys, "value", "missing_reason", "table"]], on=keys, how="outer", suffixes=("", "_r"))
        reasons = merged["missing_reason"].fillna("not listed") + merged["missing_reason_r"].fillna("not listed")
        value = merged["value"] + merged["value_r"]
        merged = merged.assign(
            measure=combined,
            value=value,
            missing_reason=reasons.where(value.isna(), ""),
            status=value.isna().map({True: "missing", False: "published"}),
            derived=f"{p['table'].iat[0]} + {r['table'].iat[0]}",
            cell="",
        )
        frames.append(merged[frames[0].columns])
    return pd.concat(frames, ignore_index=True)


def _join_by(frame: pd.DataFrame, by: list[str], text: pd.Series, sep: str, unique: bool = False) -> pd.Series:
    """``text`` joined with ``sep`` per group of ``by`` (plain Python: far faster than a groupby lambda)."""
    if frame.empty:
        return pd.Series([], index=pd.MultiIndex.from_frame(frame[by]), dtype=object)
    groups: list[list[str]] = [[] for _ in range(frame.groupby(by, sort=False).ngroups)]
    for number, value in zip(frame.groupby(by, sort=False).ngroup().to_numpy(), text.to_numpy(dtype=object)):
        groups[number].append(value)
    joined = [sep.join(sorted(set(v)) if unique else v) for v in groups]
    return pd.Series(joined, index=pd.MultiIndex.from_frame(frame[by].drop_duplicates()), dtype=object)


def _short(reason: str) -> str:
    for marker, short in SHORT_REASON.items():
        if marker in reason:
            return short
    return reason or "not listed"


def _district_stats(grid: pd.DataFrame, key: str) -> pd.DataFrame:
    """Per (quarter, measure, ``key``): sum, authorities expected / reported, missing, exactness."""
    by = ["quarter_start", "measure", key]
    groups = grid.groupby(by, sort=False)
    stats = pd.DataFrame(
        {
            "value_sum": groups["value"].sum(min_count=1),
            "districts_expected": groups.size(),
            "districts_reported": groups["value"].count(),
            "mapping_exact": groups["exact"].all(),
            "derived": groups["derived"].first(),
        }
    )
    missing = grid[grid["value"].isna()]
    label = missing["geography_name"] + " (" + missing["geography_code"] + "): " + missing["missing_reason"].map(_short)
    stats["missing_districts"] = _join_by(missing, by, label, "; ")
    changed = grid[grid["change"] != ""]
    stats["changes"] = _join_by(changed, by, changed["change"], "; ", unique=True)
    stats = stats.reset_index().rename(columns={key: "area_code"})
    return stats.fillna({"missing_districts": "", "changes": ""})


def upper_tier_table(published: pd.DataFrame, areas: pd.DataFrame, register: pd.DataFrame) -> pd.DataFrame:
    """``homelessness``: upper-tier sums of authorities, and MHCLG's regional and England rows.

    Columns: see :data:`UPPER_COLUMNS`. ``districts_*`` count the quarter's housing authorities
    (as coded that quarter) in the area; ``complete`` means all of them reported and the mapping is
    exact.
    """
    rows = add_combined(published)
    units = rows[rows["level"] == "ltla"]
    names = dict(zip(units["geography_code"], units["geography_name"]))
    lookup = unit_lookup(units["geography_code"].unique(), names, areas, register)
    region_of = areas.drop_duplicates("utla_code").set_index("utla_code")["region_code"]

    listed = units[["quarter_start", "geography_code", "geography_name"]].drop_duplicates(
        ["quarter_start", "geography_code"]
    )
    offered = rows[["quarter_start", "measure", "derived"]].drop_duplicates(["quarter_start", "measure"])
    grid = offered.merge(listed, on="quarter_start").merge(
        units[["quarter_start", "geography_code", "measure", "value", "missing_reason"]],
        on=["quarter_start", "geography_code", "measure"],
        how="left",
    )
    grid["missing_reason"] = grid["missing_reason"].fillna("not listed in the table")
    grid = grid.merge(lookup, left_on="geography_code", right_on="unit_code", how="left")
    grid["region_code"] = grid["utla_code"].map(region_of)
    grid["country_code"] = config.ENGLAND_CODE

    utla = _district_stats(grid, "utla_code")
    utla["value"] = utla["value_sum"]
    utla["level"] = "utla"
    utla["published_total"] = False
    utla["note"] = (
        "sum of " + utla["districts_reported"].astype(str) + " of " + utla["districts_expected"].astype(str)
        + " authorities" + _suffix(utla["derived"], "; prevention + relief (", ")") + _suffix(utla["changes"], "; ")
    )  # fmt: skip

    totals = rows[rows["level"] != "ltla"][["quarter_start", "measure", "geography_code", "value"]]
    totals = totals.rename(columns={"geography_code": "area_code"})
    published_rows = []
    for key in ("region_code", "country_code"):
        stats = _district_stats(grid, key).drop(columns="value_sum")
        published_rows.append(stats.merge(totals, on=["quarter_start", "measure", "area_code"], how="inner"))
    regional = pd.concat(published_rows, ignore_index=True)
    regional["level"] = regional["area_code"].str[:3].map({"E12": "region", "E92": "country"})
    regional["mapping_exact"] = True
    regional["published_total"] = True
    regional["note"] = PUBLISHED_NOTE + _suffix(
        regional["derived"], "; prevention + relief (", ") of the rounded totals"
    )

    upper = pd.concat([utla, regional], ignore_index=True)
    upper["complete"] = (
        (upper["districts_reported"] == upper["districts_expected"]) & upper["mapping_exact"] & upper["value"].notna()
    )
    area_names = dict(zip(areas["utla_code"], areas["utla_name"])) | dict(
        zip(areas["region_code"], areas["region_name"])
    )
    upper["area_name"] = upper["area_code"].map(area_names | {config.ENGLAND_CODE: config.ENGLAND_NAME})
    labels = published.drop_duplicates("quarter_start").set_index("quarter_start")[QUARTER_COLUMNS[1:]]
    upper = upper.join(labels, on="quarter_start")
    order = upper["level"].map({"utla": 0, "region": 1, "country": 2})
    upper = upper.assign(_o=order).sort_values(["_o", "area_code", "quarter_start", "measure"]).drop(columns="_o")
    upper = upper[UPPER_COLUMNS].reset_index(drop=True)
    return validate_table(upper, UpperTierRows, "homelessness (2021 geography)")


def _suffix(text: pd.Series, before: str, after: str = "") -> pd.Series:
    """``before + text + after`` where ``text`` is not empty, else ""."""
    return (before + text.astype(object) + after).where(text != "", "")


# ------------------------------------------------------------------------------------------
# Financial years
# ------------------------------------------------------------------------------------------


def financial_years(upper: pd.DataFrame) -> pd.DataFrame:
    """``homelessness_financial_years``: each area's quarters summed by financial year.

    ``quarters_available`` counts quarters with a value, ``quarters_complete`` complete ones;
    a year is ``complete`` only with four complete quarters. ``note`` names the quarters absent
    or incomplete (and why). Stocks (:data:`NOT_SUMMED`) are left out.
    """
    flows = upper[~upper["measure"].isin(NOT_SUMMED)].copy()
    flows["q"] = flows["quarter"].str[-2:]
    by = ["area_code", "area_name", "level", "financial_year", "measure"]
    groups = flows.groupby(by, sort=True)
    years = pd.DataFrame(
        {
            "value": groups["value"].sum(min_count=1),
            "quarters": _join_by(flows, by, flows["q"], "|"),
            "quarters_available": groups["value"].count(),
            "quarters_complete": groups["complete"].sum().astype(int),
        }
    ).reset_index()
    years["complete"] = years["quarters_complete"] == 4
    bad = flows[~flows["complete"]]
    why = bad["missing_districts"].where(bad["missing_districts"] != "", bad["note"])
    detail = _join_by(bad, by, bad["q"] + " incomplete: " + why, " | ")
    years = years.join(detail.rename("detail"), on=by)
    absent = years["quarters"].map(lambda qs: ", ".join(q for q in ("Q1", "Q2", "Q3", "Q4") if q not in qs.split("|")))
    years["note"] = (
        absent.map(lambda a: f"no figure published for {a}" if a else "")
        .str.cat(years["detail"].fillna(""), sep=" | ")
        .str.strip(" |")
    )
    years = years[YEAR_COLUMNS].reset_index(drop=True)
    return validate_table(years, FinancialYearRows, "homelessness_financial_years")
