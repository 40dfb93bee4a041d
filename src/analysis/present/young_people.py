"""How the young people (14-18) chapter shows its results: wording, rounding, the age profile figure, and the
16-17 year olds owed a homelessness duty (tables, trend chart, sentences and records, small counts suppressed)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

from analysis import config
from analysis.data import tables
from analysis.errors import ParameterError
from analysis.methods import areas
from analysis.methods.young_people import age_profile, compare_shares, fact_value
from analysis.present.numbers import format_number, round_to_multiple


def round_to(frame: pd.DataFrame, columns: Sequence[str], base: int = 10) -> pd.DataFrame:
    """A copy with ``columns`` rounded to the nearest ``base``, halves away from zero (missing values kept).

    See :func:`analysis.present.numbers.round_to_multiple`.
    """
    out = frame.copy()
    for column in columns:
        out[column] = round_to_multiple(out[column], base)
    return out


def describe_15_24_share(area: areas.Area) -> str:
    """A sentence: the area's 15-24 share against England's, beside its strategy's own figure.

    The computed shares use ONS Census 2021 usual residents. Where the area's strategy states its
    own 15-24 share (Southampton: "19% ... compared 12% nationally"), that statement is
    quoted beside them with its document and section; its year and source differ, so the two
    are shown side by side, not reconciled.
    """
    shares = compare_shares(area).set_index("area_code")
    mine = shares.loc[area.code, "share_15_24_percent"]
    england = shares.loc[config.ENGLAND_CODE, "share_15_24_percent"]
    text = (
        f"From {config.POPULATION_BASE_SHORT}, {format_number(mine, 1)}% of {area.name}'s residents are aged 15-24 "
        f"against {format_number(england, 1)}% in England."
    )
    stated = fact_value(area.code, "population_aged_15_24_percent")
    national = fact_value(area.code, "population_aged_15_24_percent_national_comparator")
    if stated is not None:
        facts = tables.read_table("young_people_local")
        row = facts[(facts["area_code"] == area.code) & (facts["measure"] == "population_aged_15_24_percent")].iloc[0]
        against = f" against {national:g}% nationally" if national is not None else ""
        text += (
            f" {area.name}'s strategy states {stated:g}%{against} ({row['source_document']}, "
            f"{row['source_section']}); its year and source are not stated, so the two differ in year and "
            "source and are shown side by side, not reconciled."
        )
    return text


def plot_age_profile(
    profile: pd.DataFrame, highlight: str, *, value: str = "share_percent", title: str = "", source: str | None = None
):
    """Grouped bars by single year of age, one bar per area (the chosen area highlighted).

    ``profile`` is the output of :func:`age_profile` for the area and its comparators;
    ``value`` is ``share_percent`` or ``per_100k``.
    """
    from analysis.present import plots

    if value not in {"share_percent", "per_100k"}:
        raise ParameterError(f"value must be 'share_percent' or 'per_100k', got {value!r}.")
    names = list(dict.fromkeys(profile["area_name"]))
    codes = list(dict.fromkeys(profile["area_code"]))
    ages = sorted(profile["age"].unique())
    fig, ax = plots.new_figure(7.5, 4.0)
    width = 0.8 / len(codes)
    others = [config.COLOUR_PRIMARY, config.COLOUR_SECONDARY]
    hatches = ["", "//"]
    for i, (code, name) in enumerate(zip(codes, names)):
        rows = profile[profile["area_code"] == code].set_index("age").reindex(ages)
        is_area = code == highlight
        colour = config.COLOUR_HIGHLIGHT if is_area else others[(i - 1) % len(others)]
        hatch = "" if is_area else hatches[(i - 1) % len(hatches)]
        positions = [a + (i - (len(codes) - 1) / 2) * width for a in ages]
        ax.bar(
            positions, rows[value], width=width, color=colour, edgecolor="black", linewidth=0.4, hatch=hatch, label=name
        )
    ax.axvline(config.DA_ACT_MIN_AGE - 0.5, color="black", linestyle="--", linewidth=1)
    ax.set_xticks(ages, [str(a) for a in ages])
    ax.set_xlabel("Single year of age (Census 2021)")
    ax.set_ylabel("% of all residents" if value == "share_percent" else "People of that age per 100,000 residents")
    ax.grid(axis="x", visible=False)
    ax.set_ylim(0, profile[value].max() * 1.3)
    ax.legend(loc="upper right", fontsize=8, ncols=len(codes))
    ax.annotate("Domestic Abuse Act 2021: 16+", (config.DA_ACT_MIN_AGE - 0.45, profile[value].max() * 1.12), fontsize=8)
    if title:
        ax.set_title(title, loc="left")
    if source:
        plots.add_source_note(fig, source)
    return fig


def figure_age_profile(area: areas.Area, shares: pd.DataFrame) -> tuple[Any, str, str]:
    """The area's residents aged 14-18 by single year as a share of all residents, beside its
    comparators (``shares`` is :func:`compare_shares`): the figure, its alt text and its caption."""
    profile = age_profile(shares["area_code"])
    others = ", ".join(shares["area_name"].iloc[1:])
    area_range = profile.loc[profile["area_code"] == area.code, "share_percent"]
    england_range = profile.loc[profile["area_code"] == config.ENGLAND_CODE, "share_percent"]
    fig = plot_age_profile(
        profile,
        area.code,
        value="share_percent",
        title=f"Residents aged 14 to 18 by single year of age: {area.name}" + (f" against {others}" if others else ""),
        source=f"Source: {config.POPULATION_BASE}, persons; 2021 local authority geography.",
    )
    alt = (
        f"Bar chart of the share of all residents at each single year of age from 14 to 18 in {area.name}"
        + (f" beside {others}" if others else "")
        + f". In {area.name} each year of age is {format_number(area_range.min(), 2)}% to "
        f"{format_number(area_range.max(), 2)}% of residents; in England {format_number(england_range.min(), 2)}% "
        f"to {format_number(england_range.max(), 2)}%. A dashed line marks age 16, "
        "the Domestic Abuse Act threshold."
    )
    return fig, alt, "Each bar is the number of residents of that age as a percentage of all residents."


def age_profile_data(shares: pd.DataFrame) -> dict[str, Any]:
    """What :func:`figure_age_profile` draws, as arguments of :func:`analysis.present.report.chart_data`."""
    profile = age_profile(shares["area_code"])
    return {
        "frame": profile[["area_name", "age", "population", "area_population", "share_percent"]],
        "caption": "Residents aged 14 to 18 by single year of age as a share of all residents, Census 2021",
        "count_columns": ["population"],
        "derived_columns": ["share_percent"],
        "decimals": {"share_percent": 2},
        "labels": {
            "population": "Residents of this age (Census 2021)",
            "area_population": "All residents (Census 2021)",
            "share_percent": "Share of all residents (%)",
        },
        "notes": [f"Source: {config.POPULATION_BASE}, persons; 2021 local authority geography."],
    }


# ------------------------------------------------------------------------------------------
# Statutory homelessness: households owed a duty involving a 16-17 year old (A6, A3)
# ------------------------------------------------------------------------------------------

#: How tables, charts and sentences name the measures of ``homelessness.YOUNG_PEOPLE_MEASURES``.
HOMELESSNESS_LABELS = {
    "applicant_16_17": "Main applicant aged 16-17 (A6)",
    "support_need_16_17": "Support need: young person aged 16-17 (A3)",
}
HOMELESSNESS_PHRASES = {
    "applicant_16_17": "households owed a prevention or relief duty whose main applicant was aged 16-17",
    "support_need_16_17": "households owed a prevention or relief duty with the support need 'young person aged 16-17'",
}
HOMELESSNESS_SOURCE = (
    "Source: MHCLG statutory homelessness detailed local authority tables (H-CLIC), tables A6 and A3, OGL v3"
)
#: Plain caveats of the homelessness figures, shown under the table and in the chapter's caveats.
HOMELESSNESS_CAVEATS = (
    "These are households owed a homelessness prevention or relief duty by a housing authority, not all young "
    "people at risk of homelessness or of abuse: homeless 16-17 year olds are often assessed and accommodated by "
    "children's services under the Children Act 1989 instead, and do not appear here.",
    "The published tables do not say why these households were homeless: they are not young people made homeless "
    "by domestic abuse, which only the case-level H-CLIC data could show.",
    "Counts depend on how each housing authority assesses and records support needs and applicants' ages; "
    "differences between authorities and from year to year can reflect recording practice.",
    "An authority's figure is the sum of its housing authorities' figures and is shown only for years in which "
    "every one of them reported in all four quarters; regions and England are MHCLG's own totals, rounded to the "
    "nearest 10 and including MHCLG's estimates for authorities that did not report.",
)


def _per_1000(value: Any, population: float) -> float:
    return float("nan") if pd.isna(value) or not population else float(value) / population * 1000


def homelessness_year_table(duties: pd.DataFrame, year: str, populations: dict[str, float]) -> pd.DataFrame:
    """The year's figures for the area and its comparators as a table (before suppression).

    ``duties`` is :func:`analysis.methods.homelessness.young_people_duties`; ``populations`` maps
    area codes to Census 2021 residents aged 16-17. Columns: Measure, Area, Households, Per 1,000
    residents aged 16-17, Note (why a value is missing).
    """
    rows = duties[duties["financial_year"] == year]
    if rows.empty:
        raise ParameterError(f"No homelessness rows for {year!r}.", "Pass a year of the duties frame.")
    return pd.DataFrame(
        {
            "Measure": rows["measure"].map(HOMELESSNESS_LABELS).to_numpy(),
            "Area": rows["area_name"].to_numpy(),
            "Households": rows["value"].to_numpy(dtype=float),
            "Per 1,000 residents aged 16-17": [
                _per_1000(v, populations[c]) for v, c in zip(rows["value"], rows["area_code"])
            ],
            "Note": rows["note"].where(rows["published"], "no figure: " + rows["note"]).to_numpy(),
        }
    )


def homelessness_trend_table(duties: pd.DataFrame, area_code: str) -> pd.DataFrame:
    """The area's financial years, one column per measure (before suppression) and a note per year."""
    mine = duties[duties["area_code"] == area_code]
    wide = mine.pivot(index="financial_year", columns="measure", values="value")
    notes = mine[~mine["published"]].assign(text=lambda f: f["measure"].map(HOMELESSNESS_LABELS) + ": " + f["note"])
    out = pd.DataFrame({"Financial year": wide.index})
    for key, label in HOMELESSNESS_LABELS.items():
        out[label] = wide[key].to_numpy(dtype=float)
    joined = notes.groupby("financial_year")["text"].agg(" | ".join)
    out["Note"] = out["Financial year"].map(joined).fillna("")
    return out


def published_counts(duties: pd.DataFrame) -> pd.DataFrame:
    """``duties`` with ``shown``: the value as published (1-4 as the suppression marker, NaN kept)."""
    from analysis.methods import stats

    return stats.suppress_small_counts(duties.assign(shown=duties["value"]), "shown", [])


def _missing_word(note: str) -> str:
    """'not published' where MHCLG published no figure for the whole year, else 'incomplete'."""
    return "not published" if re.fullmatch(r"20\d\d-\d\d: not published", note) else "incomplete"


def shown_value(shown: Any, note: str) -> str:
    """A count as the page shows it: the number, the suppression marker, 'incomplete' or 'not published'."""
    if isinstance(shown, str):
        return shown
    return _missing_word(note) if pd.isna(shown) else format_number(shown)


def figure_homelessness_trend(duties: pd.DataFrame, area: areas.Area) -> tuple[Any, str]:
    """Bars of the area's households each financial year, both measures; suppressed and missing years labelled.

    A count of 1-4 is drawn as no bar and labelled with the suppression marker; a year without a
    complete figure is labelled "incomplete" or "not published", never drawn as zero.
    """
    from analysis.present import plots

    mine = published_counts(duties[duties["area_code"] == area.code])
    years = list(dict.fromkeys(mine["financial_year"]))
    fig, ax = plots.new_figure(8.0, 4.0)
    width = 0.4
    numbers = pd.to_numeric(mine["shown"], errors="coerce")
    top = max(float(numbers.max()) if numbers.notna().any() else 0.0, 5.0)
    styles = [(config.COLOUR_HIGHLIGHT, ""), (config.COLOUR_PRIMARY, "//")]
    for i, (key, (colour, hatch)) in enumerate(zip(HOMELESSNESS_LABELS, styles)):
        rows = mine[mine["measure"] == key].set_index("financial_year").reindex(years)
        for x, (shown, note) in enumerate(zip(rows["shown"], rows["note"])):
            position = x + (i - 0.5) * width
            drawn = not isinstance(shown, str) and not pd.isna(shown)
            if drawn:
                ax.bar(position, float(shown), width=width, color=colour, hatch=hatch, edgecolor="black", linewidth=0.4)
            ax.text(position, float(shown) if drawn else top * 0.02, shown_value(shown, note),
                    rotation=0 if drawn else 90, ha="center", va="bottom", fontsize=7.5,
                    style="normal" if drawn else "italic")  # fmt: skip
    handles = [legend_patch(colour, hatch) for colour, hatch in styles]
    ax.legend(handles, list(HOMELESSNESS_LABELS.values()), loc="upper right", fontsize=8)
    ax.set_xticks(range(len(years)), years, fontsize=8)
    ax.set_ylim(0, top * 1.35)
    ax.set_ylabel("Households owed a duty (each financial year)")
    ax.grid(axis="x", visible=False)
    ax.set_title(f"{area.name}: households owed a homelessness duty involving a 16-17 year old", loc="left")
    plots.add_source_note(fig, f"{HOMELESSNESS_SOURCE}. {config.SUPPRESSION_MARKER}: fewer than "
                               f"{config.SUPPRESSION_THRESHOLD} households, suppressed.")  # fmt: skip
    alt = (
        f"Bar chart of households owed a homelessness prevention or relief duty in {area.name}, each financial year "
        f"from {years[0]} to {years[-1]}: "
        + "; ".join(
            f"{label}: "
            + ", ".join(
                f"{y} {shown_value(s, n)}"
                for y, s, n in mine.loc[mine["measure"] == key, ["financial_year", "shown", "note"]].itertuples(
                    index=False
                )
            )
            for key, label in HOMELESSNESS_LABELS.items()
        )
        + f". {config.SUPPRESSION_MARKER} marks a count of fewer than {config.SUPPRESSION_THRESHOLD}, suppressed; "
        "'incomplete' marks a year without four complete quarters (a housing authority did not report, or "
        "MHCLG published no figure for a quarter), 'not published' a year MHCLG published no figure for."
    )
    return fig, alt


def legend_patch(colour: str, hatch: str) -> Any:
    """A legend patch in a bar's colour and hatch."""
    from matplotlib.patches import Patch

    return Patch(facecolor=colour, hatch=hatch, edgecolor="black", linewidth=0.4)


def _year_rows(duties: pd.DataFrame, year: str) -> pd.DataFrame:
    rows = published_counts(duties[duties["financial_year"] == year])
    if rows.empty:
        raise ParameterError(f"No homelessness rows for {year!r}.", "Pass a year of the duties frame.")
    return rows


def describe_homelessness(duties: pd.DataFrame, area: areas.Area, year: str) -> str:
    """The year's figures in words, as published: the area's (or why it has none) beside its comparators."""
    rows = _year_rows(duties, year)
    sentences = []
    for key, phrase in HOMELESSNESS_PHRASES.items():
        measure = rows[rows["measure"] == key]
        mine = measure[measure["area_code"] == area.code].iloc[0]
        others = ", ".join(f"{r.area_name} {shown_value(r.shown, r.note)}" for r in measure.iloc[1:].itertuples())
        if isinstance(mine["shown"], str):
            value = f"fewer than {config.SUPPRESSION_THRESHOLD} ({mine['shown']}, suppressed)"
        elif pd.isna(mine["shown"]):
            value = f"no complete figure ({mine['note']})"
        else:
            value = format_number(mine["shown"])
        sentences.append(
            f"{phrase[0].upper()}{phrase[1:]} in {year}: {area.name} {value}" + (f"; {others}" if others else "") + "."
        )
    return " ".join(sentences)


def homelessness_records(duties: pd.DataFrame, area_code: str, year: str) -> dict[str, Any]:
    """Values for :func:`analysis.present.report.record`, as published (a count of 1-4 is the marker).

    Keys: ``homelessness_16_17_year``; for each measure ``m`` of :data:`HOMELESSNESS_LABELS`:
    ``homelessness_m`` (the area's households, the marker, or None without a complete year),
    ``homelessness_m_published``, ``homelessness_m_note``, ``region_homelessness_m`` and
    ``england_homelessness_m`` (None where the area has no such comparator); and
    ``homelessness_16_17_trend`` (one dict a year: ``financial_year`` and each measure).
    """
    rows = _year_rows(duties, year)
    out: dict[str, Any] = {"homelessness_16_17_year": year}
    for key in HOMELESSNESS_LABELS:
        measure = rows[rows["measure"] == key].set_index("role")
        mine = measure[measure["area_code"] == area_code].iloc[0]
        name = f"homelessness_{key}"
        out[name] = _record_value(mine["shown"])
        out[f"{name}_published"] = bool(mine["published"])
        out[f"{name}_note"] = mine["note"]
        for role, prefix in (("region", "region"), ("England", "england")):
            present = role in measure.index and measure.loc[role, "area_code"] != area_code
            out[f"{prefix}_{name}"] = _record_value(measure.loc[role, "shown"]) if present else None
    trend = published_counts(duties[duties["area_code"] == area_code])
    out["homelessness_16_17_trend"] = [
        {"financial_year": year_, **{k: _record_value(v) for k, v in zip(group["measure"], group["shown"])}}
        for year_, group in trend.groupby("financial_year", sort=True)
    ]
    return out


def _record_value(shown: Any) -> Any:
    """A published value for a record: the number, the marker, or None where there is no figure."""
    return shown if isinstance(shown, str) else (None if pd.isna(shown) else float(shown))


def homelessness_source_ids(year: str) -> list[str]:
    """Manifest ids of the four quarterly workbooks of a financial year ("2024-25" -> homelessness_2024_q1 ...)."""
    return [f"homelessness_{year[:4]}_q{quarter}" for quarter in range(1, 5)]
