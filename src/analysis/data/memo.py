"""Remember results computed from processed tables, for as long as the tables are unchanged.

Every report for every authority repeats some England-wide work: an indicator for all 162
areas, England's and each region's prevalence estimate, the crime survey years available.
:func:`memoize` computes each such result once per Python process (a kernel, a batch worker,
a benchmark) and hands out copies afterwards.

Correctness rests on what a result is keyed by, never on time:

* the function's arguments (unhashable arguments, e.g. a list, are not memoised: the call
  runs as before);
* the **identity of every processed table the function reads**, as
  :func:`analysis.data.tables.read_table` returns it at call time. ``read_table`` hands out one
  object per file version (it re-reads a file whose modification time or size changed, and
  rebuilds a damaged one), so a rebuilt or edited table, another project root
  (``ANALYSIS_ROOT``) or a table replaced in a test is a different object and a miss;
* with ``local=True``, the names, sizes and modification times of the council files under
  ``data/raw/local`` (read directly, not through the processed tables).

Code changes need no key: a process runs one version of the code (a kernel restarted, or
a module re-imported, starts with an empty memo). Results are returned as copies
(``DataFrame.copy(deep=False)``, which pandas' copy-on-write makes independent), so a caller
that modifies what it got never changes what the next caller gets. Exceptions are never
remembered. ``ANALYSIS_MEMO=0`` in the environment turns memoisation off (for comparisons).
"""

from __future__ import annotations

import functools
import os
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from analysis import config

ENV = "ANALYSIS_MEMO"
#: Results kept per function (least recently used dropped first).
MAX_ENTRIES = 256
ALL_TABLES = "*"

F = TypeVar("F", bound=Callable[..., Any])
_REGISTRY: list[Callable[[], None]] = []


def enabled() -> bool:
    """False when ``ANALYSIS_MEMO`` is set to 0 / false / no / off."""
    return config.switched_on(ENV)


def clear_all() -> None:
    """Forget every memoised result in this process."""
    for clear in _REGISTRY:
        clear()


def local_files_token() -> tuple:
    """Names, sizes and modification times of the files under ``data/raw/local`` (cheap to compute)."""
    local = config.LOCAL_DIR
    if not local.is_dir():
        return (str(local), None)
    entries = []
    for folder, _, names in os.walk(local):
        for name in names:
            path = os.path.join(folder, name)
            try:
                stat = os.stat(path)
            except OSError:
                continue
            entries.append((path, stat.st_size, stat.st_mtime_ns))
    return (str(local), tuple(sorted(entries)))


def copy_result(value: Any) -> Any:
    """A copy of a memoised result that the caller may change freely."""
    import pandas as pd

    if isinstance(value, (pd.DataFrame, pd.Series)):
        return value.copy(deep=False)
    if isinstance(value, list):
        return [copy_result(item) for item in value]
    if isinstance(value, tuple) and type(value) is tuple:
        return tuple(copy_result(item) for item in value)
    if isinstance(value, dict):
        return {key: copy_result(item) for key, item in value.items()}
    if isinstance(value, (set, frozenset)):
        return type(value)(value)
    return value  # numbers, strings, None, frozen dataclasses


def _table_names(names: tuple[str, ...]) -> tuple[str, ...]:
    if names == (ALL_TABLES,):
        from analysis.data import build

        return tuple(sorted(build.TABLES))
    return names


def memoize(*tables: str, local: bool = False) -> Callable[[F], F]:
    """Decorate a function of processed tables so each result is computed once per process.

    Parameters
    ----------
    *tables
        Names of the processed tables the function (and everything it calls) reads, or
        ``"*"`` for all of them. Naming too few would return stale results: when unsure,
        use ``"*"``.
    local
        True when the result also depends on the council files in ``data/raw/local``.
    """
    if not tables:
        raise ValueError("memoize needs the names of the tables the function reads (or '*').")

    def decorate(function: F) -> F:
        store: OrderedDict[Any, tuple[Any, tuple]] = OrderedDict()

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not enabled():
                return function(*args, **kwargs)
            from analysis.data import tables as tables_module

            frames = tuple(tables_module.read_table(name) for name in _table_names(tables))
            key = (
                args,
                tuple(sorted(kwargs.items())),
                tuple(id(frame) for frame in frames),
                local_files_token() if local else None,
            )
            try:
                hit = store.get(key)
            except TypeError:  # an unhashable argument: no memo
                return function(*args, **kwargs)
            if hit is not None:
                store.move_to_end(key)
                return copy_result(hit[0])
            value = function(*args, **kwargs)
            store[key] = (value, frames)  # holding the frames keeps their ids from being reused
            if len(store) > MAX_ENTRIES:
                store.popitem(last=False)
            return copy_result(value)

        wrapper.cache_clear = store.clear  # type: ignore[attr-defined]
        wrapper.cache_size = store.__len__  # type: ignore[attr-defined]
        _REGISTRY.append(store.clear)
        return wrapper  # type: ignore[return-value]

    return decorate


_DERIVED: OrderedDict[tuple[int, str], tuple[Any, Any]] = OrderedDict()


def derived(source: Any, name: str, build: Callable[[Any], Any]) -> Any:
    """``build(source)``, computed once per ``source`` object (e.g. a lookup built from a table).

    Keyed by the object's identity (held, so it cannot be reused) and ``name``. The value is
    shared, not copied: use it for read-only lookups (dicts of frozen objects, frozensets).
    """
    key = (id(source), name)
    held = _DERIVED.get(key)
    if held is None or held[0] is not source or not enabled():
        held = (source, build(source))
        _DERIVED[key] = held
        if len(_DERIVED) > MAX_ENTRIES:
            _DERIVED.popitem(last=False)
    _DERIVED.move_to_end(key)
    return held[1]


_REGISTRY.append(_DERIVED.clear)
