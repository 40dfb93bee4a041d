"""Benchmark ``analysis batch`` against the naive route and against the floor (issue 8).

One command, from the workspace folder with its environment set up (``make setup``, data got
and built)::

    .venv/bin/python benchmarks/batch.py                 # 8 authorities, all four notebooks
    .venv/bin/python benchmarks/batch.py --areas 4       # a smaller sample
    .venv/bin/python benchmarks/batch.py --repeat 2      # run the comparisons twice (noisy machine)
    .venv/bin/python benchmarks/batch.py --full          # ... and one full England batch (--all)
    .venv/bin/python benchmarks/batch.py --ablation      # ... and the batch with each optimisation off in turn

It prints, for the same authorities on the same machine in one run:

1. **naive**: the route analysts take without the batch: for each authority and notebook, the
   ``papermill`` command line, then ``jupyter nbconvert --to html``, each a fresh process, one
   after the other;
2. **ours**: ``analysis batch`` with its defaults, from cold (a new reports folder, so nothing
   is skipped), with the peak memory of its whole process tree (the proportional set size
   summed over the processes, which counts shared pages once; the rise in the machine's memory
   in use; and the resident set size summed, which counts them again in every process);
3. **floor**: every analysis and figure of the same reports computed in one fresh Python
   process (:func:`floor_for_area`: each notebook's own code cells, from its jupytext twin,
   executed in turn for each authority with ``MPLBACKEND=Agg``: every figure drawn and encoded
   as the report embeds it; no kernel, no notebook file, no HTML, no publishing);

with the ratios naive/ours and ours/floor, seconds per authority and the projection for all
152 authorities; and ``import analysis`` in a fresh process, ``analysis data build`` from
clean (a temporary copy of ``data/raw``), one authority end to end with its PDF as ``make
report`` runs it once set-up is done (:func:`time_report`), with ``--ablation`` the batch with
each optimisation off in turn, and with ``--full`` one measured ``analysis batch --all``.
Reports go to temporary folders: ``reports/`` is never touched; ``data/processed`` only by the
one-authority timing's ``analysis data build``, as ``make report`` would (nothing is rebuilt
when the tables are current). The figures go to ``benchmarks/results.md`` (between the
generated-section markers; the rest of the file is kept). Timings are figures, not pass/fail.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = ROOT / "benchmarks" / "results.md"
NOTEBOOKS = ("01_prevalence", "02_refuge_demand_supply", "03_regional_maps", "04_young_people_14_18")
#: Eight authorities from eight regions, of every kind: counties, a unitary, metropolitan
#: districts, a London borough. More (--areas N > 8) are taken region by region.
DEFAULT_SAMPLE = (
    "E10000014",
    "E06000052",
    "E08000025",
    "E08000035",
    "E08000003",
    "E08000021",
    "E10000020",
    "E09000007",
)
ALL_AUTHORITIES = 152
LIBRARIES = (
    "pandas",
    "numpy",
    "scipy",
    "matplotlib",
    "geopandas",
    "shapely",
    "pyarrow",
    "papermill",
    "nbclient",
    "nbconvert",
    "ipykernel",
    "jupyter_client",
    "pyzmq",
)
#: Issue 15's targets (2 cores, PDF off): naive/ours >= 8x, ours/floor <= 1.2x, all England in
#: 6 minutes, the floor at least 2x faster than the 4.5 s per authority measured before it.
TARGETS = {
    "naive_over_ours": 8.0,
    "ours_over_floor": 1.2,
    "projection_minutes": 6.0,
    "floor_seconds_per_authority": 4.5 / 2,
    "import_seconds": 1.0,
    "build_seconds": 30.0,
    "peak_memory_gib": 4.0,
    "report_seconds": 20.0,
}
MARKERS = {
    "sample": ("<!-- benchmark:sample:start -->", "<!-- benchmark:sample:end -->"),
    "ablation": ("<!-- benchmark:ablation:start -->", "<!-- benchmark:ablation:end -->"),
    "full": ("<!-- benchmark:full:start -->", "<!-- benchmark:full:end -->"),
}
#: --ablation: the batch with each switchable optimisation turned off, then all of them.
#: Figure bases (issue 15: each map's base drawn once, under a per-authority overlay), the disk
#: cache (results and bases shared between processes), the memo (per process; off also turns
#: the disk cache off), warm kernels, the workers' forkserver and the skipped optional imports
#: (``analysis.UNUSED_OPTIONAL_IMPORTS``).
ABLATIONS = (
    ("defaults (every optimisation on)", {}),
    ("figure bases off (ANALYSIS_FIGURE_BASES=0)", {"ANALYSIS_FIGURE_BASES": "0"}),
    ("disk cache off (ANALYSIS_DISK_CACHE=0)", {"ANALYSIS_DISK_CACHE": "0"}),
    ("memo off (ANALYSIS_MEMO=0; the disk cache too)", {"ANALYSIS_MEMO": "0"}),
    ("warm kernels off (ANALYSIS_WARM_KERNELS=0)", {"ANALYSIS_WARM_KERNELS": "0"}),
    (
        "workers spawned, not forked from a preloaded forkserver (ANALYSIS_WORKER_START=spawn)",
        {"ANALYSIS_WORKER_START": "spawn"},
    ),
    (
        "unused optional imports not skipped (ANALYSIS_SKIP_UNUSED_IMPORTS=0: jsonschema's RFC 3987 grammar)",
        {"ANALYSIS_SKIP_UNUSED_IMPORTS": "0"},
    ),
    (
        "all off",
        {
            "ANALYSIS_FIGURE_BASES": "0",
            "ANALYSIS_MEMO": "0",
            "ANALYSIS_WARM_KERNELS": "0",
            "ANALYSIS_WORKER_START": "spawn",
            "ANALYSIS_SKIP_UNUSED_IMPORTS": "0",
        },
    ),
)
#: The authority `make report` reports on (the Makefile's AREA).
REPORT_AREA = "E10000014"


# ------------------------------------------------------------------------------------------
# The floor: what the four notebooks compute and draw, their own code run in one process
# ------------------------------------------------------------------------------------------


def notebook_code(name: str) -> tuple[str, list[str]]:
    """A notebook's code from its jupytext twin (``notebooks/NAME.py``): its parameters cell and
    its other code cells, in order (the researcher-notes markdown is not code)."""
    import jupytext

    nb = jupytext.read(ROOT / "notebooks" / f"{name}.py")
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    parameters = [cell.source for cell in code if "parameters" in cell.metadata.get("tags", [])]
    if len(parameters) != 1:
        raise SystemExit(f"notebooks/{name}.py: expected one cell tagged 'parameters', found {len(parameters)}")
    return parameters[0], [cell.source for cell in code if "parameters" not in cell.metadata.get("tags", [])]


def floor_notebook(name: str, code: str) -> None:
    """Run notebook ``name``'s own code for authority ``code`` in this process, as papermill would
    (its parameters cell, then ``area = code``, then every other code cell) but with no kernel:
    everything the notebook computes, draws and encodes, and nothing of the notebook machinery
    (no messages, no notebook file, no HTML). What it displays goes nowhere."""
    import contextlib
    import io

    parameters, cells = notebook_code(name)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    exec(compile(parameters, f"notebooks/{name}.py", "exec"), namespace)
    namespace["area"] = code
    with contextlib.redirect_stdout(io.StringIO()):
        for cell in cells:
            exec(compile(cell, f"notebooks/{name}.py", "exec"), namespace)


def floor_for_area(code: str, notebooks: Sequence[str] = NOTEBOOKS) -> dict[str, float]:
    """Seconds to compute and draw each notebook's content for one authority, in this process."""
    seconds = {}
    for name in notebooks:
        start = time.perf_counter()
        floor_notebook(name, code)
        seconds[name] = time.perf_counter() - start
    return seconds


def floor_main(codes: Sequence[str]) -> None:
    """``--floor-only``: the floor for ``codes`` in this (fresh) process; prints JSON."""
    started = time.perf_counter()
    import analysis  # noqa: F401

    by_notebook: dict[str, float] = dict.fromkeys(NOTEBOOKS, 0.0)
    per_area = []
    for code in codes:
        by_area = floor_for_area(code)
        per_area.append(sum(by_area.values()))
        for name, seconds in by_area.items():
            by_notebook[name] += seconds
    print(json.dumps({"seconds": time.perf_counter() - started, "by_notebook": by_notebook, "per_area": per_area}))


# ------------------------------------------------------------------------------------------
# Measuring
# ------------------------------------------------------------------------------------------


class TreeMemory:
    """Peak memory of a process and its descendants, sampled in a thread.

    RSS is read every ``interval`` seconds (``/proc/PID/statm``: counters, cheap). PSS is read
    every ``pss_interval`` seconds only: ``/proc/PID/smaps_rollup`` walks every page table of a
    process, and for kernels forked from a template of 1-2 GB that walk, four times a second over
    ten processes, took 8-9% of the CPUs from the batch it measured (the North East: 88-89% busy
    with it against 96-97% without, 10-20% longer; 2 December). So the PSS peak may miss a peak
    between two readings.

    A third reading needs no process at all: the machine's memory in use (``MemTotal`` less
    ``MemAvailable`` of ``/proc/meminfo``, what the kernel could not hand to a new program without
    swapping), its peak rise over the reading at the start (``peak_machine``). It counts shared
    pages once, as PSS does, and everything else the machine does meanwhile, so it is a check on
    the PSS sum on an otherwise idle machine, not a replacement.
    """

    def __init__(self, pid: int, interval: float = 0.25, pss_interval: float = 5.0) -> None:
        import psutil

        self.pid, self.interval, self.pss_interval = pid, interval, pss_interval
        self.peak_rss = self.peak_pss = self.peak_machine = 0
        self._available_at_start = psutil.virtual_memory().available
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        import psutil

        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        last_pss = -float("inf")
        while not self._stop.is_set():
            with_pss = time.monotonic() - last_pss >= self.pss_interval
            rss = pss = 0
            try:
                processes = [root, *root.children(recursive=True)]
            except psutil.Error:
                break
            for process in processes:
                try:
                    if with_pss:
                        info = process.memory_full_info()
                        pss += getattr(info, "pss", info.rss)
                    else:
                        info = process.memory_info()
                except psutil.Error:
                    continue
                rss += info.rss
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_machine = max(self.peak_machine, self._available_at_start - psutil.virtual_memory().available)
            if with_pss:
                self.peak_pss, last_pss = max(self.peak_pss, pss), time.monotonic()
            self._stop.wait(self.interval)


#: ``prctl`` option that makes a process the reaper of its orphaned descendants (linux/prctl.h).
PR_SET_CHILD_SUBREAPER = 36
#: Seconds to wait for adopted orphans to exit after a command ends.
ORPHAN_WAIT_SECONDS = 60.0


def adopt_orphans() -> bool:
    """Make this process the reaper of its orphaned descendants (Linux ``prctl``), so their CPU
    time reaches ``RUSAGE_CHILDREN`` when :func:`wait_for_orphans` waits for them; False where
    that is not possible (then such a process's CPU time is not counted)."""
    import ctypes

    try:
        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def wait_for_orphans(timeout: float = ORPHAN_WAIT_SECONDS) -> None:
    """Wait (up to ``timeout`` seconds) for every child of this process, adopted orphans included."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return  # none left
        if pid == 0:
            time.sleep(0.05)


def run(
    command: Sequence[str], env: dict[str, str] | None = None, cwd: Path = ROOT, memory: bool = False
) -> tuple[float, subprocess.CompletedProcess, TreeMemory | None]:
    """Run a command; return (wall seconds, result, memory sampler or None).

    The result's ``cpu_seconds`` attribute is the CPU time (user + system) of the command and
    every process under it: each is waited for by its parent, so it counts here, and one left
    running when its parent exits (a batch's multiprocessing forkserver, which forks and reaps
    the workers, ends just after the batch) is adopted by this process (:func:`adopt_orphans`)
    and waited for here.
    """
    import resource

    adopt_orphans()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(
        list(command), cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    sampler = TreeMemory(process.pid) if memory else None
    if sampler:
        with sampler:
            out, err = process.communicate()
    else:
        out, err = process.communicate()
    seconds = time.perf_counter() - start
    wait_for_orphans()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.CompletedProcess(command, process.returncode, out, err)
    result.cpu_seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, result, sampler


def output_line(result: subprocess.CompletedProcess, prefix: str) -> str | None:
    """The first line of a command's standard error, then its output, that starts with ``prefix``."""
    lines = result.stderr.strip().splitlines() + result.stdout.strip().splitlines()
    return next((line for line in lines if line.startswith(prefix)), None)


#: A fixed amount of pure-Python and NumPy work, timed in a fresh process (:func:`time_reference`):
#: how fast the machine is at the time, so runs hours or machines apart can be compared.
REFERENCE_CODE = """
import time
started = time.process_time()
total = 0
for i in range(1_000_000):
    total += i * i % 7
import numpy as np
values = np.arange(2_000_000, dtype=float)[::-1]
for _ in range(8):
    np.sort(values)
print(time.process_time() - started)
"""


def time_reference(repeats: int = 3) -> float:
    """CPU seconds of :data:`REFERENCE_CODE` (median of ``repeats`` fresh processes)."""
    times = []
    for _ in range(repeats):
        result = subprocess.run([sys.executable, "-c", REFERENCE_CODE], capture_output=True, text=True, check=True)
        times.append(float(result.stdout.strip()))
    return statistics.median(times)


def reference_line(before: float, after: float) -> str:
    """The machine's speed around a section's timings, as a results.md line."""
    return (
        f"- Machine speed: a fixed reference workload (`REFERENCE_CODE` in this script: pure-Python and NumPy "
        f"work in one process) took {before:.2f} s of CPU before these timings and {after:.2f} s after "
        "(lower is faster; every time in the section scales with it, so compare runs by it)."
    )


def time_import(repeats: int = 5) -> dict[str, float]:
    """``import analysis`` in a fresh interpreter (median of ``repeats``): in-process and whole process."""
    code = "import time; t = time.perf_counter(); import analysis; print(time.perf_counter() - t)"
    inside, whole = [], []
    for _ in range(repeats):
        seconds, result, _ = run([sys.executable, "-c", code])
        inside.append(float(result.stdout.strip()))
        whole.append(seconds)
    heavy = (
        "import time; t = time.perf_counter(); import analysis.present.maps, analysis.methods.prevalence; "
        "print(time.perf_counter() - t)"
    )
    _, result, _ = run([sys.executable, "-c", heavy])
    return {
        "import_seconds": statistics.median(inside),
        "process_seconds": statistics.median(whole),
        "maps_prevalence_seconds": float(result.stdout.strip()),
    }


def time_build(scratch: Path) -> float:
    """``analysis data build`` from clean: a copy of data/raw, no processed tables (ANALYSIS_ROOT)."""
    project = scratch / "build-project"
    shutil.copytree(ROOT / "data" / "raw", project / "data" / "raw")
    (project / "data" / "processed").mkdir(parents=True)
    env = {**os.environ, "ANALYSIS_ROOT": str(project)}
    seconds, result, _ = run([str(BIN / "analysis"), "data", "build"], env=env)
    if result.returncode:
        raise SystemExit(f"analysis data build failed:\n{result.stderr}")
    return seconds


def clear_disk_cache() -> None:
    """Empty the workspace's disk cache (``data/interim/cache``: :mod:`analysis.data.disk_cache`)
    before each route, so every route starts as the first batch after a code change does: it
    is a cache, so emptying it only costs the next run its recomputation."""
    from analysis import config
    from analysis.data import disk_cache

    shutil.rmtree(config.INTERIM_DIR / disk_cache.FOLDER, ignore_errors=True)


def time_naive(codes: Sequence[str], scratch: Path) -> tuple[float, int]:
    """papermill CLI then nbconvert CLI, per authority and notebook, one after the other."""
    clear_disk_cache()
    out = scratch / "naive"
    out.mkdir()
    failures = 0
    start = time.perf_counter()
    for code in codes:
        for name in NOTEBOOKS:
            executed = out / f"{code}-{name}.ipynb"
            _, result, _ = run(
                [
                    str(BIN / "papermill"),
                    str(ROOT / "notebooks" / f"{name}.ipynb"),
                    str(executed),
                    "-p",
                    "area",
                    code,
                    "-k",
                    "analysis",
                    "--cwd",
                    str(ROOT / "notebooks"),
                ]
            )
            failures += result.returncode != 0
            _, result, _ = run([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(executed)])
            failures += result.returncode != 0
    return time.perf_counter() - start, failures


def time_ours(
    codes: Sequence[str], scratch: Path, label: str, extra: Sequence[str] = (), env: dict[str, str] | None = None
) -> dict[str, Any]:
    """``analysis batch`` with its defaults into a new reports folder (nothing skipped);
    ``env``: variables added to the environment (the ablation's switches). The disk cache is
    emptied first (:func:`clear_disk_cache`)."""
    clear_disk_cache()
    reports = scratch / f"reports-{label}"
    areas = [w for code in codes for w in ("--area", code)]
    seconds, result, memory = run(
        [str(BIN / "analysis"), "batch", *areas, *extra, "--reports-dir", str(reports), "--quiet", "--force"],
        env={**os.environ, **(env or {})},
        memory=True,
    )
    line = output_line(result, "batch:") or "no summary"
    if result.returncode:
        print(result.stdout, result.stderr, file=sys.stderr)
    runs = [json.loads(p.read_text()) for p in reports.glob("*/*.run.json")]
    by_notebook = {
        name: statistics.mean([r["seconds"] for r in runs if r["notebook"] == name] or [0]) for name in NOTEBOOKS
    }
    workers = int(re.search(r"\((\d+) worker", line).group(1)) if re.search(r"\((\d+) worker", line) else 1
    return {
        "seconds": seconds,
        "ok": result.returncode == 0,
        "summary": line,
        "peak_rss": memory.peak_rss,
        "peak_pss": memory.peak_pss,
        "peak_machine": memory.peak_machine,
        "mean_run_seconds": by_notebook,
        "runs": len(runs),
        "cpu_seconds": result.cpu_seconds,
        "workers": workers,
        "steady": steady_seconds_per_run(runs, workers),
    }


def steady_seconds_per_run(runs: Sequence[dict], workers: int) -> float | None:
    """Wall seconds per run once every worker is busy: the span between the first wave of runs
    finishing (each worker's first run, which waits for its kernel template) and the last one,
    over the runs finished in it. None for too few runs."""
    finished = sorted(datetime.fromisoformat(r["finished_at"]).timestamp() for r in runs if r.get("finished_at"))
    if len(finished) < 2 * workers + 2:
        return None
    span = finished[-1] - finished[workers - 1]
    return span / (len(finished) - workers) if span > 0 else None


def projection_minutes(ours: dict, authorities: int) -> tuple[float, float | None]:
    """Minutes for all 152 authorities: (linear in the sample's seconds per authority, and the
    sample's time plus the remaining authorities at the steady rate, which does not repeat the
    batch's start-up: kernel templates, worker start, data checks)."""
    linear = ours["seconds"] / authorities * ALL_AUTHORITIES / 60
    if ours["steady"] is None:
        return linear, None
    remaining = (ALL_AUTHORITIES - authorities) * len(NOTEBOOKS) * ours["steady"]
    return linear, (ours["seconds"] + remaining) / 60


def time_floor(codes: Sequence[str]) -> dict[str, Any]:
    """The floor in a fresh process (imports and first data reads included), disk cache emptied first."""
    clear_disk_cache()
    env = {**os.environ, "MPLBACKEND": "Agg"}
    seconds, result, _ = run([sys.executable, str(Path(__file__).resolve()), "--floor-only", *codes], env=env)
    if result.returncode:
        raise SystemExit(f"floor failed:\n{result.stderr}")
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    return {
        "seconds": seconds,
        "by_notebook": measured["by_notebook"],
        "per_area": measured["per_area"],
        "cpu_seconds": result.cpu_seconds,
    }


def time_report(scratch: Path, area: str = REPORT_AREA) -> dict[str, Any] | None:
    """One authority end to end with its PDF, as ``make report`` runs it once set-up is done.

    The disk cache is emptied and ``analysis data build`` (``make report``'s data step: it
    refills the England-wide part of the cache) run untimed, as set-up; then ``analysis batch
    --area AREA --pdf --force`` (``make report``'s report, every run redone) into a new reports
    folder is timed. None when Chromium, which prints the PDF, is missing.
    """
    from analysis.present import browser

    if not Path(browser.CHROMIUM).exists():
        return None
    clear_disk_cache()
    _, result, _ = run([str(BIN / "analysis"), "data", "build"])
    if result.returncode:
        raise SystemExit(f"analysis data build failed:\n{result.stderr}")
    reports = scratch / "reports-one"
    seconds, result, _ = run(
        [str(BIN / "analysis"), "batch", "--area", area, "--pdf", "--force", "--reports-dir", str(reports), "--quiet"]
    )
    pdf = output_line(result, "PDF:")
    return {
        "seconds": seconds,
        "ok": result.returncode == 0 and pdf is not None,
        "summary": output_line(result, "batch:") or "no summary",
        "pdf": pdf.replace(str(reports), "<reports>") if pdf else "no PDF",
        "cpu_seconds": result.cpu_seconds,
        "area": area,
    }


def describe_report(report: dict[str, Any] | None) -> str:
    """The one-authority line of the sample section."""
    if report is None:
        from analysis.present import browser

        return f"- One authority end to end with the PDF: not measured (no Chromium at {browser.CHROMIUM})."
    return (
        f"- One authority end to end with the PDF ({report['area']}, `analysis batch --area {report['area']} "
        f"--pdf --force` after `analysis data build` on an emptied disk cache, as `make report` with set-up done): "
        f"**{report['seconds']:.1f} s** (target < {TARGETS['report_seconds']:g} s: "
        f"{_met(report['seconds'], TARGETS['report_seconds'])}), {report['cpu_seconds']:.0f} s of CPU; "
        f"{report['summary']} {report['pdf']}" + ("" if report["ok"] else " FAILED") + "."
    )


# ------------------------------------------------------------------------------------------
# Sample, machine, report
# ------------------------------------------------------------------------------------------


def sample_areas(count: int) -> list[str]:
    """The default eight, then one more authority per region in turn (code order)."""
    from analysis.methods import areas

    chosen = list(DEFAULT_SAMPLE[:count])
    if count > len(chosen):
        listing = areas.list_areas(levels=("utla",)).sort_values("area_code")
        by_region = [list(group["area_code"]) for _, group in listing.groupby("region_code")]
        while len(chosen) < count and any(by_region):
            for codes in by_region:
                extra = next((c for c in codes if c not in chosen), None)
                if extra and len(chosen) < count:
                    chosen.append(extra)
                    codes.remove(extra)
    return chosen


def machine() -> dict[str, Any]:
    """CPU, cores, memory, OS, Python and library versions."""
    import psutil

    model = platform.processor() or "unknown"
    try:
        found = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
        model = found.group(1).strip() if found else model
    except OSError:
        pass
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)),
        "ram_gib": psutil.virtual_memory().total / 2**30,
        "os": platform.platform(),
        "python": platform.python_version(),
        "libraries": versions,
        "load": os.getloadavg(),
    }


def _gib(value: float) -> str:
    return f"{value / 2**30:.2f} GiB"


def _met(value: float, target: float, lower_is_better: bool = True) -> str:
    ok = value <= target if lower_is_better else value >= target
    return "met" if ok else "NOT met"


def memory_text(measured: dict) -> str:
    """A batch's peak memory against the target: the memory it occupies (the larger of the PSS sum
    and the rise in the machine's memory in use, :class:`TreeMemory`), then the RSS sum."""
    target = TARGETS["peak_memory_gib"]
    held = max(measured["peak_pss"], measured["peak_machine"])
    return (
        f"**{_gib(held)}** (target < {target:g} GiB: {_met(held / 2**30, target)}): the machine's memory in use "
        f"rose by {_gib(measured['peak_machine'])} and the PSS sum, which counts a shared page once, peaked at "
        f"{_gib(measured['peak_pss'])}; the RSS sum, which counts every page a kernel shares with its template "
        f"again in the kernel, {_gib(measured['peak_rss'])}"
    )


def describe_round(
    number: int, codes: Sequence[str], naive: tuple[float, int] | None, ours: dict, floor: dict
) -> list[str]:
    n = len(codes)
    per = ours["seconds"] / n
    linear, projection = projection_minutes(ours, n)
    projection = projection if projection is not None else linear
    lines = [f"#### Round {number}", "", "| route | seconds | per authority | ratio |", "|---|---:|---:|---|"]
    if naive is not None:
        lines.append(
            f"| naive (papermill CLI + nbconvert CLI, sequential) | {naive[0]:.1f} | {naive[0] / n:.1f} | "
            f"naive/ours **{naive[0] / ours['seconds']:.1f}x** (target >= {TARGETS['naive_over_ours']:g}x: "
            f"{_met(naive[0] / ours['seconds'], TARGETS['naive_over_ours'], False)})"
            + (f"; {naive[1]} failed command(s)" if naive[1] else "")
            + " |"
        )
    lines.append(f"| ours (`analysis batch`, defaults, cold) | {ours['seconds']:.1f} | {per:.2f} | {ours['summary']} |")
    lines.append(
        f"| floor (the notebooks' code in one process) | {floor['seconds']:.1f} | {floor['seconds'] / n:.2f} | "
        f"ours/floor **{ours['seconds'] / floor['seconds']:.2f}x** (target <= {TARGETS['ours_over_floor']:g}x: "
        f"{_met(ours['seconds'] / floor['seconds'], TARGETS['ours_over_floor'])}); floor per authority "
        f"{floor['seconds'] / n:.2f} s (target <= {TARGETS['floor_seconds_per_authority']:g} s: "
        f"{_met(floor['seconds'] / n, TARGETS['floor_seconds_per_authority'])}) |"
    )
    lines += [
        "",
        f"- Projection for all {ALL_AUTHORITIES} authorities x 4 notebooks: **{projection:.1f} min** "
        f"(target < {TARGETS['projection_minutes']:g} min: {_met(projection, TARGETS['projection_minutes'])}): "
        f"the sample's {ours['seconds']:.0f} s plus the other {ALL_AUTHORITIES - n} authorities at the steady "
        f"rate of {ours['steady'] or 0:.2f} s per run once every worker is busy; {linear:.1f} min if every "
        "authority also repeated the batch's start-up (sample seconds per authority x 152).",
        f"- CPU time of the batch (all its processes): {ours['cpu_seconds']:.0f} s, "
        f"{ours['cpu_seconds'] / n:.1f} s per authority; the CPUs were busy "
        f"{ours['cpu_seconds'] / (ours['seconds'] * (os.cpu_count() or 1)) * 100:.0f}% of the time. "
        f"The floor's CPU: {floor['cpu_seconds']:.0f} s.",
        f"- Peak memory of the batch (process tree): {memory_text(ours)}.",
        "- Mean seconds per run in the batch (worker wall time, execute + publish): "
        + ", ".join(f"{k} {v:.2f}" for k, v in ours["mean_run_seconds"].items())
        + ".",
        "- Floor seconds per notebook over the sample: "
        + ", ".join(f"{k} {v:.2f}" for k, v in floor["by_notebook"].items())
        + ".",
        f"- Floor seconds per authority in its process: the first {floor['per_area'][0]:.2f} s (with the "
        "first reads and draws every later authority finds done)"
        + (
            f", the other {n - 1} median {statistics.median(floor['per_area'][1:]):.2f} s "
            f"({min(floor['per_area'][1:]):.2f}-{max(floor['per_area'][1:]):.2f} s); the interpreter's start and "
            f"`import analysis` {floor['seconds'] - sum(floor['per_area']):.2f} s."
            if n > 1
            else "."
        ),
    ]
    return lines


def describe_ablation(stamp: str, codes: Sequence[str], scratch: Path) -> list[str]:
    """Time the batch on the sample with each optimisation switched off; the table's lines."""
    before = time_reference()
    lines = [
        "| batch | seconds | per authority | vs defaults | CPU seconds | workers | peak RSS | peak PSS |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    baseline = None
    for number, (label, env) in enumerate(ABLATIONS):
        ours = time_ours(codes, scratch, f"ablation{number}", env=env)
        baseline = baseline or ours["seconds"]
        print(f"ablation: {label}: {ours['seconds']:.1f} s; {ours['summary']}", flush=True)
        lines.append(
            f"| {label} | {ours['seconds']:.1f} | {ours['seconds'] / len(codes):.2f} | "
            f"{ours['seconds'] / baseline:.2f}x | {ours['cpu_seconds']:.0f} | {ours['workers']} | "
            f"{_gib(ours['peak_rss'])} | {_gib(ours['peak_pss'])} |"
        )
    return [
        f"### Ablation: {stamp}",
        "",
        f"`analysis batch` on the same {len(codes)} authorities x {len(NOTEBOOKS)} notebooks, cold, one after "
        "the other, with each switchable optimisation turned off (the others stay on).",
        "",
        reference_line(before, time_reference()),
        "",
        *lines,
    ]


def write_section(key: str, lines: list[str]) -> None:
    """Replace one generated section of results.md (other text is kept)."""
    start, end = MARKERS[key]
    block = "\n".join([start, *lines, end])
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.is_file() else "# Batch benchmark results\n\n"
    for s, e in MARKERS.values():
        if s not in text:
            text = text.rstrip("\n") + f"\n\n{s}\n{e}\n"
    text = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _: block, text, flags=re.DOTALL)
    RESULTS.write_text(text, encoding="utf-8")


def machine_lines(info: dict[str, Any]) -> list[str]:
    libs = ", ".join(f"{k} {v}" for k, v in info["libraries"].items())
    return [
        f"- Machine: {info['cpu']}, {info['cores']} cores ({info['usable_cores']} usable), "
        f"{info['ram_gib']:.1f} GiB RAM; {info['os']}; Python {info['python']}.",
        f"- Libraries: {libs}.",
        f"- Load average at the start: {' / '.join(f'{x:.2f}' for x in info['load'])} (other work on the machine "
        "slows every route alike; compare within a run).",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=len(DEFAULT_SAMPLE), help="authorities in the sample (default 8)")
    parser.add_argument("--area", action="append", default=[], help="use these authority codes instead (repeatable)")
    parser.add_argument("--repeat", type=int, default=1, help="run the naive / ours / floor comparison N times")
    parser.add_argument("--full", action="store_true", help="also run one full England batch (analysis batch --all)")
    parser.add_argument("--full-only", action="store_true", help="only the full England batch")
    parser.add_argument("--skip-naive", action="store_true", help="leave out the (slow) naive route")
    parser.add_argument(
        "--ablation",
        action="store_true",
        help="also time the batch on the sample with each optimisation off (figure bases, disk cache, memo, "
        "warm kernels, forkserver)",
    )
    parser.add_argument("--no-write", action="store_true", help="print only; do not update benchmarks/results.md")
    parser.add_argument("--floor-only", nargs="+", metavar="CODE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor_only:
        floor_main(args.floor_only)
        return

    info = machine()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    codes = args.area or sample_areas(args.areas)
    print(
        f"benchmark {stamp}; {info['cpu']}, {info['usable_cores']} usable cores, {info['ram_gib']:.1f} GiB; "
        f"load {info['load'][0]:.2f}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="da-bench-") as tmp:
        scratch = Path(tmp)
        if not args.full_only:
            reference_before = time_reference()
            print(f"reference workload: {reference_before:.2f} s", flush=True)
            imports = time_import()
            print(
                f"import analysis: {imports['import_seconds']:.3f} s in-process, {imports['process_seconds']:.2f} s "
                f"whole process; import analysis.present.maps + prevalence: {imports['maps_prevalence_seconds']:.2f} s",
                flush=True,
            )
            build = time_build(scratch)
            print(f"analysis data build from clean: {build:.1f} s", flush=True)
            report = time_report(scratch)
            print(describe_report(report)[2:], flush=True)
            print(f"sample: {len(codes)} authorities x {len(NOTEBOOKS)} notebooks: {' '.join(codes)}", flush=True)
            rounds = []
            for number in range(1, args.repeat + 1):
                naive = None if args.skip_naive else time_naive(codes, scratch)
                if naive:
                    print(f"[{number}] naive: {naive[0]:.1f} s ({naive[1]} failed commands)", flush=True)
                    shutil.rmtree(scratch / "naive")
                ours = time_ours(codes, scratch, f"sample{number}")
                print(
                    f"[{number}] ours: {ours['seconds']:.1f} s; {ours['summary']}; peak RSS {_gib(ours['peak_rss'])}, "
                    f"PSS {_gib(ours['peak_pss'])}",
                    flush=True,
                )
                floor = time_floor(codes)
                print(f"[{number}] floor: {floor['seconds']:.1f} s", flush=True)
                lines = describe_round(number, codes, naive, ours, floor)
                print("\n".join(lines[2:]), flush=True)
                rounds.append(lines)
            reference_after = time_reference()
            print(f"reference workload: {reference_after:.2f} s", flush=True)
            sample_lines = [
                f"### Sample run: {stamp}",
                "",
                *machine_lines(info),
                reference_line(reference_before, reference_after),
                f"- Sample: {len(codes)} authorities x {len(NOTEBOOKS)} notebooks: {', '.join(codes)}.",
                f"- `import analysis` in a fresh process: {imports['import_seconds']:.3f} s "
                f"(whole interpreter start {imports['process_seconds']:.2f} s; target < "
                f"{TARGETS['import_seconds']:g} s: {_met(imports['import_seconds'], TARGETS['import_seconds'])}). "
                "Importing the heavy modules a notebook uses "
                f"(`analysis.present.maps`, `analysis.methods.prevalence`): "
                f"{imports['maps_prevalence_seconds']:.2f} s.",
                f"- `analysis data build` from clean: {build:.1f} s (target < {TARGETS['build_seconds']:g} s: "
                f"{_met(build, TARGETS['build_seconds'])}).",
                describe_report(report),
                "",
            ]
            for lines in rounds:
                sample_lines += lines + [""]
            if not args.no_write:
                write_section("sample", sample_lines)
            if args.ablation:
                ablation_lines = describe_ablation(stamp, codes, scratch)
                if not args.no_write:
                    write_section("ablation", ablation_lines)
        if args.full or args.full_only:
            from analysis.methods import areas

            every = list(areas.list_areas(levels=("utla",))["area_code"])
            full_before = time_reference()
            full = time_ours(every, scratch, "full")
            full_after = time_reference()
            per = full["seconds"] / len(every)
            print(
                f"full England: {full['seconds']:.1f} s ({full['seconds'] / 60:.1f} min), {per:.2f} s per authority; "
                f"{full['summary']}; peak RSS {_gib(full['peak_rss'])}, PSS {_gib(full['peak_pss'])}",
                flush=True,
            )
            full_lines = [
                f"### Full England run: {stamp}",
                "",
                *machine_lines(info),
                reference_line(full_before, full_after),
                f"- `analysis batch --all` ({len(every)} authorities x {len(NOTEBOOKS)} notebooks, defaults, "
                f"cold): **{full['seconds']:.0f} s = {full['seconds'] / 60:.1f} min** ({per:.2f} s per "
                f"authority; target < {TARGETS['projection_minutes']:g} min: "
                f"{_met(full['seconds'] / 60, TARGETS['projection_minutes'])}).",
                f"- {full['summary']}",
                f"- Peak memory (process tree): {memory_text(full)}.",
                f"- CPU time (all processes): {full['cpu_seconds']:.0f} s, {full['cpu_seconds'] / len(every):.1f} s "
                "per authority; CPUs busy "
                f"{full['cpu_seconds'] / (full['seconds'] * (os.cpu_count() or 1)) * 100:.0f}% "
                f"of the time; steady rate {full['steady'] or 0:.2f} s per run.",
                "- Mean seconds per run: "
                + ", ".join(f"{k} {v:.2f}" for k, v in full["mean_run_seconds"].items())
                + ".",
            ]
            if not args.no_write:
                write_section("full", full_lines)
    if not args.no_write:
        print(f"written: {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
