"""The house figures' pieces (analysis.present.plots): the source note and the PNG a report embeds."""

from __future__ import annotations

import io

import numpy as np
import pytest

from analysis import config
from analysis.present import plots

#: A source note long enough to wrap onto three lines of a narrow figure (a fixture, not a real source).
LONG_NOTE = (
    "Fixture source: a statistical release with a long title, licensed under the Open Government "
    "Licence v3.0; the workspace's own population-weighted scores, with series breaks marked"
)


@pytest.fixture(autouse=True)
def close_figures():
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


def drawn(fig) -> np.ndarray:
    """The whole figure (no tight box, so matplotlib wraps to the figure's width) as RGBA pixels."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


@pytest.mark.parametrize("width", [3.0, 4.5, 7.5])
def test_source_note_is_wrapped_as_matplotlib_wraps_it(width):
    from matplotlib.figure import Figure

    plots.apply_house_style()
    ours, theirs = Figure(figsize=(width, 2.0)), Figure(figsize=(width, 2.0))
    plots.add_source_note(ours, LONG_NOTE)
    ours.texts[0].set_y(0.9)  # moved into the figure, where it is drawn
    theirs.text(0.0, 0.9, LONG_NOTE, ha="left", va="top", fontsize=7.5, color="#444444", wrap=True)
    assert "\n" in ours.texts[0].get_text() and not ours.texts[0].get_wrap()
    assert np.array_equal(drawn(ours), drawn(theirs))


def test_wrapped_lines_fit_and_take_every_word_that_fits():
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    plots.apply_house_style()
    font = FontProperties(size=7.5)
    measure = RendererAgg(10, 10, config.FIGURE_DPI)
    width = 200.0
    lines = plots.wrapped(LONG_NOTE, font, width).split("\n")
    assert " ".join(lines) == LONG_NOTE
    assert len(lines) > 2
    for line, following in zip(lines, lines[1:]):
        assert measure.get_text_width_height_descent(line, font, ismath=False)[0] <= width
        longer = f"{line} {following.split(' ')[0]}"
        assert measure.get_text_width_height_descent(longer, font, ismath=False)[0] > width


def test_a_word_wider_than_the_line_stays_whole_and_newlines_break():
    from matplotlib.font_manager import FontProperties

    font = FontProperties(size=7.5)
    assert (
        plots.wrapped("Unbreakablewordwiderthanthelimit next", font, 20.0) == "Unbreakablewordwiderthanthelimit\nnext"
    )
    assert plots.wrapped("one\ntwo", font, 1000.0) == "one\ntwo"
    with pytest.raises(ValueError, match="width of 0"):
        plots.wrapped("text", font, 0)


def test_png_bytes_decode_to_the_pixels_with_the_house_dpi():
    from PIL import Image

    rng = np.random.default_rng(7)
    opaque = rng.integers(0, 256, size=(5, 7, 4), dtype=np.uint8)
    opaque[..., 3] = 255
    translucent = opaque.copy()
    translucent[2, 3, 3] = 17
    for pixels, mode in ((opaque, "RGB"), (translucent, "RGBA")):
        image = Image.open(io.BytesIO(plots.png_bytes(pixels)))
        assert image.mode == mode and image.size == (7, 5)
        assert image.info["dpi"] == pytest.approx((config.FIGURE_DPI, config.FIGURE_DPI), abs=0.01)
        np.testing.assert_array_equal(np.asarray(image.convert("RGBA")), pixels)


def test_png_bytes_refuse_pixels_that_are_not_rgba():
    with pytest.raises(ValueError, match=r"shape \(5, 7, 3\)"):
        plots.png_bytes(np.zeros((5, 7, 3), dtype=np.uint8))
    with pytest.raises(ValueError, match="float64"):
        plots.png_bytes(np.zeros((5, 7, 4)))
