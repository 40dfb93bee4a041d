"""Raw-file manifest: obtaining files from a mirror or over HTTP, verifying, re-hashing authored tables."""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
import yaml

from analysis.data import sources
from analysis.errors import DataFileError

from .conftest import REAL_ROOT


def test_manifest_entries_have_provenance():
    files = sources.load_manifest()
    assert len(files) >= 19
    for item in files:
        assert item.licence in {"OGL-3.0", "CC-BY-4.0", "mixed-quoted-facts"}, item.id
        assert item.attribution and item.vintage and item.publisher, item.id
        if item.kind == "open_data":
            assert len(item.sha256) == 64, item.id
            assert item.download_url or item.obtain, f"{item.id} says neither where to download nor how to obtain it"


def test_mysociety_register_is_attributed_under_cc_by():
    item = sources.get_source("mysociety_la_register")
    assert item.licence == "CC-BY-4.0" and "mySociety" in item.attribution


def test_every_file_in_data_raw_is_in_the_manifest():
    listed = {f.path for f in sources.load_manifest()}
    raw = REAL_ROOT / "data" / "raw"
    present = {str(p.relative_to(raw)) for p in raw.rglob("*") if p.is_file()}
    present -= {"sources.yaml", "README.md"}
    unlisted = sorted(p for p in present if p not in listed and not p.startswith("local/"))
    assert not unlisted, f"raw files missing from sources.yaml: {unlisted}"


def test_verify_passes_on_the_shipped_files():
    checked = sources.verify_raw_files()
    assert {f.id for f in checked} >= {"lad21_boundaries", "census2021_ts009_ltla21_sya", "csew_rates_authored"}


def test_verify_names_an_edited_raw_file(project_copy):
    target = project_copy / "data" / "raw" / "population" / "census2021_ts009_ltla21_sex_single_year_age.csv"
    text = target.read_text()
    assert "E06000001,Hartlepool,1,Female,0,Aged under 1 year,449\n" in text
    target.write_text(
        text.replace(
            "E06000001,Hartlepool,1,Female,0,Aged under 1 year,449\n",
            "E06000001,Hartlepool,1,Female,0,Aged under 1 year,450\n",
        )
    )
    with pytest.raises(DataFileError) as info:
        sources.verify_raw_files()
    assert "population/census2021_ts009_ltla21_sex_single_year_age.csv has changed" in str(info.value)
    assert "analysis data get --force" in str(info.value)


def test_verify_names_a_missing_raw_file(project_copy):
    (project_copy / "data" / "raw" / "lookups" / "LTLA22_UTLA22_Dec2022_Lookup_EW.csv").unlink()
    with pytest.raises(DataFileError, match=r"LTLA22_UTLA22_Dec2022_Lookup_EW.csv is missing: run 'analysis data get'"):
        sources.verify_raw_files()


def _remove_open_data(root: Path) -> None:
    for item in sources.load_manifest():
        if item.kind == "open_data":
            (root / "data" / "raw" / item.path).unlink()


def test_get_copies_from_a_mirror_and_verifies(project_copy):
    _remove_open_data(project_copy)
    mirror = REAL_ROOT / "data" / "raw"
    got = sources.get_raw_files(mirror, download=False, report=lambda m: None)
    assert len(got) == sum(1 for f in sources.load_manifest() if f.kind == "open_data")
    assert sources.verify_raw_files()
    again = sources.get_raw_files(mirror, download=False, report=lambda m: None)
    assert again == [], "a second get re-copied files that were already present and valid"


def test_get_refuses_a_mirror_file_with_the_wrong_checksum(project_copy, tmp_path):
    mirror = tmp_path / "mirror"
    shutil.copytree(REAL_ROOT / "data" / "raw", mirror)
    bad = mirror / "lookups" / "ons_geo_scripts_rgn22_codes_names.csv"
    bad.chmod(0o644)
    bad.write_text(bad.read_text() + "E12000010,Nowhere\n")
    (project_copy / "data" / "raw" / "lookups" / "ons_geo_scripts_rgn22_codes_names.csv").unlink()
    with pytest.raises(DataFileError, match="ons_geo_scripts_rgn22_codes_names.csv: checksum .* differs"):
        sources.get_raw_files(mirror, download=False, report=lambda m: None)
    assert not (project_copy / "data" / "raw" / "lookups" / "ons_geo_scripts_rgn22_codes_names.csv").exists()


def test_get_without_mirror_or_download_says_how_to_obtain(project_copy, tmp_path):
    # a hand transcription: no verbatim download, so only its 'obtain' text can say where it is
    (project_copy / "data" / "raw" / "domestic_abuse" / "csew_domestic_abuse_by_sex_age.csv").unlink()
    with pytest.raises(DataFileError) as info:
        sources.get_raw_files(tmp_path / "empty-mirror", download=True, report=lambda m: None)
    text = str(info.value)
    assert "csew_domestic_abuse_by_sex_age.csv: not in the mirror" in text and "hand transcription" in text


@pytest.fixture
def local_http_server():
    """Serve the real data/raw folder on 127.0.0.1 (no internet is used)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(REAL_ROOT / "data" / "raw"))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _point_manifest_at(root: Path, base_url: str, ids: set[str], url_suffix: str = "") -> None:
    manifest = root / "data" / "raw" / "sources.yaml"
    doc = yaml.safe_load(manifest.read_text())
    for entry in doc["files"]:
        if entry["id"] in ids:
            entry["download_url"] = f"{base_url}/{entry['path']}{url_suffix}"
    manifest.write_text(yaml.safe_dump(doc, sort_keys=False))


def test_get_downloads_over_http_and_verifies(project_copy, local_http_server, tmp_path):
    ids = {"lad21_boundaries", "mye2022_all_ages", "ons_rgn22_codes"}
    _point_manifest_at(project_copy, local_http_server, ids)
    for item in sources.load_manifest():
        if item.id in ids:
            item.local_path.unlink()
    messages: list[str] = []
    got = sources.get_raw_files(tmp_path / "no-mirror", download=True, report=messages.append)
    assert sorted(p.name for p in got) == sorted(
        ["LAD_May2021_UK_BUC.geojson", "mye2022_all_ages_uk_areas.csv", "ons_geo_scripts_rgn22_codes_names.csv"]
    )
    assert any("downloading" in m and "127.0.0.1" in m for m in messages)
    sources.verify_raw_files()


def test_get_reports_a_failed_download_by_file_and_keeps_other_files(project_copy, local_http_server, tmp_path):
    _point_manifest_at(project_copy, local_http_server, {"ons_cty23_codes"}, url_suffix=".missing")
    (project_copy / "data" / "raw" / "lookups" / "ons_geo_scripts_cty23_codes_names.csv").unlink()
    kept = project_copy / "data" / "raw" / "lookups" / "ons_geo_scripts_rgn22_codes_names.csv"
    with pytest.raises(
        DataFileError, match=r"lookups/ons_geo_scripts_cty23_codes_names.csv: could not be obtained .*404"
    ):
        sources.get_raw_files(tmp_path / "no-mirror", download=True, report=lambda m: None)
    assert kept.is_file()


def test_hash_records_an_edited_authored_table(project_copy):
    table = project_copy / "data" / "raw" / "authored" / "csew_prevalence_rates.csv"
    table.write_text(table.read_text() + table.read_text().splitlines()[1].replace("YE Mar 2020", "YE Mar 2019") + "\n")
    with pytest.raises(DataFileError):
        sources.verify_raw_files()
    digest = sources.update_manifest_checksum("authored/csew_prevalence_rates.csv")
    assert sources.get_source("csew_rates_authored").sha256 == digest
    assert "# Manifest of every raw data file" in (project_copy / "data" / "raw" / "sources.yaml").read_text()
    sources.verify_raw_files()


def test_hash_refuses_third_party_files(project_copy):
    with pytest.raises(DataFileError, match="third-party open_data data and must not change"):
        sources.update_manifest_checksum("data/raw/boundaries/LAD_May2021_UK_BUC.geojson")


def test_manifest_with_a_missing_field_is_named(project_copy):
    manifest = project_copy / "data" / "raw" / "sources.yaml"
    doc = yaml.safe_load(manifest.read_text())
    del doc["files"][2]["licence"]
    manifest.write_text(yaml.safe_dump(doc, sort_keys=False))
    with pytest.raises(DataFileError, match=r"sources.yaml entry 3 \(nuts1_regions_boundaries\) lacks licence"):
        sources.load_manifest()


def test_raw_data_is_not_committed():
    tracked = subprocess.run(
        ["git", "ls-files", "data/raw"], cwd=REAL_ROOT, capture_output=True, text=True
    ).stdout.split()
    open_data = {f"data/raw/{f.path}" for f in sources.load_manifest() if f.kind == "open_data"}
    assert not (open_data & set(tracked)), "third-party open data must not be committed"


def test_a_councils_own_local_files_are_ignored_by_git_but_the_worked_examples_are_not():
    def ignored(path: str) -> bool:
        return subprocess.run(["git", "check-ignore", "--no-index", "-q", path], cwd=REAL_ROOT).returncode == 0

    assert ignored("data/raw/local/E10000030/supply.csv")  # Surrey's own figures, were it to add them
    assert ignored("data/raw/local/E12000007/referrals.csv")
    assert not ignored("data/raw/local/E10000014/supply.csv")
    assert not ignored("data/raw/local/E06000045/referrals.csv")
