"""analysis.methods.prevalence_bands (the estimate by sex and age band; women's partner abuse by age)
against values computed by hand from the shipped raw files: Census 2021 TS009 cells
(``conftest.census_population``), the authored crime survey rates and the ONS SDG 5.2.1 file."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis import config
from analysis.errors import ParameterError
from analysis.methods import prevalence, prevalence_bands, survey_rates
from analysis.present import prevalence as show

from .conftest import census_population, raw_csv

HAMPSHIRE, SOUTHAMPTON = "E10000014", "E06000045"
#: The crime survey's published age bands, written out here (not taken from config).
BANDS = [(16, 19), (20, 24), (25, 34), (35, 44), (45, 54), (55, 59), (60, 74), (75, 90)]


def sdg_women_partner_abuse_by_age(year: str) -> dict[str, float]:
    """Women's partner abuse (all types) by age band, 16-74 series, from the raw SDG 5.2.1 file."""
    raw = raw_csv("sdg_521_partner_abuse_women")
    rows = raw[
        (raw["Year"] == year)
        & (raw["Series"] == "Women aged 16 to 74")
        & raw["Type of partner abuse"].isna()
        & raw["Age"].notna()
        & raw["Region"].isna()
    ]
    return {age.replace(" to ", "-"): float(value) for age, value in zip(rows["Age"], rows["Value"])}


def authored_rate(survey_year: str, sex: str, band: str, measure: str, version: str) -> float:
    raw = raw_csv("csew_rates_authored")
    row = raw[
        (raw["survey_year"] == survey_year)
        & (raw["sex"] == sex)
        & (raw["age_band"] == band)
        & (raw["measure"] == measure)
        & (raw["measure_version"] == version)
        & (raw["geography_code"] == "K04000001")
    ]
    assert len(row) == 1
    return float(row["percent"].iloc[0])


# ------------------------------------------------------------------------------------------
# Women's partner abuse by the age bands the survey publishes
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("area", [HAMPSHIRE, SOUTHAMPTON])
def test_women_partner_abuse_by_age_is_the_published_rate_times_census_women(area):
    published = sdg_women_partner_abuse_by_age("2019/20")
    assert list(published) == ["16-19", "20-24", "25-34", "35-44", "45-54", "55-59", "60-74"]
    rows = prevalence_bands.partner_abuse_women_by_age(area)
    assert rows["survey_year"].unique().tolist() == ["YE Mar 2020"]
    assert rows["age_band"].tolist() == list(published) and set(rows["sex"]) == {"female"}
    for row in rows.itertuples():
        low, high = map(int, row.age_band.split("-"))
        women = census_population(area, "female", low, high)
        assert row.population == women
        assert row.rate_percent == pytest.approx(published[row.age_band], rel=1e-4)
        assert row.estimate == pytest.approx(published[row.age_band] / 100 * women, rel=1e-4)
    assert rows["population"].sum() == census_population(area, "female", 16, 74)
    assert rows[["estimate_se", "ci_lower", "ci_upper"]].isna().all().all()  # the file has no limits


def test_a_year_with_a_suppressed_band_has_no_rates_by_age_and_says_which_years_do():
    # YE Mar 2022: the 16-19 and 75+ figures for women are blank in the authored table
    with pytest.raises(ParameterError, match="YE Mar 2022") as caught:
        survey_rates.select_rates_by_age("female", "partner_abuse", "YE Mar 2022")
    assert "YE Mar 2020" in caught.value.hint
    with pytest.raises(ParameterError, match="No survey year has male partner_abuse"):
        survey_rates.select_rates_by_age("male", "partner_abuse")
    with pytest.raises(ParameterError, match="sex must be"):
        survey_rates.select_rates_by_age("all")


def test_the_published_table_of_women_by_age_has_a_total_row_without_a_rate():
    rows = prevalence_bands.partner_abuse_women_by_age(HAMPSHIRE)
    shown = show.display_partner_abuse_women(rows, 1)
    assert len(shown) == len(rows) + 1
    total = shown.iloc[-1]
    assert total["group"] == "Women 16-74 (sum of the bands)"
    assert math.isnan(total["rate_percent"]) and math.isnan(total["ci_lower"])
    assert total["population"] == census_population(HAMPSHIRE, "female", 16, 74)
    assert total["estimate"] == round(rows["estimate"].sum())


# ------------------------------------------------------------------------------------------
# The headline estimate by sex and age band
# ------------------------------------------------------------------------------------------


def test_default_estimate_split_by_age_band_carries_each_sexs_rate_and_adds_up():
    groups = prevalence.estimate_adults(HAMPSHIRE)
    assert groups["age_band"].unique().tolist() == ["16+"]  # the shipped default: rates by sex, ages 16+
    bands = prevalence_bands.by_sex_and_age_band(groups)
    assert len(bands) == 2 * len(BANDS)
    year, version = groups["survey_year"].iloc[0], groups["measure_version"].iloc[0]
    for row in bands.itertuples():
        low, high = BANDS[[f"{a}-{b}" if b < 90 else f"{a}+" for a, b in BANDS].index(row.age_band)]
        assert row.population == census_population(HAMPSHIRE, row.sex, low, high)
        rate = authored_rate(year, row.sex, "16+", "any_domestic_abuse", version)
        assert row.rate_percent == rate and row.rate_sex == row.sex and row.rate_band == "16+"
        assert row.estimate == pytest.approx(rate / 100 * row.population, rel=1e-12)
        assert not row.rate_by_age
    for sex in ("female", "male"):
        assert bands.loc[bands["sex"] == sex, "population"].sum() == census_population(HAMPSHIRE, sex, 16, 90)
    assert bands["estimate"].sum() == pytest.approx(groups["estimate"].sum(), rel=1e-12)
    note = show.band_rate_note(bands)
    assert "not by age band" in note and "not how the risk of abuse differs with age" in note


def test_an_all_adults_rate_is_split_by_sex_too_and_keeps_the_all_adults_label():
    groups = prevalence.estimate_adults(SOUTHAMPTON, "YE Mar 2025")
    assert groups["sex"].tolist() == ["all"]
    bands = prevalence_bands.by_sex_and_age_band(groups)
    assert set(bands["rate_sex"]) == {"all"} and set(bands["sex"]) == {"female", "male"}
    assert bands["population"].sum() == census_population(SOUTHAMPTON, "persons", 16, 90)
    shown = show.display_by_sex_and_age_band(bands, 10)
    assert set(shown["rate_published_for"]) == {"Women and men 16+"}
    assert shown["population"].mod(10).eq(0).all()


def test_rates_published_by_age_band_are_marked_as_such():
    rows = prevalence_bands.partner_abuse_women_by_age(HAMPSHIRE)
    bands = prevalence_bands.by_sex_and_age_band(rows)
    pd.testing.assert_series_equal(bands["estimate"], rows["estimate"], check_names=False)
    assert bands["rate_by_age"].all() and bands["rate_band"].tolist() == bands["age_band"].tolist()
    assert show.band_rate_note(bands).startswith("Every row's rate was published for its own age band")


def test_nested_bands_keep_a_band_they_cannot_tile():
    assert prevalence_bands.nested_bands("16-74") == ["16-19", "20-24", "25-34", "35-44", "45-54", "55-59", "60-74"]
    assert prevalence_bands.nested_bands("16-59")[-1] == "55-59"
    assert prevalence_bands.nested_bands("16+")[-1] == "75+"
    assert prevalence_bands.nested_bands("16-21") == ["16-21"]
    assert prevalence_bands.nested_bands("20-24") == ["20-24"]
    assert len(config.CSEW_AGE_BANDS) == len(BANDS)


def test_bad_groups_are_refused_with_the_missing_columns():
    with pytest.raises(ParameterError, match="missing columns"):
        prevalence_bands.by_sex_and_age_band(pd.DataFrame({"area_code": ["E10000014"]}))
