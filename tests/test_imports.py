"""Importing the package first spares every later import of nbformat the RFC 3987 grammar.

Each test starts a fresh Python process (what a batch, its forkserver and its workers are), since
what a process has imported cannot be undone in this one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import analysis
from analysis.run import executors

PROBE = """
import json, sys
{before}
import analysis
import nbformat, papermill, nbclient, nbconvert, jsonschema
notebook = nbformat.v4.new_notebook()
notebook.cells.append(nbformat.v4.new_code_cell("1"))
nbformat.validate(notebook)
bad = json.loads(nbformat.writes(notebook))
bad["cells"][0]["cell_type"] = "nonsense"
try:
    nbformat.validate(nbformat.from_dict(bad))
    refused = False
except nbformat.ValidationError:
    refused = True
found = sys.modules.get("rfc3987_syntax", "absent")
if found is not None and found != "absent":
    found = getattr(found, "__file__", "stub")
print(json.dumps({{
    "rfc3987_syntax": "blocked" if found is None else found,
    "grammar_built": "rfc3987_syntax.syntax_helpers" in sys.modules,
    "bad_notebook_refused": refused,
    "ipv4_checked": not jsonschema.FormatChecker().conforms("300.1.1.1", "ipv4"),
    "iri_offered": "iri" in jsonschema.FormatChecker.checkers,
}}))
"""


def probe(before: str = "", **env: str) -> dict:
    """Run :data:`PROBE` in a fresh interpreter (``before``: code run first) and return what it saw."""
    environment = {k: v for k, v in os.environ.items() if k != analysis.SKIP_UNUSED_IMPORTS_ENV} | env
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(before=before)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_after_the_package_nbformat_and_the_notebook_tools_import_without_the_rfc3987_grammar():
    seen = probe()
    assert seen["rfc3987_syntax"] == "blocked"
    assert seen["grammar_built"] is False
    # nbformat still validates notebooks, and jsonschema still checks the formats it has
    assert seen["bad_notebook_refused"] is True
    assert seen["ipv4_checked"] is True
    assert seen["iri_offered"] is False


def test_the_switch_imports_them_as_usual():
    seen = probe(**{analysis.SKIP_UNUSED_IMPORTS_ENV: " Off "})
    assert seen["rfc3987_syntax"].endswith("__init__.py")
    assert seen["grammar_built"] is True
    assert seen["iri_offered"] is True
    assert seen["bad_notebook_refused"] is True


def test_a_module_imported_before_the_package_is_left_as_it_is():
    stub = "import types; sys.modules['rfc3987_syntax'] = types.ModuleType('rfc3987_syntax')"
    assert probe(before=stub)["rfc3987_syntax"] == "stub"


def test_batch_workers_import_the_package_before_the_notebook_tools():
    """The forkserver imports :data:`~analysis.run.executors.WORKER_PRELOAD` in order: the package first."""
    assert executors.WORKER_PRELOAD[0].startswith("analysis.")
