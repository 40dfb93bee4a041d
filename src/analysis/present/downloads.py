"""The data behind every published table and chart: a CSV beside the HTML, and one zip per authority.

:func:`collect` reads, from an executed notebook, the cells of every table and chart-data output
(:data:`analysis.present.tables.TABLE_MIME`, written by :func:`analysis.present.report.table`
and :func:`analysis.present.report.chart_data`) and the sources it cites, and names a CSV file
for each: ``<notebook>-<n>-<slug of the caption>.csv`` in the area folder's
:data:`~analysis.config.DATA_DOWNLOAD_FOLDER`. A chart that draws a table already shown links
that table's file. :func:`check_counts` refuses a file whose count columns would show a count
from 1 to ``threshold - 1`` (the CSV is published too).

:func:`write` (called once the page may be published) writes, under a lock on the area's data
folder so that notebooks published at the same time never lose each other's files:

* each CSV: the headings and cells as published (suppressed cells stay [c]), numbers without
  thousands separators, UTF-8 with a byte order mark so Excel reads it as UTF-8
  (:data:`~analysis.config.DATA_CSV_ENCODING`);
* ``<notebook>.tables.json``: what the files are (captions, notes, the chapter's sources);
* the authority's zip, ``<slug>-data.zip``: every CSV of the folder's chapters and a
  ``README.txt`` naming each file, its table, its chapter's sources with their licences and the
  attribution each licence requires (Open Government Licence v3.0, CC BY 4.0).

Files of a chapter that no longer publishes them are removed. Every file is written atomically
(:func:`analysis.files.write_atomic`), the zip too.

References
----------
Government Analysis Function (2021), "Releasing statistics in spreadsheets" (machine-readable
tables beside the publication). The National Archives, "Open Government Licence v3.0" (attribution
statement); Creative Commons, "Attribution 4.0 International" (credit, licence, changes).
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from analysis import config
from analysis.errors import PublicationError
from analysis.files import file_lock, write_atomic

README_NAME = "README.txt"
MANIFEST_SUFFIX = ".tables.json"
#: Where the locks that serialise writes to one area's data folder live: outside the published
#: folders, so nothing but the data is there to publish (a lock file stays after it is released).
LOCKS_FOLDER = "locks"
#: Zip entries carry this date (the zip format needs one): the same bytes for the same files.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_SLUG_LENGTH = 60


@dataclass
class DataFile:
    """One CSV file: a published table, or the data a chart draws."""

    name: str
    kind: str
    caption: str
    columns: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)
    count_columns: list[str] = field(default_factory=list)
    threshold: int = config.SUPPRESSION_THRESHOLD

    def description(self) -> dict[str, Any]:
        """What the manifest says about the file: every field but its rows.

        (``dataclasses.asdict`` would deep-copy every cell of the rows first, only for them to be dropped.)
        """
        return {f.name: copy.deepcopy(getattr(self, f.name)) for f in fields(self) if f.name != "rows"}

    def csv_bytes(self) -> bytes:
        """The file's bytes: UTF-8 with a byte order mark, CRLF line ends (RFC 4180)."""
        from analysis.present.tables import csv_cell

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(self.columns)
        writer.writerows([csv_cell(cell) for cell in row] for row in self.rows)
        return buffer.getvalue().encode(config.DATA_CSV_ENCODING)


@dataclass
class Downloads:
    """What a chapter publishes as data: its files, the page's links to them, the sources it cites."""

    notebook: str
    files: list[DataFile] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)  # table key -> file name
    sources: list[str] = field(default_factory=list)  # manifest ids
    other_sources: list[str] = field(default_factory=list)  # sources named in words


def slug(text: str, length: int = _SLUG_LENGTH) -> str:
    """A file-name slug of a caption, cut at a word boundary ("hampshire-refuge-places-against-the")."""
    words = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "table"
    if len(words) <= length:
        return words
    return words[:length].rsplit("-", 1)[0]


def _published_cells(nb: Any):
    """The outputs of the cells the page publishes, in order."""
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell.cell_type != "code" or tags & set(config.UNPUBLISHED_CELL_TAGS):
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "display_data":
                yield output.get("data", {})


def _payload(value: Any) -> dict:
    return json.loads(value) if isinstance(value, str) else dict(value)


def collect(nb: Any, notebook: str) -> Downloads:
    """The data files of an executed notebook, named in the order the page shows them."""
    from analysis.present.tables import SOURCES_MIME, TABLE_MIME

    out = Downloads(notebook)
    for data in _published_cells(nb):
        if SOURCES_MIME in data:
            cited = _payload(data[SOURCES_MIME])
            out.sources.extend(i for i in cited.get("ids", []) if i not in out.sources)
            out.other_sources.extend(t for t in cited.get("extra", []) if t not in out.other_sources)
        if TABLE_MIME not in data:
            continue
        payload = _payload(data[TABLE_MIME])
        key = payload.get("same_as") or payload["key"]
        if key in out.links or "rows" not in payload:
            continue
        name = f"{notebook}-{len(out.files) + 1:02d}-{slug(payload['caption'])}.csv"
        out.files.append(
            DataFile(
                name=name,
                kind=payload.get("kind", "table"),
                caption=payload["caption"],
                columns=list(payload["columns"]),
                rows=[list(row) for row in payload["rows"]],
                notes=list(payload.get("notes", [])),
                count_columns=list(payload.get("count_columns", [])),
                threshold=int(payload.get("threshold", config.SUPPRESSION_THRESHOLD)),
            )
        )
        out.links[key] = name
    return out


def check_counts(downloads: Downloads, threshold: int = config.SUPPRESSION_THRESHOLD) -> None:
    """Refuse a data file whose count columns show a count from 1 to ``threshold - 1``."""
    for item in downloads.files:
        limit = max(int(threshold), item.threshold)
        for column in item.count_columns:
            position = item.columns.index(column)
            for row_number, row in enumerate(item.rows, start=1):
                try:
                    value = float(row[position].replace(",", ""))
                except ValueError:
                    continue
                if 0 < value < limit:
                    raise PublicationError(
                        f"The data file of '{item.caption}' shows {value:g} in count column '{column}' "
                        f"(row {row_number}): counts from 1 to {limit - 1} must be suppressed before publication.",
                        "Show it with report.table(..., count_columns=[...]) or report.chart_data(..., "
                        "count_columns=[...]) so the count is replaced by " + config.SUPPRESSION_MARKER + ".",
                    )


def zip_name(area_slug: str) -> str:
    """The authority's zip of every data file: ``<slug>-data.zip``."""
    return f"{area_slug}-data.zip"


def _source_lines(source_ids: list[str]) -> list[str]:
    from analysis.data import sources as manifest

    known = {item.id: item for item in manifest.load_manifest()}
    lines = []
    for source_id in source_ids:
        item = known.get(source_id)
        if item is None:
            continue
        lines.append(f"- {item.title}. {item.publisher}. Vintage: {item.vintage}.")
        lines.append(f"  Licence: {item.licence}. Attribution: {item.attribution}.")
    return lines


def _lock_path(data_dir: Path) -> Path:
    """The lock of one area's data folder, under ``data/interim/locks`` (keyed by the folder's path)."""
    key = hashlib.sha256(str(data_dir.resolve()).encode("utf-8")).hexdigest()[:16]
    return config.INTERIM_DIR / LOCKS_FOLDER / f"{key}.lock"


def write(folder: Path, downloads: Downloads, page: Mapping[str, Any]) -> list[Path]:
    """Write a chapter's data files, its manifest and the authority's zip; return the paths written.

    Parameters
    ----------
    folder
        The area's reports folder (``reports/<code>-<slug>``).
    downloads
        :func:`collect` for the chapter.
    page
        :func:`analysis.present.publish.report_page` for its run, with ``title`` and
        ``published`` (what the README says about the chapter).
    """
    data_dir = Path(folder) / config.DATA_DOWNLOAD_FOLDER
    data_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with file_lock(_lock_path(data_dir)):
        for item in downloads.files:
            written.append(write_atomic(data_dir / item.name, item.csv_bytes()))
        keep = {item.name for item in downloads.files}
        for stale in data_dir.glob(f"{downloads.notebook}-*.csv"):
            if stale.name not in keep:
                stale.unlink(missing_ok=True)
        manifest = {
            "notebook": downloads.notebook,
            "title": page.get("title") or page.get("fallback_title", downloads.notebook),
            "html": f"{downloads.notebook}.html",
            "published": page.get("published", ""),
            "area_code": page.get("area_code", ""),
            "area_name": page.get("area_name", ""),
            "files": [item.description() for item in downloads.files],
            "sources": _source_lines(downloads.sources),
            "other_sources": list(downloads.other_sources),
        }
        text = json.dumps(manifest, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
        written.append(write_atomic(data_dir / f"{downloads.notebook}{MANIFEST_SUFFIX}", text))
        area_slug = page.get("area_slug") or Path(folder).name.removeprefix(f"{page.get('area_code', '')}-")
        written.append(write_zip(Path(folder), zip_name(area_slug)))
    return written


def chapters(folder: Path) -> list[dict[str, Any]]:
    """The manifests of the chapters published in an area folder, in notebook order."""
    data_dir = Path(folder) / config.DATA_DOWNLOAD_FOLDER
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(data_dir.glob(f"*{MANIFEST_SUFFIX}"))]


def readme(folder: Path) -> str:
    """The zip's README: what each file is, its chapter's sources, their licences and attributions."""
    from analysis.present.page import ATTRIBUTION

    published = chapters(folder)
    area = next((f"{c['area_name']} ({c['area_code']})" for c in published if c.get("area_name")), Path(folder).name)
    lines = [
        f"Data behind the domestic abuse safe accommodation needs assessment reports for {area}",
        "",
        "Each CSV file holds one table of a report, or the data one of its charts draws, exactly as the",
        "report publishes it: the same headings, the same rounding, the same suppressed cells. Numbers",
        "are written without thousands separators; an interval is written 'lower to upper'. Files are",
        "UTF-8 with a byte order mark (Excel opens them as UTF-8) and comma-separated.",
        "",
        "Symbols",
        "  " + config.SUPPRESSION_FOOTNOTE.format(threshold=config.SUPPRESSION_THRESHOLD),
        "  " + config.MISSING_FOOTNOTE,
        "  " + config.NO_DATA_FOOTNOTE,
        "",
    ]
    for chapter in published:
        lines += [f"== {chapter['title']} ==", f"Report page: {chapter['html']} (published {chapter['published']})", ""]
        for item in chapter["files"]:
            what = "Table" if item["kind"] == "table" else "Chart data"
            lines.append(f"{config.DATA_DOWNLOAD_FOLDER}/{item['name']}")
            lines.append(f"  {what}: {item['caption']}")
            lines += [f"  Note: {note}" for note in item.get("notes", [])]
        if not chapter["files"]:
            lines.append("(no tables)")
        lines += ["", "Sources of this chapter's tables and charts, their licences and the attribution they require:"]
        lines += chapter["sources"] or ["- (none named)"]
        lines += [f"- {text}" for text in chapter.get("other_sources", [])]
        lines.append("")
    lines += [
        "Licences and attribution",
        "  " + ATTRIBUTION,
        "  Open Government Licence v3.0: https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        "  CC BY 4.0: https://creativecommons.org/licenses/by/4.0/ (credit the source, link the licence, say what",
        "  was changed: these files are derived from the sources above, aggregated and rounded as described).",
        "",
    ]
    return "\n".join(lines)


def write_zip(folder: Path, name: str) -> Path:
    """The authority's zip: every chapter's CSV files (``data/``) and the README, written atomically."""
    data_dir = Path(folder) / config.DATA_DOWNLOAD_FOLDER
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        entries = {README_NAME: readme(folder).encode("utf-8")}
        for chapter in chapters(folder):
            for item in chapter["files"]:
                path = data_dir / item["name"]
                if path.is_file():
                    entries[f"{config.DATA_DOWNLOAD_FOLDER}/{item['name']}"] = path.read_bytes()
        for entry, content in sorted(entries.items()):
            info = zipfile.ZipInfo(entry, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return write_atomic(Path(folder) / name, buffer.getvalue())
