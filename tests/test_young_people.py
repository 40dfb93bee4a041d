"""The 14-18 scoping (analysis.methods.young_people): populations, the 16-18 estimate, the 14-15
scenario and the safe accommodation context, checked against values computed here by hand
from the shipped raw files (Census 2021 TS009 cells by district, sex and single year of age, the
ONS district lookup, the authored crime survey and young people's tables)."""

from __future__ import annotations

import dataclasses
import math

import pandas as pd
import pytest

from analysis.data import build
from analysis.errors import DataFileError, ParameterError, ValidationError
from analysis.methods import areas, young_people_scenario
from analysis.methods import young_people as yp
from analysis.present import young_people as show_yp
from tests.conftest import raw_csv, ts009_cells

HAMPSHIRE, SOUTHAMPTON, ISLE_OF_WIGHT = "E10000014", "E06000045", "E06000046"
SOUTH_EAST, ENGLAND = "E12000008", "E92000001"
AGES = [14, 15, 16, 17, 18]


# ------------------------------------------------------------------------------------------
# Hand computations from the raw files
# ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ts009() -> pd.DataFrame:
    """Census 2021 TS009 as shipped, read with pandas alone (district, sex, age, population)."""
    return ts009_cells()


@pytest.fixture(scope="module")
def lookup() -> pd.DataFrame:
    return raw_csv("ltla22_utla22_lookup")


def districts_of(lookup: pd.DataFrame, utla_code: str) -> list[str]:
    return list(lookup.loc[lookup["UTLA22CD"] == utla_code, "LTLA22CD"])


def hand_ages(ts009: pd.DataFrame, districts: list[str], ages: list[int], sex: str = "persons") -> dict[int, float]:
    rows = ts009[ts009["ltla_code"].isin(districts)]
    if sex != "persons":
        rows = rows[rows["sex"] == sex]
    return {age: float(rows.loc[rows["age"] == age, "population"].sum()) for age in ages}


def hand_total(ts009: pd.DataFrame, districts: list[str]) -> float:
    return float(ts009.loc[ts009["ltla_code"].isin(districts), "population"].sum())


def england_districts(ts009: pd.DataFrame) -> list[str]:
    return sorted(code for code in ts009["ltla_code"].unique() if code.startswith("E"))


def hand_rate_16_19() -> float:
    authored = raw_csv("csew_rates_authored")
    row = authored[
        (authored["survey_year"] == "YE Mar 2020")
        & (authored["sex"] == "all")
        & (authored["age_band"] == "16-19")
        & (authored["measure"] == "any_domestic_abuse")
    ]
    assert len(row) == 1
    return float(row["percent"].iloc[0])


def hand_scenario_bounds() -> tuple[float, float]:
    research = raw_csv("young_people_research_authored")
    return (
        float(research.loc[research["scenario_bound"] == "low", "value"].min()),
        float(research.loc[research["scenario_bound"] == "high", "value"].max()),
    )


# ------------------------------------------------------------------------------------------
# Population
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [HAMPSHIRE, SOUTHAMPTON])
def test_single_year_populations_match_the_district_file(code, ts009, lookup):
    districts = districts_of(lookup, code)
    expected = hand_ages(ts009, districts, AGES)
    total = hand_total(ts009, districts)
    profile = yp.age_profile(code).set_index("age")
    assert list(profile.index) == AGES
    for age in AGES:
        assert profile.loc[age, "population"] == expected[age]
        assert profile.loc[age, "share_percent"] == pytest.approx(expected[age] / total * 100)
        assert profile.loc[age, "per_100k"] == pytest.approx(expected[age] / total * 100_000)
    assert len(districts) == (11 if code == HAMPSHIRE else 1)


def test_shares_against_region_and_england_match_the_district_file(ts009, lookup):
    hampshire = areas.get_area(HAMPSHIRE)
    shares = yp.compare_shares(hampshire).set_index("area_code")
    assert list(shares.index) == [HAMPSHIRE, SOUTH_EAST, ENGLAND]
    everyone = england_districts(ts009)
    young = hand_ages(ts009, everyone, AGES)
    expected = sum(young.values()) / hand_total(ts009, everyone) * 100
    assert shares.loc[ENGLAND, "share_14_18_percent"] == pytest.approx(expected)
    mine = hand_ages(ts009, districts_of(lookup, HAMPSHIRE), list(range(14, 25)))
    total = hand_total(ts009, districts_of(lookup, HAMPSHIRE))
    assert shares.loc[HAMPSHIRE, "population_14_18"] == sum(mine[a] for a in AGES)
    assert shares.loc[HAMPSHIRE, "population_16_18"] == mine[16] + mine[17] + mine[18]
    assert shares.loc[HAMPSHIRE, "share_15_24_percent"] == pytest.approx(
        sum(mine[a] for a in range(15, 25)) / total * 100
    )


def test_southampton_15_24_share_is_computed_beside_its_strategy_statement(ts009, lookup):
    districts = districts_of(lookup, SOUTHAMPTON)
    wide = hand_ages(ts009, districts, list(range(15, 25)))
    expected = sum(wide.values()) / hand_total(ts009, districts) * 100
    shares = yp.compare_shares(areas.get_area(SOUTHAMPTON)).set_index("area_code")
    assert shares.loc[SOUTHAMPTON, "share_15_24_percent"] == pytest.approx(expected)
    stated = yp.local_facts(areas.get_area(SOUTHAMPTON))
    assert stated.loc[stated["measure"] == "population_aged_15_24_percent", "value"].tolist() == [19.0]
    sentence = show_yp.describe_15_24_share(areas.get_area(SOUTHAMPTON))
    assert f"{expected:.1f}% of Southampton's residents" in sentence
    assert "strategy states 19% against 12% nationally (001_fb53b9ff00823b74.txt" in sentence
    assert "strategy states" not in show_yp.describe_15_24_share(areas.get_area(HAMPSHIRE))


def test_comparators_of_a_region_and_of_england():
    assert [a.code for a in yp.comparison_areas(areas.get_area(SOUTH_EAST))] == [SOUTH_EAST, ENGLAND]
    assert [a.code for a in yp.comparison_areas(areas.get_area(ENGLAND))] == [ENGLAND]


def test_population_by_sex_is_the_observed_census_count_at_each_age(ts009, lookup):
    table = yp.population_by_sex(SOUTHAMPTON)
    districts = districts_of(lookup, SOUTHAMPTON)
    for sex in ("persons", "female", "male"):
        expected = hand_ages(ts009, districts, AGES, sex)
        assert table[sex].tolist() == [expected[a] for a in AGES]
    assert (table["female"] + table["male"]).tolist() == table["persons"].tolist()
    assert table["sex_basis"].str.startswith("observed").all()
    assert table["sex_basis"].str.contains("Census 2021").all()


def test_bad_ages_are_refused():
    with pytest.raises(ParameterError, match="ages must be whole numbers"):
        yp.age_profile(HAMPSHIRE, ages=[14, 15.5])


# ------------------------------------------------------------------------------------------
# The 16-18 estimate
# ------------------------------------------------------------------------------------------


def test_youngest_band_rate_is_the_authored_16_19_figure():
    rate = yp.youngest_band_rate()
    assert (rate.age_band, rate.sex, rate.survey_year) == ("16-19", "all", "YE Mar 2020")
    assert rate.percent == hand_rate_16_19()
    assert not rate.has_interval  # none published in data/raw; none invented


@pytest.mark.parametrize("code", [HAMPSHIRE, SOUTHAMPTON])
def test_16_18_estimate_matches_a_hand_computation(code, ts009, lookup):
    young = hand_ages(ts009, districts_of(lookup, code), [16, 17, 18])
    expected = sum(young.values()) * hand_rate_16_19() / 100
    estimate = yp.estimate_16_18(code).iloc[0]
    assert estimate["population_16_18"] == sum(young.values())
    assert estimate["estimate"] == pytest.approx(expected)
    assert math.isnan(estimate["estimate_lower"]) and math.isnan(estimate["estimate_upper"])


def test_womens_partner_abuse_rate_applies_to_the_female_population_only(ts009, lookup):
    sdg = raw_csv("sdg_521_partner_abuse_women")
    row = sdg[
        (sdg["Year"] == "2019/20")
        & (sdg["Age"] == "16 to 19")
        & sdg["Region"].isna()
        & sdg["Type of partner abuse"].isna()
    ]
    assert len(row) == 1
    women = yp.youngest_band_rate(sex="female", measure="partner_abuse")
    assert women.percent == pytest.approx(float(row["Value"].iloc[0]), abs=1e-4)
    estimate = yp.estimate_16_18(HAMPSHIRE, women).iloc[0]
    assert estimate["sex"] == "female"
    female = sum(hand_ages(ts009, districts_of(lookup, HAMPSHIRE), [16, 17, 18], "female").values())
    assert estimate["population_16_18"] == female
    assert estimate["estimate"] == pytest.approx(female * women.percent / 100)


def test_a_published_interval_is_scaled_with_the_estimate():
    fixture_rate = yp.SurveyRate(
        "YE Mar 2020",
        "all",
        "16-19",
        "any_domestic_abuse",
        9.5,
        8.0,
        11.0,
        "fixture",
        "https://example.org",
        None,
        "",
        "fixture",
    )
    estimate = yp.estimate_16_18(SOUTHAMPTON, fixture_rate).iloc[0]
    assert estimate["estimate_lower"] == pytest.approx(estimate["population_16_18"] * 0.08)
    assert estimate["estimate_upper"] == pytest.approx(estimate["population_16_18"] * 0.11)


def test_missing_survey_figure_is_a_clear_error(monkeypatch):
    from analysis.data import tables

    real = tables.read_table("csew_rates")
    fixture_rates = real[real["age_band"] != "16-19"]
    monkeypatch.setattr(yp.tables, "read_table", lambda name: fixture_rates)
    with pytest.raises(DataFileError, match="No crime survey figure for 16-19") as info:
        yp.youngest_band_rate()
    assert "csew_prevalence_rates.csv" in info.value.hint


# ------------------------------------------------------------------------------------------
# The 14-15 scenario
# ------------------------------------------------------------------------------------------


def test_default_scenario_bounds_are_the_shipped_research_figures():
    low, high = hand_scenario_bounds()
    scenario = yp.resolve_scenario()
    assert (scenario.low_percent, scenario.high_percent) == (low, high)
    assert scenario.available and "research" in scenario.basis


@pytest.mark.parametrize("code", [HAMPSHIRE, SOUTHAMPTON])
def test_scenario_range_is_computed_from_the_14_15_population_and_labelled(code, ts009, lookup):
    young = hand_ages(ts009, districts_of(lookup, code), [14, 15])
    scenario = yp.resolve_scenario(10, 20)
    frame = yp.scenario_14_15(code, scenario).iloc[0]
    assert frame["population_14_15"] == young[14] + young[15]
    assert frame["scenario_low"] == pytest.approx((young[14] + young[15]) * 0.10)
    assert frame["scenario_high"] == pytest.approx((young[14] + young[15]) * 0.20)
    assert frame["label"].startswith("SCENARIO") and "not a measured prevalence" in frame["label"]
    assert scenario.basis == yp.SCENARIO_SOURCE_PARAMETER


def test_scoping_table_labels_the_scenario_and_separates_it_from_the_estimate(ts009, lookup):
    low, high = hand_scenario_bounds()
    young = hand_ages(ts009, districts_of(lookup, HAMPSHIRE), AGES)
    table = yp.scoping_table(HAMPSHIRE, yp.resolve_scenario()).set_index("age")
    assert list(table.index) == ["14", "15", "14-15", "16", "17", "18", "16-18", "14-18"]
    for label, ages in {"14": [14], "15": [15], "14-15": [14, 15]}.items():
        pop = sum(young[a] for a in ages)
        assert table.loc[label, "population"] == pop
        assert math.isnan(table.loc[label, "estimate"])
        assert table.loc[label, "range_low"] == pytest.approx(pop * low / 100)
        assert table.loc[label, "range_high"] == pytest.approx(pop * high / 100)
        assert table.loc[label, "basis"].startswith("SCENARIO (not a measured prevalence)")
    for label, ages in {"16": [16], "17": [17], "18": [18], "16-18": [16, 17, 18]}.items():
        pop = sum(young[a] for a in ages)
        assert table.loc[label, "estimate"] == pytest.approx(pop * hand_rate_16_19() / 100)
        assert "SCENARIO" not in table.loc[label, "basis"]
        assert "no published interval held" in table.loc[label, "basis"]
    assert table.loc["14-18", "population"] == sum(young.values())
    assert math.isnan(table.loc["14-18", "estimate"]) and math.isnan(table.loc["14-18", "range_low"])


def test_without_research_figures_or_parameters_there_is_no_scenario(monkeypatch):
    fixture_empty = yp.research_facts().iloc[0:0]
    # resolve_scenario reads the research table through its own module's research_facts.
    monkeypatch.setattr(young_people_scenario, "research_facts", lambda scenario_only=False: fixture_empty)
    scenario = yp.resolve_scenario()
    assert not scenario.available and scenario.low_percent is None and scenario.high_percent is None
    table = yp.scoping_table(SOUTHAMPTON, scenario).set_index("age")
    assert math.isnan(table.loc["14-15", "range_low"])
    assert table.loc["14-15", "basis"].startswith("SCENARIO (not a measured prevalence): no research figures")
    # Parameters alone still give a (parameter-labelled) scenario.
    assert yp.resolve_scenario(5, 6).basis == yp.SCENARIO_SOURCE_PARAMETER


@pytest.mark.parametrize(
    "low, high, named",
    [
        (-1, 20, "scenario_low_percent"),
        (10, 101, "scenario_high_percent"),
        ("ten", 20, "scenario_low_percent"),
        (True, 20, "scenario_low_percent"),
        (10, float("nan"), "scenario_high_percent"),
        (30, 20, "scenario_low_percent (30) is above scenario_high_percent (20)"),
    ],
)
def test_bad_scenario_parameters_are_refused_naming_the_value(low, high, named):
    with pytest.raises(ParameterError) as info:
        yp.check_scenario_bounds(low, high)
    assert named in info.value.message


def test_a_low_parameter_above_the_research_high_bound_is_refused():
    _, high = hand_scenario_bounds()
    with pytest.raises(ParameterError, match="above the high bound"):
        yp.resolve_scenario(high + 1, None)


@pytest.mark.parametrize("low, high", [(0, 0), (0, 100), (12.5, 12.5), (None, None)])
def test_good_scenario_parameters_pass(low, high):
    assert yp.check_scenario_bounds(low, high) == (
        low if low is None else float(low),
        high if high is None else float(high),
    )


# ------------------------------------------------------------------------------------------
# Safe accommodation context and local facts
# ------------------------------------------------------------------------------------------


def test_sons_are_flagged_against_the_typical_and_the_areas_refuge_limit(ts009, lookup):
    local = raw_csv("young_people_local_authored")
    hants_limit = float(
        local.loc[
            (local["area_code"] == HAMPSHIRE) & (local["measure"] == "refuge_male_child_age_limit_years"), "value"
        ].iloc[0]
    )
    typical = float(local.loc[local["measure"] == "refuge_male_child_age_limit_typical_years", "value"].iloc[0])
    hants = yp.sons_in_refuge_context(areas.get_area(HAMPSHIRE)).set_index("age")
    assert hants["above_area_limit"].to_dict() == {a: "yes" if a > hants_limit else "no" for a in AGES}
    assert hants["above_typical_limit"].to_dict() == {a: "yes" if a > typical else "no" for a in AGES}
    boys = hand_ages(ts009, districts_of(lookup, HAMPSHIRE), AGES, "male")
    assert hants["boys"].tolist() == [boys[a] for a in AGES]  # observed Census 2021 boys
    soton = yp.sons_in_refuge_context(areas.get_area(SOUTHAMPTON))
    assert (soton["above_area_limit"] == "not supplied").all()


def test_local_facts_are_the_areas_rows_plus_national_context():
    local = raw_csv("young_people_local_authored")
    soton = yp.local_facts(areas.get_area(SOUTHAMPTON))
    assert set(soton["area_code"]) == {SOUTHAMPTON, ENGLAND}
    referrals = soton.loc[soton["measure"] == "young_peoples_da_service_referrals", "value"]
    assert referrals.tolist() == local.loc[local["measure"] == "young_peoples_da_service_referrals", "value"].tolist()
    assert soton["area_code"].iloc[-1] == ENGLAND  # the area's own rows come first
    hants = yp.local_facts(areas.get_area(HAMPSHIRE), include_national=False)
    assert set(hants["area_code"]) == {HAMPSHIRE}
    region = yp.local_facts(areas.get_area(SOUTH_EAST))
    assert {HAMPSHIRE, SOUTHAMPTON, ISLE_OF_WIGHT, ENGLAND} <= set(region["area_code"])


def test_plot_refuses_an_unknown_value_column():
    with pytest.raises(ParameterError, match="share_percent"):
        show_yp.plot_age_profile(yp.age_profile(HAMPSHIRE), HAMPSHIRE, value="population")


# ------------------------------------------------------------------------------------------
# The build step for the authored young people's tables
# ------------------------------------------------------------------------------------------

FIXTURE_AUTHORITIES = pd.DataFrame({"area_code": [HAMPSHIRE, SOUTHAMPTON, ISLE_OF_WIGHT, ENGLAND]})


def _edit_csv(root, relative: str, old: str, new: str) -> None:
    path = root / "data" / "raw" / relative
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_build_refuses_a_local_fact_for_an_unknown_area(project_copy):
    _edit_csv(
        project_copy,
        "authored/young_people_local_facts.csv",
        "E06000045,Southampton,2018-21",
        "E06009999,Southampton,2018-21",
    )
    with pytest.raises(ValidationError) as info:
        build.build_young_people_facts({"authorities": FIXTURE_AUTHORITIES})
    assert "young_people_local_facts.csv" in info.value.message
    assert "column 'area_code'" in info.value.message and "E06009999" in info.value.message
    assert "line " in info.value.message


def test_build_refuses_an_unknown_scenario_bound(project_copy):
    _edit_csv(project_copy, "authored/young_people_research_facts.csv", ",high,", ",highest,")
    with pytest.raises(ValidationError) as info:
        build.build_young_people_facts({"authorities": FIXTURE_AUTHORITIES})
    assert "young_people_research_facts.csv" in info.value.message
    assert "scenario_bound" in info.value.message and "highest" in info.value.message


def test_build_refuses_a_low_bound_above_the_high_bound(project_copy):
    _edit_csv(project_copy, "authored/young_people_research_facts.csv", ",17,percent,", ",70,percent,")
    with pytest.raises(ValidationError, match="'low' figure .70. is above the 'high' figure .25."):
        build.build_young_people_facts({"authorities": FIXTURE_AUTHORITIES})


def test_every_research_row_cites_its_publication_and_page():
    research = raw_csv("young_people_research_authored")
    for column in (
        "value",
        "population_surveyed",
        "definition",
        "publication",
        "source_url",
        "source_section",
        "quoted_text",
    ):
        assert research[column].notna().all(), column
    # Each typed-in figure appears in the quoted text it was read from (or as 'a quarter').
    for row in research.itertuples():
        assert f"{row.value:g}" in row.quoted_text or (row.value == 25 and "quarter" in row.quoted_text), row.fact_id


# ------------------------------------------------------------------------------------------
# 16-17 year olds owed a homelessness duty (A6, A3): completeness and suppression
# ------------------------------------------------------------------------------------------

KENT = "E10000016"
A6 = "prevention_or_relief_duty_main_applicant_aged_16_17"
A3 = "duty_owed_support_need_young_person_16_17"


@pytest.fixture(scope="module")
def quarters() -> pd.DataFrame:
    from analysis.data import tables

    return tables.read_table("homelessness")


@pytest.fixture(scope="module")
def kent():
    from analysis.methods import homelessness

    year = homelessness.latest_complete_year()
    return year, homelessness.young_people_duties(KENT, year)


def test_an_incomplete_authority_year_has_no_value_and_names_the_authority_and_quarter(kent, quarters):
    year, duties = kent
    for measure, key in ((A6, "applicant_16_17"), (A3, "support_need_16_17")):
        rows = quarters[(quarters["area_code"] == KENT) & (quarters["measure"] == measure)]
        rows = rows[(rows["financial_year"] == year) & ~rows["complete"]]
        assert len(rows) >= 1  # a real incomplete latest year: a Kent housing authority did not report
        row = duties[(duties["measure"] == key) & (duties["area_code"] == KENT) & (duties["financial_year"] == year)]
        row = row.iloc[0]
        assert math.isnan(row["value"]) and not row["published"]
        assert (
            row["value_sum"]
            == quarters[
                (quarters["area_code"] == KENT)
                & (quarters["measure"] == measure)
                & (quarters["financial_year"] == year)
            ]["value"].sum()
        )  # the partial sum is kept apart, never shown as the value
        for quarter, missing in zip(rows["quarter"], rows["missing_districts"]):
            assert f"{quarter}: {missing}" in row["note"]
    assert "Canterbury (E07000106): no data ('..')" in row["note"]


def test_the_region_and_england_are_mhclgs_totals_whenever_four_quarters_are_published(kent, quarters):
    year, duties = kent
    south_east = duties[(duties["area_code"] == SOUTH_EAST) & (duties["financial_year"] == year)]
    assert south_east["published"].all() and (south_east["quarters_complete"] < 4).any()
    for key, measure in (("applicant_16_17", A6), ("support_need_16_17", A3)):
        rows = quarters[(quarters["area_code"] == SOUTH_EAST) & (quarters["measure"] == measure)]
        expected = rows.loc[rows["financial_year"] == year, "value"].sum()
        assert south_east.loc[south_east["measure"] == key, "value"].item() == expected


def test_years_mhclg_did_not_publish_say_so(kent):
    _, duties = kent
    a6 = duties[(duties["measure"] == "applicant_16_17") & (duties["area_code"] == ENGLAND)].set_index("financial_year")
    assert a6.loc["2019-20", "note"] == "2019-20: not published" and math.isnan(a6.loc["2019-20", "value"])
    assert a6.loc["2020-21", "note"] == "2020-21 Q1: not published"
    assert a6.loc["2021-22", "published"] and a6.loc["2021-22", "note"] == ""


def test_the_page_says_an_incomplete_year_has_no_figure(kent):
    year, duties = kent
    kent_area = areas.resolve_area(KENT)
    text = show_yp.describe_homelessness(duties, kent_area, year)
    assert f"in {year}: Kent no complete figure ({year} Q1: Canterbury (E07000106): no data ('..')" in text
    populations = {code: yp.group_population(code, 16, 17) for code in duties["area_code"].unique()}
    table = show_yp.homelessness_year_table(duties, year, populations).set_index(["Measure", "Area"])
    mine = table.loc[("Main applicant aged 16-17 (A6)", "Kent")]
    assert math.isnan(mine["Households"]) and math.isnan(mine["Per 1,000 residents aged 16-17"])
    assert mine["Note"].startswith(f"no figure: {year} Q1: Canterbury")
    _, alt = show_yp.figure_homelessness_trend(duties, kent_area)
    assert f"{year} incomplete" in alt and "2019-20 not published" in alt


def test_small_counts_are_suppressed_for_records_and_charts():
    # a tiny, clearly named fixture: one authority with counts 0, 3 and 12 over three years
    fixture = pd.DataFrame(
        {
            "measure": ["applicant_16_17"] * 3 + ["support_need_16_17"] * 3,
            "financial_year": ["2021-22", "2022-23", "2023-24"] * 2,
            "area_code": ["E00000001"] * 6,
            "area_name": ["Fixture"] * 6,
            "role": ["authority"] * 6,
            "value": [0.0, 3.0, 12.0, float("nan"), 4.0, 5.0],
            "published": [True, True, True, False, True, True],
            "note": ["", "", "", "2021-22 Q2: Fixture district (E00000002): no data ('..')", "", ""],
        }
    )
    records = show_yp.homelessness_records(fixture, "E00000001", "2023-24")
    trend = {row["financial_year"]: row for row in records["homelessness_16_17_trend"]}
    assert trend["2021-22"] == {"financial_year": "2021-22", "applicant_16_17": 0.0, "support_need_16_17": None}
    assert trend["2022-23"]["applicant_16_17"] == "[c]" and trend["2022-23"]["support_need_16_17"] == "[c]"
    assert records["homelessness_applicant_16_17"] == 12.0 and records["homelessness_support_need_16_17"] == 5.0
    assert records["england_homelessness_applicant_16_17"] is None
    fixture_area = dataclasses.replace(areas.resolve_area(HAMPSHIRE), code="E00000001", name="Fixture")
    _, alt = show_yp.figure_homelessness_trend(fixture, fixture_area)
    assert "2022-23 [c]" in alt and "2021-22 0" in alt and "2021-22 incomplete" in alt and " 3," not in alt


@pytest.mark.parametrize(
    "area_code, year, match",
    [("E07000086", None, "E07000086"), (HAMPSHIRE, "2019", "'2019'"), (HAMPSHIRE, "2030-31", "2030-31")],
)
def test_young_people_duties_names_a_bad_area_or_year(area_code, year, match):
    from analysis.methods import homelessness

    with pytest.raises(ParameterError, match=match):
        homelessness.young_people_duties(area_code, year)


def test_a_year_not_in_the_frame_is_named(kent):
    _, duties = kent
    with pytest.raises(ParameterError, match="'1999-00'"):
        show_yp.homelessness_year_table(duties, "1999-00", {})
