"""Reliability cases 1-9: areas and parameters. Each case is a named test; each failure must be
a clear message naming the input and the fix, with a non-zero exit code."""

from __future__ import annotations

from tests.conftest import PAYLOAD

from .helpers import assert_one_clear_error, run_cli


def test_case01_unknown_area_code():
    result = run_cli("areas", "find", "E10000099")
    assert_one_clear_error(result, "E10000099 is not a known area code", "Closest codes:")


def test_case02_misspelt_name_suggests_the_right_one():
    result = run_cli("areas", "find", "Hantshire")
    assert_one_clear_error(result, "No area called 'Hantshire'", "Did you mean Hampshire (E10000014)")


def test_case02b_slightly_misspelt_name_resolves_with_a_note():
    result = run_cli("areas", "find", "Hampshre")
    assert result.code == 0 and result.out.startswith("E10000014  Hampshire")
    assert "note: Area 'Hampshre' taken to mean Hampshire (E10000014)." in result.err


def test_case03_ambiguous_name():
    result = run_cli("areas", "find", "Sussex")
    assert_one_clear_error(
        result,
        "'Sussex' is ambiguous: it could be East Sussex (E10000011), West Sussex (E10000032)",
        "Give the full name or the GSS code",
    )


def test_case04_lower_tier_district_code():
    result = run_cli("areas", "find", "E07000094")
    assert_one_clear_error(
        result,
        "Winchester (E07000094) is a lower-tier district council",
        "Use its upper-tier authority Hampshire (E10000014)",
    )


def test_case05_code_from_a_later_reorganisation():
    result = run_cli("areas", "find", "E06000065")
    assert_one_clear_error(
        result,
        "North Yorkshire (E06000065) was created after the workspace geography (on 2023-04-01)",
        "use North Yorkshire (E10000023)",
    )


# Cases 6-9 run `analysis batch` on the real topic notebooks: the parameters are checked against
# each notebook's parameters cell and its own value checks before any kernel starts, so each
# failing case returns in about a second, writes no report and leaves the reports folder as it was.


def _batch(tmp_path, *params: str, notebooks: tuple[str, ...] = ()):
    reports = tmp_path / "reports"
    args = ["batch", "--area", "Hampshire", "--reports-dir", str(reports), "--quiet", *params]
    if notebooks:
        args += ["--notebooks", *notebooks]
    return run_cli(*args), reports


def _nothing_written(reports) -> bool:
    return not reports.exists() or not any(p.suffix in {".ipynb", ".html"} for p in reports.rglob("*"))


def test_case06_unknown_notebook_parameter(tmp_path):
    result, reports = _batch(tmp_path, "-p", "colour", "red")
    assert_one_clear_error(result, "Unknown parameter 'colour'", "Valid parameters of 01_prevalence: area (str")
    assert _nothing_written(reports)


def test_case07_parameter_of_the_wrong_type(tmp_path):
    result, reports = _batch(tmp_path, "-p", "confidence_level", "high")
    assert_one_clear_error(
        result,
        "Parameter 'confidence_level' of 01_prevalence must be float, got text 'high'",
        "confidence_level (float, default 0.95)",
    )
    assert _nothing_written(reports)


def test_case08_out_of_range_confidence(tmp_path):
    result, reports = _batch(tmp_path, "-p", "confidence_level", "1.5")
    assert_one_clear_error(result, "confidence_level must be a number between 0 and 1 (e.g. 0.95), got 1.5")
    assert _nothing_written(reports)


def test_case08b_negative_standard(tmp_path):
    result, reports = _batch(tmp_path, "-p", "standard_per_10k", "-1", notebooks=("02",))
    assert_one_clear_error(
        result,
        "02_refuge_demand_supply: standard_per_10k must be > 0, got -1",
        "papermill --help-notebook notebooks/02_refuge_demand_supply.ipynb",
    )
    assert _nothing_written(reports)


def test_case08c_out_of_range_in_the_notebook_itself():
    """A researcher running a notebook directly gets the same check from report.start."""
    import pytest

    from analysis.errors import ParameterError
    from analysis.present import report

    with pytest.raises(ParameterError, match="confidence_level must be a number between 0 and 1"):
        report.start("01_prevalence", "Hampshire", 1.5)


def test_case09_parameter_value_carrying_code_is_data(fixture_batch):
    """The value reaches the notebook as a string and is recorded verbatim; the command never runs.

    The session's batch of the fixture notebooks (``fixture_batch`` in tests/conftest.py: ``analysis
    batch ... --notebooks fixture_ok fixture_second fixture_fails -p label PAYLOAD``), shared with
    tests/test_batch.py. Its exit code is 1 for fixture_fails' deliberate failure, so the run of
    fixture_ok itself must have succeeded."""
    payload = PAYLOAD.format(marker=fixture_batch["marker"])
    run = fixture_batch["records"][("E10000014", "fixture_ok")]
    assert run["status"] == "ok" and run["error"] is None, fixture_batch["out"] + fixture_batch["err"]
    assert run["parameters"]["label"] == payload and run["records"]["label"] == payload
    assert not fixture_batch["marker"].exists()
