"""What a report says about a council's own data: the files that would complete the picture, and where it came from.

For the Part 4 return files: :func:`part4_tables` (what is filled, as tables ready for
:func:`analysis.present.report.table`, small counts of people to be suppressed),
:func:`part4_missing_items` (what is missing, one plain-English item per file and section, with
the file names for the command line, or without them for a page) and, for chapter 02's section
on the council's own records, :func:`part4_intro` and :func:`part4_missing_text`. Published
text names no file, folder or code: the tables of the return by their titles, and the command
that writes the templates. The figures come from :mod:`analysis.methods.council_data`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis import config
from analysis.data.local_data import LocalData
from analysis.data.schemas import part4
from analysis.methods import council_data


def local_data_gaps(local: LocalData) -> list[str]:
    """Sentences naming the local data that would complete the picture for this area."""
    gaps = []
    if not local.has_supply:
        gaps.append(
            f"**Supply**: add `{local.relative(config.LOCAL_SUPPLY_FILE)}` (bedspaces by accommodation type "
            "and provider) to measure the gap against the standard and show supply by type."
        )
    else:
        supply = local.supply
        stated = set(supply["accommodation_type"])
        missing_types = [config.ACCOMMODATION_TYPE_LABELS[t] for t in config.ACCOMMODATION_TYPES if t not in stated]
        if missing_types:
            gaps.append(
                "**Supply by type**: no rows for "
                + ", ".join(missing_types)
                + " (add a row with 0 where there is none, so 'none' and 'not known' differ)."
            )
        no_beds = supply.loc[supply["bedspaces"].isna(), "accommodation_type"].map(config.ACCOMMODATION_TYPE_LABELS)
        if len(no_beds):
            gaps.append("**Bedspaces not stated** for " + ", ".join(dict.fromkeys(no_beds)) + ".")
    if not local.has_referrals:
        gaps.append(
            f"**Referrals**: add `{local.relative(config.LOCAL_REFERRALS_FILE)}` (received, accepted, "
            "declined, reasons, from outside the area, risk levels) to compare demand with the benchmark."
        )
    else:
        referrals = local.referrals
        counted = set(referrals.loc[referrals["count"].notna() & (referrals["category"] == "all"), "measure"])
        for measure, why in (
            ("received", "the denominator for intervals on every share"),
            ("accepted", "the accepted share of referrals"),
        ):
            if measure not in counted:
                gaps.append(f"**Referrals {measure.replace('_', ' ')}** (a count): {why}.")
        if "risk_level" not in set(referrals["measure"]):
            gaps.append("**Risk levels** of referrals (high, medium, standard).")
    gaps.extend(
        f"`{local.relative(name)}` was not read: only `{config.LOCAL_SUPPLY_FILE}`, "
        f"`{config.LOCAL_REFERRALS_FILE}` and the Part 4 files (`part4_...csv`, written by "
        "`analysis local template`) are (save tables as CSV UTF-8 with those names)."
        for name in local.other_files
    )
    return gaps


def source_lines(local: LocalData) -> list[str]:
    """One line per supply or referrals file read: its path and the distinct sources its rows cite.

    The Part 4 files have their own lines (:func:`part4_source_lines`), for the reports that show them.
    """
    lines = []
    for name, table in ((config.LOCAL_SUPPLY_FILE, local.supply), (config.LOCAL_REFERRALS_FILE, local.referrals)):
        if table is not None:
            cited = "; ".join(dict.fromkeys(table["source"]))
            lines.append(
                f"Local data `{local.relative(name)}` (aggregate counts, read when this report ran), citing: {cited}"
            )
    return lines


def part4_source_lines(local: LocalData) -> list[str]:
    """One line per Part 4 table with figures: its title and the distinct sources of the rows with a count.

    The lines name no file (they are published); seed documents cited in the sources are given
    by title by :func:`analysis.present.report.sources`.
    """
    return [
        f"The council's own figures for its Part 4 annual return, {part4.PART4_BY_NAME[name].title.lower()} "
        "(aggregate counts, read when this report ran), citing: " + "; ".join(dict.fromkeys(filled["source"]))
        for name, filled in council_data.part4_filled(local).items()
    ]


# ------------------------------------------------------------------------------------------
# Part 4 return files
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part4Table:
    """One Part 4 file's figures, ready for :func:`analysis.present.report.table`.

    ``frame`` has the columns of :data:`TABLE_COLUMNS` and ``labels`` their headings (the count's
    heading names its unit); ``count_columns`` is ``("count",)`` when the counts are of people,
    so that counts from 1 to 4 are suppressed, and empty for bedspaces, units and services.

    Examples
    --------
    In a notebook::

        for t in council_text.part4_tables(local, area.name):
            report.table(t.frame, t.caption, count_columns=t.count_columns, labels=t.labels, notes=t.notes)
    """

    file: str
    caption: str
    frame: pd.DataFrame
    count_columns: tuple[str, ...]
    labels: dict[str, str]
    notes: tuple[str, ...]


#: The columns of a :class:`Part4Table` frame, from :func:`analysis.methods.council_data.part4_filled`.
TABLE_COLUMNS = ("section", "item", "period", "count", "source", "notes")
_HEADINGS = {"section": "Section", "item": "Category", "period": "Period", "source": "Source", "notes": "Notes"}


def part4_tables(local: LocalData, area_name: str | None = None) -> list[Part4Table]:
    """The Part 4 figures an area has filled in, one table per file, in the return's order.

    Parameters
    ----------
    local
        From :func:`analysis.methods.council_data.load_local_data`.
    area_name
        Named in each caption when given.
    """
    tables = []
    for name, filled in council_data.part4_filled(local).items():
        spec = part4.PART4_BY_NAME[name]
        frame = filled[list(TABLE_COLUMNS)].reset_index(drop=True)
        frame["notes"] = frame["notes"].fillna("")
        notes = ["Source: the council's own figures (aggregate counts), as it gave them; 0 means none."]
        if spec.overlaps:
            notes.append(
                f"One {spec.unit.rstrip('s')} can be counted in more than one row, so the rows need not add up "
                "to their total."
            )
        caption = spec.title + (f", {area_name}" if area_name else "") + f" ({spec.unit})"
        tables.append(
            Part4Table(
                file=name,
                caption=caption,
                frame=frame,
                count_columns=("count",) if spec.counts_people else (),
                labels=_HEADINGS | {"count": f"Number of {spec.unit}"},
                notes=tuple(notes),
            )
        )
    return tables


def _within_section(item: str, section: str) -> str:
    """An item's label without its section's words in front ("Refuge: women" under "Refuge" -> "women")."""
    prefix = f"{section}: "
    return item[len(prefix) :] if item.startswith(prefix) else item


def part4_missing_items(local: LocalData, *, files: bool = True) -> list[str]:
    """What the Part 4 files do not yet say, one plain-English item per file (absent) or section (blank).

    Parameters
    ----------
    local
        From :func:`analysis.methods.council_data.load_local_data`.
    files
        Name each file and the command that writes it (for the command line). ``False`` gives
        items for a published page: no file, folder or option is named, and a file that is
        there with no count at all is one item rather than one per section.

    Returns
    -------
    list of str
        Markdown items in the return's order. An absent file is one item saying what it would
        hold; in a file that is there, each section with categories left blank (or deleted) is
        one item naming the section and those categories.
    """
    missing = council_data.part4_missing(local)
    status = council_data.part4_status(local).set_index("file")
    items = []
    for name, rows in missing.groupby("file", sort=False):
        spec = part4.PART4_BY_NAME[name]
        path = rows["path"].iloc[0]
        where = f" (`{path}`)" if files else ""
        if not rows["provided"].iloc[0]:
            items.append(
                f"**{spec.title}**: `{path}` is not there "
                f"(`analysis local template {local.area_code} --file {name}` writes it ready to fill)."
                if files
                else f"**{spec.title}**: not added yet."
            )
            continue
        if not files and status.loc[name, "filled"] == 0:
            items.append(f"**{spec.title}**: the template is there, but no count has been filled in yet.")
            continue
        for section, part in rows.groupby("section", sort=False):
            named = "; ".join(_within_section(item, section) for item in part["item"])
            items.append(f"**{spec.title}**{where}, {section.lower()}: not known for {named}.")
    return items


# ------------------------------------------------------------------------------------------
# Chapter 02: the council's own records
# ------------------------------------------------------------------------------------------


def part4_intro(local: LocalData, area_name: str) -> str:
    """The opening of the chapter's section on the council's Part 4 records: what they are, what is filled."""
    status = council_data.part4_status(local)
    filled = status[status["filled"] > 0]
    about = (
        "Each year the council sends the Ministry of Housing, Communities and Local Government its Part 4 "
        "annual return (the Support in Safe Accommodation Data Monitoring Collection): bedspaces by type of "
        "safe accommodation, the individuals supported, the referrals it could not support and why, and more. "
        "No public file gives these figures by authority, so only the council can add them."
    )
    if filled.empty:
        return about + f" No figures from {area_name}'s return have been added yet."
    tables = len(status)
    return (
        about + f" Figures have been added for {len(filled)} of the return's {tables} tables; each is shown below as "
        "the council gave it. A category with no count is not known (it is listed after the tables), "
        "and 0 means none."
    )


def part4_missing_text(local: LocalData) -> str:
    """The Markdown after the Part 4 tables: what is not filled in yet, and the command that writes the templates."""
    items = part4_missing_items(local, files=False)
    command = (
        f"To add them, the workspace command `analysis local template {local.area_code}` writes the return's "
        "tables as files ready to fill in, one per table, in the council's own folder. It never overwrites a "
        "file already there: where some are, `--file` and a table's file name write only that one (the "
        f"workspace's guide to local data lists them). `analysis local check {local.area_code} --missing` then "
        "checks the files and lists what is still not known."
    )
    if not items:
        return "Every category of the return has a count."
    return "Not filled in yet:\n\n" + "\n".join(f"- {item}" for item in items) + "\n\n" + command
