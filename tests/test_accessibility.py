"""The accessibility check (axe-core in headless Chromium, plus reflow) on tiny fixture pages: it
finds what is deliberately broken, passes the repaired page, and refuses an axe-core that is
missing or altered. The real pages are checked in tests/test_summary.py (Hampshire's batch) and
tests/test_browser.py (``analysis publish --check-accessibility``)."""

from __future__ import annotations

import shutil

import pytest

from analysis import config
from analysis.errors import AnalysisError, ParameterError
from analysis.present import accessibility, browser
from tests.test_browser import run_cli

pytestmark = pytest.mark.browser

WCAG_21_A_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
#: A 1x1 PNG, inline.
PIXEL = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def fixture_page(broken: bool) -> str:
    """A tiny page; ``broken`` drops the language and the image's alt text, makes a paragraph pale
    grey on white (2.3:1), a block 600 pixels wide, and sets a caption on a background image
    (whose contrast axe-core cannot tell)."""
    lang = "" if broken else ' lang="en"'
    alt = "" if broken else ' alt="FIXTURE a map"'
    pale = "#aaaaaa" if broken else "#505050"
    wide = "width: 600px" if broken else "max-width: 100%"
    backdrop = f"background-image: url({PIXEL})" if broken else "background: #ffffff"
    return (
        f"<!DOCTYPE html><html{lang}><head><meta charset='utf-8'><title>FIXTURE accessibility page</title>"
        f"<style>#fixture-pale {{ color: {pale}; background: #ffffff; }} #fixture-wide {{ {wide}; }}"
        f"#fixture-backdrop {{ {backdrop}; }}</style></head>"
        f"<body><main><h1>FIXTURE page</h1><img id='fixture-map' src='{PIXEL}'{alt} width='40' height='40'>"
        "<p id='fixture-pale'>FIXTURE pale text</p><div id='fixture-wide'>FIXTURE block</div>"
        "<p id='fixture-backdrop'>FIXTURE text on a picture</p></main></body></html>"
    )


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    folder = tmp_path_factory.mktemp("accessibility")
    pages = {}
    for name, broken in (("broken", True), ("repaired", False)):
        pages[name] = folder / f"fixture_{name}_page.html"
        pages[name].write_text(fixture_page(broken), encoding="utf-8")
    with browser.chromium() as chromium:
        return {name: accessibility.check_page(chromium, path, tags=WCAG_21_A_AA) for name, path in pages.items()}


def test_the_check_finds_missing_language_missing_alt_low_contrast_and_no_reflow(checked):
    found = checked["broken"].violations
    pairs = set(zip(found["rule"], found["target"], strict=True))
    assert {
        ("html-has-lang", "html"),
        ("image-alt", "#fixture-map"),
        ("color-contrast", "#fixture-pale"),
        (accessibility.REFLOW_RULE, "#fixture-wide"),
    } <= pairs
    assert set(found["impact"]) <= {"minor", "moderate", "serious", "critical"}
    contrast = found[found["rule"] == "color-contrast"].iloc[0]
    assert "2.32" in contrast["summary"] and contrast["help_url"].startswith(
        "https://dequeuniversity.com/rules/axe/4.14/"
    )
    assert not checked["broken"].ok and checked["broken"].axe_version == config.AXE_CORE_VERSION


def test_what_axe_core_cannot_decide_is_left_for_review_and_fails_the_page(checked):
    review = checked["broken"].findings
    review = review[review["status"] == accessibility.NEEDS_REVIEW]
    assert list(zip(review["rule"], review["target"], strict=True)) == [("color-contrast", "#fixture-backdrop")]
    assert "background image" in review.iloc[0]["summary"]


def test_the_repaired_page_passes(checked):
    repaired = checked["repaired"]
    assert repaired.ok, repaired.findings.to_string()
    assert list(repaired.findings.columns) == list(accessibility.FINDING_COLUMNS)
    assert {"image-alt", "html-has-lang", "color-contrast"} <= set(repaired.rules_passed)


def test_a_missing_or_altered_axe_core_is_refused(tmp_path):
    with pytest.raises(AnalysisError, match="axe-core 4.14.1 is not installed") as missing:
        accessibility.axe_script(tmp_path / "axe.min.js")
    assert "make axe" in missing.value.hint
    altered = tmp_path / "altered" / "axe.min.js"
    altered.parent.mkdir()
    shutil.copyfile(accessibility.axe_script(), altered)
    with altered.open("a", encoding="utf-8") as handle:
        handle.write("\n/* FIXTURE edit */\n")
    with pytest.raises(AnalysisError, match=f"expected {config.AXE_CORE_SHA256}") as changed:
        accessibility.check_pages([tmp_path / "any.html"], script=altered)
    assert str(altered) in changed.value.message and "make axe" in changed.value.hint


def test_bad_arguments_are_refused_before_chromium_opens_a_page(tmp_path):
    with pytest.raises(AnalysisError, match="no such file"):
        accessibility.check_page(None, tmp_path / "missing.html")
    page = tmp_path / "fixture_page.html"
    page.write_text(fixture_page(False), encoding="utf-8")
    with pytest.raises(ParameterError, match="non-empty strings"):
        accessibility.check_page(None, page, tags=["wcag2a", ""])
    with pytest.raises(ParameterError, match="non-empty strings"):
        accessibility.check_page(None, page, tags="wcag2a")


def test_publish_check_accessibility_exits_1_and_names_each_finding(tmp_path):
    reports = tmp_path / "reports"
    area = reports / "E99999999-fixture"
    area.mkdir(parents=True)
    (area / "fixture_broken_page.html").write_text(fixture_page(True), encoding="utf-8")
    code, out, _ = run_cli("publish", "--reports-dir", str(reports), "--check-accessibility")
    assert code == 1
    assert "2 page(s) checked, 1 with findings" in out
    assert "  index.html: ok" in out  # the index of an empty reports folder passes
    assert "E99999999-fixture/fixture_broken_page.html: 4 violation(s), 5 finding(s)" in out
    assert "violation: image-alt (critical) at #fixture-map: Images must have alternative text" in out


def test_check_accessibility_and_screenshot_are_separate_jobs(tmp_path):
    code, _, err = run_cli("publish", "--check-accessibility", "--screenshot", "a.html", str(tmp_path / "a.png"))
    assert code == 1 and "--check-accessibility and --screenshot are separate jobs" in err
