"""Print an authority's published pages into one PDF: the ``--pdf`` of ``analysis report``,
``analysis batch`` and ``analysis publish``.

The PDF is ``reports/<code>-<slug>/<slug>-needs-assessment.pdf`` (:func:`pdf_path`), e.g.
``reports/E10000014-hampshire/hampshire-needs-assessment.pdf``. It holds, in order, a contents
page, the authority's summary page (``index.html`` in its folder, when one has been published)
and its chapter pages (the topic notebooks of ``config.NOTEBOOKS``, in that order).

**One combined print document, not a merge of per-chapter PDFs.** :func:`print_document` joins
the ``<main>`` of every page, each in a ``<section>`` that starts a new page, behind a contents
page whose entries link to the sections. Chromium prints that one document (playwright's public
``Page.pdf``: A4, margins, a footer with the source line, the date and page numbers, bookmarks
from the headings with ``outline=True`` and ``tagged=True``). Reasons: the contents page's links
and the bookmarks point inside one file, page numbers run through the whole document, links
between pages (a summary's link to a chapter) become links inside the PDF, and no PDF-merging
library is needed at run time. Element ids are prefixed per section so the pages' own ids
(``headline``, ``contents-heading``, ...) stay unique. The print rules are the ``@media print``
block of ``templates/report/report.css``, the same stylesheet the pages use. Tables wrap rather
than being cut at the margin: ``<wbr>`` after the underscores of column names and inside long file
names and addresses (:func:`_wrap_long_words`), then, laid out at the A4 text width, a table still
too wide gets smaller type, and as a last resort may wrap anywhere (:data:`_FIT_WIDE_TABLES`).

**A chapter that failed is never printed around.** When a chapter's last run failed, was never
run, or its HTML is missing, :func:`collect_pages` raises :class:`~analysis.errors.PublicationError`
naming each such chapter and the PDF is not written: a PDF that looks complete but lacks a chapter
is worse than none. An earlier PDF of the area, if any, is left as it was (the message says so).

Chromium is Debian's ``/usr/bin/chromium`` (:mod:`analysis.present.browser`); when it is missing,
:func:`check_chromium` says how to install it or to run without ``--pdf``.

**Printed ahead of the end of a batch.** :class:`Printer` holds one Chromium on a thread of its
own: ``analysis batch --pdf`` launches it while the last notebooks run, builds the sections of
the pages already published (:func:`prepare_section`), and prints each area once its summary is
written. A section built ahead is used only while its page's HTML and the document's pages are
what they were, so the PDF is the one printed from scratch (``tests/test_pdf.py``). One authority
with its PDF: about 1.8 s less (docs/performance.md, "Printing the PDF ahead").
"""

from __future__ import annotations

import html as html_lib
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from analysis import config
from analysis.errors import PublicationError
from analysis.files import write_atomic
from analysis.present import browser
from analysis.present.index import read_run_record
from analysis.present.page import ATTRIBUTION, TEMPLATES_DIR, display_date

#: The file name after the area's slug: ``<slug>-needs-assessment.pdf``.
PDF_SUFFIX = "-needs-assessment.pdf"
#: The area's summary page, printed first when it exists.
SUMMARY_PAGE = "index.html"
#: What the whole document is (its title is "<area>: " + this).
DOCUMENT_TOPIC = "domestic abuse safe accommodation needs assessment"
#: Paper: ISO 216 A4 (210 x 297 mm), the UK's standard office paper.
PAPER, PAPER_WIDTH_MM = "A4", 210
#: Page margins in millimetres. The bottom margin holds the footer (two lines of 7.5 pt text).
MARGINS_MM = {"top": 16, "right": 15, "bottom": 20, "left": 15}
#: The printed text width in CSS pixels (96 per inch, 25.4 mm), for laying the document out before printing.
TEXT_WIDTH_PX = int((PAPER_WIDTH_MM - MARGINS_MM["left"] - MARGINS_MM["right"]) * 96 / 25.4)
#: Tables wider than the text once laid out for print get a smaller type (``print-wide``), then a
#: smaller one (``print-wider``); those wider still may wrap anywhere (``print-wrap-anywhere``), so
#: no table is cut at the margin. Returns how many tables got each class.
_FIT_WIDE_TABLES = """() => Array.from(["print-wide", "print-wider", "print-wrap-anywhere"], (name) => {
  const wide = Array.from(document.querySelectorAll("table")).filter(
    (table) => table.scrollWidth > table.parentElement.clientWidth + 1);
  wide.forEach((table) => table.classList.add(name));
  return wide.length;
})"""
#: A word in a table cell longer than this (characters) may wrap after its ``_``, ``/`` or ``.`` on paper.
LONG_WORD = 16
_BREAK_AFTER = re.compile(r"(?<=[_/.])(?=[^\s_/.])")
_STYLESHEET = TEMPLATES_DIR / "report" / "report.css"
_ID_LISTS = ("aria-labelledby", "aria-describedby", "headers", "for")
_HEADINGS = ("h1", "h2", "h3", "h4")
_REMOVED = ".skip-link, .site-header, .site-footer, script"


@dataclass
class PrintPage:
    """One page of the document: the summary or a chapter."""

    name: str  # the notebook's name, or "summary"
    path: Path

    @property
    def anchor(self) -> str:
        """The id of this page's section in the print document."""
        return f"pdf-{self.name}"


@dataclass
class PrintedPdf:
    """A PDF written for one area."""

    path: Path
    pages: list[str]  # the sections' names, in order
    seconds: float


@dataclass
class PdfRun:
    """The PDFs of a batch or a re-publication: written, and refused with the reason."""

    written: list[PrintedPdf] = field(default_factory=list)
    refused: list[PublicationError] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        """Why each refused PDF was not written."""
        return [error.message for error in self.refused]


# ------------------------------------------------------------------------------------------
# What goes in
# ------------------------------------------------------------------------------------------


def pdf_path(folder: str | Path) -> Path:
    """Where the PDF of an area folder (``<code>-<slug>``) goes: ``<folder>/<slug>-needs-assessment.pdf``."""
    folder = Path(folder)
    slug = folder.name.split("-", 1)[1] if "-" in folder.name else folder.name
    return folder / f"{slug}{PDF_SUFFIX}"


def _order(name: str) -> tuple[int, str]:
    return (config.NOTEBOOKS.index(name) if name in config.NOTEBOOKS else len(config.NOTEBOOKS), name)


def collect_pages(folder: str | Path, expected: Sequence[str] | None = None) -> list[PrintPage]:
    """The pages printed for an area folder, in order; refuse when a chapter failed or is missing.

    Parameters
    ----------
    folder
        The area's reports folder (``reports/<code>-<slug>``).
    expected
        The chapters the document must hold. Default: the topic notebooks (``config.NOTEBOOKS``)
        when the folder has a run of any of them, otherwise the notebooks run there. Other
        notebooks run in the folder are printed after them, and must have succeeded too.

    Raises
    ------
    PublicationError
        Naming every chapter whose last run failed, that was never run, or whose HTML is missing.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise PublicationError(
            f"There is no reports folder {folder} to print.", "Run 'analysis report --area CODE' first."
        )
    records = {}
    for path in sorted(folder.glob("*.run.json")):
        record = read_run_record(path)
        if record.get("notebook"):
            records[record["notebook"]] = record
    if expected is None:
        expected = config.NOTEBOOKS if set(records) & set(config.NOTEBOOKS) else tuple(records)
    names = sorted({*expected, *records}, key=_order)
    if not names:
        raise PublicationError(
            f"{folder} has no published chapters to print.", "Run 'analysis report --area CODE' first."
        )
    pages, problems = [], []
    for name in names:
        record = records.get(name)
        html = folder / str((record or {}).get("html") or f"{name}.html")
        if record is None:
            problems.append(f"{name} has not been run")
        elif record.get("status") != "ok":
            problems.append(f"{name} failed ({record.get('error') or 'no error recorded'})")
        elif not html.is_file():
            problems.append(f"{name} has no HTML page ({html.name} is missing)")
        else:
            pages.append(PrintPage(name, html))
    if problems:
        earlier = pdf_path(folder)
        kept = f" The earlier {earlier.name} is kept unchanged." if earlier.is_file() else ""
        raise PublicationError(
            f"The PDF of {folder.name} was not written: chapter " + "; ".join(problems) + "." + kept,
            "Fix the failed chapter (its error is in reports/batch.log) and run "
            f"'analysis report --area {folder.name.split('-', 1)[0]} --pdf' again.",
        )
    summary = folder / SUMMARY_PAGE
    return [PrintPage("summary", summary), *pages] if summary.is_file() else pages


# ------------------------------------------------------------------------------------------
# The print document
# ------------------------------------------------------------------------------------------


def _prefix_ids(main: Any, prefix: str) -> dict[str, str]:
    """Prefix every id in ``main`` (and the attributes naming ids); return old -> new ids."""
    ids = {}
    for tag in main.find_all(id=True):
        ids[tag["id"]] = tag["id"] = f"{prefix}-{tag['id']}"
    for attribute in _ID_LISTS:
        for tag in main.find_all(attrs={attribute: True}):
            value = tag[attribute]
            words = value if isinstance(value, list) else str(value).split()
            tag[attribute] = " ".join(ids.get(word, word) for word in words)
    return ids


def _relink(main: Any, ids: Mapping[str, str], anchors: Mapping[str, str]) -> None:
    """Links inside a page or to another printed page point into the document; other local links
    (the reports index, a page not printed) become plain text."""
    for link in main.find_all("a", href=True):
        href = str(link["href"])
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:  # a web address: kept; shown after its text when that differs
            if link.get_text(strip=True) != href:
                link["data-print-href"] = href
            continue
        target = unquote(parts.path.rsplit("/", 1)[-1])
        if not parts.path:
            link["href"] = "#" + ids.get(parts.fragment, parts.fragment)
        elif target in anchors and not parts.path.startswith("../"):
            section = anchors[target]
            link["href"] = f"#{section}-{parts.fragment}" if parts.fragment else f"#{section}"
        else:
            link.unwrap()


def _break_points(text: str, header: bool) -> list[str]:
    """``text`` cut after the ``_``, ``/`` and ``.`` of column names (in a header) and of words longer
    than :data:`LONG_WORD` characters (file names, web addresses); one piece when there is no cut."""
    pieces = [""]
    for word in re.split(r"(\s+)", text):
        if (header and "_" in word) or len(word) > LONG_WORD:
            first, *rest = _BREAK_AFTER.split(word)
            pieces[-1] += first
            pieces += rest
        else:
            pieces[-1] += word
    return pieces


def _wrap_long_words(soup: Any, main: Any) -> None:
    """Let table cells wrap on paper where a reader expects it: a ``<wbr>`` after the underscores of
    column names such as ``rate_ci_lower`` and inside long file names and addresses."""
    for cell in main.find_all(("th", "td")):
        for text in cell.find_all(string=True):
            pieces = _break_points(str(text), cell.name == "th")
            if len(pieces) > 1:
                parts: list[Any] = [pieces[0]]
                for piece in pieces[1:]:
                    parts += [soup.new_tag("wbr"), piece]
                text.replace_with(*parts)


def _section(page: PrintPage, anchors: Mapping[str, str], text: str | None = None) -> tuple[str, str, str]:
    """(title, area line, the section's HTML) of one published page (``text``: its HTML, read if None)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page.path.read_text(encoding="utf-8") if text is None else text, "html.parser")
    main = soup.find("main") or soup.body or soup
    for tag in main.select(_REMOVED):
        tag.decompose()
    heading = main.find("h1")
    title = heading.get_text(" ", strip=True) if heading else (soup.title.get_text(strip=True) if soup.title else "")
    area = main.find(class_="report-area")
    _relink(main, _prefix_ids(main, page.anchor), anchors)
    _wrap_long_words(soup, main)
    for heading in main.find_all(_HEADINGS):
        for text in heading.find_all(string=True):
            text.replace_with(re.sub(r"\s+", " ", str(text)))
    section = (
        f'<section class="print-page print-{"summary" if page.name == "summary" else "chapter"}" '
        f'id="{page.anchor}">\n{main.decode_contents()}\n</section>'
    )
    return title or page.name, area.get_text(" ", strip=True) if area else "", section


def document_title(area_name: str) -> str:
    """The PDF's title: "<area>: domestic abuse safe accommodation needs assessment"."""
    return f"{area_name}: {DOCUMENT_TOPIC}"


@dataclass(frozen=True)
class PreparedSection:
    """A page's section of the print document built ahead (:func:`prepare_section`): what it was built from, and it."""

    text: str  # the page's HTML as it was read
    anchors: tuple[tuple[str, str], ...]  # the document's pages (file name -> section id) it was built for
    section: tuple[str, str, str]  # what :func:`_section` gave


def prepare_section(page: PrintPage, pages: Sequence[PrintPage]) -> PreparedSection:
    """``page``'s section of the print document of ``pages``, built from its HTML as it is now,
    for :func:`print_document`'s ``prepared`` (which uses it only while that HTML is unchanged)."""
    anchors = _anchors(pages)
    text = page.path.read_text(encoding="utf-8")
    return PreparedSection(text, tuple(sorted(anchors.items())), _section(page, anchors, text))


def _anchors(pages: Sequence[PrintPage]) -> dict[str, str]:
    """Each printed page's file name -> the id of its section (how links between pages are kept)."""
    return {page.path.name: page.anchor for page in pages}


def _sections(
    pages: Sequence[PrintPage], prepared: Mapping[str, PreparedSection] | None = None
) -> list[tuple[str, str, str]]:
    """:func:`_section` of each page; a section prepared ahead is used only when it was built from the
    page's present HTML for the same pages (else it is built again)."""
    anchors = _anchors(pages)
    key = tuple(sorted(anchors.items()))
    sections = []
    for page in pages:
        text = page.path.read_text(encoding="utf-8")
        ready = (prepared or {}).get(page.name)
        if ready is not None and ready.text == text and ready.anchors == key:
            sections.append(ready.section)
        else:
            sections.append(_section(page, anchors, text))
    return sections


def print_document(
    pages: Sequence[PrintPage],
    area_name: str,
    printed: str,
    command: str = "",
    prepared: Mapping[str, PreparedSection] | None = None,
) -> str:
    """The HTML document Chromium prints: a contents page, then each page in its own section.

    Parameters
    ----------
    pages
        :func:`collect_pages`.
    area_name
        The authority's name, for the title.
    printed
        The date shown on the contents page and in the footer.
    command
        The command that prints the document again, shown on the contents page.
    prepared
        Sections built ahead, by page name (:class:`Printer`); the same document as without them.
    """
    if not pages:
        raise PublicationError(f"Nothing to print for {area_name}.", "Run 'analysis report --area CODE' first.")
    sections = _sections(pages, prepared)
    title = html_lib.escape(document_title(area_name))
    entries = "".join(
        f'<li><a href="#{page.anchor}">{html_lib.escape(chapter_title)}</a></li>'
        for page, (chapter_title, _, _) in zip(pages, sections, strict=True)
    )
    area_line = next((line for _, line, _ in sections if line), "")
    contents = f"""<section class="print-contents" id="pdf-contents" aria-labelledby="pdf-title">
<h1 id="pdf-title">{title}</h1>
<p class="report-area">{html_lib.escape(area_line)}</p>
<p class="report-date">Printed {html_lib.escape(printed)} from the workspace's published pages; each page
below gives its own publication date, data vintages and the command that reproduces it.</p>
<nav class="contents" aria-labelledby="pdf-contents-heading">
<h2 id="pdf-contents-heading">Contents</h2>
<ol>{entries}</ol>
</nav>
{f"<p>Reproduce: in the workspace (see its README), <code>{html_lib.escape(command)}</code></p>" if command else ""}
<p class="print-attribution">{html_lib.escape(ATTRIBUTION)}</p>
</section>"""
    body = "\n".join([contents, *(section for _, _, section in sections)])
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
{_STYLESHEET.read_text(encoding="utf-8")}
</style>
</head>
<body class="print-document">
<main id="main">
{body}
</main>
</body>
</html>
"""


def footer_source(workspace: Mapping[str, Any]) -> str:
    """The footer's source line: the workspace, its version and code revision, and the data licence."""
    revision = f", code revision {workspace['commit']}" if workspace.get("commit") else ""
    return (
        f"Source: DA safe accommodation needs assessment workspace {workspace.get('version', '')}{revision}; "
        "open data under the Open Government Licence v3.0."
    )


def footer_template(area_name: str, source: str, printed: str) -> str:
    """Chromium's footer (its ``pageNumber``/``totalPages`` classes fill in the numbers)."""
    style = (
        "font-family: Arial, 'Liberation Sans', sans-serif; font-size: 7.5pt; line-height: 1.3; color: #505050; "
        f"width: 100%; margin: 0 {MARGINS_MM['right']}mm 0 {MARGINS_MM['left']}mm; display: flex; "
        "justify-content: space-between; align-items: flex-end; gap: 6mm;"
    )
    return (
        f'<div style="{style}"><span>{html_lib.escape(document_title(area_name))}<br>{html_lib.escape(source)}</span>'
        f'<span style="white-space: nowrap; text-align: right;">Printed {html_lib.escape(printed)}<br>'
        'Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>'
    )


# ------------------------------------------------------------------------------------------
# Printing
# ------------------------------------------------------------------------------------------


def check_chromium(executable: str | None = None) -> str:
    """The Chromium to print with; a clear error, before anything runs, when it is missing."""
    executable = executable or browser.CHROMIUM
    if not Path(executable).is_file():
        raise PublicationError(
            f"Cannot write the PDF: Chromium is not installed at {executable}.",
            "Install it ('sudo apt-get install chromium', or 'make browser' as root), or run the command "
            "without --pdf to publish the HTML only.",
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise PublicationError(
            "Cannot write the PDF: the playwright package is not installed in this environment.",
            "Install the pinned set with 'pip install -r requirements.lock', or run without --pdf.",
        ) from None
    return executable


def _print_one(
    browser_: Any,
    folder: Path,
    area_name: str,
    workspace: Mapping[str, Any],
    now: datetime,
    prepared: Mapping[str, PreparedSection] | None = None,
) -> PrintedPdf:
    clock = time.monotonic()
    pages = collect_pages(folder)
    printed = display_date(now)
    command = f"analysis report --area {folder.name.split('-', 1)[0]} --pdf"
    document = print_document(pages, area_name, printed, command, prepared)
    target = pdf_path(folder)
    with tempfile.TemporaryDirectory(prefix="analysis-pdf-") as scratch:
        source = Path(scratch) / f"{target.stem}.html"
        source.write_text(document, encoding="utf-8")
        with browser.open_page(browser_, source, width=TEXT_WIDTH_PX) as (page, check):
            if check.external_requests or check.broken_images:  # the browser blocked and recorded them
                raise PublicationError(
                    f"The PDF of {folder.name} was not written: the print document "
                    + (
                        f"asked for {', '.join(check.external_requests[:3])}"
                        if check.external_requests
                        else f"has broken images ({', '.join(check.broken_images[:3])})"
                    )
                    + ".",
                    "Re-publish the pages ('analysis publish') and try again.",
                )
            page.emulate_media(media="print")
            page.evaluate(_FIT_WIDE_TABLES)
            data = page.pdf(
                format=PAPER,
                margin={side: f"{mm}mm" for side, mm in MARGINS_MM.items()},
                print_background=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=footer_template(area_name, footer_source(workspace), printed),
                outline=True,
                tagged=True,
            )
    write_atomic(target, data)
    return PrintedPdf(target, [page.name for page in pages], time.monotonic() - clock)


def _area_name(folder: Path) -> str:
    for path in sorted(folder.glob("*.run.json")):
        name = read_run_record(path).get("area_name")
        if name:
            return str(name)
    return folder.name


def expected_pages(folder: str | Path, chapters: Sequence[str]) -> list[PrintPage]:
    """The pages :func:`collect_pages` finds in ``folder`` once each of ``chapters`` has been published
    under its own name and the summary written: the summary, then the chapters in print order."""
    folder = Path(folder)
    return [
        PrintPage("summary", folder / SUMMARY_PAGE),
        *(PrintPage(name, folder / f"{name}.html") for name in sorted(set(chapters), key=_order)),
    ]


class Printer:
    """One Chromium that prints a batch's PDFs on a thread of its own, started and fed ahead of need.

    ``analysis batch --pdf`` starts it when a worker has no notebook left to run (:meth:`start`),
    so Chromium is launched (about 0.7 s, and 0.8-1 s of CPU) while the last notebooks run rather
    than after them; builds each published page's section of the print document as the page
    appears (:meth:`prepare`), for up to :data:`config.PDF_PREPARED_AREAS` areas at a time; and
    prints each area as soon as its summary is written (:meth:`print_folder`), while other areas'
    notebooks run. :meth:`finish` waits for every PDF asked for and returns them in the order
    asked. Every playwright call is made on the printer's one thread, as playwright's synchronous
    API requires. A prepared section is used only if the page's HTML and the document's pages are
    the same when it prints (:func:`print_document`): the PDF is the one printed without it.

    Parameters
    ----------
    workspace
        :func:`analysis.present.publish.workspace_info`, for the footer's source line.
    executable
        The Chromium binary (default :data:`analysis.present.browser.CHROMIUM`).
    now
        The date printed (default: today, UTC, when the printer is made).

    Raises
    ------
    PublicationError
        Chromium or playwright is missing (:func:`check_chromium`).
    """

    def __init__(
        self, workspace: Mapping[str, Any], *, executable: str | None = None, now: datetime | None = None
    ) -> None:
        from concurrent.futures import ThreadPoolExecutor
        from contextlib import ExitStack

        self.executable = check_chromium(executable)
        self.workspace = workspace
        self.now = now or datetime.now(UTC)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pdf")
        self._stack = ExitStack()  # entered and closed on the printer's thread only
        self._browser: Any = None
        self._launch_error: BaseException | None = None
        self._started = False
        self._prepared: dict[Path, dict[str, PreparedSection]] = {}
        self._asked: list[tuple[Path, Any]] = []

    @property
    def started(self) -> bool:
        """Whether Chromium has been asked to launch."""
        return self._started

    def start(self) -> None:
        """Launch Chromium on the printer's thread, once (returns at once)."""
        if not self._started:
            self._started = True
            self._thread.submit(self._launch)

    def _launch(self) -> None:
        try:
            self._browser = self._stack.enter_context(browser.chromium(self.executable))
        except Exception as exc:  # reported by every print asked for (_print)
            self._launch_error = exc

    def prepare(self, folder: str | Path, name: str, chapters: Sequence[str]) -> bool:
        """Build page ``name`` ("summary" or a chapter) of ``folder``'s print document ahead, for a
        document of ``chapters`` and the summary (:func:`expected_pages`); False when
        :data:`config.PDF_PREPARED_AREAS` other areas are held already (nothing is built)."""
        folder = Path(folder)
        if folder not in self._prepared and len(self._prepared) >= config.PDF_PREPARED_AREAS:
            return False
        held = self._prepared.setdefault(folder, {})
        self._thread.submit(self._prepare, folder, name, chapters, held)
        return True

    @staticmethod
    def _prepare(folder: Path, name: str, chapters: Sequence[str], held: dict[str, PreparedSection]) -> None:
        pages = expected_pages(folder, chapters)
        page = next((page for page in pages if page.name == name), None)
        if page is not None and page.path.is_file():
            held[name] = prepare_section(page, pages)

    def print_folder(self, folder: str | Path) -> None:
        """Print ``folder``'s PDF on the printer's thread, after what was asked before (returns at once)."""
        folder = Path(folder)
        self.start()
        self._asked.append((folder, self._thread.submit(self._print, folder)))

    def _print(self, folder: Path) -> PrintedPdf | PublicationError:
        from playwright.sync_api import Error as PlaywrightError

        prepared = self._prepared.pop(folder, None)
        try:
            if self._launch_error is not None:
                raise self._launch_error
            return _print_one(self._browser, folder, _area_name(folder), self.workspace, self.now, prepared)
        except PublicationError as exc:
            return exc
        except PlaywrightError as exc:
            raise PublicationError(
                f"Chromium at {self.executable} failed while printing: {str(exc).splitlines()[0]}",
                f"Check that '{self.executable} --headless --version' runs, or run without --pdf.",
            ) from None

    def finish(self, report: Callable[[str], None] = lambda message: None) -> PdfRun:
        """Wait for every PDF asked for; the written and the refused, in the order asked.

        Raises
        ------
        PublicationError
            Chromium failed (to launch or while printing): nothing more is printed.
        """
        run = PdfRun()
        asked, self._asked = self._asked, []
        for _, future in asked:
            outcome = future.result()
            if isinstance(outcome, PublicationError):
                run.refused.append(outcome)
            else:
                run.written.append(outcome)
                report(f"PDF: {outcome.path} ({len(outcome.pages)} page(s) printed in {outcome.seconds:.1f} s)")
        return run

    def close(self) -> None:
        """Drop what is not printed yet, close Chromium and end the printer's thread (a print under way ends first)."""
        for _, future in self._asked:
            future.cancel()
        self._asked = []
        try:
            self._thread.submit(self._stack.close).result()
        except Exception:  # a browser that failed already: nothing left to close
            pass
        finally:
            self._thread.shutdown(wait=True)

    def __enter__(self) -> Printer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def write_pdfs(
    folders: Iterable[str | Path],
    workspace: Mapping[str, Any],
    *,
    executable: str | None = None,
    now: datetime | None = None,
    report: Callable[[str], None] = lambda message: None,
) -> PdfRun:
    """Print the PDF of each area folder with one Chromium; refusals are collected, not raised.

    Parameters
    ----------
    folders
        Area folders (``reports/<code>-<slug>``).
    workspace
        :func:`analysis.present.publish.workspace_info`, for the footer's source line.
    executable
        The Chromium binary (default :data:`analysis.present.browser.CHROMIUM`).
    now
        The date printed (default: today, UTC).
    report
        Called with a line per PDF written.

    Raises
    ------
    PublicationError
        Chromium or playwright is missing (:func:`check_chromium`), before any folder is read, or
        Chromium failed.
    """
    executable = check_chromium(executable)
    folders = [Path(folder) for folder in folders]
    if not folders:
        return PdfRun()
    with Printer(workspace, executable=executable, now=now) as printer:
        for folder in folders:
            printer.print_folder(folder)
        return printer.finish(report)


def write_pdf(
    folder: str | Path,
    workspace: Mapping[str, Any],
    *,
    executable: str | None = None,
    now: datetime | None = None,
) -> PrintedPdf:
    """Print one area folder's PDF (see the module docstring); raise when it cannot be written."""
    run = write_pdfs([folder], workspace, executable=executable, now=now)
    if run.refused:
        raise run.refused[0]
    return run.written[0]
