"""Where a batch's runs execute: a local pool of worker processes, or a Dask cluster.

Both call :func:`analysis.run.runner.execute_run` once per run and hand each outcome to a
callback as it arrives, so the batch shows progress and records outcomes in completion
order. A run that fails outside its notebook (a worker killed by the operating system, a
task lost by Dask) becomes a failed outcome; it never stops the other runs.

Local pool: worker processes are *spawned* (nothing copied from the parent), ignore
Ctrl-C (the parent decides), and keep a warm interpreter with papermill and nbconvert
imported, so each run only pays for its own kernel. On SIGTERM a worker kills its kernel,
removes its partial files and exits at once: that is how an interrupted batch stops.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from analysis import config
from analysis.errors import BatchError
from analysis.run import kernels, runner

KERNEL_LOG_NAME = "batch-kernels.log"
#: Memory one local worker needs with its kernel template and a kernel (PSS measured on a full
#: England batch: 1.33 GiB for 2 workers), with a margin.
WORKER_MEMORY_GIB = 1.0
#: How long stopped workers get to exit before they are killed, in seconds.
STOP_GRACE_SECONDS = 15


def _kill_child_processes() -> None:
    """Kill this process's children (its kernels) and remove their connection files."""
    import psutil

    for child in psutil.Process().children(recursive=True):
        try:
            command = child.cmdline()
            child.kill()
        except psutil.Error:
            continue
        if "-f" in command[:-1] and command[command.index("-f") + 1].endswith(".json"):
            Path(command[command.index("-f") + 1]).unlink(missing_ok=True)


def _stop_worker(signum: int, frame: Any) -> None:
    """SIGTERM in a pool worker: kill its kernel, remove its partial files, exit at once."""
    _kill_child_processes()
    kernels.remove_connection_files()
    for path in list(runner.IN_PROGRESS):
        path.unlink(missing_ok=True)
    os._exit(128 + signum)


def _init_worker(project_root: str, console_log: str, warm_kernels: bool = False) -> None:
    """Set up a pool worker: signals, environment, quiet logs, warm imports and, when it will run
    several notebooks, warm kernels (:mod:`analysis.run.kernels`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is handled by the parent, which stops workers
    signal.signal(signal.SIGTERM, _stop_worker)
    os.environ[config.ROOT_ENV] = project_root
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

    runner._quiet_loggers()
    publish._exporter()
    if warm_kernels:
        kernels.enable()


def pool_size(cpus: int) -> int:
    """Worker processes for a local batch on ``cpus`` CPUs: one more than the CPUs with warm kernels.

    A run alternates between its worker (papermill, publishing) and its kernel, and waits on
    each kernel's start and shutdown handshakes; with warm kernels those waits are a large
    share of a run, so one extra worker keeps every CPU busy (8 authorities x 4 notebooks on
    2 CPUs: 41 s with 2 workers, 38 s with 3). Capped at one worker per
    :data:`WORKER_MEMORY_GIB` of available memory (a worker, its kernel template and a kernel).
    """
    import psutil

    wanted = cpus + 1 if kernels.wanted() else cpus
    by_memory = int(psutil.virtual_memory().available / 2**30 / WORKER_MEMORY_GIB)
    return max(1, min(wanted, by_memory))


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    processes = list(getattr(pool, "_processes", {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for process in processes:
        process.join(timeout=max(0.1, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join(timeout=5)


def run_with_processes(
    runs: Sequence[runner.Run], workers: int, reports_dir: Path, on_outcome: Callable[[runner.RunOutcome], None]
) -> None:
    """Run on a local pool of worker processes (spawned: no state copied from this process)."""
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker,
        initargs=(str(config.project_root()), str(reports_dir / KERNEL_LOG_NAME), len(runs) > workers),
    )
    futures = {pool.submit(runner.execute_run, run): run for run in runs}
    try:
        for future in as_completed(futures):
            try:
                outcome = future.result()
            except Exception as exc:
                outcome = runner.outcome_from_error(futures[future], exc)
            on_outcome(outcome)
    except BaseException:
        _stop_pool(pool)
        raise
    pool.shutdown(wait=True)


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
        futures = [client.submit(runner.execute_run, run, pure=False) for run in runs]
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
