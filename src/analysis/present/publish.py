"""Publish executed notebooks as self-contained HTML for a council website, and the index.

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

Checks made before anything is written (a :class:`~analysis.errors.PublicationError`
stops publication of that report): no count from 1 to ``threshold - 1`` in a count column
of any table (the columns :func:`analysis.present.report.table` marks), alt text on every image,
every image embedded (``data:``), nothing referenced from outside the file.

The page adds a date line, a table of contents, the headline first, and an "About this
report" section (workspace version, data vintages, parameters, suppression rule and the
command that reproduces it). :func:`write_index` writes ``reports/index.html``. Every file
is written atomically (:func:`write_atomic`).
"""

from __future__ import annotations

import copy
import html as html_lib
import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from analysis import __version__, config
from analysis.errors import PublicationError
from analysis.files import write_atomic

TEMPLATES_DIR = Path(__file__).parent / "templates"
REPORT_TEMPLATE = "report"
INDEX_TEMPLATE = "index.html.j2"
INDEX_NAME = "index.html"
INDEX_TITLE = "Domestic abuse safe accommodation needs assessments: reports"
ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0. "
    + config.BOUNDARY_ATTRIBUTION
    + ". Contains data from mySociety's UK local authority names and "
    "codes register (CC BY 4.0)."
)
_PUBLISHED_MIMES = ("text/html", "text/markdown")
_STRIPPED_TAGS = ("script", "iframe", "object", "embed", "link", "base", "form", "meta", "style")
_FETCHING_ATTRIBUTES = ("src", "srcset", "data", "poster", "background", "action", "formaction")
_local = threading.local()
#: What nbconvert writes into an image without alt text: treated as no alt text.
_NBCONVERT_DEFAULT_ALT = "No description has been provided for this image"


# ------------------------------------------------------------------------------------------
# Files
# ------------------------------------------------------------------------------------------


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
    from analysis.present import report

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
        "parameters": {k: _parameter_text(v) for k, v in shown.items()},
        "command": report.reproduce_command(area.code, notebook, shown),
        "workspace": dict(workspace),
        "threshold": int(threshold),
        "suppression": stats.suppression_footnote(threshold),
        "attribution": ATTRIBUTION,
        "index_href": f"../{INDEX_NAME}",
        "notebook_dir": str(notebook_dir),
    }


def _parameter_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _display_date(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


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
    """A copy of an executed notebook holding only what may be published; and what was dropped."""
    import nbformat

    clean = copy.deepcopy(nb)
    language = clean.metadata.get("language_info")
    clean.metadata = nbformat.NotebookNode({"language_info": language} if language else {})
    dropped: list[str] = []
    cells = []
    number = 0  # the cell's number in the notebook as written (papermill's cells not counted)
    for cell in clean.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        number += not tags & {"injected-parameters", "papermill-error-cell-tag"}
        if tags & set(config.UNPUBLISHED_CELL_TAGS) or cell.cell_type not in ("markdown", "code"):
            continue
        cell.metadata = nbformat.NotebookNode({})
        if cell.cell_type == "markdown":
            cells.append(cell)
            continue
        outputs = []
        for output in cell.get("outputs", []):
            kept, reason = _publishable_output(output)
            if kept is not None:
                outputs.append(nbformat.from_dict(kept))
            elif reason:
                dropped.append(f"cell {number}: {reason}")
        if outputs:
            cell.source, cell.outputs, cell.execution_count = "", outputs, None
            cells.append(cell)
    clean.cells = cells
    return clean, dropped


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


def _exporter():
    """nbconvert's HTML exporter with the project template (one per thread, reused)."""
    exporter = getattr(_local, "exporter", None)
    if exporter is None:
        from nbconvert import HTMLExporter

        exporter = HTMLExporter(
            template_name=REPORT_TEMPLATE,
            extra_template_basedirs=[str(TEMPLATES_DIR)],
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            exclude_raw=True,
            exclude_anchor_links=True,
            embed_images=True,
        )
        _local.exporter = exporter
    return exporter


@dataclass
class Rendered:
    """A published page and what was left out of it."""

    html: str
    dropped: list[str]


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
    clean, dropped = prepare_notebook(nb)
    resources = {
        "report": {
            **page,
            "title": records.get("title") or page["fallback_title"],
            "published": _display_date(now or datetime.now(UTC)),
        },
        "metadata": {"path": page.get("notebook_dir", "")},
    }  # markdown images are embedded from here
    body, _ = _exporter().from_notebook_node(clean, resources=resources)
    return Rendered(finish_html(body, resources["report"]), dropped)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def _number(text: str) -> float | None:
    cleaned = text.strip().replace(",", "")
    try:
        return float(cleaned)
    except ValueError:
        return None


def _column_headers(table: Any) -> list[str]:
    """Each column's header text: the lowest non-empty header cell above it (multi-row headers too)."""
    headers: list[str] = []
    for row in table.select("thead tr"):
        position = 0
        for cell in row.find_all(["th", "td"]):
            span = int(cell.get("colspan", 1) or 1)
            text = cell.get_text(strip=True)
            for i in range(position, position + span):
                headers.extend([""] * (i + 1 - len(headers)))
                if text:
                    headers[i] = text
            position += span
    return headers


def check_small_counts(soup: Any, threshold: int) -> None:
    """Refuse a table whose count columns (marked by report.table) show a count from 1 to threshold - 1."""
    for table in soup.select("table[data-count-columns]"):
        columns = json.loads(table["data-count-columns"])
        limit = max(int(threshold), int(table.get("data-suppression-threshold", threshold)))
        headers = _column_headers(table)
        caption = table.caption.get_text(strip=True) if table.caption else "untitled table"
        for row_number, row in enumerate(table.select("tbody tr"), start=1):
            cells = row.find_all(["th", "td"])
            for position, header in enumerate(headers):
                if header not in columns or position >= len(cells):
                    continue
                value = _number(cells[position].get_text())
                if value is not None and 0 < value < limit:
                    raise PublicationError(
                        f"Table '{caption}' shows {value:g} in count column '{header}' (row {row_number}): "
                        f"counts from 1 to {limit - 1} must be suppressed before publication.",
                        f"Show it with report.table(..., count_columns=[...]) and the default threshold "
                        f"({config.SUPPRESSION_THRESHOLD}) or higher, so the count is replaced by "
                        f"{config.SUPPRESSION_MARKER}.",
                    )


def _check_images(soup: Any) -> None:
    for number, image in enumerate(soup.find_all("img"), start=1):
        if not (image.get("alt") or "").strip() or image.get("alt") == _NBCONVERT_DEFAULT_ALT:
            raise PublicationError(
                f"Image {number} of the report has no alt text.",
                "Show figures with report.figure(fig, alt='what it shows and its message').",
            )
        if not (image.get("src") or "").startswith("data:image/"):
            raise PublicationError(
                f"Image {number} of the report is not embedded in the page (src {str(image.get('src'))[:60]!r}).",
                "Show figures with report.figure, which embeds them.",
            )


def _check_self_contained(soup: Any) -> None:
    for tag in soup.find_all(True):
        for attribute in _FETCHING_ATTRIBUTES:
            value = tag.get(attribute)
            if value and not str(value).startswith("data:"):
                raise PublicationError(
                    f"The report would fetch {str(value)[:80]!r} (<{tag.name} {attribute}>).",
                    "Published reports must be self-contained; embed the content instead.",
                )
        if tag.name == "link" or (tag.name == "script" and tag.get("src")):
            raise PublicationError(f"The report references an external file (<{tag.name}>).")
    styles = [s.get_text() for s in soup.find_all("style")] + [t.get("style", "") for t in soup.find_all(style=True)]
    for style in styles:
        if re.search(r"@import|url\(\s*['\"]?(?!data:)", style):
            raise PublicationError("The report's styles would fetch a file from outside the page.")


def _normalise_headings(body: Any, title: str) -> None:
    """One h1 (the page title); headings in order without skipped levels."""
    first = body.find("h1")
    if first is not None and first.get_text(strip=True) == title.strip():
        first.decompose()
    previous = 2
    for heading in body.find_all(re.compile(r"^h[1-6]$")):
        level = min(max(int(heading.name[1]), 2), previous + 1)
        heading.name = f"h{level}"
        previous = level


def _remove_empty_sections(body: Any) -> None:
    """Drop a heading left with nothing under it (e.g. "Headline" once the headline moved to the top)."""
    from bs4 import NavigableString

    for heading in body.find_all(re.compile(r"^h[2-6]$")):
        level = int(heading.name[1])
        empty = True
        for element in heading.next_elements:
            name = getattr(element, "name", None)
            if name and re.fullmatch(r"h[1-6]", name) and int(name[1]) <= level:
                break
            if element in heading.descendants:
                continue
            if (
                isinstance(element, NavigableString)
                and element.strip()
                or getattr(element, "name", None)
                in ("img", "table", "figure", "ul", "ol", "h2", "h3", "h4", "h5", "h6")
            ):
                empty = False
                break
        if empty:
            heading.decompose()


def _assign_ids_and_contents(soup: Any, main: Any, body: Any) -> None:
    used = {tag["id"] for tag in soup.find_all(id=True)}
    entries = []
    for heading in body.find_all(re.compile(r"^h[2-6]$")):
        base = _slug(heading.get_text(" ", strip=True))
        candidate, n = base, 2
        while candidate in used:
            candidate, n = f"{base}-{n}", n + 1
        heading["id"] = candidate
        used.add(candidate)
        if heading.name == "h2":
            entries.append((candidate, heading.get_text(" ", strip=True)))
    about = main.find(id="about-this-report")
    if about is not None:
        entries.append(("about-this-report", about.get_text(" ", strip=True)))
    listing = soup.find(id="contents-list")
    for anchor, text in entries:
        item = soup.new_tag("li")
        link = soup.new_tag("a", href=f"#{anchor}")
        link.string = text
        item.append(link)
        listing.append(item)


def _redact_paths(text: str) -> str:
    """Replace this machine's folder paths (project, environment, home) with neutral labels."""
    replacements = []
    for path, label in (
        (config.project_root(), "[project folder]"),
        (Path(sys.prefix), "[environment]"),
        (config.SOURCE_ROOT, "[workspace]"),
        (Path.home(), "~"),
    ):
        for form in {str(path), str(path.resolve()) if path.exists() else str(path)}:
            if len(form) > 1:
                replacements.append((form, label))
    for form, label in sorted(replacements, key=lambda item: -len(item[0])):
        for variant in {form, html_lib.escape(form, quote=False), html_lib.escape(form)}:
            if label == "~":  # only where the home folder starts a path, never inside a word
                text = re.sub(re.escape(variant) + r"(?=[/\\])", label, text)
            else:
                text = text.replace(variant, label)
    return text


def finish_html(html: str, page: Mapping[str, Any]) -> str:
    """Post-process the exporter's page: checks, headings, contents, headline first, paths."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    main, body = soup.find("main"), soup.find(id="report-body")
    for anchor in body.select("a.anchor-link"):
        anchor.decompose()
    for tag in body.find_all(list(_STRIPPED_TAGS)):
        tag.decompose()
    _normalise_headings(body, page["title"])
    headline = body.select_one("div.headline")
    placeholder = soup.find(id="report-headline")
    if headline is not None:
        placeholder.replace_with(headline.extract())
    else:
        placeholder.decompose()
    _remove_empty_sections(body)
    _assign_ids_and_contents(soup, main, body)
    for cell in soup.select("thead th"):
        cell["scope"] = "col"
    for cell in soup.select("tbody th"):
        cell["scope"] = "row"
    for cell in body.select("div.jp-Cell"):  # cells left empty by what was removed
        if not cell.get_text(strip=True) and not cell.find(["img", "table"]):
            cell.decompose()
    check_small_counts(soup, page.get("threshold", config.SUPPRESSION_THRESHOLD))
    _check_images(soup)
    _check_self_contained(soup)
    if "Traceback (most recent call last)" in soup.get_text():
        raise PublicationError(
            "The report contains a Python traceback.",
            "Fix the error the notebook shows, or stop printing tracebacks in its output.",
        )
    return _redact_paths(str(soup))


# ------------------------------------------------------------------------------------------
# Index
# ------------------------------------------------------------------------------------------


def _format_headline(value: Any) -> dict[str, Any] | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return None
    text = f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 1000 else f"{value:,.1f}"
    return {"text": text, "sort": repr(float(value))}


def _href(*parts: str) -> str:
    return "/".join(quote(part) for part in parts)


def collect_runs(reports_dir: str | Path) -> list[dict[str, Any]]:
    """Every run record in a reports folder (``<area>/<notebook>.run.json``)."""
    records = []
    for path in sorted(Path(reports_dir).glob("*/*.run.json")):
        record = read_run_record(path)
        if record.get("area_code") and record.get("notebook"):
            record["folder"] = path.parent.name
            record["html_exists"] = bool(record.get("html")) and (path.parent / record["html"]).is_file()
            records.append(record)
    return records


def index_context(records: Iterable[Mapping[str, Any]], *, now: datetime | None = None) -> dict[str, Any]:
    """What ``reports/index.html`` shows, from run records."""
    from analysis.present import report

    order = {name: i for i, name in enumerate(config.NOTEBOOKS)}
    areas: dict[str, dict[str, Any]] = {}
    failures, counts = [], {"ok": 0, "failed": 0}
    for record in sorted(records, key=lambda r: (order.get(r["notebook"], len(order)), r["notebook"])):
        area = areas.setdefault(
            record["area_code"],
            {
                "code": record["area_code"],
                "name": record["area_name"],
                "region": record.get("region_name"),
                "runs": [],
                "failed": [],
                "headlines": {},
                "_records": [],
            },
        )
        ok = record.get("status") == "ok"
        counts["ok" if ok else "failed"] += 1
        html_name = record.get("html") if record.get("html_exists", True) else None
        run = {
            "notebook": record["notebook"],
            "status": "ok" if ok else "failed",
            "topic": report.TOPIC_TITLES.get(record["notebook"], record["notebook"].replace("_", " ")),
            "href": _href(record["folder"], html_name) if html_name else None,
        }
        area["runs"].append(run)
        if ok:
            area["_records"].append((record["notebook"], record.get("records") or {}))
        else:
            area["failed"].append(record["notebook"])
            failed_name = record.get("failed_notebook")
            failures.append(
                {
                    "area_code": record["area_code"],
                    "area_name": record["area_name"],
                    "notebook": record["notebook"],
                    "error": record.get("error") or "unknown error",
                    "failed_name": failed_name,
                    "failed_href": _href(record["folder"], failed_name) if failed_name else None,
                }
            )
    columns = [{"key": key, "label": label, "notebook": notebook} for key, label, notebook in config.INDEX_HEADLINES]
    for area in areas.values():
        by_notebook = dict(area.pop("_records"))
        for column in columns:
            sources = [by_notebook[column["notebook"]]] if column["notebook"] in by_notebook else []
            sources += [r for name, r in by_notebook.items() if name != column["notebook"]]
            value = next((r[column["key"]] for r in sources if column["key"] in r), None)
            formatted = _format_headline(value)
            if formatted is not None:
                area["headlines"][column["key"]] = formatted
    moment = now or datetime.now(UTC)
    return {
        "title": INDEX_TITLE,
        "updated": f"{_display_date(moment)}, {moment:%H:%M} UTC",
        "areas": sorted(areas.values(), key=lambda a: (a["name"], a["code"])),
        "headline_columns": columns,
        "failures": failures,
        "counts": counts,
        "suppression": "Small counts are suppressed in every report: " + _suppression_text(),
        "attribution": ATTRIBUTION,
    }


def _suppression_text() -> str:
    from analysis.methods import stats

    return stats.suppression_footnote(config.SUPPRESSION_THRESHOLD)


def write_index(
    reports_dir: str | Path, workspace: Mapping[str, Any] | None = None, *, now: datetime | None = None
) -> Path:
    """Write ``reports/index.html`` from every run record in the folder; return its path."""
    import jinja2

    reports_dir = Path(reports_dir)
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True, keep_trailing_newline=True
    )
    context = index_context(collect_runs(reports_dir), now=now)
    context["workspace"] = dict(workspace or {"version": __version__, "commit": None})
    text = environment.get_template(INDEX_TEMPLATE).render(**context)
    return write_atomic(reports_dir / INDEX_NAME, _redact_paths(text))


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
        write_atomic(folder / f"{record['notebook']}.html", rendered.html)
        count += 1
    return count, problems


def read_run_record(path: Path) -> dict[str, Any]:
    """A run record, or {} if it is missing or unreadable."""
    try:
        record = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}
