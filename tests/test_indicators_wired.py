"""The indicators that come from the prevalence and supply modules, checked against the raw files."""

from __future__ import annotations

import pytest

from analysis.methods import areas, indicators, prevalence
from analysis.present import maps

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


def test_children_indicator_applies_the_national_rate_and_draws_no_flat_map():
    rate = raw_csv("children_rates_authored")["rate_per_1000"].iloc[0]
    frame = indicators.compute_indicator("children_affected")
    assert frame["rate_per_100k"].round(6).unique().tolist() == [rate * 100]
    exhibits = maps.indicator_figures(
        indicators.get_indicator("children_affected"), frame, areas.resolve_area("Hampshire")
    )
    assert [e.figure for e in exhibits] == [None] and "same value" in exhibits[0].note
