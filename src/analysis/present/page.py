"""The published page: its structure, and the checks that refuse an unsafe page.

:func:`finish_html` turns the HTML nbconvert wrote for a report (see
:func:`analysis.present.publish.render_report`) into the page that is published: anchor links,
scripts, styles and other fetching tags removed; one h1 and headings without skipped levels; a
table of contents; the headline first; header cells scoped; this machine's folder paths replaced
by neutral labels (:func:`redact_paths`, also applied to the index).

Checks made before anything is written (a :class:`~analysis.errors.PublicationError` stops
publication of that report): no count from 1 to ``threshold - 1`` in a count column of any table
(:func:`check_small_counts`, the columns :func:`analysis.present.report.table` marks) or in any
element marked as a count (:func:`check_marked_counts`, the summary's figures), alt text on every
image, every image embedded (``data:``), nothing referenced from outside the file, no Python
traceback. :func:`check_page` makes them all; the summary and the index pass through it too.

The navigation line that links an authority's summary and chapters is
:mod:`analysis.present.navigation`.
"""

from __future__ import annotations

import functools
import html as html_lib
import json
import re
import sys
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from analysis import config
from analysis.errors import PublicationError
from analysis.files import write_atomic

#: The nbconvert templates of the report page and the jinja2 template of the index.
TEMPLATES_DIR = Path(__file__).parent / "templates"
#: The attribution every report page and the index carry (OGL v3.0, boundaries, the mySociety register).
ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0. "
    + config.BOUNDARY_ATTRIBUTION
    + ". Contains data from mySociety's UK local authority names and "
    "codes register (CC BY 4.0)."
)
_STRIPPED_TAGS = ("script", "iframe", "object", "embed", "link", "base", "form", "meta", "style")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_FETCHING_ATTRIBUTES = ("src", "srcset", "data", "poster", "background", "action", "formaction")
#: What nbconvert writes into an image without alt text: treated as no alt text.
_NBCONVERT_DEFAULT_ALT = "No description has been provided for this image"


#: Marks a published element (not a table) that shows a count: :func:`check_marked_counts` reads it.
COUNT_ATTRIBUTE = "data-count"


def display_date(moment: datetime) -> str:
    """A date as pages show it: "1 December 2026"."""
    return f"{moment.day} {moment:%B %Y}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def _number(text: str) -> float | None:
    cleaned = text.strip().replace(",", "")
    try:
        return float(cleaned)
    except ValueError:
        return None


def _within(element: Any, name: str) -> bool:
    """Whether an element has an ancestor called ``name`` (what the CSS selector ``name element`` asks)."""
    return any(parent.name == name for parent in element.parents)


def _with_attribute(root: Any, attribute: str, name: str | bool = True) -> list[Any]:
    """The tags (named ``name``, or all) under ``root`` that have ``attribute``, in document order.

    What ``root.find_all(name, attrs={attribute: True})`` returns, from one walk with bs4's
    cheapest filter (a tag name, or every tag) and the attribute tested in Python: bs4 matches
    attribute filters against every tag and takes several times as long on a large page
    (docs/performance.md, "Publishing").
    """
    return [tag for tag in root.find_all(name) if tag.get(attribute) is not None]


def _column_headers(table: Any) -> list[str]:
    """Each column's header text: the lowest non-empty header cell above it (multi-row headers too)."""
    headers: list[str] = []
    for row in (row for row in table.find_all("tr") if _within(row, "thead")):
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
    for table in _with_attribute(soup, "data-count-columns", "table"):
        columns = json.loads(table["data-count-columns"])
        limit = max(int(threshold), int(table.get("data-suppression-threshold", threshold)))
        headers = _column_headers(table)
        caption = table.caption.get_text(strip=True) if table.caption else "untitled table"
        rows = (row for row in table.find_all("tr") if _within(row, "tbody"))
        for row_number, row in enumerate(rows, start=1):
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


def check_marked_counts(soup: Any, threshold: int) -> None:
    """Refuse an element marked as a count (:data:`COUNT_ATTRIBUTE`) that shows a count from 1 to threshold - 1."""
    for element in _with_attribute(soup, COUNT_ATTRIBUTE):
        value = _number(element.get_text())
        if value is not None and 0 < value < int(threshold):
            raise PublicationError(
                f"The page shows the count {value:g} ({element.get('data-record', 'a figure')}): counts from 1 "
                f"to {int(threshold) - 1} must be suppressed before publication.",
                f"Show it as {config.SUPPRESSION_MARKER} (analysis.present.summary does for every count it shows).",
            )


def check_page(soup: Any, threshold: int = config.SUPPRESSION_THRESHOLD) -> None:
    """Every publication check (module docstring); raises :class:`~analysis.errors.PublicationError`."""
    check_small_counts(soup, threshold)
    check_marked_counts(soup, threshold)
    check_images(soup)
    check_self_contained(soup)
    if "Traceback (most recent call last)" in soup.get_text():
        raise PublicationError(
            "The report contains a Python traceback.",
            "Fix the error the notebook shows, or stop printing tracebacks in its output.",
        )


@functools.cache
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True, keep_trailing_newline=True
    )


def render_template(name: str, context: Mapping[str, Any]) -> str:
    """A jinja2 page template of ``templates/`` (the index, the summary) rendered with ``context``."""
    return _environment().get_template(name).render(**context)


def publish_page(path: str | Path, text: str, threshold: int = config.SUPPRESSION_THRESHOLD) -> Path:
    """Check a page (:func:`check_page`), redact paths and write it atomically, only if it changed.

    A page whose text is already in the file is not written again, so an unchanged batch leaves
    it as it was. Raises :class:`~analysis.errors.PublicationError` (nothing written) on a failed check.
    """
    from bs4 import BeautifulSoup

    check_page(BeautifulSoup(text, "html.parser"), threshold)
    text, path = redact_paths(text), Path(path)
    try:
        if path.read_text(encoding="utf-8") == text:
            return path
    except (OSError, UnicodeDecodeError):
        pass
    return write_atomic(path, text)


def check_images(soup: Any) -> None:
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


def check_self_contained(soup: Any) -> None:
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
    styles = [s.get_text() for s in soup.find_all("style")] + [t["style"] for t in _with_attribute(soup, "style")]
    for style in styles:
        if re.search(r"@import|url\(\s*['\"]?(?!data:)", style):
            raise PublicationError("The report's styles would fetch a file from outside the page.")


def _normalise_headings(body: Any, title: str) -> None:
    """One h1 (the page title); headings in order without skipped levels."""
    first = body.find("h1")
    if first is not None and first.get_text(strip=True) == title.strip():
        first.decompose()
    previous = 2
    for heading in body.find_all(_HEADINGS):
        level = min(max(int(heading.name[1]), 2), previous + 1)
        heading.name = f"h{level}"
        previous = level


def _remove_empty_sections(body: Any) -> None:
    """Drop a heading left with nothing under it (e.g. "Headline" once the headline moved to the top)."""
    from bs4 import NavigableString

    for heading in body.find_all(_HEADINGS[1:]):
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
    used = {tag["id"] for tag in _with_attribute(soup, "id")}
    entries = []
    for heading in body.find_all(_HEADINGS[1:]):
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


def redact_paths(text: str) -> str:
    """Replace this machine's folder paths (project, environment, home) with neutral labels.

    The base64 data of embedded files (the figures) is left as it is (:mod:`analysis.present.data_uris`):
    a run of it may spell a folder's path by chance.
    """
    from analysis.present import data_uris

    text, embedded = data_uris.set_aside(text)
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
    return data_uris.put_back(text, embedded)


def _link(soup: Any, href: str, text: str, hidden: str = "", after: str = "") -> Any:
    link = soup.new_tag("a", href=href)
    link.append(text)
    if hidden:
        span = soup.new_tag("span", attrs={"class": "visually-hidden"})
        span.string = hidden
        link.append(span)
    link.append(after)
    return link


def add_download_links(soup: Any, page: Mapping[str, Any]) -> None:
    """Link each table and chart to its CSV (``page["data_links"]``), and the page to the authority's zip.

    A table's link goes under its footnotes, inside its box; a chart's replaces the chart-data
    line under the chart (removed when there is no file). Link texts name the table for screen
    readers, which list links out of context.
    """
    links = page.get("data_links") or {}
    for block in _with_attribute(soup, "data-table-key"):
        href = links.get(block["data-table-key"])
        del block["data-table-key"]
        if block.name == "p":  # a chart's data line (report.chart_data)
            if href is None:
                block.decompose()
                continue
            what = block.get("data-what") or "this chart"
            del block["data-what"]
            block.clear()
            block.append(_link(soup, href, f"Download the data of {what}", after=" (CSV)"))
            continue
        if href is None:
            continue
        caption = block.find("caption")
        paragraph = soup.new_tag("p", attrs={"class": "table-download"})
        hidden = f": {caption.get_text(' ', strip=True)}" if caption else ""
        paragraph.append(_link(soup, href, "Download this table", hidden, " (CSV)"))
        block.append(paragraph)
    contents = soup.find("nav", class_="contents")
    if links and page.get("data_zip") and contents is not None:
        paragraph = soup.new_tag("p", attrs={"class": "report-downloads"})
        where = page.get("area_name") or "this area"
        paragraph.append(
            _link(
                soup,
                page["data_zip"],
                f"Download the data of every table and chart for {where}",
                after=" (ZIP of CSV files, with a README naming each table's sources and licences)",
            )
        )
        contents.insert_after(paragraph)


#: Where published text may show code on purpose: the commands and names "About this report"
#: gives to reproduce the report (marked as code).
CODE_ALLOWED = ("section.about code",)


def find_code_text(html: str, allowed: tuple[str, ...] = CODE_ALLOWED) -> list[tuple[str, str]]:
    """Code a reader would see on a page: (token, the text it is in), from visible text and alt texts.

    Searched: every text node outside ``<style>`` and ``<script>``, image alt texts, titles and
    ARIA labels; the rule is :func:`analysis.present.labels.code_text` (words with an
    underscore, dotted module names, ``data/`` and ``reports/`` paths). Elements matching
    ``allowed`` (CSS selectors) are skipped.
    """
    from bs4 import BeautifulSoup

    from analysis.present.labels import code_text

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(["style", "script", "template"]):
        tag.decompose()
    for selector in allowed:
        for tag in soup.select(selector):
            tag.decompose()
    from bs4 import Comment, Declaration, Doctype, ProcessingInstruction

    hidden = (Comment, Declaration, Doctype, ProcessingInstruction)
    texts = [str(node) for node in soup.find_all(string=True) if not isinstance(node, hidden)]
    texts += [tag.get(name, "") for name in ("alt", "title", "aria-label") for tag in soup.find_all(attrs={name: True})]
    found = []
    for text in texts:
        found += [(token, " ".join(text.split())[:160]) for token in code_text(text)]
    return found


def _escape(text: str) -> str:
    """bs4's "minimal" escaping (``&``, ``<``, ``>``), skipped for a text with none of them.

    What ``str(soup)`` does, without running bs4's regular expression over every attribute
    value: the figures' base64 images alone are megabytes (docs/performance.md, "Publishing").
    """
    from bs4.dammit import EntitySubstitution

    if "&" in text or "<" in text or ">" in text:
        return EntitySubstitution.substitute_xml(text)
    return text


@functools.cache
def _formatter() -> Any:
    """The formatter of ``str(soup)`` (bs4's "minimal"), with :func:`_escape`."""
    from bs4.formatter import HTMLFormatter

    return HTMLFormatter(entity_substitution=_escape)


def _with_class(root: Any, name: str, class_name: str) -> list[Any]:
    """The ``name`` tags under ``root`` with the class ``class_name``: the CSS selector ``name.class_name``."""
    return [tag for tag in root.find_all(name) if class_name in tag.get_attribute_list("class")]


def finish_html(html: str, page: Mapping[str, Any]) -> str:
    """Post-process the exporter's page: checks, headings, contents, headline first, paths."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    main, body = soup.find("main"), soup.find(id="report-body")
    for anchor in _with_class(body, "a", "anchor-link"):
        anchor.decompose()
    for tag in body.find_all(list(_STRIPPED_TAGS)):
        tag.decompose()
    _normalise_headings(body, page["title"])
    headline = next(iter(_with_class(body, "div", "headline")), None)
    placeholder = soup.find(id="report-headline")
    if headline is not None:
        placeholder.replace_with(headline.extract())
    else:
        placeholder.decompose()
    _remove_empty_sections(body)
    _assign_ids_and_contents(soup, main, body)
    for cell in soup.find_all("th"):  # as the selectors "thead th" (col) then "tbody th" (row)
        if _within(cell, "tbody"):
            cell["scope"] = "row"
        elif _within(cell, "thead"):
            cell["scope"] = "col"
    for cell in _with_class(body, "div", "jp-Cell"):  # cells left empty by what was removed
        if not cell.get_text(strip=True) and not cell.find(["img", "table"]):
            cell.decompose()
    from analysis.present.navigation import fill_chapter_nav

    fill_chapter_nav(soup, page.get("notebook"))
    add_download_links(soup, page)
    check_page(soup, page.get("threshold", config.SUPPRESSION_THRESHOLD))
    return redact_paths(soup.decode(formatter=_formatter()))
