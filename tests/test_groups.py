"""Residents from ethnic minority groups and disabled residents (analysis.methods.groups), checked
against TS009's totals and by hand from the raw TS021 and TS038 files."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import config
from analysis.data import tables
from analysis.data.steps import census
from analysis.errors import ParameterError
from analysis.methods import groups

from .conftest import raw_csv
from .test_census import areas, census_population, census_tables, ts009  # noqa: F401 (fixtures)

HAMPSHIRE, SOUTHAMPTON, SOUTH_EAST = "E10000014", "E06000045", "E12000008"
#: ONS cell-key perturbation moves published cells by a few people each, independently, so two
#: Census tables' sums over the same people differ: TS021 and TS038 sum to 25 and 11 more than TS009
#: for England, and to at most 49 people more or fewer for an upper-tier authority. The tolerances
#: allow for that and are far below the smallest district a lost row would remove (Isles of Scilly,
#: 2,057 residents).
ENGLAND_TOLERANCE = 500
AUTHORITY_TOLERANCE = 100


@pytest.fixture(scope="module")
def census_groups(census_tables):
    return census_tables["census_groups"]


@pytest.fixture(scope="module")
def residents(census_groups):
    return groups.group_residents(census_groups=census_groups)


@pytest.fixture(scope="module")
def authorities():
    return tables.read_table("authorities")


def test_the_groups_count_the_categories_documented():
    ethnic = groups.GROUPS["ethnic_minority"].category_codes
    assert len(ethnic) == 18 and 13 not in ethnic and census.DOES_NOT_APPLY not in ethnic
    not_white = groups.GROUPS["ethnic_minority_not_white"].category_codes
    assert sorted(not_white) == list(range(1, 13)) + [18, 19]
    assert groups.GROUPS["disabled"].category_codes == (1, 2)
    assert "White: English, Welsh, Scottish, Northern Irish or British" in groups.GROUPS["ethnic_minority"].definition


def test_every_area_and_group_once(residents, authorities):
    assert len(residents) == 162 * 3
    assert set(residents["area_code"]) == set(authorities["area_code"])
    assert residents.drop_duplicates("area_code")["level"].value_counts().to_dict() == {
        "utla": 152,
        "region": 9,
        "country": 1,
    }


def test_england_totals_equal_ts009_within_perturbation(residents, census_population):
    ts009_england = census_population.loc[
        (census_population["area_code"] == config.ENGLAND_CODE) & (census_population["sex"] == "persons"), "population"
    ].sum()
    assert ts009_england == 56_490_040
    england = residents[residents["area_code"] == config.ENGLAND_CODE].drop_duplicates("table_id")
    totals = england.set_index("table_id")["all_usual_residents"]
    for table_id, source_id in (("TS021", census.TS021_ID), ("TS038", census.TS038_ID)):
        raw = raw_csv(source_id)
        assert (
            totals[table_id]
            == raw.loc[raw["Lower Tier Local Authorities Code"].str.startswith("E"), "Observation"].sum()
        )
    assert ((totals - ts009_england).abs() <= ENGLAND_TOLERANCE).all()


def test_every_authority_total_equals_ts009_within_perturbation(residents, census_population):
    persons = census_population[census_population["sex"] == "persons"].groupby("area_code")["population"].sum()
    totals = residents.drop_duplicates(["area_code", "table_id"]).set_index(["area_code", "table_id"])
    gap = (totals["all_usual_residents"] - totals.index.get_level_values("area_code").map(persons)).abs()
    assert gap.max() <= AUTHORITY_TOLERANCE


def test_shares_are_proportions_and_the_narrow_group_is_inside_the_wide_one(residents):
    assert residents["share"].between(0, 1).all()
    assert (residents["residents"] <= residents["all_usual_residents"]).all()
    wide = residents.pivot_table(index="area_code", columns="group", values="residents")
    assert (wide["ethnic_minority_not_white"] <= wide["ethnic_minority"]).all()


def test_southampton_by_hand_from_the_raw_files(residents):
    ts021 = raw_csv("census2021_ts021_ltla21_ethnic_group")
    ts021 = ts021[ts021["Lower Tier Local Authorities Code"] == SOUTHAMPTON].set_index("Ethnic group (20 categories)")
    all_ethnic = ts021["Observation"].sum()
    white_british = ts021.loc["White: English, Welsh, Scottish, Northern Irish or British", "Observation"]
    white = ts021.loc[ts021.index.str.startswith("White:"), "Observation"].sum()
    ts038 = raw_csv("census2021_ts038_ltla21_disability")
    ts038 = ts038[ts038["Lower Tier Local Authorities Code"] == SOUTHAMPTON].set_index("Disability (5 categories)")
    disabled = ts038.loc[ts038.index.str.startswith("Disabled under the Equality Act"), "Observation"].sum()
    mine = residents[residents["area_code"] == SOUTHAMPTON].set_index("group")
    assert mine.loc["ethnic_minority", "residents"] == all_ethnic - white_british
    assert mine.loc["ethnic_minority", "all_usual_residents"] == all_ethnic
    assert mine.loc["ethnic_minority_not_white", "residents"] == all_ethnic - white
    assert mine.loc["disabled", "residents"] == disabled
    assert mine.loc["disabled", "share"] == pytest.approx(disabled / ts038["Observation"].sum(), rel=1e-12)


def test_hampshire_is_the_sum_of_its_11_districts(residents):
    lookup = raw_csv("ltla22_utla22_lookup")
    districts = set(lookup.loc[lookup["UTLA22CD"] == HAMPSHIRE, "LTLA22CD"])
    ts038 = raw_csv("census2021_ts038_ltla21_disability")
    ts038 = ts038[ts038["Lower Tier Local Authorities Code"].isin(districts)]
    assert ts038["Lower Tier Local Authorities Code"].nunique() == 11
    disabled = ts038.loc[ts038["Disability (5 categories) Code"].isin([1, 2]), "Observation"].sum()
    row = residents[(residents["area_code"] == HAMPSHIRE) & (residents["group"] == "disabled")]
    assert row["residents"].item() == disabled
    assert row["all_usual_residents"].item() == ts038["Observation"].sum()


def test_groups_for_area_puts_the_region_and_england_beside_the_area(residents, census_groups, authorities):
    table = groups.groups_for_area(HAMPSHIRE, census_groups=census_groups, authorities=authorities)
    assert table["group"].tolist() == list(groups.GROUPS)
    assert (table["area_code"] == HAMPSHIRE).all() and (table["region_code"] == SOUTH_EAST).all()
    assert (table["england_code"] == config.ENGLAND_CODE).all()
    by = residents.set_index(["area_code", "group"])
    for role, code in (("area", HAMPSHIRE), ("region", SOUTH_EAST), ("england", config.ENGLAND_CODE)):
        for group, share, count in zip(table["group"], table[f"{role}_share"], table[f"{role}_residents"]):
            assert share == by.loc[(code, group), "share"] and count == by.loc[(code, group), "residents"]
    assert table.loc[table["group"] == "disabled", "area_name"].item() == "Hampshire"


def test_groups_for_england_and_for_a_region(census_groups, authorities):
    england = groups.groups_for_area(
        config.ENGLAND_CODE, ["disabled"], census_groups=census_groups, authorities=authorities
    )
    assert len(england) == 1 and pd.isna(england["region_share"].item()) and england["region_code"].item() is None
    assert england["area_share"].item() == england["england_share"].item()
    region = groups.groups_for_area(SOUTH_EAST, census_groups=census_groups, authorities=authorities)
    assert (region["area_share"] == region["region_share"]).all()


@pytest.mark.parametrize("bad", ["E07000086", "E99999999", "Hampshire", 14])
def test_a_code_that_is_not_a_reporting_area_is_named(bad, census_groups, authorities):
    with pytest.raises(ParameterError, match=repr(bad)):
        groups.groups_for_area(bad, census_groups=census_groups, authorities=authorities)


def test_an_unknown_group_is_named(census_groups):
    with pytest.raises(ParameterError, match="'bme'"):
        groups.group_residents(["disabled", "bme"], census_groups=census_groups)
    with pytest.raises(ParameterError, match="none given"):
        groups.group_residents([], census_groups=census_groups)


def test_headline_values_record_each_groups_count_and_shares(census_groups, authorities):
    table = groups.groups_for_area(HAMPSHIRE, census_groups=census_groups, authorities=authorities)
    values = groups.headline_values(table)
    lookup = raw_csv("ltla22_utla22_lookup")
    districts = set(lookup.loc[lookup["UTLA22CD"] == HAMPSHIRE, "LTLA22CD"])
    ts021 = raw_csv(census.TS021_ID)
    ts021 = ts021[ts021["Lower Tier Local Authorities Code"].isin(districts)]
    white_british = (
        ts021["Ethnic group (20 categories)"] == "White: English, Welsh, Scottish, Northern Irish or British"
    )
    assert values["ethnic_minority_residents"] == ts021.loc[~white_british, "Observation"].sum()
    assert values["ethnic_minority_share"] == pytest.approx(
        ts021.loc[~white_british, "Observation"].sum() / ts021["Observation"].sum(), rel=1e-12
    )
    assert set(values) >= {f"{p}{g}_share" for p in ("", "region_", "england_") for g in groups.GROUPS}
    assert values["groups_census_date"] == "2021-03-21"
    assert values["groups_source_ids"] == [census.TS021_ID, census.TS038_ID]
    england = groups.headline_values(
        groups.groups_for_area(config.ENGLAND_CODE, ["disabled"], census_groups=census_groups, authorities=authorities)
    )
    assert england["region_disabled_share"] is None and england["england_disabled_share"] == england["disabled_share"]
    assert "ethnic_minority_share" not in england
