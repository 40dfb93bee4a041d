"""The indicators that come from the prevalence and supply modules, checked against the raw files."""

from __future__ import annotations

import pytest

from analysis.methods import areas, indicators, prevalence
from analysis.present import maps
from analysis.present.numbers import format_number

from .conftest import census_population, raw_csv


@pytest.fixture(scope="module")
def hampshire_population() -> float:
    """Hampshire's Census 2021 usual residents: raw TS009 cells of its 11 districts, summed by hand."""
    total = census_population("E10000014")
    assert total == 1_400_898  # the figure SOURCES.md records for TS009
    return total


def test_refuge_places_available_only_where_local_data_exists(hampshire_population):
    frame = indicators.compute_indicator("refuge_places_available").set_index("area_code")
    supply = raw_csv("local_example_hampshire_supply")
    counted = supply[supply["accommodation_type"].isin(["refuge", "specialist_by_and_for"])]["bedspaces"].sum()
    assert frame.loc["E10000014", "rate_per_100k"] == pytest.approx(counted / hampshire_population * 100_000)
    assert frame["has_data"].sum() == 1
    assert frame.loc[["E06000045", "E12000008", "E92000001"], "numerator"].isna().all()


def test_refuge_shortfall_is_required_minus_available(hampshire_population):
    frame = indicators.compute_indicator("refuge_shortfall").set_index("area_code")
    assert frame.loc["E10000014", "numerator"] == pytest.approx(hampshire_population / 10_000 - 92)


def test_adults_indicator_equals_the_prevalence_estimate():
    frame = indicators.compute_indicator("adults_experiencing_da").set_index("area_code")
    for code in ("E10000014", "E06000045", "E92000001"):
        summary = prevalence.summarise_estimates(prevalence.estimate_adults(code)).iloc[0]
        assert frame.loc[code, "numerator"] == pytest.approx(summary["estimate"])
        assert frame.loc[code, "rate_per_100k"] == pytest.approx(summary["estimate_per_100k_adults"])
    assert frame["has_data"].all()


def test_children_indicator_applies_the_national_rate_and_gets_one_sentence_not_a_map():
    rate = raw_csv("children_rates_authored")["rate_per_1000"].iloc[0]
    frame = indicators.compute_indicator("children_affected")
    assert frame["rate_per_100k"].round(6).unique().tolist() == [rate * 100]
    indicator = indicators.get_indicator("children_affected")
    hampshire = areas.resolve_area("Hampshire")
    [exhibit] = maps.indicator_figures(indicator, frame, hampshire)
    assert exhibit.kind == "national_rate" and exhibit.figure is None
    assert f"Hampshire: {format_number(rate * 100)} per 100,000 children aged 0-17" in exhibit.note
    assert "same rate" in exhibit.note and "authorities:" not in exhibit.note  # no spread: one value
    assert maps.indicator_table(indicator, frame, hampshire) is None


def test_adults_synthetic_estimate_gets_one_sentence_with_its_value_and_the_spread_not_a_map():
    frame = indicators.compute_indicator("adults_experiencing_da").set_index("area_code")
    indicator = indicators.get_indicator("adults_experiencing_da")
    [exhibit] = maps.indicator_figures(indicator, frame.reset_index(), areas.resolve_area("Southampton"))
    assert exhibit.kind == "national_rate" and exhibit.figure is None
    utla = frame.loc[frame["level"] == "utla", "rate_per_100k"]
    estimate = prevalence.summarise_estimates(prevalence.estimate_adults("E06000045")).iloc[0]
    assert f"Southampton: {format_number(estimate['estimate_per_100k_adults'])} per 100,000" in exhibit.note
    assert f"{format_number(utla.min())} to {format_number(utla.max())}" in exhibit.note
    assert "mix of women and men" in exhibit.note and "No map, funnel plot" in exhibit.note
