"""The England map that opens ``reports/index.html``: an inline, self-contained SVG.

It shows the headline local indicator, households owed a homelessness duty because of domestic
abuse per 100,000 residents in the latest complete financial year (:data:`MAP_INDICATOR`,
:func:`analysis.methods.indicators.compute_indicator`), for England's upper-tier authorities:

* polygons from the processed ``boundaries`` table in British National Grid (EPSG:27700),
  simplified along shared edges (``shapely.coverage_simplify``) to about one pixel at the drawn
  size, so neighbours never gap or overlap; north up, one drawing unit per kilometre;
* classes and colours as every map of the workspace (:mod:`analysis.present.map_classes`:
  quantiles over England's authorities, the sequential colour map); areas without data, and
  areas whose count is from 1 to ``threshold - 1`` (small-number suppression: not classed,
  shown as the marker), are white and hatched;
* every authority carries a ``<title>`` with its name and value (hover and screen readers);
  one that has an evidence summary is a link to it;
* a legend (an HTML list) and the source line with the boundary attribution.

References
----------
Brewer CA (1994), Color use guidelines for mapping and visualization. shapely 2
``coverage_simplify``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from analysis import config
from analysis.errors import AnalysisError
from analysis.present.numbers import format_number

#: The indicator the index maps (declared in analysis.methods.indicators.homelessness_catalogue).
MAP_INDICATOR = "homelessness_da_per_residents"
MAP_HEADING = "Households owed a homelessness duty because of domestic abuse, per 100,000 residents"
_METRES_PER_UNIT = 1000.0  # one drawing unit is a kilometre: England is about 570 x 650 units
_SIMPLIFY_METRES = 1000.0  # about one pixel at the map's displayed width (34rem)
_HATCH_ID = "index-map-no-data"


@functools.lru_cache(maxsize=2)
def _shapes(path: str, mtime_ns: int) -> tuple[tuple[tuple[str, str, str], ...], float, float]:
    """((area code, name, SVG path data), width, height) of England's upper-tier authorities."""
    import numpy as np
    import shapely

    from analysis.data import tables

    boundaries = tables.read_table("boundaries")
    rows = boundaries[boundaries["level"] == "utla"].reset_index(drop=True)
    geometry = shapely.coverage_simplify(rows.geometry.to_numpy(), _SIMPLIFY_METRES)
    minx, miny, maxx, maxy = shapely.total_bounds(geometry)
    shapes = []
    for code, name, shape in zip(rows["area_code"], rows["area_name"], geometry):
        parts = []
        for polygon in getattr(shape, "geoms", [shape]):
            for ring in (polygon.exterior, *polygon.interiors):
                xy = np.asarray(ring.coords)[:, :2]
                points = np.round(np.column_stack([(xy[:, 0] - minx), (maxy - xy[:, 1])]) / _METRES_PER_UNIT, 1)
                keep = np.r_[True, np.any(np.diff(points, axis=0) != 0, axis=1)]
                ring_points = points[keep][:-1]
                if len(ring_points) < 3:
                    continue  # a ring rounded to under a point's width: "MZ" or a line, which browsers reject
                parts.append("M" + " ".join(f"{x:g},{y:g}" for x, y in ring_points) + "Z")
        shapes.append((str(code), str(name), "".join(parts)))
    return tuple(shapes), round((maxx - minx) / _METRES_PER_UNIT, 1), round((maxy - miny) / _METRES_PER_UNIT, 1)


def shapes() -> tuple[tuple[tuple[str, str, str], ...], float, float]:
    """The map's authorities as SVG path data, and the drawing's width and height (cached per table file)."""
    from analysis.data import tables

    tables.read_table("boundaries")  # rebuilds a missing or damaged table first
    path = tables.table_path("boundaries")
    return _shapes(str(path), path.stat().st_mtime_ns)


def _hex(colour: Any) -> str:
    from matplotlib.colors import to_hex

    return to_hex(colour)


def _swatch(fill: str, outline: bool = False) -> Markup:
    """A legend key: a small rectangle of the fill (with the outline of a linked authority)."""
    stroke = Markup(' stroke="#1b1b1b" stroke-width="3"') if outline else Markup("")
    return Markup(
        '<svg width="18" height="14" viewBox="0 0 18 14" aria-hidden="true" focusable="false">'
        '<rect width="18" height="14" fill="{}"{}/></svg>'
    ).format(fill, stroke)


def england_map(summaries: Mapping[str, str], threshold: int = config.SUPPRESSION_THRESHOLD) -> dict[str, Any]:
    """What the index shows of the map: heading, year, SVG, legend, caption; or the reason it is missing.

    Parameters
    ----------
    summaries
        Area code -> link to its evidence summary (:func:`analysis.present.index.summary_links`).
    threshold
        The small-number suppression threshold: a count from 1 to ``threshold - 1`` is not shown.
    """
    from analysis.methods import homelessness, stats
    from analysis.methods.indicators import compute_indicator, get_indicator
    from analysis.methods.indicators.homelessness_catalogue import SPECS
    from analysis.present.map_classes import (
        assign_classes,
        class_breaks,
        class_colours,
        class_labels,
        describe_classification,
    )

    try:
        indicator = get_indicator(MAP_INDICATOR)
        year = homelessness.latest_complete_year(SPECS[MAP_INDICATOR].measure)
        frame = compute_indicator(indicator)
        drawn, width, height = shapes()
    except AnalysisError as exc:
        return {"heading": MAP_HEADING, "error": exc.message}
    frame = frame.copy()
    small = frame["numerator"].between(1, threshold - 1, inclusive="both") & frame["has_data"]
    frame.loc[small, "has_data"] = False  # a rate made from a small count is not classed or shown
    suppressed = set(frame.loc[small & (frame["level"] == "utla"), "area_code"])
    utla = frame[frame["level"] == "utla"].set_index("area_code")
    breaks = class_breaks(frame, config.MAP_CLASSIFICATION_DEFAULT)
    colours = [_hex(c) for c in class_colours(len(breaks))]
    classes = dict(zip(utla.index, assign_classes(utla["rate_per_100k"].where(utla["has_data"]), breaks)))
    decimals = indicator.decimals
    paths, linked = [], 0
    for code, name, data in drawn:
        in_class = int(classes.get(code, -1))
        if code in suppressed:
            value = f"{config.SUPPRESSION_MARKER} (fewer than {threshold} households)"
        elif in_class >= 0:
            value = f"{format_number(utla.at[code, 'rate_per_100k'], decimals)} per 100,000 residents"
        else:
            value = config.MAP_NO_DATA_LABEL
        label = f"{name}: {value}, {year}"
        fill = colours[in_class] if in_class >= 0 else f"url(#{_HATCH_ID})"
        shape = Markup('<path d="{}" fill="{}"><title>{}</title></path>').format(data, fill, label)
        href = summaries.get(code)
        if href:
            linked += 1
            shape = Markup('<a href="{}" aria-label="{}">{}</a>').format(href, f"{label}: evidence summary", shape)
        paths.append(shape)
    minimum = float(utla.loc[utla["has_data"], "rate_per_100k"].min()) if len(breaks) else 0.0
    labels = class_labels(breaks, minimum, decimals)
    legend = [{"swatch": _swatch(colour), "text": text} for colour, text in zip(colours, labels)]
    hidden = f" or {config.SUPPRESSION_MARKER} (fewer than {threshold} households)" if suppressed else ""
    legend.append({"swatch": _swatch(f"url(#{_HATCH_ID})"), "text": config.MAP_NO_DATA_LABEL + hidden})
    if linked:
        legend.append({"swatch": _swatch("none", outline=True), "text": "outlined: has an evidence summary"})
    title = f"{MAP_HEADING}, {year}, England's upper-tier authorities"
    svg = Markup(
        '<svg class="index-map" viewBox="0 0 {w} {h}" role="group" aria-labelledby="index-map-title">'
        '<title id="index-map-title">{title}</title>'
        '<defs><pattern id="{hatch}" width="4" height="4" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="4" height="4" fill="{white}"/>'
        '<line x1="0" y1="0" x2="0" y2="4" stroke="#767676" stroke-width="1.2"/></pattern></defs>'
        '<g fill-rule="evenodd">{paths}</g></svg>'
    ).format(w=width, h=height, title=title, hatch=_HATCH_ID, white=config.COLOUR_NO_DATA, paths=Markup("").join(paths))
    return {
        "heading": f"{MAP_HEADING}, {year}",
        "year": year,
        "svg": svg,
        "legend": legend,
        "linked": linked,
        "classes": describe_classification(config.MAP_CLASSIFICATION_DEFAULT, frame),
        "source": f"{indicator.source_note}; financial year {year}. {config.BOUNDARY_ATTRIBUTION}.",
        "caveat": indicator.does_not_show,
        "suppression": stats.suppression_footnote(threshold) if suppressed else None,
        "error": None,
    }
