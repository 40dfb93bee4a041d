"""What a report says about a council's own data: the files that would complete the picture, and where it came from.

For the Part 4 return files: :func:`part4_tables` (what is filled, as tables ready for
:func:`analysis.present.report.table`, small counts of people to be suppressed) and
:func:`part4_missing_items` (what is missing, one plain-English item per file and section).
The figures come from :mod:`analysis.methods.council_data`.
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
    """One line per Part 4 file with figures: its path and the distinct sources of the rows with a count."""
    return [
        f"Local data `{local.relative(name)}` (aggregate counts, read when this report ran), citing: "
        + "; ".join(dict.fromkeys(filled["source"]))
        for name, filled in council_data.part4_filled(local).items()
    ]


# ------------------------------------------------------------------------------------------
# Part 4 return files
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part4Table:
    """One Part 4 file's figures, ready for :func:`analysis.present.report.table`.

    ``frame`` has plain column headers (Section, Item, Period, Count, Source, Notes);
    ``count_columns`` is ``("Count",)`` when the counts are of people, so that counts from 1 to
    4 are suppressed, and empty for bedspaces, units and services.
    """

    file: str
    caption: str
    frame: pd.DataFrame
    count_columns: tuple[str, ...]
    notes: tuple[str, ...]


_HEADERS = {
    "section": "Section",
    "item": "Item",
    "period": "Period",
    "count": "Count",
    "source": "Source",
    "notes": "Notes",
}


def part4_tables(local: LocalData, area_name: str | None = None) -> list[Part4Table]:
    """The Part 4 figures an area has filled in, one table per file, in the return's order.

    Parameters
    ----------
    local
        From :func:`analysis.methods.council_data.load_local_data`.
    area_name
        Named in each caption when given.

    Examples
    --------
    In a notebook::

        for t in council_text.part4_tables(local, area.name):
            report.table(t.frame, t.caption, count_columns=t.count_columns, notes=t.notes)
    """
    tables = []
    for name, filled in council_data.part4_filled(local).items():
        spec = part4.PART4_BY_NAME[name]
        frame = filled[list(_HEADERS)].rename(columns=_HEADERS)
        frame["Notes"] = frame["Notes"].fillna("")
        notes = [f"Source: the council's own figures, `{local.relative(name)}` (aggregate counts)."]
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
                frame=frame.reset_index(drop=True),
                count_columns=("Count",) if spec.counts_people else (),
                notes=tuple(notes),
            )
        )
    return tables


def _within_section(item: str, section: str) -> str:
    """An item's label without its section's words in front ("Refuge: women" under "Refuge" -> "women")."""
    prefix = f"{section}: "
    return item[len(prefix) :] if item.startswith(prefix) else item


def part4_missing_items(local: LocalData) -> list[str]:
    """What the Part 4 files do not yet say, one plain-English item per file (absent) or section (blank).

    An absent file is one item naming the file and what it would hold; in a file that is there,
    each section with categories left blank (or deleted) is one item naming the file, the
    section and those categories.
    """
    missing = council_data.part4_missing(local)
    items = []
    for name, rows in missing.groupby("file", sort=False):
        spec = part4.PART4_BY_NAME[name]
        path = rows["path"].iloc[0]
        if not rows["provided"].iloc[0]:
            items.append(
                f"**{spec.title}**: `{path}` is not there "
                f"(`analysis local template {local.area_code} --file {name}` writes it ready to fill)."
            )
            continue
        for section, part in rows.groupby("section", sort=False):
            named = "; ".join(_within_section(item, section) for item in part["item"])
            items.append(f"**{spec.title}** (`{path}`), {section.lower()}: not known for {named}.")
    return items
