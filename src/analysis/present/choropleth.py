"""Choropleth maps of declared indicators: England's authorities (or regions), and one region.

Every function takes an :class:`~analysis.methods.indicators.Indicator`, the frame
:func:`~analysis.methods.indicators.compute_indicator` returned for it, and the reporting area
the report is for.

* British National Grid (EPSG:27700) polygons from the processed ``boundaries`` table,
  simplified once per process along shared edges (``shapely.coverage_simplify``, tolerance
  :data:`config.MAP_SIMPLIFY_TOLERANCE_M`) and cached, so neighbouring areas never gap or
  overlap and drawing many maps costs one preparation (:func:`boundaries`).
* Classes from :mod:`analysis.present.map_classes`, shared by the region and England maps.
* Areas without data are white, hatched and labelled "no data", never coloured as zero; an
  area whose value comes from a small count is white with another hatch and labelled with the
  suppression marker (:func:`analysis.present.map_classes.published`).
* Values are read from the frame's value column, in the indicator's unit.
* Plain, north-up, no tiles or anything fetched from the internet; source and boundary
  attribution (:data:`config.BOUNDARY_ATTRIBUTION`) on every map.

References
----------
Brewer CA (1994), Color use guidelines for mapping and visualization.
"""

from __future__ import annotations

import textwrap
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from analysis import config
from analysis.data import tables
from analysis.methods.indicators import Indicator
from analysis.present import base_keys, layers, plots
from analysis.present.map_classes import (
    LEVEL_WORDS,
    assign_classes,
    class_breaks,
    class_colours,
    class_labels,
    map_level,
    published,
    suppression_words,
    value_label,
)

_SMALL_AREA_KM2 = 150.0  # labels of smaller areas (towns, inner London) are set a point smaller
_LABEL_WIDTH = 18  # characters per line of an area label
_NOTE_CHARS_PER_INCH = 17  # characters per inch of figure width in a 7.5 pt source note
_LEGEND_FONT_SIZE = 8.0  # points, every map legend
_TITLE_WIDTH = 60  # characters per line of a map title (its axes is about 5 inches wide)


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


def _with_values(indicator: Indicator, frame: pd.DataFrame, level: str) -> Any:
    """The level's polygons with each area's published value (its unit's column), ``has_data``, ``suppressed``."""
    values = frame[["area_code", indicator.value_column, "has_data", "suppressed"]]
    geo = boundaries(level).merge(values, on="area_code", how="left")
    geo["suppressed"] = geo["suppressed"].fillna(False).astype(bool)
    return geo


# ------------------------------------------------------------------------------------------
# Drawing
# ------------------------------------------------------------------------------------------


def halo() -> list:
    """A white outline that keeps a label readable over any fill (matplotlib path effect)."""
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


def _paint(ax, geo, column: str, breaks: np.ndarray, edgecolor: str = "#4d4d4d", linewidth: float = 0.35) -> None:
    """Fill areas by class; areas without data white and hatched, suppressed ones white with their own hatch."""
    colours = class_colours(len(breaks))
    has = geo["has_data"].fillna(False).astype(bool).to_numpy()
    withheld = geo["suppressed"].to_numpy()
    if has.any():
        classes = assign_classes(geo.loc[has, column], breaks)
        _draw(ax, geo[has], [colours[c] for c in classes], edgecolor, linewidth)
    _draw(ax, geo[~has & ~withheld], config.COLOUR_NO_DATA, edgecolor, linewidth, hatch=config.MAP_NO_DATA_HATCH)
    _draw(ax, geo[withheld], config.COLOUR_NO_DATA, edgecolor, linewidth, hatch=config.MAP_SUPPRESSED_HATCH)


def _legend(ax, indicator: Indicator, frame: pd.DataFrame, breaks: np.ndarray, extra: list) -> Any:
    from matplotlib.patches import Patch

    level = map_level(frame)
    values = frame.loc[(frame["level"] == level) & frame["has_data"], indicator.value_column].to_numpy(float)
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
    if frame.loc[frame["level"] == level, "suppressed"].any():
        handles.append(
            Patch(
                facecolor=config.COLOUR_NO_DATA,
                edgecolor="#4d4d4d",
                hatch=config.MAP_SUPPRESSED_HATCH,
                linewidth=0.4,
                label=suppression_words(),
            )
        )
    return ax.legend(
        handles=handles + extra,
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        fontsize=_LEGEND_FONT_SIZE,
        title_fontsize=8.5,
        title=f"{indicator.unit_label}\n({LEVEL_WORDS[level]} in class)",
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


def source_note(fig, text: str) -> None:
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
    ax.set_title(
        textwrap.fill(title, _TITLE_WIDTH), loc="left"
    )  # a long title would widen the figure, shrinking the map
    source_note(
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
        path_effects=halo(),
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
        path_effects=halo(),
        arrowprops={"arrowstyle": "-", "color": config.COLOUR_HIGHLIGHT, "linewidth": 1.2},
    )


def _highlight_handle(area) -> list:
    from matplotlib.lines import Line2D

    if area is None or area.level == "country":
        return []
    return [Line2D([], [], color=config.COLOUR_HIGHLIGHT, linewidth=2.2, label=f"{area.name} (selected)")]


def _legend_more(fig, frame: layers.Frame, handles: list) -> None:
    """One report's own legend entries, set just under the base's legend as if they were in it."""
    import matplotlib

    if not handles:
        return
    x0, y0, _, _ = frame.boxes["legend"]
    font = _LEGEND_FONT_SIZE * config.FIGURE_DPI / 72  # points to pixels
    # The base legend's box ends borderpad below its last entry; this one's first entry starts
    # borderpad below its top: one label spacing between them, as between entries of one legend.
    gap = (2 * matplotlib.rcParams["legend.borderpad"] - matplotlib.rcParams["legend.labelspacing"]) * font
    width, height = (side * config.FIGURE_DPI for side in frame.size)
    fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(x0 / width, (y0 + gap) / height),
        borderaxespad=0.0,
        fontsize=_LEGEND_FONT_SIZE,
        frameon=False,
    )


def values_key(indicator: Indicator, frame: pd.DataFrame, *more: Any) -> tuple:
    """What a figure's base is drawn from: the declaration, the values shown, ``more``, the boundaries."""
    import hashlib

    columns = ["area_code", "area_name", "level", indicator.value_column, "has_data", "suppressed"]
    columns += ["denominator", "ci_lower", "ci_upper"]
    shown = frame[[c for c in columns if c in frame.columns]]
    digest = hashlib.sha1(pd.util.hash_pandas_object(shown, index=False).to_numpy().tobytes()).hexdigest()
    return (indicator, digest, *more, boundaries_version(), config.MAP_SIMPLIFY_TOLERANCE_M)


def boundaries_version() -> str | base_keys.Local:
    """The boundaries table's version, as a base's key names it: the checksum the last build
    recorded for it, or (a table not read from the build's file, e.g. a test's) its path and
    modification time, a :class:`~analysis.present.base_keys.Local` part (bases kept in memory only)."""
    from analysis.data import build

    path = tables.table_path("boundaries")
    recorded = build.read_state().get("outputs", {}).get("boundaries")
    if recorded and tables.is_from_file("boundaries"):
        return f"boundaries sha256 {recorded}"
    return base_keys.Local((str(path), path.stat().st_mtime_ns))


def england_map(
    indicator: Indicator,
    frame: pd.DataFrame,
    area=None,
    *,
    scheme: str = config.MAP_CLASSIFICATION_DEFAULT,
    k: int = config.MAP_CLASSES,
):
    """England: every authority (or region) shaded by class, region outlines, ``area`` highlighted.

    Drawn over a base shared by every area (:mod:`analysis.present.layers`): the highlight, its
    label and its legend entry are the area's own.
    """
    return layers.layered(*england_parts(indicator, frame, area, scheme, k))


def england_parts(indicator: Indicator, frame: pd.DataFrame, area, scheme: str, k: int) -> tuple:
    """The England map's base key, base and overlay (see :func:`analysis.present.layers.layered`)."""
    frame = published(indicator, frame)
    level = map_level(frame)
    boundaries("utla")  # rebuilds a missing or damaged table before it is keyed

    def draw_base():
        breaks = class_breaks(frame, scheme, k)
        fig, ax = plots.new_figure(8.2, 7.6)
        geo = _with_values(indicator, frame, level)
        _paint(ax, geo, indicator.value_column, breaks, linewidth=0.25 if level == "utla" else 0.5)
        _outline(ax, boundaries("region"), "black", 0.8)
        if level == "region":
            for _, row in geo.iterrows():
                _label(ax, row, f"{row['area_name']}\n{value_label(indicator, row)}", size=7.5)
        legend = _legend(ax, indicator, frame, breaks, [])
        _finish(fig, ax, indicator, f"{indicator.heading}, England: {LEVEL_WORDS[level]}")
        return fig, ax, layers.freeze(fig, ax, {"legend": legend})

    def draw_overlay(fig, ax, laid_out: layers.Frame) -> None:
        if area is None or area.level == "country":
            return
        chosen = boundaries(area.level)[boundaries(area.level)["area_code"] == area.code]
        _outline(ax, chosen, config.COLOUR_HIGHLIGHT, 1.6)
        if level == "utla" or area.level == "utla":
            _label(ax, chosen.iloc[0], area.name, bold=True, size=8, colour=config.COLOUR_HIGHLIGHT)
        _legend_more(fig, laid_out, _highlight_handle(area))

    return ("england_map", *values_key(indicator, frame, scheme, k)), draw_base, draw_overlay


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
    say nothing); the notebook says so. Drawn over a base shared by the region's authorities
    (:mod:`analysis.present.layers`): the labels, the highlight and its legend entry are the area's own.
    """
    parts = region_parts(indicator, frame, area, scheme, k)
    return None if parts is None else layers.layered(*parts)


def region_parts(indicator: Indicator, frame: pd.DataFrame, area, scheme: str, k: int) -> tuple | None:
    """The region map's base key, base and overlay (:func:`analysis.present.layers.layered`); None without one."""
    from matplotlib.patches import Patch

    frame = published(indicator, frame)
    if area.level == "country" or map_level(frame) != "utla":
        return None
    region_code = area.code if area.level == "region" else area.region_code
    geo = _with_values(indicator, frame, "utla")
    inside = geo[geo["region_code"] == region_code]
    region = boundaries("region")[boundaries("region")["area_code"] == region_code]

    def draw_base():
        breaks = class_breaks(frame, scheme, k)
        xmin, ymin, xmax, ymax = region.total_bounds
        pad = max(xmax - xmin, ymax - ymin) * 0.05
        fig, ax = plots.new_figure(8.2, float(np.clip(5.6 * (ymax - ymin) / (xmax - xmin) + 1.0, 4.0, 9.0)))
        _draw(ax, geo[geo["region_code"] != region_code], config.COLOUR_CONTEXT, "white", 0.5)
        _paint(ax, inside, indicator.value_column, breaks, edgecolor="#333333", linewidth=0.5)
        _outline(ax, region, "black", 1.1)
        ax.set_xlim(xmin - pad, xmax + pad)
        ax.set_ylim(ymin - pad, ymax + pad)
        legend = _legend(ax, indicator, frame, breaks, [])
        _finish(fig, ax, indicator, f"{indicator.heading}, {region['area_name'].iloc[0]}")
        return fig, ax, layers.freeze(fig, ax, {"legend": legend})

    def draw_overlay(fig, ax, laid_out: layers.Frame) -> None:
        size = 5.5 if len(inside) > 20 else 7.0
        for _, row in inside.iterrows():
            if row["area_code"] == area.code:
                continue
            text = row["area_name"] if row["has_data"] else f"{row['area_name']}\n{value_label(indicator, row)}"
            _label(ax, row, text, size=size if row["area_km2"] >= _SMALL_AREA_KM2 else size - 1.0)
        if area.level == "utla":
            chosen = inside[inside["area_code"] == area.code]
            _outline(ax, chosen, config.COLOUR_HIGHLIGHT, 2.2)
            row = chosen.iloc[0]
            text = f"{area.name}\n{value_label(indicator, row)}"
            if row["area_km2"] < _SMALL_AREA_KM2:
                _label_with_leader(ax, row, text, size=size + 1.5)
            else:
                _label(ax, row, text, bold=True, size=size + 1.5, colour=config.COLOUR_HIGHLIGHT)
        context = [Patch(facecolor=config.COLOUR_CONTEXT, edgecolor="white", label="rest of England (context)")]
        _legend_more(fig, laid_out, _highlight_handle(area) + context)

    return ("region_map", region_code, *values_key(indicator, frame, scheme, k)), draw_base, draw_overlay
