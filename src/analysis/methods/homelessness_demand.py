"""Local demand beside supply, for chapter 02: the year's homelessness figures and the side-by-side panel.

Sources: MHCLG, *Statutory homelessness: detailed local authority-level tables* (first-edition
quarters summed over a financial year: :mod:`analysis.methods.homelessness`); ONS Census 2021
TS009 usual residents; the refuge standard and supply of :mod:`analysis.methods.supply`; England's
Part 4 figures per head (:mod:`analysis.methods.demand`). Crown copyright, OGL v3.

:func:`year_figures` gives, for one complete financial year, the area, its region and England:
households owed a prevention or relief duty because of domestic abuse (``da_reason``) and those
whose accommodation when they applied was a refuge (``refuge``: move-on demand from refuges),
each with its rate per 100,000 residents and the Byar / exact Poisson interval
(:func:`analysis.methods.homelessness.trend`). :func:`demand_panel` puts four kinds of figure
for one area side by side, each with its unit, period, source and method:

* **expected** from national rates: England's Part 4 counts per head applied to the area's
  Census 2021 population (the expected-demand benchmark of :func:`analysis.methods.supply.assess`);
* **observed** local homelessness demand: the two counts above, for the area;
* the **requirement** of the Council of Europe standard (refuge places = population / 10,000
  x the standard);
* local **supply**: refuge and specialist refuge bedspaces from the council's ``supply.csv``,
  or "not supplied".

They count different things (people supported a year, households owed a duty a year, places
at a point in time), so the panel is a table with each row's unit, never one chart axis.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from analysis import config
from analysis.errors import ParameterError
from analysis.methods import homelessness, stats

#: The value of the notebook parameter ``homelessness_year`` that means the latest complete year.
LATEST = "latest"
#: The measures the chapter shows for the year, in order.
MEASURES = ("da_reason", "refuge")
#: What each panel row of observed demand counts, and the MHCLG table it comes from.
OBSERVED = {
    "da_reason": (
        "Households owed a homelessness duty because of domestic abuse",
        "MHCLG statutory homelessness tables A2 (A2P + A2R from 2020-21 Q2)",
    ),
    "refuge": (
        "Households owed a homelessness duty who were living in a refuge when they applied (move-on)",
        "MHCLG statutory homelessness tables A4 (A4P + A4R from 2020-21 Q2)",
    ),
}
#: The expected-demand rows of the benchmark shown in the panel.
EXPECTED = (
    "individuals_supported_in_safe_accommodation",
    "individuals_supported_in_safe_accommodation_refuge",
    "households_unable_to_be_supported",
)
PANEL_COLUMNS = ["kind", "measure", "value", "households", "per_100k", "unit", "period", "source", "method"]
#: The four kinds of figure the panel sets side by side, as its first column says them.
KINDS = {
    "expected": "expected from national rates",
    "observed": "observed locally (MHCLG)",
    "requirement": "Council of Europe requirement",
    "supply": "local supply",
}


def check_year_parameter(value: Any) -> str:
    """The notebook parameter ``homelessness_year``: "latest" or a complete financial year such as "2023-24".

    Returns the financial year (the latest with four published quarters for "latest").

    Raises
    ------
    ParameterError
        If the value is not "latest" or a financial year whose four quarters MHCLG has published
        (the message lists the years that can be used).
    """
    if isinstance(value, str) and value.strip().lower() == LATEST:
        return homelessness.latest_complete_year("da_reason")
    try:
        return homelessness.check_year(value, "da_reason")
    except ParameterError as exc:
        raise ParameterError(
            f"homelessness_year: {exc.message}", exc.hint or f'Use "{LATEST}" or a financial year like "2023-24".'
        ) from None


def year_figures(area_code: str, year: str, confidence: float = config.DEFAULT_CONFIDENCE) -> pd.DataFrame:
    """The year's households owed a duty for domestic abuse and from a refuge: area, region and England.

    Returns
    -------
    pandas.DataFrame
        One row per measure (:data:`MEASURES`) x area: ``measure``, ``area_code``, ``area_name``,
        ``role`` (authority, region, England), ``financial_year``, ``count`` (NaN where the year is
        incomplete: never a partial sum), ``complete``, ``note`` (the districts and quarters
        missing), ``residents`` (Census 2021), ``rate_per_100k``, ``ci_lower``, ``ci_upper``.
    """
    year = homelessness.check_year(year, *MEASURES)
    frames = []
    for measure in MEASURES:
        series = homelessness.trend(area_code, measure, period="financial_year", confidence=confidence)
        rows = series[series["period"] == year].assign(measure=measure, financial_year=year)
        unknown = ~rows["complete"]
        rows.loc[unknown, ["count", "rate_per_100k", "ci_lower", "ci_upper"]] = np.nan
        frames.append(rows)
    frame = pd.concat(frames, ignore_index=True)
    columns = ["measure", "area_code", "area_name", "role", "financial_year", "count", "complete", "note"]
    return frame[[*columns, "residents", "rate_per_100k", "ci_lower", "ci_upper"]]


def demand_panel(assessment: Any, year: str, confidence: float = config.DEFAULT_CONFIDENCE) -> pd.DataFrame:
    """Expected demand, observed homelessness demand, the requirement and local supply for one area.

    Parameters
    ----------
    assessment
        The area's :class:`analysis.methods.supply.SupplyAssessment`.
    year
        The complete financial year of the homelessness figures.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PANEL_COLUMNS`: ``kind`` (:data:`KINDS`: expected from national
        rates, observed, the requirement, local supply), ``measure`` (words), ``value`` (NaN
        where not known: observed for an incomplete year, supply not supplied), ``households``
        (the observed count again, so a table can suppress it and what is derived from it; NaN
        on other rows), ``per_100k``
        (per 100,000 Census 2021 residents), ``unit``, ``period``, ``source``, ``method``.
    """
    area, gap = assessment.area, assessment.gap
    population = float(gap["population"])
    expected = assessment.expected.set_index("measure")
    scenario = assessment.scenario
    rows = []
    for measure in EXPECTED:
        row = expected.loc[measure]
        unit = "households (instances) a year" if measure.startswith("households") else "people a year"
        rows.append(
            (
                KINDS["expected"],
                row["label"].strip(),
                float(row["expected_in_area"]),
                np.nan,
                unit,
                scenario["demand_year"],
                "Part 4 returns: " + row["source_title"],
                f"England's Part 4 count per head ({row['basis']}) x the area's Census 2021 population",
            )
        )
    figures = year_figures(area.code, year, confidence)
    own = figures[figures["area_code"] == area.code].set_index("measure")
    for measure, (words, table) in OBSERVED.items():
        count = float(own.loc[measure, "count"])
        note = own.loc[measure, "note"]
        rows.append(
            (
                KINDS["observed"],
                words,
                count,
                count,
                "households a year",
                year,
                f"{table}, first editions; OGL v3",
                "sum of the four quarters' first-edition tables"
                + (f" (no figure: {note})" if np.isnan(count) and note else ""),
            )
        )
    rows.append(
        (
            KINDS["requirement"],
            "Refuge places the Council of Europe standard requires",
            float(gap["required_places"]),
            np.nan,
            "refuge places (capacity)",
            "Census 2021",
            config.REFUGE_STANDARD_CITATION,
            f"Census 2021 population / 10,000 x {gap['standard_per_10k']:g}",
        )
    )
    supplied = gap["available_places"] is not None
    rows.append(
        (
            KINDS["supply"],
            "Refuge places the council has (refuge and specialist refuge bedspaces)",
            float(gap["available_places"]) if supplied else np.nan,
            np.nan,
            "refuge places (capacity)",
            assessment.supply_period if supplied else "not supplied",
            "the council's own supply figures (aggregate counts it supplied)" if supplied else "not supplied",
            "latest period in the council's supply file" if supplied else "not supplied",
        )
    )
    frame = pd.DataFrame(rows, columns=[c for c in PANEL_COLUMNS if c != "per_100k"])
    frame.insert(4, "per_100k", frame["value"] / population * config.PER_100K)
    return frame


def suppressed(frame: pd.DataFrame, threshold: int = config.SUPPRESSION_THRESHOLD) -> pd.DataFrame:
    """The panel or year figures with counts of 1 to ``threshold - 1`` and what is derived from them as the marker."""
    if "households" in frame.columns:
        return stats.suppress_small_counts(frame, "households", ["value", "per_100k"], threshold=threshold)
    return stats.suppress_small_counts(frame, "count", ["rate_per_100k", "ci_lower", "ci_upper"], threshold=threshold)


def records(figures: pd.DataFrame, area_code: str) -> dict[str, float | None]:
    """The area's year figures for the notebook's records: ``<measure>_households``, ``_per_100k``,
    ``_ci_lower``, ``_ci_upper``; None where there is no figure or it is suppressed (records never
    carry what the page withholds)."""
    own = suppressed(figures[figures["area_code"] == area_code]).set_index("measure")
    out: dict[str, float | None] = {}
    for measure in MEASURES:
        for key, column in (("households", "count"), ("per_100k", "rate_per_100k"), ("ci_lower", "ci_lower"),
                            ("ci_upper", "ci_upper")):  # fmt: skip
            value = own.loc[measure, column] if measure in own.index else None
            out[f"{measure}_{key}"] = (
                None if value is None or isinstance(value, str) or pd.isna(value) else float(value)
            )
    return out
