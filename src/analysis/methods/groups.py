"""Residents in groups who may need specialist ("by and for") safe accommodation.

Sources: ONS, Census 2021 (Census Day, 21 March 2021), TS021 "Ethnic group" and TS038
"Disability", usual residents by lower-tier local authority (OGL v3), summed to upper-tier
authorities, regions and England in the processed ``census_groups`` table
(:mod:`analysis.data.steps.census`). The national expert steering group's report on safe
accommodation names black and minoritised victims and disabled victims among those who most
often need specialist support; these figures size the resident groups, **not** victims or
need.

The groups (:data:`GROUPS`)
---------------------------
``ethnic_minority``
    All ethnic groups other than White British, i.e. every TS021 category except "White:
    English, Welsh, Scottish, Northern Irish or British". This is the ONS convention for
    "ethnic minority groups"; it includes the White minorities (Irish, Gypsy or Irish
    Traveller, Roma, Other White).
``ethnic_minority_not_white``
    All ethnic groups other than White: every TS021 category except the five "White: ..."
    ones. Given so that users can choose the narrower definition; say which one is used.
``disabled``
    Disabled under the Equality Act 2010: TS038 "Day-to-day activities limited a lot" plus
    "limited a little".

``share`` is the group's residents over all usual residents *of the same table* (the sum of
its categories; "Does not apply", 0 everywhere, is left out): ONS cell-key perturbation makes
tables differ by a few people, and one table's own total keeps its shares consistent.

No confidence interval is given: the census counts the whole population rather than sampling
it, so there is no sampling error for a Wilson interval to describe (what uncertainty there is,
from imputation and perturbation of a few people per cell, is not of that kind).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from analysis import config
from analysis.data import tables
from analysis.data.steps import census
from analysis.errors import ParameterError


@dataclass(frozen=True)
class Group:
    """A group of residents: the Census table and the categories that make it up."""

    name: str
    label: str
    table_id: str
    category_codes: tuple[int, ...]
    definition: str


WHITE_BRITISH = census.ETHNIC_GROUP_CATEGORIES[13]  # ONS TS021 code 13
_ETHNIC = {code: label for code, label in census.ETHNIC_GROUP_CATEGORIES.items() if code != census.DOES_NOT_APPLY}
_DISABILITY = census.DISABILITY_CATEGORIES
GROUPS: dict[str, Group] = {
    group.name: group
    for group in (
        Group(
            "ethnic_minority",
            "Ethnic minority groups (all other than White British)",
            "TS021",
            tuple(code for code, label in _ETHNIC.items() if label != WHITE_BRITISH),
            f"ONS Census 2021 TS021: every ethnic group except '{WHITE_BRITISH}' (ONS convention; includes "
            "White Irish, Gypsy or Irish Traveller, Roma and Other White)",
        ),
        Group(
            "ethnic_minority_not_white",
            "Ethnic groups other than White",
            "TS021",
            tuple(code for code, label in _ETHNIC.items() if not label.startswith("White:")),
            "ONS Census 2021 TS021: every ethnic group except the five White groups (Asian, Black, Mixed or "
            "Multiple, Other ethnic groups)",
        ),
        Group(
            "disabled",
            "Disabled under the Equality Act",
            "TS038",
            tuple(code for code, label in _DISABILITY.items() if label.startswith("Disabled under the Equality Act")),
            "ONS Census 2021 TS038: disabled under the Equality Act 2010, day-to-day activities limited a lot "
            "or a little",
        ),
    )
}
COLUMNS = [
    "area_code",
    "area_name",
    "level",
    "group",
    "group_label",
    "table_id",
    "residents",
    "all_usual_residents",
    "share",
    "definition",
    "source_id",
]
ROLES = ("area", "region", "england")


def _check_groups(groups: Iterable[str] | None) -> list[str]:
    if groups is None:
        return list(GROUPS)
    chosen = [groups] if isinstance(groups, str) else list(groups)
    unknown = [g for g in chosen if g not in GROUPS]
    if unknown or not chosen:
        raise ParameterError(
            f"Unknown group(s) {', '.join(map(repr, unknown)) or '(none given)'}.", f"Use {', '.join(GROUPS)}."
        )
    return chosen


def group_residents(groups: Iterable[str] | None = None, *, census_groups: pd.DataFrame | None = None) -> pd.DataFrame:
    """Residents in each group and their share of all usual residents, for every reporting area.

    Parameters
    ----------
    groups
        Names from :data:`GROUPS` (default all).
    census_groups
        The processed ``census_groups`` table; read from ``data/processed`` when omitted.

    Returns
    -------
    pandas.DataFrame
        :data:`COLUMNS`, one row per area (152 upper-tier authorities, 9 regions, England)
        and group: ``residents`` and ``all_usual_residents`` (whole counts, Census 2021) and
        ``share`` (a proportion 0-1, no interval: see the module docstring).

    Raises
    ------
    ParameterError
        If a group name is unknown.
    """
    chosen = _check_groups(groups)
    table = tables.read_table("census_groups") if census_groups is None else census_groups
    census.require_columns(
        table, ["area_code", "area_name", "level", "table_id", "category_code", "residents"], "census_groups"
    )
    keys = ["area_code", "area_name", "level", "table_id"]
    totals = table.groupby(keys, as_index=False)["residents"].sum().rename(columns={"residents": "all_usual_residents"})
    frames = []
    for name in chosen:
        group = GROUPS[name]
        rows = table[(table["table_id"] == group.table_id) & table["category_code"].isin(group.category_codes)]
        counted = rows.groupby(keys, as_index=False)["residents"].sum()
        frames.append(
            counted.merge(totals, on=keys, validate="one_to_one").assign(
                group=name,
                group_label=group.label,
                definition=group.definition,
                source_id=census.CATEGORY_TABLES[group.table_id][0],
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out["share"] = out["residents"] / out["all_usual_residents"]
    order = {"utla": 0, "region": 1, "country": 2}
    out = out.assign(_level=out["level"].map(order), _group=out["group"].map(chosen.index))
    out = out.sort_values(["_level", "area_code", "_group"]).reset_index(drop=True)
    return out.astype({"residents": "int64", "all_usual_residents": "int64"})[COLUMNS]


def groups_for_area(
    code: str,
    groups: Iterable[str] | None = None,
    *,
    census_groups: pd.DataFrame | None = None,
    authorities: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """An area's groups with its region's and England's side by side.

    Parameters
    ----------
    code
        GSS code of an upper-tier authority, a region or England.
    groups
        Names from :data:`GROUPS` (default all).
    census_groups, authorities
        The processed ``census_groups`` and ``authorities`` tables; read when omitted.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``group``, ``group_label``, then for each of ``area``, ``region``
        and ``england`` the columns ``<role>_code``, ``<role>_name``, ``<role>_residents``,
        ``<role>_all_usual_residents`` and ``<role>_share``, then ``definition``. For a region
        the region columns repeat the area; for England they are empty.

    Raises
    ------
    ParameterError
        If ``code`` is not a reporting area, or a group name is unknown.
    """
    chosen = _check_groups(groups)
    authorities = tables.read_table("authorities") if authorities is None else authorities
    census.require_columns(authorities, ["area_code", "level", "region_code"], "authorities")
    known = authorities.set_index("area_code")
    if not isinstance(code, str) or code not in known.index:
        raise ParameterError(
            f"{code!r} is not an upper-tier authority, region or England code of the {config.GEOGRAPHY_VINTAGE}.",
            "Use an upper-tier authority, region or England GSS code (see 'analysis areas list'); a district's "
            "figures are in its upper-tier authority.",
        )
    region = known.loc[code, "region_code"] if known.loc[code, "level"] != "country" else None
    table = group_residents(chosen, census_groups=census_groups).set_index(["area_code", "group"])
    out = pd.DataFrame({"group": chosen, "group_label": [GROUPS[g].label for g in chosen]})
    for role, role_code in zip(ROLES, (code, region, config.ENGLAND_CODE)):
        for column in ("area_name", "residents", "all_usual_residents", "share"):
            target = f"{role}_{column.removeprefix('area_')}"
            if role_code is None:
                out[target] = pd.NA
            else:
                out[target] = [table.loc[(role_code, g), column] for g in chosen]
        out.insert(out.columns.get_loc(f"{role}_name"), f"{role}_code", role_code)
    out["definition"] = [GROUPS[g].definition for g in chosen]
    return out


def headline_values(frame: pd.DataFrame) -> dict[str, object]:
    """The values a chapter records from :func:`groups_for_area` (shares as proportions, unrounded).

    Returns
    -------
    dict
        For each group ``g`` in the frame: ``g_residents``, ``g_share``, ``region_g_share`` and
        ``england_g_share`` (None where the area has no such comparator), plus
        ``groups_census_date`` (Census Day) and ``groups_source_ids``.
    """
    census.require_columns(frame, ["group", "area_residents", "area_share", "region_share", "england_share"], "groups")
    out: dict[str, object] = {}
    for row in frame.itertuples(index=False):
        out[f"{row.group}_residents"] = int(row.area_residents)
        out[f"{row.group}_share"] = float(row.area_share)
        out[f"region_{row.group}_share"] = None if pd.isna(row.region_share) else float(row.region_share)
        out[f"england_{row.group}_share"] = float(row.england_share)
    out["groups_census_date"] = config.CENSUS_DAY
    out["groups_source_ids"] = sorted({census.CATEGORY_TABLES[GROUPS[g].table_id][0] for g in frame["group"]})
    return out
