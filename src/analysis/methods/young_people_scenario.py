"""The 14-15 SCENARIO of the young people's scoping: a range from published research, never a measured prevalence.

No survey measures domestic abuse among 14 and 15 year olds in England: the crime survey
starts at 16, and abuse of and between under-16s is a child safeguarding matter (Domestic
Abuse Act 2021, ss.1-3). The scoping therefore shows a labelled SCENARIO: the share of
14-15 year olds who might experience relationship abuse, bounded by figures from published
research on teenage relationship abuse (the ``young_people_research`` table, rows marked
``scenario_bound = low`` or ``high``) unless the notebook parameters ``scenario_low_percent``
and ``scenario_high_percent`` set the bounds (:func:`resolve_scenario`). With neither, the
scenario is unavailable; no default number is made up.

:func:`check_scenario_bounds` is also the batch's check of those parameters before any
kernel starts. :mod:`analysis.methods.young_people` re-exports every name here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis import config
from analysis.data import tables
from analysis.errors import ParameterError
from analysis.methods import population
from analysis.methods.checks import check_number

SCENARIO_LABEL = "SCENARIO (not a measured prevalence)"
#: How the scenario's default bounds were chosen; shown wherever the scenario is.
SCENARIO_SOURCE_RESEARCH = "published research figures shipped with the workspace (teenage relationship abuse)"
SCENARIO_SOURCE_PARAMETER = "values set by the notebook parameters"
#: The ages the scenario covers: from the youngest of the scoping to the last age before the Act's 16.
SCENARIO_MIN_AGE, SCENARIO_MAX_AGE = config.YOUNG_PEOPLE_AGES[0], config.DA_ACT_MIN_AGE - 1


@dataclass(frozen=True)
class Scenario:
    """Bounds of the 14-15 scenario range in percent, and where they come from."""

    low_percent: float | None
    high_percent: float | None
    basis: str
    low_fact_id: str | None = None
    high_fact_id: str | None = None

    @property
    def available(self) -> bool:
        return self.low_percent is not None and self.high_percent is not None


def check_scenario_bounds(low: Any, high: Any) -> tuple[float | None, float | None]:
    """Check the scenario parameters: each None or a percent, and low <= high.

    Raises
    ------
    ParameterError
        Naming ``scenario_low_percent`` / ``scenario_high_percent`` and the value.
    """
    low_v = None if low is None else check_number("scenario_low_percent", low, minimum=0, maximum=100)
    high_v = None if high is None else check_number("scenario_high_percent", high, minimum=0, maximum=100)
    if low_v is not None and high_v is not None and low_v > high_v:
        raise ParameterError(
            f"scenario_low_percent ({low!r}) is above scenario_high_percent ({high!r}).",
            "Pass a low bound at or below the high bound, e.g. -p scenario_low_percent 10 -p scenario_high_percent 20.",
        )
    return low_v, high_v


def research_facts(scenario_only: bool = False) -> pd.DataFrame:
    """Published research figures on teenage relationship abuse, with their citations."""
    facts = tables.read_table("young_people_research")
    if scenario_only:
        facts = facts[facts["scenario_bound"].isin(["low", "high"])]
    return facts.reset_index(drop=True)


def resolve_scenario(low: Any = None, high: Any = None) -> Scenario:
    """The 14-15 scenario bounds: the parameters where given, else the shipped research.

    The default low bound is the lowest figure marked ``scenario_bound = low`` in the
    research table, the high bound the highest marked ``high``. With neither parameters nor
    research rows the scenario is unavailable (bounds None); no default number is made up.
    """
    low_v, high_v = check_scenario_bounds(low, high)
    facts = research_facts(scenario_only=True)
    lows = facts[facts["scenario_bound"] == "low"].sort_values("value")
    highs = facts[facts["scenario_bound"] == "high"].sort_values("value", ascending=False)
    low_id = high_id = None
    if low_v is None and not lows.empty:
        low_v, low_id = float(lows["value"].iloc[0]), lows["fact_id"].iloc[0]
    if high_v is None and not highs.empty:
        high_v, high_id = float(highs["value"].iloc[0]), highs["fact_id"].iloc[0]
    if low_v is None or high_v is None:
        return Scenario(None, None, "no research figures shipped and no scenario parameters given")
    if low_v > high_v:
        raise ParameterError(
            f"The scenario low bound ({low_v:g}%) is above the high bound ({high_v:g}%) once the research defaults "
            "are filled in.",
            "Pass both scenario_low_percent and scenario_high_percent.",
        )
    if low_id and high_id:
        basis = SCENARIO_SOURCE_RESEARCH
    elif low_id or high_id:
        basis = f"{SCENARIO_SOURCE_PARAMETER} and {SCENARIO_SOURCE_RESEARCH}"
    else:
        basis = SCENARIO_SOURCE_PARAMETER
    return Scenario(low_v, high_v, basis, low_id, high_id)


def scenario_14_15(area_codes: str | Iterable[str], scenario: Scenario) -> pd.DataFrame:
    """14-15 year olds under the scenario range: a SCENARIO, labelled as such on every row.

    Returns
    -------
    pandas.DataFrame
        ``area_code``, ``population_14_15``, ``scenario_low_percent``,
        ``scenario_high_percent``, ``scenario_low``, ``scenario_high``, ``label``.
    """
    codes = [area_codes] if isinstance(area_codes, str) else list(area_codes)
    pops = population.total_population(codes, min_age=SCENARIO_MIN_AGE, max_age=SCENARIO_MAX_AGE)
    frame = pd.DataFrame({"area_code": codes})
    frame["population_14_15"] = frame["area_code"].map(pops)
    frame["scenario_low_percent"] = scenario.low_percent
    frame["scenario_high_percent"] = scenario.high_percent
    for column, bound in (("scenario_low", scenario.low_percent), ("scenario_high", scenario.high_percent)):
        frame[column] = frame["population_14_15"] * bound / 100 if scenario.available else float("nan")
    frame["label"] = SCENARIO_LABEL
    return frame
