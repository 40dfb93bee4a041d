"""The evidence summary of an authority's needs assessment: ``reports/<code>-<slug>/index.html``.

The landing page of an authority's folder, titled "Domestic abuse safe accommodation needs
assessment: evidence summary for <authority>". It opens with key facts, as councils' safe
accommodation strategies do, then lists the chapters with one line each, says what the figures
do not show and what evidence the council must add from its own records (the Part 4 annual
return, and the local data chapter 02 found missing).

The page is built from the chapters' run records only (``<notebook>.run.json``, whose
``records`` are what each chapter recorded with :func:`analysis.present.report.record`, and whose
``page`` is what the chapter says about its run): nothing is recomputed, so it cannot disagree
with the chapters. Every figure shows its year and source and links to the chapter, and to the
section where the chapter's heading has an id. A figure whose record is missing shows
:data:`NOT_IN_RUN`; a record holding the suppression marker stays the marker, and a count from 1
to ``threshold - 1`` is shown as the marker (:func:`analysis.present.page.check_page` refuses the
page otherwise). Each figure carries ``data-record="<notebook>/<key>"`` naming its record.

:func:`write_summary` writes one authority's page (only when it changed) and links the
navigation line of its chapters to the pages that exist; :func:`write_summaries` does every
authority of a reports folder.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from markupsafe import Markup

from analysis import config
from analysis.errors import PublicationError
from analysis.present import summary_facts
from analysis.present.index import read_run_record
from analysis.present.navigation import SUMMARY_NAME, chapter_nav_html, chapters, sync_chapter_nav
from analysis.present.page import ATTRIBUTION, display_date, publish_page, render_template

SUMMARY_TEMPLATE = "summary.html.j2"
#: One line per chapter for the summary's list of chapters.
CHAPTER_LINES = {
    "01_prevalence": "How many adults and children may experience domestic abuse in a year, from national "
    "survey rates applied to the area's population, and who may need specialist support.",
    "02_refuge_demand_supply": "Refuge places against the Council of Europe standard, the council's own supply "
    "and referral figures, and expected demand at England's rates.",
    "03_regional_maps": "The area beside its region and England on each indicator, per 100,000 population, with maps.",
    "04_young_people_14_18": "Young people aged 14 to 18: the population, a survey-based estimate for 16-18 "
    "year olds, a scenario for 14-15 year olds and 16-17 year olds owed a homelessness duty.",
}


def summary_title(area_name: str) -> str:
    """The summary page's title."""
    return f"Domestic abuse safe accommodation needs assessment: evidence summary for {area_name}"


def _section_ids(path: Path) -> list[str]:
    """The ids of a published chapter's elements, in page order ([] when it does not exist)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return []
    return re.findall(r'\sid="([^"]+)"', text)


def _run_dates(runs: Iterable[Mapping[str, Any]]) -> str:
    days = sorted(
        {display_date(datetime.fromisoformat(run["finished_at"])) for run in runs if run.get("finished_at")},
        key=lambda text: datetime.strptime(text, "%d %B %Y"),
    )
    if not days:
        return "on an unknown date"
    return f"on {days[0]}" if len(days) == 1 else f"between {days[0]} and {days[-1]}"


def summary_context(folder: str | Path, runs: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """What an authority's summary shows, from the run records of its folder (notebook -> record)."""
    from analysis.methods import stats

    folder = Path(folder)
    ok = {name: run for name, run in runs.items() if run.get("status") == "ok"}
    first = next(iter(ok.values()))
    page = first.get("page") or {}
    threshold = int(page.get("threshold", config.SUPPRESSION_THRESHOLD))
    listed = []
    for chapter in chapters():
        run = runs.get(chapter["notebook"], {})
        exists = (folder / chapter["file"]).is_file()
        if run.get("status") == "ok":
            status = None
        elif run.get("status") == "failed":
            status = "its last run failed" + ("; the page shown is from an earlier run" if exists else "")
        else:
            status = "not run for this authority yet"
        listed.append(
            {
                **chapter,
                "href": chapter["file"] if exists else None,
                "line": CHAPTER_LINES.get(chapter["notebook"], ""),
                "status": status,
            }
        )
    links = {c["notebook"]: (c["file"] if c["href"] else None, _section_ids(folder / c["file"])) for c in listed}
    facts = summary_facts.Facts({name: run.get("records") or {} for name, run in ok.items()}, links, threshold)
    workspace = page.get("workspace") or {}
    return {
        "title": summary_title(page.get("area_name") or first.get("area_name", "")),
        "area_name": page.get("area_name") or first.get("area_name"),
        "area_code": page.get("area_code") or first.get("area_code"),
        "area_type": page.get("area_type"),
        "region_name": page.get("region_name"),
        "duty_note": page.get("duty_note"),
        "built": _run_dates(ok.values()),
        "nav": Markup(chapter_nav_html(None)),
        "index_href": page.get("index_href", "../index.html"),
        "key_facts": facts.key_facts(),
        "limits": facts.limits(),
        "council_evidence": facts.council_evidence(),
        "suppressed": facts.suppressed,
        "suppression": stats.suppression_footnote(threshold),
        "chapters": listed,
        "workspace": workspace,
        "parameters": {
            chapter["title"]: runs[chapter["notebook"]]["page"].get("parameters") or {}
            for chapter in listed
            if chapter["notebook"] in ok and (runs[chapter["notebook"]].get("page") or {}).get("parameters")
        },
        "command": f"analysis batch --area {page.get('area_code') or first.get('area_code')}",
        "threshold": threshold,
        "attribution": ATTRIBUTION,
    }


def area_runs(folder: str | Path) -> dict[str, dict[str, Any]]:
    """The run records of an authority's folder, by notebook."""
    runs = {}
    for path in sorted(Path(folder).glob("*.run.json")):
        record = read_run_record(path)
        if record.get("notebook"):
            runs[record["notebook"]] = record
    return runs


def write_summary(folder: str | Path) -> Path | None:
    """Write an authority's summary (when it changed) and link its chapters' navigation; return its path.

    Returns None, writing nothing, when no chapter of ``config.NOTEBOOKS`` has run successfully
    for the folder's authority.

    Raises
    ------
    PublicationError
        If the page fails a publication check (:func:`analysis.present.page.check_page`); the
        earlier summary, if any, is kept.
    """
    folder = Path(folder)
    runs = {name: run for name, run in area_runs(folder).items() if name in config.NOTEBOOKS}
    if not any(run.get("status") == "ok" for run in runs.values()):
        return None
    context = summary_context(folder, runs)
    text = render_template(SUMMARY_TEMPLATE, context)
    path = publish_page(folder / SUMMARY_NAME, sync_chapter_nav(text, folder), context["threshold"])
    for chapter in chapters():
        page = folder / chapter["file"]
        if page.is_file():
            before = page.read_text(encoding="utf-8")
            after = sync_chapter_nav(before, folder)
            if after != before:
                publish_page(page, after, context["threshold"])
    return path


def write_summaries(reports_dir: str | Path, area_codes: Iterable[str] | None = None) -> tuple[list[Path], list[str]]:
    """Write the summary of every authority folder of a reports folder (or of ``area_codes`` only).

    Returns the summaries written or unchanged, and the problems (an authority whose summary
    failed a publication check: its earlier summary is kept).
    """
    wanted = set(area_codes) if area_codes is not None else None
    written, problems = [], []
    for folder in sorted(p for p in Path(reports_dir).iterdir() if p.is_dir() and not p.name.startswith(".")):
        code = folder.name.split("-", 1)[0]
        if wanted is not None and code not in wanted:
            continue
        try:
            path = write_summary(folder)
        except PublicationError as exc:
            problems.append(f"{folder.name} summary: {exc.message}")
            continue
        if path is not None:
            written.append(path)
    return written, problems
