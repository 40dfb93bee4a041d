"""Stopping processes and holding signals, as the batch, its workers and their kernel templates do.

Each level of a local batch stops the level below it and waits for it before it exits itself
(the batch its workers, a worker its kernel template and fresh kernels, a template the kernels
it forked; see :mod:`analysis.run.executors`), so nothing it started outlives it. Waiting
uses ``psutil.wait_procs``: it reaps a process that is a child of the caller and, for any
other, polls until the process is gone (reaped by its own parent), always with a deadline.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import psutil

#: How long to wait for killed processes to be gone, in seconds.
KILL_WAIT_SECONDS = 5.0


def kill_and_wait(processes: Sequence[psutil.Process], timeout: float = KILL_WAIT_SECONDS) -> list[psutil.Process]:
    """Kill ``processes`` (SIGKILL) and wait up to ``timeout`` seconds for them to be gone; return
    those still there after that (normally none)."""
    for process in processes:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(processes, timeout=timeout)
    return alive


def stop_processes(processes: Sequence[psutil.Process], timeout: float) -> list[psutil.Process]:
    """Wait up to ``timeout`` seconds for ``processes`` (already asked to stop) to exit, then kill
    those still running and wait for them again (:func:`kill_and_wait`); return any left."""
    _, alive = psutil.wait_procs(processes, timeout=timeout)
    return kill_and_wait(alive) if alive else []


@contextmanager
def signal_handlers(handlers: Mapping[int, Any]) -> Iterator[None]:
    """Set signal ``handlers`` (signal number -> handler, or ``signal.SIG_IGN``) for the block, in
    the main thread only (elsewhere the block runs unchanged); restore the previous ones after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, handler) for signum, handler in handlers.items()}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            if handler is not None:  # None: a handler not set from Python, which cannot be restored
                signal.signal(signum, handler)
