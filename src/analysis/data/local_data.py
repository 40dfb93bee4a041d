"""A council's own supply and referral counts: find, read and validate the local data files.

Councils hold their own provider and referral figures. They put them, as aggregate counts
only (never records about people), in ``data/raw/local/<area_code>/``:

* ``supply.csv``: places by accommodation type and provider
  (:class:`analysis.data.schemas.LocalSupply`);
* ``referrals.csv``: referral figures, one per row (:class:`analysis.data.schemas.LocalReferrals`);
* ``part4_*.csv``: the categories of the council's Part 4 annual return to MHCLG, one file per
  table of the return (:mod:`analysis.data.schemas.part4`), written ready to fill by
  ``analysis local template`` (:mod:`analysis.data.local_template`).

docs/data.md and docs/local-data.md document them with examples. Files are read
when a notebook runs, never copied into ``data/processed`` or ``reports``. A missing folder
or file is not an error (:func:`load_local_data` says what is missing); a malformed file is,
naming the file, line, column and value and how to fix it. Folders must be named with the
GSS code of an upper-tier authority (or London as a whole, whose Part 4 duty sits with the
Greater London Authority).
"""

from __future__ import annotations

import difflib
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from analysis import config
from analysis.data import disk_cache, schemas
from analysis.data.schemas import part4
from analysis.errors import ValidationError

#: The kind of result :mod:`analysis.data.disk_cache` keeps for :func:`read_local_files`.
CACHE_KIND = "local_data"
#: File -> (pandera model, rule function, hint on fixing it).
SUPPLY_HINT = (
    "Correct the cells listed. Each row is one provider's places of one accommodation type in one "
    "period; see the README section 'Refuge demand and supply: the standard, local data schema and method'."
)
REFERRALS_HINT = (
    "Correct the cells listed. Each row is one referral figure (period, measure, category) with a "
    "count, a published percent or a rank; see the README section 'Refuge demand and supply: the "
    "standard, local data schema and method'."
)
PART4_HINT = (
    "Correct the cells listed. Each row is one category of the Part 4 annual return: keep its 'section' "
    "and 'category' as the template wrote them and give 'count' (blank = not known, 0 = none), the 'period' "
    "and the 'source'; see README.txt in the folder and docs/local-data.md."
)
UTF8_HINT = (
    "Save the file as UTF-8: in Excel choose 'CSV UTF-8 (Comma delimited)'; in LibreOffice tick 'Edit "
    "filter settings' and pick 'Unicode (UTF-8)'."
)


@dataclass(frozen=True)
class LocalData:
    """What local data an area has: validated tables (None when the file is absent).

    ``part4`` holds the Part 4 return files present, by file name (absent files are not keys).
    """

    area_code: str
    folder: Path
    supply: pd.DataFrame | None
    referrals: pd.DataFrame | None
    other_files: tuple[str, ...] = ()
    part4: Mapping[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def has_supply(self) -> bool:
        return self.supply is not None

    @property
    def has_referrals(self) -> bool:
        return self.referrals is not None

    @property
    def has_part4(self) -> bool:
        return bool(self.part4)

    @property
    def has_any(self) -> bool:
        return self.has_supply or self.has_referrals or self.has_part4

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every file read, by file name: supply.csv, referrals.csv, then the Part 4 files."""
        named = {config.LOCAL_SUPPLY_FILE: self.supply, config.LOCAL_REFERRALS_FILE: self.referrals}
        return {name: table for name, table in named.items() if table is not None} | dict(self.part4)

    def relative(self, file_name: str) -> str:
        """The file's path as users see it: ``data/raw/local/<code>/<file>``."""
        return f"data/raw/local/{self.area_code}/{file_name}"


def _label(path: Path) -> str:
    try:
        return path.resolve().relative_to(config.ROOT).as_posix()
    except ValueError:
        return str(path)


# ------------------------------------------------------------------------------------------
# Folders
# ------------------------------------------------------------------------------------------


# ------------------------------------------------------------------------------------------
# Reading one file
# ------------------------------------------------------------------------------------------


def read_local_csv(path: Path) -> pd.DataFrame:
    """Read a local CSV as text cells, tolerant of a byte-order mark, blank lines and spaces.

    Column names are lower-cased and stripped; cells are stripped and empty cells are
    missing. Blank lines are dropped but the index keeps each row's place, so row ``i`` is
    file line ``i + 2`` in error messages.

    Raises
    ------
    ValidationError
        For an empty file, a file that is not UTF-8 (naming the line and byte), a file that
        is not a CSV table, or a header with no rows.
    """
    label = _label(path)
    data = path.read_bytes()
    if not data.lstrip(b"\xef\xbb\xbf").strip():
        raise ValidationError(
            f"{label} is empty.",
            "Start it with the header line given in the README, add rows, or delete the file "
            "if you have no figures (the notebook then shows the standard-based figures alone).",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValidationError(
            f"{label} is not UTF-8 text: byte 0x{data[exc.start]:02x} on line {line} "
            "(probably saved as Windows-1252 / 'ANSI').",
            UTF8_HINT,
        ) from None
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, skip_blank_lines=False, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ValidationError(
            f"{label} cannot be read as a CSV table: {exc}",
            "Give every line as many commas as the header; put text containing commas in double quotes.",
        ) from None
    if len(frame.columns) == 1 and any(sep in str(frame.columns[0]) for sep in (";", "\t")):
        raise ValidationError(
            f"{label} separates its columns with semicolons or tabs, not commas.",
            "Save it as 'CSV UTF-8 (Comma delimited)', or replace the separators with commas.",
        )
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    frame = frame.apply(lambda column: column.str.strip()).replace("", pd.NA)
    frame = frame.dropna(how="all")
    if frame.empty:
        raise ValidationError(
            f"{label} has a header line but no rows.", "Add rows, or delete the file if you have no figures."
        )
    return frame


def _check_columns(frame: pd.DataFrame, model: type[pa.DataFrameModel], label: str, hint: str) -> None:
    known = list(model.to_schema().columns)
    unknown = [c for c in frame.columns if c not in known]
    if unknown:
        lines = []
        for column in unknown:
            close = difflib.get_close_matches(column, known, n=1)
            lines.append(f"unknown column {column!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise schemas.problems_error(label, lines, f"The columns are: {', '.join(known)}. {hint}")


def _validate(frame: pd.DataFrame, model: type[pa.DataFrameModel], rules, label: str, hint: str) -> pd.DataFrame:
    _check_columns(frame, model, label, hint)
    valid = schemas.validate_table(frame, model, label, hint=f"{hint} {schemas.LOCAL_COUNT_HINT}")
    problems = rules(valid)
    if problems:
        raise schemas.problems_error(label, problems, hint)
    return valid


def read_supply(path: Path) -> pd.DataFrame:
    """Read and validate a ``supply.csv`` (see :class:`analysis.data.schemas.LocalSupply`).

    Returns the table with counts as nullable integers and ``line`` (the file line).
    """
    label = _label(path)
    frame = read_local_csv(path)
    valid = _validate(frame, schemas.LocalSupply, schemas.local_supply_problems, label, SUPPLY_HINT)
    return _finish(
        valid, ["properties", "bedspaces", "child_spaces", "accessible_bedspaces"], optional=["restrictions", "notes"]
    )


def read_referrals(path: Path) -> pd.DataFrame:
    """Read and validate a ``referrals.csv`` (see :class:`analysis.data.schemas.LocalReferrals`).

    An empty ``category`` means "all"; an empty ``percent_of`` beside a percent means
    "received". Returns counts and ranks as nullable integers and ``line`` (the file line).
    """
    label = _label(path)
    frame = read_local_csv(path)
    if "category" in frame.columns:
        frame["category"] = frame["category"].fillna("all")
    if "percent_of" in frame.columns and "percent" in frame.columns:
        frame["percent_of"] = frame["percent_of"].mask(
            frame["percent"].notna() & frame["percent_of"].isna(), "received"
        )
    valid = _validate(frame, schemas.LocalReferrals, schemas.local_referrals_problems, label, REFERRALS_HINT)
    return _finish(valid, ["count", "rank"], optional=["rank", "notes"])


def read_part4(path: Path, spec: part4.Part4File | None = None) -> pd.DataFrame:
    """Read and validate one Part 4 return file (see :mod:`analysis.data.schemas.part4`).

    A partly filled template is valid: a blank ``count`` is "not known", and rows may be
    deleted or repeated for another period. Parameters: ``spec`` is the table of the return
    the file holds (default: the one named like the file).

    Returns
    -------
    pandas.DataFrame
        Columns ``line`` (the file line), ``section``, ``category``, ``label``, ``count``
        (nullable integer), ``period``, ``source`` and ``notes``, one row per row of the file.

    Raises
    ------
    ValidationError
        Naming file, line, column and value: an unknown section or category (with the closest
        one), a count that is not a whole number >= 0, a period not written as the README
        says, a count without its period or source, a category repeated for one period, or a
        count above a total it is part of.
    """
    spec = spec or part4.PART4_BY_NAME[path.name]
    label = _label(path)
    frame = read_local_csv(path)
    valid = _validate(frame, part4.Part4Return, lambda df: part4.part4_problems(df, spec), label, PART4_HINT)
    out = _finish(valid, ["count"], optional=list(part4.OPTIONAL_COLUMNS))
    return out[["line", *part4.COLUMNS]]


def _finish(valid: pd.DataFrame, integer_columns: list[str], optional: list[str]) -> pd.DataFrame:
    out = valid.copy()
    for column in optional:
        if column not in out.columns:
            out[column] = pd.NA
    for column in integer_columns:
        out[column] = out[column].astype("Int64")
    out.insert(0, "line", [int(i) + 2 for i in out.index])
    return out.reset_index(drop=True)


# ------------------------------------------------------------------------------------------
# An area's local data
# ------------------------------------------------------------------------------------------


def read_local_files(area_code: str, folder: Path) -> LocalData:
    """Read and validate the local files in ``folder`` (one authority's); absent files give ``None``.

    Raises
    ------
    ValidationError
        A present file is empty, not UTF-8, not a CSV table, or breaks its schema.
    """
    supply_path = folder / config.LOCAL_SUPPLY_FILE
    referrals_path = folder / config.LOCAL_REFERRALS_FILE
    expected = {config.LOCAL_SUPPLY_FILE, config.LOCAL_REFERRALS_FILE, *part4.PART4_BY_NAME}
    others = (
        tuple(
            sorted(
                p.name
                for p in folder.iterdir()
                if p.is_file()
                and p.name not in expected
                and not p.name.startswith(".")
                and not p.name.lower().startswith("readme")
            )
        )
        if folder.is_dir()
        else ()
    )
    present = [
        path for path in (supply_path, referrals_path, *(folder / s.name for s in part4.PART4_FILES)) if path.is_file()
    ]

    # Validated once per content (and package version): the batch's up-front check and each notebook
    # reading the same files share the result (analysis.data.disk_cache; a file that fails is never kept).
    def validate() -> tuple:
        return (
            read_supply(supply_path) if supply_path in present else None,
            read_referrals(referrals_path) if referrals_path in present else None,
            {
                spec.name: read_part4(folder / spec.name, spec)
                for spec in part4.PART4_FILES
                if folder / spec.name in present
            },
        )

    parts = [area_code, str(folder), *(f"{p.name}:{disk_cache.file_digest(p)}" for p in present)] if present else None
    tables = disk_cache.cached(CACHE_KIND, parts, validate)
    supply, referrals, part4_tables = tables
    return LocalData(
        area_code=area_code,
        folder=folder,
        supply=supply,
        referrals=referrals,
        other_files=others,
        part4=part4_tables,
    )


def manifest_ids(local: LocalData) -> list[str]:
    """Ids of the manifest entries (worked examples) describing this area's local files, if any."""
    from analysis.data import sources

    present = {f"local/{local.area_code}/{name}" for name in local.tables()}
    return [item.id for item in sources.load_manifest() if item.path in present]
