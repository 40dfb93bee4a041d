"""What every pandera model shares, and :func:`validate_table` that applies one.

A failure becomes a :class:`~analysis.errors.ValidationError` whose message names the file,
the line (row) in the file, the column, the offending value and the rule it broke, with a
hint on how to fix it (:func:`format_failures`); rules checked outside pandera are reported
the same way (:func:`problems_error`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from analysis.errors import ValidationError

GSS_CODE = r"^[EWSNK]\d{8}$"
ENGLAND_WALES_LA_CODE = r"^[EW]0[6-9]\d{6}$"
REGION_CODE = r"^E12\d{6}$"
SURVEY_YEAR = r"^YE Mar \d{4}$"
AGE_BAND = r"^(\d{1,2}-\d{1,2}|\d{1,2}\+)$"
SEXES = ["female", "male", "all"]
MAX_ERRORS_SHOWN = 12
#: Counts arrive as "4727" or "4727.0": read as numbers, then required to be whole and >= 0.
WHOLE_NUMBER = pa.Check(lambda s: s % 1 == 0, element_wise=False, error="is not a whole number")


def count_column(nullable: bool = False) -> pa.Column:
    """A column of counts: numeric, whole, not negative."""
    return pa.Column(float, [pa.Check.ge(0), WHOLE_NUMBER], coerce=True, nullable=nullable)


def validate_table(
    df: pd.DataFrame,
    schema: type[pa.DataFrameModel] | pa.DataFrameSchema,
    file: str | Path,
    *,
    line_offset: int = 2,
    hint: str | None = None,
) -> pd.DataFrame:
    """Validate ``df`` against ``schema``; return the coerced frame.

    Parameters
    ----------
    df
        The table as read, with a default ``RangeIndex`` (row 0 = first data line).
    schema
        A pandera ``DataFrameModel`` class or ``DataFrameSchema``.
    file
        The file the table came from, named in the error.
    line_offset
        File line number of row 0 (2 for a CSV with one header line).
    hint
        How to fix the file; a generic hint is used when omitted.

    Raises
    ------
    ValidationError
        Listing up to 12 failures as ``line L, column C, value V: rule``.
    """
    try:
        return schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        raise ValidationError(
            format_failures(exc.failure_cases, file, line_offset),
            hint or "Correct the values listed (or restore the original file) and run again.",
        ) from None
    except pa.errors.SchemaError as exc:  # non-lazy failures (e.g. wrong column set)
        raise ValidationError(f"{file}: {exc}", hint or "Correct the file and run again.") from None


_RULES = (
    (r"^greater_than_or_equal_to\((.*)\)$", "must be >= {0}"),
    (r"^greater_than\((.*)\)$", "must be > {0}"),
    (r"^less_than_or_equal_to\((.*)\)$", "must be <= {0}"),
    (r"^less_than\((.*)\)$", "must be < {0}"),
    (r"^isin\((.*)\)$", "must be one of {0}"),
    (r"^str_matches\('?(.*?)'?\)$", "does not have the expected form {0}"),
    (r"^str_startswith\('?(.*?)'?\)$", "must start with {0}"),
    (r"^str_length\((.*)\)$", "has the wrong length"),
)


def _readable_rule(check: str) -> str:
    """Pandera's check names in words (``greater_than_or_equal_to(0)`` -> ``must be >= 0``)."""
    for pattern, text in _RULES:
        match = re.match(pattern, check)
        if match:
            return text.format(*match.groups())
    return f"fails {check}"


def format_failures(cases: pd.DataFrame, file: str | Path, line_offset: int = 2) -> str:
    """Turn pandera failure cases into one readable line per failing cell or row."""
    lines: list[str] = []
    row_lines: list[str] = []
    checks = cases["check"].astype(str)
    coerce_failed = set(cases.loc[checks.str.startswith("coerce_dtype"), "column"].dropna())

    def where(index: object) -> str:
        return f"line {int(index) + line_offset}" if index is not None and not pd.isna(index) else "table"

    for case in cases.itertuples(index=False):
        check = str(case.check)
        column = case.column
        if case.schema_context == "DataFrameSchema":
            if check == "column_in_dataframe":
                lines.append(f"missing column {case.failure_case!r}")
            else:  # a whole-row rule: one line per row, not per cell
                row_lines.append(f"{where(case.index)}: {check}")
            continue
        if column in coerce_failed and (check.startswith("dtype(") or case.index is None or pd.isna(case.index)):
            continue  # the coercion failure already reports these values
        if check.startswith("is "):  # a custom check whose error text reads as a rule
            rule = check
        elif check.startswith("coerce_dtype"):
            wanted = check[len("coerce_dtype('") : -2]
            rule = f"is not a valid {'whole number' if 'int' in wanted else 'number' if 'float' in wanted else wanted}"
        elif check == "field_uniqueness":
            rule = "is repeated (must be unique)"
        elif check == "not_nullable":
            rule = "is empty (a value is required)"
        else:
            rule = _readable_rule(check)
        lines.append(f"{where(case.index)}, column {column!r}, value {case.failure_case!r}: {rule}")
    unique_lines = list(dict.fromkeys(lines + row_lines))
    shown = unique_lines[:MAX_ERRORS_SHOWN]
    more = len(unique_lines) - len(shown)
    text = f"{file} failed validation:\n  - " + "\n  - ".join(shown)
    if more > 0:
        text += f"\n  - ... and {more} more"
    return text


def problems_error(file: str | Path, problems: list[str], hint: str) -> ValidationError:
    """A :class:`ValidationError` listing rule failures found outside pandera, as validate_table does."""
    shown = problems[:MAX_ERRORS_SHOWN]
    more = f"\n  - ... and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
    return ValidationError(f"{file} failed validation:\n  - " + "\n  - ".join(shown) + more, hint)
