"""Shared fixtures. Tests read the real shipped data (built by `make test` before pytest runs);
tests that change data work on a temporary copy of the project pointed to by ANALYSIS_ROOT."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from functools import cache
from pathlib import Path

import pandas as pd
import psutil
import pytest

from analysis import config
from analysis.run import lock

REAL_ROOT = config.project_root()
FIXTURE_NOTEBOOKS = Path(__file__).parent / "fixtures" / "notebooks"


def start_batch_in_own_terminal(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start a command as if typed in its own terminal: its own process group, and Ctrl-C
    (SIGINT) handled as by default.

    A shell running a job in the background (``make test &``, ``nohup ... &`` in a script, some CI
    runners) starts it with SIGINT *ignored*, every child inherits that, and Python then installs
    no KeyboardInterrupt handler: a test of Ctrl-C would wait for ever. Restoring the default
    disposition in the child makes the interrupt tests independent of how pytest was started.
    """
    return subprocess.Popen(
        args,
        env={**os.environ, **env} if env else None,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def wait_for(condition, timeout: float = 90) -> None:
    """Wait until ``condition()`` is true, failing after ``timeout`` seconds (a deadline loop)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.2)


def running_kernels(batch_pid: int) -> list[psutil.Process]:
    """The kernels under a batch: fresh ones (``ipykernel_launcher``) and warm ones (children of a
    kernel template, whose command line is the template's)."""
    found = []
    for process in psutil.Process(batch_pid).children(recursive=True):
        try:
            command = " ".join(process.cmdline())
            if "ipykernel_launcher" in command:
                found.append(process)
            elif "analysis.run.template" in command:
                found += process.children()
        except psutil.NoSuchProcess:
            continue
    return found


def descendants_once_a_kernel_runs(batch_pid: int) -> list[psutil.Process]:
    """Every process under the batch (workers, kernel templates, kernels, multiprocessing's resource
    tracker), once the held run's kernel is running."""
    wait_for(lambda: running_kernels(batch_pid))
    return psutil.Process(batch_pid).children(recursive=True)


@pytest.fixture(scope="module")
def kernel_template():
    """Warm kernels in this (test) process, as in a batch worker: one template for the module,
    stopped at its end (a test turns warm kernels on with ``kernels.enable()``)."""
    from analysis.run import kernels

    yield
    kernels.disable()


@pytest.fixture(scope="session")
def interrupted_batch(tmp_path_factory) -> dict:
    """One batch of fixture_second and fixture_sleeps for Southampton (two workers), started in its own
    terminal, interrupted by Ctrl-C (SIGINT to its process group) once fixture_second is published
    and fixture_sleeps is running (held by a file), then resumed by the same command; run once per
    session and shared by tests/test_batch.py (the interrupt, and a second batch refused meanwhile)
    and reliability case 21 (interrupted and resumed).

    Returns what was seen at each step: ``process`` (its pid and returncode), ``out``/``err``,
    ``descendants`` (every process it had started, once a kernel ran), ``second`` (the refused batch),
    ``earlier`` / ``second_html_after`` (fixture_second.html before and after the interrupt),
    ``names_after`` (the folder's file names after it), ``lock`` and ``log`` (after it), ``resumed``
    (the same command again, once the hold file is gone) and ``sleeps_published`` (after that).
    """
    root = tmp_path_factory.mktemp("interrupted")
    reports, hold = root / "reports", root / "hold"
    hold.touch()
    command = [sys.executable, "-m", "analysis", "batch", "--area", "Southampton", "--notebooks-dir"]
    command += [str(FIXTURE_NOTEBOOKS), "--reports-dir", str(reports), "--workers", "2", "--notebooks"]
    args = [*command, "fixture_second", "fixture_sleeps", "-p", "hold_file", str(hold)]
    process = start_batch_in_own_terminal(args)
    folder = reports / "E06000045-southampton"
    seen: dict = {"reports": reports, "folder": folder, "process": process}
    try:
        wait_for(lambda: (folder / "fixture_second.html").is_file() and any(folder.glob(".fixture_sleeps.running-*")))
        seen["earlier"] = (folder / "fixture_second.html").read_bytes()
        seen["descendants"] = descendants_once_a_kernel_runs(process.pid)
        seen["second"] = subprocess.run([*command, "fixture_second"], capture_output=True, text=True)
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C in a terminal signals the whole process group
        seen["out"], seen["err"] = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    seen["names_after"] = sorted(p.name for p in folder.iterdir())
    seen["second_html_after"] = (folder / "fixture_second.html").read_bytes()
    seen["lock"] = (reports / lock.LOCK_NAME).read_text()
    seen["log"] = (reports / "batch.log").read_text(encoding="utf-8")
    hold.unlink()
    seen["resumed"] = subprocess.run(args, capture_output=True, text=True)
    seen["sleeps_published"] = (folder / "fixture_sleeps.html").is_file()
    return seen


#: A parameter value that would run a shell command if it were ever pasted into code (``{marker}``: a file path).
PAYLOAD = '"); import os; os.system("touch {marker}")#'


@pytest.fixture(scope="session")
def fixture_batch(tmp_path_factory) -> dict:
    """One batch of three fixture notebooks (fixture_ok, fixture_second, and fixture_fails, which
    raises in its fourth cell) for Hampshire (by name) and Southampton (by code), two workers, with
    a code-carrying ``label`` (:data:`PAYLOAD`) for fixture_ok; run once per session through
    ``analysis batch`` (``cli.main``, in this process) and shared by tests/test_batch.py (``first``)
    and reliability case 09 (a parameter value carrying code). Tests only read its folder: those
    that run further batches on it work on a copy.

    Returns ``reports``, ``marker`` (the file the payload would create), ``code`` (the exit code),
    ``out``/``err`` (what the command printed) and ``records`` ((area code, notebook) -> run record).
    """
    from analysis import cli

    root = tmp_path_factory.mktemp("batch")
    reports, marker = root / "reports", root / "pwned"
    args = ["batch", "--notebooks-dir", str(FIXTURE_NOTEBOOKS), "--reports-dir", str(reports), "--workers", "2"]
    args += ["--area", "Hampshire", "--area", "E06000045", "--notebooks", "fixture_ok", "fixture_second"]
    args += ["fixture_fails", "-p", "label", PAYLOAD.format(marker=marker)]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(args)
    records = {
        (code_, nb): json.loads((reports / folder / f"{nb}.run.json").read_text())
        for code_, folder in (("E10000014", "E10000014-hampshire"), ("E06000045", "E06000045-southampton"))
        for nb in ("fixture_ok", "fixture_second", "fixture_fails")
    }
    return {
        "reports": reports,
        "marker": marker,
        "code": code,
        "out": out.getvalue(),
        "err": err.getvalue(),
        "records": records,
    }


@pytest.fixture(scope="session")
def failing_batch(tmp_path_factory) -> dict:
    """One batch for Southampton of a good notebook and three that fail in different ways:
    fixture_fails raises in its fourth cell, fixture_dies kills its kernel, and fixture_sleeps
    (``-p seconds 120``) is still running at the 3 s limit (``--timeout 3``); two workers. Run once
    per session through ``analysis batch`` (``cli.main``, in this process) and shared by
    tests/test_batch.py (timeouts and dead kernels, on the returned summary) and reliability cases
    20 and 25 (a notebook raising mid-batch; a kernel that dies or hangs, on the printed output),
    which only read it.

    Returns ``reports``, ``folder`` (Southampton's), ``code`` (the exit code), ``out``/``err`` (what
    the command printed) and ``summary`` (the :class:`analysis.run.batch.BatchSummary` whose
    ``format()`` the command printed).
    """
    from analysis import cli
    from analysis.run import batch

    reports = tmp_path_factory.mktemp("failing") / "reports"
    args = ["batch", "--area", "Southampton", "--notebooks-dir", str(FIXTURE_NOTEBOOKS), "--reports-dir", str(reports)]
    args += ["--workers", "2", "--timeout", "3", "-p", "seconds", "120", "--notebooks"]
    args += ["fixture_second", "fixture_fails", "fixture_dies", "fixture_sleeps"]
    summaries = []
    run_batch = batch.run_batch

    def keep_summary(options):
        summaries.append(run_batch(options))
        return summaries[-1]

    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        patch.setattr(batch, "run_batch", keep_summary)
        code = cli.main(args)
    [summary] = summaries
    folder = reports / "E06000045-southampton"
    return {
        "reports": reports,
        "folder": folder,
        "code": code,
        "out": out.getvalue(),
        "err": err.getvalue(),
        "summary": summary,
    }


def copy_project_data(destination: Path) -> Path:
    """Copy data/raw (writable copies) and the parsed-workbook cache into ``destination``; create the other folders."""
    raw_src = REAL_ROOT / "data" / "raw"
    for path in raw_src.rglob("*"):
        if path.is_file():
            target = destination / "data" / "raw" / path.relative_to(raw_src)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    # The parsed homelessness workbooks (keyed by each workbook's sha256 and the reader's code), so a
    # copy's build reads only what a test changed instead of parsing 31 workbooks again.
    cache = REAL_ROOT / "data" / "interim" / "homelessness"
    if cache.is_dir():
        shutil.copytree(cache, destination / "data" / "interim" / "homelessness", dirs_exist_ok=True)
    (destination / "data" / "processed").mkdir(parents=True, exist_ok=True)
    (destination / "reports").mkdir(parents=True, exist_ok=True)
    return destination


def copy_built_data(destination: Path) -> Path:
    """Copy the real project's built tables (data/processed: the parquet files and the build's state
    file) into a project copy made by ``copy_project_data``, so that its batch finds them up to date
    instead of building them again (the build reads only the manifest's raw files, which the copy
    holds unchanged: a copy whose manifest inputs differ is still rebuilt, as the state file then
    names other checksums)."""
    for path in (REAL_ROOT / "data" / "processed").glob("*"):
        if path.is_file() and not path.name.startswith("."):
            shutil.copy2(path, destination / "data" / "processed" / path.name)
    return destination


@pytest.fixture
def project_copy(tmp_path, monkeypatch) -> Path:
    """A temporary project with a copy of data/raw and no processed data; ANALYSIS_ROOT points at it."""
    root = copy_project_data(tmp_path / "project")
    monkeypatch.setenv(config.ROOT_ENV, str(root))
    monkeypatch.delenv(config.MIRROR_ENV, raising=False)
    return root


@pytest.fixture
def built_project_copy(project_copy) -> Path:
    """A temporary project copy with data/processed built: the real project's build copied in
    (``copy_built_data``), then brought up to date by the build itself, which finds nothing to do
    when the real build is current (as ``make test`` leaves it) and builds for real otherwise. For
    tests that start from a built project; a test of the first build starts from ``project_copy``."""
    from analysis.data import build

    copy_built_data(project_copy)
    build.build_tables(report=lambda message: None)
    return project_copy


def raw_csv(source_id: str):
    """Read a raw manifest CSV of the real project as shipped (for hand computations in tests)."""
    from analysis.data import sources

    item = next(f for f in sources.load_manifest() if f.id == source_id)
    return pd.read_csv(REAL_ROOT / "data" / "raw" / item.path, encoding="utf-8-sig", dtype={0: str})


@cache
def _ts009_cells():
    raw = raw_csv("census2021_ts009_ltla21_sya")
    return pd.DataFrame(
        {
            "ltla_code": raw["Lower Tier Local Authorities Code"],
            "sex": raw["Sex (2 categories)"].str.lower(),
            "age": raw["Age (91 categories) Code"].astype(int),
            "population": raw["Observation"].astype(float),
        }
    )


def ts009_cells():
    """Census 2021 TS009 as shipped, read with pandas alone (not the build's reader): one row per
    district (England and Wales), sex ("female"/"male") and single year of age 0-90 (90 = 90+)."""
    return _ts009_cells().copy()


def districts_of(area_code: str) -> list[str]:
    """The 2021 districts of an upper-tier authority (the raw ONS lookup), or every English district
    of TS009 for England (``E92000001``)."""
    if area_code == config.ENGLAND_CODE:
        return sorted(code for code in _ts009_cells()["ltla_code"].unique() if code.startswith("E"))
    lookup = raw_csv("ltla22_utla22_lookup")
    districts = lookup.loc[lookup["UTLA22CD"] == area_code, "LTLA22CD"].tolist()
    assert districts, f"no districts for {area_code} in the raw lookup"
    return districts


def census_population(area_code: str, sex: str = "persons", min_age: int = 0, max_age: int = 90) -> float:
    """Census 2021 usual residents of an upper-tier authority or England, by hand from raw TS009:
    the sum of its districts' cells for the sex ("persons"/"all" = female + male) and ages."""
    cells = _ts009_cells()
    chosen = cells[cells["ltla_code"].isin(districts_of(area_code)) & cells["age"].between(min_age, max_age)]
    if sex not in ("persons", "all"):
        chosen = chosen[chosen["sex"] == sex]
    return float(chosen["population"].sum())


def run_notebook(name: str, output_dir: Path, **parameters):
    """Execute ``notebooks/<name>.ipynb`` with papermill on the workspace kernel.

    Returns ``(executed_path, records)`` where records are the values the notebook passed to
    ``analysis.present.report.record``. The project root (``ANALYSIS_ROOT``) is inherited by the kernel.
    """
    import papermill

    from analysis.present import report

    output_dir.mkdir(parents=True, exist_ok=True)
    executed = output_dir / f"{name}.ipynb"
    papermill.execute_notebook(
        str(REAL_ROOT / "notebooks" / f"{name}.ipynb"),
        str(executed),
        parameters=parameters,
        kernel_name=config.KERNEL_NAME,
        cwd=str(REAL_ROOT / "notebooks"),
        progress_bar=False,
        log_output=False,
    )
    return executed, report.read_records(executed)


#: Notebook runs side by side in ``run_notebooks``: one per core, as ``analysis batch`` runs them.
PARALLEL_RUNS = 2


def run_notebooks(name: str, runs: dict, failing: tuple = ()) -> dict:
    """Execute ``notebooks/<name>.ipynb`` once per entry of ``runs`` (key -> ``(output_dir, parameters)``),
    two at a time, each in its own kernel (see ``run_notebook``).

    Returns key -> ``(executed_path, records)``, or for the keys in ``failing`` (runs meant to stop
    with an error) the exception the run raised (None if it raised none); an error in any other run
    is raised.
    """
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=PARALLEL_RUNS) as pool:
        futures = {
            key: pool.submit(run_notebook, name, folder, **parameters) for key, (folder, parameters) in runs.items()
        }
        return {key: future.exception() if key in failing else future.result() for key, future in futures.items()}


@pytest.fixture(scope="session")
def hampshire_batch(tmp_path_factory) -> dict:
    """One real batch of the four chapters for Hampshire in a temporary reports folder, run once per session.

    Returns ``{"reports": <reports folder>, "folder": <Hampshire's folder>, "runs": {notebook: run record}}``.
    The modules that read a real batch (test_summary, test_downloads) share it: about a minute on two cores.
    """
    from analysis import cli

    reports = tmp_path_factory.mktemp("hampshire-batch") / "reports"
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err = io.StringIO(), io.StringIO()
    try:
        code = cli.main(["batch", "--area", "Hampshire", "--reports-dir", str(reports), "--quiet"])
    finally:
        sys.stdout, sys.stderr = saved
    assert code == 0, out.getvalue() + err.getvalue()
    folder = reports / "E10000014-hampshire"
    runs = {nb: json.loads((folder / f"{nb}.run.json").read_text(encoding="utf-8")) for nb in config.NOTEBOOKS}
    return {"reports": reports, "folder": folder, "runs": runs}


def outputs_of(monkeypatch, show) -> list:
    """The display_data outputs that ``analysis.present.report`` functions produce when ``show()`` calls them."""
    import nbformat

    from analysis.present import report

    captured = []
    monkeypatch.setattr(
        report,
        "_display",
        lambda bundle, metadata=None: captured.append(
            nbformat.v4.new_output("display_data", data=bundle, metadata=metadata or {})
        ),
    )
    show()
    return captured


def code_cell(source: str, outputs=(), tags=()):
    """An executed code cell with these outputs (and tags)."""
    import nbformat

    cell = nbformat.v4.new_code_cell(source, metadata={"tags": list(tags)} if tags else {})
    cell.outputs, cell.execution_count = list(outputs), 1
    return cell
