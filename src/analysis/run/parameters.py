"""Notebook parameters: read a notebook's ``parameters`` cell and check values against it.

A topic notebook declares its parameters in one code cell tagged ``parameters`` (the
notebook contract in :mod:`analysis.present.report`): literals only, each with a type annotation
and a trailing comment, e.g.::

    area: str = "E10000014"  # authority code or name (default: Hampshire)
    confidence_level: float = 0.95  # two-sided confidence level, between 0 and 1

:func:`read_parameters` reads that cell with Python's own parser (:mod:`ast`): each name,
its literal default, the trailing comment as help, and the annotation both as written and
as a set of accepted types. :func:`check_parameters` then refuses, before any kernel starts,
a name the notebook does not declare or a value of the wrong type, with a
:class:`~analysis.errors.ParameterError` that lists the valid parameters.

Why not papermill's own inspection
----------------------------------
For every parameter ``papermill.inspect_notebook`` (and ``papermill --help-notebook``) reads,
the name, type name (``inferred_type_name``, quotes of a string annotation removed), default
(papermill gives its source text; here it is the literal) and help are the same here;
``tests/test_parameters.py`` checks that on every notebook. papermill's inspection is not the
reader because its ``PythonTranslator.inspect`` (papermill 2.7.0) matches each line against a
regular expression and silently drops what the pattern does not cover: an annotation with
``|`` (``float | None``; nteract/papermill issues 695 and 806) and any line with a second
``=``, even in the comment. On ``04_young_people_14_18`` it finds 2 of the 4 parameters, so a
batch built on it would refuse ``-p scenario_low_percent 10`` as unknown. It also returns
defaults as source text and types as a bare name, which the checks here would have to parse
anyway.

Values are data, never code: papermill writes each value into the notebook as a Python
literal (strings quoted and escaped by its Python translator), and only ``None``, bools,
numbers, strings, lists and dicts of those are accepted here. Defaults are read with
:func:`ast.literal_eval`, which evaluates literals only.
"""

from __future__ import annotations

import ast
import io
import json
import numbers
import tokenize
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from analysis.errors import ParameterError

PARAMETERS_TAG = "parameters"
#: Annotation names and the Python types a value may have for them (bool is not an int here).
_TYPE_NAMES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "list": (list,),
    "List": (list,),
    "tuple": (list,),
    "Tuple": (list,),
    "Sequence": (list,),
    "dict": (dict,),
    "Dict": (dict,),
    "Mapping": (dict,),
    "None": (type(None),),
    "NoneType": (type(None),),
}
_ANY = (object,)


@dataclass(frozen=True)
class Expression:
    """A default that is code, not a literal (the notebook contract asks for literals)."""

    source: str

    def __repr__(self) -> str:
        return self.source


@dataclass(frozen=True)
class NotebookParameter:
    """One parameter declared in a notebook's ``parameters`` cell."""

    name: str
    type_name: str
    default: Any
    help: str
    accepts: tuple[type, ...]

    def describe(self) -> str:
        """``name (type, default value): help``."""
        text = f"{self.name} ({self.type_name}, default {self.default!r})"
        return f"{text}: {self.help}" if self.help else text

    @property
    def is_text(self) -> bool:
        """True when the only scalar type accepted is ``str`` (command-line text is kept as typed)."""
        return str in self.accepts and not any(t in self.accepts for t in (int, float, bool, list, dict, object))


def _notebook_json(path: Path) -> dict:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ParameterError(
            f"Cannot read notebook {Path(path).name}: {exc}", "Check the file is a Jupyter notebook (.ipynb)."
        ) from None


def parameters_cell_source(path: str | Path) -> str:
    """The source of the notebook's cell tagged ``parameters`` (ParameterError if there is none)."""
    nb = _notebook_json(Path(path))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code" and PARAMETERS_TAG in cell.get("metadata", {}).get("tags", []):
            source = cell.get("source", "")
            return "".join(source) if isinstance(source, list) else source
    raise ParameterError(
        f"Notebook {Path(path).name} has no code cell tagged 'parameters'.",
        "Tag the cell that sets the notebook's parameters 'parameters' (notebook contract).",
    )


def _accepted_types(annotation: ast.expr | None, default: Any) -> tuple[type, ...]:
    if annotation is None:
        if default is None:
            return _ANY
        if isinstance(default, bool):
            return (bool,)
        if isinstance(default, float):
            return (int, float)
        return (type(default),)
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):  # "str" as a string
        try:
            return _accepted_types(ast.parse(annotation.value, mode="eval").body, default)
        except SyntaxError:
            return _ANY
    if isinstance(annotation, ast.Constant) and annotation.value is None:
        return (type(None),)
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        either = _accepted_types(annotation.left, default) + _accepted_types(annotation.right, default)
        return tuple(dict.fromkeys(either))
    if isinstance(annotation, ast.Subscript):
        base = annotation.value.id if isinstance(annotation.value, ast.Name) else getattr(annotation.value, "attr", "")
        inner = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else [annotation.slice]
        if base == "Optional":
            return _accepted_types(inner[0], default) + (type(None),)
        if base == "Union":
            return tuple(dict.fromkeys(t for part in inner for t in _accepted_types(part, default)))
        return _TYPE_NAMES.get(base, _ANY)
    if isinstance(annotation, ast.Name):
        return _TYPE_NAMES.get(annotation.id, _ANY)
    if isinstance(annotation, ast.Attribute):
        return _TYPE_NAMES.get(annotation.attr, _ANY)
    return _ANY


def _annotation_text(annotation: ast.expr) -> str:
    """The annotation as written; a string annotation (``"Union[list[str], str]"``) without its quotes, as papermill."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        return annotation.value.strip()
    return ast.unparse(annotation)


def _comments_by_line(source: str) -> dict[int, str]:
    comments: dict[int, str] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                comments[token.start[0]] = token.string.lstrip("#").strip()
    except (tokenize.TokenError, IndentationError):
        pass
    return comments


def parse_parameters(source: str, notebook: str = "notebook") -> dict[str, NotebookParameter]:
    """Parameters declared in a ``parameters`` cell's source, in order.

    A default that is not a literal is kept as an :class:`Expression` (its type then comes
    from the annotation alone).

    Raises
    ------
    ParameterError
        If the cell is not valid Python.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ParameterError(
            f"The parameters cell of {notebook} is not valid Python (line {exc.lineno}: {exc.msg}).",
            "Keep the parameters cell to lines like  name: type = literal  # help",
        ) from None
    comments = _comments_by_line(source)
    found: dict[str, NotebookParameter] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            name, annotation, value = node.target.id, node.annotation, node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, annotation, value = node.targets[0].id, None, node.value
        else:
            continue
        try:
            default = ast.literal_eval(value) if value is not None else None
        except ValueError:  # not a literal (against the contract): only the annotation can be checked
            default = Expression(ast.unparse(value))
        if isinstance(default, tuple):
            default = list(default)
        found[name] = NotebookParameter(
            name=name,
            type_name=_annotation_text(annotation)
            if annotation is not None
            else ("any" if isinstance(default, Expression) else type(default).__name__),
            default=default,
            help=comments.get(node.end_lineno or node.lineno, ""),
            accepts=_ANY
            if annotation is None and isinstance(default, Expression)
            else _accepted_types(annotation, default),
        )
    return found


def read_parameters(path: str | Path) -> dict[str, NotebookParameter]:
    """The parameters a notebook declares (name -> :class:`NotebookParameter`)."""
    path = Path(path)
    return parse_parameters(parameters_cell_source(path), path.stem)


def _is_data(value: Any) -> bool:
    """Only plain data: None, bool, finite or not numbers, str, and lists / dicts of them."""
    if value is None or isinstance(value, (bool, str, int, float)):
        return True
    if isinstance(value, list):
        return all(_is_data(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_data(v) for k, v in value.items())
    return False


def _type_label(value: Any) -> str:
    return "text" if isinstance(value, str) else type(value).__name__


def matches_type(value: Any, accepts: Iterable[type]) -> bool:
    """True when ``value`` is one of the accepted types (a bool is not a number here)."""
    accepts = tuple(accepts)
    if object in accepts:
        return True
    if isinstance(value, bool):
        return bool in accepts
    if isinstance(value, numbers.Integral):
        return int in accepts
    if isinstance(value, numbers.Real):
        return float in accepts
    return isinstance(value, tuple(t for t in accepts if t not in (int, float, bool)))


def valid_parameters_hint(notebook: str, declared: Mapping[str, NotebookParameter]) -> str:
    """The hint listing a notebook's valid parameters."""
    if not declared:
        return f"{notebook} declares no parameters."
    return f"Valid parameters of {notebook}: " + "; ".join(p.describe() for p in declared.values()) + "."


def check_parameters(notebook: str, declared: Mapping[str, NotebookParameter], values: Mapping[str, Any]) -> dict:
    """Check values against a notebook's declared parameters; return them unchanged.

    Raises
    ------
    ParameterError
        For a name the notebook does not declare, a value that is not plain data, or a
        value whose type the annotation (or, without one, the default) does not allow.
    """
    for name, value in values.items():
        if name not in declared:
            raise ParameterError(
                f"Unknown parameter {name!r} for notebook {notebook}.", valid_parameters_hint(notebook, declared)
            )
        spec = declared[name]
        if not _is_data(value):
            raise ParameterError(
                f"Parameter {name!r} of {notebook} must be plain data, got {type(value).__name__}.",
                valid_parameters_hint(notebook, declared),
            )
        if not matches_type(value, spec.accepts):
            raise ParameterError(
                f"Parameter {name!r} of {notebook} must be {spec.type_name}, got {_type_label(value)} {value!r}.",
                valid_parameters_hint(notebook, declared),
            )
    return dict(values)


def parse_text_value(text: str, spec: NotebookParameter | None = None) -> Any:
    """A value typed on the command line (``-p name value``) as a YAML scalar.

    Text for a ``str`` parameter is kept exactly as typed (so "0123" or "yes" stay text);
    "None" / "null" mean None where the parameter accepts it; a number YAML reads as text
    (such as ``1e-3``) is read as a number for a numeric parameter.
    """
    if spec is not None and type(None) in spec.accepts and text.strip() in ("None", "null", "~"):
        return None
    if spec is not None and spec.is_text:
        return text
    try:
        value = yaml.safe_load(text) if text.strip() else text
    except yaml.YAMLError:
        return text
    if isinstance(value, str) and spec is not None and (int in spec.accepts or float in spec.accepts):
        for convert in (int,) if float not in spec.accepts else (int, float):
            try:
                return convert(text)
            except ValueError:
                continue
    if isinstance(value, (tuple, set)):
        return list(value)
    if not _is_data(value):  # e.g. YAML dates: keep the text
        return text
    return value


# ------------------------------------------------------------------------------------------
# Values: ranges and choices, checked before any kernel starts
# ------------------------------------------------------------------------------------------


def _check_confidence(values: Mapping[str, Any]) -> None:
    from analysis.methods import checks

    checks.check_confidence_level(values["confidence_level"])


def _check_supply(values: Mapping[str, Any]) -> None:
    from analysis.methods import supply

    supply.check_parameters(values["standard_per_10k"], values["refuge_share"], values["demand_year"])


def _check_homelessness_year(values: Mapping[str, Any]) -> None:
    from analysis.methods import homelessness_demand

    homelessness_demand.check_year_parameter(values["homelessness_year"])


def _check_scenario(values: Mapping[str, Any]) -> None:
    from analysis.methods import young_people

    young_people.check_scenario_bounds(values["scenario_low_percent"], values["scenario_high_percent"])


def _check_maps(values: Mapping[str, Any]) -> None:
    from analysis.methods import indicators
    from analysis.present import maps

    if "classification" in values:
        maps.check_classification(values["classification"])
    if "indicators" in values:
        indicators.check_indicator_selection(values["indicators"])


def _check_survey(values: Mapping[str, Any]) -> None:
    from analysis.methods import prevalence

    year = values.get("survey_year")
    version = values.get("measure_version")
    prevalence.select_rates(
        None if year == "latest" else year,
        values.get("measure", "any_domestic_abuse"),
        None if version == "auto" else version,
    )


#: Checks of parameter values by the names they read; each runs when the notebook declares
#: all its names and at least one was given. They call the same functions the notebooks use,
#: so a batch refuses an out-of-range value before any kernel starts.
VALUE_CHECKS: tuple[tuple[tuple[str, ...], Any], ...] = (
    (("confidence_level",), _check_confidence),
    (("standard_per_10k", "refuge_share", "demand_year"), _check_supply),
    (("homelessness_year",), _check_homelessness_year),
    (("scenario_low_percent", "scenario_high_percent"), _check_scenario),
    (("classification", "indicators"), _check_maps),
    (("survey_year", "measure", "measure_version"), _check_survey),
)


def check_values(notebook: str, declared: Mapping[str, NotebookParameter], values: Mapping[str, Any]) -> None:
    """Check given values' ranges and choices with the notebook's own checks (ParameterError if bad)."""
    merged = {name: spec.default for name, spec in declared.items()} | dict(values)
    for names, check in VALUE_CHECKS:
        present = [n for n in names if n in declared]
        if present and any(n in values for n in present):
            try:
                check({n: merged[n] for n in present})
            except ParameterError as exc:
                raise ParameterError(
                    f"{notebook}: {exc.message}",
                    exc.hint
                    or (
                        f"Give a value in range; the parameters cell of {notebook} documents each one "
                        f"(papermill --help-notebook notebooks/{notebook}.ipynb)."
                    ),
                ) from None
