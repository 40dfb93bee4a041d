"""The PDF of an authority's needs assessment (``--pdf``): Hampshire's real reports printed by
``analysis batch --pdf`` in headless Chromium, opened with pypdf."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from analysis import __version__, config
from analysis.errors import PublicationError
from analysis.present import browser, pdf, publish
from tests.test_browser import run_cli

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
DOCUMENT_TITLE = "Hampshire: domestic abuse safe accommodation needs assessment"


def _printed_date(moment: datetime) -> str:
    return f"Printed {moment.day} {moment:%B %Y}"


@pytest.fixture(scope="module")
def hampshire(tmp_path_factory, hampshire_batch):
    """Hampshire's four chapters printed once through the command line: the session's real batch
    (conftest ``hampshire_batch``) copied to a temporary reports folder, where the same batch with
    ``--pdf`` finds every run unchanged and prints the PDF."""
    reports = tmp_path_factory.mktemp("pdf") / "reports"
    shutil.copytree(hampshire_batch["reports"], reports)
    started = datetime.now(UTC)
    run = run_cli("batch", "--area", "Hampshire", "--reports-dir", str(reports), "--quiet", "--pdf")
    folder = reports / "E10000014-hampshire"
    path = folder / "hampshire-needs-assessment.pdf"
    dates = {_printed_date(started), _printed_date(datetime.now(UTC))}
    reader = PdfReader(path) if path.is_file() else None
    return {"reports": reports, "folder": folder, "pdf": path, "run": run, "reader": reader, "dates": dates}


def _text(page) -> str:
    return " ".join(page.extract_text().split())


def _chapter_titles(folder: Path) -> list[str]:
    """The h1 of each page the PDF prints, as published (the HTML it is printed from): the evidence
    summary first, then the chapters."""
    titles = []
    for name in ("index", *config.NOTEBOOKS):
        soup = BeautifulSoup((folder / f"{name}.html").read_text(encoding="utf-8"), "html.parser")
        titles.append(soup.find("main").find("h1").get_text(" ", strip=True))
    return titles


def _chapter_first_pages(reader: PdfReader, titles: list[str]) -> list[int]:
    """The page (0-based) each chapter starts on: the first page after the contents whose text opens
    with the chapter's title."""
    texts = [_text(page) for page in reader.pages]
    return [next(i for i, text in enumerate(texts) if i > 0 and text.startswith(title)) for title in titles]


def test_batch_writes_one_pdf_named_after_the_authority(hampshire):
    code, out, err = hampshire["run"]
    assert code == 0, out + err
    assert f"PDF: {hampshire['pdf']}" in out
    assert hampshire["pdf"].read_bytes().startswith(b"%PDF-")
    assert hampshire["reader"].metadata.title == DOCUMENT_TITLE


def test_contents_page_then_every_chapter_each_on_a_new_page(hampshire):
    reader, titles = hampshire["reader"], _chapter_titles(hampshire["folder"])
    assert titles[:2] == [
        "Domestic abuse safe accommodation needs assessment: evidence summary for Hampshire",
        "Hampshire: prevalence of domestic abuse",
    ]
    assert len(reader.pages) >= len(config.NOTEBOOKS) + 2
    contents = _text(reader.pages[0])
    assert contents.startswith(DOCUMENT_TITLE)
    assert "Hampshire (E10000014)" in contents and "Contents" in contents
    for number, title in enumerate(titles, start=1):
        assert f"{number}. {title}" in contents
    starts = _chapter_first_pages(reader, titles)
    assert starts == sorted(starts) and len(set(starts)) == len(titles), starts


def test_contents_links_and_bookmarks_lead_to_each_chapter(hampshire):
    reader, titles = hampshire["reader"], _chapter_titles(hampshire["folder"])
    starts = _chapter_first_pages(reader, titles)
    destinations = reader.named_destinations
    links = [annotation.get_object() for annotation in reader.pages[0].get("/Annots", [])]
    named = list(dict.fromkeys(str(link["/Dest"]) for link in links))  # a title wrapping onto two lines is two links
    targets = [reader.get_destination_page_number(destinations[name]) for name in named]
    assert targets == starts
    top = [item for item in reader.outline if not isinstance(item, list)]
    assert [item.title for item in top] == [DOCUMENT_TITLE, *titles]
    assert [reader.get_destination_page_number(item) for item in top[1:]] == starts


def test_every_page_has_the_footer_with_the_source_line_date_and_page_number(hampshire):
    reader = hampshire["reader"]
    total = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        text = _text(page)
        assert f"Source: DA safe accommodation needs assessment workspace {__version__}" in text, number
        assert "open data under the Open Government Licence v3.0." in text, number
        assert any(date in text for date in hampshire["dates"]), number
        assert f"Page {number} of {total}" in text, number


def test_no_table_is_cut_at_the_margin_and_no_site_navigation_is_printed(hampshire):
    """Every table's last column (its header and first row) is on paper: a table cut at the margin
    loses its right-hand columns."""
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in hampshire["reader"].pages))
    tables = 0
    for name in config.NOTEBOOKS:
        soup = BeautifulSoup((hampshire["folder"] / f"{name}.html").read_text(encoding="utf-8"), "html.parser")
        for table in soup.select("main table"):
            tables += 1
            last_header = table.select("thead th")[-1].get_text()
            first_row = table.select("tbody tr")[0].find_all(["th", "td"])[-1].get_text()
            for value in (last_header, first_row):
                assert re.sub(r"\s+", "", value) in text, (name, table.caption, value)
    assert tables >= 20
    assert "Skiptothereport" not in text and "Allreports" not in text


def test_a_missing_chromium_is_named_with_the_fix_and_nothing_is_touched(hampshire, tmp_path, monkeypatch):
    missing = tmp_path / "no-chromium"
    monkeypatch.setattr(browser, "CHROMIUM", str(missing))
    before = hampshire["pdf"].read_bytes()
    code, out, err = run_cli("publish", "--pdf", "--reports-dir", str(hampshire["reports"]))
    assert code == 1
    assert f"error: Cannot write the PDF: Chromium is not installed at {missing}." in err
    assert "hint: Install it ('sudo apt-get install chromium'" in err and "without --pdf" in err
    assert hampshire["pdf"].read_bytes() == before
    reports = tmp_path / "reports"
    code, out, err = run_cli("batch", "--area", "Hampshire", "--reports-dir", str(reports), "--pdf")
    assert code == 1 and f"Chromium is not installed at {missing}" in err
    assert not (reports / "E10000014-hampshire").exists()  # refused before any notebook ran
    with pytest.raises(PublicationError, match="Chromium is not installed at /nowhere/chromium"):
        pdf.write_pdf(hampshire["folder"], publish.workspace_info(), executable="/nowhere/chromium")


def test_a_failed_chapter_means_no_pdf_and_an_earlier_pdf_is_kept(hampshire, tmp_path):
    reports = tmp_path / "reports"
    args = ["--area", "Hampshire", "--reports-dir", str(reports), "--notebooks-dir", str(FIXTURES)]
    code, out, err = run_cli("batch", *args, "--notebooks", "fixture_ok", "fixture_fails", "--quiet", "--pdf")
    folder = reports / "E10000014-hampshire"
    assert code == 1
    assert "PDF NOT WRITTEN: The PDF of E10000014-hampshire was not written: chapter fixture_fails failed (" in out
    assert (folder / "fixture_ok.html").is_file() and not list(folder.glob("*.pdf"))
    earlier = folder / "hampshire-needs-assessment.pdf"
    shutil.copyfile(hampshire["pdf"], earlier)
    code, out, err = run_cli("publish", "--pdf", "--reports-dir", str(reports))
    assert code == 1
    assert (
        "chapter fixture_fails failed" in err and "The earlier hampshire-needs-assessment.pdf is kept unchanged" in err
    )
    assert earlier.read_bytes() == hampshire["pdf"].read_bytes()


def test_a_chapter_never_run_stops_the_pdf(hampshire, tmp_path):
    folder = tmp_path / "reports" / "E10000014-hampshire"
    folder.mkdir(parents=True)
    for name in config.NOTEBOOKS[:-1]:
        for suffix in (".html", ".run.json"):
            shutil.copyfile(hampshire["folder"] / f"{name}{suffix}", folder / f"{name}{suffix}")
    with pytest.raises(PublicationError, match=f"chapter {config.NOTEBOOKS[-1]} has not been run"):
        pdf.collect_pages(folder)


def test_a_summary_page_comes_first_and_its_links_lead_into_the_pdf(hampshire, tmp_path):
    folder = tmp_path / "reports" / "E10000014-hampshire"
    shutil.copytree(hampshire["folder"], folder, ignore=shutil.ignore_patterns("*.ipynb", "*.pdf"))
    (folder / "index.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><title>fixture</title></head><body><main>'
        "<h1>FIXTURE SUMMARY: Hampshire</h1>"
        '<p>See the <a href="01_prevalence.html#headline">prevalence headline</a>; '
        '<a href="../index.html">All reports</a>.</p></main></body></html>',
        encoding="utf-8",
    )
    printed = pdf.write_pdf(folder, publish.workspace_info())
    assert printed.pages == ["summary", *config.NOTEBOOKS]
    reader = PdfReader(printed.path)
    assert "1. FIXTURE SUMMARY: Hampshire 2. Hampshire: prevalence of domestic abuse" in _text(reader.pages[0])
    assert _text(reader.pages[1]).startswith("FIXTURE SUMMARY: Hampshire")
    links = [annotation.get_object() for annotation in reader.pages[1].get("/Annots", [])]
    assert [str(link.get("/Dest")) for link in links] == ["/pdf-01_prevalence-headline"]  # no link to ../index.html
    headline = reader.get_destination_page_number(reader.named_destinations["/pdf-01_prevalence-headline"])
    assert headline == _chapter_first_pages(reader, _chapter_titles(folder)[1:2])[0]


def _copied_folder(hampshire, tmp_path) -> Path:
    folder = tmp_path / "reports" / "E10000014-hampshire"
    shutil.copytree(hampshire["folder"], folder, ignore=shutil.ignore_patterns("*.ipynb", "*.pdf"))
    return folder


def test_sections_built_ahead_give_the_document_built_at_print_time(hampshire, tmp_path):
    folder = _copied_folder(hampshire, tmp_path)
    pages = pdf.collect_pages(folder)
    assert [page.name for page in pages] == ["summary", *config.NOTEBOOKS]
    assert pdf.expected_pages(folder, config.NOTEBOOKS) == pages
    prepared = {page.name: pdf.prepare_section(page, pages) for page in pages}
    ahead = pdf.print_document(pages, "Hampshire", "1 December 2026", "cmd", prepared)
    assert ahead == pdf.print_document(pages, "Hampshire", "1 December 2026", "cmd")
    assert ahead.count('<section class="print-page') == 5 and 'id="pdf-03_regional_maps-' in ahead


def test_a_section_built_before_its_page_changed_is_built_again(hampshire, tmp_path):
    folder = _copied_folder(hampshire, tmp_path)
    pages = pdf.collect_pages(folder)
    prepared = {page.name: pdf.prepare_section(page, pages) for page in pages}
    chapter = folder / "04_young_people_14_18.html"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("<h1", "<h1 data-fixture='republished'", 1))
    document = pdf.print_document(pages, "Hampshire", "1 December 2026", "", prepared)
    assert 'data-fixture="republished"' in document
    # built for other pages (a chapter left out): links would point elsewhere, so built again
    fewer = [page for page in pages if page.name != "01_prevalence"]
    assert pdf.print_document(fewer, "Hampshire", "1 December 2026", "", prepared) == pdf.print_document(
        fewer, "Hampshire", "1 December 2026", ""
    )


def test_one_printer_prints_each_folder_asked_in_order_and_refuses_an_incomplete_one(hampshire, tmp_path):
    complete = _copied_folder(hampshire, tmp_path)
    incomplete = tmp_path / "reports" / "E06000045-southampton"
    shutil.copytree(complete, incomplete)
    (incomplete / f"{config.NOTEBOOKS[1]}.run.json").unlink()
    with pdf.Printer(publish.workspace_info()) as printer:
        assert not printer.started
        printer.start()
        assert printer.started
        for name in ["summary", *config.NOTEBOOKS]:
            assert printer.prepare(complete, name, config.NOTEBOOKS)
        printer.print_folder(incomplete)
        printer.print_folder(complete)
        lines: list[str] = []
        run = printer.finish(lines.append)
    assert [item.path for item in run.written] == [complete / "hampshire-needs-assessment.pdf"]
    assert len(run.problems) == 1 and f"chapter {config.NOTEBOOKS[1]} has not been run" in run.problems[0]
    assert not list(incomplete.glob("*.pdf"))
    assert lines == [f"PDF: {run.written[0].path} (5 page(s) printed in {run.written[0].seconds:.1f} s)"]
    assert _text(PdfReader(run.written[0].path).pages[0]).startswith(DOCUMENT_TITLE)


def test_a_chromium_that_will_not_start_is_named_when_printing(hampshire, tmp_path):
    folder = _copied_folder(hampshire, tmp_path)
    not_a_browser = shutil.which("false")
    with pdf.Printer(publish.workspace_info(), executable=not_a_browser) as printer:
        printer.print_folder(folder)
        with pytest.raises(PublicationError, match=f"Chromium at {re.escape(not_a_browser)} failed while printing"):
            printer.finish()
    assert not list(folder.glob("*.pdf"))
