"""How the refuge demand and supply chapter shows its results: the headline and figures."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis import config
from analysis.methods import stats
from analysis.methods.supply import SupplyAssessment
from analysis.present.numbers import format_number


def headline(area_name: str, gap: dict[str, Any], supply_period: str | None) -> str:
    """The one-sentence headline: the gap against the standard, or what is needed to measure it."""
    required = format_number(gap["required_places"])
    standard = f"{format_number(gap['standard_per_10k'], 2).rstrip('0').rstrip('.')} place per 10,000 people"
    if gap["available_places"] is None:
        return (
            f"Under the Council of Europe standard of {standard}, {area_name} needs {required} refuge places; "
            f"how many it has is not in the workspace, so the gap cannot be measured yet."
        )
    available = format_number(gap["available_places"])
    rate = format_number(gap["places_per_100k"], 1)
    against = format_number(gap["standard_places_per_100k"], 0)
    if gap["shortfall_places"] > 0:
        gap_text = (
            f"a shortfall of {format_number(gap['shortfall_places'])} places "
            f"({format_number(gap['shortfall_pct'], 0)}% of the requirement)"
        )
    else:
        gap_text = f"{format_number(-gap['shortfall_places'])} places more than the standard asks"
    return (
        f"{area_name} has {available} refuge bedspaces ({supply_period}) against the {required} required by the "
        f"Council of Europe standard of {standard}: {gap_text}, or {rate} places per 100,000 people against "
        f"{against}."
    )


def figure_places_by_type(result: SupplyAssessment) -> tuple[Any, str] | None:
    """Bedspaces by accommodation type against the places required, and its alt text (None without supply data)."""
    from analysis.present import plots

    if not result.local.has_supply:
        return None
    gap, by_type, name = result.gap, result.by_type, result.area.name
    fig = plots.bars_with_reference(
        by_type,
        "type_label",
        "bedspaces",
        reference=gap["required_places"],
        reference_label=f"refuge places required: {format_number(gap['required_places'])}",
        missing_labels=by_type["status"].tolist(),
        highlight=by_type.loc[by_type["counted_in_standard"], "type_label"].tolist(),
        xlabel="Bedspaces (a unit for one victim and their children)",
        title=f"{name}: bedspaces by accommodation type, {result.supply_period}",
        source=(
            f"Source: local data (supply.csv); {config.POPULATION_BASE_SHORT} population; "
            "Council of Europe (2008) standard."
        ),
    )
    alt = (
        f"Bar chart of bedspaces by accommodation type in {name} ({result.supply_period}), with a dashed "
        f"line at the {format_number(gap['required_places'])} refuge places the standard requires. Refuge and "
        f"specialist refuge bedspaces total {format_number(gap['available_places'])}. Types without a stated count "
        "are labelled, "
        "not drawn as zero."
    )
    return fig, alt


def figure_referral_shares(
    result: SupplyAssessment, threshold: int = config.SUPPRESSION_THRESHOLD
) -> tuple[Any, str] | None:
    """Referral shares with Wilson intervals where counts allow, and its alt text.

    Rows whose count or base count the published table suppresses (1 to ``threshold - 1``)
    are left out, so no bar, label or alt text gives back a number the table hid. Returns
    None when no share is left to show.
    """
    from analysis.present import plots

    shares = result.shares
    if not len(shares):
        return None
    counts = shares[["count", "base_count"]].astype(float)
    hidden = stats.is_suppressed(
        stats.suppress_small_counts(counts, ["count", "base_count"], [], threshold=threshold)
    ).any(axis=1)
    plotted = shares[shares["percent"].notna() & ~hidden]
    if not len(plotted):
        return None
    name = result.area.name
    fig = plots.bars_with_reference(
        plotted,
        "label",
        "percent",
        lower="ci_lower",
        upper="ci_upper",
        decimals=1,
        xlabel="% of referrals (as printed where no counts)",
        title=f"{name}: referral shares",
        source="Source: local data (referrals.csv).",
    )
    alt = (
        f"Bar chart of {len(plotted)} referral shares for {name}, in per cent, with Wilson intervals "
        "where counts allow: "
        + "; ".join(f"{lab} {format_number(p)}%" for lab, p in zip(plotted["label"], plotted["percent"]))
    )
    return fig, alt


def figure_places_per_100k(result: SupplyAssessment) -> tuple[Any, str]:
    """Refuge places per 100,000 for the area, its region and England against the standard; and its alt text."""
    from analysis.present import plots

    gap, comparison = result.gap, result.comparison
    fig = plots.bars_with_reference(
        comparison,
        "area_name",
        "places_per_100k",
        reference=gap["standard_places_per_100k"],
        reference_label=f"standard: {gap['standard_places_per_100k']:g} per 100,000",
        highlight=[result.area.name],
        decimals=1,
        xlabel="Refuge places per 100,000 population",
        title="Refuge places per 100,000 population",
        source=(
            "Sources: local data; Women's Aid / Hansard; DLUHC Part 4 returns 2022-23; "
            f"{config.POPULATION_BASE_SHORT} population."
        ),
    )
    alt = (
        "Bar chart of refuge places per 100,000 population for "
        + ", ".join(
            f"{n}: {'no data' if pd.isna(v) else format_number(v, 1)}"
            for n, v in zip(comparison["area_name"], comparison["places_per_100k"])
        )
        + f", against a dashed line at the standard's {gap['standard_places_per_100k']:g}."
    )
    return fig, alt
