"""A council's own supply and referral counts: find, read and validate the local data files.

Councils hold their own provider and referral figures. They put them, as aggregate counts
only (never records about people), in ``data/raw/local/<area_code>/``:

* ``supply.csv``: places by accommodation type and provider
  (:class:`analysis.schemas.LocalSupply`);
* ``referrals.csv``: referral figures, one per row (:class:`analysis.schemas.LocalReferrals`).

The README section "Refuge demand and supply" documents both with examples. Files are read
when a notebook runs, never copied into ``data/processed`` or ``reports``. A missing folder
or file is not an error (:func:`load_local_data` says what is missing); a malformed file is,
naming the file, line, column and value and how to fix it. Folders must be named with the
GSS code of an upper-tier authority (or London as a whole, whose Part 4 duty sits with the
Greater London Authority).
"""

from __future__ import annotations

import difflib
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from analysis import config, schemas
from analysis.areas import CODE_PATTERN, Area, resolve_area
from analysis.errors import AreaError, ValidationError

#: File -> (pandera model, rule function, hint on fixing it).
SUPPLY_HINT = ("Correct the cells listed. Each row is one provider's places of one accommodation type in one "
               "period; see the README section 'Refuge demand and supply: the standard, local data schema and method'.")
REFERRALS_HINT = ("Correct the cells listed. Each row is one referral figure (period, measure, category) with a "
                  "count, a published percent or a rank; see the README section 'Refuge demand and supply: the "
                  "standard, local data schema and method'.")
UTF8_HINT = ("Save the file as UTF-8: in Excel choose 'CSV UTF-8 (Comma delimited)'; in LibreOffice tick 'Edit "
             "filter settings' and pick 'Unicode (UTF-8)'.")


@dataclass(frozen=True)
class LocalData:
    """What local data an area has: validated tables (None when the file is absent)."""

    area_code: str
    folder: Path
    supply: pd.DataFrame | None
    referrals: pd.DataFrame | None
    other_files: tuple[str, ...] = ()

    @property
    def has_supply(self) -> bool:
        return self.supply is not None

    @property
    def has_referrals(self) -> bool:
        return self.referrals is not None

    @property
    def has_any(self) -> bool:
        return self.has_supply or self.has_referrals

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

def check_folder_name(name: str) -> Area:
    """The authority a local data folder belongs to, or :class:`AreaError` saying how to rename it.

    The name must be the exact (upper-case) GSS code of an upper-tier authority, or
    E12000007 for London as a whole.
    """
    where = f"data/raw/local/{name}"
    if not CODE_PATTERN.match(name):
        try:
            area = resolve_area(name, levels=("utla", "region"))
        except AreaError:
            raise AreaError(f"{where}: local data folders are named with an authority's GSS code, not {name!r}.",
                            "Rename it to the upper-tier authority's code (e.g. E10000014 for Hampshire); "
                            "'analysis areas find NAME' gives the code.") from None
        raise AreaError(f"{where}: local data folders are named with the authority's GSS code, not its name.",
                        f"Rename the folder to {area.code} ({area.name}).")
    try:
        area = resolve_area(name, levels=("utla", "region"))
    except AreaError as exc:
        raise AreaError(f"{where}: the folder name is not an upper-tier authority code. {exc.message}",
                        f"{exc.hint + '. ' if exc.hint else ''}Rename the folder to the code of the authority "
                        "the files describe, or remove it.") from None
    if name != area.code:
        raise AreaError(f"{where}: write the code in capitals.", f"Rename the folder to {area.code}.")
    if area.level == "region" and area.code != config.LONDON_CODE:
        raise AreaError(f"{where}: {area.name} is a region, which does not hold the Part 4 duty.",
                        "Put each upper-tier authority's files in its own folder (e.g. data/raw/local/E10000014).")
    return area


def check_local_folders() -> dict[str, Path]:
    """Every local data folder, keyed by its area code, after checking each folder's name.

    Raises
    ------
    AreaError
        For the first folder whose name is not an upper-tier authority code (a district,
        an unknown or reorganised code, a name, lower case), saying what to rename it to.
    """
    base = config.LOCAL_DIR
    if not base.is_dir():
        return {}
    folders = sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    return {check_folder_name(folder.name).code: folder for folder in folders}


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
        raise ValidationError(f"{label} is empty.",
                              "Start it with the header line given in the README, add rows, or delete the file "
                              "if you have no figures (the notebook then shows the standard-based figures alone).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ValidationError(f"{label} is not UTF-8 text: byte 0x{data[exc.start]:02x} on line {line} "
                              "(probably saved as Windows-1252 / 'ANSI').", UTF8_HINT) from None
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, skip_blank_lines=False, keep_default_na=False,
                            na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ValidationError(f"{label} cannot be read as a CSV table: {exc}",
                              "Give every line as many commas as the header; put text containing commas in "
                              "double quotes.") from None
    if len(frame.columns) == 1 and any(sep in str(frame.columns[0]) for sep in (";", "\t")):
        raise ValidationError(f"{label} separates its columns with semicolons or tabs, not commas.",
                              "Save it as 'CSV UTF-8 (Comma delimited)', or replace the separators with commas.")
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    frame = frame.apply(lambda column: column.str.strip()).replace("", pd.NA)
    frame = frame.dropna(how="all")
    if frame.empty:
        raise ValidationError(f"{label} has a header line but no rows.",
                              "Add rows, or delete the file if you have no figures.")
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
    """Read and validate a ``supply.csv`` (see :class:`analysis.schemas.LocalSupply`).

    Returns the table with counts as nullable integers and ``line`` (the file line).
    """
    label = _label(path)
    frame = read_local_csv(path)
    valid = _validate(frame, schemas.LocalSupply, schemas.local_supply_problems, label, SUPPLY_HINT)
    return _finish(valid, ["properties", "bedspaces", "child_spaces", "accessible_bedspaces"],
                   optional=["restrictions", "notes"])


def read_referrals(path: Path) -> pd.DataFrame:
    """Read and validate a ``referrals.csv`` (see :class:`analysis.schemas.LocalReferrals`).

    An empty ``category`` means "all"; an empty ``percent_of`` beside a percent means
    "received". Returns counts and ranks as nullable integers and ``line`` (the file line).
    """
    label = _label(path)
    frame = read_local_csv(path)
    if "category" in frame.columns:
        frame["category"] = frame["category"].fillna("all")
    if "percent_of" in frame.columns and "percent" in frame.columns:
        frame["percent_of"] = frame["percent_of"].mask(frame["percent"].notna() & frame["percent_of"].isna(), "received")
    valid = _validate(frame, schemas.LocalReferrals, schemas.local_referrals_problems, label, REFERRALS_HINT)
    return _finish(valid, ["count", "rank"], optional=["rank", "notes"])


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

def load_local_data(area: Area) -> LocalData:
    """Read and validate the local data of ``area``; absent files give ``None``, not an error.

    Every folder under ``data/raw/local`` is checked first, so a misnamed folder is
    reported rather than silently ignored.

    Raises
    ------
    AreaError
        A local data folder is not named with an upper-tier authority code.
    ValidationError
        A present file is empty, not UTF-8, not a CSV table, or breaks its schema.
    """
    folders = check_local_folders()
    folder = folders.get(area.code, config.LOCAL_DIR / area.code)
    supply_path = folder / config.LOCAL_SUPPLY_FILE
    referrals_path = folder / config.LOCAL_REFERRALS_FILE
    expected = {config.LOCAL_SUPPLY_FILE, config.LOCAL_REFERRALS_FILE}
    others = tuple(sorted(p.name for p in folder.iterdir() if p.is_file() and p.name not in expected
                          and not p.name.startswith(".") and not p.name.lower().startswith("readme"))
                   ) if folder.is_dir() else ()
    return LocalData(
        area_code=area.code,
        folder=folder,
        supply=read_supply(supply_path) if supply_path.is_file() else None,
        referrals=read_referrals(referrals_path) if referrals_path.is_file() else None,
        other_files=others,
    )


def local_data_gaps(local: LocalData) -> list[str]:
    """Sentences naming the local data that would complete the picture for this area."""
    gaps = []
    if not local.has_supply:
        gaps.append(f"**Supply**: add `{local.relative(config.LOCAL_SUPPLY_FILE)}` (bedspaces by accommodation type "
                    "and provider) to measure the gap against the standard and show supply by type.")
    else:
        supply = local.supply
        stated = set(supply["accommodation_type"])
        missing_types = [config.ACCOMMODATION_TYPE_LABELS[t] for t in config.ACCOMMODATION_TYPES if t not in stated]
        if missing_types:
            gaps.append("**Supply by type**: no rows for " + ", ".join(missing_types)
                        + " (add a row with 0 where there is none, so 'none' and 'not known' differ).")
        no_beds = supply.loc[supply["bedspaces"].isna(), "accommodation_type"].map(config.ACCOMMODATION_TYPE_LABELS)
        if len(no_beds):
            gaps.append("**Bedspaces not stated** for " + ", ".join(dict.fromkeys(no_beds)) + ".")
    if not local.has_referrals:
        gaps.append(f"**Referrals**: add `{local.relative(config.LOCAL_REFERRALS_FILE)}` (received, accepted, "
                    "declined, reasons, from outside the area, risk levels) to compare demand with the benchmark.")
    else:
        referrals = local.referrals
        counted = set(referrals.loc[referrals["count"].notna() & (referrals["category"] == "all"), "measure"])
        for measure, why in (("received", "the denominator for intervals on every share"),
                             ("accepted", "the accepted share of referrals")):
            if measure not in counted:
                gaps.append(f"**Referrals {measure.replace('_', ' ')}** (a count): {why}.")
        if "risk_level" not in set(referrals["measure"]):
            gaps.append("**Risk levels** of referrals (high, medium, standard).")
    gaps.extend(f"`{local.relative(name)}` was not read: only `{config.LOCAL_SUPPLY_FILE}` and "
                f"`{config.LOCAL_REFERRALS_FILE}` are (save tables as CSV UTF-8 with those names)."
                for name in local.other_files)
    return gaps


def manifest_ids(local: LocalData) -> list[str]:
    """Ids of the manifest entries (worked examples) describing this area's local files, if any."""
    from analysis import sources

    present = {f"local/{local.area_code}/{name}" for name, table in
               ((config.LOCAL_SUPPLY_FILE, local.supply), (config.LOCAL_REFERRALS_FILE, local.referrals))
               if table is not None}
    return [item.id for item in sources.load_manifest() if item.path in present]


def source_lines(local: LocalData) -> list[str]:
    """One line per local file read: its path and the distinct sources its rows cite."""
    lines = []
    for name, table in ((config.LOCAL_SUPPLY_FILE, local.supply), (config.LOCAL_REFERRALS_FILE, local.referrals)):
        if table is not None:
            cited = "; ".join(dict.fromkeys(table["source"]))
            lines.append(f"Local data `{local.relative(name)}` (aggregate counts, read when this report ran), "
                         f"citing: {cited}")
    return lines
