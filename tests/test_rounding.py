"""Published numbers round halves away from zero, on the number as written (analysis.present.numbers),
and every place the present layer publishes a number uses that one rule."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.methods import prevalence, prevalence_bands
from analysis.present import index, map_classes, numbers, report, supply
from analysis.present import prevalence as show_prevalence
from analysis.present import young_people as show_young_people

from .conftest import census_population

# ------------------------------------------------------------------------------------------
# The rule
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (0.125, 2, 0.13),  # half-to-even on the binary value gives 0.12
        (2.675, 2, 2.68),  # stored as 2.67499999...: Python's round gives 2.67
        (2.5, 0, 3.0),  # half to even gives 2
        (-2.5, 0, -3.0),
        (0.5, 0, 1.0),
        (4.5, 0, 5.0),
        (1234.5, 0, 1235.0),
        (12_345, -1, 12_350.0),
        (12_344.999, -1, 12_340.0),
        (-0.4, 0, 0.0),
    ],
)
def test_round_half_away_rounds_halves_away_from_zero(value, decimals, expected):
    assert numbers.round_half_away(value, decimals) == expected


def test_round_to_multiple_at_the_half():
    assert numbers.round_to_multiple(12_345, 10) == 12_350  # round(1234.5) * 10 would give 12,340
    assert numbers.round_to_multiple(12_335, 10) == 12_340
    assert numbers.round_to_multiple(-15, 10) == -20
    assert numbers.round_to_multiple(250, 100) == 300
    assert numbers.round_to_multiple(7.25, 0.5) == 7.5
    assert numbers.round_to_multiple(np.int64(45), 10) == 50


def test_missing_values_stay_missing_in_numbers_arrays_and_series():
    assert math.isnan(numbers.round_half_away(None)) and math.isnan(numbers.round_to_multiple(float("nan"), 10))
    series = pd.Series([12_345.0, np.nan, 2.5, None], index=list("abcd"), name="estimate")
    rounded = numbers.round_to_multiple(series, 10)
    assert rounded.index.tolist() == list("abcd") and rounded.name == "estimate"
    assert rounded.iloc[0] == 12_350 and rounded.iloc[2] == 0 and rounded.iloc[[1, 3]].isna().all()
    halves = numbers.round_half_away(pd.Series([0.125, pd.NA, -2.5], dtype=object), 2)
    assert halves.iloc[0] == 0.13 and pd.isna(halves.iloc[1]) and halves.iloc[2] == -2.5
    array = numbers.round_half_away(np.array([[0.5, np.nan], [-1.5, 2.5]]))
    assert array.shape == (2, 2) and np.isnan(array[0, 1])
    assert array[0, 0] == 1 and array[1, 0] == -2 and array[1, 1] == 3


def test_formatting_at_the_half():
    assert numbers.format_number(1234.5) == "1,235"  # f"{1234.5:,.0f}" gives 1,234
    assert numbers.format_number(0.125, 2) == "0.13"
    assert numbers.format_number(-2.5) == "-3"
    assert numbers.format_number(-0.4) == "0"  # never "-0"
    assert numbers.format_number(12_345, -1) == "12,350"
    assert numbers.format_multiple(12_345, 10) == "12,350" and numbers.format_multiple(7.26, 0.5) == "7.5"
    assert numbers.format_percent(0.125) == "13%" and numbers.format_percent(0.95, 1) == "95.0%"
    assert numbers.format_number(None) == numbers.format_number(float("nan")) == numbers.MISSING
    assert numbers.format_number("[c]") == "[c]"


def test_bad_arguments_are_refused():
    with pytest.raises(TypeError, match="decimals must be a whole number"):
        numbers.round_half_away(1.25, 1.5)
    with pytest.raises(ValueError, match="multiple must be a finite number above 0"):
        numbers.round_to_multiple(12, 0)
    with pytest.raises(TypeError, match="'abc'.*not a number"):
        numbers.round_half_away("abc")


# ------------------------------------------------------------------------------------------
# Every published number uses it
# ------------------------------------------------------------------------------------------


def test_the_functions_notebooks_call_round_halves_away():
    assert report.format_number(2.5) == "3" and report.format_number(0.125, 2) == "0.13"
    assert show_prevalence.round_to(12_345, 10) == 12_350
    assert show_prevalence.report_number(12_345, 10) == "12,350"
    frame = pd.DataFrame({"estimate": [12_345.0, np.nan], "population": [2.5, 3.5]})
    rounded = show_young_people.round_to(frame, ["estimate"])
    assert rounded["estimate"].iloc[0] == 12_350 and np.isnan(rounded["estimate"].iloc[1])
    assert show_young_people.round_to(frame, ["population"], base=1)["population"].tolist() == [3.0, 4.0]
    assert map_classes.class_labels(np.array([2.5, 12.125]), 0.125, 2) == ["0.13 to 2.50", "2.50 to 12.13"]


def test_a_published_table_rounds_a_real_half():
    """Hampshire's women aged 16-19 (Census 2021: 27,515) are shown to the nearest 10 upwards (27,520)."""
    bands = prevalence_bands.by_sex_and_age_band(prevalence.estimate_adults("E10000014"))
    raw = [int(p) for p in bands["population"]]
    assert census_population("E10000014", "female", 16, 19) == 27_515 == raw[0]  # a real tie, from raw TS009
    shown = show_prevalence.display_by_sex_and_age_band(bands, 10)["population"].tolist()
    assert shown[0] == 27_520
    assert shown == [(p + 5) // 10 * 10 for p in raw]  # halves away from zero, by integer arithmetic


def _summary_row(**values) -> pd.Series:
    """A made-up summary row for the prevalence headline (clearly not real data)."""
    row = {
        "estimate": 12_345.0,
        "estimate_per_100k_adults": 1234.5,
        "ci_lower": 10_005.0,
        "ci_upper": 14_995.0,
        "confidence": 0.95,
        "age_range": "16-74",
        "area_name": "Fixtureshire",
        "measure": "any_domestic_abuse",
        "survey_year": "YE Mar 2020",
        "measure_version": "pre-2024",
        "breakdown": "sex",
    }
    return pd.Series({**row, **values})


def test_published_headlines_round_halves_away():
    text = show_prevalence.headline_text(_summary_row(), 10)
    assert text.startswith("An estimated 12,350 adults aged 16-74 in Fixtureshire")
    assert "(95% interval 10,010 to 15,000)" in text and ": 1,235 per 100,000 adults" in text
    gap = {
        "required_places": 132.5,
        "standard_per_10k": 1.0,
        "available_places": 80.0,
        "places_per_100k": 6.25,
        "standard_places_per_100k": 10.0,
        "shortfall_places": 52.5,
        "shortfall_pct": 39.5,
    }
    sentence = supply.headline("Fixtureshire", gap, "2024-25")
    assert "against the 133 required" in sentence and "a shortfall of 53 places (40% of the requirement)" in sentence
    assert "or 6.3 places per 100,000 people against 10." in sentence


def test_index_headlines_round_halves_away():
    record = {
        "area_code": "E99999999",
        "area_name": "Fixtureshire",
        "notebook": "02_refuge_demand_supply",
        "status": "ok",
        "folder": "E99999999-fixtureshire",
        "records": {"required_places": 132.25, "available_places": 1234.5},
    }
    area = index.index_context([record])["areas"][0]
    assert area["headlines"]["required_places"]["text"] == "132.3"
    assert area["headlines"]["available_places"]["text"] == "1,235"
