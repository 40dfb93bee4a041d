"""Reliability cases 10-19: raw and local data. Each failure names the file (and line, column,
value where there is one), says how to fix it, exits non-zero, and leaves earlier results intact."""

from __future__ import annotations

import pytest

from analysis import config

from .helpers import assert_one_clear_error, edit_csv_cell, register_new_release, run_cli

MYE = "population/mye2020_ltla21_persons_single_year_age.csv"


@pytest.fixture
def project(built_project_copy):
    """A built project copy, and a snapshot of its processed tables to prove nothing is lost."""
    processed = built_project_copy / "data" / "processed"
    snapshot = {p.name: p.read_bytes() for p in processed.glob("*.parquet")}
    return built_project_copy, snapshot


def _processed_unchanged(root, snapshot) -> bool:
    current = {p.name: p.read_bytes() for p in (root / "data" / "processed").glob("*.parquet")}
    return current == snapshot


def test_case10_raw_file_missing(project):
    root, snapshot = project
    (root / "data" / "raw" / MYE).unlink()
    result = run_cli("data", "build", root=root)
    assert_one_clear_error(result, f"data/raw/{MYE} is missing: run 'analysis data get'")
    assert _processed_unchanged(root, snapshot)


def test_case11_raw_file_edited(project):
    root, snapshot = project
    path = root / "data" / "raw" / MYE
    path.write_text(path.read_text().replace("E06000045,Southampton,252872", "E06000045,Southampton,252873"))
    result = run_cli("data", "verify", root=root)
    assert_one_clear_error(result, f"data/raw/{MYE} has changed", "analysis data get --force")
    build = run_cli("data", "build", root=root)
    assert build.code != 0 and f"data/raw/{MYE} has changed" in build.err
    assert _processed_unchanged(root, snapshot)


def test_case12_csv_with_a_missing_column(project):
    root, snapshot = project
    path = root / "data" / "raw" / "population" / "census2021_ltla21_persons_females_males.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(",".join(line.split(",")[:3]) for line in lines) + "\n")
    register_new_release(root, "census2021_ltla21_sex")
    result = run_cli("data", "build", root=root)
    assert_one_clear_error(result, "census2021_ltla21_persons_females_males.csv failed validation",
                           "missing column 'total_males'")
    assert _processed_unchanged(root, snapshot)


def test_case13_non_numeric_count(project):
    root, snapshot = project
    edit_csv_cell(root / "data" / "raw" / MYE, 10, "16", "n/a")
    register_new_release(root, "mye2020_ltla21_sya")
    result = run_cli("data", "build", root=root)
    assert_one_clear_error(result, f"data/raw/{MYE} failed validation", "line 10, column '16', value 'n/a': is not a valid number")
    assert _processed_unchanged(root, snapshot)


def test_case14_negative_count(project):
    root, snapshot = project
    edit_csv_cell(root / "data" / "raw" / MYE, 12, "30", "-40")
    register_new_release(root, "mye2020_ltla21_sya")
    result = run_cli("data", "build", root=root)
    assert_one_clear_error(result, "line 12, column '30', value -40.0: must be >= 0")
    assert _processed_unchanged(root, snapshot)


def test_case15_duplicated_area_row(project):
    root, snapshot = project
    path = root / "data" / "raw" / MYE
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines + [lines[5]]) + "\n")
    register_new_release(root, "mye2020_ltla21_sya")
    result = run_cli("data", "build", root=root)
    assert_one_clear_error(result, f"line {len(lines) + 1}, column 'ltla21_code'", "is repeated (must be unique)")
    assert _processed_unchanged(root, snapshot)


@pytest.mark.parametrize("damage", ["deleted", "truncated"])
def test_case19_processed_parquet_deleted_or_truncated_is_rebuilt(project, damage):
    root, _ = project
    path = root / "data" / "processed" / "authorities.parquet"
    if damage == "deleted":
        path.unlink()
    else:
        path.write_bytes(path.read_bytes()[:500])
    result = run_cli("areas", "find", "Hampshire", root=root)
    assert result.code == 0 and result.out.startswith("E10000014  Hampshire")
    assert "note: data/processed/authorities.parquet" in result.err and "rebuilding it from data/raw" in result.err
    assert (root / "data" / "processed" / "authorities.parquet").stat().st_size > 1000
