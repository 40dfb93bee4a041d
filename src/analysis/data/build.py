"""Raw -> processed: read, validate, tidy and write the Parquet tables in ``data/processed``.

``analysis data build`` calls :func:`build_tables`. The build is

* validated: every raw table passes its pandera model (:mod:`analysis.data.schemas`) before
  anything is derived from it; a failure names file, line, column and value;
* deterministic: rows and columns are sorted, so the same inputs give byte-identical files;
* incremental: it is skipped when the raw checksums, the build code and the library
  versions are those of the last build and every output is intact (``force`` rebuilds);
* safe: each file is written to a temporary name and renamed, the build state last, under
  a lock so parallel batch workers never build at the same time.

Tables
------
``areas``        one row per English district (2021 geography) with its upper-tier
                 authority, region and the body holding the Part 4 duty.
``authorities``  one row per reporting area: 152 upper-tier authorities, 9 regions
                 (London as a whole among them) and England, with names, aliases, slugs.
``area_changes`` codes outside the 2021 vintage (abolished before it, created after it)
                 and what to use instead.
``population``   mid-2020 population by area, sex and single year of age (0-90+).
``boundaries``   upper-tier, region and England polygons, British National Grid.
``csew_rates``   crime survey prevalence figures, tidy, one row per published figure.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis import config
from analysis.data import schemas, sources
from analysis.errors import DataFileError, ParameterError, ValidationError
from analysis.files import atomic_path, file_lock, write_atomic

STATE_FILE = "_build.json"
LOCK_FILE = ".build.lock"
#: Modules whose code shapes the processed tables: a change to any of them rebuilds.
BUILD_MODULES = (
    "data/build.py",
    *(f"data/schemas/{name}.py" for name in ("__init__", "common", "geography", "population", "survey")),
    *(f"data/schemas/{name}.py" for name in ("safe_accommodation", "local")),
    "config.py",
    "data/sources.py",
)
ENGLAND_AND_WALES_CODE = "K04000001"
UTLA_TYPES = {"E10": "county", "E06": "unitary authority", "E08": "metropolitan district", "E09": "London borough"}


@dataclass(frozen=True)
class Step:
    """A build step: the raw files it reads and the tables it writes."""

    name: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    run: Callable[[dict[str, pd.DataFrame]], dict[str, pd.DataFrame]]


# ------------------------------------------------------------------------------------------
# Reading raw files
# ------------------------------------------------------------------------------------------


def raw_path(source_id: str) -> Path:
    """Local path of a manifest file; raises naming the file and the fix if it is absent."""
    item = sources.get_source(source_id)
    path = item.local_path
    if not path.is_file():
        fix = (
            "run 'analysis data get'"
            if item.kind == "open_data"
            else f"restore it with 'git checkout -- data/raw/{item.path}'"
        )
        raise DataFileError(f"Raw file data/raw/{item.path} is missing.", f"To obtain it, {fix}.")
    return path


def read_raw_csv(source_id: str, schema=None, **kwargs) -> pd.DataFrame:
    """Read a manifest CSV (BOM-tolerant) and validate it against ``schema``."""
    path = raw_path(source_id)
    label = f"data/raw/{sources.get_source(source_id).path}"
    try:
        options = {"keep_default_na": False, "na_values": [""], **kwargs}  # "n/a" is a bad value, not a blank
        df = pd.read_csv(path, encoding="utf-8-sig", **options)
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"{label} is not UTF-8 text (byte {exc.start}).",
            "Save the file as UTF-8 (CSV UTF-8 in Excel) and run again.",
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ValidationError(
            f"{label} cannot be read as CSV: {exc}", "Check the file is a comma-separated table with one header line."
        ) from None
    return schemas.validate_table(df, schema, label) if schema is not None else df


# ------------------------------------------------------------------------------------------
# Step 1: areas, authorities, area changes
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


def build_areas(raw: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Districts -> upper-tier authorities -> regions for the 2021 geography."""
    lookup = read_raw_csv("ltla22_utla22_lookup", schemas.DistrictLookup, dtype=str)
    regions = read_raw_csv("ons_rgn22_codes", schemas.RegionCodes, dtype=str)
    register = read_raw_csv("mysociety_la_register", schemas.AuthorityRegister, dtype=str)

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


#: How the ``sex_basis`` column labels rows: persons are observed; the female/male split is assumed.
SEX_BASIS_OBSERVED = "observed (ONS mid-2020 estimates, persons)"
SEX_BASIS_ASSUMED = (
    "assumed: each district's Census 2021 female/male share applied to every single year "
    "of age of the mid-2020 persons estimate (no ONS sex-by-age table for local "
    "authorities is shipped)"
)


def split_persons_by_sex(persons: pd.DataFrame, sex_totals: pd.DataFrame) -> pd.DataFrame:
    """Split persons by single year of age into females and males (an assumption).

    Each district's female share of usual residents at Census 2021 is applied to its
    mid-2020 persons estimate at every age. This ignores how the sex ratio varies with
    age (more boys at birth, more women at older ages), so female and male counts by age
    are approximate; persons counts are unaffected.

    Parameters
    ----------
    persons
        Long table with columns ``ltla_code``, ``age``, ``population`` (persons).
    sex_totals
        One row per district: ``ltla_code``, ``total_population``, ``total_females``.

    Returns
    -------
    pandas.DataFrame
        ``ltla_code``, ``age``, ``sex`` ("female"/"male"), ``population`` (float) and
        ``sex_basis`` naming the assumption.
    """
    missing = sorted(set(persons["ltla_code"]) - set(sex_totals["ltla_code"]))
    if missing:
        raise ParameterError(
            f"No Census 2021 sex totals for district(s) {', '.join(missing[:5])}.",
            "The sex totals file must cover every district of the population file.",
        )
    share = sex_totals.set_index("ltla_code")
    female_share = (share["total_females"] / share["total_population"]).rename("female_share")
    merged = persons.join(female_share, on="ltla_code")
    female = merged.assign(sex="female", population=merged["population"] * merged["female_share"])
    male = merged.assign(sex="male", population=merged["population"] * (1 - merged["female_share"]))
    out = pd.concat([female, male], ignore_index=True).drop(columns="female_share")
    out["sex_basis"] = SEX_BASIS_ASSUMED
    return out


# ------------------------------------------------------------------------------------------
# Step 2: population
# ------------------------------------------------------------------------------------------


def build_population(raw: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Mid-2020 persons by single year of age, split by sex, for every reporting area."""

    areas = raw["areas"]
    authorities = raw["authorities"]
    mye = read_raw_csv(
        "mye2020_ltla21_sya",
        schemas.with_age_columns(schemas.MyePersonsByAge),
        dtype={"ltla21_code": str, "ltla21_name": str},
    )
    census = read_raw_csv("census2021_ltla21_sex", schemas.census_sex_schema(), dtype={"ltla21_code": str})
    mye = mye[mye["ltla21_code"].str.startswith("E")]
    unmatched = sorted(set(mye["ltla21_code"]) ^ set(areas["ltla_code"]))
    if unmatched:
        raise ValidationError(
            f"Population districts and lookup districts differ: {unmatched[:8]}",
            "Both files must use the 2021 district codes.",
        )
    ages = schemas.age_columns()
    persons = mye.melt(id_vars="ltla21_code", value_vars=ages, var_name="age_label", value_name="population")
    persons = persons.rename(columns={"ltla21_code": "ltla_code"})
    persons["age"] = persons["age_label"].str.rstrip("+").astype(int)
    persons = persons[["ltla_code", "age", "population"]].astype({"population": "float64"})
    sexed = split_persons_by_sex(persons, census.rename(columns={"ltla21_code": "ltla_code"}))
    long = pd.concat([persons.assign(sex="persons", sex_basis=SEX_BASIS_OBSERVED), sexed], ignore_index=True)

    geo = areas.set_index("ltla_code")
    frames = []
    for level, key in (("utla", "utla_code"), ("region", "region_code"), ("country", "country_code")):
        grouped = long.assign(area_code=long["ltla_code"].map(geo[key]))
        frames.append(
            grouped.groupby(["area_code", "sex", "age", "sex_basis"], as_index=False)["population"]
            .sum()
            .assign(level=level)
        )
    pop = pd.concat(frames, ignore_index=True)
    pop["area_name"] = pop["area_code"].map(authorities.set_index("area_code")["area_name"])
    pop["age_label"] = pop["age"].map(lambda a: "90+" if a == 90 else str(a))
    pop["year"] = 2020
    pop["source_id"] = "mye2020_ltla21_sya"
    sex_order = {"persons": 0, "female": 1, "male": 2}
    pop = (
        pop.assign(_s=pop["sex"].map(sex_order))
        .sort_values(["area_code", "_s", "age"])
        .drop(columns="_s")
        .reset_index(drop=True)
    )
    missing = sorted(set(authorities["area_code"]) - set(pop["area_code"]))
    if missing:
        raise ValidationError(f"No population built for {missing}.")
    return {
        "population": pop[
            [
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
        ]
    }


# ------------------------------------------------------------------------------------------
# Step 3: boundaries
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


def build_boundaries(raw: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Dissolve May 2021 district polygons into upper-tier authorities, regions and England (EPSG:27700)."""
    import geopandas

    areas, authorities = raw["areas"], raw["authorities"]
    path = raw_path("lad21_boundaries")
    try:
        lad = geopandas.read_file(path, engine="pyogrio")
    except Exception as exc:
        raise ValidationError(
            f"data/raw/{sources.get_source('lad21_boundaries').path} cannot be read as GeoJSON: {exc}",
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


# ------------------------------------------------------------------------------------------
# Step 4: crime survey rates
# ------------------------------------------------------------------------------------------

CSEW_COLUMNS = [
    "survey_year",
    "sex",
    "age_band",
    "measure",
    "measure_version",
    "geography_code",
    "percent",
    "ci_lower",
    "ci_upper",
    "source_title",
    "source_url",
    "source_document",
    "notes",
    "source_id",
]
CSEW_KEY = ["survey_year", "sex", "age_band", "measure", "measure_version", "geography_code"]
SDG_SOURCE_TITLE = (
    "Domestic abuse prevalence and victim characteristics - appendix tables (ONS), via UK SDG indicator 5.2.1"
)
SDG_SOURCE_URL = (
    "https://www.ons.gov.uk/peoplepopulationandcommunity/crimeandjustice/datasets/"
    "domesticabuseprevalenceandvictimcharacteristicsappendixtables"
)


def _sdg_age(text: str) -> str:
    text = str(text).replace("Women aged ", "").strip()
    if text.endswith(" and over"):
        return text.replace(" and over", "+")
    return text.replace(" to ", "-")


def _sdg_status(status: object) -> str:
    text = str(status) if isinstance(status, str) else ""
    if "suppressed" in text:
        return " Suppressed by ONS (too few respondents)."
    if "Missing" in text:
        return " No estimate published for this year."
    return ""


def _pre_2024(frame: pd.DataFrame, label: str) -> pd.Series:
    years = frame["survey_year"].str[-4:].astype(int)
    if (years >= 2024).any():
        raise ValidationError(
            f"{label} has survey years from 2024 on, which may use the new CSEW measure.",
            "Add such figures to data/raw/authored/csew_prevalence_rates.csv with an explicit measure_version instead.",
        )
    return pd.Series("pre-2024", index=frame.index)


def build_csew_rates(raw: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Combine the authored rates table, the transcribed headlines and the SDG 5.2.1 file."""
    authored = read_raw_csv(
        "csew_rates_authored",
        schemas.AuthoredCsewRates,
        keep_default_na=False,
        na_values=[""],
        dtype={"survey_year": str, "sex": str, "age_band": str},
    )
    authored["source_id"] = "csew_rates_authored"

    staged = read_raw_csv(
        "csew_headlines_transcribed", schemas.CsewRates, keep_default_na=False, na_values=[""], dtype={"age_band": str}
    )
    staged = staged.assign(
        measure_version=_pre_2024(staged, "csew_domestic_abuse_by_sex_age.csv"),
        geography_code=ENGLAND_AND_WALES_CODE,
        source_document=None,
        source_id="csew_headlines_transcribed",
    )

    sdg = read_raw_csv("sdg_521_partner_abuse_women", schemas.SdgPartnerAbuse, dtype=str)
    sdg = sdg.astype({"Value": "float64"})
    other = [
        c
        for c in sdg.columns
        if c
        not in {"Year", "Series", "Units", "Age", "Region", "GeoCode", "Value", "Unit multiplier", "Observation status"}
    ]
    base = sdg[sdg[other].isna().all(axis=1)]
    base = base[base["Age"].isna() | base["Region"].isna()]
    sdg_rows = pd.DataFrame(
        {
            "survey_year": "YE Mar 20" + base["Year"].str[-2:],
            "sex": "female",
            "age_band": base["Age"].fillna(base["Series"]).map(_sdg_age),
            "measure": "partner_abuse",
            "geography_code": base["GeoCode"].fillna(ENGLAND_AND_WALES_CODE),
            "percent": base["Value"].round(4),
            "ci_lower": float("nan"),
            "ci_upper": float("nan"),
            "source_title": SDG_SOURCE_TITLE,
            "source_url": SDG_SOURCE_URL,
            "source_document": None,
            "notes": (
                "Women, any partner abuse in the last 12 months."
                + base["Observation status"].map(_sdg_status)
                + base["Region"].map(lambda r: f" Region: {r}." if isinstance(r, str) else "")
            ),
            "source_id": "sdg_521_partner_abuse_women",
        }
    )
    sdg_rows["measure_version"] = _pre_2024(sdg_rows, "ons_sdg_indicator_5-2-1_partner_abuse_women.csv")

    combined = pd.concat([authored[CSEW_COLUMNS], staged[CSEW_COLUMNS], sdg_rows[CSEW_COLUMNS]], ignore_index=True)
    combined["notes"] = combined["notes"].fillna("")
    # The same figure from two sources: keep the first (authored table first), note the other.
    kept = []
    for _, group in combined.groupby(CSEW_KEY, sort=False, dropna=False):
        first = group.iloc[0].copy()
        for _, other_row in group.iloc[1:].iterrows():
            same = (pd.isna(first["percent"]) and pd.isna(other_row["percent"])) or first["percent"] == other_row[
                "percent"
            ]
            if not same:
                raise ValidationError(
                    f"Conflicting crime survey figures for {dict(first[CSEW_KEY])}: {first['percent']} "
                    f"({first['source_title']}) and {other_row['percent']} ({other_row['source_title']}).",
                    "Keep one figure per survey year, sex, age band and measure in data/raw/authored/"
                    "csew_prevalence_rates.csv, or give them different measure or measure_version values.",
                )
            first["notes"] = (first["notes"] + f" Also published in: {other_row['source_title']}.").strip()
        kept.append(first)
    rates = pd.DataFrame(kept)[CSEW_COLUMNS]
    rates = rates.sort_values(CSEW_KEY + ["source_id"]).reset_index(drop=True)
    for column in ("percent", "ci_lower", "ci_upper"):
        rates[column] = rates[column].astype("float64")
    return {"csew_rates": rates}


# ------------------------------------------------------------------------------------------
# Step 5: young people aged 14-18 (authored facts)
# ------------------------------------------------------------------------------------------


def build_young_people_facts(raw: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The authored research figures (for the 14-15 scenario) and local facts about young people."""
    options = {"keep_default_na": False, "na_values": [""], "dtype": str}
    research = read_raw_csv("young_people_research_authored", schemas.YoungPeopleResearchFacts, **options)
    low = research.loc[research["scenario_bound"] == "low", "value"]
    high = research.loc[research["scenario_bound"] == "high", "value"]
    if len(low) and len(high) and low.min() > high.max():
        raise ValidationError(
            f"data/raw/{sources.get_source('young_people_research_authored').path}: the scenario_bound 'low' figure "
            f"({low.min():g}) is above the 'high' figure ({high.max():g}).",
            "Mark the lower figure 'low' and the higher one 'high' in the scenario_bound column.",
        )
    local = read_raw_csv("young_people_local_authored", schemas.YoungPeopleLocalFacts, **options)
    known = set(raw["authorities"]["area_code"])
    unknown = local[~local["area_code"].isin(known)]
    if len(unknown):
        line = int(unknown.index[0]) + 2
        raise ValidationError(
            f"data/raw/{sources.get_source('young_people_local_authored').path} failed validation: line {line}, "
            f"column 'area_code', value {unknown['area_code'].iloc[0]!r}: not a reporting area of the "
            f"{config.GEOGRAPHY_VINTAGE}.",
            "Use an upper-tier authority, region or England code (see 'analysis areas list').",
        )
    local = local.sort_values(["area_code", "topic", "measure", "period"]).reset_index(drop=True)
    return {
        "young_people_research": research.reset_index(drop=True).assign(source_id="young_people_research_authored"),
        "young_people_local": local.assign(source_id="young_people_local_authored"),
    }


# Step 5: national safe accommodation facts (refuge demand and supply)
# ------------------------------------------------------------------------------------------

FACT_COLUMNS = [
    "period",
    "geography_code",
    "geography_name",
    "measure",
    "value",
    "unit",
    "accommodation_type",
    "source_title",
    "source_url",
    "source_document",
    "notes",
    "source_id",
]
FACT_KEY = ["period", "geography_code", "measure"]
#: Accommodation type of the measures in the transcribed files (others have none).
STAGED_FACT_TYPES = {
    "commissioned_units_sanctuary_schemes": "sanctuary_scheme",
    "commissioned_refuge_bedspaces": "refuge",
    "refuge_spaces": "refuge",
    "refuge_bedspaces": "refuge",
}
#: Measures of commissioned places by type, which must add up to ``commissioned_bedspaces_all_types``.
COMMISSIONED_BY_TYPE = (
    "commissioned_units_sanctuary_schemes",
    "commissioned_refuge_bedspaces",
    "commissioned_units_dispersed",
    "commissioned_units_specialist",
    "commissioned_units_second_stage",
    "commissioned_units_other",
)


def _staged_facts(source_id: str) -> pd.DataFrame:
    frame = read_raw_csv(
        source_id,
        schemas.SafeAccommodationFacts,
        keep_default_na=False,
        na_values=[""],
        dtype={"period": str, "notes": str},
    )
    return frame.assign(
        unit=frame["measure"].str.contains("_pct").map({True: "percent", False: "count"}),
        accommodation_type=frame["measure"].map(STAGED_FACT_TYPES),
        source_document=None,
        source_id=source_id,
    )


def _check_commissioned_total(facts: pd.DataFrame) -> None:
    for period, rows in facts[facts["geography_code"] == config.ENGLAND_CODE].groupby("period"):
        values = rows.set_index("measure")["value"]
        if "commissioned_bedspaces_all_types" in values and all(m in values for m in COMMISSIONED_BY_TYPE):
            parts = float(values[list(COMMISSIONED_BY_TYPE)].sum())
            if parts != values["commissioned_bedspaces_all_types"]:
                raise ValidationError(
                    f"Commissioned places by type for {period} add up to {parts:,.0f}, not the "
                    f"{values['commissioned_bedspaces_all_types']:,.0f} given as the total.",
                    "Check the rows of data/raw/authored/national_safe_accommodation_facts.csv.",
                )


def build_safe_accommodation_facts(raw: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """National safe accommodation figures: the authored table first, then the two transcribed files.

    The same figure (period, geography, measure) from two sources is kept once, with the
    other source named in ``notes``; two different values for one figure stop the build.
    """
    authored = read_raw_csv(
        "safe_accommodation_facts_authored",
        schemas.AuthoredSafeAccommodationFacts,
        keep_default_na=False,
        na_values=[""],
        dtype={"period": str, "notes": str},
    )
    authored["source_id"] = "safe_accommodation_facts_authored"
    combined = pd.concat(
        [
            authored[FACT_COLUMNS],
            _staged_facts("part4_england_headlines")[FACT_COLUMNS],
            _staged_facts("womens_aid_refuge_headlines")[FACT_COLUMNS],
        ],
        ignore_index=True,
    )
    combined["value"] = combined["value"].astype("float64")
    spread = combined.groupby(FACT_KEY)["value"].agg(["min", "max"])
    conflicts = spread[spread["min"] != spread["max"]]
    if len(conflicts):
        period, code, measure = conflicts.index[0]
        raise ValidationError(
            f"Conflicting values for {measure} ({code}, {period}): {conflicts.iloc[0]['min']:g} and "
            f"{conflicts.iloc[0]['max']:g} in different source files.",
            "Keep one value per period, geography and measure, or give the figures different measure names.",
        )
    repeats = combined[combined.duplicated(FACT_KEY, keep="first")]
    also = repeats.groupby(FACT_KEY)["source_id"].agg(lambda ids: ", ".join(dict.fromkeys(ids)))
    facts = combined.drop_duplicates(FACT_KEY, keep="first").set_index(FACT_KEY)
    facts["notes"] = facts["notes"].fillna("")
    facts.loc[also.index, "notes"] = (
        facts.loc[also.index, "notes"] + " Same figure also in: " + also + "."
    ).str.strip()
    facts = facts.reset_index()[FACT_COLUMNS]
    _check_commissioned_total(facts)
    return {"safe_accommodation_facts": facts.sort_values(FACT_KEY + ["source_id"]).reset_index(drop=True)}


# ------------------------------------------------------------------------------------------
# Registry, state and orchestration
# ------------------------------------------------------------------------------------------

CHILDREN_RATES_COLUMNS = [
    "indicator",
    "year",
    "age_band",
    "geography_code",
    "rate_per_1000",
    "ci_lower",
    "ci_upper",
    "source_title",
    "source_url",
    "source_document",
    "notes",
    "source_id",
]


def build_children_rates(raw: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Rates per 1,000 children typed in from publications (authored table), validated and sorted."""
    rates = read_raw_csv(
        "children_rates_authored",
        schemas.AuthoredChildrenRates,
        keep_default_na=False,
        na_values=[""],
        dtype={"age_band": str, "source_url": str, "source_document": str},
    )
    rates["notes"] = rates["notes"].fillna("") if "notes" in rates.columns else ""
    rates["source_id"] = "children_rates_authored"
    rates = rates[CHILDREN_RATES_COLUMNS].sort_values(["indicator", "year", "age_band", "geography_code"])
    for column in ("rate_per_1000", "ci_lower", "ci_upper"):
        rates[column] = rates[column].astype("float64")
    return {"children_rates": rates.reset_index(drop=True)}


STEPS: tuple[Step, ...] = (
    Step(
        "areas",
        ("ltla22_utla22_lookup", "ons_rgn22_codes", "mysociety_la_register"),
        ("areas", "authorities", "area_changes"),
        build_areas,
    ),
    Step("population", ("mye2020_ltla21_sya", "census2021_ltla21_sex"), ("population",), build_population),
    Step("boundaries", ("lad21_boundaries",), ("boundaries",), build_boundaries),
    Step(
        "csew_rates",
        ("csew_rates_authored", "csew_headlines_transcribed", "sdg_521_partner_abuse_women"),
        ("csew_rates",),
        build_csew_rates,
    ),
    Step(
        "young_people",
        ("young_people_research_authored", "young_people_local_authored"),
        ("young_people_research", "young_people_local"),
        build_young_people_facts,
    ),
    Step("children_rates", ("children_rates_authored",), ("children_rates",), build_children_rates),
    Step(
        "safe_accommodation_facts",
        ("safe_accommodation_facts_authored", "part4_england_headlines", "womens_aid_refuge_headlines"),
        ("safe_accommodation_facts",),
        build_safe_accommodation_facts,
    ),
)
TABLES: dict[str, Step] = {table: step for step in STEPS for table in step.outputs}


def code_fingerprint() -> str:
    """Hash of the build code and of the libraries that write the files."""
    import geopandas
    import pyarrow

    digest = hashlib.sha256()
    package_dir = config.PACKAGE_DIR
    for module in BUILD_MODULES:
        digest.update((package_dir / module).read_bytes())
    for lib in (pd, pyarrow, geopandas):
        digest.update(f"{lib.__name__}={lib.__version__}".encode())
    return digest.hexdigest()


def _state_path() -> Path:
    return config.PROCESSED_DIR / STATE_FILE


def read_state() -> dict:
    """The last build's record (inputs, code fingerprint, output checksums), or {}."""
    try:
        return json.loads(_state_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _recorded_output(table: str) -> str | None:
    """The checksum the last build recorded for ``table`` (the state file is parsed once per version:
    every table read checks it)."""
    path = _state_path()
    try:
        stat = path.stat()
    except OSError:
        return None
    return dict(_recorded_outputs(str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size)).get(table)


@lru_cache(maxsize=8)
def _recorded_outputs(path: str, inode: int, mtime_ns: int, size: int) -> tuple[tuple[str, str], ...]:
    try:
        state = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ()
    outputs = state.get("outputs") if isinstance(state, dict) else None
    return tuple(sorted(outputs.items())) if isinstance(outputs, dict) else ()


@lru_cache(maxsize=64)
def _file_sha(path: str, mtime_ns: int, size: int) -> str:
    return sources.sha256_file(Path(path))


def output_matches_state(table: str) -> bool:
    """True when the table's file is the one the last build wrote."""
    path = config.PROCESSED_DIR / f"{table}.parquet"
    expected = _recorded_output(table)
    if not expected or not path.is_file():
        return False
    stat = path.stat()
    return _file_sha(str(path), stat.st_mtime_ns, stat.st_size) == expected


def _input_checksums() -> dict[str, str]:
    ids = sorted({source for step in STEPS for source in step.inputs})
    manifest = {item.id: item for item in sources.load_manifest()}
    unknown = [i for i in ids if i not in manifest]
    if unknown:
        raise DataFileError(f"The build needs manifest entries {unknown} that data/raw/sources.yaml lacks.")
    sources.verify_raw_files([manifest[i] for i in ids])
    return {i: manifest[i].sha256 for i in ids}


@contextmanager
def _build_lock() -> Iterator[None]:
    with file_lock(config.PROCESSED_DIR / LOCK_FILE):
        yield


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    with atomic_path(path) as temporary:
        if hasattr(frame, "geometry") and frame.__class__.__name__ == "GeoDataFrame":
            frame.to_parquet(temporary, index=False, compression="zstd", schema_version="1.0.0")
        else:
            frame.to_parquet(temporary, index=False, compression="zstd")


def is_up_to_date() -> bool:
    """True when a build now would change nothing."""
    state = read_state()
    return (
        state.get("code") == code_fingerprint()
        and state.get("inputs") == _input_checksums()
        and all(output_matches_state(t) for t in TABLES)
    )


def build_tables(force: bool = False, report: Callable[[str], None] = print) -> list[Path]:
    """Build every processed table (see the module docstring); return the files written.

    Parameters
    ----------
    force
        Rebuild even when inputs, code and outputs are unchanged.
    report
        Receives one progress line per step.

    Raises
    ------
    DataFileError, ValidationError
        Naming the raw file (and line, column, value) that stops the build. Tables of the
        previous build stay in place.
    """
    with _build_lock():
        inputs = _input_checksums()
        fingerprint = code_fingerprint()
        state = read_state()
        if (
            not force
            and state.get("code") == fingerprint
            and state.get("inputs") == inputs
            and all(output_matches_state(t) for t in TABLES)
        ):
            report("data/processed is up to date (raw checksums and build code unchanged); nothing to do.")
            return []
        results: dict[str, pd.DataFrame] = {}
        for step in STEPS:
            report(f"building {', '.join(step.outputs)} ...")
            results.update(step.run(results))
        out_dir = config.PROCESSED_DIR
        written, outputs = [], {}
        for table in TABLES:
            path = out_dir / f"{table}.parquet"
            _write_parquet(results[table], path)
            outputs[table] = sources.sha256_file(path)
            written.append(path)
        new_state = {
            "code": fingerprint,
            "inputs": inputs,
            "outputs": outputs,
            "geography_vintage": config.GEOGRAPHY_VINTAGE,
        }
        write_atomic(_state_path(), json.dumps(new_state, indent=2, sort_keys=True))
        report(f"wrote {len(written)} tables to {out_dir}")
        return written
