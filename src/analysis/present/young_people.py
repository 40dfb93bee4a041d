"""How the young people (14-18) chapter shows its results: wording, rounding and the age profile figure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from analysis import config
from analysis.data import tables
from analysis.errors import ParameterError
from analysis.methods import areas
from analysis.methods.young_people import age_profile, compare_shares, fact_value
from analysis.present.numbers import format_number, round_to_multiple


def round_to(frame: pd.DataFrame, columns: Sequence[str], base: int = 10) -> pd.DataFrame:
    """A copy with ``columns`` rounded to the nearest ``base``, halves away from zero (missing values kept).

    See :func:`analysis.present.numbers.round_to_multiple`.
    """
    out = frame.copy()
    for column in columns:
        out[column] = round_to_multiple(out[column], base)
    return out


def describe_15_24_share(area: areas.Area) -> str:
    """A sentence: the area's 15-24 share against England's, beside its strategy's own figure.

    The computed shares use ONS Census 2021 usual residents. Where the area's strategy states its
    own 15-24 share (Southampton: "19% ... compared 12% nationally"), that statement is
    quoted beside them with its document and section; its year and source differ, so the two
    are shown side by side, not reconciled.
    """
    shares = compare_shares(area).set_index("area_code")
    mine = shares.loc[area.code, "share_15_24_percent"]
    england = shares.loc[config.ENGLAND_CODE, "share_15_24_percent"]
    text = (
        f"From {config.POPULATION_BASE_SHORT}, {format_number(mine, 1)}% of {area.name}'s residents are aged 15-24 "
        f"against {format_number(england, 1)}% in England."
    )
    stated = fact_value(area.code, "population_aged_15_24_percent")
    national = fact_value(area.code, "population_aged_15_24_percent_national_comparator")
    if stated is not None:
        facts = tables.read_table("young_people_local")
        row = facts[(facts["area_code"] == area.code) & (facts["measure"] == "population_aged_15_24_percent")].iloc[0]
        against = f" against {national:g}% nationally" if national is not None else ""
        text += (
            f" {area.name}'s strategy states {stated:g}%{against} ({row['source_document']}, "
            f"{row['source_section']}); its year and source are not stated, so the two differ in year and "
            "source and are shown side by side, not reconciled."
        )
    return text


def plot_age_profile(
    profile: pd.DataFrame, highlight: str, *, value: str = "share_percent", title: str = "", source: str | None = None
):
    """Grouped bars by single year of age, one bar per area (the chosen area highlighted).

    ``profile`` is the output of :func:`age_profile` for the area and its comparators;
    ``value`` is ``share_percent`` or ``per_100k``.
    """
    from analysis.present import plots

    if value not in {"share_percent", "per_100k"}:
        raise ParameterError(f"value must be 'share_percent' or 'per_100k', got {value!r}.")
    names = list(dict.fromkeys(profile["area_name"]))
    codes = list(dict.fromkeys(profile["area_code"]))
    ages = sorted(profile["age"].unique())
    fig, ax = plots.new_figure(7.5, 4.0)
    width = 0.8 / len(codes)
    others = [config.COLOUR_PRIMARY, config.COLOUR_SECONDARY]
    hatches = ["", "//"]
    for i, (code, name) in enumerate(zip(codes, names)):
        rows = profile[profile["area_code"] == code].set_index("age").reindex(ages)
        is_area = code == highlight
        colour = config.COLOUR_HIGHLIGHT if is_area else others[(i - 1) % len(others)]
        hatch = "" if is_area else hatches[(i - 1) % len(hatches)]
        positions = [a + (i - (len(codes) - 1) / 2) * width for a in ages]
        ax.bar(
            positions, rows[value], width=width, color=colour, edgecolor="black", linewidth=0.4, hatch=hatch, label=name
        )
    ax.axvline(config.DA_ACT_MIN_AGE - 0.5, color="black", linestyle="--", linewidth=1)
    ax.set_xticks(ages, [str(a) for a in ages])
    ax.set_xlabel("Single year of age (Census 2021)")
    ax.set_ylabel("% of all residents" if value == "share_percent" else "People of that age per 100,000 residents")
    ax.grid(axis="x", visible=False)
    ax.set_ylim(0, profile[value].max() * 1.3)
    ax.legend(loc="upper right", fontsize=8, ncols=len(codes))
    ax.annotate("Domestic Abuse Act 2021: 16+", (config.DA_ACT_MIN_AGE - 0.45, profile[value].max() * 1.12), fontsize=8)
    if title:
        ax.set_title(title, loc="left")
    if source:
        plots.add_source_note(fig, source)
    return fig


def figure_age_profile(area: areas.Area, shares: pd.DataFrame) -> tuple[Any, str, str]:
    """The area's residents aged 14-18 by single year as a share of all residents, beside its
    comparators (``shares`` is :func:`compare_shares`): the figure, its alt text and its caption."""
    profile = age_profile(shares["area_code"])
    others = ", ".join(shares["area_name"].iloc[1:])
    area_range = profile.loc[profile["area_code"] == area.code, "share_percent"]
    england_range = profile.loc[profile["area_code"] == config.ENGLAND_CODE, "share_percent"]
    fig = plot_age_profile(
        profile,
        area.code,
        value="share_percent",
        title=f"Residents aged 14 to 18 by single year of age: {area.name}" + (f" against {others}" if others else ""),
        source=f"Source: {config.POPULATION_BASE}, persons; 2021 local authority geography.",
    )
    alt = (
        f"Bar chart of the share of all residents at each single year of age from 14 to 18 in {area.name}"
        + (f" beside {others}" if others else "")
        + f". In {area.name} each year of age is {format_number(area_range.min(), 2)}% to "
        f"{format_number(area_range.max(), 2)}% of residents; in England {format_number(england_range.min(), 2)}% "
        f"to {format_number(england_range.max(), 2)}%. A dashed line marks age 16, "
        "the Domestic Abuse Act threshold."
    )
    return fig, alt, "Each bar is the number of residents of that age as a percentage of all residents."
