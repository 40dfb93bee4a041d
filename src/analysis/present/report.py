"""Building blocks every topic notebook uses to show its results: the notebook contract.

A notebook's first code cell after its ``parameters`` cell calls :func:`start`, which
checks the parameters (raising :class:`~analysis.errors.ParameterError` naming the bad
one), resolves the area and applies the house figure style. Results are then shown with

* :func:`title` - the report title with the authority's name (the notebook's static first
  markdown cell, tagged ``researcher-notes``, is for researchers and is left out of the HTML);
* :func:`headline` - the one-sentence finding, first in the report;
* :func:`table` - a table as published: small-number suppression, headings and values in
  words, formatted numbers, intervals, footnotes, a scrolling box, its CSV
  (:mod:`analysis.present.tables`); :func:`chart_data` - the data a chart draws, as a CSV;
* :func:`figure` - a matplotlib figure embedded as a self-contained PNG with alt text;
* :func:`sources` and :func:`caveats` - the provenance and limits of every figure;
* :func:`record` - machine-readable headline values (custom MIME type, invisible in the
  HTML) that tests back-test and the batch index collects; :func:`read_records` reads them
  back from an executed notebook.
"""

from __future__ import annotations

import base64
import html
import json
import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import __version__, config
from analysis.errors import ParameterError
from analysis.methods.checks import check_confidence_level
from analysis.present.numbers import format_number  # noqa: F401  (notebooks call report.format_number)

RECORD_MIME = "application/vnd.da-needs.record+json"


@dataclass
class ReportContext:
    """What a notebook knows once its parameters are checked."""

    notebook: str
    area: Any  # analysis.methods.areas.Area
    confidence_level: float
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"{self.area.name}: {TOPIC_TITLES.get(self.notebook, self.notebook)}"


TOPIC_TITLES = {
    "01_prevalence": "prevalence of domestic abuse",
    "02_refuge_demand_supply": "refuge and safe accommodation, demand and supply",
    "03_regional_maps": "regional comparisons per 100,000 population",
    "04_young_people_14_18": "young people aged 14 to 18",
}


def _display(bundle: dict, metadata: dict | None = None) -> None:
    from IPython.display import display

    display(bundle, raw=True, metadata=metadata or {})


# ------------------------------------------------------------------------------------------
# Parameters
# ------------------------------------------------------------------------------------------


def start(
    notebook: str,
    area: Any,
    confidence_level: Any = config.DEFAULT_CONFIDENCE,
    levels: Sequence[str] = ("utla", "region", "country"),
    **parameters: Any,
) -> ReportContext:
    """Check common parameters, resolve the area and set the figure style.

    Parameters
    ----------
    notebook
        The notebook's name, e.g. "01_prevalence".
    area
        Code or name as given in the parameters cell.
    confidence_level
        Between 0 and 1 exclusive.
    levels
        The kinds of area this notebook accepts.
    **parameters
        Other parameters, kept on the context (check them in the notebook's own module).
    """
    from analysis.methods import areas
    from analysis.present import plots

    if notebook not in config.NOTEBOOKS:
        raise ParameterError(f"Unknown notebook {notebook!r}.", f"Use one of {', '.join(config.NOTEBOOKS)}.")
    level = check_confidence_level(confidence_level)
    resolved = areas.resolve_area(area, levels=levels)
    plots.apply_house_style()
    return ReportContext(
        notebook=notebook,
        area=resolved,
        confidence_level=level,
        parameters={"area": area, "confidence_level": level, **parameters},
    )


# ------------------------------------------------------------------------------------------
# Showing results
# ------------------------------------------------------------------------------------------


def markdown(text: str) -> None:
    """Show Markdown text (a seed document is named by its title, never its file name)."""
    from analysis.present.labels import name_documents

    text = name_documents(text)
    _display({"text/markdown": text, "text/plain": text})


def title(ctx: ReportContext) -> None:
    """Show the report title (authority and topic) and record it for the publisher and index."""
    markdown(f"# {ctx.title}")
    record(title=ctx.title, area_code=ctx.area.code, area_name=ctx.area.name, notebook=ctx.notebook)


def headline(text: str) -> None:
    """Show the headline finding (rendered as a highlighted block in the HTML report)."""
    from analysis.present.labels import name_documents

    text = name_documents(text)
    body = html.escape(text)
    _display(
        {
            "text/html": f'<div class="headline" role="note"><p><strong>{body}</strong></p></div>',
            "text/markdown": f"**{text}**",
            "text/plain": text,
        }
    )


def record(**values: Any) -> None:
    """Record headline values (numbers, strings, None) for tests and the batch index.

    Values are emitted as a display output of MIME type :data:`RECORD_MIME`, which the
    published HTML does not show. Each call adds to the notebook's records.
    """
    clean = {key: _jsonable(value) for key, value in values.items()}
    _display({RECORD_MIME: clean, "text/plain": ""})


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return None if math.isnan(float(value)) else float(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return str(value)


def read_records(notebook_path: str | Path) -> dict[str, Any]:
    """All values recorded with :func:`record` in an executed notebook, merged in order."""
    nb = json.loads(Path(notebook_path).read_text(encoding="utf-8"))
    out: dict[str, Any] = {}
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if RECORD_MIME in data:
                payload = data[RECORD_MIME]
                out.update(json.loads(payload) if isinstance(payload, str) else payload)
    return out


def table(
    frame: pd.DataFrame,
    caption: str,
    *,
    count_columns: Sequence[str] = (),
    derived_columns: Sequence[str] | Mapping[str, Sequence[str]] = (),
    decimals: Mapping[str, int] | None = None,
    threshold: int = config.SUPPRESSION_THRESHOLD,
    notes: Iterable[str] = (),
    index: bool = False,
    labels: Mapping[str, str] | None = None,
    intervals: Mapping[str, Sequence[str]] | None = None,
    level: float = config.DEFAULT_CONFIDENCE,
    symbols: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Show a table as published (see :mod:`analysis.present.tables`); return the frame with counts suppressed.

    Parameters
    ----------
    frame
        Tidy data. Each column's heading is its label (``labels``, else
        :data:`analysis.present.labels.COLUMN_LABELS`), or its name when that is plain words; a
        code name (a word with an underscore) without a label raises
        :class:`~analysis.errors.ParameterError`, as does a cell, caption or note showing code.
    caption
        Shown above the table (what it is, where and when); labels the table's scrolling box.
    count_columns
        Columns holding counts of people or events; values from 1 to ``threshold - 1`` are
        replaced by the marker (:data:`config.SUPPRESSION_MARKER`).
    derived_columns
        Columns computed from those counts (rates, intervals, percentages): suppressed on
        the same rows. A mapping of count column -> derived columns limits the spread.
    decimals
        Decimal places per column (default 0 for numbers); halves round away from zero
        (:func:`analysis.present.numbers.format_number`). An interval takes its lower column's.
    notes
        Footnotes shown under the table; the footnote of each symbol a cell shows ([c], "–",
        "no data") is added after them.
    index
        Show the frame's index as its first columns.
    labels
        Headings for this table's columns, by column name (they win over the registry's).
    intervals
        Heading -> (lower, upper) of the pairs shown as one "lower to upper" column; default
        the registered pairs (:data:`analysis.present.labels.INTERVAL_COLUMNS`) the frame has;
        ``{}`` for none. ``{level}`` in a heading is the confidence level ("95%").
    level
        The confidence level of the table's intervals, for their headings.
    symbols
        What "–" (or "no data", "[c]") means in this table, when more precise than the standard
        footnote (e.g. "no figure: a district did not report in a quarter").

    Returns
    -------
    pandas.DataFrame
        The frame with small counts and what derives from them replaced by the marker, for
        :func:`unsuppressed` and :func:`chart_data`.
    """
    from analysis.present import tables

    published, shown = tables.build(
        frame,
        caption,
        count_columns=count_columns,
        derived_columns=derived_columns,
        decimals=decimals,
        threshold=threshold,
        notes=notes,
        index=index,
        labels_for=labels,
        intervals=intervals,
        level=level,
        symbols=symbols,
    )
    _display({"text/html": shown.html(), "text/plain": shown.text(), tables.TABLE_MIME: shown.payload()})
    published.attrs[PUBLISHED_TABLE_ATTR] = shown.key
    return published


#: The key :func:`table` leaves on the frame it returns (``DataFrame.attrs``), naming its CSV.
PUBLISHED_TABLE_ATTR = "published_table"


def chart_data(frame: pd.DataFrame, caption: str | None = None, *, what: str = "this chart", **options: Any) -> None:
    """Publish the data a chart draws, as a CSV linked under the chart (call it after :func:`figure`).

    Parameters
    ----------
    frame
        Either the frame :func:`table` returned, when the chart draws that table (the link then
        points to the table's CSV; give no caption), or the data the chart draws.
    caption
        What the data are (required for data that is not a table already shown).
    what
        What the link names: "this chart" (default), "these maps and charts".
    **options
        As for :func:`table` (``count_columns``, ``derived_columns``, ``decimals``, ``labels``,
        ``intervals``, ``level``, ``notes``...): the CSV is suppressed and labelled as a table is.
    """
    from analysis.present import tables

    key = frame.attrs.get(PUBLISHED_TABLE_ATTR) if isinstance(frame, pd.DataFrame) else None
    if caption is None:
        if key is None:
            raise ParameterError(
                "chart_data needs a caption, or the frame report.table returned for a chart that draws that table."
            )
        payload = {"kind": "chart", "same_as": key}
        label = "The data of this chart are those of the table shown with it."
    else:
        shown = chart_table(frame, caption, **options)
        key, payload, label = shown.key, shown.payload(), f"Data of this chart: {shown.caption}."
    text = html.escape(label)
    _display(
        {
            "text/html": (
                f'<p class="{tables.CHART_DATA_CLASS}" data-table-key="{key}" data-what="{html.escape(what)}">'
                f"{text}</p>"
            ),
            "text/plain": label,
            tables.TABLE_MIME: payload,
        }
    )


def chart_table(frame: pd.DataFrame, caption: str, **options: Any) -> Any:
    """The table :func:`chart_data` publishes for data that is not a table already shown.

    Options as for :func:`chart_data`. Built by :func:`analysis.present.tables.build_shared`, so
    data that every report of a batch publishes the same is built once per process.
    """
    from analysis.present import tables

    options = dict(options)
    _, shown = tables.build_shared(frame, caption, kind="chart", labels_for=options.pop("labels", None), **options)
    return shown


def figure(fig: Any, alt: str, *, caption: str | None = None, source: str | None = None) -> None:
    """Show a matplotlib figure as an embedded PNG with alt text, then close it.

    Parameters
    ----------
    fig
        A matplotlib Figure.
    alt
        Alt text for screen readers: what the figure shows and its main message.
    caption
        Optional visible caption under the figure.
    source
        Optional source line shown under the figure (e.g. "Source: ONS Census 2021").
    """
    if not alt or not alt.strip():
        raise ParameterError("Every figure needs alt text describing what it shows.")
    encoded = base64.b64encode(figure_png(fig)).decode("ascii")
    parts = [f'<figure class="report-figure"><img src="data:image/png;base64,{encoded}" alt="{html.escape(alt)}"/>']
    if caption or source:
        parts.append("<figcaption>")
        if caption:
            parts.append(html.escape(caption))
        if source:
            parts.append(f'<br/><span class="figure-source">{html.escape(source)}</span>')
        parts.append("</figcaption>")
    parts.append("</figure>")
    _display({"text/html": "".join(parts), "text/plain": f"[Figure: {alt}]"})


def sources(source_ids: Iterable[str], extra: Iterable[str] = ()) -> None:
    """Show a "Sources" list: title, publisher, vintage, licence and attribution per file.

    ``extra`` is said in words (:func:`analysis.present.labels.plain`): seed documents by their
    titles, registered codes by their labels.
    The ids travel with the list (:data:`analysis.present.tables.SOURCES_MIME`, not shown) so
    the data download's README names the same sources, licences and attributions.
    """
    from analysis.data import sources as manifest
    from analysis.present.labels import plain
    from analysis.present.tables import SOURCES_MIME

    known = {item.id: item for item in manifest.load_manifest()}
    ids = list(dict.fromkeys(source_ids))
    extra = [plain(text) for text in extra]
    lines = []
    for source_id in ids:
        if source_id not in known:
            raise ParameterError(f"Unknown source id {source_id!r}.", "Use an id from data/raw/sources.yaml.")
        item = known[source_id]
        lines.append(
            f"- **{item.title}**. {item.publisher}. Vintage: {item.vintage}. "
            f"Licence: {item.licence}. {item.attribution}."
        )
    lines.extend(f"- {text}" for text in extra)
    lines.append(f"- Boundaries: {config.BOUNDARY_ATTRIBUTION}.")
    lines.append(f"- Geography: {config.GEOGRAPHY_VINTAGE}.")
    text = "\n".join(lines)
    _display({"text/markdown": text, "text/plain": text, SOURCES_MIME: {"ids": ids, "extra": extra}})


def caveats(items: Iterable[str]) -> None:
    """Show a bulleted list of assumptions and caveats, registered codes said in words (:func:`labels.plain`)."""
    from analysis.present.labels import plain

    markdown("\n".join(f"- {plain(item)}" for item in items))


def reproduce(ctx: ReportContext) -> None:
    """Show how to reproduce this report, with the workspace version."""
    params = {k: v for k, v in ctx.parameters.items() if k != "area"}
    markdown(
        f"Produced by the DA needs assessment workspace, version {__version__}. To reproduce: "
        f"`{reproduce_command(ctx.area.code, ctx.notebook, params)}`."
    )


# ------------------------------------------------------------------------------------------
# Batch and publication support (analysis.run.batch, analysis.present.publish)
# ------------------------------------------------------------------------------------------


def command_value(value: Any) -> str:
    """A parameter value as ``analysis batch -p NAME VALUE`` reads it back, ready for a shell.

    Text is double-quoted (as :func:`reproduce` always wrote it), or single-quoted when it
    holds characters a shell would act on inside double quotes; numbers and booleans are
    written as they are; lists and dicts as single-quoted JSON (a YAML flow value); None as null.
    """
    import shlex

    if isinstance(value, str):
        if any(ch in value for ch in "$`!\\") or not value.isprintable():
            return shlex.quote(value)
        return json.dumps(value, ensure_ascii=False)
    if value is None:
        return "null"
    if isinstance(value, (bool, int, float)):
        return str(value)
    return shlex.quote(json.dumps(value, ensure_ascii=False))


def reproduce_command(area_code: str, notebook: str, parameters: Mapping[str, Any]) -> str:
    """The ``analysis batch`` command that reruns one notebook for one area with these parameters."""
    options = "".join(f" -p {name} {command_value(value)}" for name, value in parameters.items() if name != "area")
    return f"analysis batch --area {area_code} --notebooks {notebook}{options}"


def unsuppressed(published: pd.DataFrame) -> pd.Series:
    """True for rows of a frame returned by :func:`table` in which no cell was suppressed.

    Use it to choose what a chart may show after the table: a figure drawn from rows the
    table suppressed would publish the small number the table hid (as a bar, a label or alt
    text).
    """
    from analysis.methods import stats

    return ~published.map(stats.is_suppressed).any(axis=1)


def figure_png(fig: Any) -> bytes:
    """The PNG :func:`figure` embeds (house dpi, tight bounding box, no software tag); closes ``fig``.

    The figure is laid out and measured once, then drawn once: its layout engine (constrained
    layout) is run and then switched off, and the saved region is given in whole pixels
    (:func:`analysis.present.plots.saved_region`), where ``bbox_inches="tight"`` would lay the
    figure out and measure it again before drawing. A figure drawn over a shared base is
    composited over the base's pixels (:func:`analysis.present.layers.saved_image`); the pixels
    are encoded as a PNG of the same picture (:func:`analysis.present.plots.png_bytes`).
    """
    import matplotlib.pyplot as plt

    from analysis.present import layers, plots, text_sizes

    text_sizes.attach(fig)  # text measured once per process, in the layout and the drawing
    engine = fig.get_layout_engine()
    if engine is not None:  # laid out with the canvas's renderer, which then measures the saved region
        engine.execute(fig)
        fig.set_layout_engine(None)
    try:
        return plots.png_bytes(layers.saved_image(fig, plots.saved_region(fig)))
    finally:
        plt.close(fig)
