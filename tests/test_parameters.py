"""Notebook parameters are read from the parameters cell and checked before any kernel starts."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import papermill
import pytest
from papermill.translators import PythonTranslator

from analysis.errors import ParameterError
from analysis.run import batch, parameters

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
NOTEBOOKS = Path(__file__).parents[1] / "notebooks"
TOPIC_NOTEBOOKS = sorted(NOTEBOOKS.glob("*.ipynb"))
FIXTURE_NOTEBOOKS = sorted(FIXTURES.glob("fixture_*.ipynb"))
#: A value that would run a shell command if it were pasted into the notebook as code.
PAYLOAD = '"); import os; os.system("touch {marker}")#'


@pytest.fixture(scope="module")
def declared():
    return {
        name: parameters.read_parameters(FIXTURES / f"{name}.ipynb")
        for name in ("fixture_ok", "fixture_second", "fixture_fails", "fixture_sleeps")
    }


def test_reads_names_types_defaults_and_help(declared):
    ok = declared["fixture_ok"]
    assert list(ok) == ["area", "confidence_level", "label", "repeats"]
    assert ok["confidence_level"].type_name == "float" and ok["confidence_level"].default == 0.95
    assert ok["repeats"].accepts == (int,) and ok["area"].accepts == (str,)
    assert ok["confidence_level"].help == "two-sided confidence level, between 0 and 1"


@pytest.mark.parametrize("path", TOPIC_NOTEBOOKS + FIXTURE_NOTEBOOKS, ids=lambda path: path.stem)
def test_agrees_with_papermill_inspection_on_every_parameter_papermill_reads(path):
    """papermill.inspect_notebook as the oracle: same names in the same order, type names, help and defaults.

    papermill gives each default as its source text; read as a literal it must equal ours. A
    type name of "None" is papermill's "unknown" (no annotation), which it does not infer.
    """
    ours = parameters.read_parameters(path)
    theirs = papermill.inspect_notebook(path)
    assert theirs, f"papermill reads no parameter of {path.name}"
    assert set(theirs) <= set(ours)
    assert [name for name in ours if name in theirs] == list(theirs)
    for name, inspected in theirs.items():
        assert ours[name].help == inspected["help"], name
        assert ours[name].default == ast.literal_eval(inspected["default"]), name
        if inspected["inferred_type_name"] != "None":
            assert ours[name].type_name == inspected["inferred_type_name"], name


def test_parameters_papermill_cannot_read_are_read_and_checked():
    """Notebook 04 annotates its scenario bounds "float | None" and says "None = ..." in the help."""
    declared = parameters.read_parameters(NOTEBOOKS / "04_young_people_14_18.ipynb")
    assert list(declared) == ["area", "scenario_low_percent", "scenario_high_percent", "confidence_level"]
    low = declared["scenario_low_percent"]
    assert (low.type_name, low.default) == ("float | None", None)
    assert low.help == "14-15 scenario low bound, % (None = shipped research figure)"
    values = {"scenario_low_percent": 10, "scenario_high_percent": None}
    assert parameters.check_parameters("04_young_people_14_18", declared, values) == values
    refused = "'scenario_low_percent' of 04_young_people_14_18 must be float | None, got text 'ten'"
    with pytest.raises(ParameterError, match=re.escape(refused)):
        parameters.check_parameters("04_young_people_14_18", declared, {"scenario_low_percent": "ten"})


def test_a_string_annotation_is_named_without_its_quotes_and_checked_by_its_types():
    declared = parameters.read_parameters(NOTEBOOKS / "03_regional_maps.ipynb")
    indicators = declared["indicators"]
    assert indicators.type_name == "Union[list[str], str]" and indicators.default == "all"
    assert set(indicators.accepts) == {list, str}
    assert "indicators (Union[list[str], str], default 'all')" in parameters.valid_parameters_hint(
        "03_regional_maps", declared
    )


def test_annotations_optional_unions_and_unannotated_defaults():
    found = parameters.parse_parameters(
        "a: str | None = None  # text or nothing\n"
        "b: Optional[int] = 3\n"
        "c = 0.5  # no annotation: the default's type\n"
        "d: list[str] = ['x', 'y']\n"
        "e: bool = True\n"
    )
    assert found["a"].accepts == (str, type(None)) and found["a"].help == "text or nothing"
    assert set(found["b"].accepts) == {int, type(None)}
    assert found["c"].accepts == (int, float)
    assert found["d"].accepts == (list,) and found["d"].default == ["x", "y"]
    assert parameters.matches_type(None, found["a"].accepts)
    assert not parameters.matches_type(1, found["e"].accepts)
    assert not parameters.matches_type(True, found["b"].accepts)  # a bool is not a number here


def test_a_default_that_is_code_is_described_and_checked_by_its_annotation():
    found = parameters.parse_parameters("area: str = config.DEFAULT_AREA_CODE  # computed\nlevel = get()", "nb")
    assert found["area"].describe() == "area (str, default config.DEFAULT_AREA_CODE): computed"
    assert found["area"].accepts == (str,) and found["level"].accepts == (object,)
    with pytest.raises(ParameterError, match="not valid Python"):
        parameters.parse_parameters("area: str = 'E1", "nb")


def test_a_notebook_without_a_parameters_cell_is_refused(tmp_path):
    import nbformat

    path = tmp_path / "fixture_untagged.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("area = 'x'")]), path)
    with pytest.raises(ParameterError, match="no code cell tagged 'parameters'"):
        parameters.read_parameters(path)


def test_unknown_name_lists_the_valid_parameters(declared):
    with pytest.raises(ParameterError) as error:
        parameters.check_parameters("fixture_ok", declared["fixture_ok"], {"confidense_level": 0.9})
    assert "Unknown parameter 'confidense_level' for notebook fixture_ok" in error.value.message
    assert "confidence_level (float, default 0.95): two-sided confidence level" in error.value.hint
    assert "label (str, default 'fixture')" in error.value.hint


@pytest.mark.parametrize(
    "name, value, expected",
    [
        ("confidence_level", "high", "must be float, got text 'high'"),
        ("confidence_level", True, "must be float, got bool True"),
        ("repeats", 2.5, "must be int, got float 2.5"),
        ("label", 7, "must be str, got int 7"),
    ],
)
def test_wrong_type_is_refused_naming_parameter_and_value(declared, name, value, expected):
    with pytest.raises(ParameterError, match=expected) as error:
        parameters.check_parameters("fixture_ok", declared["fixture_ok"], {name: value})
    assert "Valid parameters of fixture_ok" in error.value.hint


def test_command_line_text_is_read_by_the_declared_type(declared):
    ok = declared["fixture_ok"]
    assert parameters.parse_text_value("0.9", ok["confidence_level"]) == 0.9
    assert parameters.parse_text_value("1e-1", ok["confidence_level"]) == 0.1  # YAML 1.1 reads 1e-1 as text
    assert parameters.parse_text_value("3", ok["repeats"]) == 3
    for text in ("0123", "yes", "null", "1.5", "[a, b]"):  # text parameters keep exactly what was typed
        assert parameters.parse_text_value(text, ok["label"]) == text
    assert parameters.parse_text_value("high", ok["confidence_level"]) == "high"  # then refused by type
    assert parameters.parse_text_value("false", declared["fixture_fails"]["fail"]) is False


def test_code_carrying_value_is_accepted_as_data_and_papermill_writes_it_as_a_string_literal(tmp_path, declared):
    payload = PAYLOAD.format(marker=tmp_path / "pwned")
    value = parameters.parse_text_value(payload, declared["fixture_ok"]["label"])
    assert value == payload
    assert parameters.check_parameters("fixture_ok", declared["fixture_ok"], {"label": value}) == {"label": payload}
    injected = PythonTranslator.codify({"label": value})
    tree = ast.parse(injected)
    assert len(tree.body) == 1 and isinstance(tree.body[0], ast.Assign)
    assert isinstance(tree.body[0].value, ast.Constant) and tree.body[0].value.value == payload
    assert not any(isinstance(node, ast.Call) for node in ast.walk(tree))
    namespace: dict = {}
    exec(compile(tree, "injected", "exec"), namespace)
    assert namespace["label"] == payload and not (tmp_path / "pwned").exists()


def test_values_that_are_not_plain_data_are_refused(declared):
    with pytest.raises(ParameterError, match="must be plain data"):
        parameters.check_parameters("fixture_ok", declared["fixture_ok"], {"label": object()})


# ------------------------------------------------------------------------------------------
# Across the notebooks of a batch
# ------------------------------------------------------------------------------------------


def test_a_parameter_goes_to_every_selected_notebook_that_declares_it(declared):
    values = batch.resolve_parameters(declared, [("confidence_level", "0.9")])
    assert values["fixture_ok"] == {"confidence_level": 0.9} and values["fixture_second"] == {"confidence_level": 0.9}
    assert values["fixture_fails"] == {} and values["fixture_sleeps"] == {}


def test_file_sections_and_notebook_dot_name_target_one_notebook(tmp_path, declared):
    path = tmp_path / "params.yaml"
    path.write_text(
        "confidence_level: 0.8\nfixture_fails:\n  fail: false\n01_prevalence:\n  survey_year: x\n", encoding="utf-8"
    )
    values = batch.resolve_parameters(
        declared,
        [("fixture_ok.confidence_level", "0.99")],
        batch.load_parameters_file(path),
        known_notebooks=["01_prevalence"],
    )
    assert values["fixture_ok"] == {"confidence_level": 0.99}  # the command line wins over the file
    assert values["fixture_second"] == {"confidence_level": 0.8}
    assert values["fixture_fails"] == {"fail": False}


def test_unknown_parameter_in_a_batch_suggests_the_close_name(declared):
    with pytest.raises(ParameterError) as error:
        batch.resolve_parameters(declared, [("confidense_level", "0.9")])
    assert "Unknown parameter 'confidense_level': none of the selected notebooks" in error.value.message
    assert error.value.hint.startswith("Did you mean 'confidence_level'?")


def test_wrong_type_in_a_file_section_is_refused(tmp_path, declared):
    path = tmp_path / "params.yaml"
    path.write_text("fixture_fails:\n  fail: maybe\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="'fail' of fixture_fails must be bool, got text 'maybe'"):
        batch.resolve_parameters(declared, [], batch.load_parameters_file(path))


def test_area_is_chosen_with_area_options_not_parameters(declared):
    with pytest.raises(ParameterError, match="not a -p / file parameter") as error:
        batch.resolve_parameters(declared, [("area", "E06000045")])
    assert "--area" in error.value.hint


def test_bad_parameters_files_are_explained(tmp_path, declared):
    bad = tmp_path / "bad.yaml"
    bad.write_text("confidence_level: [0.9\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="is not valid YAML"):
        batch.load_parameters_file(bad)
    bad.write_text("- 0.9\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="must be a mapping"):
        batch.load_parameters_file(bad)
    with pytest.raises(ParameterError, match="Cannot read the parameters file"):
        batch.load_parameters_file(tmp_path / "missing.yaml")
    with pytest.raises(ParameterError, match="not one of the selected notebooks"):
        batch.resolve_parameters(declared, [("fixture_dies.area", "x")])


def test_the_reproduce_command_reads_back_to_the_same_values():
    import subprocess

    from analysis.present import report

    declared = parameters.parse_parameters(
        "area: str = 'E10000014'\nlabel: str = ''\nlevel: float = 0.95\nflag: bool = False\n"
        "names: list[str] = []\nnote: str | None = None\nyear: str = '2020'\n"
    )
    values = {
        "label": 'Comté "Sir" $HOME `x` it\'s \\n!',
        "level": 0.9,
        "flag": True,
        "names": ["a", "it's"],
        "note": None,
        "year": "2020",
        "area": "ignored",
    }
    command = report.reproduce_command("E06000045", "01_prevalence", values)
    assert ' -p year "2020"' in command and "ignored" not in command
    shell = subprocess.run(["bash", "-c", "printf '%s\\0' " + command], capture_output=True, text=True, check=True)
    words = shell.stdout.split("\0")[:-1]  # what a shell hands the command: nothing expanded
    del values["area"]
    assert words[:6] == ["analysis", "batch", "--area", "E06000045", "--notebooks", "01_prevalence"]
    pairs = [(words[i + 1], words[i + 2]) for i in range(6, len(words), 3)]
    assert {name: parameters.parse_text_value(text, declared[name]) for name, text in pairs} == values
