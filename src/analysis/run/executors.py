"""Where a batch's runs execute: a local pool of worker processes, or a Dask cluster.

Both call :func:`analysis.run.runner.execute_run` once per run and hand each outcome to a
callback as it arrives, so the batch shows progress and records outcomes in completion
order. A run that fails outside its notebook (a worker killed by the operating system, a
task lost by Dask) becomes a failed outcome; it never stops the other runs.

Local pool: worker processes are forked from a *forkserver* (:func:`worker_context`): a
fresh interpreter the batch starts once, which imports what every worker needs
(:data:`WORKER_PRELOAD`: papermill, nbclient, nbconvert and the package's runner) and then
forks each worker; nothing is copied from the batch's own process, as with ``spawn``, but the
imports (about 1 s of CPU, once jsonschema's RFC 3987 grammar is skipped:
:data:`analysis.UNUSED_OPTIONAL_IMPORTS`) are paid once per batch process instead of once per
worker. Each worker takes the batch's environment as it is when the pool starts (the forkserver
keeps the one it started with), ignores Ctrl-C (the parent decides), and keeps its interpreter
warm, so each run only pays for its own kernel.

Stopping (Ctrl-C or SIGTERM to the batch): the batch notes every process under its workers
(kernel templates, kernels), sends each worker SIGTERM and waits for all of them
(:func:`analysis.run.processes.stop_processes`: terminate, wait with a deadline, kill what is left, wait again).
A worker's SIGTERM handler does the same one level down: it stops its kernel template
(which kills and waits for the kernels it forked, :func:`analysis.run.template.stop_kernels`)
and any fresh kernel, removes its partial files and connection files, and exits. So when
the batch exits, no process it started is left running.
"""

from __future__ import annotations

import contextvars
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import psutil

from analysis import config
from analysis.errors import BatchError
from analysis.run import kernels, runner, template
from analysis.run.processes import signal_handlers, stop_processes

KERNEL_LOG_NAME = "batch-kernels.log"
#: Memory one local worker needs with its kernel template and a kernel (PSS measured on a full
#: England batch: 1.33 GiB for 2 workers), with a margin.
WORKER_MEMORY_GIB = 1.0
#: Warm kernels pay only when each worker runs at least this many notebooks: a worker's kernel
#: template costs about 9 s of CPU to import and warm up, and saves about 3 s of each later
#: kernel start. Measured on 2 CPUs (one authority x 4 notebooks with the PDF: 30.1 s with fresh
#: kernels, 34.9 s with warm ones; 8 authorities x 4 notebooks: warm kernels save 27%).
WARM_KERNEL_MIN_RUNS_PER_WORKER = 3
#: How long stopped workers (and everything under them) get to exit before they are killed, in seconds.
STOP_GRACE_SECONDS = 15
#: How long a stopped worker waits for its kernel template and kernels before killing them.
WORKER_STOP_SECONDS = 10


class Stopped(KeyboardInterrupt):
    """A local batch interrupted (Ctrl-C or SIGTERM) after its workers were stopped: how many
    processes (workers, kernel templates, kernels) were stopped, and the pids of any left running."""

    def __init__(self, stopped: int, left: Sequence[int] = ()) -> None:
        super().__init__(f"stopped {stopped} process(es), {len(left)} left running")
        self.stopped, self.left = stopped, list(left)


def _connection_file(command: Sequence[str]) -> str | None:
    """The connection file of a kernel command line (``... -f FILE.json``), if it is one."""
    if "-f" in command[:-1] and command[command.index("-f") + 1].endswith(".json"):
        return command[command.index("-f") + 1]
    return None


def _stop_worker(signum: int, frame: Any) -> None:
    """SIGTERM in a pool worker: stop its kernel template and kernels, wait for them, remove its
    partial files and the kernels' connection files, exit."""
    template = kernels.template_pid()
    processes, connection_files = [], []
    for process in psutil.Process().children(recursive=True):
        try:
            connection_files.append(_connection_file(process.cmdline()))
            if process.pid == template:
                process.terminate()  # the template kills and waits for its kernels, then exits
            else:
                process.kill()
        except psutil.Error:
            continue
        processes.append(process)
    stop_processes(processes, WORKER_STOP_SECONDS)
    for name in connection_files:
        if name:
            Path(name).unlink(missing_ok=True)
    kernels.remove_connection_files()
    for path in list(runner.IN_PROGRESS):
        path.unlink(missing_ok=True)
    os._exit(128 + signum)


#: What the forkserver imports before it forks a worker (:func:`worker_context`): what
#: :func:`_init_worker` and every run import. A module that fails to import there is imported
#: by each worker instead.
WORKER_PRELOAD = (
    "analysis.run.executors",
    "analysis.run.runner",
    "analysis.present.publish",
    "nbclient",
    "papermill",
    "nbconvert.exporters",
)


#: ``ANALYSIS_WORKER_START=spawn`` spawns each worker (its own imports), for comparisons.
WORKER_START_ENV = "ANALYSIS_WORKER_START"


def worker_context() -> multiprocessing.context.BaseContext:
    """The multiprocessing context a local pool starts its workers with.

    ``forkserver`` (documented in :mod:`multiprocessing`, "Contexts and start methods") with
    :data:`WORKER_PRELOAD` preloaded (``set_forkserver_preload``), where the platform has it
    (Linux, macOS); else, or with ``ANALYSIS_WORKER_START=spawn`` (:data:`WORKER_START_ENV`),
    ``spawn``. Both start workers that share no state with this process.

    Raises
    ------
    BatchError
        If ``ANALYSIS_WORKER_START`` is set to anything but ``forkserver`` or ``spawn``.
    """
    wanted = os.environ.get(WORKER_START_ENV, "forkserver").strip().lower() or "forkserver"
    if wanted not in {"forkserver", "spawn"}:
        raise BatchError(
            f"{WORKER_START_ENV}={wanted!r} is not a way to start workers.",
            "Set it to 'forkserver' (the default) or 'spawn', or unset it.",
        )
    if wanted == "spawn" or "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(WORKER_PRELOAD))  # no effect once this process's forkserver runs
    return context


#: The notebook whose region maps are drawn over bases the kernel templates can draw first.
MAPS_NOTEBOOK = "03_regional_maps"


def _init_worker(
    project_root: str,
    console_log: str,
    warm_kernels: bool = False,
    warm_regions: str = "",
    environment: dict[str, str] | None = None,
) -> None:
    """Set up a pool worker: signals, environment (``environment``: the batch's, when the pool
    started), quiet logs, warm imports and, when it will run several notebooks, warm kernels
    (:mod:`analysis.run.kernels`), whose template also draws the region map bases of
    ``warm_regions`` (:data:`analysis.run.template.WARM_REGIONS_ENV`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is handled by the parent, which stops workers
    signal.signal(signal.SIGTERM, _stop_worker)
    if environment is not None:  # a forkserver's child has the environment the forkserver started with
        os.environ.clear()
        os.environ.update(environment)
    os.environ[config.ROOT_ENV] = project_root
    if warm_regions:
        os.environ[template.WARM_REGIONS_ENV] = warm_regions
    try:  # kernels inherit the worker's stdout/stderr: keep their console messages out of the terminal
        fd = os.open(console_log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
    except OSError:
        pass
    import nbclient  # noqa: F401
    import papermill  # noqa: F401

    from analysis.present import publish

    runner.quiet_loggers()
    publish._exporter()
    if warm_kernels:
        kernels.enable()


def use_warm_kernels(runs: int, workers: int) -> bool:
    """Whether a local batch of ``runs`` notebook runs on ``workers`` workers uses warm kernels:
    when they are wanted (:func:`analysis.run.kernels.wanted`) and each worker has at least
    :data:`WARM_KERNEL_MIN_RUNS_PER_WORKER` runs to share its template's start-up cost, or
    always with ``ANALYSIS_WARM_KERNELS=always`` (:func:`analysis.run.kernels.forced`)."""
    return kernels.forced() or (kernels.wanted() and runs >= WARM_KERNEL_MIN_RUNS_PER_WORKER * max(1, workers))


def pool_size(cpus: int, runs: int | None = None) -> int:
    """Worker processes for a local batch of ``runs`` on ``cpus`` CPUs: one more than the CPUs with
    warm kernels (:func:`use_warm_kernels`; ``runs`` None: as for a large batch).

    A run alternates between its worker (papermill, publishing) and its kernel, and waits on
    each kernel's start and shutdown handshakes; with warm kernels those waits are a large
    share of a run, so one extra worker keeps every CPU busy (8 authorities x 4 notebooks on
    2 CPUs: 41 s with 2 workers, 38 s with 3). Capped at one worker per
    :data:`WORKER_MEMORY_GIB` of available memory (a worker, its kernel template and a kernel).
    """

    warm = kernels.wanted() if runs is None else use_warm_kernels(runs, cpus + 1)
    wanted = cpus + 1 if warm else cpus
    by_memory = int(psutil.virtual_memory().available / 2**30 / WORKER_MEMORY_GIB)
    return max(1, min(wanted, by_memory))


def _stop_pool(pool: ProcessPoolExecutor, workers: Sequence[Any]) -> tuple[list[Any], list[Any]]:
    """Stop the pool's ``workers`` (``psutil.Process``) and every process under them; return those
    processes and any still running afterwards (see the module docstring)."""

    tree = []
    for worker in workers:
        try:
            tree += [worker, *worker.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        try:
            worker.terminate()
        except psutil.NoSuchProcess:
            pass
    return tree, stop_processes(tree, STOP_GRACE_SECONDS)


def _pool_workers(before: set[int]) -> list[Any]:
    """The pool's worker processes: this process's multiprocessing children not there before the pool."""

    workers = []
    for child in multiprocessing.active_children():
        if child.pid is not None and child.pid not in before:
            try:
                workers.append(psutil.Process(child.pid))
            except psutil.NoSuchProcess:
                pass
    return workers


def longest_first(runs: Sequence[runner.Run]) -> list[runner.Run]:
    """``runs`` with the longest expected first (:data:`analysis.config.EXPECTED_RUN_SECONDS`; a
    notebook not listed keeps its place after them), so the pool's last run is a short one."""
    return sorted(runs, key=lambda run: -config.EXPECTED_RUN_SECONDS.get(run.notebook, 0.0))


def run_with_processes(
    runs: Sequence[runner.Run], workers: int, reports_dir: Path, on_outcome: Callable[[runner.RunOutcome], None]
) -> None:
    """Run on a local pool of worker processes (:func:`worker_context`: no state copied from this process)."""
    before = {child.pid for child in multiprocessing.active_children()}
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=worker_context(),
        initializer=_init_worker,
        initargs=(
            str(config.project_root()),
            str(reports_dir / KERNEL_LOG_NAME),
            use_warm_kernels(len(runs), workers),
            ",".join(
                template.regions_to_warm(
                    [r.area_code for r in runs if r.notebook == MAPS_NOTEBOOK and r.mode == "execute"], workers
                )
            ),
            dict(os.environ),
        ),
    )
    futures: dict[Any, runner.Run] = {}
    try:
        for run in longest_first(runs):
            futures[pool.submit(runner.execute_run, run)] = run
        for future in as_completed(futures):
            try:
                outcome = future.result()
            except Exception as exc:
                outcome = runner.outcome_from_error(futures[future], exc)
            on_outcome(outcome)
    except BaseException as exc:
        with signal_handlers({signal.SIGINT: signal.SIG_IGN, signal.SIGTERM: signal.SIG_IGN}):
            stopped, left = _stop_pool(pool, _pool_workers(before))  # a second Ctrl-C cannot cut it short
        if isinstance(exc, KeyboardInterrupt):
            raise Stopped(len(stopped), [process.pid for process in left]) from exc
        raise
    pool.shutdown(wait=True)


_DASK_THREAD = threading.local()


def execute_run_in_thread_context(run: runner.Run) -> runner.RunOutcome:
    """:func:`analysis.run.runner.execute_run` in a context of its own per worker thread (Dask tasks).

    Dask's workers run each task in a copy of the context variables of the process that
    submitted or scheduled it (``distributed.utils.run_in_executor_with_context``), and
    jupyter_core keeps the asyncio loop nbclient runs a kernel on in a context variable
    (``jupyter_core.utils.ensure_event_loop``). Where that variable was already set (a
    notebook run earlier in the submitting thread, as in an in-process cluster), every worker
    thread would get that one loop, and two runs at once fail with "This event loop is already
    running". Each worker thread here keeps one context of its own for all its runs, so it
    gets one loop of its own, as a local pool worker does.
    """
    context = getattr(_DASK_THREAD, "context", None)
    if context is None:
        context = _DASK_THREAD.context = contextvars.Context()
    return context.run(runner.execute_run, run)


def run_with_dask(
    runs: Sequence[runner.Run], workers: int, scheduler: str | None, on_outcome: Callable[[runner.RunOutcome], None]
) -> None:
    """Run the same tasks on a Dask distributed cluster (``scheduler`` address, or a local one).

    Workers must see the project folder at the same path (a shared drive) and have the
    workspace environment, with its ``analysis`` kernel, installed.
    """
    try:
        from distributed import Client, LocalCluster
        from distributed import as_completed as dask_as_completed
    except ImportError:
        raise BatchError(
            "The Dask executor needs the 'distributed' package.",
            "Install it in the workspace environment (it is in requirements.lock).",
        ) from None
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="30s")
        else:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(cluster)
    except (OSError, TimeoutError) as exc:
        raise BatchError(
            f"Cannot connect to the Dask scheduler {scheduler}: {exc}",
            "Check the address (e.g. tcp://host:8786) and that the scheduler is running.",
        ) from None
    try:
        futures = [client.submit(execute_run_in_thread_context, run, pure=False) for run in runs]
        lookup = {future.key: run for future, run in zip(futures, runs)}
        try:
            for future in dask_as_completed(futures):
                try:
                    outcome = future.result()
                except Exception as exc:
                    outcome = runner.outcome_from_error(lookup[future.key], exc)
                on_outcome(outcome)
        except BaseException:
            client.cancel(futures)
            raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
