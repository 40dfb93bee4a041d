"""Geography: districts, reporting areas, code changes and boundaries of the 2021 geography.

Sources: the ONS district -> upper-tier lookup (December 2022), the ONS region code list, the
mySociety register of local authorities (CC BY 4.0) and the ONS district boundaries (May 2021).

Tables
------
``areas``        one row per English district (2021 geography) with its upper-tier
                 authority, region and the body holding the Part 4 duty.
``authorities``  one row per reporting area: 152 upper-tier authorities, 9 regions
                 (London as a whole among them) and England, with names, aliases, slugs.
``area_changes`` codes outside the 2021 vintage (abolished before it, created after it)
                 and what to use instead.
``boundaries``   upper-tier, region and England polygons, British National Grid.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from analysis import config
from analysis.data.schemas.geography import AuthorityRegister, DistrictLookup, RegionCodes
from analysis.data.steps.base import Step, raw_label, raw_path, read_raw_csv
from analysis.errors import ValidationError

#: Upper-tier authority type by the first three characters of its GSS code (ONS Code History Database).
UTLA_TYPES = {"E10": "county", "E06": "unitary authority", "E08": "metropolitan district", "E09": "London borough"}

# ------------------------------------------------------------------------------------------
# Areas, authorities, area changes
# ------------------------------------------------------------------------------------------


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _aliases(*names: object) -> str:
    """Distinct, non-empty alternative names joined with '|'."""
    out: dict[str, None] = {}
    for value in names:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            continue
        for part in str(value).split(","):
            part = part.strip()
            if part:
                out.setdefault(part, None)
    return "|".join(out)


def build_areas(given: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Districts -> upper-tier authorities -> regions for the 2021 geography.

    Reads the ONS LTLA -> UTLA lookup (December 2022), the ONS region codes and the mySociety
    register (regions of districts, alternative names, abolished and new codes).

    Parameters
    ----------
    given
        Not used (the step needs no earlier table).

    Returns
    -------
    dict
        ``areas``, ``authorities`` and ``area_changes`` (see the module docstring).
    """
    lookup = read_raw_csv("ltla22_utla22_lookup", DistrictLookup, dtype=str)
    regions = read_raw_csv("ons_rgn22_codes", RegionCodes, dtype=str)
    register = read_raw_csv("mysociety_la_register", AuthorityRegister, dtype=str)

    districts = lookup[lookup["LTLA22CD"].str.startswith("E")].rename(
        columns={"LTLA22CD": "ltla_code", "LTLA22NM": "ltla_name", "UTLA22CD": "utla_code", "UTLA22NM": "utla_name"}
    )
    districts = districts[["ltla_code", "ltla_name", "utla_code", "utla_name"]]
    by_gss = register.dropna(subset=["gss-code"]).drop_duplicates("gss-code").set_index("gss-code")
    region_code_by_name = dict(zip(regions["areanm"], regions["areacd"]))

    region_names = districts["ltla_code"].map(by_gss["region"])
    if region_names.isna().any():
        missing = districts.loc[region_names.isna(), "ltla_code"].tolist()
        raise ValidationError(
            f"No region for district(s) {missing} in the mySociety register.",
            "The register must list every district of the lookup.",
        )
    districts = districts.assign(region_name=region_names, region_code=region_names.map(region_code_by_name))
    if districts["region_code"].isna().any():
        bad = sorted(districts.loc[districts["region_code"].isna(), "region_name"].unique())
        raise ValidationError(f"Region name(s) {bad} in the mySociety register are not in the ONS region list.")
    per_utla = districts.groupby("utla_code")["region_code"].nunique()
    if (per_utla > 1).any():
        raise ValidationError(
            f"Upper-tier authorities in more than one region: {per_utla[per_utla > 1].index.tolist()}"
        )

    districts["utla_type"] = districts["utla_code"].str[:3].map(UTLA_TYPES)
    is_london = districts["utla_code"].str.startswith("E09")
    districts["part4_duty_holder_code"] = districts["utla_code"].where(~is_london, config.LONDON_CODE)
    districts["part4_duty_holder_name"] = districts["utla_name"].where(~is_london, config.GLA_NAME)
    districts["country_code"] = config.ENGLAND_CODE
    districts["geography_vintage"] = config.GEOGRAPHY_VINTAGE
    areas = districts[
        [
            "ltla_code",
            "ltla_name",
            "utla_code",
            "utla_name",
            "utla_type",
            "region_code",
            "region_name",
            "country_code",
            "part4_duty_holder_code",
            "part4_duty_holder_name",
            "geography_vintage",
        ]
    ]
    areas = areas.sort_values("ltla_code").reset_index(drop=True)

    # Reporting areas: upper-tier authorities, regions, England.
    utla = areas.drop_duplicates("utla_code")[
        [
            "utla_code",
            "utla_name",
            "utla_type",
            "region_code",
            "region_name",
            "part4_duty_holder_code",
            "part4_duty_holder_name",
        ]
    ]
    utla = utla.rename(columns={"utla_code": "area_code", "utla_name": "area_name", "utla_type": "area_type"})
    utla["level"] = "utla"
    utla["part4_duty_holder_type"] = utla["area_type"].map(
        {
            "county": "county council",
            "unitary authority": "unitary authority",
            "metropolitan district": "metropolitan district council",
            "London borough": "mayoral strategic authority (GLA)",
        }
    )
    region_rows = regions.rename(columns={"areacd": "area_code", "areanm": "area_name"})
    region_rows = region_rows.assign(
        level="region", area_type="region", region_code=region_rows["area_code"], region_name=region_rows["area_name"]
    )
    is_london_region = region_rows["area_code"] == config.LONDON_CODE
    region_rows["part4_duty_holder_code"] = region_rows["area_code"].where(is_london_region)
    region_rows["part4_duty_holder_name"] = pd.Series(config.GLA_NAME, index=region_rows.index).where(is_london_region)
    region_rows["part4_duty_holder_type"] = pd.Series(
        "mayoral strategic authority (GLA)", index=region_rows.index
    ).where(is_london_region)
    england = pd.DataFrame(
        [
            {
                "area_code": config.ENGLAND_CODE,
                "area_name": config.ENGLAND_NAME,
                "level": "country",
                "area_type": "country",
                "region_code": None,
                "region_name": None,
                "part4_duty_holder_code": None,
                "part4_duty_holder_name": None,
                "part4_duty_holder_type": None,
            }
        ]
    )
    authorities = pd.concat([utla, region_rows, england], ignore_index=True)
    authorities["aliases"] = [
        _aliases(by_gss["nice-name"].get(code), by_gss["official-name"].get(code), by_gss["alt-names"].get(code))
        if code in by_gss.index
        else ""
        for code in authorities["area_code"]
    ]
    authorities.loc[authorities["area_code"].eq(config.LONDON_CODE), "aliases"] = (
        "Greater London|London as a whole|GLA|Greater London Authority"
    )
    authorities["slug"] = authorities["area_name"].map(_slug)
    authorities["n_districts"] = authorities["area_code"].map(areas.groupby("utla_code").size()).fillna(0).astype(int)
    authorities["geography_vintage"] = config.GEOGRAPHY_VINTAGE
    level_order = {"utla": 0, "region": 1, "country": 2}
    authorities = (
        authorities.assign(_order=authorities["level"].map(level_order))
        .sort_values(["_order", "area_code"])
        .drop(columns="_order")
        .reset_index(drop=True)
    )
    authorities = authorities[
        [
            "area_code",
            "area_name",
            "level",
            "area_type",
            "region_code",
            "region_name",
            "part4_duty_holder_code",
            "part4_duty_holder_name",
            "part4_duty_holder_type",
            "n_districts",
            "slug",
            "aliases",
            "geography_vintage",
        ]
    ]

    changes = _area_changes(register, areas, authorities)
    return {"areas": areas, "authorities": authorities, "area_changes": changes}


def _area_changes(register: pd.DataFrame, areas: pd.DataFrame, authorities: pd.DataFrame) -> pd.DataFrame:
    """English codes in the register that are not in the vintage, with what to use instead."""
    known = set(areas["ltla_code"]) | set(authorities["area_code"])
    utla_of = dict(zip(areas["ltla_code"], areas["utla_code"])) | dict(
        zip(
            authorities.loc[authorities["level"] == "utla", "area_code"],
            authorities.loc[authorities["level"] == "utla", "area_code"],
        )
    )
    name_of = dict(zip(authorities["area_code"], authorities["area_name"]))
    english = register[
        (register["nation"] == "England")
        & register["gss-code"].notna()
        & register["gss-code"].str.match(r"^E(06|07|08|09|10)")
    ]
    gss_by_register = dict(zip(register["local-authority-code"], register["gss-code"]))
    rows = []
    for rec in english.to_dict("records"):
        code, start, end = rec["gss-code"], rec["start-date"], rec["end-date"]
        if code in known:
            continue
        if isinstance(start, str) and start > config.GEOGRAPHY_VINTAGE_DATE:
            replaced = register["replaced-by"].fillna("").str.split(",")
            own = rec["local-authority-code"]
            predecessors = register.loc[replaced.map(lambda codes, own=own: own in codes), "gss-code"].dropna()
            use = sorted({utla_of[c] for c in predecessors if c in utla_of})
            kind, date = "created after this geography vintage", start
        elif isinstance(end, str):
            successors = [gss_by_register.get(c.strip()) for c in str(rec["replaced-by"] or "").split(",") if c.strip()]
            use = sorted({utla_of[c] for c in successors if c in utla_of})
            kind, date = "abolished before this geography vintage", end
        else:
            continue
        rows.append(
            {
                "code": code,
                "name": rec["nice-name"],
                "change": kind,
                "date": date,
                "use_instead_codes": "|".join(use),
                "use_instead_names": "|".join(name_of[c] for c in use),
            }
        )
    return (
        pd.DataFrame(rows, columns=["code", "name", "change", "date", "use_instead_codes", "use_instead_names"])
        .sort_values("code")
        .reset_index(drop=True)
    )


# ------------------------------------------------------------------------------------------
# Boundaries
# ------------------------------------------------------------------------------------------


def _valid_polygons(geoms):
    """Repair geometries and keep only their polygonal parts."""
    import shapely

    fixed = shapely.make_valid(geoms.to_numpy())
    out = []
    for geom in fixed:
        if geom.geom_type == "GeometryCollection":
            parts = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
            geom = shapely.union_all(parts)
        out.append(geom)
    return out


def build_boundaries(given: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Dissolve May 2021 district polygons into upper-tier authorities, regions and England (EPSG:27700).

    Source: ONS Local Authority Districts (May 2021) boundaries, GeoJSON; repaired with
    ``shapely.make_valid`` before and after dissolving.

    Parameters
    ----------
    given
        ``areas`` and ``authorities`` (from :func:`build_areas`).

    Returns
    -------
    dict
        ``boundaries``: one polygon per reporting area with a label point and area in km2.
    """
    import geopandas

    areas, authorities = given["areas"], given["authorities"]
    path = raw_path("lad21_boundaries")
    try:
        lad = geopandas.read_file(path, engine="pyogrio")
    except Exception as exc:
        raise ValidationError(
            f"{raw_label('lad21_boundaries')} cannot be read as GeoJSON: {exc}",
            "Restore it with 'analysis data get --force'.",
        ) from None
    if "LAD21CD" not in lad.columns:
        raise ValidationError("The district boundaries file has no LAD21CD column.")
    lad = lad[lad["LAD21CD"].str.startswith("E")][["LAD21CD", "geometry"]].to_crs(config.CRS_BNG)
    missing = sorted(set(areas["ltla_code"]) - set(lad["LAD21CD"]))
    if missing:
        raise ValidationError(f"No boundary for district(s) {missing[:8]}.")
    lad["geometry"] = _valid_polygons(lad.geometry)
    lad = lad.merge(
        areas[["ltla_code", "utla_code", "region_code", "country_code"]], left_on="LAD21CD", right_on="ltla_code"
    )
    frames = []
    for level, key in (("utla", "utla_code"), ("region", "region_code"), ("country", "country_code")):
        dissolved = lad.dissolve(by=key, as_index=False)[[key, "geometry"]].rename(columns={key: "area_code"})
        dissolved["level"] = level
        frames.append(dissolved)
    gdf = geopandas.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=config.CRS_BNG)
    gdf["geometry"] = _valid_polygons(gdf.geometry)
    gdf["area_name"] = gdf["area_code"].map(authorities.set_index("area_code")["area_name"])
    centroids = gdf.geometry.representative_point()
    gdf["label_x"], gdf["label_y"] = centroids.x.round(1), centroids.y.round(1)
    gdf["area_km2"] = (gdf.geometry.area / 1e6).round(3)
    gdf = gdf.sort_values(["level", "area_code"]).reset_index(drop=True)
    if not gdf.geometry.is_valid.all():
        raise ValidationError("Dissolved boundaries are not valid geometries.")
    return {"boundaries": gdf[["area_code", "area_name", "level", "label_x", "label_y", "area_km2", "geometry"]]}


STEPS = (
    Step(
        "areas",
        ("ltla22_utla22_lookup", "ons_rgn22_codes", "mysociety_la_register"),
        ("areas", "authorities", "area_changes"),
        build_areas,
    ),
    Step("boundaries", ("lad21_boundaries",), ("boundaries",), build_boundaries, needs=("areas", "authorities")),
)
