"""The evidence summary of an authority and the needs assessment's navigation.

Two kinds of test:

* fast ones on a folder of hand-made run records (values named FIXTURE, not data) and minimal
  chapter pages: what each figure shows (its record, the suppression marker, "not in this run"),
  the links, the navigation line, the publication check of marked counts, rewriting only on change;
* one real batch of the four chapters for Hampshire in a temporary reports folder (marked
  ``notebook``), whose summary, chapter navigation and index map are checked against the run
  records read here from the JSON, and opened in Chromium (marked ``browser``).
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from analysis import config
from analysis.errors import PublicationError
from analysis.present import navigation, summary
from analysis.present import page as page_module

PREVALENCE, SUPPLY, MAPS, YOUNG = config.NOTEBOOKS
MARKER = config.SUPPRESSION_MARKER

# ------------------------------------------------------------------------------------------
# A folder of hand-made run records
# ------------------------------------------------------------------------------------------

#: FIXTURE records (invented values shaped like the chapters' records), chapter 03 not run.
FIXTURE_RECORDS = {
    PREVALENCE: {
        "estimate_adults": 12344.6,
        "estimate_per_100k_adults": 8049.4,
        "region_per_100k_adults": 8048.7,
        "england_per_100k_adults": 8046.2,
        "age_range": "16+",
        "survey_year": "YE Mar 2024",
        "measure_version": "2024+",
        "estimate_ci_lower": None,
        "estimate_ci_upper": None,
        "interval_method": "FIXTURE no interval",
        "estimate_children": 1234.4,
        "children_population": 20001,
        "children_rate_year": 2019,
        "deprivation_average_score": 12.63,
        "england_deprivation_average_score": 21.66,
        "deprivation_index_domain": "Index of Multiple Deprivation",
        "deprivation_ranked_among": 152,
        "deprivation_year": "2019",
        "deprivation_computed_by": "FIXTURE computed by this workspace",
        "ethnic_minority_share": 0.12078,
        "region_ethnic_minority_share": 0.21157,
        "england_ethnic_minority_share": 0.26464,
        "ethnic_minority_residents": 169201,
        "disabled_share": 0.16385,
        "region_disabled_share": 0.16128,
        "england_disabled_share": 0.17303,
        "disabled_residents": 229542,
        "groups_census_date": "2021-03-21",
    },  # no deprivation_rank: "not in this run"
    SUPPLY: {
        "required_places": 140.0898,
        "available_places": 92.0,
        "shortfall_places": 48.0898,
        "shortfall_pct": 34.33,
        "places_per_100k": 6.567,
        "standard_per_10k": 1.0,
        "standard_places_per_100k": 10.0,
        "supply_period": "2021",
        "has_supply_data": True,
        "has_referral_data": False,
        "expected_individuals_supported": 1256.6,
        "expected_households_unable_to_be_supported": 609.6,
        "demand_year": "2022-23",
        "homelessness_year": "2024-25",
        "da_reason_households": 3,  # a small count: must show as the marker
        "da_reason_per_100k": 0.21,
        "da_reason_trend": [
            {"financial_year": "2018-19", "households": 120},
            {"financial_year": "2019-20", "households": None},
            {"financial_year": "2024-25", "households": MARKER},
        ],
    },
    YOUNG: {
        "population_14_18": 76658,
        "share_14_18_percent": 5.47,
        "england_share_14_18_percent": 5.72,
        "estimate_16_18": 4305.4,
        "population_16_18": 45320,
        "rate_16_19_percent": 9.5,
        "rate_survey_year": "YE Mar 2020",
        "homelessness_applicant_16_17": MARKER,
        "homelessness_support_need_16_17": 21.0,
        "homelessness_16_17_year": "2024-25",
        "homelessness_applicant_16_17_note": "",
        "homelessness_support_need_16_17_note": "",
    },
}
FIXTURE_IDS = {
    PREVALENCE: ["estimate-by-group-as-the-rates-are-published", "children-living-in-households-with-domestic-abuse",
                 "groups-who-may-need-specialist-support", "deprivation", "what-these-figures-mean-and-do-not-mean"],
    SUPPLY: ["places-against-the-standard-by-accommodation-type", "expected-demand-from-national-rates",
             "households-owed-a-homelessness-duty-because-of-domestic-abuse", "the-trend-since-2018-19",
             "what-is-missing-from-the-local-data", "methods-assumptions-and-caveats"],
    YOUNG: ["young-people-aged-14-18-the-scoping-table", "16-17-year-olds-owed-a-homelessness-duty",
            "evidence-gaps-and-the-local-data-that-would-close-them"],
}  # fmt: skip


def write_chapter(folder: Path, notebook: str, records: dict | None, ids=()) -> None:
    """A run record and a minimal published page (the chapter's navigation line and section ids)."""
    folder.mkdir(parents=True, exist_ok=True)
    record = {
        "notebook": notebook,
        "area_code": "E10000014",
        "area_name": "Hampshire",
        "status": "ok" if records is not None else "failed",
        "finished_at": "2026-03-02T09:30:00+00:00",
        "records": records or {},
        "html": f"{notebook}.html" if records is not None else None,
        "page": {
            "area_code": "E10000014",
            "area_name": "Hampshire",
            "area_type": "county",
            "region_name": "South East",
            "duty_note": "It holds the Part 4 duty for its area.",
            "threshold": config.SUPPRESSION_THRESHOLD,
            "index_href": "../index.html",
            "parameters": {},
            "workspace": {"version": "0.1.0", "commit": "fixture", "geography": config.GEOGRAPHY_VINTAGE},
        },
    }
    (folder / f"{notebook}.run.json").write_text(json.dumps(record), encoding="utf-8")
    if records is not None:
        sections = "".join(f'<h2 id="{i}">{i}</h2><p>FIXTURE</p>' for i in ids)
        (folder / f"{notebook}.html").write_text(
            f'<!DOCTYPE html><html lang="en"><head><title>{notebook}</title></head><body><header>'
            f"{navigation.chapter_nav_html(notebook)}</header><main>{sections}</main></body></html>",
            encoding="utf-8",
        )


@pytest.fixture
def folder(tmp_path):
    area = tmp_path / "E10000014-hampshire"
    for notebook in (PREVALENCE, SUPPLY, YOUNG):
        write_chapter(area, notebook, json.loads(json.dumps(FIXTURE_RECORDS[notebook])), FIXTURE_IDS[notebook])
    return area


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def assert_links_resolve(page: Path, skip_index: bool = False) -> None:
    """Every link of a page names a file that exists and, with a fragment, an id in that file."""
    for link in soup_of(page).find_all("a", href=True):
        target = urlsplit(link["href"])
        if target.scheme or (skip_index and target.path.startswith("..")):
            continue
        resolved = (page.parent / unquote(target.path)) if target.path else page
        assert resolved.is_file(), (page.name, link["href"])
        if target.fragment:
            assert soup_of(resolved).find(id=target.fragment) is not None, (page.name, link["href"])


def figures(soup: BeautifulSoup) -> dict[str, str]:
    return {span["data-record"]: span.get_text() for span in soup.select("main span[data-record]")}


def test_the_summary_shows_each_record_the_marker_and_what_is_not_in_the_run(folder):
    path = summary.write_summary(folder)
    assert path == folder / "index.html"
    soup = soup_of(path)
    assert soup.title.string == "Domestic abuse safe accommodation needs assessment: evidence summary for Hampshire"
    assert soup.h1.get_text() == soup.title.string and soup.find("script") is None
    shown = figures(soup)
    p, s, y = FIXTURE_RECORDS[PREVALENCE], FIXTURE_RECORDS[SUPPLY], FIXTURE_RECORDS[YOUNG]
    assert shown[f"{PREVALENCE}/estimate_adults"] == f"{round(p['estimate_adults'], -1):,.0f}" == "12,340"
    assert shown[f"{PREVALENCE}/estimate_children"] == "1,230"
    assert shown[f"{PREVALENCE}/children_rate_year"] == "2019"  # a year, not "2,019"
    assert shown[f"{PREVALENCE}/ethnic_minority_share"] == f"{p['ethnic_minority_share'] * 100:.1f}%" == "12.1%"
    assert shown[f"{PREVALENCE}/groups_census_date"] == "21 March 2021"
    assert shown[f"{PREVALENCE}/deprivation_rank"] == "not in this run"
    assert shown[f"{SUPPLY}/required_places"] == "140" and shown[f"{SUPPLY}/available_places"] == "92"
    assert shown[f"{SUPPLY}/shortfall_places"] == "48" and shown[f"{SUPPLY}/shortfall_pct"] == "34"
    assert shown[f"{SUPPLY}/standard_per_10k"] == "1"
    # suppression: a count of 3 and a recorded marker are both the marker, and the footnote says why
    assert shown[f"{SUPPLY}/da_reason_households"] == MARKER
    assert shown[f"{SUPPLY}/da_reason_trend/0/households"] == f"{s['da_reason_trend'][0]['households']}"
    assert shown[f"{SUPPLY}/da_reason_trend/2/households"] == MARKER
    assert shown[f"{SUPPLY}/da_reason_trend/2/financial_year"] == "2024-25"
    assert shown[f"{YOUNG}/homelessness_applicant_16_17"] == y["homelessness_applicant_16_17"] == MARKER
    assert shown[f"{YOUNG}/homelessness_support_need_16_17"] == "21"
    assert "3" not in soup.select_one("#fact-homelessness .key-fact-value").get_text()
    assert "[c] = suppressed: fewer than 5 cases" in soup.find(id="key-facts").parent.get_text()
    # the deprivation fact is greyed out and says which chapter does not record it
    missing = soup.find(id="fact-deprivation")
    assert "key-fact-missing" in missing["class"] and "Chapter 1's last run does not record it." in missing.get_text()


def test_every_link_of_the_summary_resolves_and_unpublished_chapters_are_text(folder):
    soup = soup_of(summary.write_summary(folder))
    assert_links_resolve(folder / "index.html", skip_index=True)  # the batch writes the index after the summaries
    refuge = soup.select_one("#fact-refuge a")
    assert refuge["href"] == f"{SUPPLY}.html#places-against-the-standard-by-accommodation-type"
    chapters = soup.select("ol.chapter-summaries li")
    assert [c.get_text()[:9] for c in chapters] == ["Chapter 1", "Chapter 2", "Chapter 3", "Chapter 4"]
    assert "(not published)" in chapters[2].get_text() and chapters[2].find("a") is None
    assert "not run for this authority yet" in chapters[2].get_text()
    nav = soup.find(id="chapter-nav")
    assert nav.find(attrs={"aria-current": "page"}).get_text() == "Summary"
    assert (
        nav.select_one(".nav-unpublished").get_text()
        == "Chapter 3: Regional comparisons per 100,000 population (not published)"
    )


def test_chapter_navigation_links_a_page_again_once_it_exists(folder):
    summary.write_summary(folder)
    nav = soup_of(folder / f"{PREVALENCE}.html").find(id="chapter-nav")
    assert [a["href"] for a in nav.select("ol a")] == ["index.html", f"{SUPPLY}.html", f"{YOUNG}.html"]
    assert nav.find(attrs={"aria-current": "page"}).get_text() == "Chapter 1: Prevalence of domestic abuse"
    assert nav.find("a", rel="prev")["href"] == "index.html" and nav.find("a", rel="next")["href"] == f"{SUPPLY}.html"
    write_chapter(folder, MAPS, {"n_figures": 1}, ["findings-by-indicator"])
    summary.write_summary(folder)
    nav = soup_of(folder / f"{PREVALENCE}.html").find(id="chapter-nav")
    assert f"{MAPS}.html" in [a["href"] for a in nav.select("ol a")] and nav.select(".nav-unpublished") == []
    assert (
        soup_of(folder / "index.html").select_one("ol.chapter-summaries li:nth-of-type(3) a")["href"] == f"{MAPS}.html"
    )


def test_an_unchanged_summary_is_not_rewritten(folder):
    path = summary.write_summary(folder)
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    summary.write_summary(folder)
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before
    assert path.read_text(encoding="utf-8").count("<h1>") == 1


def test_no_summary_without_a_successful_chapter(tmp_path):
    area = tmp_path / "E06000045-southampton"
    write_chapter(area, PREVALENCE, None)  # failed
    (area / "fixture_ok.run.json").write_text(json.dumps({"notebook": "fixture_ok", "status": "ok"}))
    assert summary.write_summary(area) is None and not (area / "index.html").exists()
    assert summary.write_summaries(tmp_path) == ([], [])


def test_a_count_marked_on_a_page_is_refused_and_the_summary_kept(folder, monkeypatch):
    soup = BeautifulSoup(
        f'<p><span {page_module.COUNT_ATTRIBUTE}="count" data-record="x/y">3</span></p>', "html.parser"
    )
    with pytest.raises(PublicationError, match="shows the count 3 .x/y.: counts from 1 to 4 must be suppressed"):
        page_module.check_page(soup)
    page_module.check_page(BeautifulSoup(f'<span {page_module.COUNT_ATTRIBUTE}="count">12</span>', "html.parser"))
    earlier = summary.write_summary(folder).read_text(encoding="utf-8")
    monkeypatch.setattr(summary.summary_facts.Facts, "shown", lambda self, value, **how: "3")
    written, problems = summary.write_summaries(folder.parent)
    assert written == [] and problems and "must be suppressed" in problems[0]
    assert (folder / "index.html").read_text(encoding="utf-8") == earlier


def test_a_supply_above_the_standard_reads_as_places_more(folder):
    records = dict(FIXTURE_RECORDS[SUPPLY], available_places=150.0, shortfall_places=-9.9102, shortfall_pct=-7.07)
    write_chapter(folder, SUPPLY, records, FIXTURE_IDS[SUPPLY])
    text = " ".join(soup_of(summary.write_summary(folder)).find(id="fact-refuge").get_text().split())
    assert "150 refuge bedspaces (2021): 10 more places than the standard asks" in text


# ------------------------------------------------------------------------------------------
# A real batch: Hampshire's four chapters
# ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def batch(hampshire_batch):
    """The session's real Hampshire batch (tests/conftest.py), shared with the data download tests."""
    return hampshire_batch


def record_of(runs: dict, name: str):
    """The value a data-record name points at: <notebook>/<key>[/<index>/<field>]."""
    notebook, key, *rest = name.split("/")
    value = runs[notebook]["records"].get(key, KeyError)
    for part in rest:
        value = value[int(part)] if part.isdigit() else value[part]
    return value


def agrees(text: str, value, key: str) -> bool:
    """True when a shown figure is its record, rounded to the places shown (nearest 10 for estimates)."""
    if value is None:
        return text == "no figure"
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):  # a date, as pages write dates
        year, month, day = (int(part) for part in value.split("-"))
        return text == f"{day} {datetime(year, month, day):%B %Y}"
    if value == MARKER or isinstance(value, str):
        return text == str(value)
    if isinstance(value, (int, float)) and 0 < value < config.SUPPRESSION_THRESHOLD and "homelessness" in key:
        return text == MARKER
    number = float(text.replace(",", "").rstrip("%"))
    if text.endswith("%") and "share" in key and not key.endswith("_percent"):
        value = value * 100
    places = len(text.rstrip("%").partition(".")[2])
    step = 10 if key.startswith("estimate_") and not text.endswith("%") and "per_100k" not in key else 10**-places
    return math.isclose(number, round(value / step) * step, abs_tol=step / 2 + 1e-9)


@pytest.mark.notebook
def test_the_batch_summary_shows_the_run_records_values(batch):
    soup = soup_of(batch["folder"] / "index.html")
    assert soup.title.string.endswith("evidence summary for Hampshire")
    shown = figures(soup)
    assert len(shown) >= 30
    for name, text in shown.items():
        value = record_of(batch["runs"], name)
        if value is KeyError:
            assert text == "not in this run", name
        else:
            assert agrees(text, value, name.split("/")[1]), (name, text, value)
    records = {nb: run["records"] for nb, run in batch["runs"].items()}
    assert shown[f"{PREVALENCE}/estimate_adults"] == f"{round(records[PREVALENCE]['estimate_adults'], -1):,.0f}"
    assert shown[f"{YOUNG}/homelessness_applicant_16_17"] == records[YOUNG]["homelessness_applicant_16_17"]
    assert records[YOUNG]["homelessness_applicant_16_17"] == MARKER  # Hampshire's real small count
    assert shown[f"{SUPPLY}/required_places"] == f"{records[SUPPLY]['required_places']:,.0f}"
    page_module.check_page(soup)


@pytest.mark.notebook
def test_the_batch_links_and_navigation_resolve(batch):
    folder = batch["folder"]
    pages = [folder / "index.html", *(folder / f"{nb}.html" for nb in config.NOTEBOOKS)]
    for page in pages:
        soup = soup_of(page)
        nav = soup.find(id="chapter-nav")
        assert nav is not None, page.name
        assert len(nav.select("ol li")) == 5 and nav.select(".nav-unpublished") == []
        assert_links_resolve(page)
    steps = [soup_of(p).select("#chapter-nav .chapter-nav-steps a") for p in pages]
    assert [[a["href"] for a in s] for s in steps] == [
        [f"{PREVALENCE}.html"],
        ["index.html", f"{SUPPLY}.html"],
        [f"{PREVALENCE}.html", f"{MAPS}.html"],
        [f"{SUPPLY}.html", f"{YOUNG}.html"],
        [f"{MAPS}.html"],
    ]
    linked = [a["href"] for a in soup_of(folder / "index.html").select(".key-fact-source a")]
    assert all(re.fullmatch(r"0[1-4]_\w+\.html(#[\w-]+)?", href) for href in linked) and len(linked) == 11
    assert sum("#" in href for href in linked) >= 8  # most facts reach their section


@pytest.mark.notebook
def test_the_batch_index_map_links_each_summary(batch):
    soup = soup_of(batch["reports"] / "index.html")
    svg = soup.select_one("figure.index-map-figure svg")
    assert svg is not None and svg.find("title").get_text().startswith("Households owed a homelessness duty")
    assert len(svg.find_all("path")) == 152
    links = svg.find_all("a")
    assert [a["href"] for a in links] == ["E10000014-hampshire/index.html"]
    assert links[0].find("title").get_text().startswith("Hampshire: ")
    assert all(p.find("title") for p in svg.find_all("path"))
    assert soup.select_one("select#region-filter") is not None and soup.select_one("input#area-search") is not None
    assert soup.find(id="table-controls").has_attr("hidden")
    row = soup.select_one("table.sortable tbody tr")
    assert row["data-region"] == "South East" and row.find("a")["href"] == "E10000014-hampshire/index.html"
    page_module.check_page(soup)


@pytest.mark.browser
def test_summary_and_index_in_chromium(batch, tmp_path):
    from analysis.present import browser

    with browser.chromium() as chromium:
        with browser.open_page(chromium, batch["folder"] / "index.html") as (page, check):
            page.get_by_role("link", name="Next: Chapter 1: Prevalence of domestic abuse").click()
            page.wait_for_load_state("load")
            assert page.title() == "Hampshire: prevalence of domestic abuse"
        assert check.console_errors == [] and check.external_requests == []
        with browser.open_page(chromium, batch["reports"] / "index.html") as (page, check):
            page.screenshot(path=str(tmp_path / "index.png"), full_page=True)
            assert page.locator("#table-controls").is_visible()
            page.get_by_label("Search areas").fill("nowhere-fixture")
            assert page.locator("#areas-table tbody tr:visible").count() == 0
            page.get_by_label("Search areas").fill("e10000014")
            assert page.locator("#areas-table tbody tr:visible").count() == 1
            page.get_by_label("Region").select_option("South East")
            assert page.locator("#table-count").inner_text() == "Showing 1 of 1 area."
            page.locator("svg.index-map a").first.click()
            page.wait_for_load_state("load")
            assert page.title().endswith("evidence summary for Hampshire")
        assert check.console_errors == [] and check.external_requests == []


@pytest.mark.browser
def test_every_published_page_of_the_batch_passes_the_accessibility_check(batch):
    from analysis.present import accessibility

    pages = accessibility.published_pages(batch["reports"])
    folder = "E10000014-hampshire"
    assert [str(p.relative_to(batch["reports"])) for p in pages] == [
        "index.html",
        *(f"{folder}/{nb}.html" for nb in config.NOTEBOOKS),
        f"{folder}/index.html",
    ]
    checks = accessibility.check_pages(pages, tags=("wcag2a", "wcag2aa", "wcag21a", "wcag21aa"))
    findings = accessibility.findings_frame(checks)
    assert findings.empty, "\n".join(accessibility.describe(checks, batch["reports"]))
    for check in checks:  # the rules for what the pages hold ran and passed
        assert {"html-has-lang", "document-title", "color-contrast", "link-name"} <= set(check.rules_passed)
    for check in checks[1:5]:  # the chapters: figures and tables
        assert {"image-alt", "th-has-data-cells", "td-headers-attr"} <= set(check.rules_passed), check.page.name
