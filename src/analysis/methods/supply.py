"""Refuge demand versus supply: the standard, places by type, shortfall, referrals, expected demand.

Method
------
* **Requirement.** One refuge family place per 10,000 population
  (:data:`analysis.config.REFUGE_STANDARD_PLACES_PER_10K`, Council of Europe 2008; the ratio
  of the 1975 Select Committee on Violence in Marriage): ``required = population / 10,000 *
  standard_per_10k``. The ratio is a parameter for sensitivity analysis.
* **Available places** are the bedspaces of the types in
  :data:`analysis.config.REFUGE_STANDARD_COUNTED_TYPES` (refuge and specialist refuge) in the
  latest period of the council's ``supply.csv``; a bedspace is a unit for one victim and
  their children (national expert steering group report 2022-23, glossary). None without
  local data: a missing figure is never taken as zero.
* **Shortfall** = required - available (negative: more places than the standard asks);
  ``shortfall_pct`` = shortfall / required * 100; ``places_per_100k`` = available /
  population * 100,000, against the standard's ``10 * standard_per_10k`` per 100,000.
* **Referrals** and **expected demand** (England's Part 4 counts per head applied to the
  area: a benchmark, not a forecast) are the demand side, in :mod:`analysis.methods.demand`;
  their functions are re-exported here, and :func:`assess` puts both sides together for
  notebook ``02_refuge_demand_supply``.

Population is ONS Census 2021 usual residents (TS009, 21 March 2021; :mod:`analysis.methods.population`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis import config
from analysis.errors import ParameterError
from analysis.methods import population
from analysis.methods.areas import Area
from analysis.methods.checks import check_number
from analysis.methods.demand import (
    DEMAND_MEASURES,
    MEASURE_LABELS,
    demand_benchmark,
    demand_years,
    expected_demand,
    latest_period,
    national_facts,
    national_value,
    period_sort_key,
    referral_shares,
)

__all__ = [
    "COMMISSIONED_MEASURE_BY_TYPE",
    "DEMAND_MEASURES",
    "MEASURE_LABELS",
    "PER_10K",
    "SUPPLY_COUNT_COLUMNS",
    "SupplyAssessment",
    "assess",
    "available_places",
    "check_parameters",
    "compare_per_100k",
    "demand_benchmark",
    "demand_years",
    "expected_demand",
    "latest_period",
    "latest_supply",
    "national_facts",
    "national_value",
    "period_sort_key",
    "places_all_areas",
    "places_per_100k",
    "referral_shares",
    "required_places",
    "shortfall",
    "standard_gap",
    "supply_by_type",
]

PER_10K = 10_000
SUPPLY_COUNT_COLUMNS = ["properties", "bedspaces", "child_spaces", "accessible_bedspaces"]
#: England's commissioned places by type (national expert steering group report 2022-23).
COMMISSIONED_MEASURE_BY_TYPE = {
    "refuge": "commissioned_refuge_bedspaces",
    "specialist_by_and_for": "commissioned_units_specialist",
    "dispersed": "commissioned_units_dispersed",
    "second_stage_move_on": "commissioned_units_second_stage",
    "sanctuary_scheme": "commissioned_units_sanctuary_schemes",
    "other_emergency": "commissioned_units_other",
}


# ------------------------------------------------------------------------------------------
# Parameters
# ------------------------------------------------------------------------------------------


def check_parameters(standard_per_10k: Any, refuge_share: Any, demand_year: Any) -> dict[str, Any]:
    """Check the notebook's scenario parameters; return them cleaned.

    Raises
    ------
    ParameterError
        Naming the parameter and value: a standard <= 0, a share outside 0..1, or a
        demand year with no national figures.
    """
    standard = check_number("standard_per_10k", standard_per_10k, minimum=0, allow_equal_min=False)
    share = check_number("refuge_share", refuge_share, minimum=0, maximum=1)
    years = demand_years()
    if demand_year not in years:
        raise ParameterError(
            f"demand_year must be a Part 4 year with national figures, got {demand_year!r}.",
            f"Use one of {', '.join(years)}.",
        )
    return {"standard_per_10k": standard, "refuge_share": share, "demand_year": demand_year}


# ------------------------------------------------------------------------------------------
# The standard
# ------------------------------------------------------------------------------------------


def required_places(population_count: float, standard_per_10k: float = config.REFUGE_STANDARD_PLACES_PER_10K) -> float:
    """Refuge places the standard requires: ``population / 10,000 * standard_per_10k``.

    Parameters
    ----------
    population_count
        Resident population (> 0).
    standard_per_10k
        Places per 10,000 population (> 0); default one (Council of Europe 2008).
    """
    pop = check_number("population", population_count, minimum=0, allow_equal_min=False)
    standard = check_number("standard_per_10k", standard_per_10k, minimum=0, allow_equal_min=False)
    return pop / PER_10K * standard


def places_per_100k(places: float | None, population_count: float) -> float | None:
    """Places per 100,000 population (None when ``places`` is None)."""
    if places is None:
        return None
    pop = check_number("population", population_count, minimum=0, allow_equal_min=False)
    return check_number("places", places, minimum=0) / pop * config.PER_100K


def shortfall(required: float, available: float | None) -> dict[str, float | None]:
    """``shortfall_places`` = required - available and ``shortfall_pct`` of required (None without supply)."""
    if available is None:
        return {"shortfall_places": None, "shortfall_pct": None}
    gap = required - available
    return {"shortfall_places": gap, "shortfall_pct": gap / required * 100}


# ------------------------------------------------------------------------------------------
# Local supply
# ------------------------------------------------------------------------------------------


def latest_supply(supply: pd.DataFrame | None) -> tuple[pd.DataFrame | None, str | None]:
    """Rows of the latest period of a validated ``supply.csv``, and that period."""
    if supply is None or supply.empty:
        return None, None
    period = latest_period(supply["period"])
    return supply[supply["period"] == period].reset_index(drop=True), period


def available_places(supply: pd.DataFrame | None) -> tuple[float | None, str | None]:
    """Refuge places counted against the standard (latest period) and the period; None when not stated."""
    rows, period = latest_supply(supply)
    if rows is None:
        return None, None
    counted = rows.loc[rows["accommodation_type"].isin(config.REFUGE_STANDARD_COUNTED_TYPES), "bedspaces"].dropna()
    return (float(counted.sum()), period) if len(counted) else (None, period)


def _england_commissioned_per_100k(england_population: float) -> dict[str, float]:
    facts = national_facts()
    commissioned = facts[(facts["period"] == "2022-23") & (facts["geography_code"] == config.ENGLAND_CODE)]
    values = commissioned.set_index("measure")["value"]
    return {
        t: values[m] / england_population * config.PER_100K
        for t, m in COMMISSIONED_MEASURE_BY_TYPE.items()
        if m in values
    }


def supply_by_type(supply: pd.DataFrame | None, population_count: float) -> pd.DataFrame:
    """Places by Part 4 accommodation type in the latest period, with England's commissioned rate.

    Returns one row per type in :data:`analysis.config.ACCOMMODATION_TYPES`: properties,
    bedspaces, child spaces and accessible bedspaces (summed over providers; missing where
    no row states them), ``places_per_100k``, ``status`` ("stated", "none", "bedspaces not
    stated", "no data"), whether the type counts against the standard, and
    ``england_places_per_100k`` (England's commissioned places, 2022-23, per 100,000 of
    England's Census 2021 population).
    """
    rows, period = latest_supply(supply)
    england = _england_commissioned_per_100k(float(population.total_population(config.ENGLAND_CODE).iloc[0]))
    out = []
    for kind in config.ACCOMMODATION_TYPES:
        mine = rows[rows["accommodation_type"] == kind] if rows is not None else pd.DataFrame()
        sums = {
            c: (float(mine[c].dropna().sum()) if len(mine) and mine[c].notna().any() else math.nan)
            for c in SUPPLY_COUNT_COLUMNS
        }
        if mine.empty:
            status = "no data"
        elif math.isnan(sums["bedspaces"]):
            status = "bedspaces not stated"
        else:
            status = "none" if sums["bedspaces"] == 0 else "stated"
        per_100k = places_per_100k(None if math.isnan(sums["bedspaces"]) else sums["bedspaces"], population_count)
        out.append(
            {
                "accommodation_type": kind,
                "type_label": config.ACCOMMODATION_TYPE_LABELS[kind],
                "counted_in_standard": kind in config.REFUGE_STANDARD_COUNTED_TYPES,
                **sums,
                "places_per_100k": math.nan if per_100k is None else per_100k,
                "status": status,
                "period": period if not mine.empty else None,
                "england_places_per_100k": england.get(kind, math.nan),
            }
        )
    return pd.DataFrame(out)


def standard_gap(
    population_count: float, available: float | None, standard_per_10k: float = config.REFUGE_STANDARD_PLACES_PER_10K
) -> dict[str, float | None]:
    """The area against the standard: required, available, shortfall and places per 100,000.

    Returns a dict with ``population``, ``standard_per_10k``, ``standard_places_per_100k``,
    ``required_places``, ``available_places`` (None without local data),
    ``shortfall_places``, ``shortfall_pct`` and ``places_per_100k`` (None without local data).
    """
    required = required_places(population_count, standard_per_10k)
    return {
        "population": float(population_count),
        "standard_per_10k": float(standard_per_10k),
        "standard_places_per_100k": float(standard_per_10k) * config.PER_100K / PER_10K,
        "required_places": required,
        "available_places": available,
        **shortfall(required, available),
        "places_per_100k": places_per_100k(available, population_count),
    }


# ------------------------------------------------------------------------------------------
# The area against its region and England
# ------------------------------------------------------------------------------------------


def compare_per_100k(
    area: Area,
    available: float | None,
    supply_period: str | None,
    standard_per_10k: float = config.REFUGE_STANDARD_PLACES_PER_10K,
) -> pd.DataFrame:
    """Refuge places per 100,000 for the area, its region and England, "no data" where unknown.

    England's places are the latest Women's Aid / Hansard count of refuge spaces and the
    Part 4 commissioned refuge bedspaces (2022-23), per 100,000 of England's Census 2021
    population. No regional counts are in the workspace, so the region row has none.

    Returns
    -------
    pandas.DataFrame
        ``area_code, area_name, level, places, population, places_per_100k,
        required_places, shortfall_pct, period, source``; places and rates missing (never
        zero) where unknown.
    """
    codes = (
        [area.code] + ([area.region_code] if area.level == "utla" and area.region_code else []) + [config.ENGLAND_CODE]
    )
    pops = population.total_population(list(dict.fromkeys(codes)))
    rows = [
        {
            "area_code": area.code,
            "area_name": area.name,
            "level": area.level,
            "places": available,
            "period": supply_period,
            "source": "The council's own supply figures, refuge and specialist refuge bedspaces"
            if available is not None
            else "No local supply data",
        }
    ]
    if area.level == "utla" and area.region_code:
        rows.append(
            {
                "area_code": area.region_code,
                "area_name": area.region_name,
                "level": "region",
                "places": None,
                "period": None,
                "source": "No regional refuge counts are published in a readable form; ONS "
                "(Nov 2021) reported that only London and the West Midlands exceeded the recommended number",
            }
        )
    if area.code != config.ENGLAND_CODE:
        for measure in ("refuge_spaces", "commissioned_refuge_bedspaces"):
            fact = national_value(measure)
            rows.append(
                {
                    "area_code": config.ENGLAND_CODE,
                    "area_name": f"{config.ENGLAND_NAME} ({_england_label(measure)})",
                    "level": "country",
                    "places": float(fact["value"]),
                    "period": fact["period"],
                    "source": fact["source_title"],
                }
            )
    frame = pd.DataFrame(rows)
    frame["population"] = frame["area_code"].map(pops).astype(float)
    frame["places"] = frame["places"].astype(float)
    frame["places_per_100k"] = frame["places"] / frame["population"] * config.PER_100K
    frame["required_places"] = frame["population"] / PER_10K * standard_per_10k
    frame["shortfall_pct"] = (frame["required_places"] - frame["places"]) / frame["required_places"] * 100
    return frame[
        [
            "area_code",
            "area_name",
            "level",
            "places",
            "population",
            "places_per_100k",
            "required_places",
            "shortfall_pct",
            "period",
            "source",
        ]
    ]


def _england_label(measure: str) -> str:
    return {"refuge_spaces": "all refuge spaces", "commissioned_refuge_bedspaces": "Part 4 commissioned refuge"}[
        measure
    ]


# ------------------------------------------------------------------------------------------
# The whole assessment for one area (what the notebook shows)
# ------------------------------------------------------------------------------------------


@dataclass
class SupplyAssessment:
    """Everything the demand-supply notebook shows for one area."""

    area: Area
    local: Any  # analysis.data.local_data.LocalData
    scenario: dict[str, Any]
    gap: dict[str, Any]
    supply_period: str | None
    by_type: pd.DataFrame
    shares: pd.DataFrame
    expected: pd.DataFrame
    benchmark: pd.DataFrame
    comparison: pd.DataFrame

    @property
    def england_population(self) -> float:
        """England's Census 2021 population, the denominator of every England rate here."""
        return float(population.total_population(config.ENGLAND_CODE).iloc[0])

    def records(self) -> dict[str, Any]:
        """Machine-readable headline values (for :func:`analysis.present.report.record`)."""
        expected = self.expected.set_index("measure")["expected_in_area"]
        england = self.comparison[self.comparison["area_code"] == config.ENGLAND_CODE]
        return {
            **{
                key: self.gap[key]
                for key in (
                    "required_places",
                    "available_places",
                    "shortfall_places",
                    "shortfall_pct",
                    "places_per_100k",
                    "standard_per_10k",
                    "standard_places_per_100k",
                    "population",
                )
            },
            "has_local_data": self.local.has_any,
            "has_supply_data": self.local.has_supply,
            "has_referral_data": self.local.has_referrals,
            "supply_period": self.supply_period,
            "refuge_share": self.scenario["refuge_share"],
            "demand_year": self.scenario["demand_year"],
            "expected_individuals_supported": float(expected["individuals_supported_in_safe_accommodation"]),
            "expected_refuge_individuals": float(expected["individuals_supported_in_safe_accommodation_refuge"]),
            "expected_households_unable_to_be_supported": float(expected["households_unable_to_be_supported"]),
            "england_places_per_100k": float(england["places_per_100k"].iloc[0]) if len(england) else None,
            "referral_rows": len(self.shares),
        }


def assess(
    area: Area,
    standard_per_10k: float = config.REFUGE_STANDARD_PLACES_PER_10K,
    refuge_share: float = config.DEFAULT_REFUGE_SHARE,
    demand_year: str = config.DEFAULT_DEMAND_YEAR,
    confidence: float = config.DEFAULT_CONFIDENCE,
) -> SupplyAssessment:
    """Check the scenario, read the area's local data and compute every table of the notebook.

    Raises
    ------
    ParameterError
        A scenario parameter out of range (see :func:`check_parameters`).
    AreaError, ValidationError
        A misnamed local data folder or a malformed local file (see :mod:`analysis.data.local_data`).
    """
    from analysis.methods import council_data

    scenario = check_parameters(standard_per_10k, refuge_share, demand_year)
    local = council_data.load_local_data(area)
    pop = float(population.total_population(area.code).iloc[0])
    available, period = available_places(local.supply)
    expected = expected_demand(pop, scenario["demand_year"], scenario["refuge_share"])
    return SupplyAssessment(
        area=area,
        local=local,
        scenario=scenario,
        gap=standard_gap(pop, available, scenario["standard_per_10k"]),
        supply_period=period,
        by_type=supply_by_type(local.supply, pop),
        shares=referral_shares(local.referrals, confidence),
        expected=expected,
        benchmark=demand_benchmark(expected, local.referrals),
        comparison=compare_per_100k(area, available, period, scenario["standard_per_10k"]),
    )


# ------------------------------------------------------------------------------------------
# Every authority with local supply data (for the declared indicators behind the maps)
# ------------------------------------------------------------------------------------------


def places_all_areas(standard_per_10k: float = config.REFUGE_STANDARD_PLACES_PER_10K) -> pd.DataFrame:
    """Available refuge places, required places and the shortfall for every area with supply data.

    Areas without a ``supply.csv`` (or whose file states no refuge bedspaces) are left out, so
    they show as "no data", never zero; regions and England are left out too, because a sum
    over the few authorities with data would not be a regional figure.

    Returns
    -------
    pandas.DataFrame
        ``area_code``, ``supply_period``, ``places_available``, ``population``,
        ``required_places``, ``shortfall_places``.
    """
    from analysis.methods import council_data
    from analysis.methods.areas import get_area

    rows = []
    for code in sorted(council_data.check_local_folders()):
        area = get_area(code)
        if area.level != "utla":
            continue
        available, period = available_places(council_data.load_local_data(area).supply)
        if available is None:
            continue
        pop = float(population.total_population(code).iloc[0])
        required = required_places(pop, standard_per_10k)
        rows.append(
            {
                "area_code": code,
                "supply_period": period,
                "places_available": available,
                "population": pop,
                "required_places": required,
                "shortfall_places": shortfall(required, available)["shortfall_places"],
            }
        )
    return pd.DataFrame(
        rows,
        columns=["area_code", "supply_period", "places_available", "population", "required_places", "shortfall_places"],
    )
