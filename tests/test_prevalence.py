"""analysis.methods.prevalence against values computed by hand from the shipped raw files.

Expected values are computed here from data/raw (read with pandas alone): Census 2021 TS009
usual residents by district, sex and single year of age (``conftest.census_population``), the
district -> upper-tier lookup, and the crime survey rates typed into the authored table or
transcribed in the staged headline file.
Tests that change rates work on a project copy and add rows clearly named as fixtures.
"""

from __future__ import annotations

import math
from functools import cache

import pandas as pd
import pytest
from scipy import stats as sps

from analysis import config
from analysis.data import build, sources
from analysis.errors import AreaError, ParameterError
from analysis.methods import prevalence
from analysis.present import prevalence as show_prevalence

from .conftest import census_population, raw_csv

HAMPSHIRE, SOUTHAMPTON, SOUTH_EAST = "E10000014", "E06000045", "E12000008"
AREAS = [HAMPSHIRE, SOUTHAMPTON]
Z95 = sps.norm.ppf(0.975)


def half_up(value: float, multiple: int) -> float:
    """The published rounding rule, written independently: halves of a positive value round up."""
    return math.floor(value / multiple + 0.5) * multiple


# ------------------------------------------------------------------------------------------
# Hand computations from data/raw
# ------------------------------------------------------------------------------------------


@cache
def raw(source_id: str) -> pd.DataFrame:
    """A shipped raw file, read once per test session (callers must not modify it)."""
    return raw_csv(source_id)


def hand_population(area_code: str, band: str, sex: str = "persons") -> float:
    """Census 2021 population of an upper-tier authority (or England) in an age band, from raw TS009."""
    low, high = (int(band[:-1]), 90) if band.endswith("+") else map(int, band.split("-"))
    return census_population(area_code, sex, low, min(high, 90))


def raw_rates() -> pd.DataFrame:
    """National any-domestic-abuse rates of the authored table and the staged headline file."""
    authored = raw("csew_rates_authored")
    staged = raw("csew_headlines_transcribed").assign(measure_version="pre-2024", geography_code="K04000001")
    both = pd.concat([authored, staged], ignore_index=True)
    return both[(both["geography_code"] == "K04000001") & both["percent"].notna()]


def raw_rate(
    survey_year: str, sex: str, band: str, measure: str = "any_domestic_abuse", version: str = "pre-2024"
) -> float:
    rows = raw_rates()
    row = rows[
        (rows["survey_year"] == survey_year)
        & (rows["sex"] == sex)
        & (rows["age_band"] == band)
        & (rows["measure"] == measure)
        & (rows["measure_version"] == version)
    ]
    assert row["percent"].nunique() == 1, (survey_year, sex, band, measure, version)
    return float(row["percent"].iloc[0])


def hand_by_sex(area_code: str, survey_year: str, band: str, version: str) -> float:
    return sum(
        raw_rate(survey_year, sex, band, version=version) / 100 * hand_population(area_code, band, sex)
        for sex in ("female", "male")
    )


# ------------------------------------------------------------------------------------------
# Choosing the rates
# ------------------------------------------------------------------------------------------


def hand_default_year() -> str:
    """The latest survey year whose shipped any-domestic-abuse rates include women and men."""
    rows = raw_rates()
    rows = rows[rows["measure"] == "any_domestic_abuse"]
    sexes = rows.groupby("survey_year")["sex"].agg(set)
    with_both = [year for year, found in sexes.items() if {"female", "male"} <= found]
    return max(with_both, key=lambda year: int(year[-4:]))


def test_default_survey_year_is_the_latest_with_rates_for_both_sexes():
    expected = hand_default_year()
    assert prevalence.default_survey_year() == expected
    assert prevalence.select_rates()["survey_year"].unique().tolist() == [expected]


def test_list_survey_years_names_each_years_breakdown_and_age_range():
    years = prevalence.list_survey_years().set_index(["survey_year", "measure_version"])
    assert years.loc[("YE Mar 2020", "pre-2024"), ["age_range", "breakdown"]].tolist() == ["16-74", "sex"]
    assert years.loc[("YE Mar 2023", "pre-2024"), ["age_range", "breakdown"]].tolist() == ["16+", "sex"]
    assert years.loc[("YE Mar 2025", "2024+"), ["age_range", "breakdown"]].tolist() == ["16+", "all_adults"]
    assert not years["has_intervals"].any()  # no interval is shipped today
    partner = prevalence.list_survey_years("partner_abuse").set_index("survey_year")
    assert partner.loc["YE Mar 2019", "breakdown"] == "none"  # women's bands only: no men


def test_ye_mar_2020_uses_rates_by_sex_not_the_incomplete_age_bands():
    rates = prevalence.select_rates("YE Mar 2020")
    assert rates[["sex", "age_band"]].values.tolist() == [["female", "16-74"], ["male", "16-74"]]
    assert rates["rate_percent"].tolist() == [
        raw_rate("YE Mar 2020", "female", "16-74"),
        raw_rate("YE Mar 2020", "male", "16-74"),
    ]
    assert set(rates["breakdown"]) == {"sex"} and set(rates["age_range"]) == {"16-74"}
    # The all-persons 16-19 and 20-24 rates exist but leave 25-74 uncovered.
    shipped = raw_rates()
    assert {"16-19", "20-24"} <= set(
        shipped.loc[(shipped["survey_year"] == "YE Mar 2020") & (shipped["sex"] == "all"), "age_band"]
    )


def test_a_year_with_only_an_all_adults_rate_uses_it():
    rates = prevalence.select_rates("YE Mar 2025")
    assert rates[["sex", "age_band", "breakdown"]].values.tolist() == [["all", "16+", "all_adults"]]
    assert rates["rate_percent"].iloc[0] == raw_rate("YE Mar 2025", "all", "16+", version="2024+")


def test_versions_are_never_mixed_and_the_version_can_be_chosen():
    measure = "any_domestic_abuse_since_16"
    auto = prevalence.select_rates("YE Mar 2024", measure)
    assert set(auto["measure_version"]) == {"2024+"} and auto["breakdown"].iloc[0] == "sex"
    assert auto["rate_percent"].tolist() == [
        raw_rate("YE Mar 2024", s, "16+", measure, "2024+") for s in ("female", "male")
    ]
    old = prevalence.select_rates("YE Mar 2024", measure, "pre-2024")
    assert set(old["measure_version"]) == {"pre-2024"}
    assert old[["sex", "rate_percent"]].values.tolist() == [["all", raw_rate("YE Mar 2024", "all", "16+", measure)]]


# ------------------------------------------------------------------------------------------
# Estimates for Hampshire and Southampton
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("area", AREAS)
@pytest.mark.parametrize(
    "survey_year, band, version",
    [("YE Mar 2020", "16-74", "pre-2024"), ("YE Mar 2023", "16+", "pre-2024"), ("YE Mar 2024", "16+", "2024+")],
)
def test_estimate_adults_equals_the_hand_computation(area, survey_year, band, version):
    groups = prevalence.estimate_adults(area, survey_year)
    assert groups["sex"].tolist() == ["female", "male"]
    for row in groups.itertuples():
        assert row.population == pytest.approx(hand_population(area, band, row.sex), rel=1e-9)
        assert row.estimate == pytest.approx(
            raw_rate(survey_year, row.sex, band, version=version) / 100 * hand_population(area, band, row.sex), rel=1e-9
        )
        assert row.population_basis.startswith("observed") and "Census 2021" in row.population_basis
    assert groups["estimate"].sum() == pytest.approx(hand_by_sex(area, survey_year, band, version), rel=1e-9)
    assert groups[["ci_lower", "ci_upper", "estimate_se"]].isna().all().all()
    assert set(groups["measure_version"]) == {version}


@pytest.mark.parametrize("area", AREAS)
def test_summary_gives_the_rate_per_100k_adults_and_no_interval(area):
    summary = prevalence.summarise_estimates(prevalence.estimate_adults(area, "YE Mar 2020")).iloc[0]
    adults = hand_population(area, "16-74")
    estimate = hand_by_sex(area, "YE Mar 2020", "16-74", "pre-2024")
    assert summary["population_adults"] == pytest.approx(adults, rel=1e-12)
    assert summary["estimate"] == pytest.approx(estimate, rel=1e-9)
    assert summary["estimate_per_100k_adults"] == pytest.approx(estimate / adults * 100_000, rel=1e-9)
    assert math.isnan(summary["ci_lower"]) and math.isnan(summary["per_100k_ci_upper"])
    assert summary["interval_method"] == prevalence.NO_INTERVAL_NOTE
    assert summary["interval_method"] == (
        "no interval: the survey's published intervals for these rates are not held in the workspace"
    )


def test_names_and_lists_of_areas_are_accepted_and_kept_in_order():
    groups = prevalence.estimate_adults(["Southampton", HAMPSHIRE], "YE Mar 2023")
    assert groups["area_code"].drop_duplicates().tolist() == [SOUTHAMPTON, HAMPSHIRE]
    summary = prevalence.summarise_estimates(groups)
    assert summary["area_code"].tolist() == [SOUTHAMPTON, HAMPSHIRE]


def test_london_and_england_are_the_sums_of_their_authorities():
    london = prevalence.summarise_estimates(prevalence.estimate_adults(config.LONDON_CODE, "YE Mar 2020")).iloc[0]
    lookup = raw_csv("ltla22_utla22_lookup")
    boroughs = sorted(lookup.loc[lookup["UTLA22CD"].str.startswith("E09"), "UTLA22CD"].unique())
    assert len(boroughs) == 33
    assert london["estimate"] == pytest.approx(
        prevalence.estimate_adults(boroughs, "YE Mar 2020")["estimate"].sum(), rel=1e-9
    )
    england = prevalence.summarise_estimates(prevalence.estimate_adults("England", "YE Mar 2020")).iloc[0]
    assert england["estimate"] == pytest.approx(
        hand_by_sex(config.ENGLAND_CODE, "YE Mar 2020", "16-74", "pre-2024"), rel=1e-9
    )


def test_comparison_has_the_area_its_region_and_england():
    table = prevalence.compare_with_region_and_england("Hampshire", "YE Mar 2020")
    assert table["comparison"].tolist() == ["area", "region", "England"]
    assert table["area_code"].tolist() == [HAMPSHIRE, SOUTH_EAST, config.ENGLAND_CODE]
    region = prevalence.summarise_estimates(prevalence.estimate_adults(SOUTH_EAST, "YE Mar 2020")).iloc[0]
    assert table["estimate"].iloc[1] == pytest.approx(region["estimate"], rel=1e-12)
    england_per_100k = (
        hand_by_sex(config.ENGLAND_CODE, "YE Mar 2020", "16-74", "pre-2024")
        / hand_population(config.ENGLAND_CODE, "16-74")
        * 100_000
    )
    assert table["estimate_per_100k_adults"].iloc[2] == pytest.approx(england_per_100k, rel=1e-9)
    assert prevalence.compare_with_region_and_england("London")["comparison"].tolist() == ["area", "England"]
    assert prevalence.compare_with_region_and_england("England")["comparison"].tolist() == ["area"]
    assert [a.code for a in prevalence.comparison_areas("Southampton")] == [
        SOUTHAMPTON,
        SOUTH_EAST,
        config.ENGLAND_CODE,
    ]


# ------------------------------------------------------------------------------------------
# Children
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("area", AREAS)
def test_children_estimate_is_the_national_rate_times_local_children(area):
    raw = raw_csv("children_rates_authored").iloc[0]
    children = prevalence.estimate_children(area).iloc[0]
    pop = hand_population(area, raw["age_band"])
    assert raw["age_band"] == "0-17" and children["population"] == pytest.approx(pop, rel=1e-12)
    assert children["estimate"] == pytest.approx(raw["rate_per_1000"] / 1000 * pop, rel=1e-12)
    assert children["year"] == raw["year"] and str(raw["year"]) in children["source"]
    assert "Childhood Local Data on Risks and Needs" in children["source"]
    assert "national rate" in children["note"] and math.isnan(children["ci_lower"])
    assert prevalence.select_children_rate()["rate_per_1000"] == raw["rate_per_1000"]


def test_children_parameters_are_checked():
    with pytest.raises(ParameterError, match="'no_such_indicator'"):
        prevalence.estimate_children(HAMPSHIRE, indicator="no_such_indicator")
    with pytest.raises(ParameterError, match=r"year 1999.*\n.*Available years: 2019"):
        prevalence.select_children_rate(year=1999)


# ------------------------------------------------------------------------------------------
# Bad parameters
# ------------------------------------------------------------------------------------------


def test_unknown_survey_year_lists_the_available_ones():
    with pytest.raises(ParameterError) as info:
        prevalence.estimate_adults(HAMPSHIRE, "YE Mar 1999")
    assert "'YE Mar 1999'" in info.value.message
    assert "YE Mar 2020" in info.value.hint and "YE Mar 2024" in info.value.hint and "latest" in info.value.hint


def test_unknown_measure_and_version_are_named():
    with pytest.raises(ParameterError, match="'stalking'") as info:
        prevalence.select_rates(measure="stalking")
    assert "any_domestic_abuse" in info.value.hint
    with pytest.raises(ParameterError, match="'2023'"):
        prevalence.select_rates("YE Mar 2020", measure_version="2023")
    with pytest.raises(ParameterError, match="No any_domestic_abuse rates of the 2024\\+ measure for YE Mar 2020"):
        prevalence.select_rates("YE Mar 2020", measure_version="2024+")


def test_a_year_without_complete_rates_is_refused_naming_what_is_published():
    with pytest.raises(ParameterError) as info:
        prevalence.select_rates("YE Mar 2019", "partner_abuse")
    assert "16-74" in info.value.message and "female: " in info.value.message
    assert "list_survey_years" in info.value.hint


def test_bad_area_confidence_and_rounding_are_refused():
    with pytest.raises(AreaError):
        prevalence.estimate_adults("Atlantis")
    with pytest.raises(AreaError):
        prevalence.estimate_adults("E07000086")  # Eastleigh: a lower-tier district of Hampshire
    with pytest.raises(ParameterError, match="95"):
        prevalence.estimate_adults(HAMPSHIRE, confidence=95)
    with pytest.raises(ParameterError, match="No area given"):
        prevalence.estimate_adults([])
    for bad in (0, 2.5, True, "10"):
        with pytest.raises(ParameterError, match="round_to"):
            show_prevalence.check_round_to(bad)
    assert show_prevalence.check_round_to(100) == 100


# ------------------------------------------------------------------------------------------
# Words and tables for the notebook
# ------------------------------------------------------------------------------------------


def test_headline_text_and_values():
    comparison = prevalence.compare_with_region_and_england(SOUTHAMPTON, "YE Mar 2020")
    children = prevalence.estimate_children(SOUTHAMPTON)
    text = show_prevalence.headline_text(comparison.iloc[0], 10)
    estimate = hand_by_sex(SOUTHAMPTON, "YE Mar 2020", "16-74", "pre-2024")
    assert f"{half_up(estimate, 10):,.0f} adults aged 16-74 in Southampton" in text
    assert prevalence.NO_INTERVAL_NOTE in text and "YE Mar 2020" in text and "pre-2024" in text
    values = prevalence.headline_values(comparison, children)
    assert values["estimate_adults"] == pytest.approx(estimate, rel=1e-9)
    assert values["estimate_ci_lower"] is None and values["estimate_ci_upper"] is None
    assert values["region_per_100k_adults"] == comparison["estimate_per_100k_adults"].iloc[1]
    assert values["england_per_100k_adults"] == comparison["estimate_per_100k_adults"].iloc[2]
    assert (values["survey_year"], values["breakdown"]) == ("YE Mar 2020", "sex")
    assert values["estimate_children"] == children["estimate"].iloc[0]
    england = prevalence.compare_with_region_and_england("England", "YE Mar 2020")
    values = prevalence.headline_values(england, prevalence.estimate_children("England"))
    assert values["region_per_100k_adults"] is None
    assert values["england_per_100k_adults"] == values["estimate_per_100k_adults"]


def test_describing_measures_breakdowns_and_comparisons():
    row = prevalence.compare_with_region_and_england(HAMPSHIRE, "YE Mar 2020").iloc[0]
    assert show_prevalence.describe_breakdown(row) == "by sex (ages 16-74), YE Mar 2020 crime survey, pre-2024 measure"
    assert "share of women among adults aged 16-74" in show_prevalence.explain_comparison(row)
    assert show_prevalence.describe_measure("any_domestic_abuse") == "experienced domestic abuse in the last year"
    assert "since the age of 16" in show_prevalence.describe_measure("any_domestic_abuse_since_16")
    assert "'new_measure'" in show_prevalence.describe_measure("new_measure")
    one_rate = prevalence.compare_with_region_and_england(HAMPSHIRE, "YE Mar 2025").iloc[0]
    assert "every area gets the same rate" in show_prevalence.explain_comparison(one_rate)


def test_display_tables_round_counts_but_not_rates():
    groups = prevalence.estimate_adults(HAMPSHIRE, "YE Mar 2020")
    shown = show_prevalence.display_groups(groups, 100)
    assert shown["group"].tolist() == ["Women 16-74", "Men 16-74"]
    assert shown["estimate"].tolist() == [half_up(e, 100) for e in groups["estimate"]]
    assert shown["rate_percent"].tolist() == groups["rate_percent"].tolist()
    assert show_prevalence.label_groups(groups).tolist() == ["Women 16-74", "Men 16-74"]
    comparison = prevalence.compare_with_region_and_england(HAMPSHIRE, "YE Mar 2020")
    table = show_prevalence.display_comparison(comparison, 10)
    assert table["estimate_per_100k_adults"].tolist() == comparison["estimate_per_100k_adults"].tolist()
    assert table["population_adults"].tolist() == [half_up(p, 10) for p in comparison["population_adults"]]
    children = show_prevalence.display_children(prevalence.estimate_children(HAMPSHIRE), 10)
    assert children["year"].tolist() == ["2019"]  # shown as a year, not a number with a separator
    assert (
        show_prevalence.report_number(12_345.6, 10) == "12,350"
        and show_prevalence.report_number(12_345.6, 1) == "12,346"
    )
    assert math.isnan(show_prevalence.round_to(float("nan"), 10)) and show_prevalence.round_to(14.9, 10) == 10


def test_every_group_population_is_observed_census_2021_whatever_the_breakdown():
    by_sex = prevalence.estimate_adults(HAMPSHIRE, "YE Mar 2020")
    all_adults = prevalence.estimate_adults(HAMPSHIRE, "YE Mar 2025")
    assert set(by_sex["sex"]) == {"female", "male"} and set(all_adults["sex"]) == {"all"}
    for groups in (by_sex, all_adults):
        assert groups["population_basis"].str.startswith("observed").all()
        assert groups["population_basis"].str.contains("Census 2021").all()
    note = show_prevalence.POPULATION_NOTE
    assert "Census 2021" in note and "observed" in note and "assum" not in note


def test_pyramid_populations_are_female_and_male_rows_with_england_as_comparator():
    mine, england = prevalence.pyramid_populations("Southampton")
    assert set(mine["sex"]) == {"female", "male"} and set(mine["area_code"]) == {SOUTHAMPTON}
    assert mine["population"].sum() == pytest.approx(hand_population(SOUTHAMPTON, "0+"), rel=1e-12)
    assert set(england["area_code"]) == {config.ENGLAND_CODE}
    assert prevalence.pyramid_populations("England")[1] is None


# ------------------------------------------------------------------------------------------
# Rates added by an analyst (fixture rows in a project copy)
# ------------------------------------------------------------------------------------------

FIXTURE_SOURCE = "fixture: test row, not a published figure"


def add_fixture_rates(root, rows: list[tuple]) -> None:
    """Append fixture rows (year, sex, band, version, percent, ci_lower, ci_upper) and rebuild."""
    path = root / "data" / "raw" / "authored" / "csew_prevalence_rates.csv"
    lines = [
        f"{year},{sex},{band},any_domestic_abuse,{version},K04000001,{pct},{lo},{hi},"
        f'"{FIXTURE_SOURCE}",https://example.org/fixture,,fixture'
        for year, sex, band, version, pct, lo, hi in rows
    ]
    path.write_text(path.read_text() + "\n".join(lines) + "\n")
    sources.update_manifest_checksum("authored/csew_prevalence_rates.csv")
    build.build_tables(report=lambda message: None)


# Sex x age band rates with 95% intervals for the default survey year and measure version.
FIXTURE_BANDS = [
    ("female", "16-24", 12.0, 10.0, 14.0),
    ("female", "25+", 9.0, 8.5, 9.5),
    ("male", "16-24", 7.0, 5.0, 9.0),
    ("male", "25+", 6.0, 5.4, 6.6),
]


def test_added_rows_are_used_by_every_estimate_after_the_next_build(built_project_copy):
    year = prevalence.default_survey_year()
    before = prevalence.summarise_estimates(prevalence.estimate_adults(AREAS)).set_index("area_code")
    add_fixture_rates(built_project_copy, [(year, s, b, "2024+", p, lo, hi) for s, b, p, lo, hi in FIXTURE_BANDS])
    groups = prevalence.estimate_adults(AREAS)
    after = prevalence.summarise_estimates(groups).set_index("area_code")
    assert set(groups["breakdown"]) == {"sex_age"} and set(groups["survey_year"]) == {year}
    for area in AREAS:
        expected = sum(p / 100 * hand_population(area, b, s) for s, b, p, _, _ in FIXTURE_BANDS)
        assert after.loc[area, "estimate"] == pytest.approx(expected, rel=1e-9)
        assert after.loc[area, "estimate"] != pytest.approx(before.loc[area, "estimate"], rel=1e-3)
        # Intervals: independent normal groups, SE from the published 95% half-width.
        variance = sum(
            (hand_population(area, b, s) * (hi - lo) / 2 / Z95 / 100) ** 2 for s, b, _, lo, hi in FIXTURE_BANDS
        )
        assert after.loc[area, "ci_lower"] == pytest.approx(expected - Z95 * math.sqrt(variance), rel=1e-9)
        assert after.loc[area, "ci_upper"] == pytest.approx(expected + Z95 * math.sqrt(variance), rel=1e-9)
        assert after.loc[area, "interval_method"].startswith("95% interval: each rate's standard error")
    female_young = groups[
        (groups["area_code"] == HAMPSHIRE) & (groups["age_band"] == "16-24") & (groups["sex"] == "female")
    ].iloc[0]
    assert female_young["ci_lower"] == pytest.approx(female_young["population"] * 0.10, rel=1e-9)  # symmetric limits
    assert prevalence.list_survey_years().set_index("survey_year").loc[year, "has_intervals"]
    # Another confidence level rescales the same standard errors.
    wide = prevalence.summarise_estimates(prevalence.estimate_adults(HAMPSHIRE, confidence=0.998)).iloc[0]
    z998 = sps.norm.ppf(0.999)
    assert (wide["ci_upper"] - wide["estimate"]) == pytest.approx(
        (after.loc[HAMPSHIRE, "ci_upper"] - after.loc[HAMPSHIRE, "estimate"]) * z998 / Z95, rel=1e-9
    )


def test_intervals_for_only_some_rates_give_no_interval(built_project_copy):
    year = hand_default_year()
    rows = [(year, s, b, "2024+", p, lo, hi) for s, b, p, lo, hi in FIXTURE_BANDS]
    rows[-1] = rows[-1][:5] + ("", "")  # men 25+: no published interval
    add_fixture_rates(built_project_copy, rows)
    summary = prevalence.summarise_estimates(prevalence.estimate_adults(HAMPSHIRE)).iloc[0]
    assert math.isnan(summary["ci_lower"]) and math.isnan(summary["ci_upper"])
    assert summary["interval_method"] == prevalence.PARTIAL_INTERVAL_NOTE.format(with_ci=3, n=4)


def test_a_second_measure_version_for_a_year_is_never_mixed_in(built_project_copy):
    year = hand_default_year()
    add_fixture_rates(
        built_project_copy,
        [
            (year, "female", "16-24", "pre-2024", 5.0, "", ""),
            (year, "female", "25+", "pre-2024", 4.0, "", ""),
            (year, "male", "16+", "pre-2024", 2.0, "", ""),
        ],
    )
    auto = prevalence.estimate_adults(SOUTHAMPTON, year)
    assert set(auto["measure_version"]) == {"2024+"} and set(auto["breakdown"]) == {"sex"}
    old = prevalence.estimate_adults(SOUTHAMPTON, year, measure_version="pre-2024")
    assert set(old["measure_version"]) == {"pre-2024"} and set(old["breakdown"]) == {"sex_age"}
    expected = (
        0.05 * hand_population(SOUTHAMPTON, "16-24", "female")
        + 0.04 * hand_population(SOUTHAMPTON, "25+", "female")
        + 0.02 * hand_population(SOUTHAMPTON, "16+", "male")
    )
    assert old["estimate"].sum() == pytest.approx(expected, rel=1e-9)


def test_bands_that_overlap_or_leave_gaps_are_not_combined(built_project_copy):
    # Women 16-24 and 20+ overlap; men 16-24 and 30+ leave 25-29 uncovered: the 16+ rates are used.
    year = hand_default_year()
    add_fixture_rates(
        built_project_copy,
        [
            (year, "female", "16-24", "2024+", 11.0, "", ""),
            (year, "female", "20+", "2024+", 9.0, "", ""),
            (year, "male", "16-24", "2024+", 7.0, "", ""),
            (year, "male", "30+", "2024+", 6.0, "", ""),
        ],
    )
    rates = prevalence.select_rates(year)
    assert rates[["sex", "age_band"]].values.tolist() == [["female", "16+"], ["male", "16+"]]


def test_every_reporting_area_gets_an_estimate_and_a_children_estimate():
    from analysis.methods import areas

    codes = areas.list_areas()["area_code"].tolist()
    assert len(codes) == 162  # 152 upper-tier authorities, 9 regions, England
    summary = prevalence.summarise_estimates(prevalence.estimate_adults(codes))
    assert summary["area_code"].tolist() == codes and summary["estimate"].gt(0).all()
    assert summary["estimate_per_100k_adults"].between(0, 100_000).all()
    assert prevalence.estimate_children(codes)["estimate"].gt(0).all()


def test_children_rates_table_is_built_from_the_authored_file():
    from analysis.data import tables

    built = tables.read_table("children_rates")
    shipped = raw_csv("children_rates_authored")
    assert built["rate_per_1000"].tolist() == shipped["rate_per_1000"].astype(float).tolist()
    assert built["source_document"].str.startswith("003_2b6ea0f71d03fd62.txt").all()
    assert (built["source_id"] == "children_rates_authored").all()


def test_children_rate_without_a_source_is_refused_naming_the_line(project_copy):
    from analysis.errors import ValidationError

    path = project_copy / "data" / "raw" / "authored" / "children_rates.csv"
    path.write_text(path.read_text() + "fixture_indicator,2020,0-17,E92000001,50,,,fixture: test row,,,\n")
    sources.update_manifest_checksum("authored/children_rates.csv")
    with pytest.raises(ValidationError, match="line 3.*give source_url or source_document"):
        build.build_tables(report=lambda message: None)
