"""The regional maps report (notebook 03): for each declared indicator, its figures and their words.

Every function takes an :class:`~analysis.methods.indicators.Indicator`, the frame
:func:`~analysis.methods.indicators.compute_indicator` returned for it, and the reporting area
the report is for, so one set of functions shows every indicator. :func:`indicator_figures`
gives the region map, England map, funnel plot and dot plot of one indicator (or a note on why
one does not apply), each with its alt text and caption; the other functions give the headline,
the description, the values the notebook records, the sources and the caveats.

The figures are drawn by :mod:`analysis.present.choropleth` (maps, with classes from
:mod:`analysis.present.map_classes`) and :mod:`analysis.present.comparisons` (funnel and dot
plots, the comparison table); their public functions are importable from this module too, the
one module the notebook (and the batch's parameter checks and warm kernels) import.

References
----------
Brewer CA (1994), Color use guidelines for mapping and visualization. mapclassify
(PySAL): Quantiles, EqualInterval, FisherJenks. PHE (2018), Technical Guide: Funnel plots.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis import config
from analysis.data.build import POPULATION_SOURCE_ID
from analysis.methods.indicators import Indicator
from analysis.present.choropleth import boundaries, england_map, region_map, value_text
from analysis.present.comparisons import (
    comparator,
    comparison_areas,
    comparison_table,
    dot_plot,
    dot_rows,
    funnel_plot,
    neighbour_codes,
)
from analysis.present.map_classes import (
    LEVEL_WORDS,
    SCHEME_WORDS,
    assign_classes,
    check_classification,
    class_breaks,
    class_colours,
    class_labels,
    describe_classification,
    map_level,
)
from analysis.present.numbers import format_number, format_percent

__all__ = [
    "BASE_SOURCE_IDS",
    "Exhibit",
    "area_value",
    "assign_classes",
    "boundaries",
    "caveat_lines",
    "check_classification",
    "class_breaks",
    "class_colours",
    "class_labels",
    "comparison_areas",
    "comparison_table",
    "describe_classification",
    "describe_indicator",
    "dot_plot",
    "england_map",
    "funnel_plot",
    "headline_sentence",
    "indicator_figures",
    "map_level",
    "neighbour_codes",
    "region_map",
    "source_ids",
]


@dataclass(frozen=True)
class Exhibit:
    """A figure to show (``figure``) with its alt text and caption, or a note on why there is none."""

    kind: str
    figure: Any | None
    alt: str
    caption: str = ""
    note: str = ""


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _summary(indicator: Indicator, frame: pd.DataFrame, area) -> str:
    row = frame[frame["area_code"] == area.code].iloc[0]
    value = value_text(indicator, row)
    reference = comparator(indicator, frame)
    text = f"{area.name}: {value}" + ("" if value == config.MAP_NO_DATA_LABEL else f" {indicator.unit_label}")
    if reference is not None and reference[0] != area.code:
        text += f"; {reference[1]}: {format_number(reference[2], indicator.decimals)}"
    return text


def _map_alt(indicator: Indicator, frame: pd.DataFrame, area, where: str, scheme: str, k: int) -> str:
    level = map_level(frame)
    breaks = class_breaks(frame, scheme, k)
    rows = frame[frame["level"] == level]
    missing = int((~rows["has_data"]).sum())
    span = ""
    if len(breaks):
        low = rows.loc[rows["has_data"], "rate_per_100k"].min()
        span = (
            f" in {len(breaks)} {check_classification(scheme).replace('_', ' ')} classes from "
            f"{format_number(low, indicator.decimals)} to {format_number(breaks[-1], indicator.decimals)}"
        )
    return (
        f"Map of {where} shaded by {_lower_first(indicator.title)} ({indicator.unit_label}){span}. "
        f"{_summary(indicator, frame, area)}. {missing} {LEVEL_WORDS[level]} have no data and are hatched."
    )


def indicator_figures(
    indicator: Indicator,
    frame: pd.DataFrame,
    area,
    *,
    scheme: str = config.MAP_CLASSIFICATION_DEFAULT,
    k: int = config.MAP_CLASSES,
) -> list[Exhibit]:
    """Region map, England map, funnel plot and dot plot for one indicator, in that order.

    A figure that does not apply (a region map for England or for an indicator published
    by region only; a funnel plot the declaration rules out) comes as an :class:`Exhibit`
    with no figure and a ``note`` saying why.
    """
    scheme = check_classification(scheme)
    shown = frame.loc[frame["has_data"], "rate_per_100k"]
    values = shown.round(6).unique()  # equal to 6 places counts as the same value
    if len(values) == 1:  # e.g. one national rate applied to every area: a flat map says nothing
        note = (
            "No maps or charts: every area with data has the same value "
            f"({format_number(shown.iloc[0], indicator.decimals)} {indicator.unit_label}), so they would show "
            f"nothing. {indicator.caveat}"
        )
        return [Exhibit("england_map", None, "", note=note)]
    classes = describe_classification(scheme, frame, k)
    exhibits = []
    if area.level != "country":
        figure = region_map(indicator, frame, area, scheme=scheme, k=k)
        region_name = area.name if area.level == "region" else area.region_name
        if figure is None:
            exhibits.append(
                Exhibit(
                    "region_map",
                    None,
                    "",
                    note=(
                        f"No map of {region_name} by authority: {_lower_first(indicator.title)} is published for "
                        "regions only, "
                        "so every authority in the region would have no data. The England map shows the regions."
                    ),
                )
            )
        else:
            exhibits.append(
                Exhibit(
                    "region_map",
                    figure,
                    _map_alt(indicator, frame, area, f"the upper-tier authorities of {region_name}", scheme, k),
                    caption=f"{region_name}: {indicator.unit_label}. {classes}",
                )
            )
    exhibits.append(
        Exhibit(
            "england_map",
            england_map(indicator, frame, area, scheme=scheme, k=k),
            _map_alt(indicator, frame, area, f"England's {LEVEL_WORDS[map_level(frame)]}", scheme, k),
            caption=f"England: {indicator.unit_label}. {classes}",
        )
    )
    funnel = funnel_plot(indicator, frame, area)
    if funnel is None:
        exhibits.append(Exhibit("funnel", None, "", note=indicator.funnel_reason))
    else:
        exhibits.append(
            Exhibit(
                "funnel",
                funnel,
                (
                    f"Funnel plot of every upper-tier authority's {_lower_first(indicator.title)} "
                    f"({indicator.unit_label}) against its population, with England's value and 95% and 99.8% "
                    f"control limits. {_summary(indicator, frame, area)}."
                ),
                caption=indicator.funnel_reason,
            )
        )
    dots = dot_plot(indicator, frame, area)
    what = dot_rows(frame, area)[1]
    if dots is None:
        exhibits.append(Exhibit("dot_plot", None, "", note=f"No ranked chart: none of the {what} has data."))
    else:
        exhibits.append(
            Exhibit(
                "dot_plot",
                dots,
                (
                    f"Dot chart ranking the {what} by {_lower_first(indicator.title)} ({indicator.unit_label})"
                    + ("" if indicator.interval == "none" else " with confidence intervals")
                    + f". {_summary(indicator, frame, area)}."
                ),
                caption=f"Interval: {indicator.interval_reason}",
            )
        )
    return exhibits


def describe_indicator(indicator: Indicator, frame: pd.DataFrame, area) -> str:
    """Markdown: what the maps show and do not show, the unit, the interval and the area's value."""
    return (
        f"**What it shows:** {indicator.shows}.\n\n"
        f"**What it does not show:** {indicator.does_not_show}.\n\n"
        f"**Unit:** {indicator.unit_label}. **Value:** {_summary(indicator, frame, area)}.\n\n"
        f"**Interval:** {indicator.interval_reason}\n\n"
        f"**Caveat:** {indicator.caveat}"
    )


def headline_sentence(indicator: Indicator, frame: pd.DataFrame, area) -> str:
    """One sentence for the report headline, from the first indicator shown."""
    row = frame[frame["area_code"] == area.code].iloc[0]
    reference = comparator(indicator, frame)
    if not bool(row["has_data"]):
        where = f"; {reference[1]}: {format_number(reference[2], indicator.decimals)}" if reference else ""
        return f"{indicator.title} has no value for {area.name} ({indicator.unit_label}{where})."
    text = (
        f"{area.name} has {format_number(row['rate_per_100k'], indicator.decimals)} "
        f"{_lower_first(indicator.title)} {indicator.unit_label}"
    )
    if reference is not None and reference[0] != area.code:
        text += f", against {format_number(reference[2], indicator.decimals)} for {reference[1]}"
    return text + "."


def area_value(frame: pd.DataFrame, code: str) -> float | None:
    """The rate per 100,000 of one area in an indicator frame, None without data (for records)."""
    row = frame[frame["area_code"] == code]
    if row.empty or not bool(row["has_data"].iloc[0]):
        return None
    return float(row["rate_per_100k"].iloc[0])


#: Manifest ids every map report rests on besides its indicators' own: boundaries, the
#: district-to-authority lookup that builds them, and the population denominators.
BASE_SOURCE_IDS = ("lad21_boundaries", "ltla22_utla22_lookup", POPULATION_SOURCE_ID)


def source_ids(chosen: list[Indicator]) -> list[str]:
    """Manifest ids of the shown indicators' sources and of the boundaries and populations, once each."""
    return list(dict.fromkeys([s for indicator in chosen for s in indicator.sources] + list(BASE_SOURCE_IDS)))


def caveat_lines(chosen: list[Indicator], scheme: str, confidence: float) -> list[str]:
    """Assumptions and caveats for the methods section of a map report."""
    lines = [f"{indicator.title}: {indicator.caveat} Interval: {indicator.interval_reason}" for indicator in chosen]
    lines.append(
        f"Map classes: {SCHEME_WORDS[check_classification(scheme)]}, at most {config.MAP_CLASSES} "
        "classes, computed over England's upper-tier authorities (regions for figures published by "
        "region only), so the region and England maps share a legend; classes group areas for display "
        "and do not mean that areas in different classes differ significantly."
    )
    lines.append(
        f"Intervals, where an indicator has them, are two-sided at {format_percent(confidence, 1)}; funnel limits are "
        "at 95% and 99.8% (PHE funnel plot method)."
    )
    lines.append(
        f"Geography: {config.GEOGRAPHY_VINTAGE}; population: {config.POPULATION_BASE}, women and men "
        "observed at every age, on the same 2021 districts. Boundaries are generalised (500 m) and "
        "simplified for drawing."
    )
    return lines
