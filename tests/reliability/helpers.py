"""Helpers for the reliability suite: run the CLI as a user would and register edited raw files."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from analysis.data import sources


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_cli(*args: str, root: Path | None = None, timeout: float = 600) -> Result:
    """Run ``python -m analysis ARGS`` in a subprocess (optionally with ANALYSIS_ROOT=root)."""
    env = dict(os.environ)
    if root is not None:
        env["ANALYSIS_ROOT"] = str(root)
    done = subprocess.run(
        [sys.executable, "-m", "analysis", *args], capture_output=True, text=True, env=env, timeout=timeout
    )
    return Result(done.returncode, done.stdout, done.stderr)


def register_new_release(root: Path, source_id: str) -> None:
    """Record the current checksum of an edited raw file in the project copy's manifest, as an analyst
    registering a new release would, so that the build goes on to validate its contents."""
    manifest = root / "data" / "raw" / "sources.yaml"
    doc = yaml.safe_load(manifest.read_text())
    for entry in doc["files"]:
        if entry["id"] == source_id:
            entry["sha256"] = sources.sha256_file(root / "data" / "raw" / entry["path"])
    manifest.write_text(yaml.safe_dump(doc, sort_keys=False))


def edit_csv_cell(path: Path, line_number: int, column: str, value: str) -> None:
    """Set one cell of a simple CSV (no quoted commas in the edited line) by file line number."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    fields = lines[line_number - 1].split(",")
    fields[header.index(column)] = value
    lines[line_number - 1] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def assert_one_clear_error(result: Result, *fragments: str) -> None:
    """A failed command: non-zero exit, an 'error:' line, a 'hint:' line, no traceback, and the fragments."""
    assert result.code != 0, f"expected a failure, got exit 0: {result.out}"
    assert result.err.startswith("error: "), result.err
    assert "hint: " in result.err, result.err
    assert "Traceback" not in result.err, result.err
    for fragment in fragments:
        assert fragment in result.err, f"{fragment!r} not in:\n{result.err}"
