"""End-to-end batches of fixture notebooks: failures, resuming, skipping, the lock, timeouts, Dask.

The fixture notebooks (tests/fixtures/notebooks/fixture_*.ipynb) follow the notebook
contract: one succeeds and shows the real Census 2021 population through every part of
analysis.present.report (and tries to publish a count of 3), one raises in its fourth cell
unless ``fail`` is false, one sleeps, one kills its own kernel. Each batch executes real
kernels, so the batches are shared between tests through module-scoped fixtures.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from bs4 import BeautifulSoup

from analysis import cli, config, errors
from analysis.errors import BatchError, ParameterError
from analysis.methods import population
from analysis.present import report
from analysis.run import batch, executors, kernels, lock, plan, runner
from tests.conftest import (
    PAYLOAD,
    descendants_once_a_kernel_runs,
    running_kernels,
    start_batch_in_own_terminal,
    wait_for,
)

pytestmark = pytest.mark.notebook

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
THREE = ["fixture_ok", "fixture_second", "fixture_fails"]
AREAS = ["Hampshire", "E06000045"]  # a county by name and a unitary authority by code
FOLDERS = {"E10000014": "E10000014-hampshire", "E06000045": "E06000045-southampton"}


def batch_args(reports: Path, *extra: str, areas=AREAS, notebooks=THREE) -> list[str]:
    args = ["batch", "--notebooks-dir", str(FIXTURES), "--reports-dir", str(reports), "--workers", "2"]
    for area in areas:
        args += ["--area", area]
    return args + ["--notebooks", *notebooks, *extra]


def snapshot(reports: Path) -> dict[str, float]:
    """Modification times of every file under the reports folder."""
    return {str(p.relative_to(reports)): p.stat().st_mtime_ns for p in reports.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def first(fixture_batch):
    """Three notebooks (one failing) for two areas, a code-carrying label for fixture_ok: the
    session's ``fixture_batch`` (tests/conftest.py, run with the arguments ``batch_args(reports,
    "-p", "label", PAYLOAD...)`` gives), shared with reliability case 09. Read only: the batches
    after it run on a copy (``unchanged``)."""
    return fixture_batch


class _Capture:
    """Capture sys.stdout / sys.stderr of an in-process command (module fixtures cannot use capsys)."""

    def __enter__(self):
        import io

        self._saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = self._out, self._err = io.StringIO(), io.StringIO()
        return self

    def __exit__(self, *exc):
        sys.stdout, sys.stderr = self._saved
        self.out, self.err = self._out.getvalue(), self._err.getvalue()
        return False


def html_of(reports: Path, area_code: str, notebook: str) -> str:
    return (reports / FOLDERS[area_code] / f"{notebook}.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", [["batch"], ["publish"]])
def test_help_for_the_batch_commands(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([*command, "--help"])
    assert exit_info.value.code == 0 and "usage: analysis" in capsys.readouterr().out


def test_selection_errors_come_before_anything_runs(tmp_path, capsys):
    reports = tmp_path / "reports"
    assert cli.main(["batch", "--notebooks-dir", str(FIXTURES), "--reports-dir", str(reports)]) == 1
    assert "error: No areas chosen for the batch." in capsys.readouterr().err
    assert cli.main(batch_args(reports, notebooks=["fixture_nope"])) == 1
    assert "Notebook 'fixture_nope' is not a notebook in" in capsys.readouterr().err
    assert cli.main(batch_args(reports, areas=["Winchester"])) == 1
    assert "Winchester (E07000094) is a lower-tier district" in capsys.readouterr().err
    assert cli.main(batch_args(reports, "-p", "confidence_level", "high")) == 1
    err = capsys.readouterr().err
    assert "error: Parameter 'confidence_level' of fixture_ok must be float, got text 'high'." in err
    assert "hint: Valid parameters of fixture_ok: area (str" in err
    assert not reports.exists()  # refused before the lock, the build or any kernel


def test_a_missing_kernel_is_reported_before_anything_runs():
    batch.check_kernel()  # the workspace kernel is registered by make setup
    with pytest.raises(BatchError, match="kernel 'fixture-no-such-kernel' that the notebooks run on is not installed"):
        batch.check_kernel("fixture-no-such-kernel")


def test_all_selects_every_upper_tier_authority_and_regions_their_authorities():
    everything = plan.select_areas(all_authorities=True)
    assert len(everything) == 152 and {a.level for a in everything} == {"utla"}
    south_east = plan.select_areas(regions=["South East"], areas=["London"])
    assert len(south_east) == 20 and south_east[-1].code == "E12000007"  # 19 authorities + London as a whole


def test_notebooks_are_chosen_by_name_or_unique_prefix():
    assert plan.select_notebooks(["fixture_se", "fixture_ok.ipynb"], FIXTURES) == [
        FIXTURES / "fixture_second.ipynb",
        FIXTURES / "fixture_ok.ipynb",
    ]
    with pytest.raises(ParameterError, match="'fixture_s' matches more than one notebook"):
        plan.select_notebooks(["fixture_s"], FIXTURES)
    # a folder holding none of the topic notebooks: every notebook in it
    assert [p.stem for p in plan.select_notebooks([], FIXTURES)] == [
        "fixture_dies",
        "fixture_environment",
        "fixture_fails",
        "fixture_ok",
        "fixture_second",
        "fixture_sleeps",
    ]


# ------------------------------------------------------------------------------------------
# A failing notebook in a batch of three
# ------------------------------------------------------------------------------------------


def test_a_failing_notebook_does_not_stop_the_others(first):
    reports = first["reports"]
    assert first["code"] == 1
    for folder in FOLDERS.values():
        assert (reports / folder / "fixture_ok.html").is_file() and (reports / folder / "fixture_second.html").is_file()
        assert not (reports / folder / "fixture_fails.html").exists()
        assert (reports / folder / "fixture_fails.failed.ipynb").is_file()  # kept for debugging
        assert not (reports / folder / "fixture_fails.ipynb").exists()


def test_summary_names_area_notebook_cell_and_error(first):
    out = first["out"]
    assert "6 run(s) for 2 area(s)" in out and "4 ran" in out and "2 failed" in out
    assert "FAILED Hampshire (E10000014) fixture_fails: cell 4 (In [4]): ValueError: deliberate fixture failure" in out
    assert "FAILED Southampton (E06000045) fixture_fails: cell 4" in out
    assert "executed notebook kept for debugging" in out and str(first["reports"] / "index.html") in out
    record = first["records"][("E10000014", "fixture_fails")]
    assert record["status"] == "failed" and record["cell"] == 4 and record["html"] is None
    log = (first["reports"] / "batch.log").read_text(encoding="utf-8")
    assert "failed E10000014 fixture_fails" in log and "end: 6 run(s)" in log


def test_records_carry_the_headline_values(first):
    for code in FOLDERS:
        records = first["records"][(code, "fixture_ok")]["records"]
        expected = population.total_population([code]).iloc[0] / 10_000  # one place per 10,000 residents
        assert records["required_places"] == pytest.approx(expected)
        assert records["repeats"] == 1


def test_a_code_carrying_parameter_is_data_never_code(first):
    payload = PAYLOAD.format(marker=first["marker"])
    record = first["records"][("E10000014", "fixture_ok")]
    assert record["parameters"]["label"] == payload and record["records"]["label"] == payload
    assert not first["marker"].exists()


def test_the_html_has_no_code_prompts_tracebacks_parameters_notes_or_paths(first):
    html = html_of(first["reports"], "E10000014", "fixture_ok")
    for marker in (
        "RESEARCHER-NOTES-MARKER",
        "STDOUT-MARKER",
        "WARNING-MARKER",
        "fixture_bypass_count",
        "Traceback",
        "import warnings",
        "report.headline(",
        "injected-parameters",
        "In&nbsp;[",
        "Out[",
        "jp-InputArea-editor",
        "papermill",
        str(FIXTURES),
        str(first["reports"]),
        str(Path.home()) + "/",
    ):
        assert marker not in html, marker
    assert "PATH-MARKER [project folder]" in html


def test_a_count_of_three_is_suppressed_in_the_published_table(first):
    soup = BeautifulSoup(html_of(first["reports"], "E06000045", "fixture_ok"), "html.parser")
    table = next(t for t in soup.find_all("table") if t.caption.get_text() == "FIXTURE small-count table")
    first_row = [td.get_text() for td in table.tbody.tr.find_all("td")]
    assert first_row == ["fixture group A", "[c]", "[c]"]
    assert "fewer than 5 cases" in table.find_next("p", class_="table-note").get_text()


def test_the_report_reads_as_a_report(first):
    soup = BeautifulSoup(html_of(first["reports"], "E10000014", "fixture_ok"), "html.parser")
    persons = population.total_population(["E10000014"]).iloc[0]
    assert soup.title.string == "Hampshire: fixture_ok"
    assert soup.select_one("main > div.headline").get_text().startswith(f"Hampshire had {persons:,.0f} residents")
    assert [a.get_text() for a in soup.select("#contents-list a")] == [
        "Population by age",
        "Small-number check",
        "Sources",
        "Methods, assumptions and caveats",
        "Reproduce",
        "About this report",
    ]
    assert soup.find("img")["alt"].startswith("Bar chart of residents of Hampshire")
    about = soup.find(id="about-this-report").parent.get_text()
    assert "analysis batch --area E10000014 --notebooks fixture_ok -p label" in about


def test_the_index_lists_both_areas_and_the_failures(first):
    soup = BeautifulSoup((first["reports"] / "index.html").read_text(encoding="utf-8"), "html.parser")
    rows = soup.select_one("table.sortable").tbody.find_all("tr")
    assert [r.th.get_text(" ", strip=True) for r in rows] == ["Hampshire (E10000014)", "Southampton (E06000045)"]
    required = [r.find_all("td")[2].get_text() for r in rows]
    assert required == [f"{population.total_population([c]).iloc[0] / 10_000:,.1f}" for c in ("E10000014", "E06000045")]
    failures = soup.find(id="failed-runs").find_next("table").tbody.find_all("tr")
    assert len(failures) == 2 and "deliberate fixture failure" in failures[0].get_text()


# ------------------------------------------------------------------------------------------
# Skipping, forcing, resuming
# ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def unchanged(first, tmp_path_factory):
    """The same batch again, without the failing notebook, in a copy of the first batch's reports
    folder (the tests after it run more batches there): nothing to do."""
    reports = tmp_path_factory.mktemp("batch-again") / "reports"
    shutil.copytree(first["reports"], reports)
    before = snapshot(reports)
    start = time.monotonic()
    with _Capture() as capture:
        code = cli.main(
            batch_args(
                reports,
                "-p",
                "label",
                PAYLOAD.format(marker=first["marker"]),
                notebooks=["fixture_ok", "fixture_second"],
            )
        )
    return {
        "code": code,
        "out": capture.out,
        "before": before,
        "after": snapshot(reports),
        "reports": reports,
        "seconds": time.monotonic() - start,
    }


def test_a_second_run_skips_everything(unchanged):
    assert unchanged["code"] == 0
    assert "0 ran" in unchanged["out"] and "4 skipped (unchanged)" in unchanged["out"]
    changed = {k for k in unchanged["after"] if unchanged["before"].get(k) != unchanged["after"][k]}
    assert changed <= {"batch.log", "index.html", ".batch.lock"}, changed


def test_resume_after_a_failure_reruns_only_the_failed_runs(first, unchanged, tmp_path):
    reports = unchanged["reports"]
    params = tmp_path / "params.yaml"
    params.write_text("fixture_fails:\n  fail: false\n", encoding="utf-8")
    with _Capture() as capture:
        code = cli.main(batch_args(reports, "-f", str(params), "-p", "label", PAYLOAD.format(marker=first["marker"])))
    assert code == 0, capture.out
    assert "2 ran" in capture.out and "4 skipped (unchanged)" in capture.out and "0 failed" in capture.out
    for folder in FOLDERS.values():
        assert (reports / folder / "fixture_fails.html").is_file()
        assert not (reports / folder / "fixture_fails.failed.ipynb").exists()
        assert report.read_records(reports / folder / "fixture_fails.ipynb")["fixed"] is True
    index = BeautifulSoup((reports / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert index.find(id="failed-runs").find_next("p").get_text() == "None."


def test_force_reruns_and_a_changed_parameter_reruns(unchanged):
    reports = unchanged["reports"]
    record_path = reports / FOLDERS["E06000045"] / "fixture_second.run.json"
    assert json.loads(record_path.read_text())["parameters"].get("confidence_level") != 0.9
    changed = batch_args(reports, "-p", "confidence_level", "0.9", areas=["E06000045"], notebooks=["fixture_second"])
    with _Capture() as capture:
        code = cli.main(changed)  # no --force: the changed parameter alone must cause the rerun
    assert code == 0 and "1 ran" in capture.out and "0 skipped" in capture.out, capture.out
    record = json.loads(record_path.read_text())
    assert record["parameters"] == {"area": "E06000045", "confidence_level": 0.9}
    with _Capture() as capture:
        assert cli.main([*changed, "--force"]) == 0
    assert "1 ran" in capture.out  # --force: even though nothing changed


def test_no_temporary_files_are_left_behind(first, unchanged):
    leftovers = [p for folder in (first["reports"], unchanged["reports"]) for p in folder.rglob(".*")]
    leftovers = [p for p in leftovers if p.name != ".batch.lock"]
    assert leftovers == []


# ------------------------------------------------------------------------------------------
# Lock, interrupt and resume
# ------------------------------------------------------------------------------------------


def test_a_second_batch_on_the_same_folder_is_refused(tmp_path, capsys):
    reports = tmp_path / "reports"
    with lock.batch_lock(reports, "analysis batch --all"):
        code = cli.main(batch_args(reports, notebooks=["fixture_second"]))
    err = capsys.readouterr().err
    assert code == 1
    assert f"error: Another batch is already writing to {reports} (PID {os.getpid()} on" in err
    assert "analysis batch --all" in err and "hint: Wait for it to finish or stop it" in err
    with lock.batch_lock(reports) as stale:  # released: the next batch takes it
        assert stale == {}


def test_a_lock_left_by_a_dead_batch_is_taken_over(tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / lock.LOCK_NAME).write_text(json.dumps({"pid": 999999999, "host": "elsewhere", "started": "x"}))
    with lock.batch_lock(reports) as stale:
        assert stale["pid"] == 999999999
    with pytest.raises(BatchError, match="Cannot write to the reports folder"):
        with lock.batch_lock(reports / lock.LOCK_NAME / "sub"):  # a file where a folder should be
            pass


@contextlib.contextmanager
def _held_batch(
    tmp_path: Path, workers: int = 2, warm: bool = False
) -> Iterator[tuple[subprocess.Popen, list[str], Path, Path, Path]]:
    """A batch of fixture_second then fixture_sleeps for Southampton, started in its own terminal and
    yielded once fixture_second is published and fixture_sleeps is running (held by a file);
    killed on the way out if a test left it running. Yields (process, args, reports, hold, folder).

    With 2 workers each run gets a fresh kernel; with 1 worker and ``warm`` the worker forks its
    kernels from a kernel template (``ANALYSIS_WARM_KERNELS=always``: two runs are too few for a
    template to pay, so a batch would otherwise start fresh kernels)."""
    reports, hold = tmp_path / "reports", tmp_path / "hold"
    hold.touch()
    args = [
        sys.executable,
        "-m",
        "analysis",
        *batch_args(
            reports, "-p", "hold_file", str(hold), areas=["E06000045"], notebooks=["fixture_second", "fixture_sleeps"]
        ),
    ]
    args[args.index("--workers") + 1] = str(workers)
    process = start_batch_in_own_terminal(args, {kernels.ENV: "always"} if warm else None)
    folder = reports / FOLDERS["E06000045"]
    try:
        wait_for(lambda: (folder / "fixture_second.html").is_file() and any(folder.glob(".fixture_sleeps.running-*")))
        yield process, args, reports, hold, folder
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


def _assert_stopped_and_waited(descendants: list[psutil.Process], log: str) -> None:
    """The batch waited for its workers, kernel templates and kernels before it exited (it says so in
    its log, ``log``), and every process it had started is gone (multiprocessing's resource tracker
    ends just after the batch: hence the deadline)."""
    assert "interrupted after" in log and "worker, kernel template and kernel process(es), none left" in log, log
    _, alive = psutil.wait_procs(descendants, timeout=30)
    assert alive == [], [(p.pid, p.cmdline()) for p in alive]


def test_interrupt_stops_cleanly_and_the_next_run_carries_on(interrupted_batch):
    seen = interrupted_batch  # tests/conftest.py: Ctrl-C while fixture_sleeps runs, then the same command
    process, err = seen["process"], seen["err"]
    # a second batch meanwhile is refused, naming the first
    assert seen["second"].returncode == 1 and f"(PID {process.pid} on" in seen["second"].stderr
    assert process.returncode == 130, err
    assert "interrupted: stopped cleanly" in err
    _assert_stopped_and_waited(seen["descendants"], seen["log"])
    assert "fixture_sleeps.html" not in seen["names_after"] and "fixture_sleeps.run.json" not in seen["names_after"]
    assert [name for name in seen["names_after"] if name.startswith(".")] == []
    assert seen["lock"] == ""  # released

    resumed = seen["resumed"]
    assert resumed.returncode == 0, resumed.stderr
    assert "1 ran, 0 republished, 1 skipped (unchanged)" in resumed.stdout or (
        "1 ran" in resumed.stdout and "1 skipped (unchanged)" in resumed.stdout
    )
    assert seen["sleeps_published"]


def test_sigterm_to_the_batch_alone_stops_it_as_cleanly_as_ctrl_c(tmp_path):
    """`kill PID` (SIGTERM to the batch process only, e.g. a batch started in the background,
    where Ctrl-C does not reach it): the worker, its kernel template and the kernel forked from
    it are stopped and waited for, partial files removed."""
    with _held_batch(tmp_path, workers=1, warm=True) as (process, _, reports, _, folder):
        descendants = descendants_once_a_kernel_runs(process.pid)
        templates = [p for p in descendants if "analysis.run.template" in " ".join(p.cmdline())]
        assert all(kernel in descendants for kernel in running_kernels(process.pid))
        assert templates or not kernels.wanted()  # warm kernels unless ANALYSIS_WARM_KERNELS=0
        process.terminate()  # SIGTERM to the batch process alone
        _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted: stopped cleanly" in err
    _assert_stopped_and_waited(descendants, (reports / "batch.log").read_text(encoding="utf-8"))
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []
    assert not (folder / "fixture_sleeps.html").exists()


# ------------------------------------------------------------------------------------------
# Timeouts and dead kernels; Dask
# ------------------------------------------------------------------------------------------


def test_timeout_and_dead_kernel_are_reported_and_the_batch_continues(failing_batch):
    """The session's batch of fixture_second and three failing notebooks for Southampton, with a
    3 s limit (``failing_batch`` in tests/conftest.py), shared with reliability cases 20 and 25."""
    summary = failing_batch["summary"]
    assert failing_batch["code"] == summary.exit_code and summary.format() in failing_batch["out"]
    by_notebook = {o.notebook: o for o in summary.outcomes}
    assert summary.exit_code == 1
    assert by_notebook["fixture_second"].status == "ran" and Path(by_notebook["fixture_second"].html).is_file()
    sleeps, dies = by_notebook["fixture_sleeps"], by_notebook["fixture_dies"]
    assert sleeps.failed and sleeps.cell == 3 and "timed out: the notebook was still running after 3 s" in sleeps.error
    assert sleeps.seconds < 60
    assert dies.failed and dies.cell == 3 and "the kernel died" in dies.error
    assert Path(sleeps.executed).name == "fixture_sleeps.failed.ipynb" and Path(sleeps.executed).is_file()
    assert "FAILED Southampton (E06000045) fixture_sleeps: cell 3 (In [3]): timed out" in summary.format()


@pytest.mark.parametrize(
    ("setting", "method"), [(None, "forkserver"), ("spawn", "spawn"), (" Forkserver ", "forkserver")]
)
def test_workers_start_from_a_forkserver_unless_asked_to_spawn(monkeypatch, setting, method):
    if setting is None:
        monkeypatch.delenv(executors.WORKER_START_ENV, raising=False)
    else:
        monkeypatch.setenv(executors.WORKER_START_ENV, setting)
    assert executors.worker_context().get_start_method() == method


def test_an_unknown_way_to_start_workers_is_refused_by_name(monkeypatch):
    monkeypatch.setenv(executors.WORKER_START_ENV, "fork")
    with pytest.raises(errors.BatchError, match="ANALYSIS_WORKER_START='fork' is not a way to start workers") as caught:
        executors.worker_context()
    assert "'forkserver' (the default) or 'spawn'" in caught.value.hint


def test_each_batch_runs_with_the_environment_it_has_when_it_starts(tmp_path, monkeypatch):
    """Workers are forked from a forkserver started with the first batch's environment: a later
    batch in the same process must still run its notebooks with its own."""
    marks = []
    for mark in ("first", "second"):
        monkeypatch.setenv("ANALYSIS_FIXTURE_MARK", mark)
        summary = batch.run_batch(
            batch.BatchOptions(
                areas=["E06000045"],
                notebooks=["fixture_environment"],
                notebooks_dir=FIXTURES,
                reports_dir=tmp_path / mark,
                quiet=True,
            )
        )
        (outcome,) = summary.outcomes
        assert (outcome.status, outcome.error) == ("ran", None)
        marks.append(report.read_records(outcome.executed)["mark"])
    assert marks == ["first", "second"]


def _batch_on_an_in_process_dask_cluster(reports: Path) -> batch.BatchSummary:
    """fixture_second for AREAS on a Dask cluster in this process: one worker, two threads (both runs at once)."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        return batch.run_batch(
            batch.BatchOptions(
                areas=AREAS,
                notebooks=["fixture_second"],
                notebooks_dir=FIXTURES,
                reports_dir=reports,
                scheduler=cluster.scheduler_address,
                quiet=True,
            )
        )


def test_the_same_batch_runs_on_a_dask_cluster(tmp_path):
    summary = _batch_on_an_in_process_dask_cluster(tmp_path / "reports")
    assert summary.executor == "dask" and summary.exit_code == 0
    assert [o.status for o in summary.outcomes] == ["ran", "ran"]
    for code, folder in FOLDERS.items():
        records = report.read_records(tmp_path / "reports" / folder / "fixture_second.ipynb")
        expected = population.total_population([code], min_age=16, max_age=18).iloc[0]
        assert records["population_16_18"] == pytest.approx(expected)
        assert (tmp_path / "reports" / folder / "fixture_second.html").is_file()
    assert (tmp_path / "reports" / "index.html").is_file()


def test_a_dask_batch_runs_in_a_process_whose_thread_ran_a_kernel_before(tmp_path):
    """Both runs at once on an in-process Dask cluster, started from a thread that has run a kernel
    before (jupyter_core's event loop set in its context, as after any notebook run here): each
    worker thread runs its kernel on a loop of its own. On the submitting thread's one loop the
    second run failed: "the kernel did not start: RuntimeError: This event loop is already running"."""
    import contextvars

    from jupyter_core.utils import ensure_event_loop

    def after_a_kernel() -> batch.BatchSummary:
        ensure_event_loop()  # what nbclient's first kernel start in this thread does
        return _batch_on_an_in_process_dask_cluster(tmp_path / "reports")

    summary = contextvars.copy_context().run(after_a_kernel)  # the loop stays out of later tests
    assert [(o.status, o.error) for o in summary.outcomes] == [("ran", None), ("ran", None)]


@pytest.mark.parametrize(
    ("setting", "runs", "workers", "warm"),
    [
        ("1", 4, 2, False),  # one authority: 2 runs a worker do not repay a kernel template's start-up
        ("1", 32, 3, True),  # the benchmark sample: 8 authorities x 4 notebooks
        ("always", 4, 3, True),
        ("0", 32, 2, False),
    ],
)
def test_warm_kernels_and_the_extra_worker_only_where_they_pay(monkeypatch, setting, runs, workers, warm):
    monkeypatch.setenv(kernels.ENV, setting)
    assert executors.pool_size(2, runs) == workers
    assert executors.use_warm_kernels(runs, workers) is warm


def test_a_batch_submits_its_longest_runs_first_and_keeps_the_order_of_the_others():
    def run(area: str, notebook: str) -> runner.Run:
        return runner.Run(area, area, area.lower(), notebook, f"{notebook}.ipynb", {}, "reports", ".", "x", "y")

    runs = [run(a, n) for a in ("A", "B") for n in (*config.NOTEBOOKS, "fixture_ok")]
    ordered = [(r.area_code, r.notebook) for r in executors.longest_first(runs)]
    assert ordered == [
        ("A", "03_regional_maps"), ("B", "03_regional_maps"),
        ("A", "02_refuge_demand_supply"), ("B", "02_refuge_demand_supply"),
        ("A", "01_prevalence"), ("B", "01_prevalence"),
        ("A", "04_young_people_14_18"), ("B", "04_young_people_14_18"),
        ("A", "fixture_ok"), ("B", "fixture_ok"),
    ]  # fmt: skip
