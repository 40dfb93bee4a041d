"""The paths of ``analysis.config`` follow ``ANALYSIS_ROOT`` on every read."""

from __future__ import annotations

from analysis import config


def test_every_read_follows_analysis_root_as_it_is_now(monkeypatch, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    for root in (first, second, first):  # back to a value read before: its path, not the last one's
        monkeypatch.setenv(config.ROOT_ENV, str(root))
        assert root == config.ROOT
        assert root / "data" / "processed" == config.PROCESSED_DIR
        assert root / "data" / "raw" / "sources.yaml" == config.MANIFEST_PATH
    monkeypatch.delenv(config.ROOT_ENV)
    assert config.ROOT == config.SOURCE_ROOT
    assert config.RAW_DIR == config.SOURCE_ROOT / "data" / "raw"


def test_a_linked_or_relative_root_is_read_as_the_absolute_folder_it_names_now(monkeypatch, tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    monkeypatch.setenv(config.ROOT_ENV, str(tmp_path / "link"))
    assert real.resolve() / "data" / "interim" == config.INTERIM_DIR
    monkeypatch.setenv(config.ROOT_ENV, "project")  # relative: to the folder the process is in at the time
    for folder in ("one", "two", "one"):
        (tmp_path / folder / "project").mkdir(parents=True, exist_ok=True)
        monkeypatch.chdir(tmp_path / folder)
        assert (tmp_path / folder / "project").resolve() / "reports" == config.REPORTS_DIR
