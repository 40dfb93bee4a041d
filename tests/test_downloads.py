"""The data behind the tables and charts (analysis.present.downloads), and what a published page shows.

Two kinds of test:

* fast ones on two chapters built in memory from the real display outputs of
  ``analysis.present.report`` (tables and counts named "fixture", no kernel), published into a
  temporary folder: each table's CSV beside the page and linked from it, suppressed cells kept
  suppressed, the authority's zip with every CSV and a README naming each source's licence and
  attribution, the same zip bytes every time;
* on the session's real Hampshire batch (``hampshire_batch`` in tests/conftest.py, marked
  ``notebook``): no code name, workspace path or file name in the visible text of any published
  page, every data link resolves, the zip holds every CSV; and in Chromium (marked ``browser``)
  the wide local supply table scrolls inside its own box with its last columns reachable.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path
from urllib.parse import unquote

import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup, Comment, Doctype

from analysis import config
from analysis.errors import PublicationError
from analysis.methods import areas
from analysis.present import downloads, publish, report
from tests.conftest import code_cell, outputs_of

WORKSPACE = {"version": "0.1.0", "commit": "fixture", "geography": config.GEOGRAPHY_VINTAGE, "data": []}
#: The licence and attribution the manifest (data/raw/sources.yaml) gives these two sources, typed here by hand.
CENSUS_TS009 = ("census2021_ts009_ltla21_sya", "OGL-3.0", "Office for National Statistics licensed under the Open")
MYSOCIETY = ("mysociety_la_register", "CC-BY-4.0", "Contains data from mySociety's UK local authority names")


def chapter(monkeypatch, notebook: str, shows) -> nbformat.NotebookNode:
    """An executed chapter whose one published cell shows what ``shows()`` shows."""
    cells = [nbformat.v4.new_markdown_cell("## Findings"), code_cell("report...", outputs_of(monkeypatch, shows))]
    return nbformat.v4.new_notebook(
        cells=cells, metadata={"kernelspec": {"name": "analysis", "display_name": "x", "language": "python"}}
    )


def publish_chapter(folder: Path, nb, notebook: str) -> Path:
    area = areas.get_area("E10000014")
    page = publish.report_page(area, notebook, {"area": area.code}, WORKSPACE)
    return publish.write_report(folder / f"{notebook}.html", publish.render_report(nb, page))


def first_chapter(monkeypatch):
    counts = pd.DataFrame(
        {"group": ["fixture A", "fixture B"], "count": [3, 12345], "rate_per_100k": [0.24, 8.65]}  # FIXTURE
    )
    by_type = pd.DataFrame({"accommodation_type": ["refuge", "dispersed"], "bedspaces": [1200, float("nan")]})

    def shows():
        shown = report.table(
            counts, "Fixture counts by group", count_columns=["count"], derived_columns=["rate_per_100k"]
        )
        report.chart_data(shown)  # a chart drawing the table links the table's file
        report.chart_data(by_type, "Fixture bedspaces by type")
        report.sources([CENSUS_TS009[0]])

    return chapter(monkeypatch, "01_prevalence", shows)


def second_chapter(monkeypatch):
    places = pd.DataFrame({"area_name": ["fixture area"], "places": [45]})
    return chapter(
        monkeypatch,
        "02_refuge_demand_supply",
        lambda: (report.table(places, "Fixture refuge places"), report.sources([MYSOCIETY[0]])),
    )


@pytest.fixture
def published(tmp_path, monkeypatch):
    folder = tmp_path / "E10000014-hampshire"
    folder.mkdir()
    first = publish_chapter(folder, first_chapter(monkeypatch), "01_prevalence")
    second = publish_chapter(folder, second_chapter(monkeypatch), "02_refuge_demand_supply")
    return {"folder": folder, "pages": [first, second]}


def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def links(page: Path, text: str) -> list[str]:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    return [a["href"] for a in soup.find_all("a", href=True) if a.get_text(" ", strip=True).startswith(text)]


# ------------------------------------------------------------------------------------------
# CSV files beside the page, linked from it
# ------------------------------------------------------------------------------------------


def test_each_table_links_its_csv_and_the_csv_holds_the_cells_with_suppression_kept(published):
    page = published["pages"][0]
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    block = soup.select_one("div.table-block")
    link = block.select_one("p.table-download a")
    assert link.get_text(" ", strip=True) == "Download this table : Fixture counts by group (CSV)"
    href = link["href"]
    assert href.startswith("data/") and href.endswith(".csv")
    assert read_csv(published["folder"] / unquote(href)) == [
        ["Group", "Count", "Rate per 100,000"],
        ["fixture A", "[c]", "[c]"],
        ["fixture B", "12345", "9"],
    ]


def test_a_chart_links_the_table_it_draws_or_its_own_data(published):
    page = published["pages"][0]
    table_csv = links(page, "Download this table")
    charts = links(page, "Download the data of this chart")
    assert len(charts) == 2 and charts[0] == table_csv[0]
    assert read_csv(published["folder"] / unquote(charts[1])) == [
        ["Accommodation type", "Bedspaces"],
        ["Refuge", "1200"],
        ["Dispersed", "–"],
    ]


def test_the_page_links_the_authoritys_zip(published):
    for page in published["pages"]:
        assert links(page, "Download the data of every table and chart for Hampshire") == ["hampshire-data.zip"]


def test_a_data_file_showing_a_small_count_is_refused():
    item = downloads.DataFile("x.csv", "table", "Fixture", ["Group", "Count"], [["fixture A", "4"]], [], ["Count"])
    with pytest.raises(PublicationError, match=r"'Count' \(row 1\)"):
        downloads.check_counts(downloads.Downloads("01_prevalence", [item]))


# ------------------------------------------------------------------------------------------
# The authority's zip
# ------------------------------------------------------------------------------------------


def test_the_zip_holds_every_csv_and_a_readme_naming_licences_and_attribution(published):
    folder = published["folder"]
    csvs = sorted(path.name for path in (folder / "data").glob("*.csv"))
    assert len(csvs) == 3  # two tables and one chart's own data (the other chart links a table)
    with zipfile.ZipFile(folder / "hampshire-data.zip") as archive:
        names = sorted(archive.namelist())
        assert names == sorted(["README.txt", *(f"data/{name}" for name in csvs)])
        for name in csvs:
            assert archive.read(f"data/{name}") == (folder / "data" / name).read_bytes()
        readme = archive.read("README.txt").decode("utf-8")
    assert "Hampshire (E10000014)" in readme
    for name in csvs:
        assert f"data/{name}" in readme
    assert "Table: Fixture counts by group" in readme and "Chart data: Fixture bedspaces by type" in readme
    for _, licence, attribution in (CENSUS_TS009, MYSOCIETY):
        assert f"Licence: {licence}. Attribution: " in readme
        assert attribution in readme
    # each chapter's section names its own source
    first, second = readme.split("== Hampshire: refuge")
    assert CENSUS_TS009[2] in first and MYSOCIETY[2] not in first and MYSOCIETY[2] in second


def test_the_zip_is_the_same_bytes_every_time(published, tmp_path):
    folder = published["folder"]
    before = (folder / "hampshire-data.zip").read_bytes()
    again = downloads.write_zip(folder, "hampshire-data.zip").read_bytes()
    assert again == before
    copy = tmp_path / "copy" / folder.name
    (copy / "data").mkdir(parents=True)
    for path in sorted((folder / "data").iterdir(), reverse=True):  # written in another order, at another time
        (copy / "data" / path.name).write_bytes(path.read_bytes())
    assert downloads.write_zip(copy, "hampshire-data.zip").read_bytes() == before


def test_a_table_no_longer_published_leaves_the_folder_and_the_zip(published, monkeypatch):
    folder = published["folder"]
    empty = chapter(monkeypatch, "02_refuge_demand_supply", lambda: report.sources([MYSOCIETY[0]]))
    publish_chapter(folder, empty, "02_refuge_demand_supply")
    left = sorted(path.name for path in (folder / "data").glob("*.csv"))
    assert left and all(name.startswith("01_prevalence-") for name in left)
    with zipfile.ZipFile(folder / "hampshire-data.zip") as archive:
        assert sorted(archive.namelist()) == sorted(["README.txt", *(f"data/{name}" for name in left)])


# ------------------------------------------------------------------------------------------
# A real batch: nothing a reader sees is code
# ------------------------------------------------------------------------------------------

#: A word with an underscore between letters (``rate_ci_lower``, ``part4_referrals``).
SNAKE_CASE = re.compile(r"[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]*[A-Za-z0-9]|[A-Za-z0-9]*[A-Za-z]_[A-Za-z][A-Za-z0-9_]*")
#: A ``data/`` or ``reports/`` path.
WORKSPACE_PATH = re.compile(r"(?<![\w/.-])(?:data|reports)/")
#: A file name of the workspace's kinds.
FILE_NAME = re.compile(r"\b[\w.-]+\.(?:csv|parquet|ipynb)\b", re.IGNORECASE)
WEB_ADDRESS = re.compile(r"\b(?:https?://|www\.)\S+")


def visible_texts(page: Path) -> list[str]:
    """The text a reader sees: every text node outside <script> and <style> (no attribute values).

    The one exception is a command to type (a ``<code>`` element starting ``analysis ``, in the
    "About this report" line that says how to reproduce the page): it must be exact.
    """
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    for tag in soup.find_all(["script", "style"]):
        tag.decompose()
    for tag in soup.find_all("code"):
        if tag.get_text().startswith("analysis "):
            tag.decompose()
    return [str(node) for node in soup.find_all(string=True) if not isinstance(node, (Comment, Doctype))]


def code_in(text: str) -> list[str]:
    text = WEB_ADDRESS.sub(" ", text)
    return [m.group(0) for pattern in (SNAKE_CASE, WORKSPACE_PATH, FILE_NAME) for m in pattern.finditer(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("the rate_ci_lower column", ["rate_ci_lower"]),
        ("saved in data/raw/local", ["data/"]),
        ("see reports/index.html", ["reports/"]),
        ("from supply.csv and 01_prevalence.ipynb", ["supply.csv", "01_prevalence.ipynb"]),
        ("tables.parquet", ["tables.parquet"]),
        ("Women 16+, 2021-22, 'by and for', 10,000 people, https://a.org/b_c.csv", []),
    ],
)
def test_the_scan_finds_code_names_paths_and_file_names(text, found):
    assert code_in(text) == found


@pytest.mark.notebook
def test_no_published_page_of_a_batch_shows_code_a_path_or_a_file_name(hampshire_batch):
    pages = sorted(hampshire_batch["reports"].rglob("*.html"))
    names = {page.relative_to(hampshire_batch["reports"]).as_posix() for page in pages}
    folder = "E10000014-hampshire"
    assert {"index.html", f"{folder}/index.html", *(f"{folder}/{nb}.html" for nb in config.NOTEBOOKS)} <= names
    leaks = [
        (page.name, token, " ".join(text.split())[:120])
        for page in pages
        for text in visible_texts(page)
        for token in code_in(text)
    ]
    assert leaks == []


@pytest.mark.notebook
def test_every_data_link_of_a_batch_resolves_and_the_zip_holds_every_csv(hampshire_batch):
    folder = hampshire_batch["folder"]
    linked = set()
    for notebook in config.NOTEBOOKS:
        page = folder / f"{notebook}.html"
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        tables = soup.select("div.table-block")
        assert tables, f"{notebook} publishes no table"
        for block in tables:
            hrefs = [a["href"] for a in block.select("p.table-download a")]
            assert len(hrefs) == 1, f"{notebook}: table {block.caption.get_text()!r} is not linked to one CSV"
            linked.add(unquote(hrefs[0]))
        linked |= {unquote(a["href"]) for a in soup.select("p.chart-data a")}
    for href in linked:
        assert (folder / href).is_file(), href
    on_disk = {f"data/{path.name}" for path in (folder / "data").glob("*.csv")}
    assert linked == on_disk  # no CSV without its table, no table without its CSV
    with zipfile.ZipFile(folder / "hampshire-data.zip") as archive:
        assert set(archive.namelist()) == on_disk | {"README.txt"}
        readme = archive.read("README.txt").decode("utf-8")
    assert "Open Government Licence" in readme and "Licence: OGL-3.0" in readme


@pytest.mark.notebook
@pytest.mark.browser
def test_the_wide_supply_table_scrolls_inside_its_box_in_chromium(hampshire_batch):
    from analysis.present import browser

    page_path = hampshire_batch["folder"] / "02_refuge_demand_supply.html"
    for width in (1000, 600):
        with browser.chromium() as chromium, browser.open_page(chromium, page_path, width=width) as (page, check):
            box = page.locator("div.table-scroll", has=page.locator("th", has_text="Restrictions")).first
            seen = box.evaluate(
                """box => {
                  const th = [...box.querySelectorAll('th')].find(t => t.textContent.trim() === 'Restrictions');
                  const before = th.getBoundingClientRect().right;
                  box.scrollLeft = box.scrollWidth;
                  return {overflow: getComputedStyle(box).overflowX, client: box.clientWidth,
                          scroll: box.scrollWidth, boxRight: box.getBoundingClientRect().right,
                          thRight: th.getBoundingClientRect().right, before: before,
                          page: document.documentElement.scrollWidth, viewport: window.innerWidth};
                }"""
            )
            assert check.console_errors == []
        assert seen["overflow"] == "auto"
        assert seen["page"] <= seen["viewport"], seen  # the page itself never scrolls sideways
        if seen["scroll"] > seen["client"]:  # wider than its box: scrolled to the end, the column is in view
            assert seen["thRight"] <= seen["boxRight"] + 1, seen
        else:
            assert seen["before"] <= seen["boxRight"] + 1, seen


def test_what_a_council_without_local_files_must_add_is_said_without_paths(tmp_path):
    from analysis.data.local_data import LocalData
    from analysis.present import council_data, labels

    nothing = LocalData(area_code="E10000030", folder=tmp_path, supply=None, referrals=None)
    gaps = [labels.plain(line) for line in council_data.local_data_gaps(nothing)]  # as chapter 02 shows them
    assert any("the council's own supply figures" in line for line in gaps)
    assert any("the council's own referral figures" in line for line in gaps)
    assert [token for line in gaps for token in code_in(line)] == []
