"""How the refuge demand and supply chapter shows its results: the headline, figures and local demand.

The local demand section (households owed a homelessness duty because of domestic abuse, and
those moving on from a refuge) takes its numbers from :mod:`analysis.methods.homelessness_demand`
and its shared wording from :mod:`analysis.present.homelessness`; every count of 1 to
:data:`config.SUPPRESSION_THRESHOLD` - 1, and what is derived from it, reaches the page as the
suppression marker.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis import config
from analysis.methods import homelessness_demand, stats
from analysis.methods.supply import SupplyAssessment
from analysis.present import homelessness as words
from analysis.present.numbers import format_number

#: Labels of the year-figures table's measures.
MEASURE_LABELS = {
    "da_reason": "owed a duty because of domestic abuse",
    "refuge": "owed a duty, living in a refuge when they applied",
}
#: What the deprivation model's comparison means, before what it does not (present.homelessness.MODEL_ADJUSTS).
MODEL_MEANS = (
    "The expected count is what an authority of the same deprivation score and number of households would "
    "have if the relation seen across England's authorities held exactly; a ratio above 1 means more "
    "households were owed a duty because of domestic abuse than that, below 1 fewer. Its interval is chance "
    "variation in the count only."
)


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


# ------------------------------------------------------------------------------------------
# Local demand: households owed a homelessness duty (chapter 02)
# ------------------------------------------------------------------------------------------


def refuge_move_on_sentence(area: Any, figures: pd.DataFrame, confidence: float = config.DEFAULT_CONFIDENCE) -> str:
    """Households moving on from a refuge in the year, with the rate, interval, region and England.

    ``figures`` is :func:`analysis.methods.homelessness_demand.year_figures` (suppressed here).
    """
    shown = homelessness_demand.suppressed(figures[figures["measure"] == "refuge"])
    own = shown[shown["area_code"] == area.code].iloc[0]
    year = own["financial_year"]
    others = [
        f"{format_number(r.rate_per_100k, 1)} in {r.area_name if r.role != 'region' else 'the ' + r.area_name}"
        for r in shown[shown["area_code"] != area.code].itertuples()
        if not pd.isna(r.rate_per_100k)
    ]
    against = f", against {' and '.join(others)}" if others else ""
    what = "were living in a refuge when they applied"
    if pd.isna(own["count"]):
        return f"{area.name} has no figure for {year} for households owed a duty who {what}: {own['note']}."
    if stats.is_suppressed(own["count"]):
        return (
            f"In {year}, {config.SUPPRESSION_MARKER} households owed a homelessness prevention or relief duty in "
            f"{words.place(area)} {what} (fewer than {config.SUPPRESSION_THRESHOLD}: suppressed){against}."
        )
    interval = words.interval_text(own["ci_lower"], own["ci_upper"], confidence, 1)
    return (
        f"In {year}, {format_number(own['count'])} households owed a homelessness prevention or relief duty in "
        f"{words.place(area)} {what}: {format_number(own['rate_per_100k'], 1)} per 100,000 residents{interval}"
        f"{against}. They are households moving on from a refuge (wherever the refuge was), so the count "
        "measures the move-on housing refuges need, not how many people need a refuge place."
    )


def year_figures_table(figures: pd.DataFrame) -> pd.DataFrame:
    """The year figures as the chapter's table shows them (counts suppressed by ``report.table``)."""
    table = figures.assign(measure=figures["measure"].map(MEASURE_LABELS))
    table = table[["measure", "area_name", "count", "rate_per_100k", "ci_lower", "ci_upper", "note"]]
    return table.rename(
        columns={
            "area_name": "area",
            "count": "households",
            "rate_per_100k": "per 100,000 residents",
            "ci_lower": "interval from",
            "ci_upper": "interval to",
        }
    )


def demand_headline(area: Any, figures: pd.DataFrame) -> str:
    """The sentence the chapter's headline adds: the year's households owed a duty because of domestic abuse."""
    shown = homelessness_demand.suppressed(figures[figures["measure"] == "da_reason"]).set_index("area_code")
    own = shown.loc[area.code]
    year = own["financial_year"]
    if pd.isna(own["count"]):
        return f"MHCLG's {year} figures for {area.name} are incomplete (a district did not report in a quarter)."
    england = shown.loc[config.ENGLAND_CODE, "rate_per_100k"] if area.code != config.ENGLAND_CODE else None
    against = f"; England {format_number(england, 1)}" if england is not None else ""
    return (
        f"In {year}, {format_number(own['count'])} households in {words.place(area)} were owed a homelessness "
        f"duty because of domestic abuse ({format_number(own['rate_per_100k'], 1)} per 100,000 residents{against})."
    )


def panel_table(panel: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The side-by-side panel as shown: values suppressed where a count is small, "not supplied" for no supply.

    Returns the table and its notes (the suppression footnote when a value was suppressed).
    """
    shown = homelessness_demand.suppressed(panel)
    supply = homelessness_demand.KINDS["supply"]
    shown = shown.assign(
        value=["not supplied" if kind == supply and pd.isna(v) else v for kind, v in zip(shown["kind"], shown["value"])]
    )
    notes = [
        "Each row counts something different: people supported a year (expected, from England's Part 4 "
        "returns per head), households owed a homelessness duty a year (observed, MHCLG), and refuge places "
        "(capacity at one time). Read them side by side, not as one scale. Per 100,000 residents uses the "
        "area's Census 2021 population for every row.",
        "'–' = no figure: an incomplete year (a district did not report) is never shown as a partial sum.",
    ]
    if stats.is_suppressed(shown["households"]).any():
        notes.append(stats.suppression_footnote())
    table = shown.drop(columns=["households"]).rename(columns={"per_100k": "per 100,000 residents"})
    return table, notes


def trend_caption(area: Any, measure: str = "da_reason") -> str:
    """The trend figure's caption: what, the years, the method and the source."""
    return (
        f"{area.name}, its region and England: {words.WHAT[measure]} per 100,000 residents, each quarter from "
        f"{config.HOMELESSNESS_FIRST_YEAR} Q1. Method: first-edition quarterly counts / Census 2021 usual "
        "residents x 100,000; hollow markers are quarters in which a district did not report; dotted lines "
        f"are series breaks. {words.SOURCE}; ONS Census 2021 TS009."
    )


def deprivation_caption(model: Any) -> str:
    """The deprivation scatter's caption: what, the year, the model and the sources."""
    unit = "per 1,000 households" if model.offset == "households" else "per 100,000 residents"
    return (
        f"{model.year}: each upper-tier authority's households owed a duty because of domestic abuse {unit} "
        f"against its IoD 2019 average score; the line is the {model.chosen} model's expected rate "
        f"(offset log {model.offset}). {words.SOURCE}; MHCLG English Indices of Deprivation 2019 "
        "(population-weighted by Census 2021 residents)."
    )


def local_source_lines(local: Any) -> list[str]:
    """One "Sources" line per council file read (supply, referrals): what it holds in words and what its rows cite.

    The page names the figures, never the file (:data:`analysis.present.labels.LOCAL_FILE_LABELS`);
    where a council puts its files is in the workspace's local data guide (docs/local-data.md).

    Parameters
    ----------
    local
        :class:`analysis.data.local_data.LocalData` of the area.
    """
    from analysis.present.labels import LOCAL_FILE_LABELS

    files = ((config.LOCAL_SUPPLY_FILE, local.supply), (config.LOCAL_REFERRALS_FILE, local.referrals))
    return [
        f"{LOCAL_FILE_LABELS[name][:1].upper()}{LOCAL_FILE_LABELS[name][1:]} (aggregate counts, read when this "
        "report ran), citing: " + "; ".join(dict.fromkeys(table["source"]))
        for name, table in files
        if table is not None
    ]
