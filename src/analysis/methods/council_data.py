"""A council's own data for an area: its local folders checked against the authority register, then read.

The files are read and validated by :mod:`analysis.data.local_data`; this module knows the
authorities (:mod:`analysis.methods.areas`), so it checks each folder is named with an
upper-tier authority's GSS code and loads the files of one area.

For the Part 4 return files (:mod:`analysis.data.schemas.part4`) it also writes the templates
(:func:`write_templates`) and says, as frames, what an area has filled in
(:func:`part4_filled`), what is missing (:func:`part4_missing`), which filled counts are small
enough to be suppressed (:func:`part4_small_counts`), a line per file (:func:`part4_status`) and
the records a chapter keeps of them (:func:`part4_records`), which the evidence summary reads.
Wording for reports is in :mod:`analysis.present.council_data`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from analysis import config
from analysis.data import local_template
from analysis.data.local_data import LocalData, read_local_files
from analysis.data.schemas import part4
from analysis.errors import AreaError, ParameterError
from analysis.methods.areas import CODE_PATTERN, Area, resolve_area


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
            raise AreaError(
                f"{where}: local data folders are named with an authority's GSS code, not {name!r}.",
                "Rename it to the upper-tier authority's code (e.g. E10000014 for Hampshire); "
                "'analysis areas find NAME' gives the code.",
            ) from None
        raise AreaError(
            f"{where}: local data folders are named with the authority's GSS code, not its name.",
            f"Rename the folder to {area.code} ({area.name}).",
        )
    try:
        area = resolve_area(name, levels=("utla", "region"))
    except AreaError as exc:
        raise AreaError(
            f"{where}: the folder name is not an upper-tier authority code. {exc.message}",
            f"{exc.hint + '. ' if exc.hint else ''}Rename the folder to the code of the authority "
            "the files describe, or remove it.",
        ) from None
    if name != area.code:
        raise AreaError(f"{where}: write the code in capitals.", f"Rename the folder to {area.code}.")
    if area.level == "region" and area.code != config.LONDON_CODE:
        raise AreaError(
            f"{where}: {area.name} is a region, which does not hold the Part 4 duty.",
            "Put each upper-tier authority's files in its own folder (e.g. data/raw/local/E10000014).",
        )
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
    return read_local_files(area.code, folders.get(area.code, config.LOCAL_DIR / area.code))


# ------------------------------------------------------------------------------------------
# Part 4 return files: templates, and what an area has filled in
# ------------------------------------------------------------------------------------------

#: Columns of :func:`part4_filled` frames (plain words in ``section`` and ``item``).
FILLED_COLUMNS = [
    "file",
    "path",
    "line",
    "section",
    "item",
    "unit",
    "period",
    "count",
    "small",
    "source",
    "notes",
    "key",
]
#: Columns of :func:`part4_status`.
STATUS_COLUMNS = ["file", "title", "provided", "categories", "filled", "missing", "small", "periods"]
#: The record :func:`part4_records` writes (read by :mod:`analysis.present.summary_facts`).
PART4_RECORD = "part4_return"


def resolve_local_area(text: str) -> Area:
    """The authority whose local data folder ``text`` (a code or name) means.

    An upper-tier authority, or London as a whole (the Greater London Authority holds London's
    Part 4 duty). Resolved with :func:`analysis.methods.areas.resolve_area`.

    Raises
    ------
    AreaError
        For an unknown, ambiguous or lower-tier area (naming its upper-tier authority), or a
        region other than London.
    """
    area = resolve_area(text, levels=("utla", "region"))
    if area.level == "region" and area.code != config.LONDON_CODE:
        raise AreaError(
            f"{area.name} is a region, which does not hold the Part 4 duty.",
            "Give one of its upper-tier authorities; 'analysis areas list --region NAME' lists them.",
        )
    return area


def local_folder(area: Area) -> Path:
    """``data/raw/local/<area_code>``: where the area's own files go."""
    return config.LOCAL_DIR / area.code


def write_templates(
    area: Area, *, period: str | None = None, force: bool = False, files: Iterable[str] | None = None
) -> list[Path]:
    """Write the Part 4 template files and README.txt into the area's local folder.

    See :func:`analysis.data.local_template.write_templates` for ``period``, ``force`` and
    ``files``; existing files are never overwritten (``force`` replaces unfilled templates only).
    """
    if not isinstance(area, Area):
        raise ParameterError(
            f"area must be an Area, got {type(area).__name__}", hint="Resolve it first with resolve_local_area()."
        )
    return local_template.write_templates(
        local_folder(area), area.code, area.name, period=period, force=force, files=files
    )


def _check_local(local: LocalData) -> None:
    if not isinstance(local, LocalData):
        raise ParameterError(
            f"local must be LocalData, got {type(local).__name__}", hint="Read it with load_local_data(area)."
        )


def _is_small(counts: pd.Series, counts_people: bool) -> pd.Series:
    """Counts of people from 1 to ``SUPPRESSION_THRESHOLD - 1`` (GSS disclosure control); zero is not small."""
    if not counts_people:
        return pd.Series(False, index=counts.index)
    return (counts.notna() & (counts >= 1) & (counts < config.SUPPRESSION_THRESHOLD)).fillna(False).astype(bool)


def _filled_frame(local: LocalData, spec: part4.Part4File, table: pd.DataFrame) -> pd.DataFrame:
    rows = table[table["count"].notna()]
    order = {item.key: number for number, item in enumerate(spec.items)}
    keys = list(zip(rows["section"], rows["category"]))
    out = pd.DataFrame(
        {
            "file": spec.name,
            "path": local.relative(spec.name),
            "line": rows["line"].to_numpy(),
            "section": [spec.sections[k[0]] for k in keys],
            "item": [spec.by_key[k].label for k in keys],
            "unit": spec.unit,
            "period": rows["period"].to_numpy(),
            "count": rows["count"].to_numpy(),
            "small": _is_small(rows["count"], spec.counts_people).to_numpy(),
            "source": rows["source"].to_numpy(),
            "notes": rows["notes"].to_numpy(),
            "key": [f"{k[0]}/{k[1]}" for k in keys],
        },
        columns=FILLED_COLUMNS,
    )
    out["count"] = out["count"].astype("Int64")
    out["_order"] = [order[k] for k in keys]
    return out.sort_values(["_order", "period"], kind="stable").drop(columns="_order").reset_index(drop=True)


def part4_filled(local: LocalData) -> dict[str, pd.DataFrame]:
    """The Part 4 figures an area has filled in: one tidy frame per file that has any.

    Parameters
    ----------
    local
        From :func:`load_local_data`.

    Returns
    -------
    dict of str to pandas.DataFrame
        File name (e.g. ``part4_referrals.csv``) -> one row per count given, in the order of
        the return's categories, then period, with columns :data:`FILLED_COLUMNS`: ``section``
        and ``item`` in plain words (the return's wording, not the file's codes; ``key`` keeps
        the codes as ``section/category``), ``unit``, ``period``, ``count`` (integer), ``small``
        (a count of people from 1 to 4, to be suppressed; see :func:`part4_small_counts`),
        ``source``, ``notes``, and ``path`` and ``line`` of the row in the file. Files with no
        count, and absent files, are not keys.
    """
    _check_local(local)
    filled = {}
    for spec in part4.PART4_FILES:
        table = local.part4.get(spec.name)
        if table is not None and table["count"].notna().any():
            filled[spec.name] = _filled_frame(local, spec, table)
    return filled


def part4_missing(local: LocalData) -> pd.DataFrame:
    """The Part 4 categories an area has no count for: one row per file and category.

    Returns
    -------
    pandas.DataFrame
        Columns ``file``, ``path``, ``provided`` (whether the file is there), ``section`` and
        ``item`` (plain words), ``key`` (``section/category``) and ``status``: ``"file not
        provided"`` or ``"not known"`` (the row is blank or was deleted), in the return's order.
    """
    _check_local(local)
    rows = []
    for spec in part4.PART4_FILES:
        table = local.part4.get(spec.name)
        counted = table[table["count"].notna()] if table is not None else None
        given = set() if counted is None else set(zip(counted["section"], counted["category"]))
        for item in spec.items:
            if item.key in given:
                continue
            rows.append(
                {
                    "file": spec.name,
                    "path": local.relative(spec.name),
                    "provided": table is not None,
                    "section": spec.sections[item.section],
                    "item": item.label,
                    "key": f"{item.section}/{item.category}",
                    "status": "not known" if table is not None else "file not provided",
                }
            )
    return pd.DataFrame(rows, columns=["file", "path", "provided", "section", "item", "key", "status"])


def part4_small_counts(local: LocalData) -> pd.DataFrame:
    """The filled counts of people from 1 to 4, which reports show as ``[c]``.

    Counts below :data:`analysis.config.SUPPRESSION_THRESHOLD` (5) are suppressed (GSS
    statistical disclosure control guidance; :func:`analysis.methods.stats.suppress_small_counts`).
    Zero is not suppressed, nor are counts of bedspaces, units or services (not people).
    Returns the rows of :func:`part4_filled` with ``small`` true, all files together.
    """
    frames = [frame[frame["small"]] for frame in part4_filled(local).values()]
    frames = [frame for frame in frames if not frame.empty]
    if not frames:
        return pd.DataFrame(columns=FILLED_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def part4_status(local: LocalData) -> pd.DataFrame:
    """One row per table of the Part 4 return: what the area has filled in and what is missing.

    Parameters
    ----------
    local
        From :func:`load_local_data`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`STATUS_COLUMNS`, in the return's order (:data:`analysis.data.schemas.part4.PART4_FILES`):
        ``file``, ``title`` (the table of the return in words), ``provided`` (the file is there),
        ``categories`` (how many the return asks for), ``filled`` (categories with a count for
        any period), ``missing`` (``categories - filled``), ``small`` (filled rows that are small
        counts of people, see :func:`part4_small_counts`) and ``periods`` (the periods of the
        counts given, as a tuple in the order they first appear).
    """
    filled = part4_filled(local)
    rows = []
    for spec in part4.PART4_FILES:
        frame = filled.get(spec.name)
        count = 0 if frame is None else int(frame["key"].nunique())
        rows.append(
            {
                "file": spec.name,
                "title": spec.title,
                "provided": spec.name in local.part4,
                "categories": len(spec.items),
                "filled": count,
                "missing": len(spec.items) - count,
                "small": 0 if frame is None else int(frame["small"].sum()),
                "periods": () if frame is None else tuple(dict.fromkeys(frame["period"])),
            }
        )
    return pd.DataFrame(rows, columns=STATUS_COLUMNS)


def part4_records(local: LocalData) -> dict[str, list[dict]]:
    """What the area's Part 4 files hold, as values for :func:`analysis.present.report.record`.

    Returns
    -------
    dict
        ``{PART4_RECORD: [...]}``: one entry per table of the return, in the return's order, with
        ``title``, ``provided``, ``categories``, ``filled``, ``missing`` and ``periods`` (a list)
        from :func:`part4_status`. The evidence summary lists the tables added and those missing
        from this record, without reading the files again.
    """
    status = part4_status(local)
    return {
        PART4_RECORD: [
            {
                "title": row.title,
                "provided": bool(row.provided),
                "categories": int(row.categories),
                "filled": int(row.filled),
                "missing": int(row.missing),
                "periods": list(row.periods),
            }
            for row in status.itertuples(index=False)
        ]
    }
