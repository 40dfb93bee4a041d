"""The batch lock across processes: a second holder is refused naming the first, a killed holder's lock is
taken over with its record, and a stopped batch's temporary files are removed (analysis.run.lock)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.errors import BatchError
from analysis.run import lock

from .conftest import wait_for

#: A process that takes the batch lock of the folder given as its argument and holds it until its
#: standard input closes (or it is killed).
HOLDER = """
import sys
from analysis.run import lock
with lock.batch_lock(sys.argv[1], "analysis batch --all (the first holder)"):
    sys.stdin.read()
"""


def _start_holder(reports: Path) -> subprocess.Popen:
    """A holder process, returned once its record names it (it holds the lock from then on)."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(reports)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    def holding() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"the holder exited early: {process.stderr.read()}")
        return lock.read_holder(reports).get("pid") == process.pid

    try:
        wait_for(holding, timeout=60)
    except BaseException:
        process.kill()
        process.wait(timeout=30)
        raise
    return process


def test_a_second_holder_in_another_process_is_refused_naming_the_first(tmp_path):
    reports = tmp_path / "reports"
    holder = _start_holder(reports)
    try:
        record = json.loads((reports / lock.LOCK_NAME).read_text(encoding="utf-8"))
        assert record["pid"] == holder.pid and record["host"] == socket.gethostname()
        assert record["command"] == "analysis batch --all (the first holder)" and record["started"]
        with pytest.raises(BatchError) as refused:
            with lock.batch_lock(reports, "analysis batch --area E10000014"):
                pytest.fail("the second holder got the lock")
        assert refused.value.message == (
            f"Another batch is already writing to {reports} (PID {holder.pid} on {socket.gethostname()}, "
            f"started {record['started']}: analysis batch --all (the first holder))."
        )
        assert refused.value.hint.startswith("Wait for it to finish or stop it")
        assert lock.read_holder(reports) == record  # the refused batch left the holder's record alone
        holder.communicate("", timeout=60)  # the first holder finishes and releases
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(timeout=30)
    assert holder.returncode == 0
    assert (reports / lock.LOCK_NAME).read_text(encoding="utf-8") == ""  # a clean release empties the record
    with lock.batch_lock(reports) as stale:
        assert stale == {}


def test_a_lock_released_by_a_killed_holder_is_taken_over_with_its_record(tmp_path):
    reports = tmp_path / "reports"
    holder = _start_holder(reports)
    holder.kill()  # SIGKILL: no clean-up runs, the record stays
    holder.communicate(timeout=60)
    with lock.batch_lock(reports, "analysis batch --all (the next batch)") as stale:
        assert stale["pid"] == holder.pid and stale["command"] == "analysis batch --all (the first holder)"
        assert lock.read_holder(reports)["pid"] == os.getpid()
    assert lock.read_holder(reports) == {}


def test_the_record_is_beside_the_lock_file_not_in_it(tmp_path):
    reports = tmp_path / "reports"
    with lock.batch_lock(reports, "analysis batch --all"):
        assert lock.read_holder(reports)["pid"] == os.getpid()
        assert (reports / lock.LOCK_FILE_NAME).exists()
        assert "pid" not in (reports / lock.LOCK_FILE_NAME).read_text(encoding="utf-8")


def test_remove_partial_files_removes_only_temporary_files(tmp_path):
    reports = tmp_path / "reports"
    area = reports / "E10000014-hampshire"
    area.mkdir(parents=True)
    partial = [
        area / ".01_prevalence.html.k2j3h4.tmp",  # an unfinished atomic write (files.atomic_path)
        area / ".01_prevalence.running-123-456.ipynb",  # an unfinished run (runner.execute_run)
        reports / ".index.html.a8b7c6.tmp",
    ]
    kept = [area / "01_prevalence.html", area / "01_prevalence.ipynb", reports / "index.html", reports / "batch.log"]
    for path in partial + kept:
        path.write_text("x", encoding="utf-8")
    with lock.batch_lock(reports):
        assert sorted(lock.remove_partial_files(reports)) == sorted(partial)
    assert not any(path.exists() for path in partial)
    assert all(path.read_text(encoding="utf-8") == "x" for path in kept)
    assert (reports / lock.LOCK_NAME).is_file() and (reports / lock.LOCK_FILE_NAME).exists()
