"""One batch at a time per reports folder: the lock, and the clean-up of a stopped batch's files.

:func:`batch_lock` is an exclusive ``flock`` on ``reports/.batch.lock``, which also records
its holder (PID, host, start time, command) so a refused batch can say who holds it. The
operating system releases a flock when its process ends, however it ends, so a lock left
by a crashed batch is never stuck: the next batch takes it and reports the stale record.
On a filesystem without flock, a holder on this host whose PID no longer exists is taken
over. :func:`remove_partial_files` deletes the temporary files a stopped batch left behind.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from analysis.errors import BatchError

LOCK_NAME = ".batch.lock"
#: Temporary files of unfinished writes and runs (see files.write_atomic, runner.execute_run).
PARTIAL_PATTERNS = ("*/.*.tmp", "*/.*.running-*.ipynb", ".*.tmp")


def _read_holder(path: Path) -> dict[str, Any]:
    try:
        holder = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return holder if isinstance(holder, dict) else {}


def _pid_alive(pid: Any) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, ValueError, TypeError):
        return False
    except PermissionError:
        return True
    return True


def describe_holder(holder: Mapping[str, Any]) -> str:
    """ "PID n on host, started t: command" for a lock holder record."""
    return f"PID {holder.get('pid', '?')} on {holder.get('host', '?')}, started {holder.get('started', '?')}" + (
        f": {holder['command']}" if holder.get("command") else ""
    )


@contextmanager
def batch_lock(reports_dir: str | Path, command: str = "") -> Iterator[dict[str, Any]]:
    """Hold the reports folder's batch lock; yield the record of an earlier batch that died holding it.

    Raises
    ------
    BatchError
        If another batch holds the lock.
    """
    reports_dir = Path(reports_dir)
    try:
        reports_dir.mkdir(parents=True, exist_ok=True)
        path = reports_dir / LOCK_NAME
        handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        raise BatchError(
            f"Cannot write to the reports folder {reports_dir}: {exc.strerror}.",
            "Choose a folder you can write to with --reports-dir, or fix its permissions.",
        ) from None
    refused = "Another batch is already writing to {folder} ({holder})."
    hint = (
        "Wait for it to finish or stop it (Ctrl-C in its terminal, or kill its PID); its finished reports "
        "are kept and the same command then carries on. Or use another folder with --reports-dir."
    )
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_holder(path)
        handle.close()
        raise BatchError(refused.format(folder=reports_dir, holder=describe_holder(holder)), hint) from None
    except OSError:  # no flock on this filesystem: fall back to the recorded PID
        holder = _read_holder(path)
        if holder and holder.get("host") == socket.gethostname() and _pid_alive(holder.get("pid")):
            handle.close()
            raise BatchError(refused.format(folder=reports_dir, holder=describe_holder(holder)), hint) from None
    stale = _read_holder(path)
    me = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "command": command,
    }
    handle.seek(0)
    handle.truncate()
    handle.write(json.dumps(me))
    handle.flush()
    try:
        yield stale
    finally:
        handle.seek(0)
        handle.truncate()
        handle.flush()
        try:
            fcntl.flock(handle, fcntl.LOCK_UN)
        except OSError:
            pass
        handle.close()


def remove_partial_files(reports_dir: Path) -> list[Path]:
    """Delete temporary files a stopped batch left in the area folders (call while holding the lock)."""
    removed = []
    for pattern in PARTIAL_PATTERNS:
        for path in reports_dir.glob(pattern):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
