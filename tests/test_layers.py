"""Figures drawn over a shared base (analysis.present.layers) look like figures drawn from scratch."""

from __future__ import annotations

import io
import subprocess
import sys
import uuid

import numpy as np
import pytest

from analysis import config
from analysis.data import disk_cache
from analysis.methods import areas, indicators
from analysis.present import base_keys, layers, maps, plots, report
from analysis.run import template

#: No pixel may differ by more than MAX_LEVEL (0-255) in any channel (rounding where two overlay
#: artists overlap), and at most MAX_SHARE of the pixels may differ at all.
MAX_LEVEL = 2
MAX_SHARE = 0.005
#: The figures of notebook 03 drawn over a shared base.
LAYERED = {"region_map", "england_map", "funnel", "dot_plot"}


@pytest.fixture(autouse=True)
def close_figures():
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


def pixels(fig) -> np.ndarray:
    """The figure as the report embeds it (PNG), decoded to RGBA."""
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(report.figure_png(fig))).convert("RGBA")).astype(int)


def assert_same_pixels(fast: np.ndarray, scratch: np.ndarray) -> None:
    assert fast.shape == scratch.shape
    difference = np.abs(fast - scratch).max(axis=2)
    assert difference.max() <= MAX_LEVEL, f"a pixel differs by {difference.max()} levels"
    differ = (difference > 0).mean()
    assert differ <= MAX_SHARE, f"{differ:.4%} of the pixels differ"


def exhibits(indicator, frame, area, monkeypatch, fast: bool):
    monkeypatch.setenv(layers.ENV, "1" if fast else "0")
    return maps.indicator_figures(indicator, frame, area)


# Hampshire (a county in a region of 19), Isles of Scilly (labelled beside its islands, with a
# leader line), Camden (London: 33 small labels), a region (no highlight, every label).
@pytest.mark.parametrize("code", ["E10000014", "E06000053", "E09000007", "E12000008"])
def test_report_figures_drawn_over_a_base_match_those_drawn_from_scratch(code, monkeypatch):
    area = areas.resolve_area(code)
    indicator = indicators.get_indicator("population_14_18")
    frame = indicators.compute_indicator(indicator)
    other = areas.resolve_area("E06000045")  # other authorities ask for the bases first
    exhibits(indicator, frame, other, monkeypatch, fast=True)
    exhibits(indicator, frame, areas.resolve_area(area.code), monkeypatch, fast=True)
    fast = exhibits(indicator, frame, area, monkeypatch, fast=True)
    scratch = exhibits(indicator, frame, area, monkeypatch, fast=False)
    assert [(e.kind, e.alt, e.caption, e.note) for e in fast] == [(e.kind, e.alt, e.caption, e.note) for e in scratch]
    drawn = 0
    for quick, slow in zip(fast, scratch):
        if quick.kind in LAYERED and quick.figure is not None:
            assert_same_pixels(pixels(quick.figure), pixels(slow.figure))
            drawn += 1
    assert drawn == 4


def test_a_base_is_drawn_again_for_other_values(monkeypatch):
    """The base is keyed by the values it shows: changed data never reuse an old base."""
    indicator = indicators.get_indicator("population_14_18")
    frame = indicators.compute_indicator(indicator)
    area = areas.resolve_area("E10000014")
    monkeypatch.setenv(layers.ENV, "1")
    monkeypatch.setenv(disk_cache.ENV, "0")  # this process's bases only (another run's are on disk)
    layers.clear()
    before = pixels(maps.england_map(indicator, frame, area))
    changed = frame.copy()
    changed.loc[changed["area_code"] == "E10000014", indicator.value_column] *= 3
    maps.england_map(indicator, changed, area)  # first sight: drawn from scratch
    held = layers.held()
    fast = maps.england_map(indicator, changed, area)
    assert fast.images and layers.held() == held + 1  # a new base for the new values
    fast = pixels(fast)
    monkeypatch.setenv(layers.ENV, "0")
    scratch = pixels(maps.england_map(indicator, changed, area))
    assert_same_pixels(fast, scratch)
    assert (np.abs(fast - before).max(axis=2) > 8).mean() > MAX_SHARE  # the map did change


def test_figures_come_from_scratch_when_bases_are_off(monkeypatch):
    indicator = indicators.get_indicator("population_14_18")
    frame = indicators.compute_indicator(indicator)
    monkeypatch.setenv(layers.ENV, "0")
    fig = maps.england_map(indicator, frame, areas.resolve_area("E10000014"))
    assert not fig.images and fig.axes[0].collections  # polygons, not pixels
    monkeypatch.setenv(layers.ENV, "1")
    monkeypatch.setenv(disk_cache.ENV, "0")  # no base on disk either (see the tests of kept bases)
    layers.clear()
    fig = maps.england_map(indicator, frame, areas.resolve_area("E10000014"))
    assert not fig.images  # the first time: from scratch, no base drawn yet
    fig = maps.england_map(indicator, frame, areas.resolve_area("E06000045"))
    assert len(fig.images) == 1


def test_a_kernel_template_draws_the_bases_reports_then_use(monkeypatch):
    """The England map and funnel bases, a warmed region's map and dot plot bases: a report draws none itself."""
    monkeypatch.setenv(layers.ENV, "1")
    layers.clear()
    drawn = maps.warm_bases(["E12000008"])
    assert drawn == layers.held() > 0
    indicator = indicators.get_indicator("population_14_18")
    frame = indicators.compute_indicator(indicator)
    for code in ("E10000014", "E06000045"):  # Hampshire and Southampton, both in the South East
        figures = [e.figure for e in maps.indicator_figures(indicator, frame, areas.resolve_area(code))]
        assert sum(1 for f in figures if f is not None and f.images) == 4  # region and England maps, funnel, dots
    assert layers.held() == drawn
    monkeypatch.setenv(layers.ENV, "0")
    assert maps.warm_bases(["E12000008"]) == 0


def test_figures_composed_ahead_by_a_template_give_the_pictures_of_figures_composed_on_use(monkeypatch):
    """A template composes one figure over each base it warms (layers.prepare); a report takes
    it once, and its PNG is byte for byte that of the same figure composed when asked for."""
    import matplotlib.pyplot as plt

    def layered_figures():
        shown = maps.indicator_figures(indicator, frame, area)
        return [e.figure for e in shown if e.kind in LAYERED and e.figure is not None]

    def pyplot_figures():
        return [plt.figure(number) for number in plt.get_fignums()]

    monkeypatch.setenv(layers.ENV, "1")
    layers.clear()
    maps.warm_bases(["E12000008"])
    indicator = indicators.get_indicator("population_14_18")
    frame = indicators.compute_indicator(indicator)
    area = areas.resolve_area("E10000014")
    ahead = layered_figures()
    on_use = layered_figures()
    assert len(ahead) == len(on_use) == 4
    assert not any(f in pyplot_figures() for f in ahead)  # made in the template, outside pyplot
    assert all(f in pyplot_figures() for f in on_use)  # the second over each base: made on use, as before
    ahead_png = [report.figure_png(f) for f in ahead]
    assert ahead_png == [report.figure_png(f) for f in on_use]
    monkeypatch.setenv(layers.ENV, "0")
    for png, slow in zip(ahead_png, layered_figures()):
        from PIL import Image

        assert_same_pixels(np.asarray(Image.open(io.BytesIO(png)).convert("RGBA")).astype(int), pixels(slow))


def test_a_batch_warms_the_regions_it_runs_often_enough():
    south_east = ["E10000014", "E06000045", "E06000043", "E10000016", "E10000025", "E10000030"]  # 6 authorities
    london = ["E09000007"]
    assert template.regions_to_warm(south_east + london, workers=3) == ["E12000008", "E92000001"]
    assert template.regions_to_warm(south_east + london, workers=4) == []  # 7 reports: under 2 per worker
    assert template.regions_to_warm(south_east[:5] + london, workers=3) == ["E92000001"]  # England's only
    assert template.regions_to_warm(["E10000014"], workers=3) == []  # one report: no bases in templates


def small_figure():
    """A tiny figure: an image under an axes (the base) and a translucent line and a bold label (the overlay)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3, 2))
    ax = fig.add_axes((0.1, 0.1, 0.8, 0.8))
    ax.imshow(np.linspace(0, 1, 64).reshape(8, 8), cmap="viridis", extent=(0, 1, 0, 1))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    base = ax.get_children()
    overlay = [
        *ax.plot([0.05, 0.95], [0.1, 0.7], color="#d55e00", linewidth=1.6, alpha=0.8),
        ax.text(0.2, 0.8, "Hampshire", fontsize=9, weight="bold"),
    ]
    return fig, ax, base, overlay


def test_an_overlay_drawn_alone_and_blended_over_its_base_gives_the_pixels_drawn_together():
    fig, ax, base, overlay = small_figure()
    region = plots.saved_region(fig)
    together = plots.region_pixels(fig, region).copy()
    for artist in overlay:
        artist.set_visible(False)
    under = plots.region_pixels(fig, region).copy()
    for artist in overlay:
        artist.set_visible(True)
    for artist in base:
        artist.set_visible(False)
    over = plots.region_pixels(fig, region, facecolor="none")
    assert 0 < (over[..., 3] > 0).mean() < 0.2 and (over[..., 3] == 0).any()  # transparent but for the overlay
    assert not np.array_equal(under, together)
    layers.blend(under, over)
    np.testing.assert_array_equal(under, together)


def test_a_figure_s_png_is_what_matplotlib_writes():
    """Same pixels, size, dpi and (no) metadata as ``savefig(format="png")`` with the report's options."""
    from PIL import Image

    from analysis import config

    fig, *_ = small_figure()
    region = plots.saved_region(fig)
    buffer = io.BytesIO()
    fig.savefig(
        buffer,
        format="png",
        dpi=config.FIGURE_DPI,
        bbox_inches=plots.region_inches(region),
        metadata={"Software": None},
        pil_kwargs={"compress_level": config.FIGURE_PNG_COMPRESS_LEVEL},
    )
    ours, theirs = Image.open(io.BytesIO(report.figure_png(fig))), Image.open(buffer)
    assert ours.size == theirs.size
    assert ours.info == theirs.info  # the dpi, and no text chunk (no software tag)
    np.testing.assert_array_equal(np.asarray(ours.convert("RGBA")), np.asarray(theirs.convert("RGBA")))


def test_blend_copies_opaque_pixels_and_keeps_what_is_under_transparent_ones():
    under = np.full((2, 3, 4), 200, dtype=np.uint8)
    under[..., 3] = 255  # opaque grey
    over = np.zeros((2, 3, 4), dtype=np.uint8)
    over[0, 0] = (10, 20, 30, 255)
    over[1, 2] = (0, 0, 0, 128)  # black at alpha 128/255 over grey 200: 200 * (1 - 128/255) = 99.6
    layers.blend(under, over)
    assert tuple(under[0, 0]) == (10, 20, 30, 255)
    assert tuple(under[0, 1]) == (200, 200, 200, 255)
    assert all(99 <= level <= 100 for level in under[1, 2, :3]) and under[1, 2, 3] == 255
    with pytest.raises(ValueError, match="shape"):
        layers.blend(under, over[:1])


def test_a_figure_over_a_base_saved_on_a_transparent_background_matches_one_drawn_from_scratch(monkeypatch):
    """Transparent pixels too: the background is what Agg leaves under a transparent figure (255, 255, 255, 0)."""
    import matplotlib

    indicator = indicators.get_indicator("population_14_18")
    frame = indicators.compute_indicator(indicator)
    area = areas.resolve_area("E10000014")
    with matplotlib.rc_context({"savefig.facecolor": "none"}):
        monkeypatch.setenv(layers.ENV, "1")
        layers.clear()
        maps.england_map(indicator, frame, areas.resolve_area("E06000045"))  # first sight: from scratch
        fast = maps.england_map(indicator, frame, area)
        assert fast.images
        fast = pixels(fast)
        monkeypatch.setenv(layers.ENV, "0")
        scratch = pixels(maps.england_map(indicator, frame, area))
    layers.clear()  # no transparent base left for other tests
    assert (scratch[..., 3] == 0).mean() > 0.05  # the background is transparent indeed
    assert_same_pixels(fast, scratch)


# ------------------------------------------------------------------------------------------
# Bases kept on disk (analysis.data.disk_cache), shared between processes
# ------------------------------------------------------------------------------------------


def unseen_values():
    """population_14_18 with Hampshire's value scaled by a factor no run has used: bases no process drew."""
    indicator = indicators.get_indicator("population_14_18")
    frame = indicators.compute_indicator(indicator).copy()
    factor = 1.5 + uuid.uuid4().int % 10**9 / 10**9
    frame.loc[frame["area_code"] == "E10000014", indicator.value_column] *= factor
    return indicator, frame, factor


def england_key(indicator, frame, **options):
    options = {"scheme": config.MAP_CLASSIFICATION_DEFAULT, "k": config.MAP_CLASSES, **options}
    return maps.england_parts(indicator, frame, None, options["scheme"], options["k"])[0]


DRAW_IN_ANOTHER_PROCESS = """
import sys
from analysis import config
from analysis.methods import indicators
from analysis.present import layers, maps
indicator = indicators.get_indicator("population_14_18")
frame = indicators.compute_indicator(indicator).copy()
frame.loc[frame["area_code"] == "E10000014", indicator.value_column] *= float(sys.argv[1])
key, draw_base, _ = maps.england_parts(indicator, frame, None, config.MAP_CLASSIFICATION_DEFAULT, config.MAP_CLASSES)
layers.base(key, draw_base)
"""


def test_a_base_drawn_by_another_process_is_read_from_disk_and_gives_the_pixels_drawn_from_scratch(monkeypatch):
    indicator, frame, factor = unseen_values()
    area = areas.resolve_area("E10000014")
    monkeypatch.setenv(layers.ENV, "1")
    monkeypatch.setenv(disk_cache.ENV, "1")
    layers.clear()
    assert disk_cache.load(layers.KIND, base_keys.disk_key(england_key(indicator, frame))) is None
    subprocess.run([sys.executable, "-c", DRAW_IN_ANOTHER_PROCESS, repr(factor)], check=True, timeout=600)
    stored = disk_cache.load(layers.KIND, base_keys.disk_key(england_key(indicator, frame)))
    assert isinstance(stored, layers.Base)
    fast = maps.england_map(indicator, frame, area)  # first sight in this process: over the stored base
    assert fast.images and layers.held() == 1
    fast = pixels(fast)
    monkeypatch.setenv(layers.ENV, "0")
    assert_same_pixels(fast, pixels(maps.england_map(indicator, frame, area)))


def test_a_base_kept_on_disk_is_not_used_for_other_values_regions_or_classes(monkeypatch):
    indicator, frame, _ = unseen_values()
    monkeypatch.setenv(disk_cache.ENV, "1")
    key, draw_base, _ = maps.england_parts(indicator, frame, None, config.MAP_CLASSIFICATION_DEFAULT, 5)
    layers.base(key, draw_base)
    assert isinstance(disk_cache.load(layers.KIND, base_keys.disk_key(key)), layers.Base)
    changed = frame.copy()
    changed.loc[changed["area_code"] == "E06000045", indicator.value_column] *= 2
    others = [england_key(indicator, changed, k=5), england_key(indicator, frame, k=4)]
    others.append(england_key(indicator, frame, k=5, scheme="equal_interval"))
    south_east, london = (areas.get_area(code) for code in ("E12000008", "E12000007"))
    region_keys = [maps.region_parts(indicator, frame, place, "quantiles", 5)[0] for place in (south_east, london)]
    keys = [base_keys.disk_key(other) for other in [key, *others, *region_keys]]
    assert None not in keys and len(set(keys)) == len(keys)
    assert all(disk_cache.load(layers.KIND, other) is None for other in keys[1:])


def test_a_damaged_base_on_disk_is_drawn_again(monkeypatch):
    indicator, frame, _ = unseen_values()
    area = areas.resolve_area("E10000014")
    monkeypatch.setenv(layers.ENV, "1")
    monkeypatch.setenv(disk_cache.ENV, "1")
    key, draw_base, _ = maps.england_parts(
        indicator, frame, None, config.MAP_CLASSIFICATION_DEFAULT, config.MAP_CLASSES
    )
    stored = base_keys.disk_key(key)
    whole = layers.base(key, draw_base)
    truncated = layers.Base(whole.frame, whole.extent, whole.region, whole.pixels[: len(whole.pixels) // 2])
    files = list((config.INTERIM_DIR / disk_cache.FOLDER / layers.KIND).glob(f"{stored}.*"))
    assert len(files) == 1
    for damaged in (truncated, "not a base"):
        disk_cache.store(layers.KIND, stored, damaged)
        layers.clear()
        assert not maps.england_map(indicator, frame, area).images  # first sight, nothing usable: from scratch
    files[0].write_bytes(files[0].read_bytes()[:100])  # a truncated file
    layers.clear()
    assert not maps.england_map(indicator, frame, area).images
    fast = maps.england_map(indicator, frame, area)  # the second time: the base drawn again, and kept
    assert fast.images
    assert isinstance(disk_cache.load(layers.KIND, stored), layers.Base)
    monkeypatch.setenv(layers.ENV, "0")
    assert_same_pixels(pixels(fast), pixels(maps.england_map(indicator, frame, area)))


def test_with_the_disk_cache_off_bases_are_neither_read_nor_kept(monkeypatch):
    indicator, frame, _ = unseen_values()
    area = areas.resolve_area("E10000014")
    monkeypatch.setenv(layers.ENV, "1")
    key, draw_base, _ = maps.england_parts(
        indicator, frame, None, config.MAP_CLASSIFICATION_DEFAULT, config.MAP_CLASSES
    )
    monkeypatch.setenv(disk_cache.ENV, "0")
    layers.clear()
    assert layers.warm([(key, draw_base)]) == 1  # drawn, held in memory only
    monkeypatch.setenv(disk_cache.ENV, "1")
    assert disk_cache.load(layers.KIND, base_keys.disk_key(key)) is None
    layers.base(key, draw_base)
    layers.clear()
    monkeypatch.setenv(disk_cache.ENV, "0")
    assert not maps.england_map(indicator, frame, area).images  # on disk, but not read


def test_a_key_naming_what_only_this_process_sees_is_kept_in_memory_only():
    assert base_keys.stable_text(("england_map", 1.5, None, ("a", 2))) == "('england_map', 1.5, None, ('a', 2))"
    assert base_keys.disk_key(("england_map", base_keys.Local(("/tmp/boundaries.parquet", 1)))) is None
    assert base_keys.disk_key(("england_map", object())) is None
    indicator = indicators.get_indicator("population_14_18")
    assert "0x" not in base_keys.stable_text(indicator)  # no address: the same text in every process


WARM_IN_ANOTHER_PROCESS = """
import sys
from analysis import config
from analysis.methods import indicators
from analysis.present import layers, maps
indicator = indicators.get_indicator("population_14_18")
frame = indicators.compute_indicator(indicator).copy()
frame.loc[frame["area_code"] == "E10000014", indicator.value_column] *= float(sys.argv[1])
taken, _, _ = maps.england_parts(indicator, frame, None, config.MAP_CLASSIFICATION_DEFAULT, config.MAP_CLASSES)
free, draw_free, _ = maps.england_parts(indicator, frame, None, config.MAP_CLASSIFICATION_DEFAULT, 4)
def must_not_draw():
    raise AssertionError("drew a base another process was drawing")
print(layers.warm([(taken, must_not_draw), (free, draw_free)]))
"""


def test_templates_warming_together_each_draw_a_base_once_and_read_the_others(monkeypatch):
    """A base whose lock another process holds is passed over, waited for and read, not drawn again."""
    import time

    from analysis import files

    monkeypatch.setenv(disk_cache.ENV, "1")
    while True:  # two bases whose locks differ (two of the 64 lock files)
        indicator, frame, factor = unseen_values()
        taken, draw_taken, _ = maps.england_parts(
            indicator, frame, None, config.MAP_CLASSIFICATION_DEFAULT, config.MAP_CLASSES
        )
        free = england_key(indicator, frame, k=4)
        stored = base_keys.disk_key(taken)
        if layers.lock_path(stored) != layers.lock_path(base_keys.disk_key(free)):
            break
    with files.file_lock(layers.lock_path(stored), timeout=60):  # this process is drawing ``taken``
        child = subprocess.Popen(
            [sys.executable, "-c", WARM_IN_ANOTHER_PROCESS, repr(factor)], stdout=subprocess.PIPE, text=True
        )
        deadline = time.monotonic() + 600
        while disk_cache.load(layers.KIND, base_keys.disk_key(free)) is None:  # the child drew the free one
            assert child.poll() is None and time.monotonic() < deadline, "the other process drew nothing"
            time.sleep(0.2)
        layers.clear()
        layers.base(taken, draw_taken)  # drawn here and kept on disk, while the child waits
    out, _ = child.communicate(timeout=600)
    assert child.returncode == 0 and out.strip().splitlines()[-1] == "2"
