"""The demand side of refuge need: shares of referrals, and England's Part 4 counts as expected demand.

Method
------
* **Referrals**: shares of referrals received with Wilson score intervals
  (:func:`analysis.methods.stats.wilson_interval`) where the council's file gives both counts;
  percentages a source printed without counts are shown as printed, with no interval and no
  invented denominator.
* **Expected demand** (a benchmark, not a forecast): England's Part 4 counts for a year
  (individuals supported in safe accommodation, households unable to be supported) per
  head of England's Census 2021 population, applied to the area's Census 2021 population.
  This assumes the area's need per head equals England's; the population date (21 March
  2021) differs from the Part 4 year. The scenario ``refuge_share`` splits individuals between refuge and other
  types (default 44%, England 2022-23).
* **Periods** of the national facts and of the local files ("2022-23", "2024") are ordered
  by the year they end (:func:`period_sort_key`); the supply side uses the same order.

:mod:`analysis.methods.supply` sets these beside the places available and re-exports every
name here, so ``supply.referral_shares`` and the rest keep working.

References
----------
* DLUHC (2024), Annual progress report from the Domestic Abuse Safe Accommodation National
  Expert Steering Group 2022 to 2023; MHCLG, Support in Domestic Abuse Safe Accommodation
  2023 to 2024 and 2024 to 2025: the Part 4 counts, each named on its row of the
  ``safe_accommodation_facts`` table.
* Public Health England (2018), Technical Guide: Confidence Intervals (Wilson score).
"""

from __future__ import annotations

import math
import re

import pandas as pd

from analysis import config
from analysis.data import tables
from analysis.errors import ParameterError
from analysis.methods import population, stats
from analysis.methods.checks import check_number

#: England's Part 4 counts used for expected demand, with readable labels.
DEMAND_MEASURES = {
    "individuals_supported_in_safe_accommodation": "Individuals supported in safe accommodation (adults and children)",
    "households_unable_to_be_supported": "Households referred but not supported (instances)",
}
MEASURE_LABELS = {
    "received": "received",
    "accepted": "accepted",
    "declined_or_unsuccessful": "declined or unsuccessful",
    "decline_reason": "reason declined",
    "from_outside_area": "from outside the area",
    "risk_level": "risk level",
}
_PERIOD_SPAN = re.compile(r"^(\d{4})-(\d{2}|\d{4})$")


# ------------------------------------------------------------------------------------------
# Periods ("2022-23", "2024", "not stated") of the national facts and the local files
# ------------------------------------------------------------------------------------------


def period_sort_key(period: str) -> tuple[int, int, str]:
    """Order periods by the year they end: "2020-21" after "2020", "not stated" first."""
    if not period[:4].isdigit():
        return (0, 0, period)
    start = int(period[:4])
    span = _PERIOD_SPAN.match(period)
    end = start
    if span and len(span.group(2)) == 4:
        end = int(span.group(2))
    elif span and int(span.group(2)) == (start + 1) % 100:  # financial year "2020-21"
        end = start + 1
    return (end, start, period)


def latest_period(periods: pd.Series | list[str]) -> str | None:
    """The most recent period (see :func:`period_sort_key`), or None for none."""
    values = list(dict.fromkeys(periods))
    return max(values, key=period_sort_key) if values else None


# ------------------------------------------------------------------------------------------
# The Part 4 years a scenario may use
# ------------------------------------------------------------------------------------------


def demand_years() -> list[str]:
    """Part 4 years for which England's individuals supported and households not supported are both known."""
    facts = national_facts()
    england = facts[facts["geography_code"] == config.ENGLAND_CODE]
    years = [set(england.loc[england["measure"] == m, "period"]) for m in DEMAND_MEASURES]
    return sorted(set.intersection(*years))


# ------------------------------------------------------------------------------------------
# Referrals
# ------------------------------------------------------------------------------------------


def _row_label(period: str, measure: str, category: str) -> str:
    label = MEASURE_LABELS.get(measure, measure)
    return f"{period}: {label}" + (f" - {category}" if category != "all" else "")


def referral_shares(referrals: pd.DataFrame | None, confidence: float = config.DEFAULT_CONFIDENCE) -> pd.DataFrame:
    """Each referral figure with its share of referrals and a Wilson interval where counts allow.

    A share is computed as ``count / base`` where the file gives the base count in the same
    period (referrals received; declined referrals for decline reasons), with a Wilson score
    interval; otherwise the percentage the source printed is shown with no interval.

    Returns
    -------
    pandas.DataFrame
        ``period, measure, category, label, count, base_count, percent, percent_basis,
        ci_lower, ci_upper, rank, interval``; percentages and limits in %.
    """
    columns = [
        "period",
        "measure",
        "category",
        "label",
        "count",
        "base_count",
        "percent",
        "percent_basis",
        "ci_lower",
        "ci_upper",
        "rank",
        "interval",
    ]
    if referrals is None or referrals.empty:
        return pd.DataFrame(columns=columns)
    received = _counts_by_period(referrals, "received")
    declined = _counts_by_period(referrals, "declined_or_unsuccessful")
    rows = []
    for row in referrals.itertuples(index=False):
        base_name = "declined_or_unsuccessful" if row.measure == "decline_reason" else "received"
        is_base = row.measure == base_name and row.category == "all"
        base = (declined if base_name != "received" else received).get(row.period)
        count = None if pd.isna(row.count) else int(row.count)
        out = {
            "period": row.period,
            "measure": row.measure,
            "category": row.category,
            "label": _row_label(row.period, row.measure, row.category),
            "count": count,
            "base_count": base,
            "percent": math.nan,
            "percent_basis": "",
            "ci_lower": math.nan,
            "ci_upper": math.nan,
            "rank": None if pd.isna(row.rank) else int(row.rank),
            "interval": "",
        }
        if is_base:
            out["interval"] = "the base of the shares"
        elif count is not None and base:
            lower, upper = stats.wilson_interval(count, base, confidence)
            out.update(
                percent=100 * count / base,
                percent_basis=f"{count:,} of {base:,} {MEASURE_LABELS[base_name]}",
                ci_lower=100 * lower,
                ci_upper=100 * upper,
                interval="Wilson score",
            )
        elif not pd.isna(row.percent):
            base_text = "the base" if row.percent_of == "not_stated" else MEASURE_LABELS[row.percent_of]
            of = "base not stated" if row.percent_of == "not_stated" else f"of {base_text}"
            out.update(
                percent=float(row.percent),
                percent_basis=f"as printed ({of})",
                interval=f"none: the source gives no count of {base_text}",
            )
        elif out["rank"] is not None:
            out["interval"] = "none: ranked, not counted"
        else:
            out["interval"] = f"none: no count of {MEASURE_LABELS[base_name]} in {row.period}"
        rows.append(out)
    frame = pd.DataFrame(rows, columns=columns)
    order = {m: i for i, m in enumerate(config.REFERRAL_MEASURES)}
    frame["_p"] = frame["period"].map(period_sort_key)
    frame["_m"] = frame["measure"].map(order)
    return (
        frame.sort_values(["_p", "_m", "rank", "category"], na_position="last")
        .drop(columns=["_p", "_m"])
        .reset_index(drop=True)
    )


def _counts_by_period(referrals: pd.DataFrame, measure: str) -> dict[str, int]:
    rows = referrals[(referrals["measure"] == measure) & (referrals["category"] == "all") & referrals["count"].notna()]
    return {period: int(count) for period, count in zip(rows["period"], rows["count"])}


# ------------------------------------------------------------------------------------------
# National facts and expected demand
# ------------------------------------------------------------------------------------------


def national_facts() -> pd.DataFrame:
    """The processed ``safe_accommodation_facts`` table (England figures with their sources)."""
    return tables.read_table("safe_accommodation_facts")


def national_value(measure: str, period: str | None = None) -> pd.Series:
    """One England figure (the latest period unless ``period`` is given), as a row with its source."""
    facts = national_facts()
    rows = facts[(facts["measure"] == measure) & (facts["geography_code"] == config.ENGLAND_CODE)]
    if period is not None:
        rows = rows[rows["period"] == period]
    if rows.empty:
        raise ParameterError(
            f"No England figure for {measure!r}" + (f" in {period}" if period else "") + ".",
            "See the safe_accommodation_facts table for the measures and periods available.",
        )
    return rows.loc[rows["period"].map(period_sort_key).idxmax()]


def expected_demand(
    area_population: float,
    demand_year: str = config.DEFAULT_DEMAND_YEAR,
    refuge_share: float = config.DEFAULT_REFUGE_SHARE,
) -> pd.DataFrame:
    """England's Part 4 counts per head applied to the area: a benchmark of yearly demand.

    ``expected = england_count / england_population * area_population`` (both Census 2021
    populations). The scenario ``refuge_share`` splits individuals supported into refuge and
    other types.

    Returns
    -------
    pandas.DataFrame
        ``measure, label, england_count, england_rate_per_100k, expected_in_area, basis,
        source_title``.
    """
    share = check_number("refuge_share", refuge_share, minimum=0, maximum=1)
    england_population = float(population.total_population(config.ENGLAND_CODE).iloc[0])
    rows = []
    for measure, label in DEMAND_MEASURES.items():
        fact = national_value(measure, demand_year)
        parts = [(measure, label, 1.0, f"England {demand_year}, per head of England's Census 2021 population")]
        if measure == "individuals_supported_in_safe_accommodation":
            parts += [
                (
                    f"{measure}_refuge",
                    "  of whom needing refuge (scenario)",
                    share,
                    f"scenario: {share:.0%} need refuge",
                ),
                (
                    f"{measure}_other_types",
                    "  of whom needing other types (scenario)",
                    1 - share,
                    f"scenario: {1 - share:.0%} need other types",
                ),
            ]
        for name, text, fraction, basis in parts:
            count = float(fact["value"]) * fraction
            rate = count / england_population * config.PER_100K
            rows.append(
                {
                    "measure": name,
                    "label": text,
                    "england_count": count,
                    "england_rate_per_100k": rate,
                    "expected_in_area": rate * area_population / config.PER_100K,
                    "basis": basis,
                    "source_title": fact["source_title"],
                }
            )
    return pd.DataFrame(rows)


def demand_benchmark(expected: pd.DataFrame, referrals: pd.DataFrame | None) -> pd.DataFrame:
    """The area's own referral counts beside the expected yearly figures (latest period with a count).

    Returns rows for referrals received against expected individuals needing refuge, and
    referrals declined against expected households not supported; ``local_count`` is
    missing where the local file has no such count.
    """
    pairs = [
        (
            "individuals_supported_in_safe_accommodation_refuge",
            "received",
            "Refuge referrals received vs individuals expected to need refuge",
        ),
        (
            "households_unable_to_be_supported",
            "declined_or_unsuccessful",
            "Referrals declined or unsuccessful vs households expected not to be supported",
        ),
    ]
    rows = []
    for expected_measure, local_measure, label in pairs:
        counts = _counts_by_period(referrals, local_measure) if referrals is not None else {}
        period = latest_period(list(counts)) if counts else None
        rows.append(
            {
                "comparison": label,
                "expected_per_year": float(expected.set_index("measure").at[expected_measure, "expected_in_area"]),
                "local_count": counts.get(period, math.nan) if period else math.nan,
                "local_period": period,
            }
        )
    return pd.DataFrame(rows)
