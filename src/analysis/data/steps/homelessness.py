"""MHCLG statutory homelessness (H-CLIC) detailed local authority tables: read, tidy, cache, record.

Source: Ministry of Housing, Communities and Local Government (formerly DLUHC), *Statutory
homelessness: detailed local authority-level tables*, one workbook a quarter from April-June
2018 (https://www.gov.uk/government/collections/homelessness-statistics), described in section 7
of the data mirror's ``SOURCES.md``. The manifest lists each workbook as ``homelessness_YYYY_qN``
(financial year starting April YYYY, quarter N).

Reading
-------
Sheets are found by their **table title** (sheet names move: ``A2P``, ``A2p``, ``A2R_``,
``A2 - Apr-Jun 18``; two editions even title the relief table "Table A2P") and columns by their
**header text** (headers span several rows above the first data row; a header cell covers the
columns to its right until the next header cell on its row or any row above). The quarter is read
from the table titles ("England, July to September 2023") and checked against the ``YYYYMM`` in
the file name. A table or column that MHCLG publishes for the workbook's quarter but that cannot
be found raises :class:`~analysis.errors.ValidationError` naming file, sheet and header text.

Tables and measures (households, not people)
--------------------------------------------
* A1 households assessed: owed a prevention duty, a relief duty, either, and MHCLG's
  denominator "Number of households in area (000s)" (from April-June 2019).
* A2 (to April-June 2020): reason for loss, or threat of loss, of last settled home for
  households owed a prevention **or** relief duty (one table for both duties).
* A2P (from April-June 2020) / A2R (from July-September 2020): the same by duty. April-June 2020
  has both A2 (both duties) and A2P (prevention only) but no A2R: its relief-duty reasons are not
  published (A2 minus A2P would be the relief share). From July-September 2023 "Domestic abuse"
  is split into Victim, Alleged perpetrator and a "Retired 'Domestic abuse' option".
* A3: households owed a duty with any support need, with "At risk of / has experienced domestic
  abuse" and with "Young person aged 16-17 years" (a household can have several needs).
* A4 (to April-June 2020) / A4P / A4R: accommodation at application "Refuge".
* A6 (2018-19 and from July-September 2020): main applicants aged 16-17.
* MD3: households owed a main duty, and those in priority need because of domestic abuse.

Conventions kept as published: England and regional rows are rounded to the nearest 10 and
include MHCLG's estimates for authorities that did not submit (``published_total`` is True);
authority rows are unrounded. ``..`` (no or incomplete data), ``-`` (suppressed, fewer than 5
households) and blank cells become NaN with ``status`` "missing" and the reason, never zero.

The quarters and the header rules of every table and edition are
:mod:`analysis.data.steps.homelessness_spec`. The 2021-geography and financial-year step is
:mod:`analysis.data.steps.homelessness_geography`; manifest entries and ``analysis data add`` are
:mod:`analysis.data.steps.homelessness_manifest`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from analysis import config
from analysis.data import sources
from analysis.data.schemas import validate_table
from analysis.data.steps import homelessness_geography as geography
from analysis.data.steps import homelessness_spec as spec
from analysis.data.steps.base import Step, StepInputs
from analysis.data.steps.homelessness_spec import MEASURES, MONTH_NAMES, TABLES, Measure, Quarter, Table
from analysis.errors import DataFileError, ValidationError
from analysis.files import atomic_path

#: Folder of the workbooks under data/raw, and where MHCLG publishes them.
RAW_FOLDER = "homelessness"
OFFICIAL_PAGE = "https://www.gov.uk/government/collections/homelessness-statistics"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
#: Cell markers and what they mean (each workbook's own notes).
MARKERS = {
    "..": "no or incomplete data received from the authority ('..')",
    "-": "suppressed by MHCLG: fewer than 5 households ('-')",
    "": "blank cell",
}
GEO_CODE = re.compile(r"^E(92|12|06|07|08|09)\d{6}$")
QUARTER_TITLE = re.compile(
    r"england,?\s+(january|april|july|october)\s+to\s+(march|june|september|december)\s+(20\d\d)"
)
#: Changes when this module or the header rules change, so cached rows of an older reader are never reused.
PARSER_VERSION = hashlib.sha256(Path(__file__).read_bytes() + Path(spec.__file__).read_bytes()).hexdigest()[:12]


class PublishedRows(pa.DataFrameModel):
    """``homelessness_published``: one row per quarter x geography (as published) x measure."""

    quarter_start: Series[pd.Timestamp]
    quarter: Series[str] = pa.Field(str_matches=r"^20\d\d-\d\d Q[1-4]$")
    financial_year: Series[str] = pa.Field(str_matches=r"^20\d\d-\d\d$")
    geography_code: Series[str] = pa.Field(str_matches=GEO_CODE.pattern)
    level: Series[str] = pa.Field(isin=["country", "region", "ltla"])
    measure: Series[str] = pa.Field(isin=list(MEASURES))
    value: Series[float] = pa.Field(ge=0, nullable=True)
    status: Series[str] = pa.Field(isin=["published", "missing"])

    @pa.dataframe_check(error="value is NaN exactly when status is 'missing'")
    def missing_means_nan(cls, df: pd.DataFrame) -> Series[bool]:
        return df["value"].isna() == (df["status"] == "missing")

    @pa.dataframe_check(error="a count of households is not a whole number")
    def counts_are_whole(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["value"] % 1 == 0) | df["value"].isna() | (df["measure"] == "households_in_area_thousands")


# ------------------------------------------------------------------------------------------
# Reading one workbook
# ------------------------------------------------------------------------------------------


def _norm(value: object) -> str:
    text = str(value).replace("\xa0", " ").replace("\u2013", "-").replace("\u2014", "-")
    text = text.replace("\u201c", '"').replace("\u201d", '"').replace("\u2018", "'").replace("\u2019", "'")
    return re.sub(r"\s+", " ", text).strip().lower()


def _cell(row: int, col: int) -> str:
    """Spreadsheet reference of a 0-based cell, e.g. (24, 30) -> "AE25"."""
    letters, col = "", col + 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row + 1}"


def _header_grid(header: list[list], ncols: int) -> tuple[list[list[str]], list[list[str]]]:
    """Each header cell's own text, and the text covering it (merged cells spread rightwards)."""
    own = [[_norm(r[c]) if c < len(r) and r[c] not in ("", None) else "" for c in range(ncols)] for r in header]
    covered, started = [], [False] * ncols
    for row in own:
        out: list[str] = []
        for c, text in enumerate(row):
            out.append(text or ("" if c == 0 or started[c] else out[c - 1]))
        covered.append(out)
        started = [s or bool(t) for s, t in zip(started, row)]
    return own, covered


def _find_column(own, covered, measure: Measure, where: str) -> int | None:
    for patterns in measure.headers:
        *parents, leaf = (re.compile(p) for p in patterns)
        hits = []
        for c in range(len(own[0]) if own else 0):
            if not any(leaf.search(row[c]) for row in own if row[c]):
                continue
            path = [row[c] for row in covered if row[c]]
            if all(any(p.search(t) for t in path) for p in parents):
                hits.append(c)
        if len(hits) > 1:
            raise ValidationError(
                f"{where}: header {measure.label!r} matches several columns "
                f"({', '.join(_cell(0, c)[:-1] for c in hits)}).",
                "Make the header patterns of this measure in analysis/data/homelessness.py more specific.",
            )
        if hits:
            return hits[0]
    return None


def _sheet_titles(book, path: Path) -> dict[str, tuple]:
    """Table code -> (sheet name, title, title row, sheet) for every table of :data:`TABLES` in the book.

    Every sheet's title is read, so two sheets claiming one table are caught.
    """
    found: dict[str, list[tuple]] = {}
    for sheet in book.sheet_names:
        try:
            loaded = book.get_sheet_by_name(sheet)
            head = loaded.to_python(nrows=3)
        except Exception:  # broken external-reference sheets in some ODS editions
            continue
        cells = [(i, str(c)) for i, row in enumerate(head) for c in row if str(c).strip()]
        if not cells:
            continue
        title_row, title = cells[0]
        text = _norm(title.split("\n")[0])
        for table in TABLES:
            if re.search(table.title, text):
                found.setdefault(table.code, []).append((sheet, _norm(title), title_row, loaded))
    out = {}
    for code, hits in found.items():
        if len(hits) > 1:
            raise ValidationError(
                f"{path.name}: sheets {[h[0] for h in hits]} all look like table {code}.",
                "Make the title pattern of this table in analysis/data/homelessness.py more specific.",
            )
        out[code] = hits[0]
    return out


def _title_quarter(title: str) -> Quarter | None:
    match = QUARTER_TITLE.search(title)
    if not match:
        return None
    month = [m.lower() for m in MONTH_NAMES].index(match.group(1)) + 1
    return Quarter(date(int(match.group(3)), month, 1))


def _quarter_of(path: Path, titles: dict[str, tuple]) -> Quarter:
    quarters = {code: q for code, found in titles.items() if (q := _title_quarter(found[1]))}
    distinct = set(quarters.values())
    if len(distinct) != 1:
        seen = ", ".join(f"{code}: {q.name}" for code, q in quarters.items()) or "none"
        raise ValidationError(
            f"{path.name}: the table titles do not name one quarter (found {seen}).",
            "Each table title ends 'England, <Month> to <Month> <year>'; check the workbook is one MHCLG quarter.",
        )
    quarter = distinct.pop()
    stamps = re.findall(r"(?<!\d)(20\d\d(?:0[1-9]|1[0-2]))(?!\d)", path.stem)
    if stamps and quarter.end_yyyymm not in stamps:
        raise ValidationError(
            f"{path.name}: the tables are for {quarter.name} but the file name says {stamps[0]}.",
            f"Rename the file so its date is the quarter's last month ({quarter.end_yyyymm}), as MHCLG's names are.",
        )
    return quarter


def workbook_quarter(path: Path) -> Quarter:
    """The quarter a workbook covers, read from its table titles and checked against its name."""
    path = Path(path)
    return _quarter_of(path, _sheet_titles(_open(path), path))


def _open(path: Path):
    from python_calamine import CalamineWorkbook

    if not path.is_file():
        raise DataFileError(f"{path} does not exist.", "Check the path; workbooks live in data/raw/homelessness/.")
    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        raise DataFileError(
            f"{path.name} cannot be read as a spreadsheet ({type(exc).__name__}: {exc}).",
            "Save MHCLG's workbook unchanged (XLSX or ODS) and try again.",
        ) from None


def _first_data_row(rows: list[list], where: str) -> tuple[int, int, int]:
    """(row, code column, name column) of the England row, the first data row of every table."""
    for i, row in enumerate(rows):
        for c, value in enumerate(row):
            if str(value).strip() == config.ENGLAND_CODE:
                names = [k for k, v in enumerate(row) if _norm(v) == "england"]
                if names:
                    return i, c, names[0]
    raise ValidationError(
        f"{where}: no row with code {config.ENGLAND_CODE} and name England.",
        "Every MHCLG table starts its data with the England row; check the sheet is unchanged.",
    )


def _value(raw: object, where: str) -> tuple[float, str]:
    """A cell as (value, missing reason); reason is "" for a published number."""
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise ValidationError(f"{where}: unexpected cell {raw!r}.", "Cells hold numbers or MHCLG's markers '..' / '-'.")
    if isinstance(raw, int | float):
        return float(raw), ""
    text = raw.strip()
    if text in MARKERS:
        return float("nan"), MARKERS[text]
    try:
        return float(text.replace(",", "")), ""
    except ValueError:
        raise ValidationError(
            f"{where}: cell holds {raw!r}, neither a number nor one of the markers {list(MARKERS)}.",
            "Check the cell against MHCLG's published workbook; the file must be used unchanged.",
        ) from None


def _read_table(path: Path, book, table: Table, title_info, quarter: Quarter) -> dict[str, list]:
    sheet, _, title_row, loaded = title_info
    where = f"{path.name}, sheet {sheet!r} (table {table.code})"
    rows = loaded.to_python()
    first, code_col, name_col = _first_data_row(rows, where)
    ncols = max(len(r) for r in rows[: first + 1])
    own, covered = _header_grid(rows[title_row + 1 : first], ncols)
    columns: dict[str, int] = {}
    for measure in table.measures:
        col = _find_column(own, covered, measure, where)
        if col is None and measure.expected(quarter):
            looked = " or ".join(" > ".join(alt) for alt in measure.headers)
            raise ValidationError(
                f"{where}: no column headed {measure.label!r} (looked for header text matching {looked} "
                f"in rows {title_row + 2}-{first} above the first data row).",
                "MHCLG may have renamed the column: find its header in the sheet and add the new wording to "
                f"the patterns of measure {measure.name!r} in analysis/data/homelessness.py, then rebuild.",
            )
        if col is not None:
            columns[measure.name] = col
    out: dict[str, list] = {
        k: [] for k in ("geography_code", "geography_name", "measure", "value", "missing_reason", "cell")
    }
    seen: dict[str, tuple] = {}
    for i in range(first, len(rows)):
        row = rows[i]
        code = str(row[code_col]).strip() if code_col < len(row) else ""
        if not GEO_CODE.match(code):
            continue  # 'Rest of England', blank rows, notes
        cells = tuple(row[c] if c < len(row) else "" for c in columns.values())
        if code in seen:  # London is listed twice (top block and regions)
            if seen[code] != cells:
                raise ValidationError(f"{where}: {code} appears twice with different values (row {i + 1}).")
            continue
        seen[code] = cells
        for (name, col), raw in zip(columns.items(), cells):
            value, reason = _value(raw, f"{where}, cell {_cell(i, col)}")
            out["geography_code"].append(code)
            out["geography_name"].append(str(row[name_col]).strip())
            out["measure"].append(name)
            out["value"].append(value)
            out["missing_reason"].append(reason)
            out["cell"].append(_cell(i, col))
    out["table"] = [table.code] * len(out["value"])
    out["sheet"] = [sheet] * len(out["value"])
    return out


def read_workbook(path: Path) -> pd.DataFrame:
    """Every measure of one workbook as tidy rows (see :class:`PublishedRows` for the columns).

    Raises
    ------
    DataFileError
        If the file is missing or not a spreadsheet.
    ValidationError
        If a table or column MHCLG publishes for the quarter is not found (naming file, sheet and
        the header text looked for), the quarter is unclear, or a cell is not a number or marker.
    """
    path = Path(path)
    book = _open(path)
    titles = _sheet_titles(book, path)
    quarter = _quarter_of(path, titles)
    parts: dict[str, list] = {}
    for table in TABLES:
        if table.code not in titles:
            if table.expected(quarter):
                raise ValidationError(
                    f"{path.name}: no sheet holds table {table.code} for {quarter.name} "
                    f"(looked for a title matching {table.title!r}; sheets: {', '.join(book.sheet_names[:40])}).",
                    "MHCLG may have renamed the table: add its new title wording to TABLES in "
                    "analysis/data/homelessness.py, then rebuild.",
                )
            continue
        for key, values in _read_table(path, book, table, titles[table.code], quarter).items():
            parts.setdefault(key, []).extend(values)
    frame = pd.DataFrame(parts)
    level = frame["geography_code"].str[:3].map({"E92": "country", "E12": "region"}).fillna("ltla")
    frame = frame.assign(
        quarter_start=pd.Timestamp(quarter.start),
        quarter=quarter.label,
        quarter_name=quarter.name,
        financial_year=quarter.financial_year,
        level=level,
        status=frame["missing_reason"].map(lambda r: "missing" if r else "published"),
        published_total=level != "ltla",
        source_file=path.name,
    )
    return validate_table(frame[PUBLISHED_COLUMNS], PublishedRows, path.name)


PUBLISHED_COLUMNS = [
    "quarter_start", "quarter", "quarter_name", "financial_year", "geography_code", "geography_name", "level",
    "measure", "value", "status", "missing_reason", "published_total", "table", "sheet", "cell", "source_file",
]  # fmt: skip


# ------------------------------------------------------------------------------------------
# All workbooks, cached by checksum
# ------------------------------------------------------------------------------------------


def _cached(path: Path, cache_dir: Path) -> pd.DataFrame:
    """The workbook's rows, parsed once per file content (sha256) and reader version."""
    digest = sources.sha256_file(path)
    cache_file = cache_dir / f"{digest}-{PARSER_VERSION}.parquet"
    if cache_file.is_file():
        try:
            return pd.read_parquet(cache_file).assign(source_file=path.name)
        except Exception:  # a damaged cache file is simply rebuilt
            pass
    frame = read_workbook(path)
    cache_dir.mkdir(parents=True, exist_ok=True)
    with atomic_path(cache_file) as temporary:
        frame.to_parquet(temporary, index=False)
    return frame


def build_published(workbooks: Sequence[Path], cache_dir: Path) -> pd.DataFrame:
    """``homelessness_published`` from the workbooks; a changed or added file alone is reread."""
    if not workbooks:
        raise DataFileError("No homelessness workbooks were given.", "Run 'analysis data get' first.")
    cache_dir = Path(cache_dir)
    frames, by_quarter = [], {}
    for path in map(Path, workbooks):
        frame = _cached(path, cache_dir)
        label = frame["quarter_name"].iat[0]
        if label in by_quarter:
            raise ValidationError(
                f"Two workbooks cover {label}: {by_quarter[label]} and {path.name}.",
                "Keep one workbook per quarter in the manifest (data/raw/sources.yaml).",
            )
        by_quarter[label] = path.name
        frames.append(frame)
    keep = {f"{d}-{PARSER_VERSION}.parquet" for d in (sources.sha256_file(Path(p)) for p in workbooks)}
    for stale in cache_dir.glob("*.parquet"):
        if stale.name not in keep and re.fullmatch(r"[0-9a-f]{64}-[0-9a-f]{12}\.parquet", stale.name):
            stale.unlink(missing_ok=True)
    published = pd.concat(frames, ignore_index=True)
    # Parquet keeps dates in milliseconds: a workbook read now and one read from the cache must agree.
    published["quarter_start"] = published["quarter_start"].astype("datetime64[ms]")
    return published.sort_values(["quarter_start", "measure", "geography_code"]).reset_index(drop=True)


def build_homelessness(
    workbooks: Sequence[Path],
    cache_dir: Path,
    areas: pd.DataFrame,
    register: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """The three homelessness tables: as published, on 2021 upper-tier geography, by financial year.

    Parameters
    ----------
    workbooks
        The quarterly workbooks (see :func:`manifest_workbooks`), one per quarter.
    cache_dir
        Where each workbook's parsed rows are kept, keyed by its sha256.
    areas
        The processed ``areas`` table (2021 districts with ``ltla_code``, ``utla_code``, ``region_code``).
    register
        The mySociety authority register (default: read from data/raw) for abolished and new codes.
    """
    for column in ("ltla_code", "utla_code", "region_code"):
        if column not in areas.columns:
            raise DataFileError(f"The areas table has no column {column!r}.", "Pass the processed 'areas' table.")
    published = build_published(workbooks, cache_dir)
    if register is None:
        register = pd.read_csv(sources.get_source("mysociety_la_register").local_path, dtype=str)
    upper = geography.upper_tier_table(published, areas, register)
    return {
        "homelessness_published": published,
        "homelessness": upper,
        "homelessness_financial_years": geography.financial_years(upper),
    }


def manifest_workbooks(files: Sequence[sources.SourceFile] | None = None) -> list[Path]:
    """Local paths of the manifest's homelessness workbooks, oldest quarter first (by id)."""
    files = sources.load_manifest() if files is None else files
    chosen = [f for f in files if f.path.startswith(f"{RAW_FOLDER}/")]
    return [f.local_path for f in sorted(chosen, key=lambda f: f.id)]


def manifest_source_ids(files: Sequence[sources.SourceFile] | None = None) -> tuple[str, ...]:
    """Ids of the manifest's homelessness workbooks (the build step's inputs)."""
    files = sources.load_manifest() if files is None else files
    return tuple(sorted(f.id for f in files if f.path.startswith(f"{RAW_FOLDER}/")))


#: The published rows of each workbook are cached under data/interim/, keyed by the workbook's sha256, so a
#: changed or added workbook rereads itself only.
CACHE_FOLDER = ("homelessness",)
OUTPUTS = ("homelessness_published", "homelessness", "homelessness_financial_years")


def homelessness_step(given: StepInputs) -> dict[str, pd.DataFrame]:
    """Build step: the three homelessness tables from every workbook the manifest lists."""
    cache_dir = config.INTERIM_DIR.joinpath(*CACHE_FOLDER)
    return build_homelessness(manifest_workbooks(), cache_dir, given["areas"])


STEPS = (
    Step(
        "homelessness",
        ("mysociety_la_register",),
        OUTPUTS,
        homelessness_step,
        needs=("areas",),
        discover=manifest_source_ids,
    ),
)
