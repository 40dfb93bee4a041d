"""Run the topic notebooks for many areas in parallel and publish them: ``analysis batch``.

One batch = every selected notebook for every selected area. In order:

1. **Selection and parameters** (:mod:`analysis.run.plan`): areas from ``--area``,
   ``--region`` and ``--all``; notebooks from ``--notebooks``; ``-p NAME VALUE`` and ``-f
   params.yaml`` checked against each notebook's ``parameters`` cell, before any kernel starts.
2. **Lock**: one batch at a time per reports folder (:func:`analysis.run.lock.batch_lock`).
3. **Data**: the processed tables are built once (:func:`analysis.data.build.build_tables`), so
   workers only read Parquet.
4. **Plan** (:func:`analysis.run.plan.plan_runs`): unchanged runs are skipped, runs whose only
   change is the publishing code are re-published, ``force`` reruns everything.
5. **Execution** (:mod:`analysis.run.executors`): a pool of worker processes (default: one per
   CPU available to this process, plus one with warm kernels), each running papermill
   in-process with one new kernel per run (:func:`analysis.run.runner.execute_run`), or the
   same tasks on a Dask cluster. A failing run never stops the others.
6. **Publication**: each area's evidence summary (``reports/<area>/index.html``, from its
   chapters' run records: :mod:`analysis.present.summary`), written as soon as the area's last
   run is done while the other areas' runs go on, then ``reports/index.html``, a line
   per run in ``reports/batch.log``, and the batch's own summary (ran / skipped / failed, naming
   area, notebook, cell and error).
7. **PDF** (``pdf``, the ``--pdf`` flag): each area's summary and chapters printed into one PDF
   with headless Chromium (:mod:`analysis.present.pdf`), checked for before anything runs. One
   :class:`~analysis.present.pdf.Printer` prints each area as soon as its summary is written,
   on a thread of its own; Chromium is launched once a worker has no notebook left to run, and
   the pages already published are turned into print sections while the last notebooks run. An
   area with a failed chapter gets no PDF; the summary names it and the batch fails.

Interrupting (Ctrl-C or SIGTERM) stops the workers, their kernel templates and kernels and
waits for all of them, removes partial files and releases the lock; finished runs are kept,
so the same command resumes.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from collections import Counter
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from analysis import config
from analysis.errors import BatchError, ParameterError
from analysis.run import executors, kernels, lock, parameters, runner
from analysis.run.plan import (
    LOCAL_DATA_NOTEBOOKS,
    BatchOptions,
    available_notebooks,
    check_local_files,
    command_line,
    load_parameters_file,
    plan_runs,
    resolve_parameters,
    select_areas,
    select_notebooks,
)
from analysis.run.processes import signal_handlers

LOG_NAME = "batch.log"
EXECUTORS = ("processes", "dask")
STATUS_ORDER = ("ran", "republished", "skipped", "failed")


@dataclass
class BatchSummary:
    """The outcome of a batch."""

    outcomes: list[runner.RunOutcome]
    seconds: float
    reports_dir: Path
    index: Path | None
    workers: int
    executor: str
    notes: list[str] = field(default_factory=list)
    pdfs: list[Any] = field(default_factory=list)  # analysis.present.pdf.PrintedPdf
    pdf_problems: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def failures(self) -> list[runner.RunOutcome]:
        return [outcome for outcome in self.outcomes if outcome.failed]

    @property
    def exit_code(self) -> int:
        return 1 if self.failures or self.pdf_problems else 0

    def format(self) -> str:
        """The summary printed at the end of a batch."""
        areas = len({o.area_code for o in self.outcomes})
        counts = ", ".join(
            f"{self.count(status)} {label}"
            for status, label in (
                ("ran", "ran"),
                ("republished", "republished"),
                ("skipped", "skipped (unchanged)"),
                ("failed", "failed"),
            )
            if self.count(status) or status in ("ran", "skipped", "failed")
        )
        lines = [
            f"batch: {len(self.outcomes)} run(s) for {areas} area(s) in {self.seconds:.1f} s "
            f"({self.workers} worker(s), {self.executor}): {counts}."
        ]
        for outcome in self.failures:
            lines.append(f"  FAILED {outcome.area_name} ({outcome.area_code}) {outcome.notebook}: {outcome.error}")
            if outcome.executed and Path(outcome.executed).is_file():
                lines.append(f"         executed notebook kept for debugging: {outcome.executed}")
        for printed in self.pdfs:
            lines.append(f"PDF: {printed.path} ({printed.seconds:.1f} s)")
        for problem in self.pdf_problems:
            lines.append(f"  PDF NOT WRITTEN: {problem}")
        if self.index is not None:
            lines.append(f"reports: {self.index}")
        lines.append(f"run log: {self.reports_dir / LOG_NAME}")
        return "\n".join(lines)


def default_workers() -> int:
    """CPUs this process may use (affinity mask, and a container's CPU quota when it has one)."""
    try:
        count = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        count = os.cpu_count() or 1
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            count = min(count, max(1, int(int(quota) // int(period))))
    except (OSError, ValueError):
        pass
    return max(1, count)


# ------------------------------------------------------------------------------------------
# The batch
# ------------------------------------------------------------------------------------------


def _log(reports_dir: Path, text: str) -> None:
    stamp = datetime.now(UTC).replace(microsecond=0).isoformat()
    with open(reports_dir / LOG_NAME, "a", encoding="utf-8") as handle:
        handle.write(f"{stamp} {text}\n")


def _outcome_line(outcome: runner.RunOutcome, reports_dir: Path) -> str:
    line = f"{outcome.status} {outcome.area_code} {outcome.notebook} ({outcome.seconds:.1f} s)"
    if outcome.failed:
        line += f": {outcome.error}"
        if outcome.executed and Path(outcome.executed).is_file():
            line += f"; executed notebook kept: {Path(outcome.executed).relative_to(reports_dir)}"
    return line


def _sigterm_as_interrupt() -> AbstractContextManager[None]:
    """In the main thread, treat SIGTERM like Ctrl-C so a stopped batch cleans up the same way."""

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    return signal_handlers({signal.SIGTERM: interrupt})


def check_kernel(name: str = config.KERNEL_NAME) -> None:
    """Fail early, with the fix, when the notebooks' Jupyter kernel is not registered here."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        raise BatchError(
            f"The Jupyter kernel {name!r} that the notebooks run on is not installed.",
            "Run 'make setup' (it registers the kernel in .venv), or in a conda environment: "
            f"python -m ipykernel install --user --name {name} "
            f'--display-name "{config.KERNEL_DISPLAY_NAME}" && python -m analysis.run.kernels {name}',
        ) from None


def _interrupted_line(exc: KeyboardInterrupt, done: int, todo: int) -> str:
    line = f"interrupted after {done} of {todo} run(s); finished runs are kept, the same command carries on"
    if isinstance(exc, executors.Stopped):
        left = f"{len(exc.left)} left running (pids {', '.join(map(str, exc.left))})" if exc.left else "none left"
        line += f"; stopped {exc.stopped} worker, kernel template and kernel process(es), {left}"
    return line


def _publish_summaries(reports_dir: Path, area_codes: list[str], notes: list[str], say: Any) -> None:
    """Each area's evidence summary, from its chapters' run records (once all its runs have finished)."""
    from analysis.present import summary

    written, problems = summary.write_summaries(reports_dir, area_codes)
    for path in written:
        _log(reports_dir, f"summary {path.relative_to(reports_dir)}")
    for problem in problems:
        notes.append(f"not published: {problem} (the earlier summary, if any, is kept)")
        _log(reports_dir, notes[-1])
        say(f"note: {notes[-1]}")


def run_batch(options: BatchOptions) -> BatchSummary:
    """Run a batch (see the module docstring); return its summary.

    Raises
    ------
    ParameterError, AreaError
        Bad selection or parameters, before anything runs.
    BatchError
        Another batch holds the reports folder, or it cannot be written.
    KeyboardInterrupt
        After stopping cleanly on Ctrl-C / SIGTERM (finished runs are kept).
    """
    from tqdm import tqdm

    from analysis.data import build
    from analysis.present import pdf, publish

    clock = time.monotonic()
    if options.executor not in EXECUTORS:
        raise ParameterError(f"Unknown executor {options.executor!r}.", f"Use one of {', '.join(EXECUTORS)}.")
    if options.workers is not None and options.workers < 1:
        raise ParameterError(f"--workers must be at least 1, got {options.workers}.")
    if options.timeout is not None and options.timeout < 0:
        raise ParameterError(f"--timeout must be a number of seconds >= 0 (0: no limit), got {options.timeout}.")
    reports_dir = Path(options.reports_dir or config.REPORTS_DIR).absolute()
    options.command = options.command or command_line(options)
    areas = select_areas(options.areas, options.regions, options.all_authorities)
    notebook_paths = select_notebooks(options.notebooks, options.notebooks_dir)
    declared = {path.stem: parameters.read_parameters(path) for path in notebook_paths}
    known = [*config.NOTEBOOKS, *(p.stem for p in available_notebooks(notebook_paths[0].parent))]
    values = resolve_parameters(declared, options.parameters, load_parameters_file(options.parameters_file), known)
    say = (lambda message: None) if options.quiet else (lambda message: print(message, file=sys.stderr))
    notes = []
    if not options.scheduler and options.executor == "processes":
        check_kernel()
        if kernels.wanted() and not kernels.has_provisioner():
            notes.append(
                f"warm kernels are off: the {config.KERNEL_NAME!r} kernelspec does not name their provisioner "
                f"(run 'python -m analysis.run.kernels {config.KERNEL_NAME}' once to turn them on)."
            )
            say(f"note: {notes[-1]}")
    if any(path.stem in LOCAL_DATA_NOTEBOOKS for path in notebook_paths):
        check_local_files()
    if options.pdf:
        pdf.check_chromium()

    with lock.batch_lock(reports_dir, options.command) as stale, _sigterm_as_interrupt():
        if stale:
            notes.append(
                f"the previous batch ({lock.describe_holder(stale)}) stopped without finishing; "
                "carrying on where it stopped."
            )
            say(f"note: {notes[-1]}")
        lock.remove_partial_files(reports_dir)
        build.build_tables(report=say)
        workspace = publish.workspace_info()
        todo, skipped = plan_runs(areas, notebook_paths, values, reports_dir, options, workspace)
        scheduler = options.scheduler
        executor = "dask" if scheduler else options.executor
        workers = max(
            1,
            min(
                options.workers
                or (
                    executors.pool_size(default_workers(), len(todo)) if executor == "processes" else default_workers()
                ),
                len(todo) or 1,
            ),
        )
        _log(
            reports_dir,
            f"start pid={os.getpid()} host={socket.gethostname()}: {len(areas)} area(s) x "
            f"{len(notebook_paths)} notebook(s); {len(todo)} to run or publish, "
            f"{len(skipped)} unchanged; {workers} worker(s), {executor}; command: {options.command}",
        )
        outcomes: list[runner.RunOutcome] = list(skipped)
        bar = tqdm(
            total=len(todo) + len(skipped),
            initial=len(skipped),
            unit="run",
            desc="batch",
            disable=True if options.quiet else None,
            file=sys.stderr,
            dynamic_ncols=True,
        )

        # An area's summary is written as soon as its last run is done, while other areas' runs go
        # on (rather than all of them after the last run: ~0.15 s each, 152 in a row for England).
        pending = Counter(run.area_code for run in todo)
        summarised: set[str] = set()
        say_above_bar = (lambda message: None) if options.quiet else (lambda m: bar.write(m, file=sys.stderr))
        folders = {area.code: reports_dir / area.report_slug for area in areas}
        chapters = [path.stem for path in notebook_paths]
        # With --pdf, each area is printed as soon as its summary is written, on the printer's own
        # thread; Chromium is launched once a worker has nothing left to run, and the pages of the
        # areas still running are turned into print sections while their last notebooks run.
        printer = pdf.Printer(workspace) if options.pdf else None
        finished = 0

        def start_printer() -> None:
            printer.start()
            for done in outcomes:
                if done.area_code in folders and pending[done.area_code] and not done.failed:
                    printer.prepare(folders[done.area_code], done.notebook, chapters)

        def on_outcome(outcome: runner.RunOutcome) -> None:
            nonlocal finished
            outcomes.append(outcome)
            finished += 1
            _log(reports_dir, _outcome_line(outcome, reports_dir))
            pending[outcome.area_code] -= 1
            if pending[outcome.area_code] == 0 and outcome.area_code in folders:
                _publish_summaries(reports_dir, [outcome.area_code], notes, say_above_bar)
                summarised.add(outcome.area_code)
                if printer is not None:
                    printer.print_folder(folders[outcome.area_code])
            elif printer is not None and printer.started and outcome.area_code in folders and not outcome.failed:
                printer.prepare(folders[outcome.area_code], outcome.notebook, chapters)
            if printer is not None and not printer.started and len(todo) - finished < workers:
                start_printer()
            if outcome.failed and not options.quiet:
                bar.write(
                    f"FAILED {outcome.area_name} ({outcome.area_code}) {outcome.notebook}: {outcome.error}",
                    file=sys.stderr,
                )
            bar.update(1)
            bar.set_postfix(failed=sum(1 for o in outcomes if o.failed), refresh=False)

        try:
            if printer is not None and len(todo) < workers:
                start_printer()
            if todo and executor == "dask":
                executors.run_with_dask(todo, workers, scheduler, on_outcome)
            elif todo:
                executors.run_with_processes(todo, workers, reports_dir, on_outcome)
            bar.close()
            rest = [a.code for a in areas if a.code not in summarised]
            _publish_summaries(reports_dir, rest, notes, say)
            printed = pdf.PdfRun()
            if printer is not None:
                say(f"printing the PDF of {len(areas)} area(s) with Chromium...")
                for code in rest:
                    printer.print_folder(folders[code])
                # The reports index (its England map) is drawn while Chromium prints: the PDF does
                # not read it, and printing mostly waits on the browser process.
                index = publish.write_index(reports_dir, workspace)
                printed = printer.finish()
                place = {folder: i for i, folder in enumerate(folders.values())}
                printed.written.sort(key=lambda item: place.get(item.path.parent, len(place)))
                for item in printed.written:
                    _log(reports_dir, f"pdf {item.path.relative_to(reports_dir)} ({item.seconds:.1f} s)")
                for problem in printed.problems:
                    _log(reports_dir, f"pdf not written: {problem}")
            else:
                index = publish.write_index(reports_dir, workspace)
        except KeyboardInterrupt as exc:
            bar.close()
            lock.remove_partial_files(reports_dir)
            _log(reports_dir, _interrupted_line(exc, finished, len(todo)))
            raise
        finally:
            if printer is not None:
                printer.close()
        order = {(a.code, p.stem): i for i, (a, p) in enumerate((a, p) for a in areas for p in notebook_paths)}
        outcomes.sort(key=lambda o: order.get((o.area_code, o.notebook), 0))
        summary = BatchSummary(
            outcomes,
            time.monotonic() - clock,
            reports_dir,
            index,
            workers,
            executor,
            notes,
            pdfs=printed.written,
            pdf_problems=printed.problems,
        )
        _log(reports_dir, "end: " + summary.format().splitlines()[0].removeprefix("batch: "))
        return summary
