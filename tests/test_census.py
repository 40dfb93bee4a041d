"""Census 2021 population base and group tables (analysis.data.steps.census), checked against the shipped
raw files, the published figures SOURCES.md lists and the built ``population`` table."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis import config
from analysis.data import build, tables
from analysis.data.steps import census
from analysis.errors import ParameterError, ValidationError

from .conftest import raw_csv

HAMPSHIRE, SOUTHAMPTON = "E10000014", "E06000045"


@pytest.fixture(scope="module")
def areas():
    return tables.read_table("areas")


@pytest.fixture(scope="module")
def ts009():
    return census.read_census_table(census.TS009_ID, build.read_raw_csv)


@pytest.fixture(scope="module")
def census_population(ts009, areas):
    return census.build_census_population(ts009, areas)


@pytest.fixture(scope="module")
def census_tables(areas):
    """The census step's tables, built here from the shipped raw files."""
    return census.census_step({"areas": areas}, build.read_raw_csv)


def _total(pop: pd.DataFrame, code: str, sex: str = "persons") -> float:
    return pop.loc[(pop["area_code"] == code) & (pop["sex"] == sex), "population"].sum()


# ------------------------------------------------------------------------------------------
# The population base
# ------------------------------------------------------------------------------------------


def test_the_built_population_table_is_the_census_population(census_population):
    today = tables.read_table("population")
    pd.testing.assert_frame_equal(census_population, today)  # the population step builds TS009
    assert list(census_population.columns) == [
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


def test_every_reporting_area_once_152_authorities_9_regions_england(census_population):
    authorities = tables.read_table("authorities")
    per_level = census_population.drop_duplicates("area_code")["level"].value_counts().to_dict()
    assert per_level == {"utla": 152, "region": 9, "country": 1}
    assert set(census_population["area_code"]) == set(authorities["area_code"])


def test_england_totals_are_the_census_figures(census_population):
    assert _total(census_population, config.ENGLAND_CODE) == 56_490_040
    assert _total(census_population, config.ENGLAND_CODE, "female") == 28_833_831
    assert _total(census_population, config.ENGLAND_CODE, "male") == 27_656_209


def test_hampshire_is_its_11_districts(census_population, areas):
    assert (areas["utla_code"] == HAMPSHIRE).sum() == 11
    assert _total(census_population, HAMPSHIRE) == 1_400_898


def test_southampton_by_sex(census_population):
    assert _total(census_population, SOUTHAMPTON) == 248_924
    assert _total(census_population, SOUTHAMPTON, "female") == 123_956
    assert _total(census_population, SOUTHAMPTON, "male") == 124_968


def test_persons_equal_female_plus_male_for_every_area_and_age(census_population):
    wide = census_population.pivot_table(index=["area_code", "age"], columns="sex", values="population", aggfunc="sum")
    assert len(wide) == 162 * 91
    assert (wide["persons"] == wide["female"] + wide["male"]).all()


def test_ages_0_to_90_complete_with_90_the_open_band(census_population):
    ages = census_population.groupby(["area_code", "sex"])["age"].apply(list)
    assert len(ages) == 162 * 3
    assert all(a == list(range(91)) for a in ages)
    labels = dict(zip(census_population["age"], census_population["age_label"]))
    assert labels[90] == "90+" and labels[0] == "0" and labels[89] == "89"


def test_rows_say_observed_census_2021(census_population):
    assert (census_population["year"] == 2021).all()
    assert census_population["sex_basis"].eq(census.SEX_BASIS).all()
    assert census.SEX_BASIS.startswith("observed") and "Census 2021" in census.SEX_BASIS
    assert census_population["source_id"].eq("census2021_ts009_ltla21_sya").all()


def test_hampshire_women_aged_16_are_the_sum_of_its_district_cells(census_population, areas):
    raw = raw_csv("census2021_ts009_ltla21_sya")
    districts = set(areas.loc[areas["utla_code"] == HAMPSHIRE, "ltla_code"])
    cells = raw[
        raw["Lower Tier Local Authorities Code"].isin(districts)
        & (raw["Sex (2 categories)"] == "Female")
        & (raw["Age (91 categories)"] == "Aged 16 years")
    ]
    assert len(cells) == 11
    row = census_population[
        (census_population["area_code"] == HAMPSHIRE)
        & (census_population["sex"] == "female")
        & (census_population["age"] == 16)
    ]
    assert row["population"].item() == cells["Observation"].sum()


def test_the_registered_population_step_is_the_ts009_step(census_population, areas):
    step = build.TABLES["population"]
    assert step.inputs == ("census2021_ts009_ltla21_sya",) and step.needs == ("areas",)
    built = step.run({"areas": areas})
    pd.testing.assert_frame_equal(built["population"], census_population)


def test_bad_arguments_are_named(ts009, areas):
    with pytest.raises(ParameterError, match="areas lacks column"):
        census.build_census_population(ts009, areas.drop(columns="utla_code"))
    with pytest.raises(ParameterError, match="ts009 must be a pandas DataFrame"):
        census.build_census_population("ts009.csv", areas)
    with pytest.raises(ValidationError, match="E06000045"):
        census.build_census_population(ts009[ts009["Lower Tier Local Authorities Code"] != SOUTHAMPTON], areas)
    repeated_age = ts009.copy()
    repeated_age.loc[1, "Age (91 categories) Code"] = 0  # Hartlepool's female age 1 row now says age 0
    with pytest.raises(ValidationError, match="exactly one row per English district, sex"):
        census.build_census_population(repeated_age, areas)


# ------------------------------------------------------------------------------------------
# Validation of the raw files
# ------------------------------------------------------------------------------------------


def edit_raw(root, relative: str, edit) -> None:
    path = root / "data" / "raw" / relative
    lines = path.read_text(encoding="utf-8").splitlines()
    edit(lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_bad_ts009_cell_is_named_by_file_line_column_and_value(project_copy):
    def edit(lines):
        lines[6] = lines[6].rsplit(",", 1)[0] + ",-3"  # file line 7
        lines[12] = lines[12].replace(",11,Aged 11 years,", ",95,Aged 11 years,")  # file line 13

    edit_raw(project_copy, "population/census2021_ts009_ltla21_sex_single_year_age.csv", edit)
    with pytest.raises(ValidationError) as failure:
        census.read_census_table(census.TS009_ID, build.read_raw_csv)
    text = str(failure.value)
    assert "data/raw/population/census2021_ts009_ltla21_sex_single_year_age.csv" in text
    assert "line 7, column 'Observation', value -3.0: must be >= 0" in text
    assert re.search(r"line 13, column 'Age \(91 categories\) Code', value 95(\.0)?: must be <= 90", text)


def test_a_wrong_label_a_repeated_row_and_a_missing_row_are_named(project_copy):
    def edit(lines):
        assert lines[10].startswith("E06000001,Hartlepool,1,Female,9,")
        lines[10] = lines[10].replace(",1,Female,", ",1,Male,")  # file line 11
        lines[30] = lines[29]  # file line 31 repeats line 30
        assert lines[150].startswith("E06000001,Hartlepool,2,Male,58,")
        del lines[150]  # file line 151

    edit_raw(project_copy, "population/census2021_ts009_ltla21_sex_single_year_age.csv", edit)
    with pytest.raises(ValidationError) as failure:
        census.read_census_table(census.TS009_ID, build.read_raw_csv)
    text = str(failure.value)
    assert "census2021_ts009_ltla21_sex_single_year_age.csv failed validation" in text
    assert "line 11, column 'Sex (2 categories)', value 'Male': is not ONS's label of code 1 ('Female')" in text
    assert "line 31, column 'Lower Tier Local Authorities Code', value 'E06000001': repeats line 30" in text
    assert "line 2, column 'Lower Tier Local Authorities Code', value 'E06000001': has 181 rows, not 182" in text


def test_a_missing_column_is_named(project_copy):
    def edit(lines):
        for i, line in enumerate(lines):
            lines[i] = line.rsplit(",", 1)[0]

    edit_raw(project_copy, "census2021/census2021_ts038_ltla21_disability.csv", edit)
    with pytest.raises(
        ValidationError, match=r"(?s)census2021_ts038_ltla21_disability.csv.*missing column 'Observation'"
    ):
        census.read_census_table(census.TS038_ID, build.read_raw_csv)


# ------------------------------------------------------------------------------------------
# District residents and the group tables
# ------------------------------------------------------------------------------------------


def test_district_residents_cover_309_districts_and_add_up(census_tables, census_population):
    residents = census_tables["census_district_residents"]
    assert residents["ltla_code"].nunique() == 309 and len(residents) == 309 * 3
    wide = residents.pivot_table(index="ltla_code", columns="sex", values="residents")
    assert (wide["persons"] == wide["female"] + wide["male"]).all()
    assert wide.loc[SOUTHAMPTON].to_dict() == {"female": 123_956, "male": 124_968, "persons": 248_924}
    per_utla = residents[residents["sex"] == "persons"].groupby("utla_code")["residents"].sum()
    assert per_utla[HAMPSHIRE] == _total(census_population, HAMPSHIRE)


def test_group_tables_keep_every_category_but_does_not_apply(census_tables):
    groups = census_tables["census_groups"]
    per_area = groups.groupby(["area_code", "table_id"]).size().unstack()
    assert len(per_area) == 162
    assert (per_area["TS021"] == 19).all() and (per_area["TS038"] == 4).all()
    assert "Does not apply" not in set(groups["category"])
    assert (groups["residents"] >= 0).all()


def test_southampton_ethnic_group_cells_are_the_raw_file_cells(census_tables):
    raw = raw_csv("census2021_ts021_ltla21_ethnic_group")
    raw = raw[
        (raw["Lower Tier Local Authorities Code"] == SOUTHAMPTON) & (raw["Ethnic group (20 categories) Code"] > 0)
    ]
    mine = census_tables["census_groups"]
    mine = mine[(mine["area_code"] == SOUTHAMPTON) & (mine["table_id"] == "TS021")]
    assert dict(zip(mine["category"], mine["residents"])) == dict(
        zip(raw["Ethnic group (20 categories)"], raw["Observation"])
    )


def test_a_nonzero_does_not_apply_stops_the_build(areas):
    ts021 = raw_csv("census2021_ts021_ltla21_ethnic_group")
    ts038 = raw_csv("census2021_ts038_ltla21_disability")
    not_applicable = (ts021["Lower Tier Local Authorities Code"] == "E06000002") & (
        ts021["Ethnic group (20 categories) Code"] == census.DOES_NOT_APPLY
    )
    ts021.loc[not_applicable, "Observation"] = 5
    with pytest.raises(ValidationError, match="TS021: 'Does not apply' is 5 for E06000002"):
        census.build_census_groups({"TS021": ts021, "TS038": ts038}, areas)
    with pytest.raises(ParameterError, match="tables must hold exactly TS021, TS038"):
        census.build_census_groups({"TS021": ts021}, areas)
