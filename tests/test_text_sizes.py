"""Text measured once per process (analysis.present.text_sizes) measures and draws as matplotlib's Agg does."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import config
from analysis.present import plots, text_sizes


@pytest.fixture(autouse=True)
def close_figures():
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


def test_sizes_are_agg_s_own_and_kept():
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    plots.apply_house_style()
    agg = RendererAgg(50, 50, config.FIGURE_DPI)
    for text, font in [
        ("Newcastle upon Tyne", FontProperties(size=8.5, weight="bold")),
        ("0.92", FontProperties(size=7.5)),
        ("per 1,000 households", FontProperties(size=10, style="italic")),
    ]:
        assert text_sizes.size(text, font, config.FIGURE_DPI) == agg.get_text_width_height_descent(text, font, False)
    before = text_sizes._size.cache_info().hits
    text_sizes.size("0.92", FontProperties(size=7.5), config.FIGURE_DPI)
    assert text_sizes._size.cache_info().hits == before + 1
    bigger = text_sizes.size("0.92", FontProperties(size=7.5), 2 * config.FIGURE_DPI)
    assert bigger[0] > text_sizes.size("0.92", FontProperties(size=7.5), config.FIGURE_DPI)[0]


def test_mathtext_is_measured_by_agg():
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    font = FontProperties(size=10)
    ours = text_sizes.Renderer(50, 50, config.FIGURE_DPI)
    agg = RendererAgg(50, 50, config.FIGURE_DPI)
    assert ours.get_text_width_height_descent(r"$x^2$", font, True) == agg.get_text_width_height_descent(
        r"$x^2$", font, True
    )


def test_a_figure_on_the_canvas_saves_the_pixels_agg_saves():
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    def chart():
        fig, ax = plots.new_figure(5.0, 3.0)
        ax.bar(["North East", "London", "South West"], [1.2, 3.4, 2.2])
        ax.set_title("Fixture chart with a title", loc="left")
        plots.add_source_note(fig, "Fixture source note, long enough to need wrapping onto a second line " * 2)
        return fig

    ours, theirs = chart(), chart()
    assert isinstance(ours.canvas, text_sizes.Canvas)
    FigureCanvasAgg(theirs)
    saved = []
    for fig in (ours, theirs):
        buffer = io.BytesIO()
        fig.savefig(buffer, format="rgba", dpi=config.FIGURE_DPI, bbox_inches="tight")
        saved.append(np.frombuffer(buffer.getvalue(), dtype=np.uint8))
    assert len(saved[0]) == len(saved[1]) and np.array_equal(saved[0], saved[1])


def test_a_pyplot_figure_put_on_the_canvas_is_still_closed_by_pyplot():
    import matplotlib.pyplot as plt

    fig, _ = plt.subplots()
    assert text_sizes.attach(fig) is fig and isinstance(fig.canvas, text_sizes.Canvas)
    canvas = fig.canvas
    assert text_sizes.attach(fig).canvas is canvas  # attached once
    assert plt.fignum_exists(fig.number)
    plt.close(fig)
    assert not plt.fignum_exists(fig.number)
