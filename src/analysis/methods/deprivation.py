"""Deprivation of upper-tier authorities, regions and England, computed from MHCLG's district summaries.

Sources: MHCLG, *English Indices of Deprivation 2019*, File 10 "local authority district
summaries" (the processed ``deprivation_districts`` table, :mod:`analysis.data.steps.deprivation`),
and ONS Census 2021 TS009 usual residents per district (``census_district_residents``,
:mod:`analysis.data.steps.census`). Both OGL v3.

Method (the workspace's own: MHCLG's upper-tier summary, File 11, is not in the data)
-------------------------------------------------------------------------------------
For an index or domain, the average score of an area A is the population-weighted mean of the
average scores ``s_i`` of the 2019 districts ``i`` that make it up::

    average_score(A) = sum_i w_i * s_i / sum_i w_i

with ``w_i`` the district's usual residents at Census 2021 (TS009). A district's average score
is itself MHCLG's population-weighted mean of its neighbourhoods' (LSOAs') scores, so with the
same populations this would be the authority's neighbourhood mean, which is how MHCLG builds
File 11's "average score"; MHCLG used mid-2015 populations, so the result is close to, not the
same as, its upper-tier figure. Ranks are recomputed among the 152 authorities (1 = highest
score = most deprived; an exact tie would be broken by area code), never summed or averaged
from district ranks. Regions and England are the same weighted mean over all their districts.

Where several 2019 districts became one 2021 district (Buckinghamshire's four in 2020; North
and West Northamptonshire's four and three in 2021) Census 2021 has no count for each old
district: the new district's residents are shared equally among them, so inside those three
authorities the mean is unweighted. ``weight_basis`` says so on their rows.
"""

from __future__ import annotations

import pandas as pd

from analysis import config
from analysis.data import memo, tables
from analysis.data.steps import census
from analysis.data.steps import deprivation as iod
from analysis.errors import ParameterError, ValidationError

DEFAULT_DOMAIN = "Index of Multiple Deprivation"
#: Said on every row: this is not an MHCLG statistic.
COMPUTED_BY = (
    "computed by this workspace: Census 2021 population-weighted mean of MHCLG's IoD 2019 district "
    "average scores (File 10), ranked among the 152 upper-tier authorities; not MHCLG's own "
    "upper-tier summary (File 11)"
)
WEIGHT_CENSUS = "Census 2021 usual residents (TS009) of each 2019 district"
WEIGHT_SHARED = (
    "Census 2021 usual residents (TS009) of each 2019 district, except {merged}: there the 2021 "
    "district's residents are shared equally among the 2019 districts it replaced (Census 2021 has no "
    "counts for them), so the mean is unweighted inside it"
)
SOURCE_IDS = f"{iod.IOD_ID}; {census.TS009_ID}"
COLUMNS = [
    "area_code",
    "area_name",
    "level",
    "region_code",
    "index_domain",
    "average_score",
    "rank_computed",
    "n_districts_2019",
    "weight_residents",
    "weight_basis",
    "computed_by",
    "source_ids",
]


def _check_domain(domain: object) -> None:
    if not isinstance(domain, str) or domain not in iod.IOD_DOMAINS:
        raise ParameterError(
            f"domain must be one of the IoD 2019 indices and domains, got {domain!r}.",
            "Use one of: " + "; ".join(iod.IOD_DOMAINS) + ".",
        )


def district_weights(districts: pd.DataFrame, residents: pd.DataFrame) -> pd.DataFrame:
    """The Census 2021 weight of each 2019 district.

    Parameters
    ----------
    districts
        The ``deprivation_districts`` table (any index or domain; one row per district is used).
    residents
        The ``census_district_residents`` table (rows with ``sex == "persons"`` are used).

    Returns
    -------
    pandas.DataFrame
        ``lad19_code``, ``ltla21_code``, ``weight_residents`` (float: a 2021 district's
        residents divided by the number of 2019 districts it replaced) and ``shared`` (True
        where that number is above 1).

    Raises
    ------
    ValidationError
        If a 2021 district has no Census residents.
    """
    census.require_columns(districts, ["lad19_code", "ltla21_code"], "districts")
    census.require_columns(residents, ["ltla_code", "sex", "residents"], "residents")
    one = districts.drop_duplicates("lad19_code")[["lad19_code", "ltla21_code"]]
    persons = residents[residents["sex"] == "persons"].set_index("ltla_code")["residents"]
    missing = sorted(set(one["ltla21_code"]) - set(persons.index))
    if missing:
        raise ValidationError(
            f"No Census 2021 residents for 2021 district(s) {missing[:8]}.",
            "census_district_residents must cover every English district.",
        )
    predecessors = one.groupby("ltla21_code")["lad19_code"].transform("size")
    return one.assign(
        weight_residents=one["ltla21_code"].map(persons).astype("float64") / predecessors,
        shared=predecessors > 1,
    ).reset_index(drop=True)


def _weighted_means(rows: pd.DataFrame, key: str, names: pd.Series) -> pd.DataFrame:
    """Population-weighted mean score per value of ``key``; a single district keeps its score exactly."""
    share = rows["weight_residents"] / rows.groupby(key)["weight_residents"].transform("sum")
    grouped = rows.assign(weighted=share * rows["average_score"]).groupby(key)
    merged = grouped.apply(lambda g: ", ".join(sorted(g.loc[g["shared"], "utla_name"].unique())), include_groups=False)
    out = pd.DataFrame(
        {
            "average_score": grouped["weighted"].sum(),
            "n_districts_2019": grouped.size(),
            "weight_residents": grouped["weight_residents"].sum().round().astype("int64"),
            "weight_basis": [WEIGHT_SHARED.format(merged=m) if m else WEIGHT_CENSUS for m in merged],
        }
    )
    out.index.name = "area_code"
    return out.reset_index().assign(area_name=lambda df: df["area_code"].map(names))


@memo.memoize("deprivation_districts", "census_district_residents")  # England-wide: once per process
def deprivation_by_authority(
    domain: str = DEFAULT_DOMAIN,
    *,
    districts: pd.DataFrame | None = None,
    residents: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Population-weighted average deprivation score and rank of every upper-tier authority.

    See the module docstring for the method; it is the workspace's derivation from MHCLG's
    district summaries (File 10), not MHCLG's upper-tier summary (File 11), and every row
    says so in ``computed_by``.

    Parameters
    ----------
    domain
        An index or domain of the IoD 2019 (:data:`analysis.data.steps.deprivation.IOD_DOMAINS`),
        by default the Index of Multiple Deprivation. Scores of every domain rise with
        deprivation.
    districts, residents
        The processed ``deprivation_districts`` and ``census_district_residents`` tables;
        read from ``data/processed`` when omitted.

    Returns
    -------
    pandas.DataFrame
        :data:`COLUMNS`; 152 upper-tier authorities (``level`` "utla", ``rank_computed``
        1..152), then 9 regions and England (``rank_computed`` missing) for context.
        ``average_score`` is on MHCLG's scale for the domain; ``weight_residents`` is the
        Census 2021 usual residents used as weights.

    Raises
    ------
    ParameterError
        If ``domain`` is not an IoD 2019 index or domain.

    References
    ----------
    MHCLG (2019) *The English Indices of Deprivation 2019: Statistical release* and
    *Technical report*, File 10 and File 11 descriptions; ONS Census 2021 TS009.
    """
    _check_domain(domain)
    districts = tables.read_table("deprivation_districts") if districts is None else districts
    residents = tables.read_table("census_district_residents") if residents is None else residents
    needed = ["index_domain", "average_score", "utla_code", "utla_name", "region_code", "region_name"]
    census.require_columns(districts, needed, "districts")
    rows = districts[districts["index_domain"] == domain]
    rows = rows.merge(district_weights(districts, residents), on=["lad19_code", "ltla21_code"], validate="one_to_one")
    rows = rows.assign(country_code=config.ENGLAND_CODE)
    names = pd.concat(
        [
            rows.drop_duplicates("utla_code").set_index("utla_code")["utla_name"],
            rows.drop_duplicates("region_code").set_index("region_code")["region_name"],
            pd.Series({config.ENGLAND_CODE: config.ENGLAND_NAME}),
        ]
    )
    utla = _weighted_means(rows, "utla_code", names).assign(level="utla")
    utla["region_code"] = utla["area_code"].map(rows.drop_duplicates("utla_code").set_index("utla_code")["region_code"])
    ranked = utla.sort_values(["average_score", "area_code"], ascending=[False, True])
    utla["rank_computed"] = pd.Series(range(1, len(ranked) + 1), index=ranked.index, dtype="Int64")
    regions = _weighted_means(rows, "region_code", names).assign(level="region")
    regions["region_code"] = regions["area_code"]
    england = _weighted_means(rows, "country_code", names).assign(level="country", region_code=None)
    out = pd.concat([utla.sort_values("area_code"), regions, england], ignore_index=True)
    out = out.astype({"rank_computed": "Int64", "region_code": "str"})
    return out.assign(index_domain=domain, computed_by=COMPUTED_BY, source_ids=SOURCE_IDS)[COLUMNS]


def deprivation_for_area(
    code: str,
    domain: str = DEFAULT_DOMAIN,
    *,
    table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """An area's deprivation with its region's and England's, in that order.

    Parameters
    ----------
    code
        GSS code of an upper-tier authority, a region or England.
    domain
        An IoD 2019 index or domain (default the Index of Multiple Deprivation).
    table
        :func:`deprivation_by_authority` for ``domain``; computed when omitted.

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`deprivation_by_authority` for the area, its region (an authority
        only) and England, with ``role`` ("area", "region", "england") and ``ranked_among``
        (the number of authorities ranked, 152) in front. ``rank_computed`` is missing for a
        region and England, which are not ranked.

    Raises
    ------
    ParameterError
        If ``code`` is not an upper-tier authority, region or England code.
    """
    _check_domain(domain)
    table = deprivation_by_authority(domain) if table is None else table
    census.require_columns(table, COLUMNS, "deprivation table")
    known = table.set_index("area_code")
    if not isinstance(code, str) or code not in known.index:
        raise ParameterError(
            f"{code!r} is not an upper-tier authority, region or England code of the {config.GEOGRAPHY_VINTAGE}.",
            "Use an upper-tier authority, region or England GSS code (see 'analysis areas list').",
        )
    codes = [code]
    level = known.loc[code, "level"]
    if level == "utla":
        codes.append(known.loc[code, "region_code"])
    if level != "country":
        codes.append(config.ENGLAND_CODE)
    roles = ["area", *(["region"] if level == "utla" else []), *(["england"] if level != "country" else [])]
    out = known.loc[codes].reset_index()
    out.insert(0, "role", roles)
    out.insert(1, "ranked_among", int((table["level"] == "utla").sum()))
    return out


def headline_values(rows: pd.DataFrame) -> dict[str, object]:
    """The values a chapter records from :func:`deprivation_for_area` (scores unrounded).

    Returns
    -------
    dict
        ``deprivation_index_domain``, ``deprivation_average_score``, ``deprivation_rank``
        (None for a region or England), ``deprivation_ranked_among``,
        ``region_deprivation_average_score`` and ``england_deprivation_average_score`` (None
        where there is no such comparator), ``deprivation_year`` ("2019") and
        ``deprivation_computed_by`` (the label that this is the workspace's computation).
    """
    census.require_columns(rows, ["role", "average_score", "rank_computed", "ranked_among"], "deprivation rows")
    by_role = rows.set_index("role")
    area = by_role.loc["area"]

    def score(role: str) -> float | None:
        return float(by_role.loc[role, "average_score"]) if role in by_role.index else None

    rank = area["rank_computed"]
    return {
        "deprivation_index_domain": area["index_domain"],
        "deprivation_year": str(iod.IOD_YEAR),
        "deprivation_average_score": float(area["average_score"]),
        "deprivation_rank": None if pd.isna(rank) else int(rank),
        "deprivation_ranked_among": int(area["ranked_among"]),
        "region_deprivation_average_score": score("region"),
        "england_deprivation_average_score": score("england") if "england" in by_role.index else score("area"),
        "deprivation_computed_by": COMPUTED_BY,
    }
