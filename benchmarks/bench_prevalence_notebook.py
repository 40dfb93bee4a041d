"""Time notebooks/01_prevalence.ipynb under papermill for authorities, a region and England.

Prints one line per run (wall-clock seconds, including kernel start-up) and the package
call behind the headline; the target is under 20 s per run. Figures, not pass/fail:

    .venv/bin/python benchmarks/bench_prevalence_notebook.py [AREA ...]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import papermill

from analysis import config
from analysis.methods import prevalence
from analysis.present import report

DEFAULT_AREAS = ["E10000014", "E06000045", "E06000053", config.LONDON_CODE, config.ENGLAND_CODE]


def time_notebook(area: str, out_dir: Path) -> tuple[float, dict]:
    """Execute the notebook for one area; return (seconds, records)."""
    executed = out_dir / f"01_prevalence-{area}.ipynb"
    start = time.perf_counter()
    papermill.execute_notebook(
        str(config.NOTEBOOKS_DIR / "01_prevalence.ipynb"),
        str(executed),
        parameters={"area": area},
        kernel_name=config.KERNEL_NAME,
        cwd=str(config.NOTEBOOKS_DIR),
        progress_bar=False,
    )
    return time.perf_counter() - start, report.read_records(executed)


def main(areas: list[str]) -> None:
    start = time.perf_counter()
    prevalence.compare_with_region_and_england(areas[0])
    print(f"package: compare_with_region_and_england({areas[0]!r}) {time.perf_counter() - start:.2f} s (cold)")
    with tempfile.TemporaryDirectory() as tmp:
        for area in areas:
            seconds, records = time_notebook(area, Path(tmp))
            print(
                f"01_prevalence  {area}  {records['area_name']:<24} {seconds:5.1f} s   "
                f"estimate {records['estimate_adults']:>12,.0f}  per 100k {records['estimate_per_100k_adults']:,.0f}"
                f"  ({records['survey_year']}, {records['breakdown']})"
            )


if __name__ == "__main__":
    main(sys.argv[1:] or DEFAULT_AREAS)
