"""Figures drawn in two layers: a base that many reports share, drawn once per process, and an overlay of their own.

Every England map and funnel plot of an indicator is the same for every authority except the
highlighted authority (outline, label, legend entry); every region map and dot plot is the same
for every authority of a region except the highlight and the labels. :func:`layered` draws the
shared part (the *base*: polygons, classes, legend, scale bar, title, source note, axes, ticks)
once, keeps it as pixels, and for each report draws only the overlay over those pixels.

How the look is kept: the base figure is laid out once (its constrained layout is run, then
frozen: :func:`freeze`), and the overlay is drawn against that frozen layout in both routes:

* **from scratch** (``ANALYSIS_FIGURE_BASES=0``): the base figure is built, frozen, and the
  overlay is added to it: one ordinary figure;
* **fast** (the default): a figure of the same size holds the base's pixels
  (:meth:`matplotlib.figure.Figure.figimage`, one pixel per pixel, no resampling) under an axes
  at the base axes' exact position and limits, and the overlay is drawn in that axes. A report
  saves it (:func:`saved_image`) without matplotlib's image pipeline, which would resample and
  normalise those pixels on every draw: the overlay alone is drawn on a transparent background
  and alpha-composited (:func:`blend`) over the base's pixels on the figure's background. Saved any
  other way (``savefig``), the figure draws its base image itself: the same picture.

Overlay artists are drawn above every base artist in both routes (their z-order is raised by
:data:`OVERLAY_ZORDER`), and the saved region of a figure is snapped to whole pixels
(:func:`analysis.present.plots.saved_region`), so both routes give the same pixels up to
rounding at anti-aliased edges (``tests/test_layers.py`` compares them).

Bases are kept per process (a batch kernel, the floor, a test), at most :data:`MAX_BASES`, least
recently used dropped first, keyed by what they are drawn from (the indicator's declaration,
its values, the classes, the region, the boundaries' version): nothing outlives its data.
They are kept on disk too (:mod:`analysis.data.disk_cache`, kind :data:`KIND`), so a base is
drawn once per machine, under the key :func:`analysis.present.base_keys.disk_key` writes as text
that is the same in every process, with everything else that shapes the pixels; a key naming
what only one process sees is kept in memory only.
Kernel templates started together share the drawing (:func:`warm`).
"""

from __future__ import annotations

import weakref
import zlib
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from analysis import config, files
from analysis.data import disk_cache
from analysis.present import plots
from analysis.present.base_keys import KIND, disk_key

ENV = "ANALYSIS_FIGURE_BASES"
#: Bases kept per process (an England map base is about 3 MB of pixels, kept compressed: ~0.1 MB).
MAX_BASES = 256
#: Added to the z-order of every overlay artist, so the overlay is drawn above the whole base.
OVERLAY_ZORDER = 10.0
#: Lock files that kernel templates warming together share (a base's lock is chosen by its key).
LOCKS = 64
#: Seconds a template waits for another's base before drawing it itself.
LOCK_WAIT_SECONDS = 300.0

_BASES: OrderedDict[Hashable, Base] = OrderedDict()
_SEEN: OrderedDict[Hashable, None] = OrderedDict()  # keys asked for once, base not drawn
#: Each figure composed over a base, while it lives: (its base image artist, the base's pixels, the base).
_COMPOSED: weakref.WeakKeyDictionary[Any, tuple[Any, np.ndarray, Base]] = weakref.WeakKeyDictionary()
#: Figures composed over a held base ahead of use (:func:`prepare`), one per base, each taken once.
_READY: dict[Hashable, tuple[Any, Any, Base]] = {}


def enabled() -> bool:
    """False when ``ANALYSIS_FIGURE_BASES`` is 0 / false / no / off (every figure drawn from scratch)."""
    return config.switched_on(ENV)


def clear() -> None:
    """Forget every base drawn (and every figure asked for or composed ahead) in this process."""
    _BASES.clear()
    _SEEN.clear()
    _READY.clear()


def held() -> int:
    """How many bases this process holds."""
    return len(_BASES)


@dataclass(frozen=True)
class Frame:
    """Where a frozen base figure put things: what an overlay is drawn against.

    ``size`` is the figure's size in inches; ``position`` the axes' box (after its aspect was
    applied) in figure fraction; ``xlim``/``ylim``/``xscale`` the axes' data limits and scale;
    ``boxes`` named boxes (x0, y0, x1, y1) in figure pixels at the house dpi, e.g. the legend.
    """

    size: tuple[float, float]
    position: tuple[float, float, float, float]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    xscale: str
    boxes: dict[str, tuple[float, float, float, float]]


@dataclass(frozen=True)
class Base:
    """A frozen base figure as pixels: its :class:`Frame`, its extent and its pixels (RGBA, compressed)."""

    frame: Frame
    extent: tuple[float, float, float, float]  # every base artist, (x0, y0, x1, y1) in inches
    region: tuple[int, int, int, int]  # the pixels kept, (x0, y0, x1, y1) in figure pixels
    pixels: bytes
    opaque: bool = True  # every pixel of full alpha (a base saved on an opaque background)

    def image(self) -> np.ndarray:
        x0, y0, x1, y1 = self.region
        return np.frombuffer(zlib.decompress(self.pixels), dtype=np.uint8).reshape(y1 - y0, x1 - x0, 4)


def freeze(fig, ax, boxes: dict[str, Any] | None = None) -> Frame:
    """Run the figure's layout once and keep it (no layout engine afterwards); return its :class:`Frame`.

    ``boxes`` names artists whose drawn extent an overlay needs (e.g. ``{"legend": legend}``).
    """
    engine = fig.get_layout_engine()
    if engine is not None:  # the canvas's renderer, which later measures the figure's extent too
        engine.execute(fig)
    fig.set_layout_engine(None)
    ax.apply_aspect()
    ax.set_xlim(ax.get_xlim())  # and no autoscaling: an overlay's artists never move the limits
    ax.set_ylim(ax.get_ylim())
    position = ax.get_position(original=False)
    found = {}
    for name, artist in (boxes or {}).items():
        box = artist.get_window_extent()
        found[name] = (float(box.x0), float(box.y0), float(box.x1), float(box.y1))
    return Frame(
        size=tuple(float(v) for v in fig.get_size_inches()),
        position=(float(position.x0), float(position.y0), float(position.width), float(position.height)),
        xlim=tuple(float(v) for v in ax.get_xlim()),
        ylim=tuple(float(v) for v in ax.get_ylim()),
        xscale=ax.get_xscale(),
        boxes=found,
    )


def corner(frame: Frame, name: str) -> tuple[str, tuple[float, float]]:
    """A ``loc`` and ``bbox_to_anchor`` (axes fraction) that pin a legend where the named box was.

    The legend is pinned by the box's corner nearest the axes' own corner (upper right for a box
    in the axes' upper right half, and so on), so a narrower legend stays in that corner.
    Use with ``borderaxespad=0``.
    """
    x0, y0, x1, y1 = frame.boxes[name]
    dpi = config.FIGURE_DPI
    left, bottom, width, height = (
        frame.position[0] * frame.size[0] * dpi,
        frame.position[1] * frame.size[1] * dpi,
        frame.position[2] * frame.size[0] * dpi,
        frame.position[3] * frame.size[1] * dpi,
    )
    right = (x0 + x1) / 2 > left + width / 2
    upper = (y0 + y1) / 2 > bottom + height / 2
    x = ((x1 if right else x0) - left) / width
    y = ((y1 if upper else y0) - bottom) / height
    return f"{'upper' if upper else 'lower'} {'right' if right else 'left'}", (x, y)


def relabel(fig, frame: Frame, name: str, text: str, **style: Any) -> None:
    """Write ``text`` where the base wrote the text of box ``name`` (e.g. a tick label, in bold).

    A white box hides the base's text; the new text is right-aligned on the old one's right edge
    and centred on its middle, in the tick labels' font size unless ``style`` says otherwise.
    """
    import matplotlib
    from matplotlib.font_manager import FontProperties
    from matplotlib.patches import Rectangle

    x0, y0, x1, y1 = frame.boxes[name]
    width, height = (side * config.FIGURE_DPI for side in frame.size)
    fig.add_artist(
        Rectangle(
            ((x0 - 1) / width, (y0 - 1) / height),
            (x1 - x0 + 2) / width,
            (y1 - y0 + 2) / height,
            transform=fig.transFigure,
            facecolor="white",
            edgecolor="none",
        )
    )
    size = FontProperties(size=matplotlib.rcParams["ytick.labelsize"]).get_size_in_points()
    fig.text(x1 / width, (y0 + y1) / 2 / height, text, ha="right", va="center", **{"fontsize": size, **style})


def _raise_overlay(artists: list) -> None:
    for artist in artists:
        artist.set_zorder(artist.get_zorder() + OVERLAY_ZORDER)


def _new_artists(fig, ax, before: set[int]) -> list:
    return [a for a in [*ax.get_children(), *fig.get_children()] if id(a) not in before]


def _render(draw_base: Callable[[], tuple[Any, Any, Frame]]) -> Base:
    """Draw a base once and keep its pixels: the region a report would save of the base alone.

    That region's top-left corner is where the composed figure's saved region starts too
    (an overlay stays inside the base's extent to the left and above), and hatching is
    tiled from that corner, so the base's hatches line up with a figure drawn from scratch.
    """
    with plots.detached():
        fig, _ax, frame = draw_base()
    extent = fig.get_tightbbox()
    region = plots.saved_region(fig)
    pixels = plots.region_pixels(fig, region)
    return Base(
        frame=frame,
        extent=(float(extent.x0), float(extent.y0), float(extent.x1), float(extent.y1)),
        region=region,
        pixels=zlib.compress(pixels, 1),
        opaque=bool(pixels[..., 3].min() == 255),
    )


def _usable(found: Any) -> bool:
    """True for a whole :class:`Base` read back from disk (its pixels fill its region)."""
    try:
        x0, y0, x1, y1 = found.region
        return (
            isinstance(found, Base)
            and isinstance(found.frame, Frame)
            and len(zlib.decompress(found.pixels)) == (x1 - x0) * (y1 - y0) * 4
        )
    except Exception:
        return False


def _keep(key: Hashable, drawn: Base) -> Base:
    _BASES[key] = drawn
    _BASES.move_to_end(key)
    while len(_BASES) > MAX_BASES:
        _BASES.popitem(last=False)
    return drawn


def _held(key: Hashable, stored: str | None = None) -> Base | None:
    """The base for ``key`` this process holds, or the one on disk under ``stored`` (default: its
    :func:`disk_key`, worked out only when this process does not hold it), then held too; else None."""
    found = _BASES.get(key)
    if found is not None:
        _BASES.move_to_end(key)
        return found
    stored = stored if stored is not None else disk_key(key)
    found = disk_cache.load(KIND, stored) if stored is not None else None
    return _keep(key, found) if _usable(found) else None


def base(key: Hashable, draw_base: Callable[[], tuple[Any, Any, Frame]]) -> Base:
    """The base for ``key``: held in this process, else read from disk, else drawn by ``draw_base``
    and kept in both."""
    found = _BASES.get(key)
    if found is not None:
        _BASES.move_to_end(key)
        return found
    stored = disk_key(key)
    found = _held(key, stored)
    if found is None:
        found = _keep(key, _render(draw_base))
        if stored is not None:
            disk_cache.store(KIND, stored, found)
    return found


def lock_path(stored: str) -> Path:
    """The lock file templates warming together take for the base kept under ``stored`` (:func:`warm`)."""
    return config.INTERIM_DIR / disk_cache.FOLDER / f"{KIND}-locks" / f"{int(stored[:8], 16) % LOCKS}.lock"


def warm(wanted: Sequence[tuple[Hashable, Callable[[], tuple[Any, Any, Frame]]]]) -> int:
    """Hold every base of ``wanted`` (``(key, draw_base)`` pairs); return how many are held.

    Processes warming at once (a batch's kernel templates) share the drawing: each walks the
    list, takes a base whose lock (one of :data:`LOCKS` files, :func:`analysis.files.file_lock`)
    is free, reads it from disk if another process wrote it meanwhile or else draws and stores
    it, and passes over a base another process is drawing; then it waits (up to
    :data:`LOCK_WAIT_SECONDS`) for those and reads them, drawing one itself only if none was written.
    """
    from filelock import Timeout

    later = []
    for key, draw_base in wanted:
        if key in _BASES:
            continue
        stored = disk_key(key)
        if _held(key, stored) is not None:
            continue
        if stored is None or not disk_cache.enabled():
            base(key, draw_base)
            continue
        try:
            with files.file_lock(lock_path(stored), timeout=0):
                base(key, draw_base)
        except Timeout:
            later.append((key, draw_base, stored))
    for key, draw_base, stored in later:
        try:
            with files.file_lock(lock_path(stored), timeout=LOCK_WAIT_SECONDS):
                base(key, draw_base)
        except Timeout:
            base(key, draw_base)
    return sum(1 for key, _ in wanted if key in _BASES)


def _compose(drawn: Base):
    """A figure of the base's size: an empty axes where the base's was, and the base's extent held open."""
    from matplotlib.patches import Rectangle

    frame = drawn.frame
    fig = plots.blank_figure(*frame.size)
    ax = fig.add_axes(frame.position)
    ax.set_xscale(frame.xscale)
    ax.set_xlim(frame.xlim)
    ax.set_ylim(frame.ylim)
    ax.set_axis_off()
    x0, y0, x1, y1 = drawn.extent
    # Invisible, but counted by the saved region: the figure saves what the base figure would.
    fig.add_artist(
        Rectangle((x0, y0), x1 - x0, y1 - y0, transform=fig.dpi_scale_trans, facecolor="none", edgecolor="none")
    )
    return fig, ax


def prepare(keys: Sequence[Hashable]) -> int:
    """Compose, for the base of each of ``keys`` this process holds, one figure ahead of use; return how many are ready.

    Making a figure and its axes is most of what composing costs (about 5 ms a figure, a
    tenth of a report map's drawing). A batch's kernel template calls this after drawing its
    bases (:func:`analysis.present.maps.warm_bases`): each kernel forked from it finds every
    such figure made, in its own copy of the template's memory, and :func:`layered` takes it
    instead of making one; a second figure over the same base is composed as usual. The
    figures are plain ``matplotlib.figure.Figure`` objects, not pyplot's (:func:`analysis.present.plots.detached`),
    so none is shown by a kernel's inline backend unless a report draws it.
    """
    with plots.detached():
        for key in keys:
            drawn = _BASES.get(key)
            if drawn is not None and key not in _READY:
                _READY[key] = (*_compose(drawn), drawn)
    return len(_READY)


def _composed(key: Hashable, drawn: Base):
    """A figure and axes over ``drawn`` (the base of ``key``): one made ahead (:func:`prepare`), else a new one."""
    ready = _READY.pop(key, None)
    if ready is not None and ready[2] is drawn:
        return ready[0], ready[1]
    return _compose(drawn)


def _first_sight(key: Hashable) -> bool:
    """True the first time this process asks for ``key`` (and has not drawn its base).

    A figure whose base nobody else has asked for yet is drawn from scratch (one figure is cheaper
    than a base and a composition); its base is drawn the second time, for that figure and every
    later one. A kernel forked from a warmed template finds its bases drawn.
    """
    if key in _BASES or key in _SEEN:
        return False
    _SEEN[key] = None
    while len(_SEEN) > 4 * MAX_BASES:
        _SEEN.popitem(last=False)
    return True


def layered(
    key: Hashable,
    draw_base: Callable[[], tuple[Any, Any, Frame]],
    draw_overlay: Callable[[Any, Any, Frame], None],
):
    """A figure drawn as a shared base under an overlay of its own (see the module docstring).

    Parameters
    ----------
    key
        What the base is drawn from (hashable); equal keys must give equal bases.
    draw_base
        Draws the base: returns ``(fig, ax, frame)``, the figure frozen by :func:`freeze`.
    draw_overlay
        ``draw_overlay(fig, ax, frame)`` adds what is this figure's own to ``ax`` (data
        coordinates) or ``fig`` (figure fraction, or ``frame.boxes`` in figure pixels).

    Returns
    -------
    matplotlib.figure.Figure
        Drawn from scratch when :func:`enabled` is False or the first time this process asks for
        ``key`` (:func:`_first_sight`) when no base for it is on disk, else over the base for ``key``.
    """
    drawn = _held(key) if enabled() else None
    if drawn is None and (not enabled() or _first_sight(key)):
        fig, ax, frame = draw_base()
        before = {id(a) for a in [*ax.get_children(), *fig.get_children()]}
        draw_overlay(fig, ax, frame)
        _raise_overlay(_new_artists(fig, ax, before))
        return fig
    if drawn is None:
        drawn = base(key, draw_base)
    fig, ax = _composed(key, drawn)
    before = {id(a) for a in [*ax.get_children(), *fig.get_children()]}
    draw_overlay(fig, ax, drawn.frame)
    _raise_overlay(_new_artists(fig, ax, before))
    # Where the saved figure will start (whole pixels): the base's pixels go there, one for one.
    x0, y0, _, _ = plots.saved_region(fig)
    pixels = drawn.image()
    image = fig.figimage(pixels, xo=drawn.region[0] - x0, yo=drawn.region[1] - y0, origin="upper")
    image.set_zorder(-1)
    _COMPOSED[fig] = (image, pixels, drawn)
    return fig


def saved_image(fig, region: tuple[int, int, int, int]) -> np.ndarray:
    """The saved region of a laid-out figure as a report saves it: RGBA pixels, top row first.

    A figure :func:`layered` composed over a base is drawn without its base image, on a
    transparent background, and blended (:func:`blend`) over the base's pixels, placed where
    the base's saved region lies in ``region``, on the figure's background
    (:func:`analysis.present.plots.background`): what matplotlib draws with the image, without
    resampling and normalising the base's pixels on the way. Any other figure is drawn as
    ``savefig`` draws it (:func:`analysis.present.plots.region_pixels`).
    """
    composed = _COMPOSED.get(fig)
    if composed is None or composed[0] not in fig.images or not composed[0].get_visible():
        return plots.region_pixels(fig, region)
    image, pixels, drawn = composed
    image.set_visible(False)
    try:
        overlay = plots.region_pixels(fig, region, facecolor="none")
    finally:
        image.set_visible(True)
    x0, _, _, y1 = region
    height, width = overlay.shape[:2]
    left, top = drawn.region[0] - x0, y1 - drawn.region[3]  # the base's top-left corner, in the picture
    rows = slice(max(0, top), max(0, min(height, top + pixels.shape[0])))
    columns = slice(max(0, left), max(0, min(width, left + pixels.shape[1])))
    shown = pixels[rows.start - top : rows.stop - top, columns.start - left : columns.stop - left]
    picture = np.empty_like(overlay)
    background = np.array(plots.background(fig), dtype=np.uint8)
    if drawn.opaque and shown.size:  # the base's pixels copied, the background painted around them
        picture[: rows.start] = background
        picture[rows.stop :] = background
        picture[rows, : columns.start] = background
        picture[rows, columns.stop :] = background
        picture[rows, columns] = shown
    else:
        picture[...] = background
        blend(picture[rows, columns], shown)
    blend(picture, overlay)
    return picture


def blend(under: np.ndarray, over: np.ndarray) -> None:
    """Blend RGBA pixels ``over`` onto ``under`` (same shape, ``uint8``, straight alpha) in place, as Agg does.

    Matplotlib's Agg renderer blends each drawn pixel of colour (r, g, b) and alpha a onto a
    pixel (R, G, B) of alpha A in integers (``fixed_blender_rgba_plain`` in matplotlib's
    ``src/agg_workaround.h``): an opaque pixel is copied; otherwise, with
    ``s = ((a + A) << 8) - a * A``, the alpha becomes ``s >> 8`` and each colour
    ``((r << 8) - R * A) * a + ((R * A) << 8)) // s``. Drawn on a transparent background, a
    pixel keeps its (r, g, b, a) exactly, so blending it with this arithmetic onto the base
    gives the pixel matplotlib draws over the base itself; only where two overlay artists
    overlap may a pixel differ, by a level or two.
    """
    if under.shape != over.shape:
        raise ValueError(f"Cannot blend pixels of shape {over.shape} onto {under.shape}.")
    alpha = over[..., 3]
    at = np.flatnonzero(alpha)  # the pixels drawn (an overlay's are few)
    if not len(at):
        return
    rows, columns = np.unravel_index(at, alpha.shape)
    source = over[rows, columns].astype(np.int64)
    target = under[rows, columns].astype(np.int64)
    a, a_under = source[:, 3:], target[:, 3:]
    kept = target[:, :3] * a_under
    total = ((a + a_under) << 8) - a * a_under
    blended = np.empty_like(source)
    blended[:, :3] = (((source[:, :3] << 8) - kept) * a + (kept << 8)) // total
    blended[:, 3:] = total >> 8
    opaque = a[:, 0] == 255
    blended[opaque] = source[opaque]
    under[rows, columns] = blended.astype(np.uint8)
