"""Results kept on disk under ``data/interim/cache`` and shared between processes, keyed by content.

:mod:`analysis.data.memo` remembers a result for one process; a batch runs every notebook in a
new kernel, so each kernel (and the batch itself) would redo the same work from nothing. This
module keeps such a result in a file that any later process finds, for work whose inputs can
be named exactly and cheaply: e.g. validating a council's local files, which costs a second or
more of pandera checks and is repeated by the batch's up-front check and by every notebook
that reads them.

Correctness rests on the key alone, never on time: a key is the SHA-256 of everything the
result is computed from, given by the caller (for files: their **content** hashes, not their
modification times), together with :func:`package_fingerprint` (every source file of the
package, the Python version and the versions of the libraries that shape the result), so a
changed file, code change or library upgrade is a miss. Only results are kept: a call that
raises is never stored, so an error is raised again, with the same message, every time.
A file that cannot be read back (truncated, from another pickle protocol) is a miss too.
Files are written atomically (:func:`analysis.files.write_atomic`). Processes that miss the same
key at once (a batch's kernel templates warming together) compute it once: the first takes the
key's lock file (:func:`analysis.files.file_lock`) and computes, the others wait for it and
read what it kept. ``ANALYSIS_DISK_CACHE=0`` (or ``ANALYSIS_MEMO=0``) turns the cache off, for comparisons.
"""

from __future__ import annotations

import hashlib
import pickle
import sys
from collections.abc import Callable, Sequence
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

from analysis import config, files
from analysis.data import memo
from analysis.files import write_atomic

T = TypeVar("T")
ENV = "ANALYSIS_DISK_CACHE"
#: The cache's folder under ``data/interim``.
FOLDER = "cache"
#: Results kept per kind, newest first (an indicator frame is ~20 kB: a few code versions' worth).
MAX_FILES = 500
#: Seconds a process waits for another computing the same result before computing it itself.
LOCK_WAIT_SECONDS = 300.0
#: Libraries whose versions can change a cached result (read, validated or computed frames).
LIBRARIES = ("numpy", "pandas", "pandera", "pyarrow", "scipy", "mapclassify", "scikit-learn")


def enabled() -> bool:
    """False when ``ANALYSIS_DISK_CACHE`` (or ``ANALYSIS_MEMO``) is 0 / false / no / off."""
    return memo.enabled() and config.switched_on(ENV)


@lru_cache(maxsize=1)
def package_fingerprint() -> str:
    """SHA-256 of every ``.py`` file of the package, the Python version and :data:`LIBRARIES`' versions.

    Computed once per process: a process runs one version of the code.
    """
    digest = hashlib.sha256(sys.version.encode())
    for path in sorted(config.PACKAGE_DIR.rglob("*.py")):
        digest.update(path.relative_to(config.PACKAGE_DIR).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for line in library_versions(LIBRARIES):
        digest.update(line.encode())
    return digest.hexdigest()


def library_versions(names: Sequence[str]) -> list[str]:
    """``name==version`` of each library in ``names`` as installed (``name==absent`` when it is not)."""
    found = []
    for name in names:
        try:
            found.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name}==absent")
    return found


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes (what a key names a file by)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def key(kind: str, *parts: str) -> str:
    """The key of a ``kind`` of result computed from ``parts`` with this package version."""
    digest = hashlib.sha256(package_fingerprint().encode())
    for part in (kind, *parts):
        digest.update(b"\0" + part.encode("utf-8"))
    return digest.hexdigest()


def _path(kind: str, key_: str) -> Path:
    return config.INTERIM_DIR / FOLDER / kind / f"{key_}.pickle"


def load(kind: str, key_: str) -> Any | None:
    """The result stored under ``key_``, or None (a miss: absent, unreadable, or the cache is off)."""
    if not enabled():
        return None
    try:
        with open(_path(kind, key_), "rb") as handle:
            return pickle.load(handle)
    except Exception:  # absent, truncated or written by another version: recompute
        return None


def store(kind: str, key_: str, value: Any) -> None:
    """Keep ``value`` under ``key_`` (nothing when the cache is off; a folder that cannot be written
    only means the next process recomputes)."""
    if not enabled():
        return
    try:
        write_atomic(_path(kind, key_), pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        _prune(_path(kind, key_).parent)
    except OSError:
        pass


def cached(kind: str, parts: Sequence[str] | None, compute: Callable[[], T]) -> T:
    """``compute()``'s result as kept under the key of ``parts`` (:func:`key`), computed and kept on a miss.

    ``parts`` None (the inputs cannot be named) or the cache off: computed, nothing kept. An
    exception from ``compute`` propagates and nothing is kept.
    """
    if parts is None or not enabled():
        return compute()
    key_ = key(kind, *parts)
    found = load(kind, key_)
    if found is not None:
        return found
    from filelock import Timeout

    try:
        lock = files.file_lock(lock_path(kind, key_), timeout=LOCK_WAIT_SECONDS)
        lock.acquire()
    except (Timeout, OSError):  # held too long, or no lock file possible: compute here
        lock = None
    try:
        found = load(kind, key_) if lock is not None else None  # kept by the process that held the lock
        if found is None:
            found = compute()
            store(kind, key_, found)
        return found
    finally:
        if lock is not None:
            lock.release()


def lock_path(kind: str, key_: str) -> Path:
    """The lock file of one result (:func:`cached`): one per key, so a computation that asks for
    another result never waits on its own lock."""
    return config.INTERIM_DIR / FOLDER / f"{kind}-locks" / f"{key_}.lock"


def _prune(folder: Path) -> None:
    """Keep the :data:`MAX_FILES` newest results of a kind (each code version or data change adds a set)."""
    kept = list(folder.glob("*.pickle"))
    if len(kept) <= MAX_FILES:
        return
    for path in sorted(kept, key=lambda p: p.stat().st_mtime_ns)[: len(kept) - MAX_FILES]:
        path.unlink(missing_ok=True)
        (folder.parent / f"{folder.name}-locks" / f"{path.stem}.lock").unlink(missing_ok=True)


def data_key() -> str | None:
    """What results computed from the processed tables and the council files depend on, as a key part:
    the checksums the last build recorded for every table, the manifest's and every council file's
    content hash; None (do not cache) when a table read now is not the file the build wrote (e.g. a
    test's replacement of :func:`analysis.data.tables.read_table`).

    :func:`analysis.data.tables.read_table` checks each table's file against the build's checksum
    (and rebuilds a damaged one) before handing it out, so the checksums name the tables' content.
    """
    from analysis.data import build, tables

    outputs = build.read_state().get("outputs")
    if not isinstance(outputs, dict) or not all(tables.is_from_file(name) for name in sorted(build.TABLES)):
        return None
    parts = [f"{name}:{outputs.get(name)}" for name in sorted(build.TABLES)]
    if config.MANIFEST_PATH.is_file():
        parts.append(f"manifest:{file_digest(config.MANIFEST_PATH)}")
    local = config.LOCAL_DIR
    if local.is_dir():
        parts += [
            f"{p.relative_to(local).as_posix()}:{file_digest(p)}" for p in sorted(local.rglob("*")) if p.is_file()
        ]
    return "\n".join(parts)
