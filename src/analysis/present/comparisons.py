"""Comparisons of declared indicators: funnel plots, ranked dot plots and the comparison table.

Every function takes an :class:`~analysis.methods.indicators.Indicator`, the frame
:func:`~analysis.methods.indicators.compute_indicator` returned for it, and the reporting area.
An area is compared with England, or, for an indicator with no England value, with the
reference the indicator declares (e.g. England and Wales): :func:`comparator`. Values are in the
indicator's unit (its value column). An area whose value comes from a small count is not
plotted, and the comparison table shows the suppression marker for its count, value,
interval and comparison (:func:`analysis.present.map_classes.published`).

References
----------
PHE (2018), Technical Guide: Funnel plots for indicators with an interval.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from analysis import config
from analysis.data import tables
from analysis.methods import stats
from analysis.methods.indicators import Indicator, england_value
from analysis.present import layers, plots
from analysis.present.choropleth import boundaries, halo, source_note, values_key
from analysis.present.map_classes import count_columns, map_level, published

_TITLE_WIDTH = 70  # characters per line of a chart title
#: How the funnel plot draws an authority, and the ones it highlights.
_POINT = {"s": 16, "color": config.COLOUR_PRIMARY, "edgecolor": "black", "linewidth": 0.3}
_CHOSEN_POINT = {"s": 46, "marker": "D", "color": config.COLOUR_HIGHLIGHT, "edgecolor": "black", "linewidth": 0.5}


def _highlight_codes(area) -> set[str]:
    if area is None or area.level == "country":
        return set()
    if area.level == "region":
        utla = boundaries("utla")
        return set(utla.loc[utla["region_code"] == area.code, "area_code"])
    return {area.code}


def funnel_plot(indicator: Indicator, frame: pd.DataFrame, area=None):
    """Every authority's rate against its population, with England's 95% and 99.8% limits.

    Returns None when the indicator declares no funnel, or England or the authorities have
    no data (the indicator's ``funnel_reason`` says why). Suppressed areas are not plotted.
    Drawn over a base shared by every area (:mod:`analysis.present.layers`): the highlighted
    points, their label and the legend are the area's own. The legend goes where matplotlib's
    ``loc="best"`` puts the widest legend any area's would be.
    """
    parts = funnel_parts(indicator, frame, area)
    return None if parts is None else layers.layered(*parts)


def funnel_parts(indicator: Indicator, frame: pd.DataFrame, area=None) -> tuple | None:
    """The funnel plot's base key, base and overlay (:func:`analysis.present.layers.layered`); None without one."""
    frame = published(indicator, frame)
    column = indicator.value_column
    reference = england_value(frame)
    points = frame[(frame["level"] == "utla") & frame["has_data"]]
    if indicator.funnel is None or np.isnan(reference) or points.empty or reference <= 0:
        return None
    grid = np.geomspace(points["denominator"].min() * 0.7, points["denominator"].max() * 1.4, 300)
    if indicator.funnel == "rate":
        limits = stats.funnel_limits_rate(reference, grid, per=indicator.per)
    else:
        limits = stats.funnel_limits_proportion(reference / indicator.per, grid)
        limits[["lower", "upper"]] = limits[["lower", "upper"]] * indicator.per
    styles = {config.FUNNEL_LIMITS[0]: ("--", "#555555"), config.FUNNEL_LIMITS[1]: ("-", "black")}
    groups = [(limit, group, *styles.get(limit, (":", "black"))) for limit, group in limits.groupby("limit", sort=True)]

    def legend_handles(ax, chosen) -> list:
        """The legend's entries: limits, England, the authorities, and ``chosen`` (a label or the points) if any."""
        from matplotlib.lines import Line2D

        handles = [
            Line2D([], [], linestyle=style, color=colour, linewidth=1, label=f"{limit * 100:g}% limits")
            for limit, _, style, colour in groups
        ]
        handles.append(Line2D([], [], color=config.COLOUR_SECONDARY, linewidth=1, label="England"))
        handles.append(ax.scatter([], [], label="upper-tier authorities", **_POINT))
        if isinstance(chosen, str):  # where the legend goes is found with the widest label
            chosen = ax.scatter([], [], label=chosen, **_CHOSEN_POINT)
        return handles + ([chosen] if chosen is not None else [])

    def draw_base():
        fig, ax = plots.new_figure(7.8, 5.0)
        for limit, group, style, colour in groups:
            ax.plot(
                group["denominator"], group["upper"], style, color=colour, linewidth=1, label=f"{limit * 100:g}% limits"
            )
            ax.plot(group["denominator"], group["lower"], style, color=colour, linewidth=1)
        ax.axhline(reference, color=config.COLOUR_SECONDARY, linewidth=1, label="England")
        ax.scatter(points["denominator"], points[column], zorder=3, **_POINT)
        ax.set_xscale("log")
        ax.set_xlabel(f"Denominator: {indicator.denominator.describe()} (log scale)")
        ax.set_ylabel(indicator.unit_label)
        ax.set_title(
            textwrap.fill(f"{indicator.heading}: upper-tier authorities against England", _TITLE_WIDTH), loc="left"
        )
        source_note(fig, f"{indicator.source_note}. Control limits: PHE funnel plot method ({indicator.funnel}).")
        widest = max(boundaries("utla")["area_name"], key=len)
        legend = ax.legend(handles=legend_handles(ax, f"authorities in {widest}"), fontsize=8, loc="best")
        laid_out = layers.freeze(fig, ax, {"legend": legend})
        legend.remove()
        return fig, ax, laid_out

    def draw_overlay(fig, ax, laid_out: layers.Frame) -> None:
        chosen = points[points["area_code"].isin(_highlight_codes(area))]
        points_chosen = None
        if len(chosen):
            label = area.name if area.level == "utla" else f"authorities in {area.name}"
            points_chosen = ax.scatter(chosen["denominator"], chosen[column], zorder=4, label=label, **_CHOSEN_POINT)
            if area.level == "utla":
                row = chosen.iloc[0]
                ax.annotate(
                    area.name,
                    (row["denominator"], row[column]),
                    xytext=(6, 6),
                    textcoords="offset points",
                    fontsize=8.5,
                    fontweight="bold",
                    path_effects=halo(),
                )
        loc, anchor = layers.corner(laid_out, "legend")
        ax.legend(
            handles=legend_handles(ax, points_chosen), fontsize=8, loc=loc, bbox_to_anchor=anchor, borderaxespad=0.0
        )

    return ("funnel", *values_key(indicator, frame)), draw_base, draw_overlay


def dot_rows(frame: pd.DataFrame, area) -> tuple[pd.DataFrame, str]:
    """The rows a dot plot ranks (the authorities of the area's region, or the regions) and what they are."""
    level = map_level(frame)
    if level == "region" or area is None or area.level == "country":
        return frame[frame["level"] == "region"], "regions of England"
    region_code = area.code if area.level == "region" else area.region_code
    rows = frame[(frame["level"] == "utla") & (frame["region_code"] == region_code)]
    region_name = frame.loc[frame["area_code"] == region_code, "area_name"].iloc[0]
    return rows, f"authorities in {region_name}"


def comparator(indicator: Indicator, frame: pd.DataFrame) -> tuple[str, str, float] | None:
    """(code, name, value) of what areas are compared with: England, else the declared reference, else None."""
    value = england_value(frame)
    if not np.isnan(value):
        return config.ENGLAND_CODE, config.ENGLAND_NAME, value
    return indicator.reference() if indicator.reference is not None else None


def dot_plot(indicator: Indicator, frame: pd.DataFrame, area=None):
    """Ranked dots with intervals for the authorities of the area's region (or the regions).

    Returns None when none of them has data. Suppressed areas are left out, and the title counts them.
    Drawn over a base shared by the region's authorities (:mod:`analysis.present.layers`): the
    highlighted dot and its bold label are the area's own.
    """
    parts = dot_parts(indicator, frame, area)
    return None if parts is None else layers.layered(*parts)


def dot_parts(indicator: Indicator, frame: pd.DataFrame, area=None) -> tuple | None:
    """The dot plot's base key, base and overlay (:func:`analysis.present.layers.layered`); None without one."""
    frame = published(indicator, frame)
    rows, what = dot_rows(frame, area)
    shown = rows[rows["has_data"]]
    if shown.empty:
        return None
    withheld = int(rows["suppressed"].sum())
    missing = len(rows) - len(shown) - withheld
    reference = comparator(indicator, frame)
    highlight = (
        []
        if area is None
        else [area.name]
        if area.code in set(rows["area_code"])
        else rows.loc[rows["area_code"] == area.region_code, "area_name"].tolist()
    )
    title = f"{indicator.heading}: {what}, ranked"
    left_out = []
    if missing:
        left_out.append(f"{missing} without data")
    if withheld:
        left_out.append(f"{withheld} suppressed ({config.SUPPRESSION_MARKER})")
    if left_out:
        title += f" ({' and '.join(left_out)} not shown)"
    title = textwrap.fill(title, _TITLE_WIDTH)
    column = indicator.value_column

    def draw_base():
        fig = plots.dot_plot_with_intervals(
            shown,
            "area_name",
            column,
            "ci_lower",
            "ci_upper",
            reference=reference[2] if reference else None,
            reference_label=reference[1] if reference else "",
            xlabel=indicator.unit_label + ("" if indicator.interval != "none" else " (no interval: see methods)"),
            title=title,
        )
        source_note(fig, indicator.source_note)
        ax = fig.axes[0]
        return fig, ax, layers.freeze(fig, ax, {f"tick:{t.get_text()}": t for t in ax.get_yticklabels()})

    def draw_overlay(fig, ax, laid_out: layers.Frame) -> None:
        ranked = shown.sort_values(column, ascending=True).reset_index(drop=True)
        for i, row in ranked.iterrows():
            if row["area_name"] in highlight:
                ax.plot([row["ci_lower"], row["ci_upper"]], [i, i], color=config.COLOUR_HIGHLIGHT, linewidth=1.4)
                ax.plot(
                    row[column],
                    i,
                    "o",
                    color=config.COLOUR_HIGHLIGHT,
                    markersize=6,
                    markeredgecolor="black",
                    markeredgewidth=0.5,
                )
                layers.relabel(fig, laid_out, f"tick:{row['area_name']}", row["area_name"], fontweight="bold")

    return ("dot_plot", what, *values_key(indicator, frame)), draw_base, draw_overlay


def comparison_areas(area) -> pd.DataFrame:
    """The areas a report compares, in order, with their role.

    * an authority: itself, each other authority in its region (by name), the region, England;
    * a region: its authorities (by name), the region, England;
    * England: the regions, England.
    """
    from analysis.methods import areas as areas_module

    places = tables.read_table("authorities")
    names = places.set_index("area_code")["area_name"]
    if area.level == "utla":
        neighbours = areas_module.neighbours_in_region(area).sort_values("area_name")
        rows = [(area.code, "selected authority")] + [(c, "neighbour in region") for c in neighbours["area_code"]]
        rows += [(area.region_code, "region"), (config.ENGLAND_CODE, "England")]
    elif area.level == "region":
        inside = places[(places["level"] == "utla") & (places["region_code"] == area.code)].sort_values("area_name")
        rows = [(c, "authority in region") for c in inside["area_code"]]
        rows += [(area.code, "selected region"), (config.ENGLAND_CODE, "England")]
    else:
        regions = places[places["level"] == "region"].sort_values("area_name")
        rows = [(c, "region") for c in regions["area_code"]] + [(config.ENGLAND_CODE, "selected: England")]
    out = pd.DataFrame(rows, columns=["area_code", "comparison"])
    out.insert(0, "area_name", out["area_code"].map(names))
    return out


def neighbour_codes(area) -> list[str]:
    """Codes of the other authorities the comparison table lists (empty for England)."""
    table = comparison_areas(area)
    return table.loc[table["comparison"].isin(["neighbour in region", "authority in region"]), "area_code"].tolist()


def _compare(indicator: Indicator, rows: pd.DataFrame, reference: tuple[str, str, float] | None) -> list[str]:
    words = {True: (" (worse)", " (better)"), False: (" (better)", " (worse)"), None: ("", "")}[
        indicator.higher_is_worse
    ]
    scale = indicator.per if indicator.funnel == "proportion" else 1
    than = "" if reference is None or reference[0] == config.ENGLAND_CODE else f" than {reference[1]}"
    rows = rows.rename(columns={indicator.value_column: "value"})
    out = []
    for row in rows.itertuples(index=False):
        if row.suppressed:
            out.append(config.SUPPRESSION_MARKER)
        elif not row.has_data:
            out.append(config.MAP_NO_DATA_LABEL)
        elif reference is None or row.area_code == reference[0]:
            out.append("–")
        elif indicator.interval != "none":
            out.append(
                f"higher{than}{words[0]}"
                if row.ci_lower > reference[2]
                else f"lower{than}{words[1]}"
                if row.ci_upper < reference[2]
                else f"similar{than} (interval includes it)"
            )
        elif indicator.funnel is not None:
            label = stats.classify_against_funnel(
                row.value / scale,
                row.denominator,
                reference[2] / scale,
                kind=indicator.funnel,
                per=indicator.per,
            )
            out.append(f"{label} funnel limits")
        else:
            plain = "higher" if row.value > reference[2] else "lower" if row.value < reference[2] else "same"
            out.append(f"{plain}{than} (no interval: not tested)")
    return out


def comparison_table(indicator: Indicator, frame: pd.DataFrame, area) -> pd.DataFrame:
    """The area, its comparators (see :func:`comparison_areas`) and how each compares with England.

    Columns: ``area_name``, ``area_code``, ``comparison`` (role), ``numerator``,
    ``denominator``, the value in the indicator's unit (its value column, e.g. ``rate_per_100k``
    or ``percent``), ``ci_lower``, ``ci_upper``, ``compared_with_england`` ("no data" where the
    indicator has none; by interval, funnel limits or plain difference as the declaration
    allows). An indicator with no England value and a declared reference (e.g. England and
    Wales) gets that reference as a last row. Where the indicator counts, a count from 1 to
    :data:`config.SUPPRESSION_THRESHOLD` - 1 and everything derived from it on its row are the
    suppression marker (:func:`analysis.methods.stats.suppress_small_counts`).
    """
    column = indicator.value_column
    order = comparison_areas(area)
    shown = published(indicator, frame)[["area_code", "suppressed"]]
    values = frame.drop(columns=["area_name", "suppressed"], errors="ignore").merge(shown, on="area_code", how="left")
    table = order.merge(values, on="area_code", how="left")
    table["suppressed"] = table["suppressed"].fillna(False).astype(bool)
    reference = comparator(indicator, frame)
    table["compared_with_england"] = _compare(indicator, table, reference)
    if reference is not None and reference[0] != config.ENGLAND_CODE:
        extra = pd.DataFrame(
            [
                {
                    "area_name": reference[1],
                    "area_code": reference[0],
                    "comparison": "reference (no England value)",
                    column: reference[2],
                    "has_data": True,
                    "compared_with_england": "–",
                }
            ]
        )
        table = pd.concat([table, extra], ignore_index=True)
    columns = [
        "area_name",
        "area_code",
        "comparison",
        "numerator",
        "denominator",
        column,
        "ci_lower",
        "ci_upper",
        "compared_with_england",
    ]
    counts = count_columns(indicator)
    if not counts:
        return table[columns]
    return stats.suppress_small_counts(
        table[columns], counts, [column, "ci_lower", "ci_upper", "compared_with_england"]
    )
