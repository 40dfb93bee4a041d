"""Publish executed notebooks as self-contained HTML for a council website.

:func:`render_report` turns an executed notebook into one HTML page with the project's
nbconvert template (``templates/report``), in this Python process (no nbconvert start-up
per report). What reaches the page, and what never does:

* shown: markdown cells, and the display outputs of :mod:`analysis.present.report` (title,
  headline, tables, figures with alt text, sources, caveats, reproduce);
* never shown: code, input and output prompts, the ``parameters`` and injected-parameters
  cells, cells tagged ``researcher-notes``, papermill's metadata and error cells,
  printed text, warnings, tracebacks, bare expression results, DataFrames displayed
  without :func:`analysis.present.report.table` (they bypass small-number suppression), inline
  figures without alt text, scripts, and the machine's folder paths.

The page adds a date line, a table of contents, the headline first, and an "About this
report" section (workspace version, data vintages, parameters, suppression rule and the
command that reproduces it: :func:`report_page`). :mod:`analysis.present.page` finishes the
page and makes the checks that refuse an unsafe one before anything is written; every table's
cells, and the data of every chart, are published as CSV files beside the page and in one zip per
authority (:mod:`analysis.present.downloads`, written by :func:`write_report`);
:mod:`analysis.present.index` writes ``reports/index.html``. :func:`republish` re-renders every
report of a folder without running a kernel. Every file is written atomically
(:func:`write_atomic`).

The names callers used from this module before the page and the index moved out
(``finish_html``, ``check_small_counts``, ``write_index``, ``read_run_record``, ...) are still
importable from it.
"""

from __future__ import annotations

import copy
import json
import subprocess
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from analysis import __version__, config
from analysis.errors import PublicationError
from analysis.files import write_atomic
from analysis.present import downloads
from analysis.present.index import (
    INDEX_NAME,
    INDEX_TEMPLATE,
    INDEX_TITLE,
    collect_runs,
    index_context,
    read_run_record,
    write_index,
)
from analysis.present.page import (
    ATTRIBUTION,
    TEMPLATES_DIR,
    check_images,
    check_self_contained,
    check_small_counts,
    display_date,
    finish_html,
    redact_paths,
)

__all__ = [
    "ATTRIBUTION",
    "EXPORTER_OPTIONS",
    "INDEX_NAME",
    "INDEX_TEMPLATE",
    "INDEX_TITLE",
    "REPORT_TEMPLATE",
    "TEMPLATES_DIR",
    "Rendered",
    "check_images",
    "check_self_contained",
    "check_small_counts",
    "collect_runs",
    "finish_html",
    "index_context",
    "notebook_records",
    "prepare_notebook",
    "read_run_record",
    "redact_paths",
    "render_report",
    "report_page",
    "republish",
    "workspace_info",
    "write_index",
    "write_report",
]

REPORT_TEMPLATE = "report"
_PUBLISHED_MIMES = ("text/html", "text/markdown")
_local = threading.local()


# ------------------------------------------------------------------------------------------
# What the page says about its run
# ------------------------------------------------------------------------------------------


def workspace_info() -> dict[str, Any]:
    """Version, code revision and data vintages shown on every page (computed once per batch)."""
    from analysis.data import build, sources

    package_root = config.SOURCE_ROOT
    commit = None
    if (package_root / ".git").exists():
        try:
            commit = (
                subprocess.run(
                    ["git", "-C", str(package_root), "rev-parse", "--short=12", "HEAD"],
                    capture_output=True,
                    text=True,
                    timeout=10,
                    check=True,
                ).stdout.strip()
                or None
            )
        except (OSError, subprocess.SubprocessError):
            commit = None
    inputs = build.read_state().get("inputs", {})
    manifest = {item.id: item for item in sources.load_manifest()}
    data = [
        f"{manifest[i].title}: {manifest[i].publisher}, {manifest[i].vintage} ({manifest[i].licence})"
        for i in sorted(inputs)
        if i in manifest
    ]
    return {"version": __version__, "commit": commit, "geography": config.GEOGRAPHY_VINTAGE, "data": data}


def report_page(
    area: Any,
    notebook: str,
    parameters: Mapping[str, Any],
    workspace: Mapping[str, Any],
    threshold: int = config.SUPPRESSION_THRESHOLD,
    notebook_dir: str | Path = "",
) -> dict[str, Any]:
    """What a report page says about its run (everything but the date, set when it is rendered).

    Parameters
    ----------
    area
        The :class:`analysis.methods.areas.Area` reported on.
    notebook
        The notebook's name.
    parameters
        The parameters the batch passed (``area`` among them).
    workspace
        :func:`workspace_info`.
    threshold
        The small-number suppression threshold the publication check applies.
    notebook_dir
        The notebook's folder, from which images its markdown cells show are embedded.
    """
    from analysis.methods import stats
    from analysis.present import labels, report

    shown = {k: v for k, v in parameters.items() if k != "area"}
    if area.holds_part4_duty:
        duty = "It holds the Part 4 duty for its area."
    elif area.part4_duty_holder_name:
        duty = f"The Part 4 duty for its area is held by the {area.part4_duty_holder_name}."
    else:
        duty = "It is shown for context; the Part 4 duty is held by the tier-one authorities within it."
    return {
        "fallback_title": f"{area.name}: {report.TOPIC_TITLES.get(notebook, notebook.replace('_', ' '))}",
        "area_code": area.code,
        "area_name": area.name,
        "area_type": area.area_type,
        "region_name": area.region_name,
        "duty_note": duty,
        "notebook": notebook,
        "parameters": {labels.parameter_words(k): labels.plain(_parameter_text(v)) for k, v in shown.items()},
        "command": report.reproduce_command(area.code, notebook, shown),
        "workspace": dict(workspace),
        "threshold": int(threshold),
        "suppression": stats.suppression_footnote(threshold),
        "attribution": ATTRIBUTION,
        "index_href": f"../{INDEX_NAME}",
        "notebook_dir": str(notebook_dir),
        "area_slug": area.slug,
        "data_zip": downloads.zip_name(area.slug),
    }


def _parameter_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


# ------------------------------------------------------------------------------------------
# Notebook -> what may be published
# ------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _publishable_output(output: Mapping[str, Any]) -> tuple[dict | None, str | None]:
    """(the output reduced to what may be published, or None; why it was dropped)."""
    from analysis.present.report import RECORD_MIME

    kind = output.get("output_type")
    data = output.get("data", {})
    if kind == "display_data" and RECORD_MIME in data:
        return None, None
    if kind != "display_data":
        return None, {
            "stream": f"printed {output.get('name', 'output')} text",
            "error": "an error traceback",
            "execute_result": "a bare expression result",
        }.get(kind, f"a {kind} output")
    kept = {mime: _text(data[mime]) for mime in _PUBLISHED_MIMES if mime in data}
    if not kept:
        return None, "a display without HTML or Markdown (e.g. an inline figure without alt text)"
    if any("<table" in text and "data-table" not in text for text in kept.values()):
        return None, "a table not shown with report.table (it would bypass small-number suppression)"
    return {"output_type": "display_data", "data": kept, "metadata": {}}, None


def prepare_notebook(nb: Any) -> tuple[Any, list[str]]:
    """A new notebook holding only what may be published (``nb`` unchanged); and what was dropped.

    Only what is kept is copied: a deep copy of the executed notebook first would copy every
    output it drops (its records, printed text, the figures' PNG fallbacks) for nothing.
    """
    import nbformat

    language = nb.metadata.get("language_info")
    dropped: list[str] = []
    cells = []
    number = 0  # the cell's number in the notebook as written (papermill's cells not counted)
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        number += not tags & {"injected-parameters", "papermill-error-cell-tag"}
        if tags & set(config.UNPUBLISHED_CELL_TAGS) or cell.cell_type not in ("markdown", "code"):
            continue
        if cell.cell_type == "markdown":
            cells.append(_copied(cell, metadata=nbformat.NotebookNode({})))
            continue
        outputs = []
        for output in cell.get("outputs", []):
            kept_output, reason = _publishable_output(output)
            if kept_output is not None:
                outputs.append(nbformat.from_dict(kept_output))
            elif reason:
                dropped.append(f"cell {number}: {reason}")
        if outputs:
            blank = {"metadata": nbformat.NotebookNode({}), "source": "", "outputs": outputs, "execution_count": None}
            cells.append(_copied(cell, **blank))
    metadata = nbformat.NotebookNode({"language_info": copy.deepcopy(language)} if language else {})
    return _copied(nb, metadata=metadata, cells=cells), dropped


def _copied(node: Any, **replaced: Any) -> Any:
    """A notebook node with its keys deep-copied except those in ``replaced``, which take the values given."""
    import nbformat

    kept = {key: copy.deepcopy(value) for key, value in node.items() if key not in replaced}
    return nbformat.NotebookNode({**kept, **replaced})


def notebook_records(nb: Any) -> dict[str, Any]:
    """The values recorded with :func:`analysis.present.report.record` in a notebook object."""
    from analysis.present.report import RECORD_MIME

    out: dict[str, Any] = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            payload = output.get("data", {}).get(RECORD_MIME)
            if payload is not None:
                out.update(json.loads(payload) if isinstance(payload, str) else dict(payload))
    return out


# ------------------------------------------------------------------------------------------
# Rendering
# ------------------------------------------------------------------------------------------


#: The nbconvert exporter's settings for a report page (the template hides code, prompts and raw cells).
EXPORTER_OPTIONS: dict[str, Any] = {
    "template_name": REPORT_TEMPLATE,
    "extra_template_basedirs": [str(TEMPLATES_DIR)],
    "exclude_input": True,
    "exclude_input_prompt": True,
    "exclude_output_prompt": True,
    "exclude_raw": True,
    "exclude_anchor_links": True,
    "embed_images": True,
    # nbformat's validation of the notebook once, after nbconvert's preprocessors, not after each of
    # them (12 times; about 15 ms per report): nbconvert's documented option.
    "optimistic_validation": True,
}


def _exporter():
    """The report exporter (:mod:`analysis.present.exporter`), one per thread, reused."""
    exporter = getattr(_local, "exporter", None)
    if exporter is None:
        from analysis.present.exporter import ReportExporter

        exporter = ReportExporter(**EXPORTER_OPTIONS)
        _local.exporter = exporter
    return exporter


@dataclass
class Rendered:
    """A published page, what was left out of it, its data files (tables and charts as CSV), and the
    values the notebook recorded (:func:`notebook_records`)."""

    html: str
    dropped: list[str]
    data: downloads.Downloads | None = None
    page: dict[str, Any] = field(default_factory=dict)
    records: dict[str, Any] = field(default_factory=dict)


def write_report(html_path: str | Path, rendered: Rendered) -> Path:
    """Write a rendered page and its data: the CSV files first, then the HTML, then the authority's zip.

    Every file is written atomically; a page never links a CSV that is not yet written. A write
    that fails (a full disk) leaves the earlier page and files as they were (a data folder it
    created may remain, empty but for its lock file).
    """
    html_path = Path(html_path)
    if rendered.data is not None:
        downloads.write(html_path.parent, rendered.data, rendered.page)
    return write_atomic(html_path, rendered.html)


def render_report(nb: Any, page: Mapping[str, Any], *, now: datetime | None = None) -> Rendered:
    """The published HTML page of an executed notebook.

    Parameters
    ----------
    nb
        The executed notebook (nbformat NotebookNode).
    page
        :func:`report_page` for its run.
    now
        The publication date shown on the page (default: today, UTC).

    Raises
    ------
    PublicationError
        If a table shows a small count, an image lacks alt text or is not embedded, or the
        page would fetch anything from outside the file.
    """
    records = notebook_records(nb)
    data = downloads.collect(nb, page["notebook"])
    downloads.check_counts(data, page.get("threshold", config.SUPPRESSION_THRESHOLD))
    clean, dropped = prepare_notebook(nb)
    resources = {
        "report": {
            **page,
            "title": records.get("title") or page["fallback_title"],
            "published": display_date(now or datetime.now(UTC)),
            "data_links": {key: f"{config.DATA_DOWNLOAD_FOLDER}/{name}" for key, name in data.links.items()},
        },
        "metadata": {"path": page.get("notebook_dir", "")},
    }  # markdown images are embedded from here
    body, _ = _exporter().from_notebook_node(clean, resources=resources)
    return Rendered(finish_html(body, resources["report"]), dropped, data, resources["report"], records)


def republish(
    reports_dir: str | Path, workspace: Mapping[str, Any] | None = None, report: Any = print
) -> tuple[int, list[str]]:
    """Re-render the HTML of every successful run from its executed notebook (no kernel runs).

    For a change of template or publishing code without rerunning a batch. A report that
    may no longer be published keeps its earlier HTML and is listed in the returned problems.
    """
    import nbformat

    workspace = dict(workspace or workspace_info())
    count, problems = 0, []
    for record in collect_runs(reports_dir):
        folder = Path(reports_dir) / record["folder"]
        executed = folder / f"{record['notebook']}.ipynb"
        if record.get("status") != "ok" or not record.get("page") or not executed.is_file():
            continue
        nb = nbformat.read(str(executed), as_version=4)
        try:
            rendered = render_report(nb, {**record["page"], "workspace": workspace})
        except PublicationError as exc:
            problems.append(f"{record['area_code']} {record['notebook']}: {exc.message}")
            continue
        write_report(folder / f"{record['notebook']}.html", rendered)
        count += 1
    return count, problems
