"""The reports index: ``reports/index.html``, from the run records of a reports folder.

:func:`collect_runs` reads every ``<area>/<notebook>.run.json``; :func:`index_context` turns them
into what the page shows (one row per area with a link to its evidence summary and per report,
headline figures from each run's records, the runs that failed with their error and executed
notebook); :func:`write_index` renders ``templates/index.html.j2``, makes the publication checks
(:func:`analysis.present.page.check_page`) and writes the page atomically.

The page opens with an England map of the headline local indicator, households owed a
homelessness duty because of domestic abuse per 100,000 residents in the latest complete
financial year, an inline SVG (:mod:`analysis.present.index_map`); the table of areas below it
has a region filter and a search box (an inline script; without JavaScript the whole table shows
and the controls stay hidden).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from analysis import __version__, config
from analysis.present.navigation import SUMMARY_NAME
from analysis.present.numbers import format_number
from analysis.present.page import ATTRIBUTION, display_date, publish_page, render_template

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


def index_context(
    records: Iterable[Mapping[str, Any]],
    *,
    now: datetime | None = None,
    summaries: Mapping[str, str] | None = None,
    with_map: bool = True,
) -> dict[str, Any]:
    """What ``reports/index.html`` shows, from run records.

    Parameters
    ----------
    records
        The run records (:func:`collect_runs`).
    now
        The time the page says it was updated (default: now, UTC).
    summaries
        Area code -> the link to its evidence summary, for areas that have one.
    with_map
        Draw the England map (:mod:`analysis.present.index_map`).
    """
    from analysis.present import report

    summaries = dict(summaries or {})

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
                "summary_href": summaries.get(record["area_code"]),
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
    if with_map:
        from analysis.present import index_map

        drawn = index_map.england_map(summaries)
    else:
        drawn = None
    listed = sorted(areas.values(), key=lambda a: (a["name"], a["code"]))
    return {
        "map": drawn,
        "regions": sorted({a["region"] for a in listed if a["region"]}),
        "title": INDEX_TITLE,
        "updated": f"{display_date(moment)}, {moment:%H:%M} UTC",
        "areas": listed,
        "headline_columns": columns,
        "failures": failures,
        "counts": counts,
        "suppression": "Small counts are suppressed in every report: " + _suppression_text(),
        "attribution": ATTRIBUTION,
    }


def _suppression_text() -> str:
    from analysis.methods import stats

    return stats.suppression_footnote(config.SUPPRESSION_THRESHOLD)


def summary_links(reports_dir: str | Path) -> dict[str, str]:
    """Area code -> link (from the index) to the evidence summary of every area folder that has one."""
    links = {}
    for path in sorted(Path(reports_dir).glob(f"*/{SUMMARY_NAME}")):
        links.setdefault(path.parent.name.split("-", 1)[0], _href(path.parent.name, SUMMARY_NAME))
    return links


def write_index(
    reports_dir: str | Path,
    workspace: Mapping[str, Any] | None = None,
    *,
    now: datetime | None = None,
    with_map: bool = True,
) -> Path:
    """Write ``reports/index.html`` from every run record in the folder; return its path.

    Raises :class:`~analysis.errors.PublicationError` (nothing written) if the page fails a
    publication check.
    """
    reports_dir = Path(reports_dir)
    context = index_context(collect_runs(reports_dir), now=now, summaries=summary_links(reports_dir), with_map=with_map)
    context["workspace"] = dict(workspace or {"version": __version__, "commit": None})
    return publish_page(reports_dir / INDEX_NAME, render_template(INDEX_TEMPLATE, context))


def read_run_record(path: Path) -> dict[str, Any]:
    """A run record, or {} if it is missing or unreadable."""
    try:
        record = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}
