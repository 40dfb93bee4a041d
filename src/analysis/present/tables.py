"""A published table: small-number suppression, headings and values in words, formats, footnotes, HTML, CSV.

:func:`build` turns a tidy frame into a :class:`PublishedTable`, the one form every output of
a table is made from, so the page, the plain-text view and the downloadable CSV always show
the same cells:

* counts from 1 to ``threshold - 1``, and what is derived from them on their row, become the
  marker [c] (:func:`analysis.methods.stats.suppress_small_counts`);
* each column gets its heading in plain words with its unit (:mod:`analysis.present.labels`);
  a column named in code that has no label is refused (:class:`~analysis.errors.ParameterError`
  naming the column and the fix), as is a cell, caption or note that would show code;
* coded values are shown as their labels (accommodation types, measures, sexes, levels);
* numbers are rounded halves away from zero with thousands separators and a fixed number of
  decimals per column (:func:`analysis.present.numbers.format_number`); a missing value is "–";
* a pair of limits (``ci_lower``, ``ci_upper``) is one column "lower to upper";
* every symbol a cell shows is explained in a footnote: [c]
  (:data:`analysis.config.SUPPRESSION_FOOTNOTE`), "–" (:data:`analysis.config.MISSING_FOOTNOTE`)
  and "no data" (:data:`analysis.config.NO_DATA_FOOTNOTE`), unless the table says more precisely;
* the HTML puts the table in its own box that scrolls sideways when the table is wider than the
  page (a column of long texts, notes or sources, is kept wide enough to read): a focusable
  region labelled with the caption, so a keyboard can scroll it and a screen reader announces it
  (GOV.UK Design System, "Table": wide tables; WCAG 2.1 SC 1.4.10 Reflow and 2.1.1 Keyboard).
  Number columns are right-aligned.

The table's cells also travel with it as data (:data:`TABLE_MIME`, invisible in the notebook and
never published as such): the publisher writes them as the table's CSV and links it from the page
(:mod:`analysis.present.downloads`). The CSV holds the cells as published, with numbers written
without thousands separators so a spreadsheet reads them as numbers.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Real
from typing import Any

import pandas as pd

from analysis import config
from analysis.errors import ParameterError
from analysis.present import labels
from analysis.present.numbers import MISSING, format_number

#: The MIME type of a table's cells as data (read by the publisher, never shown).
TABLE_MIME = "application/vnd.da-needs.table+json"
#: The MIME type of a report's cited source ids (read by the publisher for the data zip, never shown).
SOURCES_MIME = "application/vnd.da-needs.sources+json"
#: What chart-data outputs say in the notebook (the page shows a download link instead).
CHART_DATA_CLASS = "chart-data"
_NUMBER = re.compile(r"^-?\d{1,3}(?:,\d{3})*(?:\.\d+)?$")
_INTERVAL_WORD = " to "
#: A text column with a cell longer than this (characters) is given room to read (CSS ``long-text``).
LONG_TEXT = 80


@dataclass
class PublishedTable:
    """A table as published: caption, headings, cells (text) and footnotes."""

    caption: str
    headings: list[str]
    cells: list[list[str]]
    numeric: list[bool]
    notes: list[str] = field(default_factory=list)
    count_headings: list[str] = field(default_factory=list)
    threshold: int = config.SUPPRESSION_THRESHOLD
    kind: str = "table"

    @property
    def key(self) -> str:
        """A short fingerprint of the published content: one CSV for the same table shown twice."""
        text = json.dumps([self.caption, self.headings, self.cells], ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def csv_rows(self) -> list[list[str]]:
        """The rows of the CSV: headings, then the cells with numbers without thousands separators."""
        return [list(self.headings), *[[csv_cell(cell) for cell in row] for row in self.cells]]

    def payload(self) -> dict[str, Any]:
        """The table as data, for :data:`TABLE_MIME` (the publisher checks its counts again)."""
        return {
            "kind": self.kind,
            "key": self.key,
            "caption": self.caption,
            "columns": list(self.headings),
            "rows": [list(row) for row in self.cells],
            "notes": list(self.notes),
            "count_columns": list(self.count_headings),
            "threshold": int(self.threshold),
        }

    def html(self) -> str:
        """The table in its scrolling box, with its footnotes."""
        esc = html.escape
        marks = ""
        if self.count_headings:
            marks = (
                f' data-count-columns="{esc(json.dumps(self.count_headings, ensure_ascii=False))}"'
                f' data-suppression-threshold="{int(self.threshold)}"'
            )

        long_text = [
            not self.numeric[i] and any(len(row[i]) > LONG_TEXT for row in self.cells)
            for i in range(len(self.headings))
        ]

        def cls(position: int, cell: bool = False) -> str:
            if self.numeric[position]:
                return ' class="numeric"'
            return ' class="long-text"' if cell and long_text[position] else ""

        head = "".join(f'<th scope="col"{cls(i)}>{esc(h)}</th>' for i, h in enumerate(self.headings))
        body = "".join(
            "<tr>" + "".join(f"<td{cls(i, True)}>{esc(cell)}</td>" for i, cell in enumerate(row)) + "</tr>\n"
            for row in self.cells
        )
        notes = "".join(f'<p class="table-note">{esc(note)}</p>' for note in self.notes)
        return (
            f'<div class="table-block" data-table-key="{self.key}">\n'
            f'<div class="table-scroll" role="region" tabindex="0" aria-label="{esc(self.caption)}">\n'
            f'<table class="data-table"{marks}>\n<caption>{esc(self.caption)}</caption>\n'
            f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>\n</div>\n"
            + (f'<div class="table-notes">{notes}</div>\n' if notes else "")
            + "</div>"
        )

    def text(self) -> str:
        """A plain-text view for the notebook's text output."""
        frame = pd.DataFrame(self.cells, columns=self.headings)
        return f"{self.caption}\n{frame.to_string(index=False)}" + "".join(f"\n{n}" for n in self.notes)


def csv_cell(cell: str) -> str:
    """A published cell as the CSV holds it: "12,350" -> "12350", "1,234 to 2,345" -> "1234 to 2345"."""
    parts = cell.split(_INTERVAL_WORD)
    if all(_NUMBER.match(part) for part in parts) and len(parts) <= 2:
        return _INTERVAL_WORD.join(part.replace(",", "") for part in parts)
    return cell


# ------------------------------------------------------------------------------------------
# Checks
# ------------------------------------------------------------------------------------------


def _check_columns(frame: pd.DataFrame, names: Iterable[str], argument: str, caption: str) -> None:
    missing = [name for name in names if name not in frame.columns]
    if missing:
        raise ParameterError(
            f"Table '{caption}': {argument} names {missing}, which the frame does not have.",
            f"Use column names of the frame: {', '.join(map(str, frame.columns))}.",
        )


def _refuse_code(text: str, where: str, caption: str) -> str:
    """``text`` in plain words, or ParameterError if it would still show code."""
    text = labels.plain(text)
    found = labels.code_text(text)
    if found:
        raise ParameterError(
            f"Table '{caption}': {where} would publish code ({', '.join(dict.fromkeys(found))}): {text[:120]!r}.",
            "Say it in words: add a label to analysis.present.labels (CODE_LABELS for a value, VALUE_LABELS "
            "for a column's values), or reword the text; file names and folders never appear on a page.",
        )
    return text


def _intervals(
    frame: pd.DataFrame, intervals: Mapping[str, Sequence[str]] | None, caption: str
) -> dict[str, tuple[str, str, str]]:
    """lower column -> (upper column, heading template) for the pairs shown as one column."""
    if intervals is None:
        pairs = {lower: (upper, text) for (lower, upper), text in labels.INTERVAL_COLUMNS.items()}
        return {lower: pair for lower, pair in pairs.items() if lower in frame.columns and pair[0] in frame.columns}
    chosen = {}
    for text, pair in intervals.items():
        if len(pair) != 2:
            raise ParameterError(f"Table '{caption}': interval {text!r} must name two columns (lower, upper).")
        _check_columns(frame, pair, "intervals", caption)
        chosen[pair[0]] = (pair[1], text)
    return chosen


# ------------------------------------------------------------------------------------------
# Cells
# ------------------------------------------------------------------------------------------


def _is_numeric(series: pd.Series) -> bool:
    """A column of numbers: a numeric dtype, or numbers with the suppression marker in some cells."""
    if pd.api.types.is_bool_dtype(series):
        return False
    if pd.api.types.is_numeric_dtype(series):
        return True
    values = series.dropna()
    markers = {config.SUPPRESSION_MARKER, MISSING}
    numbers = [v for v in values if not (isinstance(v, str) and v in markers)]
    return bool(numbers) and all(isinstance(v, Real) and not isinstance(v, bool) for v in numbers)


def _cell(value: Any, column: str, decimals: int) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return str(labels.value(column, value))
    return format_number(value, decimals)


def _interval_cell(lower: Any, upper: Any, decimals: int) -> str:
    low, high = format_number(lower, decimals), format_number(upper, decimals)
    if config.SUPPRESSION_MARKER in (low, high):
        return config.SUPPRESSION_MARKER
    if MISSING in (low, high):
        return MISSING
    return f"{low}{_INTERVAL_WORD}{high}"


def symbol_notes(
    cells: Sequence[Sequence[str]], notes: Sequence[str], threshold: int, explain: Mapping[str, str]
) -> list[str]:
    """The footnotes of the symbols the cells show, unless a note already explains the symbol."""
    from analysis.methods import stats

    shown = {cell for row in cells for cell in row}
    written = " ".join(notes)
    out = []
    if config.SUPPRESSION_MARKER in shown and "[c] =" not in written:
        out.append(explain.get(config.SUPPRESSION_MARKER) or stats.suppression_footnote(threshold))
    if MISSING in shown and "– =" not in written and "'–' =" not in written:
        out.append(f"– = {explain[MISSING]}" if MISSING in explain else config.MISSING_FOOTNOTE)
    no_data = config.MAP_NO_DATA_LABEL
    if no_data in shown and f"'{no_data}'" not in written and f'"{no_data}"' not in written:
        out.append(f"{no_data} = {explain[no_data]}" if no_data in explain else config.NO_DATA_FOOTNOTE)
    return out


def build(
    frame: pd.DataFrame,
    caption: str,
    *,
    count_columns: Sequence[str] = (),
    derived_columns: Sequence[str] | Mapping[str, Sequence[str]] = (),
    decimals: Mapping[str, int] | None = None,
    threshold: int = config.SUPPRESSION_THRESHOLD,
    notes: Iterable[str] = (),
    index: bool = False,
    labels_for: Mapping[str, str] | None = None,
    intervals: Mapping[str, Sequence[str]] | None = None,
    level: float = config.DEFAULT_CONFIDENCE,
    symbols: Mapping[str, str] | None = None,
    kind: str = "table",
) -> tuple[pd.DataFrame, PublishedTable]:
    """The frame with small counts suppressed, and the table as published.

    Parameters are those of :func:`analysis.present.report.table` (``labels_for`` is its
    ``labels``); ``kind`` is "table", or "chart" for the data behind a chart.
    """
    from analysis.methods import stats

    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(f"A table needs a pandas DataFrame, got {type(frame).__name__}.")
    if not isinstance(caption, str) or not caption.strip():
        raise ParameterError("Every table needs a caption saying what it shows, where and when.")
    caption = _refuse_code(caption, "the caption", caption)
    if index:
        frame = frame.reset_index()
    frame = frame.loc[:, ~frame.columns.duplicated()] if frame.columns.duplicated().any() else frame
    decimals = dict(decimals or {})
    if isinstance(derived_columns, Mapping):
        derived: Any = {count: list(columns) for count, columns in derived_columns.items()}
        named = [*derived, *(column for columns in derived.values() for column in columns)]
    else:
        derived = named = list(derived_columns)
    _check_columns(frame, count_columns, "count_columns", caption)
    _check_columns(frame, decimals, "decimals", caption)
    _check_columns(frame, named, "derived_columns", caption)
    published = frame.copy()
    if count_columns:
        published = stats.suppress_small_counts(published, list(count_columns), derived or [], threshold=threshold)
    pairs = _intervals(frame, intervals, caption)
    uppers = {upper for upper, _ in pairs.values()}

    headings, columns, numeric = [], [], []
    for column in frame.columns:
        if column in uppers:
            continue
        if column in pairs:
            text = pairs[column][1].replace("{level}", labels.level_words(level))
            headings.append(text[:1].upper() + text[1:])
            numeric.append(True)
        else:
            try:
                headings.append(labels.heading(str(column), level, labels_for))
            except KeyError:
                raise ParameterError(
                    f"Table '{caption}': column {column!r} has no published heading, so its code name would "
                    "reach the page.",
                    f"Add a label for {column!r} to analysis.present.labels.COLUMN_LABELS, rename the column to "
                    "plain words, or pass labels={...} to report.table.",
                ) from None
            numeric.append(_is_numeric(frame[column]))
        columns.append(column)
    repeated = sorted({h for h in headings if headings.count(h) > 1})
    if repeated:
        raise ParameterError(
            f"Table '{caption}': two columns would have the heading {repeated[0]!r}.",
            "Give each column its own heading with labels={...}.",
        )

    cells = []
    for row_number, (_, row) in enumerate(published.iterrows(), start=1):
        out = []
        for column in columns:
            if column in pairs:
                upper = pairs[column][0]
                places = decimals.get(column, decimals.get(upper, 0))
                out.append(_interval_cell(row[column], row[upper], places))
                continue
            text = _cell(row[column], str(column), decimals.get(column, 0))
            out.append(_refuse_code(text, f"column {column!r}, row {row_number}", caption))
        cells.append(out)

    footnotes = [_refuse_code(str(note), "a note", caption) for note in notes]
    footnotes += symbol_notes(cells, footnotes, threshold, symbols or {})
    count_headings = [headings[columns.index(c)] for c in count_columns if c in columns]
    table = PublishedTable(caption, headings, cells, numeric, footnotes, count_headings, int(threshold), kind)
    return published, table


#: Tables :func:`build_shared` keeps per process (least recently used dropped first).
MAX_SHARED = 64
_SHARED: OrderedDict[str, tuple[pd.DataFrame, PublishedTable]] = OrderedDict()


def _content_key(frame: pd.DataFrame, caption: str, options: Mapping[str, Any]) -> str:
    """What a table is built from: the frame's values, index, columns and types, the caption, the options."""
    digest = hashlib.sha256(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    digest.update(repr([list(map(str, frame.columns)), [str(t) for t in frame.dtypes], caption]).encode("utf-8"))
    digest.update(repr(sorted((name, repr(value)) for name, value in options.items())).encode("utf-8"))
    return digest.hexdigest()


def build_shared(frame: pd.DataFrame, caption: str, **options: Any) -> tuple[pd.DataFrame, PublishedTable]:
    """:func:`build`, remembered in this process by what the table is built from (:func:`_content_key`).

    For a table that many reports publish the same, such as the data under chapter 3's maps
    (every authority, region and England): a batch's kernel template builds it once
    (:func:`analysis.run.template.warm`) and every kernel forked from it finds it. Returns a
    copy of the frame; the published table is shared (read it, do not change it). Errors are
    never remembered.
    """
    key = _content_key(frame, caption, options)
    found = _SHARED.get(key)
    if found is None:
        found = _SHARED[key] = build(frame, caption, **options)
        while len(_SHARED) > MAX_SHARED:
            _SHARED.popitem(last=False)
    else:
        _SHARED.move_to_end(key)
    return found[0].copy(deep=False), found[1]
