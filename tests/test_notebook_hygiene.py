"""Committed notebooks carry no outputs and their jupytext .py twins are in sync."""

from __future__ import annotations

import json
from pathlib import Path

import jupytext
import pytest

from analysis import config

NOTEBOOK_DIR = config.project_root() / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))


def outputs_problems(path: Path) -> list[str]:
    """Code cells of a notebook file that carry outputs or execution counts."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [
        f"cell {i}"
        for i, cell in enumerate(nb["cells"])
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]


def twin_problems(path: Path) -> list[str]:
    """Differences between a notebook's cells and its percent-format .py twin."""
    twin = path.with_suffix(".py")
    if not twin.is_file():
        return [f"{twin.name} is missing"]
    nb = jupytext.read(path)
    py = jupytext.read(twin)
    ours = [(c.cell_type, c.source.strip()) for c in nb.cells]
    theirs = [(c.cell_type, c.source.strip()) for c in py.cells]
    if len(ours) != len(theirs):
        return [f"{path.name} has {len(ours)} cells, {twin.name} has {len(theirs)}"]
    return [f"cell {i} differs" for i, (a, b) in enumerate(zip(ours, theirs)) if a != b]


def test_every_topic_notebook_exists_with_its_twin():
    names = {p.stem for p in NOTEBOOKS}
    missing = [n for n in config.NOTEBOOKS if n not in names]
    assert not missing, f"topic notebooks missing from notebooks/: {missing}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path):
    assert outputs_problems(path) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_twin_is_in_sync(path):
    assert twin_problems(path) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_declares_the_workspace_kernel_and_a_tagged_parameters_cell(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == config.KERNEL_NAME
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1


def test_checks_detect_outputs_and_drift(tmp_path):
    """The checks themselves fail on a notebook with outputs and a stale twin (fixture notebook)."""
    nb = jupytext.reads("# %%\nx = 1\n\n# %%\ny = 2\n", fmt="py:percent")
    import nbformat

    nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="1")]
    nb.cells[0].execution_count = 1
    fixture = tmp_path / "fixture_notebook.ipynb"
    jupytext.write(nb, fixture)
    (tmp_path / "fixture_notebook.py").write_text("# %%\nx = 1\n")
    assert outputs_problems(fixture) == ["cell 0"]
    assert twin_problems(fixture) == ["fixture_notebook.ipynb has 2 cells, fixture_notebook.py has 1"]
