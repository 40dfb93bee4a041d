"""Read processed tables from ``data/processed`` (Parquet / GeoParquet).

:func:`read_table` is the one way the analysis modules get data. A table that is missing,
truncated or altered since the build is rebuilt from ``data/raw`` (with a message on
stderr) rather than crashing the notebook that asked for it. Reads are cached per process
and invalidated when the file changes.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis import config
from analysis.errors import DataFileError

GEO_TABLES = frozenset({"boundaries"})


def table_path(name: str) -> Path:
    """Path of a processed table."""
    return config.PROCESSED_DIR / f"{name}.parquet"


@lru_cache(maxsize=32)
def _read_cached(path: str, mtime_ns: int, size: int, geo: bool) -> pd.DataFrame:
    if geo:
        import geopandas

        return geopandas.read_parquet(path)
    return pd.read_parquet(path)


def _read(name: str) -> pd.DataFrame:
    path = table_path(name)
    stat = path.stat()
    return _read_cached(str(path), stat.st_mtime_ns, stat.st_size, name in GEO_TABLES)


def read_table(name: str) -> pd.DataFrame:
    """Return a processed table, rebuilding it first if it is missing or damaged.

    The frame is shared between callers in the process: copy it before modifying it.

    Raises
    ------
    DataFileError
        If ``name`` is not a table the build produces, or the rebuild fails.
    """
    from analysis.data import build  # local import: build pulls in geopandas and pandera

    if name not in build.TABLES:
        raise DataFileError(
            f"There is no processed table called {name!r}.", "Known tables: " + ", ".join(sorted(build.TABLES))
        )
    path = table_path(name)
    problem = None
    if not path.is_file():
        problem = "is missing"
    elif not build.output_matches_state(name):
        problem = "differs from what the last build wrote (truncated or edited)"
    if problem is None:
        try:
            return _read(name)
        except Exception as exc:  # a damaged file that still matches is unlikely, but recover
            problem = f"cannot be read ({type(exc).__name__})"
    print(f"note: data/processed/{path.name} {problem}; rebuilding it from data/raw.", file=sys.stderr)
    build.build_tables(force=True, report=lambda message: print(message, file=sys.stderr))
    return _read(name)


def is_from_file(name: str) -> bool:
    """True when :func:`read_table` hands out the table as read from its file, unchanged since the build
    (False when it is replaced, e.g. by a test's fixture, or the file differs from the build's record)."""
    from analysis.data import build

    try:
        return build.output_matches_state(name) and read_table(name) is _read(name)
    except Exception:
        return False
