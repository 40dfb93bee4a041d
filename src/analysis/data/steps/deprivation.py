"""English Indices of Deprivation 2019 district summaries, mapped to the 2021 authorities.

Source: Ministry of Housing, Communities and Local Government, *English Indices of
Deprivation 2019*, File 10 "local authority district summaries (lower-tier)" (Crown
copyright, OGL v3), in the long form Trafford Data Lab made of it (values unchanged; manifest
id :data:`IOD_ID`). One row per 2019 district (317) and index or domain (10): the
population-weighted average rank and average score of its neighbourhoods (LSOAs), the
proportion of them among England's most deprived 10%, and the rank of each among the 317
districts (1 = most deprived).

The 2019 districts predate two reorganisations: Buckinghamshire's four districts became one
unitary authority (E06000060) in April 2020, and Northamptonshire's seven became North
(E06000061) and West Northamptonshire (E06000062) in April 2021. Every 2019 district lies
wholly inside one 2021 district, so :func:`map_2019_districts` maps each by code: codes still
in the 2021 ``areas`` table are unchanged; the others take the successor the build's
``area_changes`` table (from the mySociety register) names.

No upper-tier summary (MHCLG's File 11) is staged: upper-tier figures are computed in
:mod:`analysis.methods.deprivation` and say so.

Registering the step (one line; ``read_raw_csv`` is the build's reader, passed in for the
reason given in :mod:`analysis.data.steps.census`)::

  Step("deprivation", deprivation.INPUTS, deprivation.OUTPUTS, partial(deprivation.step, read_csv=read_raw_csv))
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import partial

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from analysis.data import schemas, sources
from analysis.data.steps import census
from analysis.data.steps.base import Step, read_raw_csv
from analysis.errors import ParameterError, ValidationError

IOD_ID = "iod2019_lad19_summaries"
INPUTS = (IOD_ID,)
OUTPUTS = ("deprivation_districts",)
#: The overall index and its domains and supplementary indices, as File 10 names its sheets.
IOD_DOMAINS = (
    "Index of Multiple Deprivation",
    "Income",
    "Employment",
    "Education, Skills and Training",
    "Health and Disability",
    "Crime",
    "Barriers to Housing and Services",
    "Living Environment",
    "Income Deprivation Affecting Children",
    "Income Deprivation Affecting Older People",
)
#: English local authority districts in the IoD 2019 (2019 codes).
IOD_DISTRICTS = 317
#: LSOAs (2011) in England: an average rank lies between 1 and this (MHCLG, IoD 2019 technical report).
ENGLAND_LSOAS = 32_844
IOD_YEAR = 2019

DISTRICT_COLUMNS = [
    "lad19_code",
    "lad19_name",
    "ltla21_code",
    "utla_code",
    "utla_name",
    "region_code",
    "region_name",
    "change_2019_2021",
    "index_domain",
    "average_rank",
    "rank_average_rank",
    "average_score",
    "rank_average_score",
    "proportion_bottom_decile",
    "rank_proportion_bottom_decile",
    "year",
    "source_id",
]
UNCHANGED = "unchanged (same code in the 2021 geography)"


class IodDistrictSummaries(pa.DataFrameModel):
    """File 10 in long form (``deprivation/iod2019_lad19_summaries_long.csv``): cell rules."""

    lad19cd: Series[str] = pa.Field(str_matches=r"^E0[6-9]\d{6}$")
    lad19nm: Series[str] = pa.Field(str_length={"min_value": 1})
    index_domain: Series[str] = pa.Field(isin=list(IOD_DOMAINS))
    average_rank: Series[float] = pa.Field(ge=1, le=ENGLAND_LSOAS)
    rank_average_rank: Series[int] = pa.Field(ge=1, le=IOD_DISTRICTS)
    average_score: Series[float]
    rank_average_score: Series[int] = pa.Field(ge=1, le=IOD_DISTRICTS)
    proportion_bottom_decile: Series[float] = pa.Field(ge=0, le=1)
    rank_proportion_bottom_decile: Series[int] = pa.Field(ge=1, le=IOD_DISTRICTS)
    year: Series[int] = pa.Field(isin=[IOD_YEAR])

    class Config:
        coerce = True
        strict = False


READ_OPTIONS = {"dtype": {"lad19cd": str, "lad19nm": str}, "keep_default_na": False, "na_values": [""]}


def iod_problems(df: pd.DataFrame) -> list[str]:
    """Rows and tables that break File 10's shape (empty list when it is sound).

    Each district must have one row per index or domain, there must be 317 districts, and
    within each index or domain ``rank_average_score`` must run 1..317 (MHCLG ranks every
    district). One line per failure, naming line, column and value.
    """
    problems = census.key_problems(df, ["lad19cd", "index_domain"], "lad19cd", len(IOD_DOMAINS), "index or domain")
    districts = df["lad19cd"].nunique()
    if districts != IOD_DISTRICTS:
        problems.append(f"table, column 'lad19cd': {districts} districts, not {IOD_DISTRICTS}")
    for domain, rows in df.groupby("index_domain", sort=False):
        ranks = sorted(rows["rank_average_score"])
        if ranks != list(range(1, len(rows) + 1)):
            problems.append(
                f"table, column 'rank_average_score', index_domain {domain!r}: the ranks do not run 1..{len(rows)}"
            )
    return problems


def read_iod(read_csv: Callable[..., pd.DataFrame]) -> pd.DataFrame:
    """Read and validate File 10 with the build's ``read_raw_csv``.

    Raises
    ------
    ValidationError
        Naming file, line, column and value of every failing cell or row.
    """
    frame = read_csv(IOD_ID, IodDistrictSummaries, **READ_OPTIONS)
    problems = iod_problems(frame)
    if problems:
        raise schemas.problems_error(
            f"data/raw/{sources.get_source(IOD_ID).path}",
            problems,
            "The file must be Trafford Data Lab's long form of File 10 as published; restore it with "
            "'analysis data get --force'.",
        )
    return frame


def map_2019_districts(codes: Iterable[str], areas: pd.DataFrame, area_changes: pd.DataFrame) -> pd.DataFrame:
    """The 2021 district, upper-tier authority and region of each 2019 district code.

    A code that is a 2021 district is unchanged. Any other must be a district the
    ``area_changes`` table lists as abolished before the 2021 geography with exactly one
    successor that is a 2021 district (Buckinghamshire's four -> E06000060; Corby, East
    Northamptonshire, Kettering, Wellingborough -> E06000061; Daventry, Northampton, South
    Northamptonshire -> E06000062).

    Parameters
    ----------
    codes
        2019 district codes (each once).
    areas, area_changes
        The processed ``areas`` and ``area_changes`` tables.

    Returns
    -------
    pandas.DataFrame
        ``lad19_code``, ``ltla21_code``, ``utla_code``, ``utla_name``, ``region_code``,
        ``region_name``, ``change_2019_2021`` (how the code was mapped).

    Raises
    ------
    ValidationError
        Naming every code that cannot be mapped to exactly one 2021 district.
    """
    codes = list(dict.fromkeys(codes))
    for frame, columns, what in (
        (areas, census.AREAS_COLUMNS, "areas"),
        (area_changes, ("code", "change", "date", "use_instead_codes", "use_instead_names"), "area_changes"),
    ):
        if not isinstance(frame, pd.DataFrame) or set(columns) - set(frame.columns):
            raise ParameterError(f"{what} must be the processed {what} table with columns {', '.join(columns)}.")
    districts_2021 = set(areas["ltla_code"])
    changes = area_changes[area_changes["change"].str.startswith("abolished")].set_index("code")
    rows, unmapped = [], []
    for code in codes:
        if code in districts_2021:
            rows.append((code, code, UNCHANGED))
            continue
        successors = str(changes["use_instead_codes"].get(code, "") or "").split("|")
        if len(successors) == 1 and successors[0] in districts_2021:
            change = changes.loc[code]
            rows.append(
                (
                    code,
                    successors[0],
                    f"abolished (register end date {change['date']}); now part of "
                    f"{change['use_instead_names']} ({successors[0]})",
                )
            )
        else:
            unmapped.append(f"{code} (successors: {'|'.join(s for s in successors if s) or 'none listed'})")
    if unmapped:
        raise ValidationError(
            f"2019 district(s) with no single 2021 district: {', '.join(unmapped[:8])}.",
            "Each 2019 district must be a 2021 district or lie wholly in one (see the area_changes table).",
        )
    mapped = pd.DataFrame(rows, columns=["lad19_code", "ltla21_code", "change_2019_2021"])
    geo = areas.set_index("ltla_code")
    for column in ("utla_code", "utla_name", "region_code", "region_name"):
        mapped[column] = mapped["ltla21_code"].map(geo[column])
    return mapped[
        ["lad19_code", "ltla21_code", "utla_code", "utla_name", "region_code", "region_name", "change_2019_2021"]
    ]


def build_deprivation_districts(iod: pd.DataFrame, areas: pd.DataFrame, area_changes: pd.DataFrame) -> pd.DataFrame:
    """File 10's rows with the 2021 district, upper-tier authority and region of each 2019 district.

    MHCLG's values are kept as published (``average_score``, the ranks 1..317 among 2019
    districts, ``proportion_bottom_decile`` as a proportion 0-1 of the district's LSOAs).

    Parameters
    ----------
    iod
        File 10 as read (:func:`read_iod`).
    areas, area_changes
        The processed ``areas`` and ``area_changes`` tables.

    Returns
    -------
    pandas.DataFrame
        :data:`DISTRICT_COLUMNS`, 3,170 rows (317 districts x 10), sorted by index or domain
        (File 10's order) and 2019 code.

    Raises
    ------
    ValidationError
        If a 2019 district cannot be mapped, or a 2021 district has no 2019 district.
    """
    census.require_columns(iod, ["lad19cd", "lad19nm", "index_domain"], "iod")
    mapped = map_2019_districts(iod["lad19cd"], areas, area_changes)
    uncovered = sorted(set(areas["ltla_code"]) - set(mapped["ltla21_code"]))
    if uncovered:
        raise ValidationError(
            f"2021 district(s) {uncovered[:8]} have no 2019 district in File 10.",
            "File 10 must cover all of England (317 districts).",
        )
    table = iod.rename(columns={"lad19cd": "lad19_code", "lad19nm": "lad19_name"}).merge(
        mapped, on="lad19_code", how="left", validate="many_to_one"
    )
    table["source_id"] = IOD_ID
    order = {domain: position for position, domain in enumerate(IOD_DOMAINS)}
    table = (
        table.assign(_order=table["index_domain"].map(order))
        .sort_values(["_order", "lad19_code"])
        .drop(columns="_order")
        .reset_index(drop=True)
    )
    return table[DISTRICT_COLUMNS]


def step(raw: Mapping[str, pd.DataFrame], read_csv: Callable[..., pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Build step: ``deprivation_districts`` (needs the ``areas`` step's ``areas`` and ``area_changes``)."""
    return {"deprivation_districts": build_deprivation_districts(read_iod(read_csv), raw["areas"], raw["area_changes"])}


STEPS = (Step("deprivation", INPUTS, OUTPUTS, partial(step, read_csv=read_raw_csv), needs=("areas", "area_changes")),)
