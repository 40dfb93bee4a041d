"""The synthetic estimate by sex and age band, and women's partner abuse by its published age bands.

Census 2021 gives every area's women and men at each single year of age (TS009, the
``population`` table), so the population behind an estimate can be shown by sex and age band.
What a row's estimate means depends on the rate it carries, and the rows say which:

* :func:`by_sex_and_age_band` splits each group of
  :func:`analysis.methods.prevalence.estimate_adults` into the crime survey's published age
  bands (:data:`config.CSEW_AGE_BANDS`) within the group's ages, and by sex where the group
  is both sexes, and applies the **group's** rate to each part; the parts add up to the
  group. With the shipped default rates (by sex, for all adults aged 16+) every band of one
  sex carries the same rate: the rows show where the estimate falls in the area's age
  structure, not how the risk varies with age. ``rate_band`` and ``rate_sex`` name the group
  each rate was published for, and ``rate_by_age`` is True only where the rate was
  published for that band (narrower than the survey's whole age range).
* :func:`partner_abuse_women_by_age` applies the rates the survey does publish by age band
  for women only (partner abuse, ONS SDG indicator 5.2.1;
  :func:`analysis.methods.survey_rates.select_rates_by_age`) to the area's women in each
  band. It is a different measure (partner abuse only) and survey year from the headline
  estimate, which it neither replaces nor adds to.

Intervals follow :mod:`analysis.methods.prevalence` (:func:`~analysis.methods.prevalence.apply_rate`):
a row has one only when its rate has published limits; none is invented.

References
----------
ONS, Domestic abuse prevalence and victim characteristics, England and Wales (CSEW appendix
tables by sex and age); ONS, UK SDG indicator 5.2.1 (women's partner abuse by age); ONS,
Census 2021 TS009 "Sex by single year of age".
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis import config
from analysis.errors import ParameterError
from analysis.methods import areas, population, prevalence
from analysis.methods.survey_rates import select_rates_by_age

__all__ = ["BAND_COLUMNS", "by_sex_and_age_band", "nested_bands", "partner_abuse_women_by_age"]

BAND_COLUMNS = [
    "area_code",
    "area_name",
    "survey_year",
    "measure",
    "measure_version",
    "sex",
    "age_band",
    "population",
    "population_basis",
    "rate_sex",
    "rate_band",
    "rate_by_age",
    "rate_percent",
    "estimate",
    "estimate_se",
    "ci_lower",
    "ci_upper",
    "confidence",
]


def _limits(band: str) -> tuple[int, int]:
    low, high = population.parse_age_band(band)
    return low, population.MAX_AGE if high is None else high


def nested_bands(band: str, bands: Sequence[str] = config.CSEW_AGE_BANDS) -> list[str]:
    """The ``bands`` that lie within ``band`` and cover it without gaps, else ``[band]``.

    ``nested_bands("16-74")`` is ``["16-19", "20-24", ..., "60-74"]``; ``nested_bands("16-19")``
    is ``["16-19"]``. A band the published bands cannot tile is kept whole.
    """
    low, high = _limits(band)
    inside = sorted((b for b in bands if low <= _limits(b)[0] and _limits(b)[1] <= high), key=lambda b: _limits(b)[0])
    start = low
    for b in inside:
        if _limits(b)[0] != start:
            return [band]
        start = _limits(b)[1] + 1
    return inside if inside and start == high + 1 else [band]


def by_sex_and_age_band(groups: pd.DataFrame, bands: Sequence[str] = config.CSEW_AGE_BANDS) -> pd.DataFrame:
    """Each group of an estimate split into published age bands (and sexes), with the group's rate.

    Parameters
    ----------
    groups
        :func:`analysis.methods.prevalence.estimate_adults` rows (any areas).
    bands
        Age bands to split into (default the crime survey's, :data:`config.CSEW_AGE_BANDS`);
        a group they cannot tile is kept as one row.

    Returns
    -------
    pandas.DataFrame
        :data:`BAND_COLUMNS`, one row per area, sex (female, male) and band, in the order of
        ``groups``: ``population`` (Census 2021, observed), the group's ``rate_percent``
        (``rate_sex``, ``rate_band``; ``rate_by_age`` True when the rate was published for
        this band and sex), ``estimate`` = population x rate / 100 and its interval (NaN
        without published limits). The rows of a group add up to the group's estimate.
    """
    missing = [c for c in prevalence.GROUP_COLUMNS if c not in getattr(groups, "columns", ())]
    if not isinstance(groups, pd.DataFrame) or missing or groups.empty:
        raise ParameterError(
            f"groups must be non-empty rows of prevalence.estimate_adults; missing columns: {missing}.",
            "Pass prevalence.estimate_adults(area, ...).",
        )
    rows = []
    for group in groups.itertuples(index=False):
        sexes = ("female", "male") if group.sex == "all" else (group.sex,)
        for sex in sexes:
            for band in nested_bands(group.age_band, bands):
                low, high = population.parse_age_band(band)
                pop = float(population.total_population(group.area_code, sex=sex, min_age=low, max_age=high).iloc[0])
                applied = prevalence.apply_rate(
                    pop, group.rate_percent, group.rate_ci_lower, group.rate_ci_upper, group.confidence
                )
                rows.append(
                    {
                        "area_code": group.area_code,
                        "area_name": group.area_name,
                        "survey_year": group.survey_year,
                        "measure": group.measure,
                        "measure_version": group.measure_version,
                        "sex": sex,
                        "age_band": band,
                        "population": pop,
                        "population_basis": group.population_basis,
                        "rate_sex": group.sex,
                        "rate_band": group.age_band,
                        "rate_by_age": bool(band == group.age_band != group.age_range),
                        "rate_percent": group.rate_percent,
                        **{name: float(value) for name, value in applied.items()},
                        "confidence": group.confidence,
                    }
                )
    out = pd.DataFrame(rows, columns=BAND_COLUMNS)
    order = {code: i for i, code in enumerate(dict.fromkeys(groups["area_code"]))}
    sex_order = {"female": 0, "male": 1}
    out = out.assign(
        _a=out["area_code"].map(order), _s=out["sex"].map(sex_order), _b=out["age_band"].map(lambda b: _limits(b)[0])
    )
    return out.sort_values(["_a", "_s", "_b"], kind="stable").drop(columns=["_a", "_s", "_b"]).reset_index(drop=True)


def partner_abuse_women_by_age(
    area: str | areas.Area, survey_year: str | None = None, confidence: float = config.DEFAULT_CONFIDENCE
) -> pd.DataFrame:
    """Women's partner abuse by age band: the survey's published rates for women applied to local women.

    Parameters
    ----------
    area
        Code or name of an authority, region or England (or an :class:`~analysis.methods.areas.Area`).
    survey_year
        A year with women's partner abuse rates covering the survey's age range by age band;
        default the latest (:func:`analysis.methods.survey_rates.select_rates_by_age`).
    confidence
        Two-sided level of an interval, where the rates have published limits.

    Returns
    -------
    pandas.DataFrame
        :data:`analysis.methods.prevalence.GROUP_COLUMNS`, one row per age band: women in the
        band (Census 2021, observed), the published rate for women of that age and the estimate.
    """
    rates = select_rates_by_age("female", "partner_abuse", survey_year)
    return prevalence.apply_rates([area], rates, confidence)
