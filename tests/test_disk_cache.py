"""Results kept on disk between processes (analysis.data.disk_cache), as the local data reader uses them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pandas as pd
import pytest

from analysis import config
from analysis.data import disk_cache, local_data
from analysis.errors import ValidationError
from tests.conftest import wait_for

HAMPSHIRE = "E10000014"


@pytest.fixture
def council_folder(tmp_path, monkeypatch):
    """Hampshire's shipped local files in a temporary project (the cache lands in its data/interim)."""
    monkeypatch.setenv(config.ROOT_ENV, str(tmp_path))
    folder = tmp_path / "data" / "raw" / "local" / HAMPSHIRE
    shutil.copytree(config.SOURCE_ROOT / "data" / "raw" / "local" / HAMPSHIRE, folder)
    return folder


def _cached_files(root):
    return sorted((root / "data" / "interim" / disk_cache.FOLDER / local_data.CACHE_KIND).glob("*.pickle"))


def _assert_same(first: local_data.LocalData, second: local_data.LocalData) -> None:
    assert first.tables().keys() == second.tables().keys()
    for name, table in first.tables().items():
        pd.testing.assert_frame_equal(table, second.tables()[name], check_exact=True)


def test_validated_files_are_kept_and_read_back_unchanged(council_folder, tmp_path, monkeypatch):
    first = local_data.read_local_files(HAMPSHIRE, council_folder)
    assert len(_cached_files(tmp_path)) == 1
    monkeypatch.setattr(local_data, "read_supply", lambda path: pytest.fail("validated again"))
    _assert_same(first, local_data.read_local_files(HAMPSHIRE, council_folder))
    monkeypatch.setenv(disk_cache.ENV, "0")  # off: validated from the file again
    with pytest.raises(pytest.fail.Exception, match="validated again"):
        local_data.read_local_files(HAMPSHIRE, council_folder)


def test_a_changed_file_is_validated_again_and_its_error_raised_every_time(council_folder, tmp_path):
    local_data.read_local_files(HAMPSHIRE, council_folder)
    supply = council_folder / config.LOCAL_SUPPLY_FILE
    text = supply.read_text(encoding="utf-8")
    # Same size, same folder: only the content says the file changed ("92" bedspaces -> "x2").
    supply.write_text(text.replace(",10,92,", ",10,x2,", 1), encoding="utf-8")
    assert len(supply.read_bytes()) == len(text.encode("utf-8"))
    for _ in range(2):  # errors are never kept
        with pytest.raises(ValidationError, match="bedspaces"):
            local_data.read_local_files(HAMPSHIRE, council_folder)
    assert len(_cached_files(tmp_path)) == 1
    supply.write_text(text, encoding="utf-8")
    fresh = local_data.read_local_files(HAMPSHIRE, council_folder)
    assert int(fresh.supply["bedspaces"].iloc[0]) == 92


def test_an_unreadable_cache_file_is_a_miss(council_folder, tmp_path):
    first = local_data.read_local_files(HAMPSHIRE, council_folder)
    (kept,) = _cached_files(tmp_path)
    kept.write_bytes(kept.read_bytes()[:100])  # truncated
    _assert_same(first, local_data.read_local_files(HAMPSHIRE, council_folder))


def test_indicator_frames_are_read_back_from_disk_unchanged(monkeypatch):
    from analysis.data import memo
    from analysis.methods.indicators import registry

    indicator = registry.indicator_ids()[0]
    memo.clear_all()
    registry.compute_indicator(indicator)  # computed, or found, and kept
    memo.clear_all()  # a new process: nothing in memory
    monkeypatch.setattr(registry, "_indicator_frame", lambda chosen, level: pytest.fail("computed again"))
    kept = registry.compute_indicator(indicator)
    monkeypatch.undo()
    monkeypatch.setenv(disk_cache.ENV, "0")
    memo.clear_all()
    pd.testing.assert_frame_equal(kept, registry.compute_indicator(indicator), check_exact=True)


def test_no_disk_key_when_a_table_is_not_the_built_file(monkeypatch):
    from analysis.data import tables

    assert disk_cache.data_key() is not None
    real = tables.read_table
    monkeypatch.setattr(tables, "read_table", lambda name: real(name).copy() if name == "population" else real(name))
    assert disk_cache.data_key() is None


def test_map_classes_are_read_back_from_disk_unchanged(monkeypatch):
    from analysis.methods.indicators import registry
    from analysis.present import map_classes

    frame = registry.compute_indicator(registry.indicator_ids()[0])
    computed = map_classes.class_breaks(frame, "fisher_jenks", 4)
    monkeypatch.setitem(sys.modules, "mapclassify", None)  # importing it now fails
    kept = map_classes.class_breaks(frame, "fisher_jenks", 4)
    assert kept.dtype == computed.dtype and kept.tolist() == computed.tolist()
    kept[0] = -1.0  # the caller's copy
    assert map_classes.class_breaks(frame, "fisher_jenks", 4).tolist() == computed.tolist()


def test_only_the_newest_results_of_a_kind_are_kept(tmp_path, monkeypatch):
    monkeypatch.setenv(config.ROOT_ENV, str(tmp_path))
    monkeypatch.setattr(disk_cache, "MAX_FILES", 3)
    keys = [disk_cache.key("example", str(i)) for i in range(5)]
    for i, key in enumerate(keys):
        disk_cache.store("example", key, i)
        written = tmp_path / "data" / "interim" / disk_cache.FOLDER / "example" / f"{key}.pickle"
        os.utime(written, ns=(i * 10**9, i * 10**9))  # one second apart, whatever the clock's resolution
    assert [disk_cache.load("example", key) for key in keys] == [None, None, 2, 3, 4]


def test_data_build_fills_the_cache_once_and_reports_then_compute_no_indicator(monkeypatch):
    """analysis data build (set-up) computes the England-wide results every report needs, once per code and data."""
    from analysis.data import memo
    from analysis.methods.indicators import registry
    from analysis.run import plan

    done = disk_cache.key(plan.FILLED_KIND, disk_cache.data_key())
    disk_cache.store(plan.FILLED_KIND, done, None)  # as if never filled (a stored None reads as a miss)
    memo.clear_all()
    assert plan.fill_disk_cache() == len(registry.list_indicators())
    assert plan.fill_disk_cache() == 0  # done for this code and data: nothing computed again
    memo.clear_all()  # a report's kernel: nothing in memory
    monkeypatch.setattr(registry, "_indicator_frame", lambda chosen, level: pytest.fail("computed again"))
    for indicator in registry.list_indicators():
        assert len(registry.compute_indicator(indicator)) > 0


#: A process that computes one cached result: announces itself, waits for the "go" file, records
#: that it computed, and prints the value it got.
_COMPUTE_ONCE = """
import sys, time
from pathlib import Path
from analysis.data import disk_cache

folder = Path(sys.argv[1])
(folder / f"calling-{sys.argv[2]}").touch()


def compute():
    (folder / f"computing-{sys.argv[2]}").touch()
    deadline = time.monotonic() + 60
    while not (folder / "go").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return f"computed by {sys.argv[2]}"


print(disk_cache.cached("fixture-concurrent", ["one key"], compute))
"""


def test_processes_missing_the_same_result_at_once_compute_it_once(tmp_path):
    """The second process waits on the key's lock while the first computes, then reads what it kept."""
    env = {**os.environ, config.ROOT_ENV: str(tmp_path)}
    command = [sys.executable, "-c", _COMPUTE_ONCE, str(tmp_path)]
    first = subprocess.Popen([*command, "first"], env=env, stdout=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: (tmp_path / "computing-first").exists())
        second = subprocess.Popen([*command, "second"], env=env, stdout=subprocess.PIPE, text=True)
        try:
            wait_for(lambda: (tmp_path / "calling-second").exists())
            time.sleep(1.0)  # time for the second to reach its own computation, were it not waiting
            (tmp_path / "go").touch()
            outputs = [first.communicate(timeout=60)[0], second.communicate(timeout=60)[0]]
        finally:
            second.kill()
    finally:
        first.kill()
    assert [first.returncode, second.returncode] == [0, 0]
    assert outputs == ["computed by first\n", "computed by first\n"]
    assert not (tmp_path / "computing-second").exists()
