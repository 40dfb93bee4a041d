"""One batch at a time per reports folder: the lock, its holder record, and the clean-up of a stopped batch's files.

:func:`batch_lock` takes ``reports/batch.lock`` with the workspace's one inter-process lock,
:func:`analysis.files.file_lock` (``filelock``: ``flock`` on POSIX, ``msvcrt`` on Windows,
a marker file where the filesystem has neither), without waiting. The lock file's content is
never used: the holder (PID, host, start time, command) is recorded beside it, in
``reports/.batch.lock`` (JSON), so a refused batch can say who holds the folder on every
platform (Windows keeps the bytes of a locked file from other readers). The record is written
once the lock is held and emptied just before it is released.

The operating system releases the lock when its process ends, however it ends, so a lock left
by a crashed or killed batch is never stuck: the next batch takes it over and is given the record
the dead one left behind (:func:`batch_lock` yields it; an empty record means a clean release).

:func:`remove_partial_files` deletes the temporary files a stopped batch left behind: those of
unfinished atomic writes (:data:`analysis.files.TEMPORARY_PATTERN`) and of unfinished runs
(:data:`RUNNING_PATTERN`, see :func:`analysis.run.runner.execute_run`).
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import Timeout

from analysis.errors import BatchError
from analysis.files import TEMPORARY_PATTERN, file_lock, write_atomic

#: The holder record (JSON), beside the lock; empty when no batch holds the folder. The name is
#: the one the earlier flock-based lock used for its (single) file, so old folders read the same.
LOCK_NAME = ".batch.lock"
#: The lock file itself (its content is never used). Not hidden: it stays in the folder after a
#: release, as filelock keeps it on POSIX so that every batch locks the same file.
LOCK_FILE_NAME = "batch.lock"
#: The executed notebook of a run still in progress (runner.execute_run), in an area folder.
RUNNING_PATTERN = ".*.running-*.ipynb"
#: Temporary files of unfinished writes and runs, relative to the reports folder.
PARTIAL_PATTERNS = (f"*/{TEMPORARY_PATTERN}", f"*/{RUNNING_PATTERN}", TEMPORARY_PATTERN)

_REFUSED = "Another batch is already writing to {folder} ({holder})."
_REFUSED_HINT = (
    "Wait for it to finish or stop it (Ctrl-C in its terminal, or kill its PID); its finished reports "
    "are kept and the same command then carries on. Or use another folder with --reports-dir."
)


def read_holder(reports_dir: str | Path) -> dict[str, Any]:
    """The holder record of a reports folder's batch lock; {} when empty, missing or unreadable."""
    try:
        holder = json.loads((Path(reports_dir) / LOCK_NAME).read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return holder if isinstance(holder, dict) else {}


def describe_holder(holder: Mapping[str, Any]) -> str:
    """ "PID n on host, started t: command" for a lock holder record."""
    return f"PID {holder.get('pid', '?')} on {holder.get('host', '?')}, started {holder.get('started', '?')}" + (
        f": {holder['command']}" if holder.get("command") else ""
    )


def _cannot_write(reports_dir: Path, exc: OSError) -> BatchError:
    return BatchError(
        f"Cannot write to the reports folder {reports_dir}: {exc.strerror or exc}.",
        "Choose a folder you can write to with --reports-dir, or fix its permissions.",
    )


@contextmanager
def batch_lock(reports_dir: str | Path, command: str = "") -> Iterator[dict[str, Any]]:
    """Hold the reports folder's batch lock; yield the record of an earlier batch that died holding it.

    Parameters
    ----------
    reports_dir
        The reports folder (created if missing).
    command
        The command line of this batch, recorded for a batch that is refused meanwhile.

    Yields
    ------
    dict
        The holder record found on taking the lock: {} after a clean release, else the record
        of the batch that stopped without releasing it (PID, host, start time, command).

    Raises
    ------
    BatchError
        If another batch holds the lock (naming it, from its record), or the folder cannot be written.
    """
    reports_dir = Path(reports_dir)
    try:
        reports_dir.mkdir(parents=True, exist_ok=True)
        held = file_lock(reports_dir / LOCK_FILE_NAME, timeout=0)
        held.acquire()
    except Timeout:
        holder = describe_holder(read_holder(reports_dir))
        raise BatchError(_REFUSED.format(folder=reports_dir, holder=holder), _REFUSED_HINT) from None
    except OSError as exc:
        raise _cannot_write(reports_dir, exc) from None
    try:
        stale = read_holder(reports_dir)
        me = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": datetime.now(UTC).replace(microsecond=0).isoformat(),
            "command": command,
        }
        try:
            write_atomic(reports_dir / LOCK_NAME, json.dumps(me))
        except OSError as exc:
            raise _cannot_write(reports_dir, exc) from None
        try:
            yield stale
        finally:
            try:
                write_atomic(reports_dir / LOCK_NAME, "")
            except OSError:
                pass  # the lock is still released; the next batch reports this record as stale
    finally:
        held.release()


def remove_partial_files(reports_dir: Path) -> list[Path]:
    """Delete temporary files a stopped batch left in the reports folder (call while holding the lock)."""
    removed = []
    for pattern in PARTIAL_PATTERNS:
        for path in Path(reports_dir).glob(pattern):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
