"""Files written safely: one atomic write, and one file lock, for every layer.

:func:`atomic_path` is the workspace's one way to replace a file: whatever writes the new
content (text, bytes, a Parquet or PDF writer) writes it to a temporary file in the same
folder, which is renamed over the target only when the writer finished without error. A
reader, or a crash, never sees a partly written file: either the old file or the new one.
:func:`write_atomic` is the common case of text or bytes.

:func:`file_lock` is the workspace's one inter-process lock (``filelock``: ``flock`` on
POSIX, ``msvcrt`` on Windows, chosen by the library), so nothing here imports a POSIX-only
module and notebooks, table reads and builds work on Windows too.

Temporary files are named ``.<name>.<random>.tmp``; a stopped batch removes any left behind
(:data:`TEMPORARY_PATTERN`, :func:`analysis.run.lock.remove_partial_files`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Glob pattern of the temporary files :func:`atomic_path` creates (in the target's folder).
TEMPORARY_PATTERN = ".*.tmp"


@contextmanager
def atomic_path(path: str | Path, mode: int = 0o644) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it over ``path`` when the block succeeds.

    The caller writes the whole new file to the yielded path (with any writer). When the
    block raises, the temporary file is removed and ``path`` is left exactly as it was.

    Parameters
    ----------
    path
        The file to create or replace. Its folder is created if missing.
    mode
        Permission bits of the new file (default ``0o644``: readable by everyone).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "table.csv"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("a,b\\n1,2\\n")
    >>> target.read_text()
    'a,b\\n1,2\\n'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    temporary = Path(name)
    try:
        yield temporary
        with open(temporary, "rb+") as handle:  # make the new content durable before the rename
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_atomic(path: str | Path, data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8, or bytes) to ``path`` atomically (see :func:`atomic_path`)."""
    with atomic_path(path) as temporary:
        if isinstance(data, bytes):
            temporary.write_bytes(data)
        else:
            temporary.write_text(data, encoding="utf-8")
    return Path(path)


def file_lock(path: str | Path, timeout: float = -1):
    """An inter-process lock on ``path`` (a ``filelock.FileLock``), for use with ``with``.

    Parameters
    ----------
    path
        The lock file (created if missing; its content is never used).
    timeout
        Seconds to wait for the lock: -1 waits for as long as it takes, 0 does not wait.
        A lock not acquired in time raises ``filelock.Timeout``.
    """
    from filelock import FileLock

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return FileLock(str(path), timeout=timeout)
