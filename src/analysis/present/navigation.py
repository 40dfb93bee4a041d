"""The chapters of an authority's needs assessment, and the navigation line that links them.

The publication is one needs assessment per authority: its summary (``index.html`` of the
authority's folder, :mod:`analysis.present.summary`) and the chapters of ``config.NOTEBOOKS``.
:func:`chapter_nav_html` is the navigation line every chapter and the summary carry;
:func:`sync_chapter_nav` turns its entries into links only where the page they name exists.
"""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path
from typing import Any

from analysis import config

#: The summary page of an authority's folder: its landing page (``reports/<code>-<slug>/index.html``).
SUMMARY_NAME = "index.html"
_NAV_TARGET = "data-nav-target"
_NAV_LABEL = "data-nav-label"
#: The start tag of the navigation line, however its attributes are ordered or quoted.
_NAV_START = re.compile(r"""<nav\b[^>]*\bid\s*=\s*["']?chapter-nav["'\s>/]""", re.IGNORECASE)

# ------------------------------------------------------------------------------------------
# The chapters of an authority's needs assessment, and the line that links them
# ------------------------------------------------------------------------------------------


def chapters() -> list[dict[str, Any]]:
    """The chapters in order: number, notebook, file name and title ("Chapter 1: Prevalence of ...")."""
    from analysis.present.report import TOPIC_TITLES

    out = []
    for number, notebook in enumerate(config.NOTEBOOKS, start=1):
        topic = TOPIC_TITLES.get(notebook, notebook.replace("_", " "))
        out.append(
            {
                "number": number,
                "notebook": notebook,
                "file": f"{notebook}.html",
                "title": f"Chapter {number}: {topic[:1].upper()}{topic[1:]}",
            }
        )
    return out


def chapter_nav_html(current: str | None) -> str:
    """The navigation line of the summary (``current`` None) or of chapter ``current``.

    The summary, the four chapters (the current page not linked, marked ``aria-current``), and
    the previous and next pages. Every entry names its target file (``data-nav-target``), so
    :func:`sync_chapter_nav` can show it as a link only where that file exists.
    """
    pages = [{"file": SUMMARY_NAME, "title": "Summary", "notebook": None}, *chapters()]
    position = next((i for i, item in enumerate(pages) if item["notebook"] == current), 0)

    def entry(item: dict[str, Any], text: str, rel: str = "") -> str:
        attributes = f' {_NAV_TARGET}="{html_lib.escape(item["file"])}" {_NAV_LABEL}="{html_lib.escape(text)}"'
        rel_attribute = f' rel="{rel}"' if rel else ""
        return f'<a href="{html_lib.escape(item["file"])}"{rel_attribute}{attributes}>{html_lib.escape(text)}</a>'

    items = []
    for i, item in enumerate(pages):
        text = item["title"]
        if i == position:
            items.append(f'<li><span aria-current="page">{html_lib.escape(text)}</span></li>')
        else:
            items.append(f"<li>{entry(item, text)}</li>")
    steps = []
    if position > 0:
        steps.append(entry(pages[position - 1], f"Previous: {pages[position - 1]['title']}", "prev"))
    if position < len(pages) - 1:
        steps.append(entry(pages[position + 1], f"Next: {pages[position + 1]['title']}", "next"))
    return (
        '<nav class="chapter-nav" id="chapter-nav" aria-label="This needs assessment: summary and chapters">'
        f'<ol class="chapter-nav-list">{"".join(items)}</ol>'
        f'<p class="chapter-nav-steps">{" ".join(steps)}</p></nav>'
    )


def fill_chapter_nav(soup: Any, notebook: str | None) -> None:
    """Put the navigation line in a chapter's placeholder; drop the placeholder from other pages."""
    from bs4 import BeautifulSoup

    placeholder = soup.find(id="chapter-nav")
    if placeholder is None:
        return
    if notebook not in config.NOTEBOOKS:
        placeholder.decompose()
        return
    placeholder.replace_with(BeautifulSoup(chapter_nav_html(notebook), "html.parser"))


def sync_chapter_nav(text: str, folder: str | Path) -> str:
    """A page's navigation line with a link only to pages that exist in ``folder`` (others: plain text).

    Run after an authority's pages are written (a chapter may not have been published yet, or
    may have failed); an entry becomes a link again once its page exists. Returns the page's
    text, unchanged when every entry is already right.
    """
    from bs4 import BeautifulSoup

    start, end = _nav_span(text)
    soup = BeautifulSoup(text[start:end], "html.parser")
    nav = soup.find(id="chapter-nav")
    if nav is None:
        return text
    changed = False
    for element in nav.find_all(attrs={_NAV_TARGET: True}):
        target, label = element[_NAV_TARGET], element.get(_NAV_LABEL, element.get_text())
        exists = (Path(folder) / target).is_file()
        if exists == (element.name == "a"):
            continue
        replacement = soup.new_tag("a" if exists else "span")
        for name, value in element.attrs.items():
            if name not in ("href", "class"):
                replacement[name] = value
        if exists:
            replacement["href"] = target
            replacement.string = label
        else:
            replacement["class"] = "nav-unpublished"
            replacement.string = f"{label} (not published)"
        element.replace_with(replacement)
        changed = True
    return f"{text[:start]}{soup}{text[end:]}" if changed else text


def _nav_span(text: str) -> tuple[int, int]:
    """Where the navigation line is in a page's text (start, end); the whole text if it is not found.

    Only the line is parsed and, if an entry changed, written back: a chapter page is up to 4 MB
    (its figures), and parsing it whole took longer than publishing it (docs/performance.md,
    "Publishing"). The line is one ``<nav>`` without a ``<nav>`` inside (:func:`chapter_nav_html`).
    """
    match = _NAV_START.search(text)
    end = text.find("</nav>", match.end()) if match else -1
    if match is None or end < 0:
        return 0, len(text)
    return match.start(), end + len("</nav>")
