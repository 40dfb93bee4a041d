"""The regional maps report (notebook 03): for each declared indicator, its figures and their words.

Every function takes an :class:`~analysis.methods.indicators.Indicator`, the frame
:func:`~analysis.methods.indicators.compute_indicator` returned for it, and the reporting area
the report is for, so one set of functions shows every indicator. :func:`indicator_figures`
gives the region map, England map, funnel plot and dot plot of one indicator (or a note on why
one does not apply), each with its alt text and caption, and :func:`indicator_table` its
comparison table; the other functions give the headline, the description, the values the
notebook records, the sources and the caveats.

Every value is read in the indicator's unit (per 100,000, per 1,000 or per cent: its value
column and ``unit_label``). A value made from a count of 1 to :data:`config.SUPPRESSION_THRESHOLD`
- 1 is never classed, plotted or written: labels, alt text, sentences and table cells show the
suppression marker (:func:`~analysis.present.map_classes.published`). An indicator that applies
one national rate to every area (``varies_by_area=False``) gets one sentence with its value and
why, and no map, funnel plot, ranking or comparison table suggesting local variation.

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

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis import config
from analysis.data.build import POPULATION_SOURCE_ID
from analysis.methods import indicators
from analysis.methods.indicators import Indicator
from analysis.present import layers
from analysis.present.choropleth import boundaries, england_map, england_parts, region_map, region_parts
from analysis.present.comparisons import (
    comparator,
    comparison_areas,
    comparison_table,
    dot_parts,
    dot_plot,
    dot_rows,
    funnel_parts,
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
    count_columns,
    describe_classification,
    map_level,
    published,
    suppression_words,
    value_label,
    with_unit,
)
from analysis.present.numbers import format_number, format_percent

__all__ = [
    "BASE_SOURCE_IDS",
    "Exhibit",
    "TableExhibit",
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
    "indicator_table",
    "national_rate_sentence",
    "published",
    "map_level",
    "neighbour_codes",
    "region_map",
    "source_ids",
    "warm_bases",
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


#: Header cells of the comparison table as published (the frame's columns are the contract's names).
TABLE_HEADERS = {
    "area_name": "area",
    "area_code": "code",
    "comparison": "role",
    "ci_lower": "interval from",
    "ci_upper": "interval to",
    "compared_with_england": "compared with England",
}
#: The value column's header cell, by the indicator's unit (``Indicator.per``).
UNIT_HEADERS = {config.PER_100K: "per 100,000", config.PER_1K_HOUSEHOLDS: "per 1,000", config.PER_CENT: "%"}


@dataclass(frozen=True)
class TableExhibit:
    """A comparison table to show with :func:`analysis.present.report.table`, and how to show it."""

    frame: pd.DataFrame
    caption: str
    count_columns: list[str]
    derived_columns: list[str]
    decimals: dict[str, int]
    notes: list[str]


def _area_value(indicator: Indicator, frame: pd.DataFrame, code: str) -> str:
    """An area's published value with its unit ("57.3 per 100,000 ...", "[c]", "no data")."""
    return with_unit(indicator, value_label(indicator, frame[frame["area_code"] == code].iloc[0]))


def _summary(indicator: Indicator, frame: pd.DataFrame, area) -> str:
    frame = published(indicator, frame)
    text = f"{area.name}: {_area_value(indicator, frame, area.code)}"
    if bool(frame.loc[frame["area_code"] == area.code, "suppressed"].iloc[0]):
        text += f" ({suppression_words()})"
    reference = comparator(indicator, frame)
    if reference is not None and reference[0] != area.code:
        text += f"; {reference[1]}: {format_number(reference[2], indicator.decimals)}"
    return text


def _left_out(frame: pd.DataFrame, level: str) -> str:
    """ "3 upper-tier authorities have no data and are hatched; 1 is suppressed ([c]: ...)" for alt text."""
    rows = frame[frame["level"] == level]
    withheld = int(rows["suppressed"].sum())
    missing = int((~rows["has_data"]).sum()) - withheld
    text = f"{missing} {LEVEL_WORDS[level]} have no data and are hatched"
    if withheld:
        text += f"; {withheld} {'is' if withheld == 1 else 'are'} suppressed and not classed ({suppression_words()})"
    return text


def _map_alt(indicator: Indicator, frame: pd.DataFrame, area, where: str, scheme: str, k: int) -> str:
    frame = published(indicator, frame)
    level = map_level(frame)
    breaks = class_breaks(frame, scheme, k)
    rows = frame[frame["level"] == level]
    span = ""
    if len(breaks):
        low = rows.loc[rows["has_data"], indicator.value_column].min()
        span = (
            f" in {len(breaks)} {check_classification(scheme).replace('_', ' ')} classes from "
            f"{format_number(low, indicator.decimals)} to {format_number(breaks[-1], indicator.decimals)}"
        )
    return (
        f"Map of {where} shaded by {_lower_first(indicator.heading)} ({indicator.unit_label}){span}. "
        f"{_summary(indicator, frame, area)}. {_left_out(frame, level)}."
    )


def national_rate_sentence(indicator: Indicator, frame: pd.DataFrame, area) -> str:
    """The one sentence an indicator that applies a national rate everywhere gets instead of maps and charts."""
    frame = published(indicator, frame)
    utla = frame.loc[(frame["level"] == "utla") & frame["has_data"], indicator.value_column]
    spread = ""
    if len(utla) and utla.round(6).nunique() > 1:
        low, high = (format_number(v, indicator.decimals) for v in (utla.min(), utla.max()))
        spread = f" (upper-tier authorities: {low} to {high})"
    return (
        f"No map, funnel plot, ranking or comparison table: {indicator.uniform_reason}. "
        f"{_summary(indicator, frame, area)}{spread}."
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
    with no figure and a ``note`` saying why. An indicator declared ``varies_by_area=False``
    gets one :class:`Exhibit` of kind "national_rate": no figure, and
    :func:`national_rate_sentence` as its note.
    """
    scheme = check_classification(scheme)
    frame = published(indicator, frame)
    if not indicator.varies_by_area:
        return [Exhibit("national_rate", None, "", note=national_rate_sentence(indicator, frame, area))]
    shown = frame.loc[frame["has_data"], indicator.value_column]
    values = shown.round(6).unique()  # equal to 6 places counts as the same value
    if len(values) == 1:  # a flat map says nothing
        note = (
            "No maps or charts: every area with data has the same value "
            f"({with_unit(indicator, format_number(shown.iloc[0], indicator.decimals))}), so they would show "
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
                        f"No map of {region_name} by authority: {_lower_first(indicator.heading)} is published for "
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
                    f"Funnel plot of every upper-tier authority's {_lower_first(indicator.heading)} "
                    f"({indicator.unit_label}) against its denominator ({indicator.denominator.describe()}), with "
                    f"England's value and 95% and 99.8% control limits. {_summary(indicator, frame, area)}. "
                    f"{_left_out(frame, 'utla').replace('and are hatched', 'and are not plotted')}."
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
                    f"Dot chart ranking the {what} by {_lower_first(indicator.heading)} ({indicator.unit_label})"
                    + ("" if indicator.interval == "none" else " with confidence intervals")
                    + f". {_summary(indicator, frame, area)}."
                ),
                caption=f"Interval: {indicator.interval_reason}",
            )
        )
    return exhibits


def indicator_chart_data(
    indicator: Indicator, frame: pd.DataFrame, level: float = config.DEFAULT_CONFIDENCE
) -> tuple[pd.DataFrame, str, dict[str, Any]]:
    """The data chapter 3 publishes under an indicator's maps and charts, as ``(frame, caption,
    options)`` for :func:`analysis.present.report.chart_data`: every upper-tier authority, region
    and England, the same in every authority's report."""
    counts = count_columns(indicator)
    options = {
        "count_columns": counts,
        "derived_columns": [indicator.value_column, "ci_lower", "ci_upper"] if counts else [],
        "decimals": {indicator.value_column: indicator.decimals, "ci_lower": indicator.decimals},
        "labels": {
            "numerator": f"Count: {indicator.numerator_label}",
            "denominator": f"Denominator: {indicator.denominator.describe()}",
            indicator.value_column: f"Value ({indicator.unit_label})",
        },
        "level": level,
        "what": "these maps and charts",
    }
    caption = f"{indicator.heading}: every upper-tier authority, region and England ({indicator.unit_label})"
    return frame.drop(columns=["has_data", "region_code"]), caption, options


def warm_bases(
    regions: Sequence[str] = (),
    *,
    england: bool = True,
    scheme: str = config.MAP_CLASSIFICATION_DEFAULT,
    k: int = config.MAP_CLASSES,
) -> int:
    """Draw, in this process, the bases every authority's England maps and funnel plots share
    (unless ``england`` is False), and the region maps' and dot plots' bases of ``regions``.

    For every declared indicator with maps (:func:`indicator_figures`); a batch's kernel
    template calls it (:func:`analysis.run.template.warm`), so every report's kernel starts with
    them. Bases are drawn to pixels only (no pyplot figure is made), or read from the disk cache
    where another process drew them (templates started together share the drawing:
    :func:`analysis.present.layers.warm`), and matplotlib's settings are left as they were. Over
    each base one figure is composed ahead of use (:func:`analysis.present.layers.prepare`).
    Returns how many bases are held (0 with ``ANALYSIS_FIGURE_BASES=0``).
    """
    import matplotlib

    from analysis.methods import areas

    if not layers.enabled():
        return 0
    places = [areas.get_area(code) for code in regions]
    wanted = []
    with matplotlib.rc_context():
        for indicator in indicators.list_indicators():
            frame = published(indicator, indicators.compute_indicator(indicator, confidence=config.DEFAULT_CONFIDENCE))
            shown = frame.loc[frame["has_data"], indicator.value_column]
            if not indicator.varies_by_area or shown.round(6).nunique() < 2:
                continue  # no maps or charts (see indicator_figures)
            parts = (
                [england_parts(indicator, frame, None, scheme, k), funnel_parts(indicator, frame)] if england else []
            )
            for place in places:
                parts += [region_parts(indicator, frame, place, scheme, k), dot_parts(indicator, frame, place)]
            wanted += [(found[0], found[1]) for found in parts if found is not None]
        held = layers.warm(wanted)
        layers.prepare([key for key, _ in wanted])  # each kernel forked from here takes these figures made
        return held


def warm_chart_data(level: float = config.DEFAULT_CONFIDENCE) -> int:
    """Build, in this process, the chart data tables of every indicator with maps
    (:func:`indicator_chart_data`), which every authority's chapter 3 publishes the same; a
    batch's kernel template calls it. Returns how many were built."""
    from analysis.present import report

    built = 0
    for indicator in indicators.list_indicators():
        frame = indicators.compute_indicator(indicator, confidence=level)
        if indicator.varies_by_area:
            data, caption, options = indicator_chart_data(indicator, frame, level)
            report.chart_table(data, caption, **{k: v for k, v in options.items() if k != "what"})
            built += 1
    return built


def indicator_table(indicator: Indicator, frame: pd.DataFrame, area) -> TableExhibit | None:
    """The comparison table of one indicator and how to show it; None for one that does not vary by area."""
    if not indicator.varies_by_area:
        return None
    headers = {**TABLE_HEADERS, indicator.value_column: UNIT_HEADERS[indicator.per]}
    counts = [headers.get(c, c) for c in count_columns(indicator)]
    value = headers[indicator.value_column]
    return TableExhibit(
        frame=comparison_table(indicator, frame, area).rename(columns=headers),
        caption=f"{indicator.heading}: {area.name} and its comparators ({indicator.unit_label})",
        count_columns=counts,
        derived_columns=[value, "interval from", "interval to", "compared with England"] if counts else [],
        decimals=dict.fromkeys([value, "interval from", "interval to"], indicator.decimals),
        notes=[
            f"numerator: {indicator.numerator_label}; denominator: {indicator.denominator.describe()}; "
            f"{value}: {indicator.unit_label}. "
            '"no data": the source gives no value for that area (not zero).'
        ],
    )


def describe_indicator(indicator: Indicator, frame: pd.DataFrame, area) -> str:
    """Markdown: what the maps show and do not show, the unit, the interval and the area's value."""
    return (
        f"**What it shows:** {indicator.shows}.\n\n"
        f"**What it does not show:** {indicator.does_not_show}.\n\n"
        f"**Unit:** {indicator.unit_label}. **Value:** {_summary(indicator, frame, area)}.\n\n"
        f"**Interval:** {indicator.interval_reason}\n\n"
        f"**Caveat:** {indicator.caveat}"
    )


def headline_sentence(indicator: Indicator, frame: pd.DataFrame, area, confidence: float | None = None) -> str:
    """One sentence for the report headline, from the first indicator shown (its interval when it has one)."""
    frame = published(indicator, frame)
    row = frame[frame["area_code"] == area.code].iloc[0]
    reference = comparator(indicator, frame)
    against = (
        f", against {format_number(reference[2], indicator.decimals)} for {reference[1]}"
        if reference is not None and reference[0] != area.code
        else ""
    )
    if bool(row["suppressed"]):
        return f"{indicator.heading}, {area.name}: {config.SUPPRESSION_MARKER} ({suppression_words()}){against}."
    if not bool(row["has_data"]):
        where = f"; {reference[1]}: {format_number(reference[2], indicator.decimals)}" if reference else ""
        return f"{indicator.heading} has no value for {area.name} ({indicator.unit_label}{where})."
    interval = ""
    if confidence is not None and pd.notna(row["ci_lower"]):
        low, high = (format_number(row[c], indicator.decimals) for c in ("ci_lower", "ci_upper"))
        interval = f" ({format_percent(confidence)} interval {low} to {high})"
    value = with_unit(indicator, format_number(row[indicator.value_column], indicator.decimals))
    return f"{indicator.heading}, {area.name}: {value}{interval}{against}."


def area_value(frame: pd.DataFrame, code: str) -> float | None:
    """One area's value in an indicator frame (in its unit), None without data (for records)."""
    row = frame[frame["area_code"] == code]
    if row.empty or not bool(row["has_data"].iloc[0]):
        return None
    return float(row[indicators.value_column(frame)].iloc[0])


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
