"""Homelessness methods and indicators checked by hand against the processed quarterly table and the raw Census file.

The expected values are sums done here, in the test, of the processed ``homelessness`` table (one
row per area x quarter x measure) and of the raw Census 2021 TS009 file, never the code's output.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis import config
from analysis.data import tables
from analysis.errors import ParameterError
from analysis.methods import homelessness, homelessness_model, indicators, stats
from analysis.methods.indicators import Denominator

from .conftest import raw_csv

HAMPSHIRE, SOUTHAMPTON, KENT = "E10000014", "E06000045", "E10000016"
DA_REASON = "prevention_or_relief_duty_reason_domestic_abuse"
DA_NEED = "duty_owed_support_need_domestic_abuse"
DUTIES = "prevention_or_relief_duty_reason_total"
HOUSEHOLDS = "households_in_area_thousands"


@pytest.fixture(scope="module")
def quarterly() -> pd.DataFrame:
    return pd.read_parquet(config.PROCESSED_DIR / "homelessness.parquet")


@pytest.fixture(scope="module")
def latest(quarterly) -> str:
    """The latest financial year whose four quarters MHCLG published for England, found here."""
    england = quarterly[(quarterly["area_code"] == config.ENGLAND_CODE) & (quarterly["measure"] == DA_REASON)]
    counts = england.dropna(subset=["value"]).groupby("financial_year")["quarter"].nunique()
    return max(counts[counts == 4].index)


def hand_sum(quarterly: pd.DataFrame, code: str, measure: str, year: str) -> tuple[float, bool]:
    rows = quarterly[
        (quarterly["area_code"] == code) & (quarterly["measure"] == measure) & (quarterly["financial_year"] == year)
    ]
    assert len(rows) == 4, (code, measure, year)
    return float(rows["value"].sum()), bool(rows["complete"].all())


def hand_households(quarterly: pd.DataFrame, code: str, year: str) -> float:
    rows = quarterly[
        (quarterly["area_code"] == code) & (quarterly["measure"] == HOUSEHOLDS) & (quarterly["financial_year"] == year)
    ]
    assert len(rows) == 4
    return float(rows["value"].sum()) / 4 * 1000


def hand_residents(code: str) -> float:
    """Census 2021 usual residents from the raw TS009 file and the raw ONS district lookup."""
    ts009 = raw_csv("census2021_ts009_ltla21_sya")
    lookup = raw_csv("ltla22_utla22_lookup")
    if code == config.ENGLAND_CODE:
        districts = set(ts009.loc[ts009.iloc[:, 0].str.startswith("E"), ts009.columns[0]])
    else:
        districts = set(lookup.loc[lookup["UTLA22CD"] == code, "LTLA22CD"])
    return float(ts009.loc[ts009.iloc[:, 0].isin(districts), "Observation"].sum())


def row(frame: pd.DataFrame, code: str) -> pd.Series:
    return frame.set_index("area_code").loc[code]


# ------------------------------------------------------------------------------------------
# Years and measures
# ------------------------------------------------------------------------------------------


def test_the_default_year_is_the_latest_with_four_published_quarters(latest):
    assert homelessness.latest_complete_year() == latest
    assert homelessness.check_year(None) == latest
    assert "2025-26" not in homelessness.complete_years()  # three quarters in the shipped data
    assert homelessness.complete_years("households")[0] == "2019-20"  # A1 households from April-June 2019
    with pytest.raises(ParameterError, match="2018-19 .* all four quarters are published for 2019-20"):
        homelessness.check_year("2018-19", "da_reason", "households")
    with pytest.raises(ParameterError, match="written like '2023-24'"):
        homelessness.check_year("2023-25")


@pytest.mark.parametrize("code", [HAMPSHIRE, SOUTHAMPTON])
def test_a_county_and_a_unitary_sum_their_four_quarters(quarterly, latest, code):
    values = row(homelessness.annual_measures(latest), code)
    for column, measure in (("da_reason", DA_REASON), ("da_need", DA_NEED), ("duties", DUTIES)):
        total, complete = hand_sum(quarterly, code, measure, latest)
        assert complete, (code, measure)
        assert values[column] == total
        assert values[f"{column}_note"] == ""
    assert values["households"] == pytest.approx(hand_households(quarterly, code, latest), rel=1e-12)
    assert values["residents"] == hand_residents(code)


def test_the_county_is_the_sum_of_its_districts_as_published(latest):
    published = pd.read_parquet(config.PROCESSED_DIR / "homelessness_published.parquet")
    lookup = raw_csv("ltla22_utla22_lookup")
    districts = set(lookup.loc[lookup["UTLA22CD"] == HAMPSHIRE, "LTLA22CD"])
    rows = published[
        published["geography_code"].isin(districts)
        & (published["measure"] == DA_NEED)
        & (published["financial_year"] == latest)
    ]
    assert len(rows) == 4 * len(districts) == 44
    assert row(homelessness.annual_measures(latest), HAMPSHIRE)["da_need"] == rows["value"].sum()


def test_flows_agree_with_the_financial_year_table(latest):
    years = tables.read_table("homelessness_financial_years")
    years = years[(years["measure"] == DA_REASON) & (years["financial_year"] == latest) & years["complete"]]
    mine = homelessness.year_values("da_reason", latest).set_index("area_code")
    utla = years[years["level"] == "utla"].set_index("area_code")
    assert mine.loc[utla.index, "value"].tolist() == utla["value"].tolist()


# ------------------------------------------------------------------------------------------
# Indicators
# ------------------------------------------------------------------------------------------

IDS = (
    "homelessness_da_per_residents",
    "homelessness_da_per_households",
    "homelessness_da_share_of_duties",
    "homelessness_da_need_per_residents",
)
#: Each indicator's unit, as its frame column and multiplier: per 100,000 residents, MHCLG's per 1,000
#: households, per cent of households owed a duty.
UNITS = {
    IDS[0]: ("rate_per_100k", 1e5),
    IDS[1]: ("rate_per_1k", 1e3),
    IDS[2]: ("percent", 100),
    IDS[3]: ("rate_per_100k", 1e5),
}


def test_the_four_indicators_are_declared_and_their_rates_are_hand_rates(quarterly, latest):
    assert set(IDS) <= set(indicators.indicator_ids())
    for code in (HAMPSHIRE, SOUTHAMPTON, config.ENGLAND_CODE):
        da, _ = hand_sum(quarterly, code, DA_REASON, latest)
        need, _ = hand_sum(quarterly, code, DA_NEED, latest)
        duties, _ = hand_sum(quarterly, code, DUTIES, latest)
        residents, households = hand_residents(code), hand_households(quarterly, code, latest)
        expected = {
            IDS[0]: (da, residents),
            IDS[1]: (da, households),
            IDS[2]: (da, duties),
            IDS[3]: (need, residents),
        }
        for indicator_id, (numerator, denominator) in expected.items():
            got = row(indicators.compute_indicator(indicator_id), code)
            column, per = UNITS[indicator_id]
            assert got["numerator"] == numerator, (indicator_id, code)
            assert got["denominator"] == pytest.approx(denominator, rel=1e-12)
            assert got[column] == pytest.approx(numerator / denominator * per, rel=1e-12)
    assert indicators.get_indicator(IDS[1]).unit_label.startswith("per 1,000 households")
    assert indicators.get_indicator(IDS[2]).unit_label.startswith("% of households owed")


def test_intervals_are_those_of_the_stats_functions(latest):
    for indicator_id in (IDS[0], IDS[1], IDS[3]):
        frame = indicators.compute_indicator(indicator_id).dropna(subset=["numerator"])
        per = int(UNITS[indicator_id][1])
        direct = stats.crude_rate(frame["numerator"].to_numpy(), frame["denominator"].to_numpy(), per=per)
        assert np.allclose(frame["ci_lower"], direct["ci_lower"], rtol=1e-12)
        assert np.allclose(frame["ci_upper"], direct["ci_upper"], rtol=1e-12)
    share = indicators.compute_indicator(IDS[2]).dropna(subset=["numerator"])
    lower, upper = stats.wilson_interval(share["numerator"].to_numpy(), share["denominator"].to_numpy())
    assert np.allclose(share["ci_lower"], np.asarray(lower) * 100) and np.allclose(share["ci_upper"], upper * 100)
    assert indicators.get_indicator(IDS[2]).interval == "wilson"
    assert {indicators.get_indicator(i).interval for i in (IDS[0], IDS[1], IDS[3])} == {"poisson"}


def test_an_incomplete_authority_has_no_value_and_a_note_naming_district_and_quarter(quarterly, latest):
    rows = quarterly[
        (quarterly["area_code"] == KENT) & (quarterly["measure"] == DA_REASON) & (quarterly["financial_year"] == latest)
    ]
    bad = rows[~rows["complete"]]
    assert not bad.empty  # Kent has a district missing in the latest year of the shipped data
    for indicator_id in IDS:
        got = row(indicators.compute_indicator(indicator_id), KENT)
        assert not got["has_data"] and math.isnan(got["numerator"]) and math.isnan(got[UNITS[indicator_id][0]])
    note = row(homelessness.no_data_notes(latest), KENT)["note"]
    for quarter, missing in zip(bad["quarter"], bad["missing_districts"]):
        assert f"{quarter}: {missing}" in note
    assert "Canterbury (E07000106)" in note


def test_another_year_by_id_suffix_and_hampshire_2019_20_names_hart():
    chosen = indicators.check_indicator_selection(["homelessness_da_per_residents_2019_20"])
    assert chosen == ["homelessness_da_per_residents_2019_20"]
    assert "homelessness_da_per_residents_2019_20" not in indicators.indicator_ids()
    variant = indicators.get_indicator("homelessness_da_per_residents_2019_20")
    assert variant is indicators.get_indicator("homelessness_da_per_residents_2019_20")
    assert "2019-20" in variant.heading and "homelessness_2019_q3" in variant.sources
    assert indicators.get_indicator(IDS[0]).heading.endswith(
        f"({homelessness.latest_complete_year()}, the latest complete financial year)"
    )
    frame = row(indicators.compute_indicator(variant), HAMPSHIRE)
    assert not frame["has_data"]
    assert "2019-20 Q3: Hart (E07000089)" in row(homelessness.no_data_notes("2019-20"), HAMPSHIRE)["note"]
    with pytest.raises(ParameterError, match="2018-19 for da_reason, households"):
        indicators.check_indicator_selection(["homelessness_da_per_households_2018_19"])
    with pytest.raises(ParameterError, match="suffix must be a financial year"):
        indicators.get_indicator("homelessness_da_per_residents_2019")


def test_a_share_of_no_households_owed_a_duty_is_no_data_not_zero_over_zero(quarterly):
    # Isles of Scilly owed no prevention or relief duty in 2021-22 (the shipped quarters sum to 0).
    duties, complete = hand_sum(quarterly, "E06000053", DUTIES, "2021-22")
    assert duties == 0 and complete
    got = row(indicators.compute_indicator(f"{IDS[2]}_2021_22"), "E06000053")
    assert not got["has_data"] and math.isnan(got["percent"])


def test_a_denominator_with_counts_needs_a_label():
    with pytest.raises(ParameterError, match="label"):
        Denominator(counts=lambda: pd.Series(dtype=float))


# ------------------------------------------------------------------------------------------
# Trends and series breaks
# ------------------------------------------------------------------------------------------


def test_quarterly_trend_marks_incomplete_points_and_the_documented_breaks(quarterly):
    series = homelessness.trend(HAMPSHIRE)
    assert list(dict.fromkeys(series["area_code"])) == [HAMPSHIRE, "E12000008", config.ENGLAND_CODE]
    own = series[series["area_code"] == HAMPSHIRE].set_index("period")
    assert own.index[0] == "2018-19 Q1"
    hart = own.loc["2019-20 Q3"]
    assert not hart["complete"] and "Hart (E07000089)" in hart["note"]
    hand = quarterly[(quarterly["area_code"] == HAMPSHIRE) & (quarterly["measure"] == DA_REASON)]
    assert own["count"].tolist() == hand.sort_values("quarter_start")["value"].tolist()
    assert (~own["complete"]).sum() == (~hand["complete"]).sum()
    # SOURCES.md section 7: one A2 table to April-June 2020; the victim / perpetrator split from July-September 2023.
    breaks = homelessness.series_breaks(HAMPSHIRE)
    assert breaks[["quarter", "kind"]].values.tolist() == [["2020-21 Q2", "table"], ["2023-24 Q2", "definition"]]
    assert own.loc["2020-21 Q2", "series_break"] and not own.loc["2020-21 Q1", "series_break"]
    assert homelessness.series_breaks(HAMPSHIRE, "da_need").empty


def test_geography_breaks_follow_the_reorganisations():
    # SOURCES.md section 7: Buckinghamshire unitary from 2020-06's workbook, Cumbria's two unitaries from 2023-06's.
    bucks = homelessness.series_breaks("E06000060", "da_need")
    assert bucks[["quarter", "kind"]].values.tolist() == [["2020-21 Q1", "geography"]]
    assert "from 1 housing authority from here (4 before)" in bucks["description"].iat[0]
    cumbria = homelessness.series_breaks("E10000006")
    assert ["2023-24 Q1", "geography"] in cumbria[["quarter", "kind"]].values.tolist()


def test_financial_year_trend_rates_use_census_residents(quarterly, latest):
    series = homelessness.trend(config.ENGLAND_CODE, period="financial_year").set_index("period")
    total, _ = hand_sum(quarterly, config.ENGLAND_CODE, DA_REASON, latest)
    assert series.loc[latest, "count"] == total
    assert series.loc[latest, "rate_per_100k"] == pytest.approx(total / hand_residents(config.ENGLAND_CODE) * 1e5)
    assert "2025-26" not in series.index  # not four quarters yet
    hampshire = homelessness.trend(HAMPSHIRE, period="financial_year")
    assert not hampshire.set_index(["area_code", "period"]).loc[(HAMPSHIRE, "2019-20"), "complete"]


def test_year_comparison_is_the_conditional_binomial_test(quarterly, latest):
    compared = homelessness_model.compare_years(HAMPSHIRE, latest)
    first = compared[compared["earlier_year"] == "2018-19"].iloc[0]
    a, _ = hand_sum(quarterly, HAMPSHIRE, DA_REASON, latest)
    b, _ = hand_sum(quarterly, HAMPSHIRE, DA_REASON, "2018-19")
    low, high = stats.wilson_interval(a, a + b)
    assert first["ratio"] == a / b and first["ratio_lower"] == pytest.approx(low / (1 - low))
    assert first["direction"] == ("higher" if low > 0.5 else "lower" if high < 0.5 else "similar")


# ------------------------------------------------------------------------------------------
# Deprivation model
# ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def model():
    return homelessness_model.deprivation_model()


def test_poisson_expected_counts_sum_to_the_observed_total(model):
    data = model.authorities
    assert data["expected_poisson"].sum() == pytest.approx(data["observed"].sum(), rel=1e-9)
    assert data["expected_negative_binomial"].sum() != pytest.approx(data["observed"].sum(), rel=1e-6)


def test_overdispersion_is_reported_and_drives_the_choice(model):
    data = model.authorities
    n = len(data)
    for name, column in (("poisson", "expected_poisson"), ("negative binomial", "expected_negative_binomial")):
        fit = model.fit(name)
        mu = data[column]
        variance = mu if name == "poisson" else mu + fit["alpha"] * mu**2
        pearson = float((((data["observed"] - mu) ** 2) / variance).sum())
        assert fit["pearson_chi2"] == pytest.approx(pearson, rel=1e-6)
        assert fit["dispersion"] == pytest.approx(pearson / (n - 2), rel=1e-6)
    assert model.fit("poisson")["dispersion"] > 5  # far more variation between authorities than Poisson
    assert model.fit("negative binomial")["aic"] == pytest.approx(
        -2 * model.fit("negative binomial")["log_likelihood"] + 6
    )
    chose_nb = model.lr_p_value < config.HOMELESSNESS_OVERDISPERSION_TEST_LEVEL
    assert model.chosen == ("negative binomial" if chose_nb else "poisson")


def test_model_uses_complete_authorities_and_ratios_have_count_intervals(model, latest):
    assert model.year == latest
    assert len(model.authorities) + len(model.excluded) == 152
    assert KENT in set(model.excluded["area_code"]) and HAMPSHIRE in set(model.authorities["area_code"])
    hampshire = row(model.authorities, HAMPSHIRE)
    lower, upper = stats.count_interval(hampshire["observed"])
    chosen = hampshire["expected_negative_binomial" if model.chosen == "negative binomial" else "expected_poisson"]
    assert hampshire["expected"] == chosen
    assert (hampshire["ratio_lower"], hampshire["ratio_upper"]) == (
        pytest.approx(lower / chosen),
        pytest.approx(upper / chosen),
    )
    scores = row(homelessness_model.deprivation.deprivation_by_authority(), HAMPSHIRE)
    assert hampshire["score"] == scores["average_score"]
    with pytest.raises(ParameterError, match="offset must be"):
        homelessness_model.deprivation_model(offset="people")


# ------------------------------------------------------------------------------------------
# Back-test
# ------------------------------------------------------------------------------------------


def test_backtest_numbers_are_sums_of_the_quarterly_table(quarterly):
    frame = homelessness.strategy_backtest().set_index("financial_year")
    assert frame["strategy_figure"].to_dict() == config.HAMPSHIRE_STRATEGY_DA_DUTY
    for year in ("2019-20", "2020-21"):
        need, need_complete = hand_sum(quarterly, HAMPSHIRE, DA_NEED, year)
        reason, reason_complete = hand_sum(quarterly, HAMPSHIRE, DA_REASON, year)
        assert frame.loc[year, "support_need_households"] == need
        assert frame.loc[year, "reason_households"] == reason
        assert frame.loc[year, "support_need_complete"] == need_complete
        assert frame.loc[year, "support_need_difference"] == config.HAMPSHIRE_STRATEGY_DA_DUTY[year] - need
    assert "2019-20 Q3: Hart (E07000089)" in frame.loc["2019-20", "note"]
    assert frame.loc["2020-21", "note"] == ""
