"""No POSIX-only module on the paths notebooks and table reads take (they must work on Windows).

Each test starts a Python process in which the POSIX-only standard modules cannot be imported
(``sys.modules[name] = None`` makes ``import name`` raise ImportError, as on Windows) and then
imports the package, every module the four topic notebooks import, and the batch lock, and reads
tables, once from the built data and once through a rebuild (which takes the build's file lock).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from analysis import config

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
#: Standard modules that exist only on POSIX systems.
POSIX_ONLY = ("fcntl", "termios", "pwd", "grp", "resource")

PROBE = """
import importlib, json, sys
blocked, modules = json.loads(sys.argv[1]), json.loads(sys.argv[2])
for name in blocked:
    sys.modules[name] = None
for name in blocked:  # the block itself works
    try:
        importlib.import_module(name)
    except ImportError:
        pass
    else:
        raise SystemExit(f"{name} could still be imported")
import analysis
for name in modules:
    importlib.import_module(name)
from analysis.data import tables
from analysis.present import maps
authorities = tables.read_table("authorities")
utla = maps.boundaries("utla")
regions = int((authorities["level"] == "region").sum())
print(json.dumps({"authorities": len(authorities), "utla": len(utla), "regions": regions}))
"""


def notebook_imports() -> list[str]:
    """Every module the topic notebooks import (``from a.b import c`` counts ``a.b`` and ``a.b.c`` if a module)."""
    import importlib.util

    names: set[str] = set()
    for path in sorted(NOTEBOOK_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
                for alias in node.names:
                    candidate = f"{node.module}.{alias.name}"
                    if importlib.util.find_spec(node.module) and _is_module(candidate):
                        names.add(candidate)
    return sorted(names)


def _is_module(name: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def _probe(env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    modules = [*notebook_imports(), "analysis.run.lock", "analysis.data.build"]
    return subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(POSIX_ONLY), json.dumps(modules)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def test_the_notebooks_import_the_chapter_modules_this_test_checks():
    names = notebook_imports()
    for expected in (
        "analysis.present.report",
        "analysis.present.maps",
        "analysis.present.prevalence",
        "analysis.present.supply",
        "analysis.present.young_people",
        "analysis.methods.indicators",
        "analysis.data.local_data",
        "pandas",
    ):
        assert expected in names, expected


def test_notebook_modules_and_a_table_read_need_no_posix_only_module():
    done = _probe()
    assert done.returncode == 0, done.stderr
    counts = json.loads(done.stdout.strip().splitlines()[-1])
    assert counts["regions"] == 9 and counts["authorities"] > counts["utla"] > 100


def test_a_table_read_that_rebuilds_the_data_needs_no_posix_only_module(project_copy):
    import os

    assert not (project_copy / "data" / "processed" / "authorities.parquet").exists()
    done = _probe(dict(os.environ, **{config.ROOT_ENV: str(project_copy)}))
    assert done.returncode == 0, done.stderr
    assert "rebuilding it from data/raw" in done.stderr
    assert (project_copy / "data" / "processed" / "authorities.parquet").is_file()
    assert json.loads(done.stdout.strip().splitlines()[-1])["regions"] == 9
