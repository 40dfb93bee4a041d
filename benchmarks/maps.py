"""Time to draw every map and chart of the regional maps report for one authority.

Usage::

    .venv/bin/python benchmarks/maps.py [AREA] [--repeat N]

Prints, for each declared indicator, the seconds to compute it and to draw and render (PNG,
as the report embeds them) its region map, England map, funnel plot and dot plot, then the
total. The first pass is "cold" (it includes reading the tables and preparing the geometry,
which are cached per process); later passes are "warm". Target: under 10 s for all maps of
one authority on a 2-core machine. A figure, not a pass/fail test.
"""

from __future__ import annotations

import argparse
import io
import time


def draw_all(area_code: str) -> list[tuple[str, float, float, int]]:
    """Compute every indicator and draw and render all its figures; (id, compute s, draw s, figures) each."""
    import matplotlib.pyplot as plt

    from analysis import config
    from analysis.methods import areas, indicators
    from analysis.present import maps

    area = areas.resolve_area(area_code)
    rows = []
    for indicator in indicators.list_indicators():
        start = time.perf_counter()
        frame = indicators.compute_indicator(indicator)
        computed = time.perf_counter()
        figures = 0
        for exhibit in maps.indicator_figures(indicator, frame, area):
            if exhibit.figure is not None:
                exhibit.figure.savefig(io.BytesIO(), format="png", dpi=config.FIGURE_DPI, bbox_inches="tight")
                plt.close(exhibit.figure)
                figures += 1
        maps.comparison_table(indicator, frame, area)
        rows.append((indicator.id, computed - start, time.perf_counter() - computed, figures))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("area", nargs="?", default="E10000014", help="authority code or name (default Hampshire)")
    parser.add_argument("--repeat", type=int, default=2, help="passes (the first is cold)")
    args = parser.parse_args()

    started = time.perf_counter()
    from analysis.present import plots

    plots.apply_house_style()
    print(f"import analysis + matplotlib: {time.perf_counter() - started:.2f} s")
    for run in range(args.repeat):
        rows = draw_all(args.area)
        label = "cold" if run == 0 else "warm"
        for indicator_id, computed, drawn, figures in rows:
            print(
                f"  {label} {indicator_id:<30} compute {computed:5.2f} s   draw+render {figures} figures {drawn:5.2f} s"
            )
        total = sum(r[1] + r[2] for r in rows)
        print(f"{label} pass, {args.area}: all maps and charts ({sum(r[3] for r in rows)} figures) in {total:.2f} s")


if __name__ == "__main__":
    main()
