"""What a batch runs: the selection, the parameters, the fingerprints and the plan.

Everything here happens before any kernel starts, so a bad area, notebook or parameter stops
the batch with a clear error and nothing written (:func:`analysis.run.batch.run_batch` runs
the plan):

1. **Selection**: areas from ``--area`` (code or name, repeatable), ``--region`` (the
   upper-tier authorities in a region) and ``--all`` (all 152 upper-tier authorities);
   notebooks from ``--notebooks`` (default: the topic notebooks of ``config.NOTEBOOKS``
   found in the notebooks folder).
2. **Parameters**: ``-p NAME VALUE`` and ``-f params.yaml`` are checked against each
   notebook's ``parameters`` cell (:mod:`analysis.run.parameters`).
3. **Plan**: a run whose notebook, parameters, package code and data are unchanged since
   its last successful run (the fingerprint in its run record) is skipped; one whose only
   change is the publishing code is re-published from its executed notebook; ``force``
   reruns everything.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from analysis import config
from analysis.errors import ParameterError
from analysis.run import parameters, runner

#: Modules whose code does not change what a notebook computes (publishing has its own fingerprint).
#: The publishing code (hashed by :func:`publication_fingerprint` instead: a change re-publishes).
PUBLICATION_CODE = (
    "present/publish.py",
    "present/page.py",
    "present/navigation.py",
    "present/index.py",
    "present/index_map.py",
    "present/summary.py",
    "present/summary_facts.py",
    "present/downloads.py",
)
#: Package files that cannot change what a notebook computes (not in :func:`code_fingerprint`).
NOT_EXECUTION_CODE = (
    "cli.py",
    *PUBLICATION_CODE,
    "present/browser.py",
    "present/pdf.py",
    "run/lock.py",
    "run/executors.py",
)
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
    pdf: bool = False  # after publishing, print each area's pages into one PDF (analysis.present.pdf)
    command: str = ""  # the command line, for the log and the lock


# ------------------------------------------------------------------------------------------
# Selection
# ------------------------------------------------------------------------------------------


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
    words += [
        flag for flag, on in (("--force", options.force), ("--quiet", options.quiet), ("--pdf", options.pdf)) if on
    ]
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
    from analysis.data import disk_cache

    return ";".join(disk_cache.library_versions(names))


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
    code = [config.PACKAGE_DIR / name for name in PUBLICATION_CODE]
    files = [*code, *sorted(p for p in (package / "templates").rglob("*") if p.is_file())]
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
# The plan
# ------------------------------------------------------------------------------------------


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


#: The disk cache's record that :func:`fill_disk_cache` ran for this code and data.
FILLED_KIND = "filled"


def fill_disk_cache() -> int:
    """Compute, once, the England-wide results every report's kernel needs and keep them in the disk
    cache (:mod:`analysis.data.disk_cache`): the council files' validation, each declared
    indicator for all areas at the default confidence level, and its map classes (default
    scheme). ``analysis data build`` calls it, so the first reports after set-up find them instead
    of each kernel computing them (about 5 s of CPU). Returns how many indicators it computed (0
    when this code and data were done already, or the cache is off). A result that cannot be
    computed is left for the report to raise, with its message.
    """
    from analysis.data import disk_cache
    from analysis.errors import AnalysisError

    data = disk_cache.data_key() if disk_cache.enabled() else None
    if data is None:
        return 0
    done = disk_cache.key(FILLED_KIND, data)
    if disk_cache.load(FILLED_KIND, done) is not None:
        return 0
    from analysis.methods import indicators
    from analysis.present import map_classes

    try:
        check_local_files()
    except AnalysisError:  # a council file to fix: the batch refuses it up front, naming file and line
        pass
    computed = 0
    for indicator in indicators.list_indicators():
        try:
            frame = indicators.compute_indicator(indicator, confidence=config.DEFAULT_CONFIDENCE)
            computed += 1
            if indicator.varies_by_area:
                map_classes.class_breaks(map_classes.published(indicator, frame))
        except AnalysisError:
            continue
    disk_cache.store(FILLED_KIND, done, computed)
    return computed
