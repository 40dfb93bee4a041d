"""Execute one notebook for one area and publish it: the unit of work of a batch.

:func:`execute_run` is what a batch worker does for one :class:`Run` (one notebook, one
area): it runs the notebook with papermill in this (warm) Python process, on a fresh
kernel of the registered workspace kernel, under a time limit for the whole notebook;
then converts it to HTML in-process (:mod:`analysis.present.publish`) and records the outcome.
It never raises for a failing notebook: the failure (cell and error) is part of the
returned :class:`RunOutcome` and of the run record written beside the outputs.

Files written in ``reports/<area_code>-<slug>/`` (each written to a temporary name in
the same folder and renamed, so a crash never leaves a truncated file in place):

``<notebook>.ipynb``        the executed notebook of the last successful run
``<notebook>.html``         the published report of that run
``<notebook>.failed.ipynb`` the executed notebook of a failed run, kept for debugging
``<notebook>.run.json``     the run record: status, fingerprints, error, headline records

The same function runs in the local process pool and on Dask workers.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from analysis import config
from analysis.files import write_atomic

RUN_RECORD_VERSION = 1
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_ENV_LOCK = threading.Lock()
_PAPERMILL_TAGS = {"injected-parameters", "papermill-error-cell-tag"}
#: Temporary files of the runs in progress in this process (removed if the worker is stopped).
IN_PROGRESS: set[Path] = set()


@dataclass
class Run:
    """One notebook for one area, with everything a worker needs (picklable)."""

    area_code: str
    area_name: str
    report_slug: str
    notebook: str
    notebook_path: str
    parameters: dict[str, Any]
    reports_dir: str
    project_root: str
    fingerprint: str
    publication_fingerprint: str
    mode: str = "execute"  # "execute", or "publish" (HTML only, from the executed notebook)
    kernel_name: str = config.KERNEL_NAME
    timeout: float | None = config.BATCH_TIMEOUT_SECONDS
    start_timeout: float = config.KERNEL_START_TIMEOUT_SECONDS
    page: dict[str, Any] = field(default_factory=dict)  # what the HTML says about the run (publish.ReportPage)

    @property
    def output_dir(self) -> Path:
        return Path(self.reports_dir) / self.report_slug

    @property
    def label(self) -> str:
        return f"{self.area_name} ({self.area_code}) {self.notebook}"


@dataclass
class RunOutcome:
    """What happened to a run."""

    area_code: str
    area_name: str
    notebook: str
    status: str  # "ran", "republished", "skipped", "failed"
    seconds: float = 0.0
    error: str | None = None
    cell: int | None = None
    html: str | None = None
    executed: str | None = None

    @property
    def failed(self) -> bool:
        return self.status == "failed"


@dataclass
class Failure:
    """Where and why a run failed."""

    error: str
    cell: int | None = None
    execution_count: int | None = None

    def describe(self) -> str:
        if self.cell is None:
            return self.error
        where = f"cell {self.cell}" + (f" (In [{self.execution_count}])" if self.execution_count else "")
        return f"{where}: {self.error}"


def output_paths(output_dir: Path, notebook: str) -> dict[str, Path]:
    """The files of one notebook's run in its area folder."""
    return {
        "executed": output_dir / f"{notebook}.ipynb",
        "html": output_dir / f"{notebook}.html",
        "failed": output_dir / f"{notebook}.failed.ipynb",
        "record": output_dir / f"{notebook}.run.json",
    }


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _short(text: str, limit: int = 300) -> str:
    text = _ANSI.sub("", str(text)).strip()
    first = text.splitlines()[0] if text else ""
    return first if len(first) <= limit else first[: limit - 1] + "…"


def _ensure_environment(project_root: str) -> None:
    """Kernels inherit the environment: point them at the batch's project root."""
    with _ENV_LOCK:
        if os.environ.get(config.ROOT_ENV) != project_root:
            os.environ[config.ROOT_ENV] = project_root


def quiet_loggers() -> None:
    for name in ("papermill", "traitlets", "nbclient"):
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


# ------------------------------------------------------------------------------------------
# Execution
# ------------------------------------------------------------------------------------------


def _source_cell_number(nb: Any, index: int) -> int:
    """1-based number, in the notebook as written, of cell ``index`` of the executed notebook."""
    skipped = sum(1 for cell in nb.cells[:index] if set(cell.get("metadata", {}).get("tags", [])) & _PAPERMILL_TAGS)
    return index - skipped + 1


def _last_started_cell(nb: Any) -> int | None:
    started = [i for i, cell in enumerate(nb.cells) if cell.get("metadata", {}).get("papermill", {}).get("start_time")]
    return started[-1] if started else None


def _read_partial(path: Path) -> Any | None:
    import nbformat

    try:
        return nbformat.read(str(path), as_version=4)
    except Exception:
        return None


def _failure_from_exception(exc: BaseException, nb: Any | None, timeout: float | None) -> Failure:
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        index = _error_cell_index(nb) if nb is not None else None  # papermill's index predates its marker cells
        cell = _source_cell_number(nb, index) if index is not None else None
        return Failure(f"{exc.ename}: {_short(exc.evalue)}", cell, exc.exec_count)
    index = _last_started_cell(nb) if nb is not None else None
    cell = _source_cell_number(nb, index) if index is not None else None
    count = nb.cells[index].get("execution_count") if index is not None else None
    if isinstance(exc, CellTimeoutError):
        return Failure(
            f"timed out: the notebook was still running after {timeout:g} s (the --timeout limit)", cell, count
        )
    if isinstance(exc, DeadKernelError):
        return Failure("the kernel died (crashed, was killed, or ran out of memory)", cell, count)
    if nb is None or index is None:
        return Failure(f"the kernel did not start: {type(exc).__name__}: {_short(exc)}")
    return Failure(f"{type(exc).__name__}: {_short(exc)}", cell, count)


def _error_cell_index(nb: Any) -> int | None:
    for i, cell in enumerate(nb.cells):
        if any(out.get("output_type") == "error" for out in cell.get("outputs", [])):
            return i
    return None


def execute_notebook(run: Run, output_path: Path) -> tuple[Any | None, Failure | None]:
    """Run the notebook with papermill into ``output_path``; return (notebook, failure or None)."""
    import papermill

    from analysis.run import engine
    from analysis.run.ready import ReadyKernelManager

    state: dict[str, float] = {}

    def remaining_time(cell: Any) -> int | None:
        if not run.timeout:
            return None
        state.setdefault("deadline", time.monotonic() + run.timeout)
        return max(1, math.ceil(state["deadline"] - time.monotonic()))

    quiet_loggers()
    try:
        nb = papermill.execute_notebook(
            run.notebook_path,
            str(output_path),
            parameters=run.parameters,
            kernel_name=run.kernel_name,
            progress_bar=False,
            log_output=False,
            start_timeout=run.start_timeout,
            resources={"metadata": {"path": str(Path(run.notebook_path).parent)}},
            timeout_func=remaining_time,
            shutdown_kernel="immediate",
            extra_arguments=list(config.KERNEL_ARGUMENTS),
            kernel_manager_class=ReadyKernelManager,  # ready without jupyter_client's 0.2 s pause
            engine_name=engine.engine_name(),
        )
        return nb, None
    except Exception as exc:
        nb = _read_partial(output_path)
        return nb, _failure_from_exception(exc, nb, run.timeout)


# ------------------------------------------------------------------------------------------
# One run, start to finish
# ------------------------------------------------------------------------------------------


def _write_record(
    run: Run,
    paths: dict[str, Path],
    status: str,
    started: str,
    seconds: float,
    failure: Failure | None = None,
    records: dict | None = None,
    dropped: list[str] | None = None,
    timings: dict[str, float] | None = None,
) -> None:
    record = {
        "version": RUN_RECORD_VERSION,
        "status": status,
        "area_code": run.area_code,
        "area_name": run.area_name,
        "report_slug": run.report_slug,
        "notebook": run.notebook,
        "parameters": run.parameters,
        "fingerprint": run.fingerprint if status == "ok" else None,
        "publication_fingerprint": run.publication_fingerprint if status == "ok" else None,
        "region_name": run.page.get("region_name"),
        "command": run.page.get("command"),
        "started_at": started,
        "finished_at": _now(),
        "seconds": round(seconds, 2),
        **(timings or {}),
        "error": failure.describe() if failure else None,
        "cell": failure.cell if failure else None,
        "records": records if records is not None else {},
        "html": paths["html"].name if paths["html"].is_file() else None,
        "executed": paths["executed"].name if paths["executed"].is_file() else None,
        "failed_notebook": paths["failed"].name if paths["failed"].is_file() else None,
        "not_published": dropped or [],
        "page": run.page,
    }
    write_atomic(paths["record"], json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def _outcome(
    run: Run, status: str, started_clock: float, paths: dict[str, Path], failure: Failure | None = None
) -> RunOutcome:
    return RunOutcome(
        area_code=run.area_code,
        area_name=run.area_name,
        notebook=run.notebook,
        status=status,
        seconds=round(time.monotonic() - started_clock, 2),
        error=failure.describe() if failure else None,
        cell=failure.cell if failure else None,
        html=str(paths["html"]) if status in ("ran", "republished") else None,
        executed=str(paths["failed"] if failure else paths["executed"]),
    )


def execute_run(run: Run) -> RunOutcome:
    """Execute (or only re-publish) one run; write its files; return its outcome.

    A failing notebook (an error in a cell, a timeout, a dead kernel), a report that may
    not be published (:class:`~analysis.errors.PublicationError`) or files that cannot be
    written (a full disk) give a "failed" outcome: the executed notebook is kept as
    ``<notebook>.failed.ipynb`` where possible and no HTML is written (the HTML of an
    earlier successful run, if any, is left as it was).
    """
    clock, started = time.monotonic(), _now()
    _ensure_environment(run.project_root)
    paths = output_paths(run.output_dir, run.notebook)
    temporary = run.output_dir / f".{run.notebook}.running-{os.getpid()}-{threading.get_ident()}.ipynb"
    IN_PROGRESS.add(temporary)
    try:
        run.output_dir.mkdir(parents=True, exist_ok=True)
        return _execute_and_publish(run, paths, temporary, clock, started)
    except OSError as exc:  # e.g. no space left on device: earlier files are intact (atomic writes)
        failure = Failure(
            f"could not write its files in {run.output_dir.name}: "
            f"{exc.strerror or exc}" + (f" ({Path(exc.filename).name})" if exc.filename else "")
        )
        try:
            _write_record(run, paths, "failed", started, time.monotonic() - clock, failure)
        except OSError:
            pass
        return _outcome(run, "failed", clock, paths, failure)
    finally:
        temporary.unlink(missing_ok=True)
        IN_PROGRESS.discard(temporary)


def _execute_and_publish(run: Run, paths: dict[str, Path], temporary: Path, clock: float, started: str) -> RunOutcome:
    import nbformat

    from analysis.errors import PublicationError
    from analysis.present import publish

    if run.mode == "publish":
        nb, failure = nbformat.read(str(paths["executed"]), as_version=4), None
    else:
        nb, failure = execute_notebook(run, temporary)
    timings = {"execute_seconds": round(time.monotonic() - clock, 2)}
    if failure is None:
        try:
            rendered = publish.render_report(nb, run.page)
            timings["publish_seconds"] = round(time.monotonic() - clock - timings["execute_seconds"], 2)
        except PublicationError as exc:
            failure = Failure(f"not published: {exc.message}")
            if run.mode == "publish":
                write_atomic(temporary, nbformat.writes(nb))
    if failure is not None:
        if temporary.is_file():
            os.replace(temporary, paths["failed"])
        _write_record(run, paths, "failed", started, time.monotonic() - clock, failure, timings=timings)
        return _outcome(run, "failed", clock, paths, failure)
    if run.mode == "execute":
        os.replace(temporary, paths["executed"])  # written completely by papermill before it returned
    publish.write_report(paths["html"], rendered)  # its CSV files and the area's zip, then the HTML
    paths["failed"].unlink(missing_ok=True)
    _write_record(
        run,
        paths,
        "ok",
        started,
        time.monotonic() - clock,
        records=rendered.records,  # what report.read_records would read back from the executed notebook
        dropped=rendered.dropped,
        timings=timings,
    )
    return _outcome(run, "ran" if run.mode == "execute" else "republished", clock, paths)


def outcome_from_error(run: Run, exc: BaseException) -> RunOutcome:
    """The outcome of a run whose worker failed outside the notebook (e.g. a worker that died)."""
    return RunOutcome(
        area_code=run.area_code,
        area_name=run.area_name,
        notebook=run.notebook,
        status="failed",
        error=f"the worker running it failed: {type(exc).__name__}: {_short(exc) or 'no message'}",
    )


def outcome_as_dict(outcome: RunOutcome) -> dict[str, Any]:
    """A JSON-friendly outcome (for the run log)."""
    return asdict(outcome)
