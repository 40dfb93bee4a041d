"""Determinism: two clean builds give byte-identical processed data, and two runs of the same report
give identical HTML apart from the one stated timestamp line ("Published <date>")."""

from __future__ import annotations

import re
import shutil

import pytest

from analysis import config
from analysis.data import build

from .helpers import run_cli

pytestmark = pytest.mark.notebook

TIMESTAMP_LINE = re.compile(r"Published \d{1,2} \w+ \d{4}")


def test_two_clean_builds_are_byte_identical(project_copy):
    processed = project_copy / "data" / "processed"
    build.build_tables(report=lambda m: None)
    first = {p.name: p.read_bytes() for p in processed.glob("*.parquet")}
    for path in processed.glob("*"):
        path.unlink()
    build.build_tables(report=lambda m: None)
    second = {p.name: p.read_bytes() for p in processed.glob("*.parquet")}
    assert first.keys() == {f"{t}.parquet" for t in build.TABLES} and first == second


def test_two_runs_of_the_same_report_give_the_same_html(hampshire_batch, tmp_path):
    """The first run is chapter 04 of the session's Hampshire batch (tests/conftest.py); the second
    reruns it (``--force``) in a copy of that reports folder, so the page is made again beside the
    same chapters."""
    first = (hampshire_batch["folder"] / "04_young_people_14_18.html").read_text(encoding="utf-8")
    reports = tmp_path / "reports"
    shutil.copytree(hampshire_batch["reports"], reports)
    result = run_cli(
        "batch",
        "--area",
        "Hampshire",
        "--notebooks",
        "04",
        "--force",
        "--reports-dir",
        str(reports),
        "--notebooks-dir",
        str(config.project_root() / "notebooks"),
        "--quiet",
    )
    assert result.code == 0, result.err
    assert "1 ran" in result.out, result.out
    second = (reports / "E10000014-hampshire" / "04_young_people_14_18.html").read_text(encoding="utf-8")
    assert len(TIMESTAMP_LINE.findall(first)) == 1
    first, second = (TIMESTAMP_LINE.sub("Published <date>", page) for page in (first, second))
    assert first == second
