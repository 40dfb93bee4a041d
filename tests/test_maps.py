"""Maps: classes computed over England and stable, areas without data hatched and labelled, comparisons."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from analysis import config
from analysis.errors import ParameterError
from analysis.methods import areas, indicators
from analysis.present import layers, maps
from tests.test_indicators import fixture_indicator, hand_districts

WHITE = (1.0, 1.0, 1.0, 1.0)


@pytest.fixture(scope="module")
def frame14() -> pd.DataFrame:
    return indicators.compute_indicator("population_14_18")


@pytest.fixture(autouse=True)
def close_figures():
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


@pytest.fixture(autouse=True)
def figures_from_scratch(monkeypatch):
    """These tests read a figure's artists (legend entries, labels, polygons): they get figures drawn
    from scratch, since one composed over a shared base holds the base as pixels.
    tests/test_layers.py shows that both routes draw the same pixels."""
    monkeypatch.setenv(layers.ENV, "0")


def hand_rates_14_18() -> np.ndarray:
    """Rate per 100,000 aged 14-18 of each of England's 152 upper-tier authorities, from the raw files."""
    cells = hand_districts()
    young = cells[cells["age"].between(14, 18)].groupby("UTLA22CD")["population"].sum()
    totals = young / cells.groupby("UTLA22CD")["population"].sum()
    assert len(totals) == 152
    return np.sort(totals.to_numpy() * 1e5)


def legend_texts(fig) -> list[str]:
    """A map's legend entries: the shared ones, then the area's own (set just under them)."""
    legends = [fig.axes[0].get_legend(), *fig.legends]
    return [t.get_text() for legend in legends for t in legend.get_texts()]


def hatched(fig) -> list:
    return [c for c in fig.axes[0].collections if c.get_hatch() == config.MAP_NO_DATA_HATCH]


# ------------------------------------------------------------------------------------------
# Classification
# ------------------------------------------------------------------------------------------


def test_quantile_breaks_are_englands_authority_quintiles(frame14):
    rates = hand_rates_14_18()
    expected = np.percentile(rates, [20, 40, 60, 80, 100])
    assert np.allclose(maps.class_breaks(frame14, "quantiles"), expected, rtol=1e-12)


def test_equal_interval_breaks_split_englands_range_evenly(frame14):
    rates = hand_rates_14_18()
    expected = rates.min() + (rates.max() - rates.min()) * np.arange(1, 6) / 5
    assert np.allclose(maps.class_breaks(frame14, "equal_interval"), expected, rtol=1e-12)


@pytest.mark.parametrize("scheme", config.MAP_CLASSIFICATIONS)
def test_breaks_are_the_same_on_every_run(frame14, scheme):
    first = maps.class_breaks(frame14, scheme)
    again = maps.class_breaks(indicators.compute_indicator("population_14_18"), scheme)
    assert np.array_equal(first, again) and len(first) == config.MAP_CLASSES
    assert first[-1] == frame14.loc[frame14["level"] == "utla", "rate_per_100k"].max()


def test_breaks_are_the_same_in_a_fresh_process(frame14):
    code = (
        "from analysis.methods import indicators; from analysis.present import maps; "
        "print(repr(maps.class_breaks(indicators.compute_indicator('population_14_18'), 'fisher_jenks').tolist()))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert eval(out) == maps.class_breaks(frame14, "fisher_jenks").tolist()


@pytest.mark.parametrize("code", ["E10000014", "E08000035", "E09000001"])
def test_region_and_england_maps_share_one_legend(frame14, code):
    indicator = indicators.get_indicator("population_14_18")
    area = areas.get_area(code)
    region = maps.region_map(indicator, frame14, area)
    england = maps.england_map(indicator, frame14, area)
    classes = config.MAP_CLASSES + 1  # class entries and "no data"
    assert legend_texts(region)[:classes] == legend_texts(england)[:classes]
    low = frame14.loc[frame14["level"] == "utla", "rate_per_100k"].min()
    assert legend_texts(england)[0].startswith(f"{low:,.0f} to ")


def test_values_are_placed_in_the_class_whose_upper_bound_they_do_not_exceed():
    breaks = np.array([10.0, 20.0, 30.0])
    assert maps.assign_classes([5, 10, 10.5, 30, np.nan], breaks).tolist() == [0, 0, 1, 2, -1]


def test_an_unknown_classification_is_refused_with_the_choices():
    with pytest.raises(ParameterError, match="quantiles, equal_interval, fisher_jenks"):
        maps.check_classification("jenks")


# ------------------------------------------------------------------------------------------
# Areas without data
# ------------------------------------------------------------------------------------------

MISSING = ["E06000045", "E06000044"]  # Southampton, Portsmouth: fixture gap inside Hampshire's region


def partial_fixture() -> tuple[indicators.Indicator, pd.DataFrame]:
    """Fixture indicator: people aged 16-17, but no data for Southampton, Portsmouth or any London borough."""

    def numerator(confidence):
        frame = indicators.population_numerator(16, 17)(confidence)
        keep = ~frame["area_code"].isin(MISSING) & ~frame["area_code"].str.startswith("E09")
        return frame[keep]

    indicator = fixture_indicator(id="fixture_partial", numerator=numerator, funnel="proportion")
    return indicator, indicators.compute_indicator(indicator)


def test_areas_without_data_are_hatched_white_and_labelled_on_the_region_map():
    indicator, frame = partial_fixture()
    fig = maps.region_map(indicator, frame, areas.get_area("E10000014"))
    [collection] = hatched(fig)
    assert {tuple(c) for c in collection.get_facecolors()} == {WHITE}
    texts = [t.get_text() for t in fig.axes[0].texts]
    for code in MISSING:
        name = areas.get_area(code).name
        assert f"{name}\n{config.MAP_NO_DATA_LABEL}" in texts
    assert f"{config.MAP_NO_DATA_LABEL} (hatched)" in legend_texts(fig)
    coloured = [c for c in fig.axes[0].collections if c.get_hatch() is None and len(c.get_facecolors())]
    assert all(WHITE not in {tuple(f) for f in c.get_facecolors()} for c in coloured[1:])  # [0]: grey context


def test_areas_without_data_are_hatched_on_the_england_map_and_not_classed():
    indicator, frame = partial_fixture()
    fig = maps.england_map(indicator, frame, areas.get_area("E10000014"))
    [collection] = hatched(fig)
    assert len(collection.get_paths()) >= len(MISSING) + 33
    breaks = maps.class_breaks(frame)
    with_data = frame[(frame["level"] == "utla") & frame["has_data"]]
    assert (
        breaks[-1] == with_data["rate_per_100k"].max()
        and not frame.loc[frame["area_code"].isin(MISSING), "has_data"].any()
    )


def test_the_comparison_table_says_no_data_instead_of_zero():
    indicator, frame = partial_fixture()
    table = maps.comparison_table(indicator, frame, areas.get_area("E10000014")).set_index("area_code")
    for code in MISSING:
        assert table.loc[code, "compared_with_england"] == config.MAP_NO_DATA_LABEL
        assert np.isnan(table.loc[code, "numerator"]) and np.isnan(table.loc[code, "rate_per_100k"])
    assert table.loc["E10000014", "numerator"] > 0


def test_a_region_with_no_data_at_all_still_draws_and_says_so():
    indicator, frame = partial_fixture()
    london = areas.get_area("E09000001")
    exhibits = {e.kind: e for e in maps.indicator_figures(indicator, frame, london)}
    assert exhibits["region_map"].figure is not None and hatched(exhibits["region_map"].figure)
    assert (
        exhibits["dot_plot"].figure is None
        and "none of the authorities in London has data" in exhibits["dot_plot"].note
    )
    assert exhibits["funnel"].figure is not None


def test_an_indicator_with_no_data_anywhere_draws_only_hatching():
    indicator = fixture_indicator(
        id="fixture_empty", numerator=lambda c: pd.DataFrame({"area_code": [], "numerator": []})
    )
    frame = indicators.compute_indicator(indicator)
    assert maps.class_breaks(frame).size == 0
    fig = maps.england_map(indicator, frame, areas.get_area("E06000053"))
    assert legend_texts(fig)[0] == f"{config.MAP_NO_DATA_LABEL} (hatched)" and hatched(fig)


# ------------------------------------------------------------------------------------------
# Region-only indicator, funnel plot, comparison table, geometry
# ------------------------------------------------------------------------------------------


def test_a_region_only_indicator_is_mapped_by_region_with_the_reference():
    indicator = indicators.get_indicator("partner_abuse_women_region")
    frame = indicators.compute_indicator(indicator)
    assert maps.map_level(frame) == "region"
    exhibits = {e.kind: e for e in maps.indicator_figures(indicator, frame, areas.get_area("E10000014"))}
    assert exhibits["region_map"].figure is None and "regions only" in exhibits["region_map"].note
    assert exhibits["funnel"].figure is None and exhibits["funnel"].note == indicator.funnel_reason
    texts = [t.get_text() for t in exhibits["england_map"].figure.axes[0].texts]
    south_east = frame.set_index("area_code").loc["E12000008", "rate_per_100k"]
    assert f"South East\n{south_east:,.0f}" in texts
    table = maps.comparison_table(indicator, frame, areas.get_area("E10000014"))
    assert table.iloc[-1]["area_code"] == "K04000001"
    assert (
        table.set_index("area_code").loc["E12000008", "compared_with_england"]
        == "lower than England and Wales (no interval: not tested)"
    )


def test_the_funnel_plot_draws_both_limits_and_highlights_the_authority(frame14):
    indicator = indicators.get_indicator("population_14_18")
    fig = maps.funnel_plot(indicator, frame14, areas.get_area("E06000053"))
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert labels.count("95% limits") == 1 and labels.count("99.8% limits") == 1 and "England" in labels
    assert "Isles of Scilly" in [t.get_text() for t in fig.axes[0].texts]
    highlighted = [c for c in fig.axes[0].collections if c.get_label() == "Isles of Scilly"]
    assert len(highlighted) == 1 and len(highlighted[0].get_offsets()) == 1


@pytest.mark.parametrize("code", ["E10000014", "E09000001", "E06000053"])
def test_the_comparison_table_lists_the_authority_its_region_neighbours_the_region_and_england(frame14, code):
    districts = hand_districts()
    region = districts.loc[districts["UTLA22CD"] == code, "region"].iloc[0]
    expected = set(districts.loc[districts["region"] == region, "UTLA22CD"]) - {code}
    table = maps.comparison_table(indicators.get_indicator("population_14_18"), frame14, areas.get_area(code))
    assert table["area_code"].iloc[0] == code
    assert table["area_code"].iloc[-2:].tolist() == [region, config.ENGLAND_CODE]
    assert set(table["area_code"].iloc[1:-2]) == expected
    assert table["area_name"].iloc[1:-2].tolist() == sorted(table["area_name"].iloc[1:-2])
    assert maps.neighbour_codes(areas.get_area(code)) == table["area_code"].iloc[1:-2].tolist()


def test_geometry_is_prepared_once_and_stays_a_valid_coverage():
    import shapely

    first = maps.boundaries("utla")
    assert maps.boundaries("utla") is first
    assert len(first) == 152 and first.crs.to_epsg() == 27700
    assert bool(shapely.coverage_is_valid(first.geometry.to_numpy()))


def test_the_readme_example_declaration_is_one_call_and_draws_every_figure():
    """The README's "Declaring an indicator" example, executed: one declaration, no plotting code."""
    import re

    readme = (config.project_root() / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Declaring an indicator", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace = {
        name: getattr(indicators, name)
        for name in ("Indicator", "Denominator", "population_numerator", "numerator_from")
    }
    namespace["declare"] = lambda indicator: indicator  # build it without adding it to the registry
    example = eval(code.strip().removeprefix("declare(")[:-1], namespace)
    frame = indicators.compute_indicator(example)
    hampshire = frame.set_index("area_code").loc["E10000014"]
    from tests.test_indicators import hand_persons

    assert hampshire["rate_per_100k"] == pytest.approx(
        hand_persons("E10000014", 75, None) / hand_persons("E10000014", 16, None) * 1e5, rel=1e-12
    )
    exhibits = maps.indicator_figures(example, frame, areas.get_area("E10000014"))
    assert [e.kind for e in exhibits if e.figure is not None] == ["region_map", "england_map", "funnel", "dot_plot"]


def test_map_labels_alt_texts_and_the_headline_round_halves_away(frame14):
    indicator = indicators.get_indicator("population_14_18")  # shown to whole numbers
    hampshire = areas.get_area("E10000014")
    frame = frame14.copy()  # made-up values at the half: 5,432.5 and 5,900.5
    frame.loc[frame["area_code"] == hampshire.code, "rate_per_100k"] = 5432.5
    frame.loc[frame["area_code"] == config.ENGLAND_CODE, "rate_per_100k"] = 5900.5
    headline = maps.headline_sentence(indicator, frame, hampshire)
    assert (
        headline == f"Young people aged 14 to 18, Hampshire: 5,433 {indicator.unit_label}, against 5,901 for England."
    )
    [region] = [e for e in maps.indicator_figures(indicator, frame, hampshire) if e.kind == "region_map"]
    assert f"Hampshire: 5,433 {indicator.unit_label}; England: 5,901." in region.alt
    assert "Hampshire\n5,433" in [t.get_text() for t in region.figure.axes[0].texts]


def test_map_reports_name_the_census_2021_population_base_and_no_assumed_split():
    chosen = [indicators.get_indicator(i) for i in ("population_14_18", "partner_abuse_women_region")]
    assert "census2021_ts009_ltla21_sya" in maps.source_ids(chosen)
    assert not [s for s in maps.source_ids(chosen) if s.startswith("mye2020") or s == "census2021_ltla21_sex"]
    lines = maps.caveat_lines(chosen, config.MAP_CLASSIFICATION_DEFAULT, 0.95)
    text = " ".join(lines)
    assert "ONS Census 2021 usual residents (TS009" in text and "observed at every age" in text
    assert "assumed" not in text and "mid-2020" not in text


# ------------------------------------------------------------------------------------------
# Small counts: a year variant with 1-4 households never publishes the count or its rate
# ------------------------------------------------------------------------------------------


def figure_texts(fig) -> list[str]:
    """Every text on a figure: titles, labels, ticks, annotations, legend entries."""
    texts = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        texts += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        texts += [t.get_text() for t in ax.texts + ax.get_xticklabels() + ax.get_yticklabels()]
        if ax.get_legend() is not None:
            texts += [t.get_text() for t in ax.get_legend().get_texts()]
    return texts


@pytest.mark.parametrize("code", ["E06000017", "E09000001"])  # Rutland, City of London
def test_a_year_variant_with_a_small_count_is_suppressed_in_labels_alt_text_and_the_table(code):
    from analysis.present.numbers import format_number
    from tests.test_homelessness_methods import DA_REASON, hand_residents

    quarterly = pd.read_parquet(config.PROCESSED_DIR / "homelessness.parquet")
    rows = quarterly[
        (quarterly["area_code"] == code)
        & (quarterly["measure"] == DA_REASON)
        & (quarterly["financial_year"] == "2018-19")
    ]
    count = float(rows["value"].sum())
    assert len(rows) == 4 and rows["complete"].all() and 1 <= count < config.SUPPRESSION_THRESHOLD
    rate = format_number(count / hand_residents(code) * 1e5, 1)
    indicator = indicators.get_indicator("homelessness_da_per_residents_2018_19")
    frame = indicators.compute_indicator(indicator)
    assert frame.set_index("area_code").loc[code, "numerator"] == count  # the raw frame has it; nothing shown does
    area = areas.get_area(code)
    exhibits = maps.indicator_figures(indicator, frame, area)
    drawn = [e for e in exhibits if e.figure is not None]
    assert {e.kind for e in drawn} == {"region_map", "england_map", "funnel", "dot_plot"}
    marker = config.SUPPRESSION_MARKER
    for exhibit in drawn:
        shown = [exhibit.alt, exhibit.caption, *figure_texts(exhibit.figure)]
        assert not any(rate in text for text in shown), exhibit.kind
        assert not any(f"{count:.0f} household" in text for text in shown), exhibit.kind
    region = next(e for e in drawn if e.kind == "region_map")
    assert f"{area.name}: {marker}" in region.alt and f"{area.name}\n{marker}" in figure_texts(region.figure)
    assert any(marker in text for text in figure_texts(region.figure) if "suppressed" in text)  # legend entry
    funnel = next(e for e in drawn if e.kind == "funnel").figure
    assert not [c for c in funnel.axes[0].collections if c.get_label() == area.name]  # not plotted
    sentence = maps.headline_sentence(indicator, frame, area, confidence=0.95)
    assert marker in sentence and rate not in sentence
    table = maps.comparison_table(indicator, frame, area).set_index("area_code")
    for column in ("numerator", "rate_per_100k", "ci_lower", "ci_upper", "compared_with_england"):
        assert table.loc[code, column] == marker, column
    assert table.loc[config.ENGLAND_CODE, "numerator"] > config.SUPPRESSION_THRESHOLD  # others are shown
    published = maps.indicator_table(indicator, frame, area)
    assert published.count_columns == ["numerator"] and "compared with England" in published.derived_columns
    shown = published.frame.set_index("code")
    assert (shown.loc[code, ["numerator", "per 100,000", "interval from", "compared with England"]] == marker).all()
