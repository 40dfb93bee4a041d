"""Text sizes measured once per process, for every figure's layout and drawing.

Matplotlib measures a text (width, height, descent: FreeType lays it out glyph by glyph, about
20 microseconds a character) through the renderer that draws it, and keeps what it measured per
renderer object. Every figure has a canvas and renderer of its own, and ``savefig`` with an
explicit ``bbox_inches`` draws on a new renderer of the saved region's size; so each figure
measured every text at least twice (laid out, then drawn), and the same tick labels, legend
entries and source notes again in every figure.

A figure on a :class:`Canvas` (:func:`attach`) draws with a :class:`Renderer`, matplotlib's Agg
renderer (``matplotlib.backends.backend_agg``) whose public ``get_text_width_height_descent``
looks in one cache per process first (:func:`size`), keyed by everything Agg's measure depends
on: the text, the font properties, the dpi, the hinting settings and the font families the
properties resolve through. Sizes are those Agg measures (the same call on a renderer of its
own), so the pictures are the same; only mathtext and TeX are measured by Agg each time.
Imported where a figure is made (it imports matplotlib's Agg backend).
"""

from __future__ import annotations

import functools
from typing import Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg

#: Text sizes kept per process (a report's figures measure a few thousand distinct texts).
MAX_SIZES = 16384
#: rcParams Agg's text measure depends on besides the font properties (hinting; the families a
#: generic family name resolves to).
RC_KEYS = (
    "text.hinting",
    "text.hinting_factor",
    "font.family",
    "font.sans-serif",
    "font.serif",
    "font.monospace",
    "font.cursive",
    "font.fantasy",
)


def size(text: str, font, dpi: float) -> tuple[float, float, float]:
    """(width, height, descent) in pixels of plain ``text`` (no mathtext) in ``font`` at ``dpi``, as Agg measures it."""
    rc = tuple(str(matplotlib.rcParams[name]) for name in RC_KEYS)
    return _size(text, font.copy(), float(dpi), rc)


@functools.lru_cache(maxsize=MAX_SIZES)
def _size(text: str, font, dpi: float, rc: tuple) -> tuple[float, float, float]:
    return RendererAgg.get_text_width_height_descent(_measurer(dpi), text, font, ismath=False)


@functools.lru_cache(maxsize=4)
def _measurer(dpi: float) -> RendererAgg:
    """An Agg renderer at ``dpi``, for text sizes (they do not depend on its size)."""
    return RendererAgg(1, 1, dpi)


class Renderer(RendererAgg):
    """Matplotlib's Agg renderer, measuring plain text through the process's cache (:func:`size`)."""

    def get_text_width_height_descent(self, s, prop, ismath):
        if ismath is False:
            return size(s, prop, self.dpi)
        return super().get_text_width_height_descent(s, prop, ismath)


class Canvas(FigureCanvasAgg):
    """Matplotlib's Agg canvas, drawing with a :class:`Renderer` (kept while its size and dpi stay)."""

    def get_renderer(self) -> Renderer:
        width, height = self.get_width_height(physical=True)
        key = (width, height, self.figure.dpi)
        if getattr(self, "renderer_key", None) != key:
            self.renderer = Renderer(width, height, self.figure.dpi)
            self.renderer_key = key
        return self.renderer


def attach(fig: Any):
    """Put ``fig`` on a :class:`Canvas` (unless it is on one already); return ``fig``.

    A pyplot figure stays pyplot's (``plt.close`` still closes it); only its canvas changes.
    """
    if not isinstance(fig.canvas, Canvas):
        Canvas(fig)
    return fig
