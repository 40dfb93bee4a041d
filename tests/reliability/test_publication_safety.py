"""Reliability cases 26-28: publication safety, on the four real topic notebooks.

A temporary project whose Hampshire referrals file is replaced by a FIXTURE holding small counts
(3 declined, 2 for a reason, 4 high risk) and a private note the reports never show. Its reports
folder starts as a copy of the session's real Hampshire batch (``hampshire_batch`` in
tests/conftest.py); a batch in the project then runs the chapters that read councils' local files
(``analysis.run.plan.LOCAL_DATA_NOTEBOOKS``: 02 and 03) on the fixture, and publishes the
evidence summary from all four. The other chapters read no local file, so a run with the fixture
would give the same pages as the session's batch.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from analysis import config
from analysis.data import build
from analysis.run.plan import LOCAL_DATA_NOTEBOOKS
from tests.conftest import copy_built_data, copy_project_data

from .helpers import run_cli

pytestmark = pytest.mark.notebook

FIXTURE = Path(__file__).parents[1] / "fixtures" / "local" / "fixture_referrals_small_counts.csv"
PRIVATE = "FIXTURE-PRIVATE-NOTE-7Q"
SMALL = {"3", "2", "4"}


@pytest.fixture(scope="module")
def published(tmp_path_factory, hampshire_batch):
    # The built tables are copied: the build reads no council file (only the manifest's raw files,
    # unchanged here), so building them again in the copy would give the same bytes
    # (test_determinism); case 28 still finds anything of the fixture in data/processed.
    root = copy_built_data(copy_project_data(tmp_path_factory.mktemp("publication") / "project"))
    shutil.copyfile(FIXTURE, root / "data" / "raw" / "local" / "E10000014" / "referrals.csv")
    folder = root / "reports" / "E10000014-hampshire"
    shutil.copytree(hampshire_batch["folder"], folder)
    local = sorted(LOCAL_DATA_NOTEBOOKS)
    assert local == ["02_refuge_demand_supply", "03_regional_maps"]
    result = run_cli(
        "batch",
        "--area",
        "Hampshire",
        "--notebooks",
        *local,
        "--notebooks-dir",
        str(config.project_root() / "notebooks"),
        "--quiet",
        root=root,
    )
    assert result.code == 0, result.err
    assert "2 ran" in result.out, result.out  # the local data changed: both chapters ran on the fixture
    pages = {p.stem: p.read_text(encoding="utf-8") for p in folder.glob("*.html")}
    assert sorted(pages) == sorted([*config.NOTEBOOKS, "index"])  # the chapters and the evidence summary
    return {"root": root, "folder": folder, "pages": pages}


def _tables(html: str):
    soup = BeautifulSoup(html, "html.parser")
    for table in soup.find_all("table"):
        header = [th.get_text(strip=True) for th in table.find("thead").find_all("th")] if table.find("thead") else []
        rows = (
            [[c.get_text(strip=True) for c in tr.find_all("td")] for tr in table.find("tbody").find_all("tr")]
            if table.find("tbody")
            else []
        )
        counts = json.loads(table["data-count-columns"]) if table.has_attr("data-count-columns") else []
        yield table, header, rows, counts


def test_case26_small_counts_suppressed_in_every_published_table(published):
    checked = 0
    for name, html in published["pages"].items():
        for _, header, rows, counts in _tables(html):
            for column in counts:
                index = header.index(column)
                values = [row[index] for row in rows]
                assert not SMALL & set(values) and not {"1"} & set(values), f"{name}: {column} shows {values}"
                checked += 1
    assert checked >= 2
    referrals = next(
        rows
        for _, header, rows, _c in _tables(published["pages"]["02_refuge_demand_supply"])
        if header[:2] == ["Referrals", "Number"]
    )
    declined = next(row for row in referrals if "declined or unsuccessful" in row[0])
    # count, share, its interval ("lower to upper") and what the share is of: all hidden
    assert declined[1] == "[c]" and declined[3:6] == ["[c]"] * 3, declined
    assert not any(re.search(r"\b[1-4] of \d", cell) for row in referrals for cell in row), referrals


def test_case26b_small_counts_absent_from_chart_labels_and_alt_text(published):
    soup = BeautifulSoup(published["pages"]["02_refuge_demand_supply"], "html.parser")
    alts = [img["alt"] for img in soup.find_all("img") if "referral shares" in img["alt"]]
    assert alts, "the referral chart is missing"
    assert all("declined" not in alt and "high" not in alt for alt in alts), alts
    # the row with large counts is still charted: 37 of 40 = 92.5%, shown to whole per cent halves away
    assert "accepted 93%" in alts[0]


def test_case27_no_code_traceback_warning_path_or_parameters_cell_in_any_html(published):
    root = str(published["root"])
    for name, html in published["pages"].items():
        soup = BeautifulSoup(html, "html.parser")
        text = soup.get_text(" ")
        assert not soup.select(".jp-CodeCell .jp-InputArea, .jp-InputPrompt, .jp-Editor, div.highlight, .prompt"), name
        for forbidden in (
            "Traceback",
            "Warning:",
            "UserWarning",
            "injected-parameters",
            "Parameters cell",
            "import ",
            "ctx = report.start",
            root,
            "/work/",
            "/tmp/",
            "researcher-notes",
        ):
            assert forbidden not in html, f"{name} contains {forbidden!r}"
        assert not re.search(r"\bIn \[\d*\]", text), name
        assert not soup.find_all("script", src=True), name


def test_case28_local_data_not_copied_into_processed_or_reports(published):
    root = published["root"]
    raw_text = FIXTURE.read_text(encoding="utf-8")
    header = raw_text.splitlines()[0]
    processed = root / "data" / "processed"
    allowed = {f"{t}.parquet" for t in build.TABLES} | {build.STATE_FILE, build.LOCK_FILE}
    assert {p.name for p in processed.iterdir() if p.name != ".gitkeep"} <= allowed
    for path in [*processed.iterdir(), *(root / "reports").rglob("*")]:
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".csv":  # only the published tables' data, never a council's file
                assert path.parent.name == "data" and path.parent.parent.parent == root / "reports", path
                assert data.decode("utf-8-sig") != raw_text, path
            assert PRIVATE.encode() not in data and header.encode() not in data, path
    records = json.loads((published["folder"] / "02_refuge_demand_supply.run.json").read_text())
    assert "referrals.csv" not in json.dumps(records.get("records", {}))
