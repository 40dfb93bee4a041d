"""Declared indicators: values in their units and intervals against hand computations from the raw files."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from analysis import config
from analysis.errors import DataFileError, ParameterError
from analysis.methods import indicators
from analysis.methods.indicators import Denominator, Indicator
from tests.conftest import raw_csv, ts009_cells

AUTHORITIES = ["E10000014", "E06000045", "E06000053", "E09000001", "E08000025"]  # county, unitary, tiny x2, met
REGIONS = ["E12000008", "E12000007", "E12000009"]


@lru_cache(maxsize=1)
def hand_districts() -> pd.DataFrame:
    """English Census 2021 TS009 cells from the raw files (district, sex, age, population), with each
    district's upper-tier code (raw ONS lookup) and region code (mySociety register, ONS region codes)."""
    cells = ts009_cells()
    cells = cells[cells["ltla_code"].str.startswith("E")]
    lookup = raw_csv("ltla22_utla22_lookup").rename(columns=lambda c: c.strip("\ufeff"))
    register = raw_csv("mysociety_la_register")
    regions = raw_csv("ons_rgn22_codes")
    region_code = dict(zip(regions["areanm"], regions["areacd"]))
    out = cells.merge(lookup[["LTLA22CD", "UTLA22CD"]], left_on="ltla_code", right_on="LTLA22CD")
    out["region"] = out["ltla_code"].map(dict(zip(register["gss-code"], register["region"]))).map(region_code)
    assert out["ltla_code"].nunique() == 309 and out["region"].notna().all()
    return out


def _hand_sum(code: str, low: int, high: int | None, sex: str | None = None) -> float:
    cells = hand_districts()
    if code != config.ENGLAND_CODE:
        cells = cells[(cells["UTLA22CD"] == code) | (cells["region"] == code)]
    cells = cells[cells["age"].between(low, 90 if high is None else high)]
    if sex is not None:
        cells = cells[cells["sex"] == sex]
    return float(cells["population"].sum())


def hand_persons(code: str, low: int, high: int | None) -> float:
    """Persons aged low..high (None = 90+) in an upper-tier authority, region or England, from raw TS009."""
    return _hand_sum(code, low, high)


def hand_women(code: str, low: int, high: int) -> float:
    """Women aged low..high (observed in Census 2021) in an upper-tier authority or region, from raw TS009."""
    return _hand_sum(code, low, high, "female")


def row(frame: pd.DataFrame, code: str) -> pd.Series:
    return frame.set_index("area_code").loc[code]


# ------------------------------------------------------------------------------------------
# Shipped indicators
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("indicator_id, low, high", [("population_14_18", 14, 18), ("population_16_17", 16, 17)])
def test_young_people_per_100k_match_the_raw_population_file(indicator_id, low, high):
    frame = indicators.compute_indicator(indicator_id)
    for code in AUTHORITIES + REGIONS + [config.ENGLAND_CODE]:
        expected_numerator = hand_persons(code, low, high)
        expected_total = hand_persons(code, 0, None)
        got = row(frame, code)
        assert got["numerator"] == expected_numerator, code
        assert got["denominator"] == expected_total, code
        assert got["rate_per_100k"] == pytest.approx(expected_numerator / expected_total * 100_000, rel=1e-12), code
        assert bool(got["has_data"]) and math.isnan(got["ci_lower"]) and math.isnan(got["ci_upper"])


def test_southampton_14_18_rests_on_the_figure_checked_when_the_census_was_staged():
    # SOURCES.md, TS009 checks: "Southampton 248,924 (female 123,956, male 124,968)" (independent of any code).
    got = row(indicators.compute_indicator("population_14_18"), "E06000045")
    young = hand_persons("E06000045", 14, 18)
    assert (got["numerator"], got["denominator"]) == (young, 248_924)
    assert got["rate_per_100k"] == pytest.approx(young / 248_924 * 1e5, rel=1e-12)


def test_every_reporting_area_has_one_row_with_the_contract_columns():
    frame = indicators.compute_indicator("population_14_18")
    assert list(frame.columns) == indicators.FRAME_COLUMNS
    assert frame["level"].value_counts().to_dict() == {"utla": 152, "region": 9, "country": 1}
    assert frame["area_code"].is_unique


def test_regional_partner_abuse_is_the_sdg_rate_for_regions_only():
    sdg = raw_csv("sdg_521_partner_abuse_women")
    published = sdg[
        (sdg["Year"] == "2019/20")
        & (sdg["Series"] == "Women aged 16 to 74")
        & sdg["Region"].notna()
        & sdg["GeoCode"].str.startswith("E12", na=False)
    ]
    assert len(published) == 9
    frame = indicators.compute_indicator("partner_abuse_women_region")
    for code, percent in zip(published["GeoCode"], published["Value"]):
        got = row(frame, code)
        assert got["rate_per_100k"] == pytest.approx(percent * 1000, abs=0.06), code  # build keeps 4 decimals of %
        assert got["denominator"] == pytest.approx(hand_women(code, 16, 74), rel=1e-9)
        assert got["numerator"] == pytest.approx(percent / 100 * hand_women(code, 16, 74), rel=1e-5)
    others = frame[frame["level"] != "region"]
    assert not others["has_data"].any() and others["numerator"].isna().all() and others["rate_per_100k"].isna().all()
    national = sdg[
        (sdg["Year"] == "2019/20")
        & (sdg["Series"] == "Women aged 16 to 74")
        & sdg["Region"].isna()
        & sdg["Age"].isna()
        & sdg["Type of partner abuse"].isna()
        & sdg.iloc[:, 6:16].isna().all(axis=1)
    ]
    code, name, rate = indicators.partner_abuse_reference()
    assert (code, name) == ("K04000001", "England and Wales")
    assert rate == pytest.approx(float(national["Value"].iloc[0]) * 1000, abs=0.06)


def test_declared_indicators_cite_sources_in_the_manifest():
    from analysis.data import sources

    known = {item.id for item in sources.load_manifest()}
    units = {
        100_000: ("per 100,000 ", "rate_per_100k"),
        1_000: ("per 1,000 ", "rate_per_1k"),
        100: ("% of ", "percent"),
    }
    for indicator in indicators.list_indicators():
        assert set(indicator.sources) <= known, indicator.id
        words, column = units[indicator.per]
        assert indicator.unit_label.startswith(words) and indicator.value_column == column, indicator.id
    assert {i.per for i in indicators.list_indicators()} == set(units)  # every unit is in use


def test_the_report_order_leads_with_an_observed_local_domestic_abuse_indicator():
    ids = indicators.indicator_ids()
    assert ids[0] == "homelessness_da_per_residents" and indicators.check_indicator_selection("all") == ids
    assert ids.index("population_14_18") > ids.index("homelessness_da_need_per_residents")
    assert [i.id for i in indicators.list_indicators()] == ids
    assert sorted(ids) == sorted({*ids})  # each once


def test_national_rate_indicators_are_declared_as_not_varying_by_area():
    flat = {i.id for i in indicators.list_indicators() if not i.varies_by_area}
    assert flat == {"adults_experiencing_da", "children_affected"}
    for indicator_id in flat:
        indicator = indicators.get_indicator(indicator_id)
        assert indicator.funnel is None and "national" in indicator.uniform_reason


# ------------------------------------------------------------------------------------------
# Interval methods, through fixture indicators built on the shipped population
# ------------------------------------------------------------------------------------------


def fixture_indicator(**changes) -> Indicator:
    """A fixture indicator (not registered): people aged 16-17 per 100,000, no interval."""
    base = dict(
        id="fixture_16_17",
        title="Fixture",
        numerator=indicators.population_numerator(16, 17),
        numerator_label="people aged 16-17",
        denominator=Denominator(),
        interval="none",
        interval_reason="fixture",
        sources=("census2021_ts009_ltla21_sya",),
        source_note="fixture",
        caveat="fixture",
        shows="fixture",
        does_not_show="fixture",
        funnel=None,
        funnel_reason="fixture",
    )
    base.update(changes)
    return Indicator(**base)


def byar(count: float, z: float) -> tuple[float, float]:
    lower = count * (1 - 1 / (9 * count) - z / (3 * math.sqrt(count))) ** 3
    upper = (count + 1) * (1 - 1 / (9 * (count + 1)) + z / (3 * math.sqrt(count + 1))) ** 3
    return lower, upper


def poisson_limits(count: float, confidence: float) -> tuple[float, float]:
    """Byar's limits from 10 events, exact Poisson (chi-square) below: PHE Technical Guide, 2018."""
    if count >= 10:
        return byar(count, sps.norm.ppf(1 - (1 - confidence) / 2))
    alpha = 1 - confidence
    low = sps.chi2.ppf(alpha / 2, 2 * count) / 2 if count else 0.0
    return low, sps.chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2


@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_poisson_intervals_use_byar_from_ten_and_exact_below(confidence):
    fixture = fixture_indicator(
        id="fixture_90_plus", numerator=indicators.population_numerator(90, None), interval="poisson"
    )
    frame = indicators.compute_indicator(fixture, confidence=confidence)
    for code in ["E10000014", "E09000001", "E06000053"]:
        count, total = hand_persons(code, 90, None), hand_persons(code, 0, None)
        low, high = poisson_limits(count, confidence)
        got = row(frame, code)
        assert got["rate_per_100k"] == pytest.approx(count / total * 1e5, rel=1e-12)
        assert got["ci_lower"] == pytest.approx(low / total * 1e5, rel=1e-9)
        assert got["ci_upper"] == pytest.approx(high / total * 1e5, rel=1e-9)


def test_a_small_count_gets_exact_poisson_limits():
    # Isles of Scilly: the first single year of age with fewer than 10 people in the raw file.
    age = next(a for a in range(90) if 0 < hand_persons("E06000053", a, a) < 10)
    count, total = hand_persons("E06000053", age, age), hand_persons("E06000053", 0, None)
    fixture = fixture_indicator(
        id="fixture_one_age", numerator=indicators.population_numerator(age, age), interval="poisson"
    )
    got = row(indicators.compute_indicator(fixture), "E06000053")
    assert got["ci_lower"] == pytest.approx(sps.chi2.ppf(0.025, 2 * count) / 2 / total * 1e5, rel=1e-9)
    assert got["ci_upper"] == pytest.approx(sps.chi2.ppf(0.975, 2 * count + 2) / 2 / total * 1e5, rel=1e-9)


def test_wilson_intervals_for_a_proportion():
    z = sps.norm.ppf(0.975)
    frame = indicators.compute_indicator(fixture_indicator(interval="wilson"))
    for code in ["E09000001", "E06000053", "E10000014"]:
        x, n = hand_persons(code, 16, 17), hand_persons(code, 0, None)
        p = x / n
        centre, half = 2 * x + z**2, z * math.sqrt(z**2 + 4 * x * (1 - p))
        got = row(frame, code)
        assert got["ci_lower"] == pytest.approx((centre - half) / (2 * (n + z**2)) * 1e5, rel=1e-9)
        assert got["ci_upper"] == pytest.approx((centre + half) / (2 * (n + z**2)) * 1e5, rel=1e-9)


def test_an_estimate_carrying_its_own_interval_is_divided_by_the_denominator():
    def source(confidence):
        frame = indicators.population_numerator(16, 17)(confidence)
        return frame.rename(columns={"numerator": "estimate"}).assign(
            low=lambda f: f["estimate"] * 0.9, high=lambda f: f["estimate"] * 1.2
        )

    fixture = fixture_indicator(
        interval="numerator", numerator=indicators.numerator_from(source, "estimate", "low", "high")
    )
    got = row(indicators.compute_indicator(fixture), "E06000045")
    x, n = hand_persons("E06000045", 16, 17), hand_persons("E06000045", 0, None)
    assert (got["ci_lower"], got["ci_upper"]) == (pytest.approx(0.9 * x / n * 1e5), pytest.approx(1.2 * x / n * 1e5))


def test_a_rate_per_1000_and_a_share_per_cent_carry_their_unit_in_the_value_column():
    z = sps.norm.ppf(0.975)
    per_1000 = indicators.compute_indicator(fixture_indicator(id="fixture_per_1k", per=1000, interval="poisson"))
    percent = indicators.compute_indicator(fixture_indicator(id="fixture_percent", per=100, interval="wilson"))
    assert list(per_1000.columns) == [c if c != "rate_per_100k" else "rate_per_1k" for c in indicators.FRAME_COLUMNS]
    assert "percent" in percent.columns and "rate_per_100k" not in percent.columns
    assert indicators.value_column(percent) == "percent" and indicators.value_column(per_1000) == "rate_per_1k"
    for code in ["E10000014", "E06000053"]:
        x, n = hand_persons(code, 16, 17), hand_persons(code, 0, None)
        assert row(per_1000, code)["rate_per_1k"] == pytest.approx(x / n * 1000, rel=1e-12)
        low, high = poisson_limits(x, 0.95)
        assert row(per_1000, code)["ci_lower"] == pytest.approx(low / n * 1000, rel=1e-9)
        assert row(per_1000, code)["ci_upper"] == pytest.approx(high / n * 1000, rel=1e-9)
        p = x / n
        centre, half = 2 * x + z**2, z * math.sqrt(z**2 + 4 * x * (1 - p))
        got = row(percent, code)
        assert got["percent"] == pytest.approx(p * 100, rel=1e-12)
        assert got["ci_lower"] == pytest.approx((centre - half) / (2 * (n + z**2)) * 100, rel=1e-9)
        assert got["ci_upper"] == pytest.approx((centre + half) / (2 * (n + z**2)) * 100, rel=1e-9)
    england = hand_persons(config.ENGLAND_CODE, 16, 17) / hand_persons(config.ENGLAND_CODE, 0, None)
    assert indicators.england_value(percent) == pytest.approx(england * 100, rel=1e-12)
    assert fixture_indicator(per=100).unit_label == "% of population (all ages)"
    assert fixture_indicator(per=1000).unit_label == "per 1,000 population (all ages)"
    with pytest.raises(ParameterError, match="exactly one value column"):
        indicators.value_column(percent.assign(rate_per_100k=1.0))


def test_areas_the_numerator_leaves_out_have_no_data_not_zero():
    def some_areas(confidence):
        return pd.DataFrame({"area_code": ["E10000014", "E06000045"], "numerator": [100.0, np.nan]})

    frame = indicators.compute_indicator(fixture_indicator(numerator=some_areas))
    assert frame.loc[frame["has_data"], "area_code"].tolist() == ["E10000014"]
    missing = frame[~frame["has_data"]]
    assert len(missing) == 161 and missing["numerator"].isna().all() and missing["rate_per_100k"].isna().all()
    assert (missing["denominator"] > 0).all()


# ------------------------------------------------------------------------------------------
# Registry and errors
# ------------------------------------------------------------------------------------------


def test_the_catalogue_is_registered_by_any_import_of_the_indicators_package():
    """A fresh interpreter that imports only the registry module still has every declared indicator."""
    import subprocess
    import sys

    script = "from analysis.methods.indicators import registry; print(','.join(registry.indicator_ids()))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=300)
    assert result.stdout.strip().split(",") == indicators.indicator_ids()
    assert {"population_14_18", "partner_abuse_women_region", "adults_experiencing_da", "refuge_shortfall"} <= set(
        indicators.indicator_ids()
    )


def test_indicator_selection_accepts_all_or_ids_and_names_the_valid_ids_otherwise():
    assert indicators.check_indicator_selection("all") == indicators.indicator_ids()
    assert indicators.check_indicator_selection(["population_16_17", "population_16_17"]) == ["population_16_17"]
    assert indicators.check_indicator_selection("population_14_18") == ["population_14_18"]
    with pytest.raises(ParameterError, match="Unknown indicator id.*'prevalnce'") as info:
        indicators.check_indicator_selection(["population_14_18", "prevalnce"])
    assert "population_14_18" in info.value.hint and "partner_abuse_women_region" in info.value.hint
    for bad in ([], 3, [1]):
        with pytest.raises(ParameterError, match="indicators must be"):
            indicators.check_indicator_selection(bad)
    with pytest.raises(ParameterError, match="Unknown indicator 'nope'"):
        indicators.get_indicator("nope")


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"interval": "bootstrap"}, "interval must be one of"),
        ({"funnel": "ratio"}, "funnel must be"),
        ({"funnel_reason": ""}, "say why in funnel_reason"),
        ({"id": "Bad Id"}, "lower case"),
        ({"sources": ()}, "names no source"),
        ({"per": 250}, "per must be 100000"),
        ({"per": True}, "per must be 100000"),
        ({"varies_by_area": False}, "say why in uniform_reason"),
        ({"varies_by_area": False, "uniform_reason": "one rate", "funnel": "rate"}, "declare no funnel"),
    ],
)
def test_bad_declarations_are_refused(changes, message):
    with pytest.raises(ParameterError, match=message):
        fixture_indicator(**changes)


def test_a_second_declaration_with_the_same_id_is_refused():
    with pytest.raises(ParameterError, match="already declared"):
        indicators.declare(fixture_indicator(id="population_14_18"))


@pytest.mark.parametrize(
    "frame, message",
    [
        (pd.DataFrame({"area_code": ["E99999999"], "numerator": [1.0]}), "not reporting areas: E99999999"),
        (pd.DataFrame({"area_code": ["E10000014", "E10000014"], "numerator": [1.0, 2.0]}), "more than one row"),
        (pd.DataFrame({"code": ["E10000014"], "value": [1.0]}), "columns area_code and numerator"),
    ],
)
def test_a_malformed_numerator_is_named(frame, message):
    with pytest.raises(DataFileError, match=message):
        indicators.compute_indicator(fixture_indicator(numerator=lambda confidence: frame))


def test_interval_from_numerator_needs_its_columns():
    with pytest.raises(DataFileError, match="numerator_lower"):
        indicators.compute_indicator(fixture_indicator(interval="numerator"))
