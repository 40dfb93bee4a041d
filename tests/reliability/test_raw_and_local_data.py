"""Reliability cases 10-19: raw and local data. Each failure names the file (and line, column,
value where there is one), says how to fix it, exits non-zero, and leaves earlier results intact."""

from __future__ import annotations

import pytest

from analysis import config
from tests.conftest import copy_built_data

from .helpers import assert_one_clear_error, edit_csv_cell, register_new_release, run_cli

#: The population base (Census 2021 TS009), read by the population and census steps.
TS009 = "population/census2021_ts009_ltla21_sex_single_year_age.csv"
TS009_ID = "census2021_ts009_ltla21_sya"
AREA = "Lower Tier Local Authorities Code"


@pytest.fixture
def project(project_copy):
    """A built project copy, and a snapshot of its processed tables to prove nothing is lost.

    The tables are the real project's build copied in (``copy_built_data``: the bytes a build in the
    copy would write, test_determinism), with its state file, so each case starts from a built
    project whose build is up to date without building it again; every case edits the copy."""
    processed = copy_built_data(project_copy) / "data" / "processed"
    snapshot = {p.name: p.read_bytes() for p in processed.glob("*.parquet")}
    return project_copy, snapshot


def _processed_unchanged(root, snapshot) -> bool:
    current = {p.name: p.read_bytes() for p in (root / "data" / "processed").glob("*.parquet")}
    return current == snapshot


def test_case10_raw_file_missing(project):
    root, snapshot = project
    (root / "data" / "raw" / TS009).unlink()
    result = run_cli("data", "build", root=root)
    assert_one_clear_error(result, f"data/raw/{TS009} is missing: run 'analysis data get'")
    assert _processed_unchanged(root, snapshot)


def test_case11_raw_file_edited(project):
    root, snapshot = project
    path = root / "data" / "raw" / TS009
    text = path.read_text()
    assert "E06000045,Southampton,1,Female,16,Aged 16 years," in text
    path.write_text(
        text.replace(
            "E06000045,Southampton,1,Female,16,Aged 16 years,", "E06000045,Southampton,1,Female,16,Aged 16 years,1"
        )
    )
    result = run_cli("data", "verify", root=root)
    assert_one_clear_error(result, f"data/raw/{TS009} has changed", "analysis data get --force")
    build = run_cli("data", "build", root=root)
    assert build.code != 0 and f"data/raw/{TS009} has changed" in build.err
    assert _processed_unchanged(root, snapshot)


def test_case12_csv_with_a_missing_column(project):
    root, snapshot = project
    path = root / "data" / "raw" / TS009
    lines = path.read_text().splitlines()
    path.write_text("\n".join(",".join(line.split(",")[:6]) for line in lines) + "\n")  # drop Observation
    register_new_release(root, TS009_ID)
    result = run_cli("data", "build", root=root)
    assert_one_clear_error(result, f"data/raw/{TS009} failed validation", "Observation")
    assert _processed_unchanged(root, snapshot)


def test_case13_non_numeric_count(project):
    root, snapshot = project
    edit_csv_cell(root / "data" / "raw" / TS009, 10, "Observation", "n/a")
    register_new_release(root, TS009_ID)
    result = run_cli("data", "build", root=root)
    assert_one_clear_error(
        result,
        f"data/raw/{TS009} failed validation",
        "line 10, column 'Observation', value 'n/a': is not a valid number",
    )
    assert _processed_unchanged(root, snapshot)


def test_case14_negative_count(project):
    root, snapshot = project
    edit_csv_cell(root / "data" / "raw" / TS009, 12, "Observation", "-40")
    register_new_release(root, TS009_ID)
    result = run_cli("data", "build", root=root)
    assert_one_clear_error(result, "line 12, column 'Observation', value -40")
    assert _processed_unchanged(root, snapshot)


def test_case15_duplicated_area_row(project):
    root, snapshot = project
    path = root / "data" / "raw" / TS009
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines + [lines[5]]) + "\n")
    register_new_release(root, TS009_ID)
    result = run_cli("data", "build", root=root)
    assert_one_clear_error(result, f"line {len(lines) + 1}, column '{AREA}'", "repeats line 6")
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


# Cases 16-18: a council's local files. `analysis batch` checks every local folder and file before
# any kernel starts when a notebook that reads them (02, 03) is selected.

NOTEBOOKS = str(config.project_root() / "notebooks")


def _batch_02(root):
    return run_cli(
        "batch", "--area", "Hampshire", "--notebooks-dir", NOTEBOOKS, "--notebooks", "02", "--quiet", root=root
    )


def _hampshire_supply(root):
    return root / "data" / "raw" / "local" / "E10000014" / "supply.csv"


def test_case16_local_file_for_an_area_code_that_does_not_exist(project):
    root, _ = project
    folder = root / "data" / "raw" / "local" / "E10000099"
    folder.mkdir()
    (folder / "supply.csv").write_text(_hampshire_supply(root).read_text())
    result = _batch_02(root)
    assert_one_clear_error(
        result,
        "data/raw/local/E10000099: the folder name is not an upper-tier authority code",
        "Rename the folder to the code of the authority the files describe, or remove it",
    )
    assert not (root / "reports" / "E10000014-hampshire").exists()


def test_case17_local_file_in_the_wrong_encoding(project):
    root, _ = project
    path = _hampshire_supply(root)
    text = path.read_text(encoding="utf-8").replace("Stop Domestic Abuse", "Stop Domestic Abuse – café", 1)
    path.write_bytes(text.encode("cp1252"))
    result = _batch_02(root)
    assert_one_clear_error(
        result, "data/raw/local/E10000014/supply.csv is not UTF-8 text: byte 0x96 on line 2", "Save the file as UTF-8"
    )


def test_case17b_local_file_with_a_byte_order_mark_is_read_normally(project, monkeypatch):
    from analysis.methods import areas, council_data

    root, _ = project
    monkeypatch.setenv(config.ROOT_ENV, str(root))
    path = _hampshire_supply(root)
    plain = council_data.load_local_data(areas.get_area("E10000014")).supply
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    with_bom = council_data.load_local_data(areas.get_area("E10000014")).supply
    rows = len(path.read_text(encoding="utf-8-sig").strip().splitlines()) - 1
    assert with_bom.equals(plain) and "period" in with_bom.columns and len(with_bom) == rows


def test_case18_empty_local_file(project):
    root, _ = project
    _hampshire_supply(root).write_text("")
    result = _batch_02(root)
    assert_one_clear_error(
        result, "data/raw/local/E10000014/supply.csv is empty", "or delete the file if you have no figures"
    )


# Case 18b: a council's Part 4 return files (data/raw/local/<code>/part4_*.csv), checked like the others.


def _hampshire_part4(root, name="part4_referrals.csv"):
    return root / "data" / "raw" / "local" / "E10000014" / name


def test_case18b_malformed_part4_file_stops_the_batch_naming_line_column_value(project):
    root, _ = project
    path = _hampshire_part4(root)
    text = path.read_text(encoding="utf-8").replace(",342,2020-21,", ",342 households,2020-21,", 1)
    path.write_text(text, encoding="utf-8")
    result = _batch_02(root)
    assert_one_clear_error(
        result,
        "data/raw/local/E10000014/part4_referrals.csv failed validation",
        "line 3, column 'count', value '342 households': is not a valid number",
        "README.txt",
    )
    assert not (root / "reports" / "E10000014-hampshire").exists()
    check = run_cli("local", "check", "Hampshire", root=root)
    assert_one_clear_error(check, "line 3, column 'count', value '342 households'")


def test_case18c_template_refuses_to_overwrite_and_keeps_the_files(project):
    root, _ = project
    folder = _hampshire_part4(root).parent
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    for extra in ([], ["--force"]):
        result = run_cli("local", "template", "Hampshire", *extra, root=root)
        assert_one_clear_error(result, "data/raw/local/E10000014/part4_referrals.csv", "Nothing was written")
        assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
