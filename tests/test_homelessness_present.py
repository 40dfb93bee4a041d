"""Homelessness wording and figures: alt text, the highlight, small-count suppression, the headline and back-test.

Expected numbers are summed here from the processed quarterly table (see test_homelessness_methods.py).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba

from analysis import config
from analysis.methods import homelessness_model
from analysis.present import homelessness as present
from analysis.present.numbers import format_number

from .test_homelessness_methods import DA_NEED, DA_REASON, HAMPSHIRE, KENT, hand_households, hand_residents, hand_sum


@pytest.fixture(scope="module")
def quarterly() -> pd.DataFrame:
    return pd.read_parquet(config.PROCESSED_DIR / "homelessness.parquet")


@pytest.fixture(scope="module")
def latest(quarterly) -> str:
    england = quarterly[(quarterly["area_code"] == config.ENGLAND_CODE) & (quarterly["measure"] == DA_REASON)]
    counts = england.dropna(subset=["value"]).groupby("financial_year")["quarter"].nunique()
    return max(counts[counts == 4].index)


@pytest.fixture(autouse=True)
def close_figures():
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


def figure_texts(fig) -> list[str]:
    """Every text a reader sees on the figure: titles, labels, ticks, annotations, legend."""
    texts = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        texts += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        texts += [t.get_text() for t in ax.texts + ax.get_xticklabels() + ax.get_yticklabels()]
        legend = ax.get_legend()
        if legend is not None:
            texts += [t.get_text() for t in legend.get_texts()]
    return texts


def highlighted_points(ax) -> list[np.ndarray]:
    colour = np.array(to_rgba(config.COLOUR_HIGHLIGHT))
    return [
        c.get_offsets()
        for c in ax.collections
        if len(c.get_facecolor()) and np.allclose(c.get_facecolor()[0][:3], colour[:3])
    ]


# ------------------------------------------------------------------------------------------
# Figures
# ------------------------------------------------------------------------------------------


def test_scatter_highlights_the_authority_and_alt_text_lists_its_values(quarterly, latest):
    fig, alt = present.figure_deprivation("Hampshire")
    count, _ = hand_sum(quarterly, HAMPSHIRE, DA_REASON, latest)
    rate = count / hand_households(quarterly, HAMPSHIRE, latest) * 1000
    points = highlighted_points(fig.axes[0])
    assert len(points) == 1 and len(points[0]) == 1
    assert points[0][0][1] == pytest.approx(rate)
    assert "Hampshire" in [t.get_text() for t in fig.axes[0].texts]
    assert "Hampshire (highlighted)" in alt and f"{format_number(count)} households" in alt
    assert f"{format_number(rate, 2)} per 1,000 households" in alt
    utla = quarterly[(quarterly["level"] == "utla") & (quarterly["financial_year"] == latest)]
    needed = utla[utla["measure"].isin([DA_REASON, "households_in_area_thousands"])]
    complete = needed.groupby("area_code")["complete"].all().sum()
    assert f"the {complete} upper-tier authorities with a complete {latest}" in alt


def test_scatter_of_an_incomplete_authority_says_why_it_is_missing():
    fig, alt = present.figure_deprivation("Kent")
    assert highlighted_points(fig.axes[0]) == []
    assert "Kent has no complete year and is not shown" in alt and "Canterbury (E07000106)" in alt


def test_a_small_count_never_reaches_the_scatter_alt_text_or_labels():
    model = homelessness_model.deprivation_model()
    fixture = model.authorities.copy()
    fixture.loc[fixture["area_code"] == HAMPSHIRE, ["observed", "ratio"]] = [3.0, 3.0 / 805]  # fixture: a count of 3
    small = dataclasses.replace(model, authorities=fixture)
    fig, alt = present.figure_deprivation("Hampshire", model=small)
    assert "3 households" not in alt and f"{config.SUPPRESSION_MARKER} households" in alt
    assert not any("3 households" in text for text in figure_texts(fig))


def test_trend_chart_marks_incomplete_quarters_and_breaks(quarterly):
    fig, alt = present.figure_trend("Hampshire")
    ax = fig.axes[0]
    own = quarterly[(quarterly["area_code"] == HAMPSHIRE) & (quarterly["measure"] == DA_REASON)]
    incomplete = own[~own["complete"]]
    hollow = [c for c in ax.collections if len(c.get_facecolor()) and np.allclose(c.get_facecolor()[0], 1.0)]
    assert len(hollow) == 1 and len(hollow[0].get_offsets()) == len(incomplete) == 4
    colours = [line.get_color() for line in ax.get_lines()]
    assert config.COLOUR_HIGHLIGHT in colours
    dotted = [line for line in ax.get_lines() if line.get_linestyle() == ":" and len(set(line.get_xdata())) == 1]
    verticals = {pd.Timestamp(line.get_xdata()[0]).date().isoformat() for line in dotted}
    assert {"2020-07-01", "2023-07-01"} <= verticals
    assert alt.startswith("Line chart of households owed a homelessness prevention or relief duty")
    assert all(q in alt for q in incomplete["quarter"]) and "2020-21 Q2 A2P + A2R" in alt
    first = own.sort_values("quarter_start").iloc[0]
    rate = format_number(first["value"] / hand_residents(HAMPSHIRE) * 1e5, 1)
    assert f"Hampshire {rate} in {first['quarter']}" in alt and "South East " in alt and "England " in alt


def test_a_small_count_never_reaches_the_trend_alt_text(quarterly):
    rutland = quarterly[(quarterly["area_code"] == "E06000017") & (quarterly["measure"] == DA_REASON)]
    first = rutland.sort_values("quarter_start").iloc[0]
    assert 1 <= first["value"] <= 4  # Rutland's first quarter in the shipped data is a small count
    fig, alt = present.figure_trend("Rutland")
    assert f"Rutland {config.SUPPRESSION_MARKER} in {first['quarter']}" in alt
    rate = format_number(first["value"] / hand_residents("E06000017") * 1e5, 1)
    assert f"{rate} in {first['quarter']}" not in alt
    assert not any(f"{int(first['value'])} household" in text for text in figure_texts(fig))


# ------------------------------------------------------------------------------------------
# Wording
# ------------------------------------------------------------------------------------------


def test_headline_for_hampshire_gives_count_rate_interval_comparators_and_trend(quarterly, latest):
    text = present.headline("Hampshire")
    count, _ = hand_sum(quarterly, HAMPSHIRE, DA_REASON, latest)
    rate = count / hand_residents(HAMPSHIRE) * 1e5
    england, _ = hand_sum(quarterly, config.ENGLAND_CODE, DA_REASON, latest)
    assert text.startswith(f"In {latest}, {format_number(count)} households in Hampshire were owed")
    assert f"{format_number(rate, 1)} per 100,000 residents (95% interval " in text
    assert "in the South East" in text
    assert f"{format_number(england / hand_residents(config.ENGLAND_CODE) * 1e5, 1)} in England" in text
    assert "per 1,000 households" in text and "of all households owed a duty" in text
    years = sorted(quarterly["financial_year"].unique())
    previous = years[years.index(latest) - 1]
    earlier, complete = hand_sum(quarterly, HAMPSHIRE, DA_REASON, previous)
    assert complete  # so the previous year is the one compared
    assert f"in {previous} ({format_number(earlier)}" in text


def test_headline_of_an_incomplete_authority_names_district_and_quarter():
    text = present.headline("Kent")
    assert "Kent has no figure for" in text and "Canterbury (E07000106)" in text and "Q1" in text
    assert "households in Kent were owed" not in text


def test_caveats_cover_households_recording_first_editions_missing_quarters_and_the_model():
    text = " ".join(present.caveats("Hampshire"))
    assert "not people" in text and "record" in text
    gaps = [(annual - first) / annual * 100 for first, annual in config.HOMELESSNESS_FIRST_EDITION_CHECK.values()]
    assert f"{min(gaps):.1f}% to {max(gaps):.1f}%" in text and "about 2%" in text
    assert "2019-20 Q3: Hart (E07000089)" in text
    for limit in ("record", "housing markets", "services available", "who comes to the council"):
        assert limit in present.MODEL_ADJUSTS
    assert present.MODEL_ADJUSTS in present.caveats("Hampshire")


def test_model_sentences_report_the_dispersion_and_the_choice():
    model = homelessness_model.deprivation_model()
    data = model.authorities
    pearson = (((data["observed"] - data["expected_poisson"]) ** 2) / data["expected_poisson"]).sum()
    sentences = present.model_sentences("Hampshire", model)
    assert f"{format_number(pearson / (len(data) - 2), 1)} times its degrees of freedom" in sentences[0]
    assert f"the {model.chosen}" in sentences[0] and "is used" in sentences[0]
    assert sentences[-1].startswith("Hampshire: ") and "expected" in sentences[-1]
    assert present.model_sentences("Kent", model)[-1].startswith("Kent is not in the model: ")


def test_backtest_sentences_carry_the_hand_sums_and_differences(quarterly):
    text = " ".join(present.backtest_sentences())
    assert "527 residents in 2019-20 and 485 in 2020-21" in text
    for measure in (DA_NEED, DA_REASON):
        for year in ("2019-20", "2020-21"):
            total, _ = hand_sum(quarterly, HAMPSHIRE, measure, year)
            difference = total - config.HAMPSHIRE_STRATEGY_DA_DUTY[year]
            assert f"{format_number(total)} ({'+' if difference > 0 else ''}{format_number(difference)})" in text
    assert "residents" in text and "households" in text and "first-edition" in text and "Hart (E07000089)" in text


@pytest.mark.parametrize("indicator_id", sorted(present.catalogue.SPECS))
def test_maps_funnel_and_dot_plot_draw_each_homelessness_indicator(indicator_id, monkeypatch):
    from analysis.methods import areas, indicators
    from analysis.present import layers, maps

    # The hatching is looked for among the map's artists: drawn from scratch, not composed over a
    # base's pixels (which a base on disk from an earlier test would give); that both routes draw
    # the same picture is tests/test_layers.py's.
    monkeypatch.setenv(layers.ENV, "0")

    indicator = indicators.get_indicator(indicator_id)
    frame = indicators.compute_indicator(indicator)
    exhibits = maps.indicator_figures(indicator, frame, areas.resolve_area("Hampshire"))
    assert len(exhibits) == 4 and all(e.figure is not None and e.alt for e in exhibits)
    england_map = exhibits[1].figure
    hatched = [c for c in england_map.axes[0].collections if c.get_hatch() == config.MAP_NO_DATA_HATCH]
    assert hatched  # Kent and the other incomplete authorities are drawn as no data
    assert not frame.set_index("area_code").loc[KENT, "has_data"]


def test_trend_records_give_complete_years_only_as_the_hand_sums(quarterly):
    records = present.trend_records("Hampshire")
    years = sorted(set(quarterly.loc[quarterly["area_code"] == HAMPSHIRE, "financial_year"]))
    full = [y for y in years if len(quarterly[(quarterly["area_code"] == HAMPSHIRE) & (quarterly["financial_year"] == y)
                                          & (quarterly["measure"] == DA_REASON)]) == 4]  # fmt: skip
    assert [r["financial_year"] for r in records] == full
    for record in records:
        total, complete = hand_sum(quarterly, HAMPSHIRE, DA_REASON, record["financial_year"])
        assert record["households"] == (total if complete else None), record
    assert {"financial_year": "2019-20", "households": None} in records  # Hart did not report 2019-20 Q3
