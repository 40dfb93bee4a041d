"""Run the topic notebooks for many areas in parallel and publish them: ``analysis batch``.

One batch = every selected notebook for every selected area. In order:

1. **Selection**: areas from ``--area`` (code or name, repeatable), ``--region`` (the
   upper-tier authorities in a region) and ``--all`` (all 152 upper-tier authorities);
   notebooks from ``--notebooks`` (default: the topic notebooks of ``config.NOTEBOOKS``
   found in the notebooks folder).
2. **Parameters**: ``-p NAME VALUE`` and ``-f params.yaml`` are checked against each
   notebook's ``parameters`` cell (:mod:`analysis.run.parameters`) before any kernel starts.
3. **Lock**: one batch at a time per reports folder (:func:`analysis.run.lock.batch_lock`).
4. **Data**: the processed tables are built once (:func:`analysis.data.build.build_tables`), so
   workers only read Parquet.
5. **Plan**: a run whose notebook, parameters, package code and data are unchanged since
   its last successful run (the fingerprint in its run record) is skipped; one whose only
   change is the publishing code is re-published from its executed notebook; ``force``
   reruns everything.
6. **Execution**: a pool of worker processes (default: one per CPU available to this
   process), each running papermill in-process with one fresh kernel per run
   (:func:`analysis.run.runner.execute_run`), or the same tasks on a Dask cluster.
   A failing run never stops the others.
7. **Index and summary**: ``reports/index.html``, a line per run in ``reports/batch.log``,
   and a summary (ran / skipped / failed, naming area, notebook, cell and error).

Interrupting (Ctrl-C or SIGTERM) stops the workers and their kernels, removes partial
files and releases the lock; finished runs are kept, so the same command resumes.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import signal
import socket
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from analysis import config
from analysis.errors import BatchError, ParameterError
from analysis.run import executors, lock, parameters, runner

LOG_NAME = "batch.log"
EXECUTORS = ("processes", "dask")
#: Modules whose code does not change what a notebook computes (publishing has its own fingerprint).
NOT_EXECUTION_CODE = ("cli.py", "present/publish.py", "present/browser.py", "run/lock.py", "run/executors.py")
#: Libraries whose versions can change a notebook's results or its execution.
FINGERPRINT_LIBRARIES = (
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "geopandas",
    "shapely",
    "pyproj",
    "matplotlib",
    "mapclassify",
    "pyarrow",
    "papermill",
    "nbclient",
    "ipykernel",
)
PUBLICATION_LIBRARIES = ("nbconvert", "mistune", "beautifulsoup4", "Jinja2")
STATUS_ORDER = ("ran", "republished", "skipped", "failed")


@dataclass
class BatchOptions:
    """What to run and how (the options of ``analysis batch``)."""

    areas: Sequence[str] = ()
    regions: Sequence[str] = ()
    all_authorities: bool = False
    notebooks: Sequence[str] = ()
    parameters: Sequence[tuple[str, str]] = ()  # (name, text) pairs from -p
    parameters_file: str | Path | None = None
    workers: int | None = None
    timeout: float | None = config.BATCH_TIMEOUT_SECONDS
    force: bool = False
    quiet: bool = False
    reports_dir: str | Path | None = None
    notebooks_dir: str | Path | None = None
    executor: str = "processes"
    scheduler: str | None = None
    command: str = ""  # the command line, for the log and the lock


@dataclass
class BatchSummary:
    """The outcome of a batch."""

    outcomes: list[runner.RunOutcome]
    seconds: float
    reports_dir: Path
    index: Path | None
    workers: int
    executor: str
    notes: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def failures(self) -> list[runner.RunOutcome]:
        return [outcome for outcome in self.outcomes if outcome.failed]

    @property
    def exit_code(self) -> int:
        return 1 if self.failures else 0

    def format(self) -> str:
        """The summary printed at the end of a batch."""
        areas = len({o.area_code for o in self.outcomes})
        counts = ", ".join(
            f"{self.count(status)} {label}"
            for status, label in (
                ("ran", "ran"),
                ("republished", "republished"),
                ("skipped", "skipped (unchanged)"),
                ("failed", "failed"),
            )
            if self.count(status) or status in ("ran", "skipped", "failed")
        )
        lines = [
            f"batch: {len(self.outcomes)} run(s) for {areas} area(s) in {self.seconds:.1f} s "
            f"({self.workers} worker(s), {self.executor}): {counts}."
        ]
        for outcome in self.failures:
            lines.append(f"  FAILED {outcome.area_name} ({outcome.area_code}) {outcome.notebook}: {outcome.error}")
            if outcome.executed and Path(outcome.executed).is_file():
                lines.append(f"         executed notebook kept for debugging: {outcome.executed}")
        if self.index is not None:
            lines.append(f"reports: {self.index}")
        lines.append(f"run log: {self.reports_dir / LOG_NAME}")
        return "\n".join(lines)


# ------------------------------------------------------------------------------------------
# Selection
# ------------------------------------------------------------------------------------------


def default_workers() -> int:
    """CPUs this process may use (affinity mask, and a container's CPU quota when it has one)."""
    try:
        count = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        count = os.cpu_count() or 1
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            count = min(count, max(1, int(int(quota) // int(period))))
    except (OSError, ValueError):
        pass
    return max(1, count)


def select_areas(areas: Sequence[str] = (), regions: Sequence[str] = (), all_authorities: bool = False) -> list:
    """The areas a batch runs for, in code order, without repeats.

    Parameters
    ----------
    areas
        Codes or names of upper-tier authorities, regions (e.g. London as a whole) or England.
    regions
        Region names or E12 codes: every upper-tier authority in each.
    all_authorities
        Every upper-tier authority in England (152 in the 2021 geography). London as a
        whole (E12000007, whose Part 4 duty the GLA holds) is added with ``--area London``.
    """
    from analysis.methods import areas as areas_module

    selected: dict[str, Any] = {}
    for query in areas:
        area = areas_module.resolve_area(query)
        selected[area.code] = area
    for region in regions:
        for code in areas_module.list_areas(levels=("utla",), region=region)["area_code"]:
            selected[code] = areas_module.get_area(code)
    if all_authorities:
        for code in areas_module.list_areas(levels=("utla",))["area_code"]:
            selected[code] = areas_module.get_area(code)
    if not selected:
        raise ParameterError(
            "No areas chosen for the batch.", "Give --area CODE_OR_NAME (repeatable), --region NAME or --all."
        )
    return [selected[code] for code in sorted(selected)]


def available_notebooks(notebooks_dir: str | Path | None = None) -> list[Path]:
    """Notebooks in the notebooks folder (not hidden, not checkpoints)."""
    directory = Path(notebooks_dir) if notebooks_dir else config.NOTEBOOKS_DIR
    return sorted(p for p in directory.glob("*.ipynb") if not p.name.startswith((".", "_")))


def select_notebooks(names: Sequence[str] = (), notebooks_dir: str | Path | None = None) -> list[Path]:
    """The notebooks a batch runs, as paths.

    ``names`` are notebook names (with or without ``.ipynb``, comma-separated or not) or
    unique prefixes such as ``01``. By default: the topic notebooks (``config.NOTEBOOKS``)
    present in the folder, or, in a folder holding none of them, every notebook in it.
    """
    directory = (Path(notebooks_dir) if notebooks_dir else config.NOTEBOOKS_DIR).absolute()
    available = {p.stem: p for p in available_notebooks(directory)}
    if not available:
        raise ParameterError(
            f"There are no notebooks in {directory}.",
            "Run from the workspace folder, or give the folder with --notebooks-dir.",
        )
    wanted = [part.strip().removesuffix(".ipynb") for name in names for part in str(name).split(",") if part.strip()]
    if not wanted:
        topics = [available[name] for name in config.NOTEBOOKS if name in available]
        return topics or list(available.values())
    chosen: dict[str, Path] = {}
    for name in wanted:
        matches = [name] if name in available else [stem for stem in available if stem.startswith(name)]
        if len(matches) != 1:
            problem = "matches more than one notebook" if matches else "is not a notebook in " + str(directory)
            raise ParameterError(f"Notebook {name!r} {problem}.", "Choose from: " + ", ".join(available) + ".")
        chosen[matches[0]] = available[matches[0]]
    return list(chosen.values())


def command_line(options: BatchOptions) -> str:
    """The ``analysis batch`` command equivalent to ``options`` (for the run log and the lock)."""
    import shlex

    words = ["analysis", "batch"]
    words += [w for area in options.areas for w in ("--area", area)]
    words += [w for region in options.regions for w in ("--region", region)]
    words += ["--all"] if options.all_authorities else []
    words += ["--notebooks", *options.notebooks] if options.notebooks else []
    words += [w for name, value in options.parameters for w in ("-p", name, value)]
    for flag, value in (
        ("-f", options.parameters_file),
        ("--workers", options.workers),
        ("--reports-dir", options.reports_dir),
        ("--notebooks-dir", options.notebooks_dir),
        ("--scheduler", options.scheduler),
    ):
        words += [flag, str(value)] if value is not None else []
    if options.timeout != config.BATCH_TIMEOUT_SECONDS:
        words += ["--timeout", f"{options.timeout or 0:g}"]
    words += ["--executor", options.executor] if options.executor != "processes" else []
    words += [flag for flag, on in (("--force", options.force), ("--quiet", options.quiet)) if on]
    return " ".join(shlex.quote(str(w)) for w in words)


# ------------------------------------------------------------------------------------------
# Parameters
# ------------------------------------------------------------------------------------------


def load_parameters_file(path: str | Path | None) -> dict[str, Any]:
    """A YAML parameters file: ``name: value`` for every notebook that declares ``name``, and
    ``<notebook>: {name: value}`` sections for one notebook."""
    if path is None:
        return {}
    path = Path(path)
    try:
        values = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise ParameterError(
            f"Cannot read the parameters file {path}: {exc.strerror}.", "Check the path given with -f."
        ) from None
    except yaml.YAMLError as exc:
        raise ParameterError(
            f"The parameters file {path} is not valid YAML: {exc}",
            "Fix the YAML at the position shown (name: value, one per line).",
        ) from None
    if values is None:
        return {}
    if not isinstance(values, dict) or not all(isinstance(k, str) for k in values):
        raise ParameterError(
            f"The parameters file {path} must be a mapping of parameter names to values.",
            "For example:\nconfidence_level: 0.9\n02_refuge_demand_supply:\n  standard_per_10k: 1.0",
        )
    return values


def _unknown_parameter(name: str, declared: Mapping[str, Mapping[str, parameters.NotebookParameter]]) -> ParameterError:
    every = sorted({p for names in declared.values() for p in names})
    close = difflib.get_close_matches(name, every, n=1)
    hint = (f"Did you mean {close[0]!r}? " if close else "") + " ".join(
        parameters.valid_parameters_hint(notebook, names) for notebook, names in declared.items()
    )
    return ParameterError(
        f"Unknown parameter {name!r}: none of the selected notebooks ({', '.join(declared)}) declares it.", hint
    )


def resolve_parameters(
    declared: Mapping[str, Mapping[str, parameters.NotebookParameter]],
    pairs: Sequence[tuple[str, str]] = (),
    file_values: Mapping[str, Any] | None = None,
    known_notebooks: Sequence[str] = (),
) -> dict[str, dict[str, Any]]:
    """The parameters to pass to each notebook, checked against its parameters cell.

    Parameters
    ----------
    declared
        Notebook name -> its declared parameters (:func:`analysis.run.parameters.read_parameters`).
    pairs
        ``(name, text)`` from ``-p NAME VALUE``; ``NOTEBOOK.NAME`` limits one to a notebook.
        Text is read as a YAML scalar (:func:`analysis.run.parameters.parse_text_value`).
    file_values
        :func:`load_parameters_file`; command-line values win over the file.
    known_notebooks
        Other notebook names a file section may name without error (not selected now).

    Raises
    ------
    ParameterError
        For a parameter no selected notebook declares, a value of the wrong type, a section
        for an unknown notebook, or ``area`` (chosen with --area / --region / --all).
    """
    values: dict[str, dict[str, Any]] = {notebook: {} for notebook in declared}
    for notebook, names in declared.items():
        if "area" not in names:
            raise ParameterError(
                f"Notebook {notebook} has no 'area' parameter, so a batch cannot run it per area.",
                'Declare  area: str = "E10000014"  # authority code or name  in its parameters cell.',
            )

    def assign(name: str, value: Any, notebook: str | None, from_text: bool) -> None:
        if name == "area":
            raise ParameterError(
                "The area is not a -p / file parameter in a batch.",
                "Choose areas with --area (repeatable), --region or --all.",
            )
        targets = [notebook] if notebook else [nb for nb, names in declared.items() if name in names]
        if not targets or (notebook and name not in declared[notebook]):
            if notebook:
                raise ParameterError(
                    f"Unknown parameter {name!r} for notebook {notebook}.",
                    parameters.valid_parameters_hint(notebook, declared[notebook]),
                )
            raise _unknown_parameter(name, declared)
        for target in targets:
            spec = declared[target][name]
            values[target][name] = parameters.parse_text_value(value, spec) if from_text else value

    for key, value in (file_values or {}).items():
        if key in declared or key in known_notebooks:
            if not isinstance(value, dict):
                raise ParameterError(f"The parameters file section {key!r} must map parameter names to values.")
            for name, item in value.items():
                if key in declared:
                    assign(str(name), item, key, from_text=False)
        else:
            assign(key, value, None, from_text=False)
    for name, text in pairs:
        notebook, _, bare = name.rpartition(".")
        if notebook and notebook not in declared:
            raise ParameterError(
                f"-p {name}: {notebook!r} is not one of the selected notebooks.",
                "Selected: " + ", ".join(declared) + ".",
            )
        assign(bare, text, notebook or None, from_text=True)
    for notebook, given in values.items():
        parameters.check_parameters(notebook, declared[notebook], given)
        parameters.check_values(notebook, declared[notebook], given)
    return values


# ------------------------------------------------------------------------------------------
# Fingerprints
# ------------------------------------------------------------------------------------------


def _sha(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8") if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


def _versions(names: Sequence[str]) -> str:
    found = []
    for name in names:
        try:
            found.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name}==absent")
    return ";".join(found)


def notebook_fingerprint(path: str | Path) -> str:
    """Hash of what a notebook runs: its cells' types, sources and tags, and its kernel."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    cells = [
        (c.get("cell_type"), "".join(c.get("source", "")), sorted(c.get("metadata", {}).get("tags", [])))
        for c in nb.get("cells", [])
    ]
    kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name")
    return _sha(json.dumps({"cells": cells, "kernel": kernel}, sort_keys=True))


def code_fingerprint() -> str:
    """Hash of the package code notebooks run (not the publishing code) and key library versions."""
    package = config.PACKAGE_DIR
    parts = [
        f"{p.relative_to(package).as_posix()}:{hashlib.sha256(p.read_bytes()).hexdigest()}"
        for p in sorted(package.rglob("*.py"))
        if p.relative_to(package).as_posix() not in NOT_EXECUTION_CODE
    ]
    return _sha(*parts, sys.version, _versions(FINGERPRINT_LIBRARIES))


def publication_fingerprint() -> str:
    """Hash of the publishing code, templates and libraries (a change re-publishes without rerunning)."""
    package = config.PACKAGE_DIR / "present"
    files = [package / "publish.py", *sorted(p for p in (package / "templates").rglob("*") if p.is_file())]
    return _sha(
        *(f"{p.relative_to(package).as_posix()}:{hashlib.sha256(p.read_bytes()).hexdigest()}" for p in files),
        _versions(PUBLICATION_LIBRARIES),
        str(config.SUPPRESSION_THRESHOLD),
    )


def data_fingerprint() -> str:
    """Hash of the data notebooks read: the processed build state, the manifest and local files."""
    from analysis.data import build

    parts = [json.dumps(build.read_state(), sort_keys=True)]
    if config.MANIFEST_PATH.is_file():
        parts.append(hashlib.sha256(config.MANIFEST_PATH.read_bytes()).hexdigest())
    local = config.LOCAL_DIR
    if local.is_dir():
        parts += [
            f"{p.relative_to(local)}:{hashlib.sha256(p.read_bytes()).hexdigest()}"
            for p in sorted(local.rglob("*"))
            if p.is_file()
        ]
    return _sha(*parts)


# ------------------------------------------------------------------------------------------
# The batch
# ------------------------------------------------------------------------------------------


def _log(reports_dir: Path, text: str) -> None:
    stamp = datetime.now(UTC).replace(microsecond=0).isoformat()
    with open(reports_dir / LOG_NAME, "a", encoding="utf-8") as handle:
        handle.write(f"{stamp} {text}\n")


def _outcome_line(outcome: runner.RunOutcome, reports_dir: Path) -> str:
    line = f"{outcome.status} {outcome.area_code} {outcome.notebook} ({outcome.seconds:.1f} s)"
    if outcome.failed:
        line += f": {outcome.error}"
        if outcome.executed and Path(outcome.executed).is_file():
            line += f"; executed notebook kept: {Path(outcome.executed).relative_to(reports_dir)}"
    return line


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """In the main thread, treat SIGTERM like Ctrl-C so a stopped batch cleans up the same way."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def check_kernel(name: str = config.KERNEL_NAME) -> None:
    """Fail early, with the fix, when the notebooks' Jupyter kernel is not registered here."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        raise BatchError(
            f"The Jupyter kernel {name!r} that the notebooks run on is not installed.",
            "Run 'make setup' (it registers the kernel in .venv), or in a conda environment: "
            f"python -m ipykernel install --user --name {name} "
            f'--display-name "{config.KERNEL_DISPLAY_NAME}"',
        ) from None


def plan_runs(
    areas: Sequence[Any],
    notebook_paths: Sequence[Path],
    values: Mapping[str, Mapping[str, Any]],
    reports_dir: Path,
    options: BatchOptions,
    workspace: Mapping[str, Any],
) -> tuple[list[runner.Run], list[runner.RunOutcome]]:
    """The runs to execute or re-publish, and the outcomes of those skipped as unchanged."""
    from analysis.present import publish

    code, data, publishing = code_fingerprint(), data_fingerprint(), publication_fingerprint()
    todo, skipped = [], []
    for path in notebook_paths:
        notebook = path.stem
        source = notebook_fingerprint(path)
        for area in areas:
            run_parameters = {"area": area.code, **values[notebook]}
            fingerprint = _sha(
                json.dumps(
                    {"notebook": source, "parameters": run_parameters, "code": code, "data": data}, sort_keys=True
                )
            )
            run = runner.Run(
                area_code=area.code,
                area_name=area.name,
                report_slug=area.report_slug,
                notebook=notebook,
                notebook_path=str(path),
                parameters=run_parameters,
                reports_dir=str(reports_dir),
                project_root=str(config.project_root()),
                fingerprint=fingerprint,
                publication_fingerprint=_sha(fingerprint, publishing),
                timeout=options.timeout or None,
                page=publish.report_page(area, notebook, run_parameters, workspace, notebook_dir=path.parent),
            )
            paths = runner.output_paths(run.output_dir, notebook)
            record = publish.read_run_record(paths["record"])
            unchanged = (
                not options.force
                and record.get("status") == "ok"
                and record.get("fingerprint") == fingerprint
                and paths["executed"].is_file()
            )
            if (
                unchanged
                and record.get("publication_fingerprint") == run.publication_fingerprint
                and paths["html"].is_file()
            ):
                skipped.append(
                    runner.RunOutcome(
                        area.code,
                        area.name,
                        notebook,
                        "skipped",
                        html=str(paths["html"]),
                        executed=str(paths["executed"]),
                    )
                )
            else:
                run.mode = "publish" if unchanged else "execute"
                todo.append(run)
    return todo, skipped


#: Notebooks that read councils' local files (02 for its area, 03 for every authority's supply).
LOCAL_DATA_NOTEBOOKS = frozenset({"02_refuge_demand_supply", "03_regional_maps"})


def check_local_files() -> None:
    """Validate every local data folder and file before any kernel starts (errors name file, line, column)."""
    from analysis.methods import areas as area_registry
    from analysis.methods import council_data

    for code in sorted(council_data.check_local_folders()):
        council_data.load_local_data(area_registry.get_area(code))


def run_batch(options: BatchOptions) -> BatchSummary:
    """Run a batch (see the module docstring); return its summary.

    Raises
    ------
    ParameterError, AreaError
        Bad selection or parameters, before anything runs.
    BatchError
        Another batch holds the reports folder, or it cannot be written.
    KeyboardInterrupt
        After stopping cleanly on Ctrl-C / SIGTERM (finished runs are kept).
    """
    from tqdm import tqdm

    from analysis.data import build
    from analysis.present import publish

    clock = time.monotonic()
    if options.executor not in EXECUTORS:
        raise ParameterError(f"Unknown executor {options.executor!r}.", f"Use one of {', '.join(EXECUTORS)}.")
    if options.workers is not None and options.workers < 1:
        raise ParameterError(f"--workers must be at least 1, got {options.workers}.")
    if options.timeout is not None and options.timeout < 0:
        raise ParameterError(f"--timeout must be a number of seconds >= 0 (0: no limit), got {options.timeout}.")
    reports_dir = Path(options.reports_dir or config.REPORTS_DIR).absolute()
    options.command = options.command or command_line(options)
    areas = select_areas(options.areas, options.regions, options.all_authorities)
    notebook_paths = select_notebooks(options.notebooks, options.notebooks_dir)
    declared = {path.stem: parameters.read_parameters(path) for path in notebook_paths}
    known = [*config.NOTEBOOKS, *(p.stem for p in available_notebooks(notebook_paths[0].parent))]
    values = resolve_parameters(declared, options.parameters, load_parameters_file(options.parameters_file), known)
    say = (lambda message: None) if options.quiet else (lambda message: print(message, file=sys.stderr))
    if not options.scheduler and options.executor == "processes":
        check_kernel()
    if any(path.stem in LOCAL_DATA_NOTEBOOKS for path in notebook_paths):
        check_local_files()

    with lock.batch_lock(reports_dir, options.command) as stale, _sigterm_as_interrupt():
        notes = []
        if stale:
            notes.append(
                f"the previous batch ({lock.describe_holder(stale)}) stopped without finishing; "
                "carrying on where it stopped."
            )
            say(f"note: {notes[-1]}")
        lock.remove_partial_files(reports_dir)
        build.build_tables(report=say)
        workspace = publish.workspace_info()
        todo, skipped = plan_runs(areas, notebook_paths, values, reports_dir, options, workspace)
        scheduler = options.scheduler
        executor = "dask" if scheduler else options.executor
        workers = max(
            1,
            min(
                options.workers
                or (executors.pool_size(default_workers()) if executor == "processes" else default_workers()),
                len(todo) or 1,
            ),
        )
        _log(
            reports_dir,
            f"start pid={os.getpid()} host={socket.gethostname()}: {len(areas)} area(s) x "
            f"{len(notebook_paths)} notebook(s); {len(todo)} to run or publish, "
            f"{len(skipped)} unchanged; {workers} worker(s), {executor}; command: {options.command}",
        )
        outcomes: list[runner.RunOutcome] = list(skipped)
        bar = tqdm(
            total=len(todo) + len(skipped),
            initial=len(skipped),
            unit="run",
            desc="batch",
            disable=True if options.quiet else None,
            file=sys.stderr,
            dynamic_ncols=True,
        )

        def on_outcome(outcome: runner.RunOutcome) -> None:
            outcomes.append(outcome)
            _log(reports_dir, _outcome_line(outcome, reports_dir))
            if outcome.failed and not options.quiet:
                bar.write(
                    f"FAILED {outcome.area_name} ({outcome.area_code}) {outcome.notebook}: {outcome.error}",
                    file=sys.stderr,
                )
            bar.update(1)
            bar.set_postfix(failed=sum(1 for o in outcomes if o.failed), refresh=False)

        try:
            if todo and executor == "dask":
                executors.run_with_dask(todo, workers, scheduler, on_outcome)
            elif todo:
                executors.run_with_processes(todo, workers, reports_dir, on_outcome)
        except KeyboardInterrupt:
            bar.close()
            lock.remove_partial_files(reports_dir)
            _log(
                reports_dir,
                f"interrupted after {len(outcomes) - len(skipped)} of {len(todo)} run(s); "
                "finished runs are kept, the same command carries on",
            )
            raise
        bar.close()
        index = publish.write_index(reports_dir, workspace)
        order = {(a.code, p.stem): i for i, (a, p) in enumerate((a, p) for a in areas for p in notebook_paths)}
        outcomes.sort(key=lambda o: order.get((o.area_code, o.notebook), 0))
        summary = BatchSummary(outcomes, time.monotonic() - clock, reports_dir, index, workers, executor, notes)
        _log(reports_dir, "end: " + summary.format().splitlines()[0].removeprefix("batch: "))
        return summary
