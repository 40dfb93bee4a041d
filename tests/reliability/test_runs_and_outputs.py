"""Reliability cases 20-25: runs and outputs, on the fixture notebooks (tests/fixtures/notebooks):
a failure, a dead or hanging kernel, an interrupted batch, two batches at once, a folder that
cannot be written, and a project in a path with spaces and non-ASCII characters. Earlier
results must always stay intact."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from analysis import files
from analysis.run import lock
from tests.conftest import copy_built_data, copy_project_data

from .helpers import Result, assert_one_clear_error, run_cli

pytestmark = pytest.mark.notebook

FIXTURES = Path(__file__).parents[1] / "fixtures" / "notebooks"
FOLDER = "E06000045-southampton"


def batch_args(reports: Path, *notebooks: str, extra: tuple[str, ...] = ()) -> list[str]:
    return [
        "batch",
        "--area",
        "Southampton",
        "--notebooks-dir",
        str(FIXTURES),
        "--reports-dir",
        str(reports),
        "--workers",
        "2",
        "--notebooks",
        *notebooks,
        *extra,
    ]


@pytest.fixture(scope="module")
def mixed(failing_batch):
    """One batch: a good notebook, one that raises, one whose kernel dies, one that hangs (3 s limit);
    the session's ``failing_batch`` (tests/conftest.py), run through ``analysis batch`` and shared
    with tests/test_batch.py, which only reads it too."""
    return failing_batch["reports"], Result(failing_batch["code"], failing_batch["out"], failing_batch["err"])


def test_case20_notebook_raising_mid_batch(mixed):
    reports, result = mixed
    assert result.code == 1
    assert (reports / FOLDER / "fixture_second.html").is_file()
    assert not (reports / FOLDER / "fixture_fails.html").exists()
    assert (reports / FOLDER / "fixture_fails.failed.ipynb").is_file()  # kept for debugging
    failed = [line for line in result.out.splitlines() if "fixture_fails" in line]
    assert failed and "Southampton (E06000045) fixture_fails: cell" in failed[0] and "Error" in failed[0]
    assert "1 ran" in result.out and "3 failed" in result.out


def test_case25_kernel_that_dies_or_hangs(mixed):
    reports, result = mixed
    # The execution count "(In [3])" is shown when the kernel acknowledged the cell before it died or
    # hung; a kernel that dies at once may not have, so only the cell number is certain.
    lines = result.out.splitlines()
    died = [line for line in lines if "fixture_dies: cell 3" in line]
    hung = [line for line in lines if "fixture_sleeps: cell 3" in line]
    assert died and "the kernel died (crashed, was killed, or ran out of memory)" in died[0]
    assert hung and "timed out: the notebook was still running after 3 s" in hung[0]
    assert (reports / FOLDER / "fixture_second.html").is_file()  # the batch carried on


def test_case21_batch_interrupted_and_resumed(interrupted_batch):
    """The session's interrupted batch (``interrupted_batch`` in tests/conftest.py): fixture_second
    published, fixture_sleeps running, then Ctrl-C, then the same command again."""
    seen = interrupted_batch
    process, err = seen["process"], seen["err"]
    assert process.returncode == 130 and "interrupted: stopped cleanly" in err
    assert psutil.wait_procs(seen["descendants"], timeout=30)[1] == []  # nothing the batch started is left running
    assert "fixture_sleeps.html" not in seen["names_after"]  # no half-written report
    assert not [name for name in seen["names_after"] if name.startswith(".")]
    assert seen["second_html_after"] == seen["earlier"]
    resumed = seen["resumed"]
    assert resumed.returncode == 0, resumed.stderr
    assert "1 ran" in resumed.stdout and "1 skipped (unchanged)" in resumed.stdout
    assert seen["sleeps_published"]


def test_case22_two_batches_at_once(tmp_path):
    reports = tmp_path / "reports"
    with lock.batch_lock(reports, "analysis batch --all"):
        result = run_cli(*batch_args(reports, "fixture_second"))
    assert_one_clear_error(
        result,
        f"Another batch is already writing to {reports} (PID {os.getpid()} on",
        "Wait for it to finish or stop it",
    )
    assert not (reports / FOLDER).exists()


def _unprivileged(command: list[str], env: dict) -> subprocess.CompletedProcess:
    """Run as user 'nobody' when we are root (root ignores file permissions)."""
    if os.geteuid() == 0:
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    return subprocess.run(command, capture_output=True, text=True, env=env)


def test_case23_reports_folder_read_only(tmp_path, tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    home.chmod(0o777)  # a writable HOME for the unprivileged user
    reports = tmp_path / "reports"
    (reports / FOLDER).mkdir(parents=True)
    earlier = reports / FOLDER / "fixture_second.html"
    earlier.write_text("earlier report")
    for path in (tmp_path, reports, reports / FOLDER):
        path.chmod(0o555)
    try:
        done = _unprivileged(
            [sys.executable, "-m", "analysis", *batch_args(reports, "fixture_second")], dict(os.environ, HOME=str(home))
        )
    finally:
        for path in (tmp_path, reports, reports / FOLDER):
            path.chmod(0o755)
    assert done.returncode == 1, done.stderr
    assert f"error: Cannot write to the reports folder {reports}" in done.stderr
    assert "hint: " in done.stderr and "Traceback" not in done.stderr
    assert earlier.read_text() == "earlier report"


def test_case23b_disk_full_while_publishing(tmp_path, monkeypatch):
    """The write fails part-way (simulated ENOSPC at fsync): the run fails, the earlier report stays whole."""

    target = tmp_path / "report.html"
    files.write_atomic(target, "earlier report")

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left on device"):
        files.write_atomic(target, "new report " * 1000)
    assert target.read_text() == "earlier report" and [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_case24_project_in_a_path_with_spaces_and_non_ascii(tmp_path):
    root = copy_built_data(copy_project_data(tmp_path / "Cyngor Sir Ynys Môn" / "Asesiad anghenion 2026" / "project"))
    (root / "notebooks").mkdir()
    shutil.copy2(FIXTURES / "fixture_second.ipynb", root / "notebooks" / "fixture_second.ipynb")
    result = run_cli("report", "--area", "Southampton", root=root)
    assert result.code == 0, result.err
    html = (root / "reports" / FOLDER / "fixture_second.html").read_text(encoding="utf-8")
    assert "Southampton" in html and "Cyngor Sir" not in html and str(root) not in html
    assert (root / "reports" / "index.html").is_file()
