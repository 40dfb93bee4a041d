"""Ready-to-fill files for a council's Part 4 annual return figures, and the README that explains them.

``analysis local template AREA`` calls :func:`write_templates`: one CSV per table of the return
(:data:`analysis.data.schemas.part4.PART4_FILES`) in ``data/raw/local/<area_code>/``, each with a
header line and one row per category (the count, period, source and notes left empty), and a
``README.txt`` saying how to fill them. The files are read back by
:func:`analysis.data.local_data.read_part4`.

Existing files are never overwritten. With ``force=True`` a template that is still unfilled (no
count, source or note typed in any row; a period may be) is replaced; a file holding figures is
refused even then, and nothing is written. ``README.txt`` holds no figures: it is written when
absent, replaced with ``force=True`` only when the workspace wrote it, and otherwise left alone.

The templates are UTF-8 with a byte-order mark, so that Excel opens them as "CSV UTF-8" and
saves them back in that form (the reader accepts files with or without the mark).
"""

from __future__ import annotations

import csv
import io
import re
import textwrap
from collections.abc import Iterable
from pathlib import Path

from analysis import config
from analysis.data.local_data import read_local_csv
from analysis.data.schemas import part4
from analysis.errors import DataFileError, ParameterError, ValidationError
from analysis.files import write_atomic

#: Columns a council types into; a template is "unfilled" while all of them are empty.
FILLED_COLUMNS: tuple[str, ...] = ("count", "source", "notes")


def template_text(spec: part4.Part4File, period: str | None = None) -> str:
    """The CSV text of one empty template: the header, then one row per category.

    Parameters
    ----------
    spec
        The table of the return (:data:`analysis.data.schemas.part4.PART4_FILES`).
    period
        Written into every row's ``period`` when given (e.g. ``"2023-24"``), else left empty.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(part4.COLUMNS)
    for item in spec.items:
        row = {"section": item.section, "category": item.category, "label": item.label, "period": period or ""}
        writer.writerow([row.get(column, "") for column in part4.COLUMNS])
    return buffer.getvalue()


def readme_text(area_code: str, area_name: str, period: str | None = None) -> str:
    """The ``README.txt`` written beside the templates: what each file holds and how to fill it."""
    lines = [
        config.LOCAL_TEMPLATE_README_MARKER,
        "=" * len(config.LOCAL_TEMPLATE_README_MARKER),
        "",
        *_wrap(
            f"Figures for {area_name} ({area_code}) from its Part 4 annual return to MHCLG (the "
            f"'{config.PART4_RETURN_NAME}') and its providers' records. The categories are those the "
            f"national expert steering group describes (paragraph numbers below are of its report): "
            f"{config.PART4_RETURN_CITATION}.",
            "",
        ),
        "",
        "RULES",
        "- Aggregate counts only: never records about people (no names, initials, dates of birth,",
        "  addresses, postcodes or case numbers), and no free text that could identify someone.",
        "- 'count': a whole number of 0 or more, typed without commas, spaces, % or other symbols.",
        "  Blank = not known. 0 = none. A blank is never read as 0.",
        "- 'period': when the count applies, e.g. 2023-24 (a financial year), 2023, 2022-2023",
        "  (calendar years), 2024-03-31 (a snapshot) or 'not stated'. Needed for every count.",
        "- 'source': where the count comes from, e.g. 'Part 4 annual return 2023-24' or",
        "  'Provider X quarterly monitoring, Q1-Q4 2023-24'. Needed for every count.",
        "- 'notes': anything a reader needs (what is included, caveats). Optional.",
        "- Keep the 'section' and 'category' cells as they are: they are what is read. 'label'",
        "  says the same in words. You may delete rows you will never fill, and copy a row to",
        "  give a category for another period (one row per category and period).",
        "- A part cannot be more than the total it belongs to in the same period (e.g. referrals",
        "  supported <= referrals received); breakdowns need not add up to their total.",
        "- Save as CSV UTF-8: in Excel, File > Save As > 'CSV UTF-8 (Comma delimited) (*.csv)';",
        "  in LibreOffice, Save As 'Text CSV', tick 'Edit filter settings', pick 'Unicode (UTF-8)'",
        "  and comma as the separator. Keep the file names. If the spreadsheet turns a period",
        "  into a date (31/03/2024), format the period column as Text and type it again.",
        "- Check the files with:  analysis local check " + area_code,
        "  A mistake is reported with the file, line, column and value, and how to fix it.",
        "- Counts of people from 1 to 4 are shown as [c] in published reports (counts of",
        "  bedspaces, units and services are not people and are shown as they are).",
        "- These files stay on this computer: git ignores data/raw/local/ (except the two worked",
        "  examples). See docs/local-data.md.",
        "",
        "FILES",
    ]
    if period:
        lines[-1:-1] = [f"The period column was filled in with {period} for every row; change it where it differs.", ""]
    for spec in part4.PART4_FILES:
        lines += ["", f"{spec.name}: {spec.title} ({spec.unit}; paragraphs {spec.paragraphs})"]
        lines += _wrap(spec.guidance, "  ")
        lines += _wrap("Sections: " + "; ".join(f"{code} = {words}" for code, words in spec.sections.items()), "  ")
    return "\n".join(lines) + "\n"


def _wrap(text: str, indent: str, width: int = 92) -> list[str]:
    return textwrap.wrap(text, width=width, initial_indent=indent, subsequent_indent=indent)


def is_unfilled(path: Path) -> bool:
    """Whether a file is a template nobody has filled in: no count, source or note in any row.

    A file that cannot be read as a CSV table (or is not UTF-8) counts as filled, so it is
    never replaced.
    """
    try:
        frame = read_local_csv(path)
    except (ValidationError, OSError):
        return False
    if not {"section", "category"} <= set(frame.columns):
        return False
    return all(frame[column].isna().all() for column in FILLED_COLUMNS if column in frame.columns)


def _is_workspace_readme(path: Path) -> bool:
    try:
        first = path.read_text(encoding="utf-8-sig").splitlines()[:1]
    except (OSError, UnicodeDecodeError):
        return False
    return first == [config.LOCAL_TEMPLATE_README_MARKER]


def _chosen(files: Iterable[str] | None) -> list[part4.Part4File]:
    if files is None:
        return list(part4.PART4_FILES)
    chosen = []
    for name in files:
        if name not in part4.PART4_BY_NAME:
            raise ParameterError(
                f"{name!r} is not a Part 4 template file.",
                hint="The template files are " + ", ".join(part4.PART4_BY_NAME) + ".",
            )
        chosen.append(part4.PART4_BY_NAME[name])
    return chosen


def write_templates(
    folder: Path,
    area_code: str,
    area_name: str,
    *,
    period: str | None = None,
    force: bool = False,
    files: Iterable[str] | None = None,
) -> list[Path]:
    """Write the Part 4 template files and README.txt into ``folder``; return the paths written.

    Parameters
    ----------
    folder
        ``data/raw/local/<area_code>`` (created when missing).
    area_code, area_name
        The authority, named in README.txt.
    period
        Written into every row's ``period`` when given; it must be written as the files
        require (:data:`analysis.config.LOCAL_PERIOD_PATTERN`, e.g. ``2023-24``).
    force
        Replace templates that are still unfilled (:func:`is_unfilled`) and a README.txt the
        workspace wrote. Files with figures are never replaced. Without it, an existing
        README.txt is left as it is (it holds no figures) and any existing template is refused.
    files
        Only these template files (names such as ``part4_referrals.csv``); default all.

    Raises
    ------
    DataFileError
        When any file to be written already exists (without ``force``) or holds figures (with
        it), naming every such file. Nothing is written then.
    ParameterError
        For a period not written as the files require, or an unknown file name.
    """
    if period is not None and not re.match(config.LOCAL_PERIOD_PATTERN, period):
        raise ParameterError(
            f"period {period!r} is not written as the local files require.",
            hint="Write it as 2023-24 (financial year), 2023, 2022-2023, 2024-03-31 or 'not stated'.",
        )
    specs = _chosen(files)
    planned = {folder / spec.name: "\ufeff" + template_text(spec, period) for spec in specs}
    existing = [path for path in planned if path.exists()]
    refused = [path for path in existing if not (force and is_unfilled(path))]
    if refused:
        names = ", ".join(f"data/raw/local/{area_code}/{path.name}" for path in refused)
        one = len(refused) == 1
        if force:
            raise DataFileError(
                f"Not replacing {names}: {'it holds' if one else 'they hold'} figures or notes, or "
                f"{'is' if one else 'are'} not a template the workspace wrote. Nothing was written.",
                "--force replaces only templates nobody has filled in. Move the file elsewhere first if you "
                "want a fresh template, or use --file to write only the templates that are missing.",
            )
        raise DataFileError(
            f"{names} already {'exists' if one else 'exist'}; templates never overwrite a file. Nothing was written.",
            "Fill in the files that are there. --force replaces only templates still unfilled; --file NAME "
            "writes only the templates you name (e.g. one you deleted).",
        )
    readme = folder / config.LOCAL_TEMPLATE_README
    if not readme.exists() or (force and _is_workspace_readme(readme)):
        planned[readme] = readme_text(area_code, area_name, period)
    for path, text in planned.items():
        write_atomic(path, text)
    return list(planned)
