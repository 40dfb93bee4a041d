"""How a chapter shows the residents in groups who may need specialist support: wording, table, figure.

The figures come from :func:`analysis.methods.groups.groups_for_area` (ONS Census 2021 TS021
ethnic group and TS038 disability, usual residents on Census Day). They size resident groups,
**not** victims or need: every output here says so. Why these groups: the national expert
steering group's report on the safe accommodation duty names black and minoritised victims and
disabled victims among the specialist characteristics most often recorded in safe
accommodation (:data:`analysis.config.SPECIALIST_CHARACTERISTICS_CITATION`).
"""

from __future__ import annotations

import textwrap
from typing import Any

import pandas as pd

from analysis import config
from analysis.data.steps import census
from analysis.errors import ParameterError
from analysis.methods import groups as group_methods
from analysis.present.numbers import format_number

#: What every output says about what the figures are.
SIZES_NOT_VICTIMS = (
    "These Census counts size the resident groups; they are not counts of victims, of people needing "
    "safe accommodation or of demand for specialist services."
)
#: How sentences name each group of :data:`analysis.methods.groups.GROUPS`.
PHRASES = {
    "ethnic_minority": "residents from ethnic minority groups (all other than White British)",
    "ethnic_minority_not_white": "residents from ethnic groups other than White",
    "disabled": "disabled residents (Equality Act 2010)",
}
SOURCE = "Source: ONS Census 2021 TS021 (ethnic group) and TS038 (disability), usual residents, 21 March 2021"


def _comparators(frame: pd.DataFrame) -> list[tuple[str, str]]:
    """(role, name) of the area and of each distinct comparator it has, in order."""
    first = frame.iloc[0]
    out = [("area", first["area_name"])]
    if not pd.isna(first["region_code"]) and first["region_code"] != first["area_code"]:
        out.append(("region", first["region_name"]))
    if first["england_code"] != first["area_code"]:
        out.append(("england", first["england_name"]))
    return out


def _check(frame: pd.DataFrame) -> None:
    if not isinstance(frame, pd.DataFrame) or frame.empty:
        raise ParameterError("Expected the non-empty frame of analysis.methods.groups.groups_for_area.")
    census.require_columns(
        frame, ["group", "group_label", "area_code", "area_name", "area_residents", "area_share"], "groups"
    )


def specialist_need_text() -> str:
    """Why these groups: the steering group report's most common specialist characteristics, cited."""
    counts = "; ".join(f"{name} {format_number(n)}" for name, n in config.SPECIALIST_CHARACTERISTICS.items())
    return (
        f"Of the {format_number(config.SPECIALIST_ANY_CHARACTERISTIC)} individuals with at least one specialist "
        f"characteristic supported in safe accommodation in England in {config.SPECIALIST_CHARACTERISTICS_YEAR} "
        f"({config.SPECIALIST_ANY_CHARACTERISTIC_PERCENT}% of all individuals supported), the characteristics most "
        f"often recorded by local authorities were: {counts} (characteristics overlap; "
        f"{config.SPECIALIST_CHARACTERISTICS_CITATION}). The report also recalls the group's priorities: gaps in "
        "specialist 'by and for' support for black and minoritised victims, and the difficulties disabled victims "
        "face in reaching services (paragraph 14). "
        "Knowing how many of the area's residents belong to these groups is a starting point for planning such "
        "support."
    )


def display_groups(frame: pd.DataFrame) -> pd.DataFrame:
    """The groups table as published: group, the area's residents, all usual residents and share (%),
    then the region's and England's shares (%), one column per comparator the area has."""
    _check(frame)
    first = frame.iloc[0]
    shown = pd.DataFrame(
        {
            "Group": frame["group_label"].to_numpy(),
            f"{first['area_name']}: residents": frame["area_residents"].to_numpy(),
            f"{first['area_name']}: all usual residents": frame["area_all_usual_residents"].to_numpy(),
        }
    )
    for role, name in _comparators(frame):
        shown[f"{name}: share (%)"] = (frame[f"{role}_share"].astype(float) * 100).to_numpy()
    return shown


def table_arguments(frame: pd.DataFrame) -> dict[str, Any]:
    """Keyword arguments of :func:`analysis.present.report.table` for :func:`display_groups`."""
    shown = display_groups(frame)
    counts = list(shown.columns[1:3])
    shares = [c for c in shown.columns if c.endswith("share (%)")]
    return {
        "count_columns": counts,
        "derived_columns": {counts[0]: [shares[0]]},
        "decimals": dict.fromkeys(shares, 1),
        "notes": [
            *(f"{label}: {definition}." for label, definition in zip(frame["group_label"], frame["definition"])),
            "Share = the group's residents / all usual residents counted in the same Census table (TS021 or TS038); "
            "ONS perturbs cells by a few people, so the two tables' totals differ slightly. No interval: the Census "
            "counts everyone rather than sampling.",
            SIZES_NOT_VICTIMS,
        ],
    }


def caption(frame: pd.DataFrame) -> str:
    """The table's caption: what, where and when."""
    _check(frame)
    return (
        f"{frame['area_name'].iloc[0]}: residents from ethnic minority groups and disabled residents, count and share "
        "of usual residents, against its comparators (Census 2021)"
    )


def describe_groups(frame: pd.DataFrame) -> str:
    """One paragraph: the area's ethnic minority and disabled shares beside its comparators."""
    _check(frame)
    comparators = _comparators(frame)
    parts = []
    for row in frame.itertuples(index=False):
        others = ", ".join(
            f"{name} {format_number(getattr(row, f'{role}_share') * 100, 1)}%" for role, name in comparators[1:]
        )
        parts.append(
            f"{PHRASES.get(row.group, row.group_label)}: {format_number(row.area_residents)}, "
            f"{format_number(row.area_share * 100, 1)}% of usual residents" + (f" ({others})" if others else "")
        )
    return (
        f"At the 2021 Census, {frame['area_name'].iloc[0]} had " + "; ".join(parts) + ". " + SIZES_NOT_VICTIMS + " "
        "The Census asks people their own ethnic group and whether a long-term condition limits their day-to-day "
        "activities; services record 'black and minoritised' and 'disabled' victims in their own ways, so the "
        "groups correspond only broadly."
    )


def figure_groups(frame: pd.DataFrame) -> tuple[Any, str]:
    """Grouped horizontal bars of each group's share of usual residents, area against its comparators; alt text."""
    from analysis.present import plots

    _check(frame)
    comparators = _comparators(frame)
    colours = [config.COLOUR_HIGHLIGHT, config.COLOUR_PRIMARY, config.COLOUR_SECONDARY][: len(comparators)]
    hatches = ["", "//", ".."][: len(comparators)]
    fig, ax = plots.new_figure(7.5, 1.2 + 0.9 * len(frame))
    height = 0.8 / len(comparators)
    labels = [textwrap.fill(label, 28) for label in frame["group_label"]]
    for i, ((role, name), colour, hatch) in enumerate(zip(comparators, colours, hatches)):
        values = frame[f"{role}_share"].astype(float) * 100
        positions = [g + (i - (len(comparators) - 1) / 2) * height for g in range(len(frame))]
        ax.barh(positions, values, height=height, color=colour, hatch=hatch, edgecolor="black", linewidth=0.4,
                label=name)  # fmt: skip
        for y, value in zip(positions, values):
            ax.text(value, y, f" {format_number(value, 1)}%", va="center", ha="left", fontsize=8)
    ax.set_yticks(range(len(frame)), labels)
    ax.invert_yaxis()
    ax.set_xlim(0, float((frame[[f"{r}_share" for r, _ in comparators]].astype(float) * 100).max().max()) * 1.2)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_xlabel("% of usual residents")
    ax.grid(axis="y", visible=False)
    ax.set_title(f"{frame['area_name'].iloc[0]}: groups who may need specialist support", loc="left")
    plots.add_source_note(fig, SOURCE + ". Residents, not victims.")
    alt = (
        "Horizontal bar chart of the share of usual residents in each group at the 2021 Census: "
        + "; ".join(
            f"{row['group_label']}: "
            + ", ".join(f"{name} {format_number(row[f'{role}_share'] * 100, 1)}%" for role, name in comparators)
            for _, row in frame.iterrows()
        )
        + ". The bars size resident groups, not victims."
    )
    return fig, alt


def source_ids() -> list[str]:
    """Manifest ids of the Census tables behind the groups."""
    return sorted({census.CATEGORY_TABLES[g.table_id][0] for g in group_methods.GROUPS.values()})
