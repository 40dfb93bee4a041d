"""Refuge requirement, shortfall, referrals and expected demand, checked by hand against the raw files."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from analysis import config
from analysis.data import build
from analysis.errors import ParameterError, ValidationError
from analysis.methods import areas, supply
from analysis.present import supply as show_supply

from .conftest import REAL_ROOT, census_population, raw_csv
from .test_local_data import REFERRALS_HEADER, SUPPLY_HEADER, local_project, write_local  # noqa: F401

HAMPSHIRE = "E10000014"
RAW = REAL_ROOT / "data" / "raw"


def population_from_raw(utla_code: str) -> int:
    """An upper-tier authority's Census 2021 population summed by hand from the raw TS009 cells."""
    return int(census_population(utla_code))


def england_population_from_raw() -> int:
    return int(census_population(config.ENGLAND_CODE))


def shipped_hampshire_refuge_bedspaces() -> int:
    table = pd.read_csv(RAW / "local" / HAMPSHIRE / "supply.csv")
    refuges = table[table["accommodation_type"].isin(["refuge", "specialist_by_and_for"])]
    return int(refuges["bedspaces"].sum())


def authored_fact(measure: str, period: str = "2022-23") -> float:
    table = pd.read_csv(RAW / "authored" / "national_safe_accommodation_facts.csv", dtype={"period": str})
    return float(table.loc[(table["measure"] == measure) & (table["period"] == period), "value"].iloc[0])


@pytest.fixture(scope="module")
def hampshire():
    return supply.assess(areas.resolve_area(HAMPSHIRE))


# ------------------------------------------------------------------------------------------
# The standard
# ------------------------------------------------------------------------------------------


def test_hampshire_requirement_and_shortfall_by_hand_from_the_raw_files(hampshire):
    population = population_from_raw(HAMPSHIRE)
    available = shipped_hampshire_refuge_bedspaces()
    required = population / 10_000 * 1.0
    gap = hampshire.gap
    assert gap["population"] == population
    assert gap["required_places"] == pytest.approx(required, rel=1e-12)
    assert gap["available_places"] == available
    assert gap["shortfall_places"] == pytest.approx(required - available, rel=1e-12)
    assert gap["shortfall_pct"] == pytest.approx((required - available) / required * 100, rel=1e-12)
    assert gap["places_per_100k"] == pytest.approx(available / population * 100_000, rel=1e-12)
    assert gap["standard_places_per_100k"] == 10
    assert hampshire.supply_period == "2021"
    headline = show_supply.headline(hampshire.area.name, hampshire.gap, hampshire.supply_period)
    assert f"{available} refuge bedspaces (2021)" in headline
    assert f"the {required:,.0f} required" in headline
    assert (
        f"a shortfall of {required - available:,.0f} places ({(required - available) / required * 100:.0f}%" in headline
    )
    assert f"{available / population * 100_000:.1f} places per 100,000 people against 10" in headline


def test_the_standard_ratio_is_a_sensitivity_parameter():
    population = population_from_raw(HAMPSHIRE)
    half = supply.standard_gap(population, 92, standard_per_10k=0.5)
    assert half["required_places"] == pytest.approx(population / 10_000 * 0.5)
    assert half["standard_places_per_100k"] == 5
    above = supply.standard_gap(population, 92, standard_per_10k=0.5)
    assert above["shortfall_places"] < 0  # 92 places exceed half the standard
    assert "places more than the standard asks" in show_supply.headline("Hampshire", above, "2021")


def test_without_supply_figures_nothing_is_taken_as_zero():
    gap = supply.standard_gap(142_296, None)
    assert gap["required_places"] == pytest.approx(14.2296)
    assert (gap["available_places"], gap["shortfall_places"], gap["shortfall_pct"], gap["places_per_100k"]) == (
        None,
        None,
        None,
        None,
    )
    assert "cannot be measured" in show_supply.headline("Isle of Wight", gap, None)
    by_type = supply.supply_by_type(None, 142_296)
    assert (by_type["status"] == "no data").all() and by_type["bedspaces"].isna().all()


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"standard_per_10k": -1.0}, "standard_per_10k"),
        ({"standard_per_10k": 0}, "standard_per_10k"),
        ({"refuge_share": 1.5}, "refuge_share"),
        ({"refuge_share": -0.1}, "refuge_share"),
        ({"demand_year": "2030-31"}, "demand_year"),
    ],
)
def test_out_of_range_scenario_parameters_name_the_value(kwargs, name):
    parameters = {"standard_per_10k": 1.0, "refuge_share": 0.44, "demand_year": "2022-23", **kwargs}
    with pytest.raises(ParameterError) as info:
        supply.assess(areas.resolve_area("E06000046"), **parameters)
    assert name in str(info.value) and repr(kwargs[name]) in str(info.value)


def test_periods_order_by_the_year_they_end():
    periods = ["2021-05-01", "2020-21", "not stated", "2019", "2021-2022", "2020"]
    assert sorted(periods, key=supply.period_sort_key) == [
        "not stated",
        "2019",
        "2020",
        "2020-21",
        "2021-05-01",
        "2021-2022",
    ]
    assert supply.latest_period(periods) == "2021-2022"


# ------------------------------------------------------------------------------------------
# Supply by type
# ------------------------------------------------------------------------------------------


def test_supply_by_type_separates_none_from_not_stated(hampshire):
    raw = pd.read_csv(RAW / "local" / HAMPSHIRE / "supply.csv")
    by_type = hampshire.by_type.set_index("accommodation_type")
    assert list(by_type.index) == list(config.ACCOMMODATION_TYPES)
    move_on = raw.loc[raw["accommodation_type"] == "second_stage_move_on", "properties"].sum()
    assert by_type.at["second_stage_move_on", "properties"] == move_on
    assert by_type.at["second_stage_move_on", "status"] == "bedspaces not stated"
    assert math.isnan(by_type.at["second_stage_move_on", "places_per_100k"])
    assert (by_type.at["dispersed", "status"], by_type.at["dispersed", "bedspaces"]) == ("none", 0)
    assert by_type.at["other_emergency", "status"] == "no data"
    assert by_type.loc[["refuge", "specialist_by_and_for"], "counted_in_standard"].all()
    england_refuge = authored_fact("commissioned_refuge_bedspaces") / england_population_from_raw() * 100_000
    assert by_type.at["refuge", "england_places_per_100k"] == pytest.approx(england_refuge)


def test_only_the_latest_supply_period_is_counted(local_project):
    write_local(
        local_project,
        "E06000046",
        "supply.csv",
        "\n".join(
            [
                SUPPLY_HEADER,
                "2020-21,refuge,fixture_provider,1,6,,,,fixture source,",
                "2022,refuge,fixture_provider,2,11,,,,fixture source,",
                "2022,specialist_by_and_for,fixture_provider,1,3,,,,fixture source,",
                "2022,dispersed,fixture_provider,4,4,,,,fixture source,",
            ]
        )
        + "\n",
    )
    result = supply.assess(areas.resolve_area("E06000046"))
    assert result.supply_period == "2022"
    assert result.gap["available_places"] == 11 + 3  # refuge + specialist refuge; dispersed beside it


# ------------------------------------------------------------------------------------------
# Referrals
# ------------------------------------------------------------------------------------------


def test_referral_shares_have_wilson_intervals_where_counts_allow(local_project):
    write_local(
        local_project,
        "E06000046",
        "referrals.csv",
        "\n".join(
            [
                REFERRALS_HEADER,
                "2022-23,received,,250,,,,fixture source,",
                "2022-23,accepted,,100,40,,,fixture source,",
                "2022-23,declined_or_unsuccessful,,150,60,,,fixture source,",
                "2022-23,decline_reason,lack of space,30,,,1,fixture source,",
                "2022-23,from_outside_area,,200,80,,,fixture source,",
                "2021-22,declined_or_unsuccessful,,,61,,,fixture source,",
            ]
        )
        + "\n",
    )
    result = supply.assess(areas.resolve_area("E06000046"), confidence=0.9)
    shares = result.shares.set_index("label")
    for label, count, base in [
        ("2022-23: accepted", 100, 250),
        ("2022-23: declined or unsuccessful", 150, 250),
        ("2022-23: from outside the area", 200, 250),
        ("2022-23: reason declined - lack of space", 30, 150),
    ]:
        lower, upper = proportion_confint(count, base, alpha=0.1, method="wilson")
        row = shares.loc[label]
        assert row["percent"] == pytest.approx(100 * count / base)
        assert (row["ci_lower"], row["ci_upper"]) == (pytest.approx(100 * lower), pytest.approx(100 * upper))
        assert row["interval"] == "Wilson score"
    printed = shares.loc["2021-22: declined or unsuccessful"]
    assert printed["percent"] == 61 and math.isnan(printed["ci_lower"]) and pd.isna(printed["base_count"])
    assert result.benchmark["local_count"].tolist() == [250, 150]  # received, declined (latest period)
    assert result.benchmark["local_period"].tolist() == ["2022-23", "2022-23"]


def test_hampshire_referrals_are_shown_as_printed_without_intervals(hampshire):
    raw = pd.read_csv(RAW / "local" / HAMPSHIRE / "referrals.csv", dtype={"period": str})
    shares = hampshire.shares
    assert len(shares) == len(raw)
    printed = shares[shares["percent"].notna()]
    assert printed["ci_lower"].isna().all()
    assert sorted(printed["percent"]) == sorted(raw["percent"].dropna())
    reasons = shares[shares["measure"] == "decline_reason"].sort_values("rank")
    assert reasons["category"].tolist() == ["victim did not want support", "refuge unable to support substance misuse"]


# ------------------------------------------------------------------------------------------
# Expected demand, and the area against its region and England
# ------------------------------------------------------------------------------------------


def test_expected_demand_applies_englands_rates_per_head(hampshire):
    england = england_population_from_raw()
    population = population_from_raw(HAMPSHIRE)
    expected = hampshire.expected.set_index("measure")["expected_in_area"]
    individuals = authored_fact("individuals_supported_in_safe_accommodation") / england * population
    households = authored_fact("households_unable_to_be_supported") / england * population
    assert expected["individuals_supported_in_safe_accommodation"] == pytest.approx(individuals)
    assert expected["individuals_supported_in_safe_accommodation_refuge"] == pytest.approx(individuals * 0.44)
    assert expected["individuals_supported_in_safe_accommodation_other_types"] == pytest.approx(individuals * 0.56)
    assert expected["households_unable_to_be_supported"] == pytest.approx(households)
    later = supply.expected_demand(population, "2024-25", 0.5).set_index("measure")["expected_in_area"]
    staged = raw_csv("part4_england_headlines")
    staged_2425 = staged[staged["period"] == "2024-25"].set_index("measure")["value"]
    assert later["individuals_supported_in_safe_accommodation_refuge"] == pytest.approx(
        staged_2425["individuals_supported_in_safe_accommodation"] / england * population * 0.5
    )
    benchmark = hampshire.benchmark.set_index("local_period")
    raw = pd.read_csv(RAW / "local" / HAMPSHIRE / "referrals.csv", dtype={"period": str})
    declined = raw.loc[raw["measure"] == "declined_or_unsuccessful"].iloc[0]
    assert benchmark.loc[declined["period"], "local_count"] == declined["count"]


def test_region_has_no_data_and_englands_shortfall_is_close_to_womens_aids(hampshire):
    comparison = hampshire.comparison.set_index("area_name")
    assert math.isnan(comparison.at["South East", "places"])
    assert math.isnan(comparison.at["South East", "places_per_100k"])  # no data, never zero
    staged = raw_csv("womens_aid_refuge_headlines")
    spaces = staged.loc[(staged["measure"] == "refuge_spaces") & (staged["period"] == "2022-05"), "value"].iloc[0]
    published_pct = staged.loc[
        (staged["measure"] == "refuge_spaces_shortfall_pct_vs_council_of_europe_recommendation")
        & (staged["period"] == "2022-05-01"),
        "value",
    ].iloc[0]
    england = england_population_from_raw()
    row = comparison.loc["England (all refuge spaces)"]
    assert row["places_per_100k"] == pytest.approx(spaces / england * 100_000)
    # On the Census 2021 base the method comes within 0.1 point of Women's Aid's published May 2022
    # shortfall (23.2%); the published figure rests on a mid-year population estimate, not the Census.
    shortfall_pct = (england / 10_000 - spaces) / (england / 10_000) * 100
    assert abs(shortfall_pct - published_pct) < 0.15


# ------------------------------------------------------------------------------------------
# The national facts build step
# ------------------------------------------------------------------------------------------


def test_national_facts_table_keeps_each_figure_once_with_its_source():
    facts = supply.national_facts()
    authored = pd.read_csv(RAW / "authored" / "national_safe_accommodation_facts.csv", dtype={"period": str})
    merged = facts.merge(authored, on=["period", "geography_code", "measure"], suffixes=("", "_raw"))
    assert len(merged) == len(authored)
    assert (merged["value"] == merged["value_raw"]).all()
    assert not facts.duplicated(["period", "geography_code", "measure"]).any()
    bedspaces = facts[(facts["period"] == "2022-23") & facts["measure"].isin(build.COMMISSIONED_BY_TYPE)]
    assert bedspaces["value"].sum() == authored_fact("commissioned_bedspaces_all_types")
    total = facts.set_index(["period", "measure"]).loc[("2022-23", "commissioned_bedspaces_all_types")]
    assert "part4_england_headlines" in total["notes"]  # the staged copy of the same figure is named
    assert facts["source_url"].str.startswith("http").all()
    staged = raw_csv("womens_aid_refuge_headlines")
    assert set(staged["measure"]) <= set(facts["measure"])


def test_conflicting_national_figures_stop_the_build(project_copy):
    table = project_copy / "data" / "raw" / "authored" / "national_safe_accommodation_facts.csv"
    table.write_text(
        table.read_text().replace(",commissioned_refuge_bedspaces,3850,", ",commissioned_refuge_bedspaces,3900,")
    )
    with pytest.raises(ValidationError, match="Conflicting values for commissioned_refuge_bedspaces"):
        build.build_safe_accommodation_facts({})
