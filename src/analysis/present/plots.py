"""Figures in one house style: plain, readable in greyscale, colour-blind safe, labelled units.

Every function returns a matplotlib ``Figure`` for :func:`analysis.present.report.figure` to embed
with alt text. Colours and the style come from :mod:`analysis.config`.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from contextlib import contextmanager
from typing import Any

import pandas as pd

from analysis import config
from analysis.present.numbers import format_number

_STYLE = {
    "figure.dpi": config.FIGURE_DPI,
    "savefig.dpi": config.FIGURE_DPI,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "legend.frameon": False,
    # Glyphs drawn as their outlines, without FreeType's hinting (matplotlib's documented
    # ``text.hinting`` rcParam): laying out a 70-character title takes 0.8 ms instead of 2.0 ms
    # with matplotlib 3.11's default hinting, and a typical chart about 10% less CPU; the text
    # looks the same at the house dpi (slightly softer stems, PNGs about 15% larger).
    "text.hinting": "no_hinting",
}


def apply_house_style() -> None:
    """Use a non-interactive backend when headless and set the house rcParams."""
    import matplotlib

    if matplotlib.get_backend().lower() not in {"module://matplotlib_inline.backend_inline", "agg"}:
        try:
            matplotlib.use("Agg")
        except Exception:  # pragma: no cover - an interactive session keeps its backend
            pass
    matplotlib.rcParams.update(_STYLE)


#: rcParams that name how figures are shown, not how they are drawn (left out of style_key).
_NOT_STYLE = frozenset({"backend", "backend_fallback", "interactive", "figure.max_open_warning"})


def style_value(name: str) -> Any:
    """The rcParam ``name`` as a figure drawn in the house style (:func:`apply_house_style`) sees it."""
    import matplotlib

    return _STYLE.get(name, matplotlib.rcParams[name])


def style_key() -> str:
    """SHA-256 of every rcParam a figure drawn in the house style sees (the house settings over the
    current ones), for keys of drawn pixels (:func:`analysis.present.base_keys.drawing_key`)."""
    import hashlib

    import matplotlib

    settings = {**dict(matplotlib.rcParams), **_STYLE}
    text = "\n".join(f"{name}={settings[name]!r}" for name in sorted(settings) if name not in _NOT_STYLE)
    return hashlib.sha256(text.encode()).hexdigest()


_DETACHED: list[bool] = []


@contextmanager
def detached():
    """Figures made inside are plain ``matplotlib.figure.Figure`` objects, not pyplot's.

    For figures never shown, only drawn to pixels (the bases of :mod:`analysis.present.layers`):
    a batch's kernel template draws them before any kernel has chosen its pyplot backend.
    """
    _DETACHED.append(True)
    try:
        yield
    finally:
        _DETACHED.pop()


def blank_figure(width: float, height: float, layout: str | None = None):
    """An empty figure in the house style (pyplot's, unless made inside :func:`detached`), on a
    canvas measuring text through the process's cache (:mod:`analysis.present.text_sizes`)."""
    apply_house_style()
    from analysis.present import text_sizes

    if _DETACHED:
        from matplotlib.figure import Figure

        return text_sizes.attach(Figure(figsize=(width, height), layout=layout))
    import matplotlib.pyplot as plt

    return text_sizes.attach(plt.figure(figsize=(width, height), layout=layout))


def new_figure(width: float = 7.5, height: float = 4.0):
    """A figure and axes in the house style, laid out by constrained layout (:func:`blank_figure`)."""
    fig = blank_figure(width, height, layout="constrained")
    return fig, fig.subplots()


def saved_region(fig, pad: float | None = None) -> tuple[int, int, int, int]:
    """The part of a laid-out figure a report saves: everything drawn, padded, in whole pixels.

    Matplotlib's ``bbox_inches="tight"`` (the extent of every artist, padded by
    ``savefig.pad_inches``), snapped outwards to whole pixels at the house dpi, as
    (x0, y0, x1, y1) in figure pixels. Whole pixels make the saved image start on the pixel
    grid the figure was drawn on, so a figure composed over a base's pixels
    (:mod:`analysis.present.layers`) saves the same pixels as one drawn from scratch. Call
    after the figure was laid out (``fig.draw_without_rendering()``).
    """
    import math

    import matplotlib

    pad = matplotlib.rcParams["savefig.pad_inches"] if pad is None else pad
    box = fig.get_tightbbox().padded(pad)
    dpi = config.FIGURE_DPI
    return (
        math.floor(box.x0 * dpi + 1e-6),
        math.floor(box.y0 * dpi + 1e-6),
        math.ceil(box.x1 * dpi - 1e-6),
        math.ceil(box.y1 * dpi - 1e-6),
    )


def region_inches(region: tuple[int, int, int, int]):
    """A :func:`saved_region` as the ``bbox_inches`` of ``savefig`` (a hair over, so no pixel is lost to rounding)."""
    from matplotlib.transforms import Bbox

    x0, y0, x1, y1 = region
    dpi = config.FIGURE_DPI
    return Bbox.from_bounds(x0 / dpi, y0 / dpi, (x1 - x0 + 1e-6) / dpi, (y1 - y0 + 1e-6) / dpi)


def region_pixels(fig, region: tuple[int, int, int, int], *, facecolor: Any = None):
    """The saved region of a laid-out figure drawn as ``savefig`` draws it: RGBA pixels, top row first.

    Parameters
    ----------
    fig
        A figure laid out already (no layout engine is run here).
    region
        A :func:`saved_region`.
    facecolor
        The figure's background in the drawing (default ``savefig.facecolor``); ``"none"``
        draws it transparent, for compositing over other pixels (:mod:`analysis.present.layers`).

    Returns
    -------
    numpy.ndarray
        ``uint8`` of shape (height, width, 4), straight (not premultiplied) alpha, as Agg draws.
    """
    import numpy as np

    x0, y0, x1, y1 = region
    buffer = io.BytesIO()
    options = {} if facecolor is None else {"facecolor": facecolor}
    fig.savefig(buffer, format="rgba", dpi=config.FIGURE_DPI, bbox_inches=region_inches(region), **options)
    data = buffer.getbuffer()
    if len(data) != (x1 - x0) * (y1 - y0) * 4:
        raise RuntimeError(f"Drew {len(data)} bytes for a saved region of {x1 - x0} x {y1 - y0} pixels.")
    return np.frombuffer(data, dtype=np.uint8).reshape(y1 - y0, x1 - x0, 4)


def background(fig) -> tuple[int, int, int, int]:
    """The RGBA (0-255) ``savefig`` leaves under a figure's artists.

    ``savefig.facecolor`` (the figure's own when "auto") painted on Agg's cleared canvas, which
    is (255, 255, 255, 0): a transparent background stays (255, 255, 255, 0); any other colour
    is copied, as Agg copies a colour onto a transparent pixel.
    """
    import matplotlib
    from matplotlib.colors import to_rgba

    colour = matplotlib.rcParams["savefig.facecolor"]
    if isinstance(colour, str) and colour == "auto":
        colour = fig.get_facecolor()
    red, green, blue, alpha = (int(channel * 255 + 0.5) for channel in to_rgba(colour))
    return (red, green, blue, alpha) if alpha else (255, 255, 255, 0)


def png_bytes(pixels) -> bytes:
    """RGBA pixels (height, width, 4) as a report's PNG: house dpi, no metadata, the same picture.

    Written here to the PNG specification (W3C, *Portable Network Graphics (PNG) Specification*,
    2nd edition, ISO/IEC 15948:2003): truecolour (colour type 2) when every pixel is opaque, else
    truecolour with alpha (type 6), 8 bits a channel, every row unfiltered (filter type 0), the
    rows deflated by zlib at ``config.FIGURE_PNG_COMPRESS_LEVEL``, the dpi in a ``pHYs`` chunk
    (pixels per metre, rounded as Pillow rounds it). Decoded, it gives the pixels Pillow's or
    matplotlib's ``savefig(format="png")`` PNG of them gives; it is written in less than half their
    time and is smaller, as a figure's flat colours deflate better unfiltered than with Pillow's
    adaptive filters (docs/performance.md).
    """
    import struct
    import zlib

    import numpy as np

    pixels = np.asarray(pixels)
    if pixels.ndim != 3 or pixels.shape[2] != 4 or pixels.dtype != np.uint8 or 0 in pixels.shape[:2]:
        raise ValueError(
            f"Cannot write a PNG of pixels of shape {pixels.shape} and type {pixels.dtype}: need RGBA uint8."
        )
    height, width = pixels.shape[:2]
    opaque = bool(pixels[..., 3].min() == 255)
    channels = 3 if opaque else 4
    rows = np.empty((height, 1 + width * channels), dtype=np.uint8)
    rows[:, 0] = 0  # filter type 0 (None) on every row
    rows[:, 1:].reshape(height, width, channels)[...] = pixels[..., :channels]
    per_metre = int(config.FIGURE_DPI / 0.0254 + 0.5)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2 if opaque else 6, 0, 0, 0)),
            chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
            chunk(b"IDAT", zlib.compress(rows, config.FIGURE_PNG_COMPRESS_LEVEL)),
            chunk(b"IEND", b""),
        ]
    )


def add_source_note(fig, text: str) -> None:
    """Write a source / attribution line at the foot of a figure, wrapped to the figure's width.

    Wrapped here, once per text and width (:func:`wrapped`), as matplotlib's ``wrap=True``
    would wrap it, and drawn as lines: matplotlib re-wraps a ``wrap=True`` text on every
    measure and draw, measuring it word by word each time.
    """
    note = fig.text(0.0, -0.02, text, ha="left", va="top", fontsize=7.5, color="#444444", transform=fig.transFigure)
    note.set_text(wrapped(text, note.get_fontproperties(), fig.get_figwidth() * config.FIGURE_DPI))


def wrapped(text: str, font, width: float) -> str:
    """``text`` broken into lines no wider than ``width`` pixels at the house dpi, as matplotlib wraps it.

    Matplotlib's ``Text(wrap=True)`` (``matplotlib/text.py``, 3.x) breaks each line of the text
    at spaces, each line taking as many words as fit, a line's width being its rendered width
    in whole pixels (rounded up) as the Agg renderer measures it; a text at x = 0 of the figure,
    left-aligned and unrotated, may be as wide as the figure. A word wider than the line is
    kept whole on a line of its own. Text with mathtext (``$...$``) is left as it is.

    Parameters
    ----------
    text
        The text (may hold newlines, which always break).
    font
        Its :class:`matplotlib.font_manager.FontProperties`.
    width
        The widest line, in pixels at :data:`analysis.config.FIGURE_DPI`.
    """
    if width <= 0:
        raise ValueError(f"Cannot wrap text to a width of {width} pixels.")
    return _wrapped(text, font.copy(), float(width))


@functools.lru_cache(maxsize=512)
def _wrapped(text: str, font, width: float) -> str:
    import math

    from matplotlib import cbook

    if cbook.is_math_text(text):
        return text
    from analysis.present import text_sizes

    lines = []
    for paragraph in text.split("\n"):
        words = paragraph.split(" ")
        while words:
            taken = 1
            while taken < len(words):
                line = " ".join(words[: taken + 1])
                if math.ceil(text_sizes.size(line, font, config.FIGURE_DPI)[0]) > width:
                    break
                taken += 1
            lines.append(" ".join(words[:taken]))
            words = words[taken:]
    return "\n".join(lines)


def _finish(fig, ax, *, xlabel: str = "", title: str = "", source: str | None = None, horizontal_grid: bool = True):
    """Label the x axis, set the title and source note; return the figure."""
    ax.set_xlabel(xlabel)
    if not horizontal_grid:
        ax.grid(axis="y", visible=False)
    if title:
        ax.set_title(title, loc="left")
    if source:
        add_source_note(fig, source)
    return fig


def bar_with_intervals(
    frame: pd.DataFrame,
    category: str,
    value: str,
    *,
    lower: str | None = None,
    upper: str | None = None,
    highlight: Sequence[str] = (),
    xlabel: str = "",
    title: str = "",
    source: str | None = None,
):
    """Horizontal bars with optional interval whiskers; ``highlight`` categories in the accent colour."""
    fig, ax = new_figure(7.5, max(2.2, 0.42 * len(frame) + 1.0))
    y = range(len(frame))
    colours = [config.COLOUR_HIGHLIGHT if c in set(highlight) else config.COLOUR_PRIMARY for c in frame[category]]
    ax.barh(list(y), frame[value], color=colours, edgecolor="black", linewidth=0.4)
    if lower and upper:
        err = [(frame[value] - frame[lower]).clip(lower=0), (frame[upper] - frame[value]).clip(lower=0)]
        ax.errorbar(frame[value], list(y), xerr=err, fmt="none", ecolor="black", elinewidth=1, capsize=3)
    ax.set_yticks(list(y), frame[category].astype(str))
    ax.invert_yaxis()
    return _finish(fig, ax, xlabel=xlabel, title=title, source=source, horizontal_grid=False)


def dot_plot_with_intervals(
    frame: pd.DataFrame,
    label: str,
    value: str,
    lower: str,
    upper: str,
    *,
    highlight: Sequence[str] = (),
    reference: float | None = None,
    reference_label: str = "England",
    xlabel: str = "",
    title: str = "",
    source: str | None = None,
):
    """Ranked dots with interval lines (e.g. authorities in a region) and a reference line."""
    ranked = frame.sort_values(value, ascending=True).reset_index(drop=True)
    fig, ax = new_figure(7.5, max(2.5, 0.3 * len(ranked) + 1.2))
    chosen = set(highlight)
    for i, row in ranked.iterrows():
        colour = config.COLOUR_HIGHLIGHT if row[label] in chosen else config.COLOUR_PRIMARY
        ax.plot([row[lower], row[upper]], [i, i], color=colour, linewidth=1.4)
        ax.plot(
            row[value],
            i,
            "o",
            color=colour,
            markersize=6 if row[label] in chosen else 4.5,
            markeredgecolor="black",
            markeredgewidth=0.5,
        )
    ax.set_yticks(range(len(ranked)), ranked[label].astype(str))
    for tick in ax.get_yticklabels():
        if tick.get_text() in chosen:
            tick.set_fontweight("bold")
    if reference is not None:
        ax.axvline(reference, color="black", linestyle="--", linewidth=1)
        ax.annotate(
            reference_label,
            (reference, len(ranked) - 0.5),
            xytext=(3, 0),
            textcoords="offset points",
            annotation_clip=False,
            fontsize=8,
            va="bottom",
        )
    return _finish(fig, ax, xlabel=xlabel, title=title, source=source, horizontal_grid=False)


def population_pyramid(
    area: pd.DataFrame,
    comparator: pd.DataFrame | None = None,
    *,
    band_width: int = 5,
    area_label: str = "Area",
    comparator_label: str = "England",
    title: str = "",
    source: str | None = None,
):
    """Population pyramid as % of the total by age band and sex, with an outline comparator.

    ``area`` and ``comparator`` are rows of the processed ``population`` table (female and
    male rows, single years of age).
    """

    def shares(frame: pd.DataFrame) -> pd.DataFrame:
        sexed = frame[frame["sex"].isin(["female", "male"])].copy()
        sexed["band"] = (sexed["age"] // band_width * band_width).clip(upper=90)
        table = sexed.pivot_table(index="band", columns="sex", values="population", aggfunc="sum")
        return table / table.to_numpy().sum() * 100

    mine = shares(area)
    fig, ax = new_figure(7.0, 5.0)
    ax.barh(
        mine.index, -mine["male"], height=band_width * 0.9, color=config.COLOUR_PRIMARY, label=f"{area_label}: male"
    )
    ax.barh(
        mine.index,
        mine["female"],
        height=band_width * 0.9,
        color=config.COLOUR_HIGHLIGHT,
        label=f"{area_label}: female",
    )
    if comparator is not None:
        other = shares(comparator)
        ax.step(-other["male"], other.index, where="mid", color="black", linewidth=1.2, label=comparator_label)
        ax.step(other["female"], other.index, where="mid", color="black", linewidth=1.2)
    ticks = ax.get_xticks()
    ax.set_xticks(ticks, [f"{format_number(abs(t))}%" for t in ticks])
    ax.set_yticks(
        list(mine.index), [f"{b}-{b + band_width - 1}" if b < 90 else "90+" for b in mine.index], fontsize=7.5
    )
    ax.legend(loc="lower right", fontsize=8)
    return _finish(
        fig, ax, xlabel="Share of the total population (%); males left, females right", title=title, source=source
    )


def bars_with_reference(
    frame: pd.DataFrame,
    category: str,
    value: str,
    *,
    reference: float | None = None,
    reference_label: str = "",
    lower: str | None = None,
    upper: str | None = None,
    missing_labels: Sequence[str] | None = None,
    highlight: Sequence[str] = (),
    decimals: int = 0,
    xlabel: str = "",
    title: str = "",
    source: str | None = None,
):
    """Horizontal bars against a reference line; a missing value is labelled, never drawn as zero.

    Built on :func:`bar_with_intervals` (whiskers where ``lower``/``upper`` are given and
    known). Each bar carries its value (after its whisker); each missing value carries its
    entry of ``missing_labels`` (default "no data"). The reference line is named in a legend.
    """
    import math

    def numbers(column: str | None) -> list[float]:
        if column is None:
            return [math.nan] * len(frame)
        return [float(v) if v is not None and not pd.isna(v) else math.nan for v in frame[column]]

    fig = bar_with_intervals(
        frame, category, value, lower=lower, upper=upper, highlight=highlight, xlabel=xlabel, title=title, source=source
    )
    ax = fig.axes[0]
    labels = list(missing_labels) if missing_labels is not None else ["no data"] * len(frame)
    values, tops = numbers(value), numbers(upper)
    known = [v for v in values + tops if not math.isnan(v)]
    right = max(known + ([reference] if reference is not None else []) + [1.0])
    for position, (number, top, label) in enumerate(zip(values, tops, labels)):
        if math.isnan(number):
            ax.text(
                right * 0.01, position, label, va="center", ha="left", fontsize=8.5, style="italic", color="#444444"
            )
        else:
            ax.text(
                number if math.isnan(top) else max(number, top),
                position,
                f" {format_number(number, decimals)}",
                va="center",
                ha="left",
                fontsize=8.5,
            )
    if reference is not None:
        ax.axvline(reference, color="black", linestyle="--", linewidth=1.1, label=reference_label or None)
        if reference_label:
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    ax.set_xlim(0, right * 1.18)
    ax.set_ylim(len(frame) - 0.5, -0.5)  # keep rows without a bar inside the axes
    return fig
