"""How the prevalence chapter shows its results: wording, published tables and figures."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from analysis import config
from analysis.errors import ParameterError
from analysis.methods.prevalence import NO_INTERVAL_NOTE, has_intervals, pyramid_populations, sum_estimates
from analysis.present.labels import CODE_LABELS, SEX_LABELS
from analysis.present.numbers import format_multiple, format_number, format_percent, round_to_multiple

#: Breakdowns from finest to coarsest, with how the output names them.
BREAKDOWNS: dict[str, str] = {
    "sex_age": "sex and age band",
    "sex": "sex",
    "age": "age band (women and men together)",
    "all_adults": "all adults",
    "one_sex_age": "age band (one sex only)",
}


#: What each crime survey measure counts (used in sentences about the estimate).
MEASURE_PHRASES: dict[str, str] = {
    "any_domestic_abuse": "experienced domestic abuse in the last year",
    "partner_abuse": "experienced partner abuse in the last year",
    "family_abuse": "experienced abuse by a family member (not a partner) in the last year",
    "any_domestic_abuse_since_16": "had experienced domestic abuse at some time since the age of 16",
}


#: Headings of the estimate tables (by group, by sex and age band, per 100,000 adults).
ESTIMATE_LABELS = {
    "estimate": "Estimated adults",
    "population": "Population (Census 2021)",
    "rate_percent": "Rate published (%)",
}


#: How every prevalence output names its population base.
POPULATION_NOTE = (
    f"Populations: {config.POPULATION_BASE}. Women and men are counted at every single year of age "
    "(observed by sex and age, not a split of persons), so each rate is applied to the group it was "
    "published for."
)


def describe_rate(measure: str | None, sex: str, age_band: str) -> str:
    """A crime survey rate in words: "partner abuse in the last year, women 16-19" ("women 16-19" without a measure)."""
    group = f"{SEX_LABELS.get(sex, sex).lower()} {age_band}"
    if measure is None:
        return group
    return f"{CODE_LABELS.get(measure, measure).lower()}, {group}"


def pyramid_data(area_code: str, area_name: str, band_width: int = 5) -> pd.DataFrame:
    """What the population pyramid draws: each sex's share (%) of the whole population by five-year band.

    The area's and England's (when the area is not England), from the same Census 2021 counts as
    :func:`figure_pyramid` (bands of ``band_width`` years, the last one 90+).
    """
    area_rows, england_rows = pyramid_populations(area_code)
    out = None
    for rows, name in ((area_rows, area_name), (england_rows, "England")):
        if rows is None:
            continue
        sexed = rows[rows["sex"].isin(["female", "male"])].assign(
            band=lambda f: (f["age"] // band_width * band_width).clip(upper=90)
        )
        table = sexed.pivot_table(index="band", columns="sex", values="population", aggfunc="sum")
        shares = table / table.to_numpy().sum() * 100
        frame = pd.DataFrame(
            {
                f"{name}: women (% of residents)": shares["female"].to_numpy(),
                f"{name}: men (% of residents)": shares["male"].to_numpy(),
            },
            index=shares.index,
        )
        out = frame if out is None else out.join(frame)
    bands = [f"{b}-{b + band_width - 1}" if b < 90 else "90+" for b in out.index]
    return out.reset_index(drop=True).assign(**{"Age band": bands})[["Age band", *out.columns]]


def round_to(value: float, multiple: int) -> float:
    """Round to the nearest ``multiple`` (e.g. 10) for display, halves away from zero; None and NaN give NaN.

    See :func:`analysis.present.numbers.round_to_multiple` (12,345 to 10 is 12,350).
    """
    return round_to_multiple(value, multiple)


def check_round_to(value: Any) -> int:
    """A whole number >= 1 for the notebook's ``round_to`` parameter, or :class:`ParameterError`."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ParameterError(
            f"round_to must be a whole number of at least 1 (1 = no rounding), got {value!r}.",
            "Pass for example -p round_to 10.",
        )
    return int(value)


def describe_breakdown(summary_row: pd.Series) -> str:
    """e.g. "by sex (ages 16+), YE Mar 2024 crime survey, 2024+ measure"."""
    return (
        f"by {BREAKDOWNS[summary_row['breakdown']]} (ages {summary_row['age_range']}), "
        f"{summary_row['survey_year']} crime survey, {summary_row['measure_version']} measure"
    )


def describe_measure(measure: str) -> str:
    """What a crime survey measure counts, as a verb phrase ("experienced domestic abuse in the last year")."""
    return MEASURE_PHRASES.get(measure, f"are counted by the crime survey measure '{measure}'")


def headline_text(summary_row: pd.Series, multiple: int = config.PREVALENCE_DEFAULT_ROUND_TO) -> str:
    """One sentence: the estimate for the area, its interval or the statement that there is none."""
    estimate = report_number(summary_row["estimate"], multiple)
    per_100k = format_number(summary_row["estimate_per_100k_adults"])
    if math.isnan(summary_row["ci_lower"]):
        interval = f" ({NO_INTERVAL_NOTE})"
    else:
        low, high = (report_number(summary_row[bound], multiple) for bound in ("ci_lower", "ci_upper"))
        interval = f" ({format_percent(summary_row['confidence'])} interval {low} to {high})"
    return (
        f"An estimated {estimate} adults aged {summary_row['age_range']} in {summary_row['area_name']} "
        f"{describe_measure(summary_row['measure'])}{interval}: {per_100k} per 100,000 adults, applying the "
        f"{summary_row['survey_year']} national crime survey rates ({summary_row['measure_version']} measure) "
        f"by {BREAKDOWNS[summary_row['breakdown']]} to the area's population."
    )


def report_number(value: float, multiple: int) -> str:
    """A count rounded to the nearest ``multiple``, halves away from zero, with thousands separators ("91,350")."""
    return format_multiple(value, multiple)


def label_groups(groups: pd.DataFrame) -> pd.Series:
    """Readable group labels: "Women 16+", "Men 16-19", "Women and men 20-24"."""
    return groups["sex"].map(SEX_LABELS) + " " + groups["age_band"]


def _rounded(frame: pd.DataFrame, columns: Iterable[str], multiple: int) -> pd.DataFrame:
    out = frame.copy()
    for column in columns:
        out[column] = round_to_multiple(out[column], multiple)
    return out


def display_groups(groups: pd.DataFrame, multiple: int = config.PREVALENCE_DEFAULT_ROUND_TO) -> pd.DataFrame:
    """The by-group table as published: label, population, rate and estimate (rounded), interval."""
    shown = groups.assign(group=label_groups(groups))[
        ["group", "population", "rate_percent", "rate_ci_lower", "rate_ci_upper", "estimate", "ci_lower", "ci_upper"]
    ]
    return _rounded(shown, ["population", "estimate", "ci_lower", "ci_upper"], multiple)


def display_comparison(summary: pd.DataFrame, multiple: int = config.PREVALENCE_DEFAULT_ROUND_TO) -> pd.DataFrame:
    """The area / region / England table as published."""
    shown = summary[
        [
            "area_name",
            "population_adults",
            "estimate",
            "ci_lower",
            "ci_upper",
            "estimate_per_100k_adults",
            "per_100k_ci_lower",
            "per_100k_ci_upper",
        ]
    ]
    return _rounded(shown, ["population_adults", "estimate", "ci_lower", "ci_upper"], multiple)


def display_children(children: pd.DataFrame, multiple: int = config.PREVALENCE_DEFAULT_ROUND_TO) -> pd.DataFrame:
    """The children's estimate as published."""
    shown = children[["area_name", "age_band", "population", "rate_per_1000", "estimate", "year"]]
    return _rounded(shown, ["population", "estimate"], multiple).astype({"year": str})


def explain_comparison(summary_row: pd.Series) -> str:
    """What can make the area's rate per 100,000 adults differ from its region's and England's."""
    through = {
        "sex_age": "its sex and age structure within ages {r}",
        "sex": "its share of women among adults aged {r} (the rates differ by sex but not by age)",
        "age": "its age structure within ages {r} (the rates differ by age but not by sex)",
        "all_adults": "nothing: with one rate for all adults aged {r}, every area gets the same rate per 100,000",
    }[summary_row["breakdown"]].format(r=summary_row["age_range"])
    return (
        f"With the {summary_row['survey_year']} rates by {BREAKDOWNS[summary_row['breakdown']]}, an area's "
        f"estimated rate per 100,000 adults can differ from another's only through {through}."
    )


def figure_by_group(
    groups: pd.DataFrame, summary_row: pd.Series, area_name: str, multiple: int = config.PREVALENCE_DEFAULT_ROUND_TO
) -> tuple[Any, str]:
    """Bar chart of the estimate by group (intervals when every rate has them), and its alt text.

    ``groups`` is :func:`estimate_adults` for the area, ``summary_row`` its row of
    :func:`compare_with_region_and_england`.
    """
    from analysis.present import plots

    interval = has_intervals(groups)
    labels = label_groups(groups)
    fig = plots.bar_with_intervals(
        groups.assign(group=labels),
        "group",
        "estimate",
        lower="ci_lower" if interval else None,
        upper="ci_upper" if interval else None,
        xlabel="Estimated adults",
        title=f"{area_name}: estimate by group",
        source=f"Source: ONS CSEW {summary_row['survey_year']} rates; {config.POPULATION_BASE_SHORT} population",
    )
    alt = (
        f"Horizontal bar chart of the estimated number of adults in {area_name} who "
        f"{describe_measure(summary_row['measure'])}, by group: "
        + "; ".join(f"{g} about {report_number(e, multiple)}" for g, e in zip(labels, groups["estimate"]))
        + ("" if interval else ". No intervals are shown because none are held for the published rates.")
    )
    return fig, alt


def figure_pyramid(area_code: str, area_name: str) -> tuple[Any, str]:
    """Population pyramid of the area by five-year band and sex, England outlined; and its alt text."""
    from analysis.present import plots

    pyramid_rows, england_rows = pyramid_populations(area_code)
    fig = plots.population_pyramid(
        pyramid_rows,
        england_rows,
        area_label=area_name,
        comparator_label="England",
        title=f"{area_name}: population by age and sex, Census 2021",
        source=f"Source: {config.POPULATION_BASE}",
    )
    alt = (
        f"Population pyramid of {area_name} by five-year age band, males left and females right, as a share of "
        "the total population on Census Day 2021"
        + ("" if england_rows is None else ", with England outlined for comparison")
        + ". Females and males at each age are Census 2021 counts."
    )
    return fig, alt


def figure_per_100k(comparison: pd.DataFrame, area_name: str, interval: bool) -> tuple[Any, str]:
    """Bar chart of the estimate per 100,000 adults for the area, its region and England; and its alt text."""
    from analysis.present import plots

    mine = comparison.iloc[0]
    fig = plots.bar_with_intervals(
        comparison,
        "area_name",
        "estimate_per_100k_adults",
        lower="per_100k_ci_lower" if interval else None,
        upper="per_100k_ci_upper" if interval else None,
        highlight=[area_name],
        xlabel="Estimated adults per 100,000 adults",
        title="Per 100,000 adults",
        source=f"Source: ONS CSEW {mine['survey_year']}; {config.POPULATION_BASE_SHORT}",
    )
    alt = (
        "Horizontal bar chart of the estimated rate per 100,000 adults: "
        + "; ".join(
            f"{n} {format_number(v)}" for n, v in zip(comparison["area_name"], comparison["estimate_per_100k_adults"])
        )
        + ". The values differ only through population structure because the same national rates are applied."
    )
    return fig, alt


def _rate_group_labels(sexes: pd.Series, bands: pd.Series) -> pd.Series:
    return sexes.map(SEX_LABELS) + " " + bands


def display_by_sex_and_age_band(
    bands: pd.DataFrame, multiple: int = config.PREVALENCE_DEFAULT_ROUND_TO
) -> pd.DataFrame:
    """The estimate by sex and age band as published (rows of :func:`by_sex_and_age_band`), rounded.

    Columns: sex, age band, population (Census 2021), the rate and the group it was published
    for, the estimate and its interval (blank without published limits).
    """
    shown = pd.DataFrame(
        {
            "sex": bands["sex"].map(SEX_LABELS).to_numpy(),
            "age_band": bands["age_band"].to_numpy(),
            "population": bands["population"].to_numpy(),
            "rate_percent": bands["rate_percent"].to_numpy(),
            "rate_published_for": _rate_group_labels(bands["rate_sex"], bands["rate_band"]).to_numpy(),
            "estimate": bands["estimate"].to_numpy(),
            "ci_lower": bands["ci_lower"].to_numpy(),
            "ci_upper": bands["ci_upper"].to_numpy(),
        }
    )
    return _rounded(shown, ["population", "estimate", "ci_lower", "ci_upper"], multiple)


def band_rate_note(bands: pd.DataFrame) -> str:
    """Says plainly which rows carry a rate published for their own age band, and what the others show."""
    by_age = bands["rate_by_age"].astype(bool)
    first = bands.iloc[0]
    groups = list(
        dict.fromkeys(
            f"{label.lower()} ({rate:g}%)"
            for label, rate in zip(_rate_group_labels(bands["rate_sex"], bands["rate_band"]), bands["rate_percent"])
        )
    )
    published = groups[0] if len(groups) == 1 else ", ".join(groups[:-1]) + " and " + groups[-1]
    if by_age.all():
        return f"Every row's rate was published for its own age band ({published})."
    spread = (
        "the rows show how the estimate spreads over the area's women and men of each age (Census 2021), "
        "not how the risk of abuse differs with age"
    )
    if not by_age.any():
        return (
            f"The {first['survey_year']} crime survey rates ({first['measure_version']} measure) used here are "
            f"published only for {published}, not by age band, so every age band carries the rate of its "
            f"whole group: {spread}."
        )
    return (
        "Rows whose 'rate published for' names a wider group than the row carry that group's rate, not a rate for "
        f"their own age band: for them, {spread}."
    )


def display_partner_abuse_women(
    groups: pd.DataFrame, multiple: int = config.PREVALENCE_DEFAULT_ROUND_TO
) -> pd.DataFrame:
    """Women's partner abuse by age band (:func:`partner_abuse_women_by_age`), with a total row, rounded.

    The total row sums the bands; it carries no rate (none was applied to it).
    """
    shown = groups.assign(group=label_groups(groups))[
        ["group", "population", "rate_percent", "rate_ci_lower", "rate_ci_upper", "estimate", "ci_lower", "ci_upper"]
    ]
    estimate, lower, upper = sum_estimates(groups)
    total = {
        "group": f"Women {groups['age_range'].iloc[0]} (sum of the bands)",
        "population": groups["population"].sum(),
        "rate_percent": np.nan,
        "rate_ci_lower": np.nan,
        "rate_ci_upper": np.nan,
        "estimate": estimate,
        "ci_lower": lower,
        "ci_upper": upper,
    }
    shown = pd.concat([shown, pd.DataFrame([total])], ignore_index=True)
    return _rounded(shown, ["population", "estimate", "ci_lower", "ci_upper"], multiple)
