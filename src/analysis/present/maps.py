"""Maps and comparisons of declared indicators: choropleths, funnel plots, dot plots, tables.

Every function takes an :class:`~analysis.methods.indicators.Indicator`, the frame
:func:`~analysis.methods.indicators.compute_indicator` returned for it, and the reporting area the
report is for, so one set of functions draws every indicator.

Maps
----
* British National Grid (EPSG:27700) polygons from the processed ``boundaries`` table,
  simplified once per process along shared edges (``shapely.coverage_simplify``, tolerance
  :data:`config.MAP_SIMPLIFY_TOLERANCE_M`) and cached, so neighbouring areas never gap or
  overlap and drawing many maps costs one preparation.
* Classes: a fixed scheme (:data:`config.MAP_CLASSIFICATIONS`, default quantiles, with
  :data:`config.MAP_CLASSES` classes) computed over **England's upper-tier authorities**
  (regions, for an indicator published only by region). The region map and the England
  map therefore share one legend, and the same data always give the same breaks.
* Areas without data are white, hatched and labelled "no data", never coloured as zero.
* Plain, north-up, no tiles or anything fetched from the internet; the sequential colour
  map (:data:`config.CMAP_SEQUENTIAL`, cividis) is monotone in lightness so it survives
  greyscale; source and boundary attribution (:data:`config.BOUNDARY_ATTRIBUTION`) on
  every map.

References
----------
Brewer CA (1994), Color use guidelines for mapping and visualization. mapclassify
(PySAL): Quantiles, EqualInterval, FisherJenks. PHE (2018), Technical Guide: Funnel plots.
"""

from __future__ import annotations

import textwrap
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from analysis import config
from analysis.data import tables
from analysis.errors import ParameterError
from analysis.methods import stats
from analysis.methods.indicators import Indicator, england_value
from analysis.present import plots

_SCHEMES = {"quantiles": "Quantiles", "equal_interval": "EqualInterval", "fisher_jenks": "FisherJenks"}
_SCHEME_WORDS = {
    "quantiles": "quantiles (equal numbers of areas per class)",
    "equal_interval": "equal intervals (classes of equal width)",
    "fisher_jenks": "Fisher-Jenks natural breaks",
}
_LEVEL_WORDS = {"utla": "upper-tier authorities", "region": "regions"}
_SMALL_AREA_KM2 = 150.0  # labels of smaller areas (towns, inner London) are set a point smaller
_LABEL_WIDTH = 18  # characters per line of an area label
_TITLE_WIDTH = 70  # characters per line of a chart title
_NOTE_CHARS_PER_INCH = 17  # characters per inch of figure width in a 7.5 pt source note


# ------------------------------------------------------------------------------------------
# Classification
# ------------------------------------------------------------------------------------------


def check_classification(value: Any) -> str:
    """Validate the ``classification`` parameter (one of :data:`config.MAP_CLASSIFICATIONS`)."""
    if not isinstance(value, str) or value.strip().lower() not in config.MAP_CLASSIFICATIONS:
        raise ParameterError(
            f"classification must be one of {', '.join(config.MAP_CLASSIFICATIONS)}, got {value!r}.",
            f"For example -p classification {config.MAP_CLASSIFICATION_DEFAULT}.",
        )
    return value.strip().lower()


def describe_classification(scheme: str, frame: pd.DataFrame, k: int = config.MAP_CLASSES) -> str:
    """One sentence stating the class scheme, e.g. for a caption or the methods section."""
    level = map_level(frame)
    return (
        f"Classes: {_SCHEME_WORDS[check_classification(scheme)]}, {k} classes at most, computed over "
        f"England's {_LEVEL_WORDS[level]} with data, so every map of this indicator shares one legend."
    )


def map_level(frame: pd.DataFrame) -> str:
    """ "utla" when any upper-tier authority has data, else "region" (indicators published by region)."""
    utla = frame[frame["level"] == "utla"]
    return "utla" if bool(utla["has_data"].any()) else "region"


def class_breaks(
    frame: pd.DataFrame, scheme: str = config.MAP_CLASSIFICATION_DEFAULT, k: int = config.MAP_CLASSES
) -> np.ndarray:
    """Upper bounds of the classes, computed over England's areas at :func:`map_level` with data.

    The last bound is the maximum. Fewer than ``k`` classes are used when there are fewer
    distinct values; an empty array means no area has data.
    """
    import mapclassify

    scheme = check_classification(scheme)
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ParameterError(f"k (number of classes) must be a whole number >= 1, got {k!r}.")
    level = map_level(frame)
    values = np.sort(frame.loc[(frame["level"] == level) & frame["has_data"], "rate_per_100k"].to_numpy(float))
    distinct = np.unique(values)
    if distinct.size == 0:
        return np.array([], dtype=float)
    classes = min(k, distinct.size)
    if classes == 1:
        return distinct[-1:].copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        classifier = getattr(mapclassify, _SCHEMES[scheme])(values, k=classes)
    breaks = np.unique(np.asarray(classifier.bins, dtype=float))
    breaks[-1] = max(breaks[-1], distinct[-1])
    return breaks


def assign_classes(values: Any, breaks: np.ndarray) -> np.ndarray:
    """Class index of each value (value <= break), -1 for missing values."""
    array = np.asarray(values, dtype=float)
    if len(breaks) == 0:
        return np.full(array.shape, -1)
    index = np.minimum(np.searchsorted(breaks, array, side="left"), len(breaks) - 1)
    return np.where(np.isnan(array), -1, index)


def class_colours(n: int) -> list:
    """``n`` colours from the sequential colour map, light (low) to dark (high) in greyscale order."""
    import matplotlib

    cmap = matplotlib.colormaps[config.CMAP_SEQUENTIAL]
    low, high = config.MAP_CMAP_RANGE
    positions = [(low + high) / 2] if n == 1 else np.linspace(high, low, n)
    return [cmap(p) for p in positions]


def class_labels(breaks: np.ndarray, minimum: float, decimals: int = 0) -> list[str]:
    """Legend labels "a to b" for each class (lower bound of the first class = ``minimum``)."""
    lowers = [minimum, *breaks[:-1]]
    return [f"{low:,.{decimals}f} to {high:,.{decimals}f}" for low, high in zip(lowers, breaks)]


# ------------------------------------------------------------------------------------------
# Geometry, prepared once per process
# ------------------------------------------------------------------------------------------


def _polygon_path(geometry) -> Any:
    """A matplotlib compound path of a (multi)polygon: exterior and hole rings, as geopandas draws them."""
    from matplotlib.path import Path

    polygons = getattr(geometry, "geoms", [geometry])
    rings = [ring for polygon in polygons for ring in (polygon.exterior, *polygon.interiors)]
    return Path.make_compound_path(*[Path(np.asarray(ring.coords)[:, :2]) for ring in rings])


@lru_cache(maxsize=4)
def _prepared_geometry(path: str, mtime_ns: int, tolerance: float) -> dict[str, Any]:
    import geopandas
    import shapely

    boundaries = tables.read_table("boundaries")
    places = tables.read_table("authorities").set_index("area_code")["region_code"]
    out = {}
    for level in ("utla", "region", "country"):
        rows = boundaries[boundaries["level"] == level].reset_index(drop=True)
        geometry = shapely.coverage_simplify(rows.geometry.to_numpy(), tolerance) if len(rows) > 1 else rows.geometry
        frame = geopandas.GeoDataFrame(rows.drop(columns="geometry"), geometry=list(geometry), crs=config.CRS_BNG)
        frame["region_code"] = frame["area_code"].map(places)
        frame["path"] = [_polygon_path(g) for g in frame.geometry]
        out[level] = frame
    return out


def boundaries(level: str) -> Any:
    """Simplified polygons of one level ("utla", "region", "country"), cached per process.

    Returns a GeoDataFrame (EPSG:27700) with ``area_code``, ``area_name``, ``level``,
    ``label_x``, ``label_y``, ``area_km2``, ``region_code`` and ``path`` (the polygon as a
    matplotlib path, so maps draw without re-converting geometry); shared between callers:
    copy before modifying.
    """
    tables.read_table("boundaries")  # rebuilds a missing or damaged table first
    path = tables.table_path("boundaries")
    stat = path.stat()
    return _prepared_geometry(str(path), stat.st_mtime_ns, float(config.MAP_SIMPLIFY_TOLERANCE_M))[level]


def _with_values(frame: pd.DataFrame, level: str) -> Any:
    values = frame[["area_code", "rate_per_100k", "has_data"]]
    return boundaries(level).merge(values, on="area_code", how="left")


# ------------------------------------------------------------------------------------------
# Drawing
# ------------------------------------------------------------------------------------------


def _halo() -> list:
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=2.2, foreground="white")]


def _draw(ax, geo, facecolors: Any, edgecolor: str, linewidth: float, hatch: str | None = None) -> None:
    """Draw prepared polygon paths in one collection (faster than GeoDataFrame.plot, which redraws the figure)."""
    from matplotlib.collections import PathCollection

    if not len(geo):
        return
    collection = PathCollection(
        list(geo["path"]), facecolors=facecolors, edgecolors=edgecolor, linewidths=linewidth, hatch=hatch
    )
    ax.add_collection(collection, autolim=True)
    ax.autoscale_view()


def _paint(ax, geo, breaks: np.ndarray, edgecolor: str = "#4d4d4d", linewidth: float = 0.35) -> None:
    """Fill areas by class; areas without data white and hatched."""
    colours = class_colours(len(breaks))
    has = geo["has_data"].fillna(False).astype(bool).to_numpy()
    if has.any():
        classes = assign_classes(geo.loc[has, "rate_per_100k"], breaks)
        _draw(ax, geo[has], [colours[c] for c in classes], edgecolor, linewidth)
    _draw(ax, geo[~has], config.COLOUR_NO_DATA, edgecolor, linewidth, hatch=config.MAP_NO_DATA_HATCH)


def _legend(ax, indicator: Indicator, frame: pd.DataFrame, breaks: np.ndarray, extra: list) -> None:
    from matplotlib.patches import Patch

    level = map_level(frame)
    values = frame.loc[(frame["level"] == level) & frame["has_data"], "rate_per_100k"].to_numpy(float)
    counts = np.bincount(assign_classes(values, breaks), minlength=len(breaks)) if len(breaks) else []
    labels = class_labels(breaks, float(values.min()), indicator.decimals) if len(breaks) else []
    handles = [
        Patch(facecolor=c, edgecolor="#4d4d4d", linewidth=0.4, label=f"{lab} ({n})")
        for c, lab, n in zip(class_colours(len(breaks)), labels, counts)
    ]
    handles.append(
        Patch(
            facecolor=config.COLOUR_NO_DATA,
            edgecolor="#4d4d4d",
            hatch=config.MAP_NO_DATA_HATCH,
            linewidth=0.4,
            label=f"{config.MAP_NO_DATA_LABEL} (hatched)",
        )
    )
    ax.legend(
        handles=handles + extra,
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        fontsize=8,
        title_fontsize=8.5,
        title=f"{indicator.unit_label}\n({_LEVEL_WORDS[level]} in class)",
        alignment="left",
        frameon=False,
    )


def _scale_bar_and_north(ax) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    width = x1 - x0
    length = next(n for n in (200_000, 100_000, 50_000, 20_000, 10_000, 5_000, 2_000, 1_000) if n <= width / 4)
    bx, by = x1 - width * 0.04 - length, y0 + (y1 - y0) * 0.04
    ax.plot([bx, bx + length], [by, by], color="black", linewidth=2, solid_capstyle="butt")
    ax.text(bx + length / 2, by + (y1 - y0) * 0.012, f"{length / 1000:g} km", ha="center", va="bottom", fontsize=7)
    ax.annotate(
        "N",
        xy=(0.04, 0.97),
        xytext=(0.04, 0.87),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=9,
        fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 1.2},
    )


def _source_note(fig, text: str) -> None:
    """Source line at the foot of a figure, wrapped here (matplotlib's own wrapping re-measures every word)."""
    width = int(fig.get_figwidth() * _NOTE_CHARS_PER_INCH)
    fig.text(
        0.0,
        -0.02,
        textwrap.fill(text, width),
        ha="left",
        va="top",
        fontsize=7.5,
        color="#444444",
        transform=fig.transFigure,
    )


def _finish(fig, ax, indicator: Indicator, title: str) -> None:
    ax.set_aspect("equal")
    ax.set_axis_off()
    _scale_bar_and_north(ax)
    ax.set_title(title, loc="left")
    _source_note(
        fig,
        f"{indicator.source_note}. {config.BOUNDARY_ATTRIBUTION}. British National Grid; {config.GEOGRAPHY_VINTAGE}.",
    )


def _outline(ax, geo, colour: str, linewidth: float) -> None:
    _draw(ax, geo, "none", colour, linewidth)


def _label(ax, row, text: str, *, bold: bool = False, size: float = 7.0, colour: str = "black") -> None:
    text = "\n".join(textwrap.fill(line, _LABEL_WIDTH) for line in text.split("\n"))
    ax.text(
        row["label_x"],
        row["label_y"],
        text,
        ha="center",
        va="center",
        fontsize=size,
        color=colour,
        fontweight="bold" if bold else "normal",
        path_effects=_halo(),
        clip_on=True,
        linespacing=0.95,
    )


def _label_with_leader(ax, row, text: str, *, size: float) -> None:
    """Label a small area (City of London, Isles of Scilly) beside it, with a leader line towards the centre."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    point = np.array([row["label_x"], row["label_y"]], dtype=float)
    towards = np.array([(x0 + x1) / 2, (y0 + y1) / 2]) - point
    length = float(np.hypot(*towards))
    direction = towards / length if length > (x1 - x0) * 0.05 else np.array([0.0, 1.0])
    target = point + direction * 0.12 * max(x1 - x0, y1 - y0)
    ax.annotate(
        text,
        xy=tuple(point),
        xytext=tuple(target),
        ha="center",
        va="center",
        fontsize=size,
        fontweight="bold",
        color=config.COLOUR_HIGHLIGHT,
        path_effects=_halo(),
        arrowprops={"arrowstyle": "-", "color": config.COLOUR_HIGHLIGHT, "linewidth": 1.2},
    )


def _value_text(indicator: Indicator, row) -> str:
    if not bool(row["has_data"]):
        return config.MAP_NO_DATA_LABEL
    return f"{row['rate_per_100k']:,.{indicator.decimals}f}"


def _highlight_handle(area) -> list:
    from matplotlib.lines import Line2D

    if area is None or area.level == "country":
        return []
    return [Line2D([], [], color=config.COLOUR_HIGHLIGHT, linewidth=2.2, label=f"{area.name} (selected)")]


def england_map(
    indicator: Indicator,
    frame: pd.DataFrame,
    area=None,
    *,
    scheme: str = config.MAP_CLASSIFICATION_DEFAULT,
    k: int = config.MAP_CLASSES,
):
    """England: every authority (or region) shaded by class, region outlines, ``area`` highlighted."""
    level = map_level(frame)
    breaks = class_breaks(frame, scheme, k)
    fig, ax = plots.new_figure(8.2, 7.6)
    geo = _with_values(frame, level)
    _paint(ax, geo, breaks, linewidth=0.25 if level == "utla" else 0.5)
    _outline(ax, boundaries("region"), "black", 0.8)
    if level == "region":
        for _, row in geo.iterrows():
            _label(ax, row, f"{row['area_name']}\n{_value_text(indicator, row)}", size=7.5)
    if area is not None and area.level != "country":
        chosen = boundaries(area.level)[boundaries(area.level)["area_code"] == area.code]
        _outline(ax, chosen, config.COLOUR_HIGHLIGHT, 1.6)
        if level == "utla" or area.level == "utla":
            _label(ax, chosen.iloc[0], area.name, bold=True, size=8, colour=config.COLOUR_HIGHLIGHT)
    _legend(ax, indicator, frame, breaks, _highlight_handle(area))
    _finish(fig, ax, indicator, f"{indicator.title}, England: {_LEVEL_WORDS[level]}")
    return fig


def region_map(
    indicator: Indicator,
    frame: pd.DataFrame,
    area,
    *,
    scheme: str = config.MAP_CLASSIFICATION_DEFAULT,
    k: int = config.MAP_CLASSES,
):
    """The area's region: its authorities shaded (England's classes), labelled, the rest of England grey.

    Returns None for England or an indicator published only by region (one colour would
    say nothing); the notebook says so.
    """
    from matplotlib.patches import Patch

    if area.level == "country" or map_level(frame) != "utla":
        return None
    region_code = area.code if area.level == "region" else area.region_code
    breaks = class_breaks(frame, scheme, k)
    geo = _with_values(frame, "utla")
    inside = geo[geo["region_code"] == region_code]
    region = boundaries("region")[boundaries("region")["area_code"] == region_code]
    xmin, ymin, xmax, ymax = region.total_bounds
    pad = max(xmax - xmin, ymax - ymin) * 0.05
    fig, ax = plots.new_figure(8.2, float(np.clip(5.6 * (ymax - ymin) / (xmax - xmin) + 1.0, 4.0, 9.0)))
    _draw(ax, geo[geo["region_code"] != region_code], config.COLOUR_CONTEXT, "white", 0.5)
    _paint(ax, inside, breaks, edgecolor="#333333", linewidth=0.5)
    _outline(ax, region, "black", 1.1)
    ax.set_xlim(xmin - pad, xmax + pad)
    ax.set_ylim(ymin - pad, ymax + pad)
    size = 5.5 if len(inside) > 20 else 7.0
    for _, row in inside.iterrows():
        if row["area_code"] == area.code:
            continue
        text = row["area_name"] if row["has_data"] else f"{row['area_name']}\n{config.MAP_NO_DATA_LABEL}"
        _label(ax, row, text, size=size if row["area_km2"] >= _SMALL_AREA_KM2 else size - 1.0)
    if area.level == "utla":
        chosen = inside[inside["area_code"] == area.code]
        _outline(ax, chosen, config.COLOUR_HIGHLIGHT, 2.2)
        row = chosen.iloc[0]
        text = f"{area.name}\n{_value_text(indicator, row)}"
        if row["area_km2"] < _SMALL_AREA_KM2:
            _label_with_leader(ax, row, text, size=size + 1.5)
        else:
            _label(ax, row, text, bold=True, size=size + 1.5, colour=config.COLOUR_HIGHLIGHT)
    context = [Patch(facecolor=config.COLOUR_CONTEXT, edgecolor="white", label="rest of England (context)")]
    _legend(ax, indicator, frame, breaks, _highlight_handle(area) + context)
    region_name = region["area_name"].iloc[0]
    _finish(fig, ax, indicator, f"{indicator.title}, {region_name}")
    return fig


# ------------------------------------------------------------------------------------------
# Funnel plot, dot plot, comparison table
# ------------------------------------------------------------------------------------------


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
    no data (the indicator's ``funnel_reason`` says why).
    """
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
    fig, ax = plots.new_figure(7.8, 5.0)
    styles = {config.FUNNEL_LIMITS[0]: ("--", "#555555"), config.FUNNEL_LIMITS[1]: ("-", "black")}
    for limit, group in limits.groupby("limit", sort=True):
        style, colour = styles.get(limit, (":", "black"))
        label = f"{limit * 100:g}% limits"
        ax.plot(group["denominator"], group["upper"], style, color=colour, linewidth=1, label=label)
        ax.plot(group["denominator"], group["lower"], style, color=colour, linewidth=1)
    ax.axhline(reference, color=config.COLOUR_SECONDARY, linewidth=1, label="England")
    chosen = points["area_code"].isin(_highlight_codes(area))
    ax.scatter(
        points.loc[~chosen, "denominator"],
        points.loc[~chosen, "rate_per_100k"],
        s=16,
        color=config.COLOUR_PRIMARY,
        edgecolor="black",
        linewidth=0.3,
        label="upper-tier authorities",
        zorder=3,
    )
    if chosen.any():
        ax.scatter(
            points.loc[chosen, "denominator"],
            points.loc[chosen, "rate_per_100k"],
            s=46,
            marker="D",
            color=config.COLOUR_HIGHLIGHT,
            edgecolor="black",
            linewidth=0.5,
            zorder=4,
            label=area.name if area.level == "utla" else f"authorities in {area.name}",
        )
        if area.level == "utla":
            row = points[chosen].iloc[0]
            ax.annotate(
                area.name,
                (row["denominator"], row["rate_per_100k"]),
                xytext=(6, 6),
                textcoords="offset points",
                fontsize=8.5,
                fontweight="bold",
                path_effects=_halo(),
            )
    ax.set_xscale("log")
    ax.set_xlabel(f"Denominator: {indicator.denominator.describe()} (log scale)")
    ax.set_ylabel(indicator.unit_label)
    ax.legend(fontsize=8, loc="best")
    ax.set_title(f"{indicator.title}: upper-tier authorities against England", loc="left")
    _source_note(fig, f"{indicator.source_note}. Control limits: PHE funnel plot method ({indicator.funnel}).")
    return fig


def _dot_rows(frame: pd.DataFrame, area) -> tuple[pd.DataFrame, str]:
    level = map_level(frame)
    if level == "region" or area is None or area.level == "country":
        return frame[frame["level"] == "region"], "regions of England"
    region_code = area.code if area.level == "region" else area.region_code
    rows = frame[(frame["level"] == "utla") & (frame["region_code"] == region_code)]
    region_name = frame.loc[frame["area_code"] == region_code, "area_name"].iloc[0]
    return rows, f"authorities in {region_name}"


def _reference(indicator: Indicator, frame: pd.DataFrame) -> tuple[str, str, float] | None:
    value = england_value(frame)
    if not np.isnan(value):
        return config.ENGLAND_CODE, config.ENGLAND_NAME, value
    return indicator.reference() if indicator.reference is not None else None


def dot_plot(indicator: Indicator, frame: pd.DataFrame, area=None):
    """Ranked dots with intervals for the authorities of the area's region (or the regions).

    Returns None when none of them has data.
    """
    rows, what = _dot_rows(frame, area)
    shown = rows[rows["has_data"]]
    if shown.empty:
        return None
    missing = len(rows) - len(shown)
    reference = _reference(indicator, frame)
    highlight = (
        []
        if area is None
        else [area.name]
        if area.code in set(rows["area_code"])
        else rows.loc[rows["area_code"] == area.region_code, "area_name"].tolist()
    )
    title = f"{indicator.title}: {what}, ranked"
    if missing:
        title += f" ({missing} without data not shown)"
    title = textwrap.fill(title, _TITLE_WIDTH)
    fig = plots.dot_plot_with_intervals(
        shown,
        "area_name",
        "rate_per_100k",
        "ci_lower",
        "ci_upper",
        highlight=highlight,
        reference=reference[2] if reference else None,
        reference_label=reference[1] if reference else "",
        xlabel=indicator.unit_label + ("" if indicator.interval != "none" else " (no interval: see methods)"),
        title=title,
    )
    _source_note(fig, indicator.source_note)
    return fig


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
    out = []
    for row in rows.itertuples(index=False):
        if not row.has_data:
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
                row.rate_per_100k / scale,
                row.denominator,
                reference[2] / scale,
                kind=indicator.funnel,
                per=indicator.per,
            )
            out.append(f"{label} funnel limits")
        else:
            plain = (
                "higher"
                if row.rate_per_100k > reference[2]
                else "lower"
                if row.rate_per_100k < reference[2]
                else "same"
            )
            out.append(f"{plain}{than} (no interval: not tested)")
    return out


def comparison_table(indicator: Indicator, frame: pd.DataFrame, area) -> pd.DataFrame:
    """The area, its comparators (see :func:`comparison_areas`) and how each compares with England.

    Columns: ``area_name``, ``area_code``, ``comparison`` (role), ``numerator``,
    ``denominator``, ``rate_per_100k``, ``ci_lower``, ``ci_upper``, ``compared_with_england``
    ("no data" where the indicator has none; by interval, funnel limits or plain difference
    as the declaration allows). An indicator with no England value and a declared reference
    (e.g. England and Wales) gets that reference as a last row.
    """
    order = comparison_areas(area)
    values = frame.drop(columns=["area_name"])
    table = order.merge(values, on="area_code", how="left")
    reference = _reference(indicator, frame)
    table["compared_with_england"] = _compare(indicator, table, reference)
    if reference is not None and reference[0] != config.ENGLAND_CODE:
        extra = pd.DataFrame(
            [
                {
                    "area_name": reference[1],
                    "area_code": reference[0],
                    "comparison": "reference (no England value)",
                    "rate_per_100k": reference[2],
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
        "rate_per_100k",
        "ci_lower",
        "ci_upper",
        "compared_with_england",
    ]
    return table[columns]


# ------------------------------------------------------------------------------------------
# Everything for one indicator
# ------------------------------------------------------------------------------------------


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
    value = _value_text(indicator, row)
    reference = _reference(indicator, frame)
    text = f"{area.name}: {value}" + ("" if value == config.MAP_NO_DATA_LABEL else f" {indicator.unit_label}")
    if reference is not None and reference[0] != area.code:
        text += f"; {reference[1]}: {reference[2]:,.{indicator.decimals}f}"
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
            f"{low:,.{indicator.decimals}f} to {breaks[-1]:,.{indicator.decimals}f}"
        )
    return (
        f"Map of {where} shaded by {_lower_first(indicator.title)} ({indicator.unit_label}){span}. "
        f"{_summary(indicator, frame, area)}. {missing} {_LEVEL_WORDS[level]} have no data and are hatched."
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
    values = frame.loc[frame["has_data"], "rate_per_100k"].round(6).unique()
    if len(values) == 1:  # e.g. one national rate applied to every area: a flat map says nothing
        note = (
            f"No maps or charts: every area with data has the same value ({values[0]:,.{indicator.decimals}f} "
            f"{indicator.unit_label}), so they would show nothing. {indicator.caveat}"
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
            _map_alt(indicator, frame, area, f"England's {_LEVEL_WORDS[map_level(frame)]}", scheme, k),
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
    what = _dot_rows(frame, area)[1]
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
    reference = _reference(indicator, frame)
    if not bool(row["has_data"]):
        where = f"; {reference[1]}: {reference[2]:,.{indicator.decimals}f}" if reference else ""
        return f"{indicator.title} has no value for {area.name} ({indicator.unit_label}{where})."
    text = (
        f"{area.name} has {row['rate_per_100k']:,.{indicator.decimals}f} "
        f"{_lower_first(indicator.title)} {indicator.unit_label}"
    )
    if reference is not None and reference[0] != area.code:
        text += f", against {reference[2]:,.{indicator.decimals}f} for {reference[1]}"
    return text + "."


def area_value(frame: pd.DataFrame, code: str) -> float | None:
    """The rate per 100,000 of one area in an indicator frame, None without data (for records)."""
    row = frame[frame["area_code"] == code]
    if row.empty or not bool(row["has_data"].iloc[0]):
        return None
    return float(row["rate_per_100k"].iloc[0])


#: Manifest ids every map report rests on besides its indicators' own: boundaries, the
#: district-to-authority lookup that builds them, and the population denominators.
BASE_SOURCE_IDS = ("lad21_boundaries", "ltla22_utla22_lookup", "mye2020_ltla21_sya")


def source_ids(chosen: list[Indicator]) -> list[str]:
    """Manifest ids of the shown indicators' sources and of the boundaries and populations, once each."""
    return list(dict.fromkeys([s for indicator in chosen for s in indicator.sources] + list(BASE_SOURCE_IDS)))


def caveat_lines(chosen: list[Indicator], scheme: str, confidence: float) -> list[str]:
    """Assumptions and caveats for the methods section of a map report."""
    from analysis.data.build import SEX_BASIS_ASSUMED

    lines = [f"{indicator.title}: {indicator.caveat} Interval: {indicator.interval_reason}" for indicator in chosen]
    lines.append(
        f"Map classes: {_SCHEME_WORDS[check_classification(scheme)]}, at most {config.MAP_CLASSES} "
        "classes, computed over England's upper-tier authorities (regions for figures published by "
        "region only), so the region and England maps share a legend; classes group areas for display "
        "and do not mean that areas in different classes differ significantly."
    )
    lines.append(
        f"Intervals, where an indicator has them, are two-sided at {confidence:.1%}; funnel limits are "
        "at 95% and 99.8% (PHE funnel plot method)."
    )
    if any(indicator.denominator.sex != "persons" for indicator in chosen):
        lines.append(f"Female and male populations are {SEX_BASIS_ASSUMED}.")
    lines.append(
        f"Geography: {config.GEOGRAPHY_VINTAGE}; population: ONS mid-2020 estimates, not rebased to "
        "Census 2021. Boundaries are generalised (500 m) and simplified for drawing."
    )
    return lines
