"""IoD 2019 district summaries mapped to the 2021 authorities (analysis.data.steps.deprivation) and the
workspace's upper-tier figures (analysis.methods.deprivation), checked against the raw files by hand
and against the checks SOURCES.md quotes from MHCLG's statistical release."""

from __future__ import annotations

import pytest

from analysis import config
from analysis.data import build, tables
from analysis.data.steps import census
from analysis.data.steps import deprivation as data_deprivation
from analysis.errors import ParameterError, ValidationError
from analysis.methods import deprivation

from .conftest import raw_csv
from .test_census import areas, census_tables, edit_raw  # noqa: F401 (fixtures)

IMD = "Index of Multiple Deprivation"
HAMPSHIRE = "E10000014"


@pytest.fixture(scope="module")
def districts(areas):
    step = data_deprivation.step(
        {"areas": areas, "area_changes": tables.read_table("area_changes")}, build.read_raw_csv
    )
    return step["deprivation_districts"]


@pytest.fixture(scope="module")
def residents(census_tables):
    return census_tables["census_district_residents"]


@pytest.fixture(scope="module")
def imd(districts, residents):
    return deprivation.deprivation_by_authority(districts=districts, residents=residents)


@pytest.fixture(scope="module")
def iod_raw():
    return raw_csv("iod2019_lad19_summaries")


# ------------------------------------------------------------------------------------------
# The processed district table
# ------------------------------------------------------------------------------------------


def test_all_317_districts_and_10_domains_are_kept(districts):
    assert len(districts) == 3_170
    assert districts["lad19_code"].nunique() == 317
    assert districts.groupby("lad19_code")["index_domain"].nunique().eq(10).all()
    assert districts[["ltla21_code", "utla_code", "region_code"]].notna().all().all()


def test_mapping_covers_every_2021_district_and_all_152_authorities(districts, areas):
    authorities = tables.read_table("authorities")
    assert set(districts["ltla21_code"]) == set(areas["ltla_code"])
    assert set(districts["utla_code"]) == set(authorities.loc[authorities["level"] == "utla", "area_code"])
    assert districts["utla_code"].nunique() == 152


def test_buckinghamshire_and_northamptonshire_districts_go_to_their_unitaries(districts):
    one = districts.drop_duplicates("lad19_code").set_index("lad19_code")
    assert sorted(one.index[one["utla_code"] == "E06000060"]) == ["E07000004", "E07000005", "E07000006", "E07000007"]
    assert sorted(one.loc[one["utla_code"] == "E06000061", "lad19_name"]) == [
        "Corby",
        "East Northamptonshire",
        "Kettering",
        "Wellingborough",
    ]
    assert sorted(one.loc[one["utla_code"] == "E06000062", "lad19_name"]) == [
        "Daventry",
        "Northampton",
        "South Northamptonshire",
    ]
    assert one.loc["E07000004", "change_2019_2021"].startswith("abolished")
    assert one.loc["E07000086", "change_2019_2021"] == data_deprivation.UNCHANGED  # Eastleigh, in Hampshire
    assert one.loc["E07000086", "utla_code"] == HAMPSHIRE


def test_the_release_checks_hold_in_the_district_table(districts):
    imd_rows = districts[districts["index_domain"] == IMD].sort_values("rank_proportion_bottom_decile")
    assert imd_rows["lad19_name"].head(5).tolist() == [
        "Middlesbrough",
        "Liverpool",
        "Knowsley",
        "Kingston upon Hull, City of",
        "Manchester",
    ]
    assert imd_rows["proportion_bottom_decile"].is_monotonic_decreasing
    by_score = districts[districts["index_domain"] == IMD].set_index("lad19_name")["rank_average_score"]
    assert by_score["Blackpool"] == 1 and by_score["Hart"] == 317
    assert sorted(by_score) == list(range(1, 318))
    idaci = districts[districts["index_domain"] == "Income Deprivation Affecting Children"]
    assert idaci.set_index("lad19_name")["rank_average_score"][["Middlesbrough", "Blackpool"]].tolist() == [1, 2]


def test_an_unmappable_2019_district_is_named(areas):
    changes = tables.read_table("area_changes")
    with pytest.raises(ValidationError, match="E07999999"):
        data_deprivation.map_2019_districts(["E07000086", "E07999999"], areas, changes)
    without_bucks = changes[changes["code"] != "E07000005"]
    with pytest.raises(ValidationError, match="E07000005"):
        data_deprivation.map_2019_districts(["E07000005"], areas, without_bucks)


def test_a_bad_iod_cell_is_named_by_file_line_column_and_value(project_copy):
    def edit(lines):
        assert lines[3].startswith("E06000003,Redcar and Cleveland,Index of Multiple Deprivation,")
        cells = lines[3].split(",")
        cells[7] = "1.5"  # proportion_bottom_decile, file line 4
        lines[3] = ",".join(cells)

    edit_raw(project_copy, "deprivation/iod2019_lad19_summaries_long.csv", edit)
    with pytest.raises(ValidationError) as failure:
        data_deprivation.read_iod(build.read_raw_csv)
    text = str(failure.value)
    assert "data/raw/deprivation/iod2019_lad19_summaries_long.csv" in text
    assert "line 4, column 'proportion_bottom_decile', value 1.5: must be <= 1" in text


def test_a_district_missing_a_domain_is_named(project_copy):
    def edit(lines):
        assert lines[1].startswith("E06000001,Hartlepool,Index of Multiple Deprivation,")
        del lines[1]

    edit_raw(project_copy, "deprivation/iod2019_lad19_summaries_long.csv", edit)
    with pytest.raises(ValidationError) as failure:
        data_deprivation.read_iod(build.read_raw_csv)
    text = str(failure.value)
    assert "column 'lad19cd', value 'E06000001': has 9 rows, not 10 (one per index or domain)" in text
    assert "the ranks do not run 1..316" in text


# ------------------------------------------------------------------------------------------
# Upper-tier figures
# ------------------------------------------------------------------------------------------


def test_a_single_district_authority_has_mhclgs_district_score_exactly(imd, iod_raw):
    published = iod_raw[iod_raw["index_domain"] == IMD].set_index("lad19cd")["average_score"]
    mine = imd.set_index("area_code")
    for code in ("E06000009", "E06000002"):  # Blackpool, Middlesbrough
        assert mine.loc[code, "average_score"] == published[code]
        assert mine.loc[code, "n_districts_2019"] == 1
    singles = mine[(mine["level"] == "utla") & (mine["n_districts_2019"] == 1)]
    assert len(singles) == 152 - 24 - 3  # all but the 24 counties and the 3 unitaries made of 2019 districts
    assert (singles["average_score"] == published[singles.index]).all()


def test_hampshire_is_the_census_weighted_mean_of_its_11_districts(imd, iod_raw):
    ts009 = raw_csv("census2021_ts009_ltla21_sya")
    lookup = raw_csv("ltla22_utla22_lookup")
    hampshire = set(lookup.loc[lookup["UTLA22CD"] == HAMPSHIRE, "LTLA22CD"])
    assert len(hampshire) == 11
    weights = (
        ts009[ts009["Lower Tier Local Authorities Code"].isin(hampshire)]
        .groupby("Lower Tier Local Authorities Code")["Observation"]
        .sum()
    )
    scores = iod_raw[(iod_raw["index_domain"] == IMD) & iod_raw["lad19cd"].isin(hampshire)].set_index("lad19cd")
    expected = sum(weights[d] * scores.loc[d, "average_score"] for d in hampshire) / weights.sum()
    row = imd.set_index("area_code").loc[HAMPSHIRE]
    assert row["average_score"] == pytest.approx(expected, rel=1e-12)
    assert row["weight_residents"] == 1_400_898 and row["n_districts_2019"] == 11


def test_buckinghamshire_is_the_plain_mean_of_its_four_former_districts_and_says_so(imd, iod_raw):
    old = iod_raw[
        (iod_raw["index_domain"] == IMD) & iod_raw["lad19cd"].isin(["E07000004", "E07000005", "E07000006", "E07000007"])
    ]
    row = imd.set_index("area_code").loc["E06000060"]
    assert row["average_score"] == pytest.approx(old["average_score"].mean(), rel=1e-12)
    assert "shared equally" in row["weight_basis"] and "Buckinghamshire" in row["weight_basis"]
    assert "shared equally" not in imd.set_index("area_code").loc[HAMPSHIRE, "weight_basis"]


def test_ranks_run_1_to_152_most_deprived_first(imd):
    utla = imd[imd["level"] == "utla"]
    assert len(utla) == 152
    assert sorted(utla["rank_computed"]) == list(range(1, 153))
    by_rank = utla.sort_values("rank_computed")
    assert by_rank["average_score"].is_monotonic_decreasing
    assert by_rank["area_name"].iloc[0] == "Blackpool"
    assert imd.loc[imd["level"] != "utla", "rank_computed"].isna().all()


def test_regions_and_england_are_weighted_means_of_their_authorities(imd):
    utla = imd[imd["level"] == "utla"]
    england = imd.set_index("area_code").loc[config.ENGLAND_CODE]
    weighted = (utla["average_score"] * utla["weight_residents"]).sum() / utla["weight_residents"].sum()
    assert england["average_score"] == pytest.approx(weighted, rel=1e-9)
    assert england["weight_residents"] == 56_490_040 and england["n_districts_2019"] == 317
    regions = imd[imd["level"] == "region"].set_index("area_code")
    assert len(regions) == 9
    for code, rows in utla.groupby("region_code"):
        mean = (rows["average_score"] * rows["weight_residents"]).sum() / rows["weight_residents"].sum()
        assert regions.loc[code, "average_score"] == pytest.approx(mean, rel=1e-9)


def test_every_row_says_it_is_the_workspaces_computation(imd):
    assert imd["computed_by"].str.contains("computed by this workspace").all()
    assert imd["computed_by"].str.contains(r"not MHCLG's own upper-tier summary \(File 11\)").all()
    assert set(imd["index_domain"]) == {IMD}


@pytest.mark.parametrize("domain", data_deprivation.IOD_DOMAINS)
def test_every_domain_ranks_all_152(domain, districts, residents):
    table = deprivation.deprivation_by_authority(domain, districts=districts, residents=residents)
    assert sorted(table.loc[table["level"] == "utla", "rank_computed"]) == list(range(1, 153))
    assert table["average_score"].notna().all()


def test_an_unknown_domain_is_named(districts, residents):
    with pytest.raises(ParameterError, match="got 'IMD'"):
        deprivation.deprivation_by_authority("IMD", districts=districts, residents=residents)


def test_a_district_without_census_residents_is_named(districts, residents):
    fewer = residents[residents["ltla_code"] != "E06000060"]
    with pytest.raises(ValidationError, match="E06000060"):
        deprivation.deprivation_by_authority(districts=districts, residents=fewer)
    assert census.TS009_ID in deprivation.SOURCE_IDS


def test_an_authority_is_shown_beside_its_region_and_england(imd):
    rows = deprivation.deprivation_for_area(HAMPSHIRE, table=imd)
    assert rows["role"].tolist() == ["area", "region", "england"]
    assert rows["area_code"].tolist() == [HAMPSHIRE, "E12000008", config.ENGLAND_CODE]
    assert (rows["ranked_among"] == 152).all()
    values = deprivation.headline_values(rows)
    mine = imd.set_index("area_code")
    assert values["deprivation_average_score"] == mine.loc[HAMPSHIRE, "average_score"]
    assert values["deprivation_rank"] == mine.loc[HAMPSHIRE, "rank_computed"]
    assert values["region_deprivation_average_score"] == mine.loc["E12000008", "average_score"]
    assert values["england_deprivation_average_score"] == mine.loc[config.ENGLAND_CODE, "average_score"]
    assert values["deprivation_year"] == "2019" and values["deprivation_computed_by"] == deprivation.COMPUTED_BY


def test_a_region_and_england_are_not_ranked(imd):
    region = deprivation.deprivation_for_area("E12000008", table=imd)
    assert region["role"].tolist() == ["area", "england"]
    values = deprivation.headline_values(region)
    assert values["deprivation_rank"] is None and values["region_deprivation_average_score"] is None
    england = deprivation.headline_values(deprivation.deprivation_for_area(config.ENGLAND_CODE, table=imd))
    assert england["england_deprivation_average_score"] == england["deprivation_average_score"]


@pytest.mark.parametrize("bad", ["E07000086", "Hampshire", None])
def test_an_area_that_is_not_reported_is_named(imd, bad):
    with pytest.raises(ParameterError, match=repr(bad)):
        deprivation.deprivation_for_area(bad, table=imd)
