"""The reports index: ``reports/index.html``, from the run records of a reports folder.

:func:`collect_runs` reads every ``<area>/<notebook>.run.json``; :func:`index_context` turns them
into what the page shows (one row per area with a link per report, headline figures from each
run's records, the runs that failed with their error and executed notebook); :func:`write_index`
renders ``templates/index.html.j2`` and writes the page atomically (:func:`write_atomic`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from analysis import __version__, config
from analysis.files import write_atomic
from analysis.present.numbers import format_number
from analysis.present.page import ATTRIBUTION, TEMPLATES_DIR, display_date, redact_paths

INDEX_TEMPLATE = "index.html.j2"
INDEX_NAME = "index.html"
INDEX_TITLE = "Domestic abuse safe accommodation needs assessments: reports"


def _format_headline(value: Any) -> dict[str, Any] | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return None
    text = format_number(value, 0 if float(value).is_integer() or abs(value) >= 1000 else 1)
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
        "updated": f"{display_date(moment)}, {moment:%H:%M} UTC",
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
    return write_atomic(reports_dir / INDEX_NAME, redact_paths(text))


def read_run_record(path: Path) -> dict[str, Any]:
    """A run record, or {} if it is missing or unreadable."""
    try:
        record = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}
