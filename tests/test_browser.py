"""Published pages in a real browser (headless Chromium), from a project in a folder whose path
has spaces and non-ASCII characters, produced by ``analysis report`` and ``analysis batch``."""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

import pytest

from analysis import cli, config
from analysis.present import browser, publish
from tests.conftest import copy_built_data, copy_project_data

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"


def run_cli(*args: str) -> tuple[int, str, str]:
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err = io.StringIO(), io.StringIO()
    try:
        code = cli.main(list(args))
    finally:
        sys.stdout, sys.stderr = saved
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A project copy in '…/Cyngor Sir / Comté test/project' with built data and one fixture notebook,
    reported on for two areas through the command line."""
    root = tmp_path_factory.mktemp("paths") / "Cyngor Sir " / " Comté test" / "project"
    copy_built_data(copy_project_data(root))
    (root / "notebooks").mkdir()
    shutil.copy2(FIXTURES / "fixture_ok.ipynb", root / "notebooks" / "fixture_ok.ipynb")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(config.ROOT_ENV, str(root))
        patch.delenv(config.MIRROR_ENV, raising=False)
        report_run = run_cli("report", "--area", "Hampshire")
        batch_run = run_cli("batch", "--area", "Southampton", "--quiet")
        yield {"root": root, "reports": root / "reports", "report": report_run, "batch": batch_run}


def test_report_command_runs_the_batch_for_one_area_and_says_where_the_html_is(project):
    code, out, err = project["report"]
    html = project["reports"] / "E10000014-hampshire" / "fixture_ok.html"
    assert code == 0, out + err
    assert "1 ran" in out and f"HTML reports for Hampshire (E10000014):\n  {html}" in out
    assert html.is_file() and (project["reports"] / "index.html").is_file()


def test_a_project_path_with_spaces_and_accents_never_leaks_into_the_html(project):
    assert project["batch"][0] == 0, project["batch"]
    assert project["batch"][2] == ""  # --quiet: nothing but the summary on stdout
    for html in [project["reports"] / "index.html", *project["reports"].glob("*/*.html")]:
        text = html.read_text(encoding="utf-8")
        assert str(project["root"]) not in text and "Comté" not in text
    southampton = project["reports"] / "E06000045-southampton" / "fixture_ok.html"
    assert "PATH-MARKER [project folder]" in southampton.read_text(encoding="utf-8")


def test_index_in_chromium(project, tmp_path):
    shot = tmp_path / "index.png"
    index = project["reports"] / "index.html"
    with browser.chromium() as chromium, browser.open_page(chromium, index) as (page, check):
        page.screenshot(path=str(shot), full_page=True)
        first_column = "table.sortable tbody tr th"
        assert page.locator(first_column).all_inner_texts()[0].startswith("Hampshire")
        page.get_by_role("button", name="Refuge places required (1 per 10,000)").click()
        assert page.locator(first_column).all_inner_texts()[0].startswith("Southampton")  # fewer places
        page.get_by_role("button", name="Refuge places required (1 per 10,000)").click()
        assert page.locator(first_column).all_inner_texts()[0].startswith("Hampshire")
        sorted_heading = page.locator("th[aria-sort]")
        assert sorted_heading.get_attribute("aria-sort") == "descending"
        page.get_by_role("link", name="fixture ok").first.click()
        page.wait_for_load_state("load")
        assert page.title() == "Hampshire: fixture_ok"
    assert check.title == publish.INDEX_TITLE
    assert check.console_errors == [] and check.external_requests == [] and check.broken_images == []
    assert shot.stat().st_size > 10_000


def test_report_in_chromium(project, tmp_path):
    shot = tmp_path / "report.png"
    check = browser.check_page(project["reports"] / "E10000014-hampshire" / "fixture_ok.html", screenshot=shot)
    assert check.title == "Hampshire: fixture_ok"
    assert check.images >= 1 and check.broken_images == []
    assert check.console_errors == [] and check.external_requests == []
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_the_browser_check_catches_external_requests_broken_images_and_errors(tmp_path):
    page = tmp_path / "fixture_bad_page.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>bad</title>'
        '<link rel="stylesheet" href="https://cdn.example.org/style.css"></head>'
        '<body><img src="http://example.org/map.png" alt="a map">'
        '<script>console.error("fixture console error")</script></body></html>',
        encoding="utf-8",
    )
    check = browser.check_page(page)
    assert "https://cdn.example.org/style.css" in check.external_requests
    assert "http://example.org/map.png" in check.external_requests
    assert check.broken_images == ["a map"]
    assert "fixture console error" in check.console_errors


def test_publish_republishes_and_takes_the_readme_screenshot(project, tmp_path):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(config.ROOT_ENV, str(project["root"]))
        code, out, _ = run_cli("publish")
        assert code == 0 and "re-published 2 report(s)" in out
        png = tmp_path / "docs" / "report-screenshot.png"
        html = project["reports"] / "E10000014-hampshire" / "fixture_ok.html"
        code, out, _ = run_cli("publish", "--screenshot", str(html), str(png))
    assert code == 0 and png.read_bytes()[:4] == b"\x89PNG"


def test_publish_check_accessibility_passes_every_published_page(project):
    from analysis.present import accessibility

    pages = accessibility.published_pages(project["reports"])
    names = {str(p.relative_to(project["reports"])) for p in pages}
    assert {"index.html", "E10000014-hampshire/fixture_ok.html", "E06000045-southampton/fixture_ok.html"} <= names
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(config.ROOT_ENV, str(project["root"]))
        code, out, err = run_cli("publish", "--check-accessibility")
    assert code == 0, out + err
    assert f"{len(pages)} page(s) checked, 0 with findings" in out
    for name in names:
        assert f"  {name}: ok (" in out
