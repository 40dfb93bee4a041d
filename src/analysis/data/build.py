"""Raw -> processed: the build engine that runs the steps and writes ``data/processed``.

``analysis data build`` calls :func:`build_tables`. The steps that read, validate and tidy each
family of sources are in :mod:`analysis.data.steps` (one module per family; the registry
lists them in build order). This module runs them, and the build is

* validated: every raw table passes its pandera model (:mod:`analysis.data.schemas`) before
  anything is derived from it; a failure names file, line, column and value;
* deterministic: rows and columns are sorted, so the same inputs give byte-identical files;
* incremental: it is skipped when the raw checksums, the build code (:func:`build_code_files`)
  and the library versions are those of the last build and every output is intact (``force``
  rebuilds); each step is told which of its raw files changed (:func:`step_inputs`);
* safe: each file is written to a temporary name and renamed, the build state last, under
  a lock so parallel batch workers never build at the same time; a failing step leaves the
  previous build's tables in place.

The tables, and the steps that write them, are listed in :data:`TABLES`; each step module's
docstring describes its tables.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis import config
from analysis.data import sources
from analysis.data.steps import FAMILIES, STEPS, TABLES, Step, StepInputs
from analysis.data.steps.base import raw_path, read_raw_csv

# Names that other layers and tests use from here; they are defined in the step modules.
from analysis.data.steps.population import SEX_BASIS as POPULATION_SEX_BASIS
from analysis.data.steps.population import SOURCE_ID as POPULATION_SOURCE_ID
from analysis.data.steps.population import YEAR as POPULATION_YEAR
from analysis.data.steps.safe_accommodation import COMMISSIONED_BY_TYPE, build_safe_accommodation_facts
from analysis.data.steps.survey import CSEW_KEY, build_young_people_facts
from analysis.errors import DataFileError
from analysis.files import atomic_path, file_lock, write_atomic

__all__ = [
    "COMMISSIONED_BY_TYPE",
    "CSEW_KEY",
    "FAMILIES",
    "LOCK_FILE",
    "POPULATION_SEX_BASIS",
    "POPULATION_SOURCE_ID",
    "POPULATION_YEAR",
    "STATE_FILE",
    "STEPS",
    "TABLES",
    "Step",
    "StepInputs",
    "build_code_files",
    "build_safe_accommodation_facts",
    "build_tables",
    "build_young_people_facts",
    "code_fingerprint",
    "is_up_to_date",
    "output_matches_state",
    "raw_path",
    "read_raw_csv",
    "read_state",
    "step_inputs",
]

STATE_FILE = "_build.json"
LOCK_FILE = ".build.lock"
#: Modules outside the step and schema packages whose code shapes the processed tables.
ENGINE_MODULES = ("config.py", "data/build.py", "data/sources.py")
#: Packages whose every module shapes the processed tables (listed from their folders).
BUILD_PACKAGES = ("data/steps", "data/schemas")
#: Libraries that write the files: a new version may write different bytes.
WRITING_LIBRARIES = ("pandas", "pyarrow", "geopandas")


# ------------------------------------------------------------------------------------------
# What decides a rebuild: the build code, the raw files, the outputs
# ------------------------------------------------------------------------------------------


def build_code_files(package_dir: Path | None = None) -> list[Path]:
    """The source files whose code shapes the processed tables, in a fixed order.

    The engine modules (:data:`ENGINE_MODULES`) and every ``.py`` file of the step and schema
    packages (:data:`BUILD_PACKAGES`), found by listing their folders: a new step module is
    covered without editing a list.

    Parameters
    ----------
    package_dir
        The ``analysis`` package folder (default :data:`analysis.config.PACKAGE_DIR`).
    """
    package = Path(package_dir) if package_dir is not None else config.PACKAGE_DIR
    files = [package / module for module in ENGINE_MODULES]
    for folder in BUILD_PACKAGES:
        files += sorted((package / folder).rglob("*.py"), key=lambda p: p.relative_to(package).as_posix())
    return files


def code_fingerprint(package_dir: Path | None = None) -> str:
    """Hash of the build code (:func:`build_code_files`) and of the libraries that write the files.

    Each file contributes its path inside the package and its bytes, so moving code between
    step modules, or adding one, changes the fingerprint.
    """
    import importlib

    package = Path(package_dir) if package_dir is not None else config.PACKAGE_DIR
    digest = hashlib.sha256()
    for path in build_code_files(package):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for name in WRITING_LIBRARIES:
        digest.update(f"{name}={importlib.import_module(name).__version__}".encode())
    return digest.hexdigest()


def _state_path() -> Path:
    return config.PROCESSED_DIR / STATE_FILE


def read_state() -> dict:
    """The last build's record (inputs, code fingerprint, output checksums), or {}."""
    try:
        state = json.loads(_state_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _recorded_output(table: str) -> str | None:
    """The checksum the last build recorded for ``table`` (the state file is parsed once per version:
    every table read checks it)."""
    path = _state_path()
    try:
        stat = path.stat()
    except OSError:
        return None
    return dict(_recorded_outputs(str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size)).get(table)


@lru_cache(maxsize=8)
def _recorded_outputs(path: str, inode: int, mtime_ns: int, size: int) -> tuple[tuple[str, str], ...]:
    try:
        state = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ()
    outputs = state.get("outputs") if isinstance(state, dict) else None
    return tuple(sorted(outputs.items())) if isinstance(outputs, dict) else ()


@lru_cache(maxsize=64)
def _file_sha(path: str, mtime_ns: int, size: int) -> str:
    return sources.sha256_file(Path(path))


def output_matches_state(table: str) -> bool:
    """True when the table's file is the one the last build wrote."""
    path = config.PROCESSED_DIR / f"{table}.parquet"
    expected = _recorded_output(table)
    if not expected or not path.is_file():
        return False
    stat = path.stat()
    return _file_sha(str(path), stat.st_mtime_ns, stat.st_size) == expected


def _input_checksums() -> dict[str, str]:
    ids = sorted({source for step in STEPS for source in step.source_ids()})
    manifest = {item.id: item for item in sources.load_manifest()}
    unknown = [i for i in ids if i not in manifest]
    if unknown:
        raise DataFileError(f"The build needs manifest entries {unknown} that data/raw/sources.yaml lacks.")
    sources.verify_raw_files([manifest[i] for i in ids])
    return {i: manifest[i].sha256 for i in ids}


def _is_current(state: dict, fingerprint: str, inputs: dict[str, str]) -> bool:
    return (
        state.get("code") == fingerprint
        and state.get("inputs") == inputs
        and all(output_matches_state(t) for t in TABLES)
    )


def is_up_to_date() -> bool:
    """True when a build now would change nothing."""
    return _is_current(read_state(), code_fingerprint(), _input_checksums())


# ------------------------------------------------------------------------------------------
# Running the steps
# ------------------------------------------------------------------------------------------


def _previous_output(table: str) -> pd.DataFrame | None:
    """A table as the last build wrote it (GeoParquet as a GeoDataFrame), or None if it is damaged."""
    if not output_matches_state(table):
        return None
    import pyarrow.parquet

    path = config.PROCESSED_DIR / f"{table}.parquet"
    if b"geo" in (pyarrow.parquet.read_schema(path).metadata or {}):
        import geopandas

        return geopandas.read_parquet(path)
    return pd.read_parquet(path)


def step_inputs(
    step: Step, results: dict[str, pd.DataFrame], state: dict, inputs: dict[str, str], reuse: bool
) -> StepInputs:
    """What ``step`` is given: its needed tables, which of its raw files changed, its last outputs.

    Parameters
    ----------
    step
        The step about to run.
    results
        Tables written so far in this build (they include every table the step needs).
    state
        The last build's record (:func:`read_state`).
    inputs
        Current checksum of every raw input, by manifest id.
    reuse
        True when the last build may be reused for this step (see :func:`_can_reuse`): then
        ``changed`` lists the inputs whose checksum differs from the record and ``previous``
        returns the step's last outputs; otherwise every input counts as changed and there is
        nothing to reuse (see :class:`StepInputs`).
    """
    missing = [t for t in step.needs if t not in results]
    if missing:
        raise DataFileError(f"Step {step.name!r} needs {missing}, which no earlier step wrote.")
    recorded = state.get("inputs", {}) if reuse else {}
    changed = [i for i in step.source_ids() if recorded.get(i) != inputs[i]]
    own = set(step.outputs)

    def previous(table: str) -> pd.DataFrame | None:
        return _previous_output(table) if table in own else None

    return StepInputs({t: results[t] for t in step.needs}, changed, previous if reuse else None)


def _can_reuse(step: Step, same_code: bool, unchanged_tables: set[str]) -> bool:
    """True when the step's last outputs are a sound basis: same build code, not forced, its outputs
    intact and every table it needs exactly what it was at the last build."""
    return (
        same_code
        and all(t in unchanged_tables for t in step.needs)
        and all(output_matches_state(t) for t in step.outputs)
    )


def _run_step(step: Step, given: StepInputs) -> dict[str, pd.DataFrame]:
    produced = step.run(given)
    if not isinstance(produced, dict) or set(produced) != set(step.outputs):
        got = sorted(produced) if isinstance(produced, dict) else type(produced).__name__
        raise DataFileError(
            f"Build step {step.name!r} returned {got}, not its declared tables {list(step.outputs)}.",
            "Make the step's run function return exactly the tables listed in its outputs.",
        )
    return produced


def _run_steps(state: dict, fingerprint: str, inputs: dict[str, str], force: bool, report) -> dict:
    """Run every step in order; return all the tables they wrote."""
    results: dict[str, pd.DataFrame] = {}
    unchanged: set[str] = set()  # tables known to be exactly those of the last build
    same_code = not force and state.get("code") == fingerprint
    for step in STEPS:
        report(f"building {', '.join(step.outputs)} ...")
        reuse = _can_reuse(step, same_code, unchanged)
        given = step_inputs(step, results, state, inputs, reuse)
        results.update(_run_step(step, given))
        if reuse and not given.changed:  # same code, same inputs, same needed tables: same output
            unchanged.update(step.outputs)
    return results


@contextmanager
def _build_lock() -> Iterator[None]:
    with file_lock(config.PROCESSED_DIR / LOCK_FILE):
        yield


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    with atomic_path(path) as temporary:
        if hasattr(frame, "geometry") and frame.__class__.__name__ == "GeoDataFrame":
            frame.to_parquet(temporary, index=False, compression="zstd", schema_version="1.0.0")
        else:  # one chunk per column, so a frame concatenated from cached pieces writes the same bytes
            import pyarrow
            import pyarrow.parquet

            table = pyarrow.Table.from_pandas(frame, preserve_index=False).combine_chunks()
            pyarrow.parquet.write_table(table, temporary, compression="zstd")


def build_tables(force: bool = False, report: Callable[[str], None] = print) -> list[Path]:
    """Build every processed table (see the module docstring); return the files written.

    Parameters
    ----------
    force
        Rebuild even when inputs, code and outputs are unchanged.
    report
        Receives one progress line per step.

    Raises
    ------
    DataFileError, ValidationError
        Naming the raw file (and line, column, value) that stops the build. Tables of the
        previous build stay in place.
    """
    with _build_lock():
        inputs = _input_checksums()
        fingerprint = code_fingerprint()
        state = read_state()
        if not force and _is_current(state, fingerprint, inputs):
            report("data/processed is up to date (raw checksums and build code unchanged); nothing to do.")
            return []
        results = _run_steps(state, fingerprint, inputs, force, report)
        out_dir = config.PROCESSED_DIR
        written, outputs = [], {}
        for table in TABLES:
            path = out_dir / f"{table}.parquet"
            _write_parquet(results[table], path)
            outputs[table] = sources.sha256_file(path)
            written.append(path)
        new_state = {
            "code": fingerprint,
            "inputs": inputs,
            "outputs": outputs,
            "geography_vintage": config.GEOGRAPHY_VINTAGE,
        }
        write_atomic(_state_path(), json.dumps(new_state, indent=2, sort_keys=True))
        report(f"wrote {len(written)} tables to {out_dir}")
        return written
